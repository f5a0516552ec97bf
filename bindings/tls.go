package bindings

// The tls module: TLS clients and servers over Go's crypto/tls, upgrades of
// existing conns (STARTTLS), and the conn methods tls_state and handshake.
//
// A TLS conn is an ordinary conn (one read buffer, deadlines, close_write
// sends close_notify) whose network is "tls". When its handshake runs:
//   - tls.dial, tls.client and tls.server return after it, so a failure is
//     their own nil, err (kind "tls" for a protocol or certificate failure);
//   - conns accepted from a tls.listen listener handshake lazily, on their
//     first read, write, c:handshake() or c:tls_state(), in the task that
//     uses them: accept and ln:serve's loop never wait for a slow client.
//
// Upgrading (tls.client, tls.server) takes the socket over from the old conn
// along with the bytes its read buffer holds and nobody has read yet (a
// ClientHello that came right behind "STARTTLS\n"). The old conn is then
// closed: tostring says so, every operation on it fails with kind "closed"
// saying where the socket went, and closing it does nothing. Its deadlines
// and idle timeout carry over to the new conn.

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync/atomic"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

const tlsSummary = "TLS: dial, listen, upgrade a conn (STARTTLS), self-signed certificates"

var tlsFuncs = []binding{
	{"dial", (*Runtime).tlsDial, "tls.dial(address [, opts]) -> conn | nil, err",
		"Connects over TCP and completes a TLS handshake, verifying the server's certificate for opts.server_name (default: the host of address) and sending that name (SNI) unless opts.sni says otherwise; opts.timeout bounds the connect and the handshake together." + tlsOptsDoc + viaDoc,
		`local first = assert(tls.dial("example.com:443")); local pin = first:tls_state().peer_certificates[1].spki_sha256; first:close(); c = assert(tls.dial("example.com:443", {alpn = {"h2", "http/1.1"}, pin_sha256 = pin}))`},
	{"listen", (*Runtime).tlsListen, "tls.listen(address, opts) -> listener | nil, err",
		"Listens on a TCP address for TLS clients, with opts.cert and opts.key or opts.self_signed = true (a fresh certificate for localhost, 127.0.0.1 and ::1). opts.alpn chooses among the clients' protocols (c:tls_state().alpn); opts.client_ca with client_auth asks clients for a certificate (c:tls_state().peer_certificates). Accepted conns handshake on first use, in the task that uses them; opts.timeout bounds that handshake. An address without a host is loopback only, as with net.listen." + tlsOptsDoc,
		`ln = assert(tls.listen("127.0.0.1:8443", {cert = "cert.pem", key = "key.pem", client_ca = "ca.pem", client_auth = "require"})); print(ln:addr())`},
	{"client", (*Runtime).tlsClient, "tls.client(conn [, opts]) -> conn | nil, err",
		"STARTTLS, client side: runs a TLS handshake as the client over conn and returns the TLS conn. The new conn takes over the socket and any bytes conn had buffered; conn is closed. server_name defaults to conn's remote IP. On failure the connection is closed." + tlsOptsDoc,
		`c:write("STARTTLS\r\n"); assert(c:expect("^220[^\n]*\n")); c = assert(tls.client(c, {server_name = "mail.example.com"}))`},
	{"server", (*Runtime).tlsServer, "tls.server(conn, opts) -> conn | nil, err",
		"STARTTLS, server side: runs a TLS handshake as the server over conn (opts.cert and opts.key, or opts.self_signed = true) and returns the TLS conn. The new conn takes over the socket and any bytes conn had buffered (a ClientHello sent right behind the command); conn is closed. On failure the connection is closed." + tlsOptsDoc,
		`assert(c:write("OK\n")); c = assert(tls.server(c, {self_signed = true}))`},
	{"self_signed", (*Runtime).tlsSelfSigned, "tls.self_signed([hosts]) -> cert_pem, key_pem",
		"Makes a fresh ECDSA P-256 key and a self-signed certificate, valid 30 days, for hosts (names and IP addresses; default localhost, 127.0.0.1, ::1). A peer trusts it by taking cert_pem as its ca.",
		`cert, key = tls.self_signed(); ln = assert(tls.listen("127.0.0.1:0", {cert = cert, key = key}))`},
}

