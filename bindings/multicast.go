package bindings

// Multicast: net.listen_multicast and the packet conn methods that join
// and leave groups and set the multicast TTL (hops) and loopback. The
// socket options go through golang.org/x/net/ipv4 and ipv6, which know
// each system's option numbers; the socket is the same packet conn class
// as net.listen_packet's, so every packet method works on it.

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

var multicastNetworks = []string{"udp", "udp4", "udp6"}

// maxMulticastTTL is the largest IPv4 TTL and IPv6 hop limit.
const maxMulticastTTL = 255

var multicastFuncs = []binding{
	{"listen_multicast", (*Runtime).netListenMulticast, "net.listen_multicast(network, group_addr [, opts]) -> packet conn | nil, err",
		`Opens a udp socket (udp, udp4, udp6) on the port of group_addr, "group:port" with a multicast group ("239.1.2.3:5000", "[ff02::1]:5000"), and joins that group. As Go's net.ListenMulticastUDP, it binds the port on every address, shared: several sockets may listen on the same group and port, and each gets every datagram; it gets the datagrams of the groups it joined (on Linux, only those: IP_MULTICAST_ALL is turned off) and unicast ones to its port. opts: interface (the name of the interface to join on and send from, as "lo" or "eth0"; default: the system's choice, by its routes), loopback (whether datagrams this socket sends to a group come back to the sockets of this host, itself included; default true), ttl (the TTL, or IPv6 hop limit, of what it sends to a group, 0 to 255; default the system's, 1: this link only). TTL and loopback are also methods, to change them later and to set them on any udp socket that sends to a group. A group_addr that is no multicast address raises an error; an unknown interface is nil, err. pc:join and pc:leave add and drop groups later; pc:set_multicast_ttl and pc:set_multicast_loopback change the send options.`,
		`pc = assert(net.listen_multicast("udp4", "239.1.2.3:5000", {interface = "lo"})); print(pc:read_from())`},
}

var multicastMethods = []binding{
	{"join", (*Runtime).packetJoin, "pc:join(group [, iface]) -> true | nil, err",
		`Joins the multicast group (an IP address, "239.1.2.4", or "group:port", whose port is ignored) on the interface named iface (default: the system's choice); a udp socket only. Joining a group twice is nil, err (on Linux of kind addr_in_use); an unknown interface is nil, err of kind other.`,
		`assert(pc:join("239.1.2.4", "lo"))`},
	{"leave", (*Runtime).packetLeave, "pc:leave(group [, iface]) -> true | nil, err",
		"Leaves a group joined with pc:join or net.listen_multicast (the same group and iface); datagrams to it no longer come. Leaving a group not joined is nil, err.",
		`assert(pc:leave("239.1.2.3"))`},
	{"set_multicast_ttl", (*Runtime).packetSetMulticastTTL, "pc:set_multicast_ttl(ttl) -> true | nil, err",
		"Sets the TTL (IPv6: the hop limit) of the datagrams this udp socket sends to a multicast group, 0 to 255: 1 stays on the link, more crosses that many routers. Any udp packet conn takes it, not only net.listen_multicast's.",
		"pc:set_multicast_ttl(4)"},
	{"multicast_ttl", (*Runtime).packetMulticastTTL, "pc:multicast_ttl() -> ttl | nil, err",
		"The multicast TTL (IPv6: hop limit) set on the socket, as the system reports it.",
		"print(pc:multicast_ttl())"},
	{"set_multicast_loopback", (*Runtime).packetSetMulticastLoopback, "pc:set_multicast_loopback(on) -> true | nil, err",
		"Sets whether datagrams this udp socket sends to a multicast group are delivered to the sockets of this host that joined it, itself included (on Linux, off means none of them gets it). What goes out lo comes back in from lo whatever this says: the option shows on other interfaces.",
		"pc:set_multicast_loopback(false)"},
}

// multicastOptsShape lists the options netListenMulticast reads.
var multicastOptsShape = shape{class: "gonetrepl.multicast_opts", opts: true, code: "netListenMulticast",
	doc: "The options of net.listen_multicast.",
	fields: []field{
		{"interface", "string", "the name of the interface to join on and send from (\"lo\", \"eth0\"); default: the system's choice"},
		{"loopback", "boolean", "whether what the socket sends to a group comes back to this host's members, itself included (default true)"},
		{"ttl", "integer", "the TTL (IPv6: hop limit) of what it sends to a group, 0 to 255 (default the system's, 1)"},
	}}

