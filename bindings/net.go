package bindings

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

const netSummary = "sockets, addresses and name lookups (Go's net package)"

// netFuncs is the net module: the socket functions here, the address
// functions of ip.go and the lookups of lookup.go.
var netFuncs = concatBindings(netSocketFuncs, multicastFuncs, addrFuncs, lookupFuncs)

var netSocketFuncs = []binding{
	{"dial", (*Runtime).netDial, "net.dial(network, address [, opts]) -> conn | nil, err",
		"Connects to address over network (tcp, tcp4, tcp6, udp, udp4, udp6, unix, unixgram); opts: timeout (seconds, the lookup included), keepalive (seconds or false), local_addr, server (\"host:port\" of the DNS server that looks up the host, as the lookups take it), via (proxies, tcp only; see below). A udp or unixgram conn reads and writes one datagram at a time; a unixgram one without local_addr gets an automatic abstract name, so that replies reach it (on Linux; elsewhere it stays unbound and gets no replies). Unix sockets on Windows are stream only: unixgram is nil, err there." + viaDoc + " local_addr and keepalive apply to the connect to the first proxy; server to its name and to the lookups of socks5 and socks4 hops.",
		`c = assert(net.dial("tcp", "127.0.0.1:9000", {timeout = 2}))`},
	{"listen", (*Runtime).netListen, "net.listen(network, address) -> listener | nil, err",
		`Listens on address (tcp, tcp4, tcp6, unix); port 0 picks a free one; "@name" is a Linux abstract Unix socket (elsewhere nil, err). An address without a host (":8080") listens on loopback only; every interface must be named: "0.0.0.0:8080" or "[::]:8080".`,
		`ln = assert(net.listen("tcp", "127.0.0.1:0")); print(ln:addr())`},
	{"listen_packet", (*Runtime).netListenPacket, "net.listen_packet(network, address) -> packet conn | nil, err",
		`Opens a datagram socket on address (udp, udp4, udp6, unixgram); port 0 picks a free one; "@name" is a Linux abstract socket (elsewhere nil, err); a unixgram path is removed on close. As with net.listen, an address without a host is loopback only.`,
		`pc = assert(net.listen_packet("udp", "127.0.0.1:0")); print(pc:local_addr())`},
	{"pipe", (*Runtime).netPipe, "net.pipe() -> conn, conn",
		"Two in-memory conns joined to each other (Go's net.Pipe): what one writes the other reads.",
		`a, b = net.pipe(); task.spawn(function() a:write("hi\n") end); print(b:read_line())`},
	{"relay", (*Runtime).netRelay, "net.relay(a, b [, opts]) -> n_ab, n_ba | nil, err, n_ab, n_ba",
		relayDoc,
		`ln:serve(function(c) local up = assert(net.dial("tcp", "127.0.0.1:9000")); print(net.relay(c, up, {on_data = function(dir, data) return (data:gsub("hi", "yo")) end})); up:close() end)`},
	{"trace", (*Runtime).netTrace, "net.trace(mode) -> previous",
		traceDoc,
		`net.trace("hex"); c:write("hi\n"); net.trace(false)`},
	{"record", (*Runtime).netRecord, "net.record(path | false [, opts]) -> true | counts | nil, err",
		recordDoc,
		`net.record("session.txt"); c:send_line("hi"); print(c:read_line()); print(net.record(false).events)`},
	{"capture", (*Runtime).netCapture, "net.capture(path | false [, opts]) -> true | counts | nil, err",
		captureDoc,
		`net.capture("session.pcapng", {max_bytes = 10e6}); c:send_line("hi"); print(c:read_line()); net.capture(false)`},
}

var (
	dialNetworks   = []string{"tcp", "tcp4", "tcp6", "udp", "udp4", "udp6", "unix", "unixgram"}
	listenNetworks = []string{"tcp", "tcp4", "tcp6", "unix"}
	packetNetworks = []string{"udp", "udp4", "udp6", "unixgram"}
)

// dialOpts are the options of net.dial, as netDial reads them.
var dialOpts = shape{class: "gonetrepl.dial_opts", opts: true, code: "netDial,optLookupServer,fieldVia",
	doc: "The options of net.dial.",
	fields: []field{
		{"timeout", "number", "seconds for the whole connect, the lookup included (none by default)"},
		{"keepalive", "number|false", "seconds between TCP keep-alive probes; false turns them off (default: Go's, 15 s)"},
		{"local_addr", "string", "the local address to bind before connecting (\"127.0.0.2:0\", a Unix path)"},
		{"server", "string", "\"host:port\" of the DNS server that looks up the host (default: the system's resolver)"},
		viaField,
	}}

func isUnix(network string) bool { return network == "unix" || network == "unixgram" }