// tlsConnMethods are the conn methods that only TLS conns answer; they
// join the conn class's methods. On other conns they return nil, err.
var tlsConnMethods = []binding{
	{"tls_state", (*Runtime).connTLSState, "c:tls_state() -> state | nil, err",
		"On a TLS conn, after its handshake (run now if not done yet): a table with version (\"TLS 1.3\"), cipher, alpn (the protocol negotiated, or nil), server_name (on a client, the name the certificate is checked for; on a server, the one the client sent, nil if none), verified (the peer's certificate chain was verified: on a server, a client certificate verified with client_ca), resumed, and peer_certificates, the chain the peer sent, verified or not (see verified; empty when a client sent no certificate), from its own certificate up, each {subject, issuer, serial, not_before, not_after (seconds since the epoch), dns_names, ip_addresses, is_ca, sha256 (fingerprint, hex), spki_sha256 (the pin of its key, as pin_sha256 takes it), pem}.",
		`local st = assert(c:tls_state()); print(st.version, st.cipher, st.peer_certificates[1].subject)`},
	{"handshake", (*Runtime).connHandshake, "c:handshake() -> true | nil, err",
		"On a TLS conn, runs its handshake now if it has not run yet (a conn accepted from tls.listen handshakes on first use otherwise), so that a failure shows up here.",
		`local c = assert(ln:accept()); local ok, err = c:handshake()`},
}

// tlsError marks an error of the TLS layer that has no type of its own:
// crypto/tls reports most protocol failures as plain "tls: ..." errors.
// classify gives it kind "tls".
type tlsError struct{ err error }

func (e *tlsError) Error() string { return e.err.Error() }
func (e *tlsError) Unwrap() error { return e.err }

// markTLS marks err as a TLS failure unless it is already classified as
// something else (a timeout, EOF, a reset, a certificate error).
func markTLS(err error) error {
	if err == nil || classify(err) != kindOther {
		return err
	}
	return &tlsError{err}
}

// tlsConn is the net.Conn of a TLS conn: crypto/tls's Conn, whose handshake
// runs on the first read or write if nobody ran it before (the conns of a
// listener), within timeout if set, and whose failures are marked as TLS.
type tlsConn struct {
	*tls.Conn
	timeout    time.Duration // bounds a handshake; 0: no bound of its own
	serverName string        // on a client, the name the server's certificate is checked for
	check      *tlsCheck     // on a client, what it checks beyond crypto/tls (pins, a name not sent); or nil
	done       atomic.Bool   // the handshake has succeeded
}

// handshake runs the handshake if it has not succeeded yet. Its failure
// names the operation and the addresses.
func (c *tlsConn) handshake(ctx context.Context) error {
	if c.done.Load() {
		return nil
	}
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	if err := c.Conn.HandshakeContext(ctx); err != nil {
		return &net.OpError{Op: "handshake", Net: "tls", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: markTLS(err)}
	}
	c.done.Store(true)
	return nil
}

// mark marks a TLS failure of op; other errors, io.EOF above all (the
// read buffer tests for it by identity), pass unchanged.
func (c *tlsConn) mark(op string, err error) error {
	if err == nil || classify(err) != kindOther {
		return err
	}
	return &net.OpError{Op: op, Net: "tls", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: &tlsError{err}}
}

func (c *tlsConn) Read(p []byte) (int, error) {
	if err := c.handshake(context.Background()); err != nil {
		return 0, err
	}
	n, err := c.Conn.Read(p)
	return n, c.mark("read", err)
}

func (c *tlsConn) Write(p []byte) (int, error) {
	if err := c.handshake(context.Background()); err != nil {
		return 0, err
	}
	n, err := c.Conn.Write(p)
	return n, c.mark("write", err)
}

// tlsListener hands out server-side TLS conns that have not handshaken:
// the handshake runs in the task that uses the conn, never in accept.
type tlsListener struct {
	net.Listener
	cfg     *tls.Config
	timeout time.Duration
}

func (l *tlsListener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &tlsConn{Conn: tls.Server(nc, l.cfg), timeout: l.timeout}, nil
}