// multicastSock wraps a UDP socket in the x/net type of its family, for
// the multicast options.
type multicastSock interface {
	JoinGroup(ifi *net.Interface, group net.Addr) error
	LeaveGroup(ifi *net.Interface, group net.Addr) error
	SetMulticastInterface(ifi *net.Interface) error
	SetMulticastLoopback(on bool) error
	SetMulticastTTL(ttl int) error
	MulticastTTL() (int, error)
}

// v6Sock adapts ipv6.PacketConn, whose TTL methods are named for hops.
type v6Sock struct{ *ipv6.PacketConn }

func (s v6Sock) SetMulticastTTL(ttl int) error { return s.SetMulticastHopLimit(ttl) }
func (s v6Sock) MulticastTTL() (int, error)    { return s.MulticastHopLimit() }

// multicastOf returns the multicast options of c for IPv6 if v6, else IPv4.
func multicastOf(c *net.UDPConn, v6 bool) multicastSock {
	if v6 {
		return v6Sock{ipv6.NewPacketConn(c)}
	}
	return ipv4.NewPacketConn(c)
}

// isV6Socket reports whether a UDP socket is an IPv6 one, by its network
// and, for "udp", its local address.
func isV6Socket(network string, c *net.UDPConn) bool {
	switch network {
	case "udp4":
		return false
	case "udp6":
		return true
	}
	a, ok := c.LocalAddr().(*net.UDPAddr)
	return ok && a.IP.To4() == nil
}

// argGroup reads a multicast group: an IP address, or "ip:port" (port
// returned, -1 if none). Anything else raises an argument error.
func argGroup(L *lua.LState, n int, name string, needPort bool) (netip.Addr, int) {
	s := argString(L, n, name)
	host, port := s, -1
	if h, p, err := net.SplitHostPort(s); err == nil {
		pn, perr := strconv.ParseUint(p, 10, 16)
		if perr != nil {
			argError(L, n, name, "port 0 to 65535 expected, got %q", p)
		}
		host, port = h, int(pn)
	} else if needPort {
		argError(L, n, name, "\"group:port\" expected (\"239.1.2.3:5000\", \"[ff02::1]:5000\"), got %q", s)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		argError(L, n, name, "an IP address of a multicast group expected, got %q", host)
	}
	ip = ip.Unmap()
	if !ip.IsMulticast() {
		argError(L, n, name, "%s is not a multicast address (224.0.0.0/4 or ff00::/8)", ip)
	}
	return ip, port
}

// interfaceByName finds an interface, with an error that names it.
func interfaceByName(name string) (*net.Interface, error) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return nil, fmt.Errorf("interface %q: %w", name, err)
	}
	return ifi, nil
}

func (rt *Runtime) netListenMulticast(L *lua.LState) int {
	// Every argument is checked for type before the network's name, so
	// that a wrong one is reported as such whatever the name.
	argString(L, 1, "network")
	group, port := argGroup(L, 2, "group_addr", true)
	opts := argOptions(L, 3, multicastOptsShape)
	ifname, hasIf := fieldString(L, 3, opts, "interface")
	loopback := true
	if opts != nil && opts.RawGetString("loopback") != lua.LNil {
		loopback = fieldBool(L, 3, opts, "loopback")
	}
	ttl, hasTTL := fieldCount(L, 3, opts, "ttl", 0, maxMulticastTTL)
	network := argOption(L, 1, "network", multicastNetworks)
	v6 := group.Is6()
	if network == "udp4" && v6 || network == "udp6" && !v6 {
		argError(L, 2, "group_addr", "%s is not a %s address", group, network)
	}
	addr := net.JoinHostPort(group.String(), strconv.Itoa(port))
	var ifi *net.Interface
	if hasIf {
		var err error
		if ifi, err = interfaceByName(ifname); err != nil {
			return rt.pushError(L, &net.OpError{Op: "listen", Net: network, Addr: &net.UDPAddr{IP: group.AsSlice(), Port: port}, Err: err}, "listen", addr)
		}
	}
	// ListenMulticastUDP binds group:port with SO_REUSEADDR (and
	// SO_REUSEPORT where needed), so that several sockets share it, and
	// joins the group on ifi. It turns loopback off; the options follow.
	c, err := net.ListenMulticastUDP(network, ifi, &net.UDPAddr{IP: group.AsSlice(), Port: port})
	if err != nil {
		return rt.pushError(L, err, "listen", addr)
	}
	m := multicastOf(c, v6)
	err = ownGroupsOnly(c, v6)
	if err == nil {
		err = m.SetMulticastLoopback(loopback)
	}
	if err == nil && hasTTL {
		err = m.SetMulticastTTL(ttl)
	}
	if err == nil && ifi != nil {
		err = m.SetMulticastInterface(ifi)
	}
	if err != nil {
		c.Close()
		return rt.pushError(L, &net.OpError{Op: "listen", Net: network, Addr: c.LocalAddr(), Err: err}, "listen", addr)
	}
	L.Push(rt.newPacketConn(L, c, network, ""))
	return 1
}