// checkUnixPath gives a clear error for a Unix address this system cannot
// have (unixsupport.go) or a path the kernel would refuse with a bare
// "invalid argument".
func checkUnixPath(op, network, path string) error {
	return checkUnixPathOn(runtime.GOOS, op, network, path)
}

// checkUnixPathOn is checkUnixPath for the system goos.
func checkUnixPathOn(goos, op, network, path string) error {
	if err := unixUnsupported(goos, network, path); err != nil {
		return &net.OpError{Op: op, Net: network, Addr: &net.UnixAddr{Name: path, Net: network}, Err: err}
	}
	limit, what := unixPathMax(goos), "socket path"
	if strings.HasPrefix(path, "@") {
		limit, what = limit+1, "abstract socket name"
	}
	if len(path) <= limit {
		return nil
	}
	return &net.OpError{Op: op, Net: network, Addr: &net.UnixAddr{Name: path, Net: network},
		Err: fmt.Errorf("%s is %d bytes, over the kernel's limit of %d", what, len(path), limit)}
}

// explainInUse adds the cause and the cure to an "address already in use"
// error on a Unix socket path: when no socket is bound there, the file is
// stale, left by a process that ended without removing it. It finds out
// without connecting (a live server would see a phantom client): see
// socketLive. It may wait (a connect, where /proc/net/unix is not to be
// had): call it with the lock released.
func explainInUse(network, path string, err error) error {
	if !isErrno(err, errnosAddrInUse) || boundPath(network, path) == "" {
		return err
	}
	fi, statErr := os.Lstat(path)
	if statErr != nil {
		return err
	}
	if fi.Mode()&fs.ModeSocket == 0 {
		return fmt.Errorf("%w: %s exists and is not a socket", err, path)
	}
	if socketLive(network, path, fi) {
		return err
	}
	return fmt.Errorf("%w: stale socket file left by a process that exited; remove it with rm %s", err, shellQuote(path))
}

// socketLive reports whether a socket of network is bound to the socket
// file at path (fi, its Lstat): a listening stream socket for "unix", any
// bound datagram socket for "unixgram". On Linux it reads /proc/net/unix,
// which lists every Unix socket with its type, flags and path. Elsewhere
// (or when that file cannot be read) it connects, as before: a stream
// server then sees a client that sends nothing and leaves; a datagram one
// sees nothing.
func socketLive(network, path string, fi fs.FileInfo) bool {
	if live, ok := procSocketLive(procNetUnix, network, fi); ok {
		return live
	}
	c, err := net.DialTimeout(network, path, time.Second)
	if err == nil {
		c.Close()
		return true
	}
	return !isErrno(err, errnosRefused)
}