// SetDeadline bounds accept, as the listener's own does (accept timeouts
// and cancellation use it).
func (l *tlsListener) SetDeadline(t time.Time) error {
	if s, ok := l.Listener.(interface{ SetDeadline(time.Time) error }); ok {
		return s.SetDeadline(t)
	}
	return nil
}

// tlsState is the table c:tls_state returns.
var tlsState = shape{class: "gonetrepl.tls_state", code: "connTLSState",
	doc: "A TLS conn's state after its handshake, from c:tls_state().",
	fields: []field{
		{"version", "string", "\"TLS 1.3\", \"TLS 1.2\"..."},
		{"cipher", "string", "the cipher suite's name"},
		{"alpn", "string?", "the negotiated application protocol, or nil"},
		{"server_name", "string?", "client: the name the certificate is checked for; server: the one the client sent (SNI), or nil"},
		{"verified", "boolean", "the peer's certificate chain was verified (server: with client_ca)"},
		{"resumed", "boolean", "the session was resumed"},
		{"peer_certificates", "gonetrepl.certificate[]", "the chain the peer sent, verified or not, from its own certificate up; empty when a client sent none"},
	}}

func (rt *Runtime) tlsDial(L *lua.LState) int {
	address := rt.argAddress(L, 1, "address")
	opts := argOptions(L, 2, tlsOpts)
	o := argTLSOptions(L, 2, opts)
	hops := fieldVia(L, 2, opts)
	host, _, _ := net.SplitHostPort(address)
	cfg, check := o.clientConfig(rt, L, 2, host)
	var tc *tlsConn
	err := rt.block(L, nil, func(ctx context.Context) error {
		if o.timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, o.timeout)
			defer cancel()
		}
		var d net.Dialer
		var nc net.Conn
		var err error
		if len(hops) > 0 {
			nc, err = dialVia(ctx, proxyChain(hops, &d, nil), "tcp", address, 0)
		} else {
			nc, err = d.DialContext(ctx, "tcp", address)
		}
		if err != nil {
			return err
		}
		c := &tlsConn{Conn: tls.Client(nc, cfg), serverName: check.name, check: check}
		if err := c.handshake(ctx); err != nil {
			c.Close()
			return err
		}
		tc = c
		return nil
	})
	if err != nil {
		if tc != nil {
			tc.Close() // connected just as the task was canceled: nobody's conn
		}
		return rt.pushError(L, err, "dial", address)
	}
	ud := rt.newConn(L, tc, "tls")
	ud.Value.(*Conn).role = "dial"
	L.Push(ud)
	return 1
}

func (rt *Runtime) tlsListen(L *lua.LState) int {
	address := loopbackIfNoHost("tcp", rt.argAddress(L, 1, "address"))
	opts := argOptions(L, 2, tlsOpts)
	noVia(L, 2, opts, "tls.listen")
	o := argTLSOptions(L, 2, opts)
	cfg := o.serverConfig(L, 2)
	var ln net.Listener
	err := rt.block(L, nil, func(ctx context.Context) error {
		var lc net.ListenConfig
		var err error
		ln, err = lc.Listen(ctx, "tcp", address)
		return err
	})
	if err != nil {
		if ln != nil {
			ln.Close() // listening just as the task was canceled
		}
		return rt.pushError(L, err, "listen", address)
	}
	L.Push(rt.newListener(L, &tlsListener{Listener: ln, cfg: cfg, timeout: o.timeout}, "tls"))
	return 1
}

func (rt *Runtime) tlsClient(L *lua.LState) int { return rt.upgrade(L, false) }

func (rt *Runtime) tlsServer(L *lua.LState) int { return rt.upgrade(L, true) }

