package bindings

// Address functions of the net module (parse_ip, parse_cidr, resolve_addr,
// split_host_port, join_host_port) and the ip and ipnet classes.
//
// An ip value holds a netip.Addr and an ipnet value a netip.Prefix, but
// they behave as Go's net.IP and net.IPNet do: an IPv4 address and the same
// address in IPv4-mapped IPv6 form are equal, both answer the is_* questions
// alike, and contains accepts either. tostring shows the form parsed
// (::ffff:10.0.0.1 stays in IPv6 form), and an IPv6 address may carry a zone
// (fe80::1%eth0).
//
// The addr class (addr.go) keeps its ip field a string, as conns and
// listeners have always returned it: net.parse_ip(a.ip) gives an ip value.

import (
	"context"
	"math"
	"net"
	"net/netip"
	"strconv"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

const ipSummary = "an IP address from net.parse_ip or net.lookup_ip; tostring, == and .. work"

const ipnetSummary = "an IP network from net.parse_cidr; fields ip (network address), mask (\"255.255.255.0\"), bits (24)"

// Type names of ip and ipnet values.
const (
	ipType    = "net.ip"
	ipnetType = "net.ipnet"
)

var addrFuncs = []binding{
	{"parse_ip", (*Runtime).netParseIP, "net.parse_ip(s) -> ip | nil, err",
		`Parses an IPv4 or IPv6 address, with an optional zone ("fe80::1%eth0"); nil and an error if s is not one.`,
		`ip = net.parse_ip("192.168.1.10"); print(ip:is_private())`},
	{"parse_cidr", (*Runtime).netParseCIDR, "net.parse_cidr(s) -> ip, ipnet | nil, err",
		"Parses CIDR notation: the address as written and its network (host bits cleared), as Go's net.ParseCIDR.",
		`ip, ipnet = net.parse_cidr("192.168.1.10/24"); print(ip, ipnet, ipnet.mask)`},
	{"resolve_addr", (*Runtime).netResolveAddr, "net.resolve_addr(network, address [, opts]) -> addr | nil, err",
		"Resolves address (host:port, or a path for unix, unixgram) into an addr, looking the host up if it is a name, as Go's net.ResolveTCPAddr (tcp*, udp*, unix, unixgram)." + lookupOptsDoc,
		`a = assert(net.resolve_addr("tcp", "localhost:80")); print(a.ip, a.port)`},
	{"split_host_port", (*Runtime).netSplitHostPort, "net.split_host_port(hostport) -> host, port | nil, err",
		`Splits "host:port", "[ipv6%zone]:port" or ":port" into host and port, both strings as in Go (the port may be a service name: tonumber it).`,
		`host, port = net.split_host_port("[::1]:8080"); print(host, tonumber(port))`},
	{"join_host_port", (*Runtime).netJoinHostPort, "net.join_host_port(host, port) -> hostport",
		"Joins host and port (a number or a string) into an address, putting an IPv6 host in brackets.",
		`c = assert(net.dial("tcp", net.join_host_port("::1", 9000)))`},
}

var ipMethods = []binding{
	{"to4", (*Runtime).ipTo4, "ip:to4() -> ip | nil",
		"The IPv4 form of an IPv4 or IPv4-mapped IPv6 address; nil for other IPv6 addresses.",
		`ip = net.parse_ip("::ffff:10.0.0.1"); print(ip:to4())`},
	{"to16", (*Runtime).ipTo16, "ip:to16() -> ip",
		"The 16-byte IPv6 form: an IPv4 address becomes IPv4-mapped (::ffff:10.0.0.1); an IPv6 one is unchanged.",
		`ip = net.parse_ip("10.0.0.1"); print(ip:to16())`},
	{"is_loopback", ipPredicate(netip.Addr.IsLoopback), "ip:is_loopback() -> boolean",
		"Whether the address is a loopback address (127.0.0.0/8, ::1).",
		`ip = net.parse_ip("127.0.0.1"); print(ip:is_loopback())`},
	{"is_private", ipPredicate(netip.Addr.IsPrivate), "ip:is_private() -> boolean",
		"Whether the address is private: 10/8, 172.16/12, 192.168/16 (RFC 1918) or fc00::/7 (RFC 4193).",
		`ip = net.parse_ip("192.168.1.1"); print(ip:is_private())`},
	{"is_multicast", ipPredicate(netip.Addr.IsMulticast), "ip:is_multicast() -> boolean",
		"Whether the address is a multicast address (224.0.0.0/4, ff00::/8).",
		`ip = net.parse_ip("224.0.0.251"); print(ip:is_multicast())`},
	{"is_unspecified", ipPredicate(netip.Addr.IsUnspecified), "ip:is_unspecified() -> boolean",
		"Whether the address is the unspecified address, 0.0.0.0 or ::.",
		`ip = net.parse_ip("::"); print(ip:is_unspecified())`},
	{"equal", (*Runtime).ipEqual, "ip:equal(other) -> boolean",
		"Whether other (an ip or a string) is the same address; an IPv4 address equals its IPv4-mapped IPv6 form, as ip == other does.",
		`ip = net.parse_ip("10.0.0.1"); print(ip:equal("::ffff:10.0.0.1"))`},
}

var ipnetMethods = []binding{
	{"contains", (*Runtime).ipnetContains, "ipnet:contains(ip) -> boolean",
		"Whether the network contains ip (an ip or a string); an IPv4-mapped IPv6 address counts as IPv4, a zone is ignored.",
		`_, ipnet = net.parse_cidr("10.0.0.0/8"); print(ipnet:contains("10.1.2.3"))`},
}

var ipClass = &class{
	name:     ipType,
	methods:  ipMethods,
	tostring: func(v any) string { return v.(netip.Addr).String() },
	concat:   true,
	eq:       func(a, b any) bool { return sameIP(a.(netip.Addr), b.(netip.Addr)) },
}

var ipnetClass = &class{
	name:    ipnetType,
	methods: ipnetMethods,
	index: func(rt *Runtime, L *lua.LState, v any, key string) (lua.LValue, bool) {
		p := v.(netip.Prefix)
		switch key {
		case "ip":
			return rt.newIP(p.Addr()), true
		case "mask":
			return lua.LString(prefixMask(p)), true
		case "bits":
			return lua.LNumber(p.Bits()), true
		}
		return lua.LNil, false
	},
	tostring: func(v any) string { return v.(netip.Prefix).String() },
	concat:   true,
	eq:       func(a, b any) bool { return a.(netip.Prefix) == b.(netip.Prefix) },
}

// sameIP is net.IP.Equal for netip: an IPv4 address equals its
// IPv4-mapped IPv6 form. Zones must match.
func sameIP(a, b netip.Addr) bool { return a.Unmap() == b.Unmap() }

// ipnetFields are the fields of an ipnet value (ipnetClass), for the type stubs.
var ipnetFields = shape{class: "gonetrepl.ipnet", code: "ipnetClass",
	fields: []field{
		{"ip", "gonetrepl.ip", "the network address"},
		{"mask", "string", "the mask in address form (\"255.255.255.0\")"},
		{"bits", "integer", "the prefix length (24)"},
	}}

// prefixMask is the mask of p in address form: "255.255.255.0" for IPv4,
// "ffff:ffff:ffff:ffff::" for IPv6.
func prefixMask(p netip.Prefix) string {
	return net.IP(net.CIDRMask(p.Bits(), p.Addr().BitLen())).String()
}

func (rt *Runtime) newIP(a netip.Addr) *lua.LUserData { return rt.newUserData(ipType, a) }

func (rt *Runtime) checkIP(L *lua.LState) netip.Addr {
	return checkClass[netip.Addr](rt, L, 1, ipType)
}

// argIP requires an ip value or a string holding an IP address.
func (rt *Runtime) argIP(L *lua.LState, n int, name string) netip.Addr {
	switch v := L.Get(n).(type) {
	case lua.LString:
		a, err := netip.ParseAddr(string(v))
		if err != nil {
			argError(L, n, name, "IP address expected, got %q", string(v))
		}
		return a
	case *lua.LUserData:
		if a, ok := v.Value.(netip.Addr); ok && v.Metatable == rt.classes[ipType] {
			return a
		}
	}
	expected(L, n, name, "ip or string")
	return netip.Addr{}
}

func (rt *Runtime) netParseIP(L *lua.LState) int {
	s := argString(L, 1, "s")
	a, err := netip.ParseAddr(s)
	if err != nil {
		return rt.pushError(L, &net.ParseError{Type: "IP address", Text: s}, "parse_ip", s)
	}
	L.Push(rt.newIP(a))
	return 1
}

func (rt *Runtime) netParseCIDR(L *lua.LState) int {
	s := argString(L, 1, "s")
	p, err := netip.ParsePrefix(s)
	if err != nil {
		// Go's net.ParseCIDR error, rather than netip's.
		return rt.pushError(L, &net.ParseError{Type: "CIDR address", Text: s}, "parse_cidr", s)
	}
	L.Push(rt.newIP(p.Addr()))
	L.Push(rt.newUserData(ipnetType, p.Masked()))
	return 2
}

// resolveNetworks are the networks resolve_addr knows: those whose address
// types the addr class shows.
var resolveNetworks = []string{"tcp", "tcp4", "tcp6", "udp", "udp4", "udp6", "unix", "unixgram"}

func (rt *Runtime) netResolveAddr(L *lua.LState) int {
	network := argOption(L, 1, "network", resolveNetworks)
	address := rt.argAddress(L, 2, "address")
	o := optLookup(L, 3)
	var addr net.Addr
	err := rt.lookup(L, o, func(ctx context.Context, r *net.Resolver) error {
		var err error
		addr, err = resolveAddrWith(ctx, r, network, address)
		return err
	})
	if err != nil {
		return rt.pushError(L, err, "resolve", address)
	}
	return rt.pushAddr(L, addr)
}

func (rt *Runtime) netSplitHostPort(L *lua.LState) int {
	hostport := rt.argAddress(L, 1, "hostport")
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return rt.pushError(L, err, "split_host_port", hostport)
	}
	L.Push(lua.LString(host))
	L.Push(lua.LString(port))
	return 2
}