// shellQuote quotes s for a shell command line if it needs it.
func shellQuote(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./_-", r)) {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}

// procNetUnix is Linux's list of Unix sockets.
const procNetUnix = "/proc/net/unix"

// Fields of /proc/net/unix: the flag of a listening socket
// (__SO_ACCEPTCON) and the socket types.
const (
	unixAcceptCon = 1 << 16
	unixStream    = 1
	unixDgram     = 2
)

// procSocketLive is socketLive from the list at file (/proc/net/unix);
// ok is false when it cannot be read. Entries name the path as it was
// bound, perhaps relative to another process's directory: an entry counts
// when it names the same file as fi.
func procSocketLive(file, network string, fi fs.FileInfo) (live, ok bool) {
	data, err := os.ReadFile(file)
	if err != nil {
		return false, false
	}
	lines := strings.Split(string(data), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "Num ") {
		return false, false
	}
	for _, line := range lines[1:] {
		// Num RefCount Protocol Flags Type St Inode Path
		f := strings.Fields(line)
		if len(f) < 8 || strings.HasPrefix(f[7], "@") { // unbound, or an abstract name
			continue
		}
		flags, ferr := strconv.ParseUint(f[3], 16, 32)
		typ, terr := strconv.ParseUint(f[4], 16, 16)
		if ferr != nil || terr != nil {
			continue
		}
		switch {
		case network == "unix" && typ == unixStream && flags&unixAcceptCon != 0:
		case network == "unixgram" && typ == unixDgram:
		default:
			continue
		}
		// A path with spaces spans several fields.
		p := strings.Join(f[7:], " ")
		if other, err := os.Lstat(p); err == nil && os.SameFile(fi, other) {
			return true, true
		}
	}
	return false, true
}

func (rt *Runtime) netDial(L *lua.LState) int {
	network := argOption(L, 1, "network", dialNetworks)
	address := rt.argAddress(L, 2, "address")
	opts := argOptions(L, 3, dialOpts)
	var d net.Dialer
	if timeout, ok := fieldSeconds(L, 3, opts, "timeout"); ok {
		d.Timeout = timeout
	}
	// opts.server: the host of address is looked up there, as the lookups
	// do; a cancel stops the query at once either way.
	dns := optLookupServer(L, 3, opts)
	if dns.server != "" {
		d.Resolver = dns.resolver()
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
	hops := fieldVia(L, 3, opts)
	if len(hops) > 0 && !strings.HasPrefix(network, "tcp") {
		argError(L, 3, "opts.via", "proxies carry tcp only, not %s", network)
	}
	if isUnix(network) {
		if err := checkUnixPath("dial", network, address); err != nil {
			return rt.pushError(L, err, "dial", address)
		}
		if err := checkUnixPath("dial", network, local); hasLocal && err != nil {
			return rt.pushError(L, err, "dial", address)
		}
	}
	if network == "unixgram" && !hasLocal {
		d.ControlContext = autobind
	}
	bound := boundPath(network, local) // the socket file local_addr binds, if any
	var nc net.Conn
	err := rt.block(L, nil, func(ctx context.Context) error {
		if hasLocal {
			var err error
			if d.LocalAddr, err = resolveAddr(ctx, network, local); err != nil {
				return err
			}
		}
		var err error
		if len(hops) > 0 {
			// The whole chain within the timeout; each connect to the
			// first hop with d's own options.
			nc, err = dialVia(ctx, proxyChain(hops, &d, d.Resolver), network, address, d.Timeout)
			return err
		}
		nc, err = d.DialContext(ctx, network, address)
		var sysErr *os.SyscallError
		if err != nil && d.LocalAddr != nil && !(errors.As(err, &sysErr) && sysErr.Syscall == "bind") {
			// The bind made a socket file; then the dial failed.
			if bound != "" {
				os.Remove(bound)
			}
		}
		return err
	})
	if err != nil {
		if nc != nil {
			// Connected just as the task was canceled: the conn is
			// nobody's, so it is closed now, not by the garbage collector.
			closeBound(nc, bound)
		}
		return rt.pushError(L, dns.nameServer(err), "dial", address)
	}
	ud := rt.newConn(L, nc, network)
	ud.Value.(*Conn).role = "dial"
	if bound != "" {
		c := ud.Value.(*Conn)
		c.closer = &unlinkCloser{Closer: nc, path: bound}
		rt.track(c.closer)
	}
	L.Push(ud)
	return 1
}

func (rt *Runtime) netListen(L *lua.LState) int {
	network := argOption(L, 1, "network", listenNetworks)
	address := loopbackIfNoHost(network, rt.argAddress(L, 2, "address"))
	if isUnix(network) {
		if err := checkUnixPath("listen", network, address); err != nil {
			return rt.pushError(L, err, "listen", address)
		}
	}
	var ln net.Listener
	err := rt.block(L, nil, func(ctx context.Context) error {
		var lc net.ListenConfig
		var err error
		ln, err = lc.Listen(ctx, network, address)
		if err != nil && isUnix(network) {
			err = explainInUse(network, address, err)
		}
		return err
	})
	if err != nil {
		if ln != nil {
			ln.Close() // listening just as the task was canceled; removes a socket file
		}
		return rt.pushError(L, err, "listen", address)
	}
	L.Push(rt.newListener(L, ln, network))
	return 1
}

func (rt *Runtime) netListenPacket(L *lua.LState) int {
	// Both arguments are checked for type before the network's name, so
	// that a wrong address is reported as such whatever the name.
	argString(L, 1, "network")
	address := rt.argAddress(L, 2, "address")
	network := argOption(L, 1, "network", packetNetworks)
	address = loopbackIfNoHost(network, address)
	if isUnix(network) {
		if err := checkUnixPath("listen", network, address); err != nil {
			return rt.pushError(L, err, "listen", address)
		}
	}
	var pc net.PacketConn
	err := rt.block(L, nil, func(ctx context.Context) error {
		var lc net.ListenConfig
		var err error
		pc, err = lc.ListenPacket(ctx, network, address)
		if err != nil && isUnix(network) {
			err = explainInUse(network, address, err)
		}
		return err
	})
	if err != nil {
		if pc != nil {
			closeBound(pc, boundPath(network, address)) // bound just as the task was canceled
		}
		return rt.pushError(L, err, "listen", address)
	}
	L.Push(rt.newPacketConn(L, pc, network, boundPath(network, address)))
	return 1
}

// closeBound closes a socket that is nobody's, made just as its task was
// canceled, and removes the socket file it bound (path; "" if none).
func closeBound(s io.Closer, path string) {
	s.Close()
	if path != "" {
		os.Remove(path)
	}
}

func (rt *Runtime) netPipe(L *lua.LState) int {
	a, b := net.Pipe()
	L.Push(rt.newConn(L, a, "pipe"))
	L.Push(rt.newConn(L, b, "pipe"))
	return 2
}
