package bindings

import (
	"net"

	lua "github.com/yuin/gopher-lua"
)

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

// pushAddr pushes an addr value, or nil for a missing address.
func (rt *Runtime) pushAddr(L *lua.LState, a net.Addr) int {
	if a == nil {
		L.Push(lua.LNil)
	} else {
		L.Push(rt.newUserData(addrType, a))
	}
	return 1
}
