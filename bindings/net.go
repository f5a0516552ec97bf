package bindings

import (
	"context"
	"fmt"
	"net"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

const netSummary = "sockets, addresses and name lookups (Go's net package)"

// netFuncs is the net module: the socket functions here, the address
// functions of ip.go and the lookups of lookup.go.
var netFuncs = concatBindings(netSocketFuncs, addrFuncs, lookupFuncs)

var netSocketFuncs = []binding{
	{"dial", (*Runtime).netDial, "net.dial(network, address [, opts]) -> conn | nil, err",
		"Connects to address over network (tcp, tcp4, tcp6, unix); opts: timeout (seconds), keepalive (seconds or false), local_addr.",
		`c = assert(net.dial("tcp", "127.0.0.1:9000", {timeout = 2}))`},
	{"listen", (*Runtime).netListen, "net.listen(network, address) -> listener | nil, err",
		`Listens on address (tcp, tcp4, tcp6, unix); port 0 picks a free one; "@name" is a Linux abstract Unix socket.`,
		`ln = assert(net.listen("tcp", "127.0.0.1:0")); print(ln:addr())`},
	{"pipe", (*Runtime).netPipe, "net.pipe() -> conn, conn",
		"Two in-memory conns joined to each other (Go's net.Pipe): what one writes the other reads.",
		`a, b = net.pipe(); task.spawn(function() a:write("hi\n") end); print(b:read_line())`},
}

var (
	streamNetworks = []string{"tcp", "tcp4", "tcp6", "unix"}
)

// unixPathMax is the longest Unix socket path Linux accepts: sun_path holds
// 108 bytes including the terminating NUL.
const unixPathMax = 107

// checkUnixPath gives a clear error for a path the kernel would refuse
// with a bare "invalid argument".
func checkUnixPath(op, path string) error {
	if strings.HasPrefix(path, "@") || len(path) <= unixPathMax {
		return nil
	}
	return &net.OpError{Op: op, Net: "unix", Addr: &net.UnixAddr{Name: path, Net: "unix"},
		Err: fmt.Errorf("socket path is %d bytes, over the kernel's limit of %d", len(path), unixPathMax)}
}

func (rt *Runtime) netDial(L *lua.LState) int {
	network := argOption(L, 1, "network", streamNetworks)
	address := argString(L, 2, "address")
	opts := optTable(L, 3, "opts")
	var d net.Dialer
	if timeout, ok := fieldSeconds(L, 3, opts, "timeout"); ok {
		d.Timeout = timeout
	}
	if opts != nil {
		switch ka := opts.RawGetString("keepalive").(type) {
		case *lua.LNilType:
		case lua.LBool:
			if !ka {
				d.KeepAlive = -1
			}
		default:
			d.KeepAlive, _ = fieldSeconds(L, 3, opts, "keepalive")
		}
	}
	local, hasLocal := fieldString(L, 3, opts, "local_addr")
	if network == "unix" {
		if err := checkUnixPath("dial", address); err != nil {
			return rt.pushError(L, err, "dial", address)
		}
	}
	var nc net.Conn
	err := rt.block(L, nil, func(ctx context.Context) error {
		if hasLocal {
			var err error
			if d.LocalAddr, err = resolveLocal(network, local); err != nil {
				return err
			}
		}
		var err error
		nc, err = d.DialContext(ctx, network, address)
		return err
	})
	if err != nil {
		return rt.pushError(L, err, "dial", address)
	}
	L.Push(rt.newConn(nc, network))
	return 1
}

func resolveLocal(network, address string) (net.Addr, error) {
	if network == "unix" {
		return net.ResolveUnixAddr(network, address)
	}
	return net.ResolveTCPAddr(network, address)
}

func (rt *Runtime) netListen(L *lua.LState) int {
	network := argOption(L, 1, "network", streamNetworks)
	address := argString(L, 2, "address")
	if network == "unix" {
		if err := checkUnixPath("listen", address); err != nil {
			return rt.pushError(L, err, "listen", address)
		}
	}
	var ln net.Listener
	err := rt.block(L, nil, func(ctx context.Context) error {
		var lc net.ListenConfig
		var err error
		ln, err = lc.Listen(ctx, network, address)
		return err
	})
	if err != nil {
		return rt.pushError(L, err, "listen", address)
	}
	L.Push(rt.newListener(ln, network))
	return 1
}

func (rt *Runtime) netPipe(L *lua.LState) int {
	a, b := net.Pipe()
	L.Push(rt.newConn(a, "pipe"))
	L.Push(rt.newConn(b, "pipe"))
	return 2
}