// checkUDPPacketConn is the packet conn at argument 1, which must be udp.
func (rt *Runtime) checkUDPPacketConn(L *lua.LState) (*PacketConn, *net.UDPConn) {
	p := rt.checkPacketConn(L)
	c, ok := p.pc.(*net.UDPConn)
	if !ok {
		argError(L, 1, "pc", "a udp packet conn expected, got a %s one", p.network)
	}
	return p, c
}

// groupOp joins or leaves (per join) the group at argument 2 on the
// interface named by argument 3.
func (rt *Runtime) groupOp(L *lua.LState, join bool) int {
	p, c := rt.checkUDPPacketConn(L)
	group, _ := argGroup(L, 2, "group", false)
	var ifname string
	if L.Get(3) != lua.LNil {
		ifname = argString(L, 3, "iface")
	}
	op := "leave"
	if join {
		op = "join"
	}
	gaddr := &net.UDPAddr{IP: group.AsSlice()}
	fail := func(err error) int {
		return rt.pushError(L, &net.OpError{Op: op, Net: p.network, Source: c.LocalAddr(), Addr: gaddr, Err: err}, op, group.String())
	}
	var ifi *net.Interface
	if ifname != "" {
		var err error
		if ifi, err = interfaceByName(ifname); err != nil {
			return fail(err)
		}
	}
	if isV6Socket(p.network, c) != group.Is6() && p.network != "udp" {
		return fail(fmt.Errorf("group %s is not of the socket's family (%s)", group, p.network))
	}
	m := multicastOf(c, group.Is6())
	var err error
	if join {
		if err = ownGroupsOnly(c, group.Is6()); err == nil {
			err = m.JoinGroup(ifi, gaddr)
		}
	} else {
		err = m.LeaveGroup(ifi, gaddr)
	}
	if err != nil {
		return fail(err)
	}
	L.Push(lua.LTrue)
	return 1
}

func (rt *Runtime) packetJoin(L *lua.LState) int  { return rt.groupOp(L, true) }
func (rt *Runtime) packetLeave(L *lua.LState) int { return rt.groupOp(L, false) }

func (rt *Runtime) packetSetMulticastTTL(L *lua.LState) int {
	p, c := rt.checkUDPPacketConn(L)
	ttl := argSize(L, 2, "ttl", 0, maxMulticastTTL)
	return rt.result(L, p.sockOpError("set_multicast_ttl", multicastOf(c, isV6Socket(p.network, c)).SetMulticastTTL(ttl)), "set_multicast_ttl")
}

func (rt *Runtime) packetMulticastTTL(L *lua.LState) int {
	p, c := rt.checkUDPPacketConn(L)
	ttl, err := multicastOf(c, isV6Socket(p.network, c)).MulticastTTL()
	if err != nil {
		return rt.pushError(L, p.sockOpError("multicast_ttl", err), "multicast_ttl", "")
	}
	L.Push(lua.LNumber(ttl))
	return 1
}

func (rt *Runtime) packetSetMulticastLoopback(L *lua.LState) int {
	p, c := rt.checkUDPPacketConn(L)
	v, ok := L.Get(2).(lua.LBool)
	if !ok {
		expected(L, 2, "on", "boolean")
	}
	err := multicastOf(c, isV6Socket(p.network, c)).SetMulticastLoopback(bool(v))
	return rt.result(L, p.sockOpError("set_multicast_loopback", err), "set_multicast_loopback")
}

// sockOpError names the socket around a failed socket option (nil stays nil).
func (p *PacketConn) sockOpError(op string, err error) error {
	if err == nil {
		return nil
	}
	return p.opError(op, err)
}