// upgrade runs a handshake over an existing conn (STARTTLS) and returns the
// TLS conn, which takes the socket over.
func (rt *Runtime) upgrade(L *lua.LState, server bool) int {
	old := argConn(rt, L, 1, "conn")
	opts := argOptions(L, 2, tlsOpts)
	if server {
		noVia(L, 2, opts, "tls.server")
	} else {
		noVia(L, 2, opts, "tls.client")
	}
	o := argTLSOptions(L, 2, opts)
	if old.datagram {
		argError(L, 1, "conn", "stream conn expected, got a %s conn", old.network)
	}
	var cfg *tls.Config
	var check *tlsCheck
	if server {
		cfg = o.serverConfig(L, 2)
	} else {
		host := ""
		if a, ok := old.nc.RemoteAddr().(*net.TCPAddr); ok {
			host = a.IP.String()
		}
		cfg, check = o.clientConfig(rt, L, 2, host)
	}
	fn, side := "tls.client", tls.Client
	if server {
		fn, side = "tls.server", tls.Server
	}
	if err := rt.flushHeld(L, old); err != nil {
		return rt.pushError(L, err, "handshake", "")
	}
	raw, err := old.handOver(fn)
	if err != nil {
		return rt.pushError(L, err, "handshake", "")
	}
	tc := &tlsConn{Conn: side(raw, cfg), timeout: o.timeout, check: check}
	if !server {
		tc.serverName = check.name
	}
	rt.disown(old) // handed over, and closed
	ud := rt.newConn(L, tc, "tls")
	c := ud.Value.(*Conn)
	c.role = old.role
	if server {
		c.role = "accept"
	} else if c.role == "" {
		c.role = "dial"
	}
	c.dl.forget() // the socket may still have a deadline the old conn set
	c.dl.read, c.dl.write, c.dl.idle = old.dl.read, old.dl.write, old.dl.idle
	if old.closer != nil {
		// A Unix socket file the old conn bound: the new conn removes it.
		rt.untrack(old.closer)
		c.closer = &chainCloser{tc, old.closer}
		old.closer = nil
		rt.track(c.closer)
	}
	if err := rt.handshake(L, c, tc); err != nil {
		c.closed.Store(true)
		if c.closer != nil {
			rt.untrack(c.closer)
			c.closer.Close()
		} else {
			tc.Close()
		}
		return rt.pushError(L, err, "handshake", "")
	}
	L.Push(ud)
	return 1
}

// argConn requires a conn, naming the argument in the error.
func argConn(rt *Runtime, L *lua.LState, n int, name string) *Conn {
	if ud, ok := L.Get(n).(*lua.LUserData); ok && ud.Metatable == rt.classes[connType] {
		if c, ok := ud.Value.(*Conn); ok {
			return c
		}
	}
	expected(L, n, name, connType)
	return nil
}

// handOver gives c's socket away to an upgrade, by fn: it returns the
// socket, preceded by the bytes c had buffered and nobody read, and leaves
// c closed, with a stand-in socket that refuses every operation. The
// socket's deadlines are cleared: the new conn applies its own. It fails if
// a read or a write is in progress on c (in another task).
func (c *Conn) handOver(fn string) (net.Conn, error) {
	if c.closed.Load() {
		return nil, c.opError("handshake", net.ErrClosed)
	}
	if !c.rd.op.TryLock() {
		return nil, c.opError("handshake", errors.New("a read is in progress on the conn"))
	}
	defer c.rd.op.Unlock()
	if !c.wop.TryLock() {
		return nil, c.opError("handshake", errors.New("a write is in progress on the conn"))
	}
	defer c.wop.Unlock()
	c.rd.mu.Lock()
	pending := bytes.Clone(c.rd.buf[c.rd.r:c.rd.w])
	c.rd.buf, c.rd.r, c.rd.w = nil, 0, 0
	c.rd.mu.Unlock()

	raw := c.nc
	raw.SetDeadline(time.Time{})
	moved := &movedConn{local: raw.LocalAddr(), remote: raw.RemoteAddr(), err: movedError{fn}}
	c.nc, c.rd.src = moved, moved
	c.rd.raw, c.rd.rawFn = nil, nil
	c.closed.Store(true)
	if len(pending) > 0 {
		return &prefixConn{Conn: raw, pending: pending}, nil
	}
	return raw, nil
}

// prefixConn reads pending before what comes from its conn: the bytes a
// conn had buffered when TLS took its socket over.
type prefixConn struct {
	net.Conn
	pending []byte
}

