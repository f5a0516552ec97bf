package bindings

import (
	"context"
	"net"
	"net/netip"
	"runtime"
	"strings"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// addrFields are the fields of an addr value (addrClass), for the type stubs.
var addrFields = shape{class: "gonetrepl.addr", code: "addrClass",
	doc: "A socket address, from c:local_addr(), c:remote_addr(), ln:addr() or pc:read_from(); tostring gives \"host:port\" or the path, .. and == work.",
	fields: []field{
		{"network", "string", "\"tcp\", \"udp\", \"unix\", \"pipe\"..."},
		{"ip", "string?", "the IP address as a string; nil for a Unix address"},
		{"port", "integer?", "the port; nil for a Unix address"},
		{"zone", "string?", "the IPv6 zone (\"eth0\" in fe80::1%eth0), or nil"},
		{"name", "string?", "the socket path of a Unix address (\"@name\" for the abstract namespace); nil for IP"},
	}}

// addrClass is the class of socket addresses, as local_addr, remote_addr
// and ln:addr() return them. Fields: network, ip, port, zone (IP
// addresses), name (Unix paths); tostring gives the "host:port" form.
// addrType is the type name of net.addr values.
const addrType = "net.addr"

var addrClass = &class{
	name: addrType,
	index: func(rt *Runtime, L *lua.LState, v any, key string) (lua.LValue, bool) {
		a := v.(net.Addr)
		if key == "network" {
			return lua.LString(a.Network()), true
		}
		switch a := a.(type) {
		case *net.TCPAddr:
			return ipAddrField(key, a.IP, a.Port, a.Zone)
		case *net.UDPAddr:
			return ipAddrField(key, a.IP, a.Port, a.Zone)
		case *net.UnixAddr:
			if key == "name" {
				return lua.LString(a.Name), true
			}
		}
		return lua.LNil, key == "ip" || key == "port" || key == "zone" || key == "name"
	},
	tostring: func(v any) string { return v.(net.Addr).String() },
	concat:   true,
	eq: func(a, b any) bool {
		return a.(net.Addr).Network() == b.(net.Addr).Network() && a.(net.Addr).String() == b.(net.Addr).String()
	},
}

func ipAddrField(key string, ip net.IP, port int, zone string) (lua.LValue, bool) {
	switch key {
	case "ip":
		return lua.LString(ip.String()), true
	case "port":
		return lua.LNumber(port), true
	case "zone":
		return nilIfEmpty(zone), true
	}
	return lua.LNil, false
}

// argAddress reads an address to dial, listen on or resolve: a string
// ("host:port", a Unix socket path) or an addr value (ln:addr(),
// c:remote_addr(), net.resolve_addr), which stands for its string form:
// net.dial("tcp", ln:addr()) works as net.dial("tcp", tostring(ln:addr())).
func (rt *Runtime) argAddress(L *lua.LState, n int, name string) string {
	switch v := L.Get(n).(type) {
	case lua.LString:
		return string(v)
	case *lua.LUserData:
		if a, ok := v.Value.(net.Addr); ok && v.Metatable == rt.classes[addrType] {
			return a.String()
		}
	}
	expected(L, n, name, "string or addr")
	return ""
}

// pushAddr pushes an addr value, or nil for a missing address.
func (rt *Runtime) pushAddr(L *lua.LState, a net.Addr) int {
	if a == nil {
		L.Push(lua.LNil)
	} else {
		L.Push(rt.newUserData(addrType, a))
	}
	return 1
}

// resolveAddr is Go's net.Resolve{TCP,UDP,Unix}Addr with a context, so that
// a cancel stops a slow name lookup. As Go's do, it prefers an IPv4
// address when a name has several and the network allows both.
func resolveAddr(ctx context.Context, network, address string) (net.Addr, error) {
	return resolveAddrWith(ctx, net.DefaultResolver, network, address)
}

// resolveAddrWith is resolveAddr asking r (net.resolve_addr's opts.server).
func resolveAddrWith(ctx context.Context, r *net.Resolver, network, address string) (net.Addr, error) {
	switch network {
	case "unix", "unixgram":
		if err := unixUnsupported(runtime.GOOS, network, address); err != nil {
			return nil, &net.OpError{Op: "resolve", Net: network, Addr: &net.UnixAddr{Name: address, Net: network}, Err: err}
		}
		return net.ResolveUnixAddr(network, address)
	}
	host, service, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	port, err := r.LookupPort(ctx, network, service)
	if err != nil {
		return nil, err
	}
	var ip netip.Addr
	switch parsed, perr := netip.ParseAddr(host); {
	case host == "":
	case perr == nil:
		ip = parsed
		if is4 := ip.Unmap().Is4(); strings.HasSuffix(network, "4") && !is4 || strings.HasSuffix(network, "6") && is4 {
			return nil, &net.AddrError{Err: "no suitable address found", Addr: host}
		}
	default:
		ipNetwork := "ip"
		if strings.HasSuffix(network, "4") || strings.HasSuffix(network, "6") {
			ipNetwork += network[len(network)-1:]
		}
		ips, err := r.LookupNetIP(ctx, ipNetwork, host)
		if err != nil {
			return nil, err
		}
		ip = ips[0].Unmap()
		for _, candidate := range ips {
			if candidate.Unmap().Is4() {
				ip = candidate.Unmap()
				break
			}
		}
	}
	ap := netip.AddrPortFrom(ip, uint16(port))
	if strings.HasPrefix(network, "udp") {
		if !ip.IsValid() {
			return &net.UDPAddr{Port: port}, nil
		}
		return net.UDPAddrFromAddrPort(ap), nil
	}
	if !ip.IsValid() {
		return &net.TCPAddr{Port: port}, nil
	}
	return net.TCPAddrFromAddrPort(ap), nil
}