func (rt *Runtime) netJoinHostPort(L *lua.LState) int {
	host := argString(L, 1, "host")
	var port string
	switch v := L.Get(2).(type) {
	case lua.LString:
		port = string(v)
	case lua.LNumber:
		f := float64(v)
		if f != math.Trunc(f) || f < 0 || f > 65535 {
			argError(L, 2, "port", "port number between 0 and 65535 expected, got %v", v)
		}
		port = strconv.Itoa(int(f))
	default:
		expected(L, 2, "port", "number or string")
	}
	L.Push(lua.LString(net.JoinHostPort(host, port)))
	return 1
}

func (rt *Runtime) ipTo4(L *lua.LState) int {
	a := rt.checkIP(L)
	if !a.Is4() && !a.Is4In6() {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(rt.newIP(a.Unmap()))
	return 1
}

func (rt *Runtime) ipTo16(L *lua.LState) int {
	a := rt.checkIP(L)
	L.Push(rt.newIP(netip.AddrFrom16(a.As16()).WithZone(a.Zone())))
	return 1
}

// ipPredicate makes a method answering a question about the address. The
// address is unmapped first, so ::ffff:127.0.0.1 is a loopback address as
// 127.0.0.1 is (net.IP's behaviour).
func ipPredicate(pred func(netip.Addr) bool) func(*Runtime, *lua.LState) int {
	return func(rt *Runtime, L *lua.LState) int {
		L.Push(lua.LBool(pred(rt.checkIP(L).Unmap())))
		return 1
	}
}

func (rt *Runtime) ipEqual(L *lua.LState) int {
	a := rt.checkIP(L)
	L.Push(lua.LBool(sameIP(a, rt.argIP(L, 2, "other"))))
	return 1
}

func (rt *Runtime) ipnetContains(L *lua.LState) int {
	p := checkClass[netip.Prefix](rt, L, 1, ipnetType)
	a := rt.argIP(L, 2, "ip").WithZone("")
	if p.Addr().Is4() {
		a = a.Unmap()
	}
	L.Push(lua.LBool(p.Contains(a)))
	return 1
}