func (p *prefixConn) Read(b []byte) (int, error) {
	if len(p.pending) > 0 {
		n := copy(b, p.pending)
		p.pending = p.pending[n:]
		return n, nil
	}
	return p.Conn.Read(b)
}

// movedConn stands in for the socket of a conn that TLS took over: reads
// and writes fail with err, and closing it does nothing (the socket is the
// TLS conn's to close).
type movedConn struct {
	local, remote net.Addr
	err           error
}

func (m *movedConn) Read([]byte) (int, error)         { return 0, m.err }
func (m *movedConn) Write([]byte) (int, error)        { return 0, m.err }
func (m *movedConn) Close() error                     { return nil }
func (m *movedConn) LocalAddr() net.Addr              { return m.local }
func (m *movedConn) RemoteAddr() net.Addr             { return m.remote }
func (m *movedConn) SetDeadline(time.Time) error      { return nil }
func (m *movedConn) SetReadDeadline(time.Time) error  { return nil }
func (m *movedConn) SetWriteDeadline(time.Time) error { return nil }

// movedError is the error of an operation on a conn that TLS took over. It
// is a net.ErrClosed: kind "closed".
type movedError struct{ by string }

func (e movedError) Error() string {
	return "conn taken over by " + e.by + ": use the conn it returned"
}

func (e movedError) Is(target error) bool { return target == net.ErrClosed }

// chainCloser closes first, then then (whose error is dropped).
type chainCloser struct{ first, then io.Closer }

func (c *chainCloser) Close() error {
	err := c.first.Close()
	c.then.Close()
	return err
}

// handshake runs c's TLS handshake if it has not run, as a blocking call
// under c's deadlines, and returns its error.
func (rt *Runtime) handshake(L *lua.LState, c *Conn, tc *tlsConn) error {
	if tc.done.Load() {
		return nil
	}
	rcall := c.dl.readCall(c.nc, time.Time{})
	wcall := c.dl.writeCall(c.nc, time.Time{})
	return rt.block(L, c.poke, func(ctx context.Context) error {
		return rcall.do(ctx, func() error {
			return wcall.do(ctx, func() error { return tc.handshake(context.Background()) })
		})
	})
}

// checkTLSConn returns the receiver and its TLS conn; nil if it is not one.
func (rt *Runtime) checkTLSConn(L *lua.LState) (*Conn, *tlsConn) {
	c := rt.checkConn(L)
	tc, _ := c.nc.(*tlsConn)
	return c, tc
}

func (rt *Runtime) connHandshake(L *lua.LState) int {
	c, tc := rt.checkTLSConn(L)
	if tc == nil {
		return rt.pushError(L, c.notSupported("handshake"), "handshake", "")
	}
	return rt.result(L, rt.handshake(L, c, tc), "handshake")
}

func (rt *Runtime) connTLSState(L *lua.LState) int {
	c, tc := rt.checkTLSConn(L)
	if tc == nil {
		return rt.pushError(L, c.notSupported("tls_state"), "tls_state", "")
	}
	if err := rt.handshake(L, c, tc); err != nil {
		return rt.pushError(L, err, "handshake", "")
	}
	cs := tc.ConnectionState()
	st := L.NewTable()
	st.RawSetString("version", lua.LString(tls.VersionName(cs.Version)))
	st.RawSetString("cipher", lua.LString(tls.CipherSuiteName(cs.CipherSuite)))
	st.RawSetString("alpn", nilIfEmpty(cs.NegotiatedProtocol))
	name := cs.ServerName // on a server, what the client asked for (SNI)
	if tc.serverName != "" {
		name = tc.serverName // on a client, also an IP address, which SNI does not carry
	}
	st.RawSetString("server_name", nilIfEmpty(name))
	st.RawSetString("verified", lua.LBool(len(cs.VerifiedChains) > 0 || tc.check != nil && tc.check.verified.Load()))
	st.RawSetString("resumed", lua.LBool(cs.DidResume))
	certs := L.NewTable()
	for _, cert := range cs.PeerCertificates {
		certs.Append(certTable(L, cert))
	}
	st.RawSetString("peer_certificates", certs)
	L.Push(st)
	return 1
}
