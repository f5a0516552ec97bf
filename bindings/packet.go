package bindings

// The packet conn class: datagram sockets (udp, unixgram) from
// net.listen_packet and net.listen_multicast (whose methods are in
// multicast.go). The datagram read and the request/response exchange
// here also serve the connected datagram conns of net.dial("udp", ...).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

const packetConnSummary = "a datagram socket (udp, unixgram): read_from, write_to, exchange, deadlines, multicast groups"

// packetConnType is the type name of packet conn values.
const packetConnType = "net.packet_conn"

// Datagram sizes and the defaults of exchange.
const (
	defaultDatagramMax     = 65535    // read_from's default cap: the largest UDP datagram, so nothing is cut
	datagramBufSize        = 64 << 10 // pooled read buffers, enough for any default cap
	maxDatagram            = 16 << 20 // the most one datagram read allocates
	defaultExchangeTimeout = time.Second
	defaultExchangeRetries = 3
	maxExchangeRetries     = 100
)

var packetConnMethods = []binding{
	{"read_from", (*Runtime).packetReadFrom, "pc:read_from([max]) -> data, addr [, truncated] | nil, err",
		"Waits for one datagram and returns it and its sender; one longer than max (default 65535, at most 16 MiB) is cut to max, and a third value true says so (on Windows, which drops such a datagram, nil, err of kind too_large).",
		"local data, from = assert(pc:read_from())"},
	{"write_to", (*Runtime).packetWriteTo, "pc:write_to(data, addr) -> n | nil, err",
		`Sends data as one datagram to addr: an addr value (as read_from returns) or a string, "host:port" for udp, a path or "@name" for unixgram.`,
		`assert(pc:write_to("ping", "127.0.0.1:9000"))`},
	{"exchange", (*Runtime).packetExchange, "pc:exchange(data, addr [, opts]) -> reply [, truncated] | nil, err",
		"Sends data to addr and returns the first datagram back from addr (others are dropped), resending after opts.timeout seconds (default 1) up to opts.retries times (default 3); opts.max caps the reply (default 65535; a longer one is cut, and true follows it; on Windows, nil, err of kind too_large); kind 'timeout' if none comes.",
		`local reply = assert(pc:exchange("ping", "127.0.0.1:9000", {timeout = 0.5, retries = 2}))`},
	{"set_deadline", packetDeadlines.setDeadline, "pc:set_deadline(t) -> true",
		"Sets the read and write deadline to t, absolute seconds as from time.now(); 0 or nil clears it. A number below 10^9 (a relative time) raises an error that points to time.now() + secs and set_timeout.",
		"pc:set_deadline(time.now() + 5)"},
	{"set_read_deadline", packetDeadlines.setReadDeadline, "pc:set_read_deadline(t) -> true",
		"Sets the read deadline (absolute seconds, as set_deadline; 0 or nil clears it).",
		"pc:set_read_deadline(time.now() + 1)"},
	{"set_write_deadline", packetDeadlines.setWriteDeadline, "pc:set_write_deadline(t) -> true",
		"Sets the write deadline (absolute seconds, as set_deadline; 0 or nil clears it).",
		"pc:set_write_deadline(time.now() + 1)"},
	{"set_timeout", packetDeadlines.setTimeout, "pc:set_timeout(secs) -> true",
		"An idle timeout, refreshed before every read and write; 0 or nil turns it off.",
		"pc:set_timeout(30)"},
	{"local_addr", (*Runtime).packetLocalAddr, "pc:local_addr() -> addr",
		"The local address (with the port chosen for port 0).",
		"print(pc:local_addr().port)"},
	{"trace", (*Runtime).packetTrace, "pc:trace(mode) -> true", traceMethodDoc,
		`pc:trace("text")`},
	{"record", (*Runtime).packetRecord, "pc:record(path | false [, opts]) -> true | counts | nil, err", recordMethodDoc,
		`pc:record("pc.txt"); pc:write_to("hi", "127.0.0.1:9"); print(pc:record(false).events)`},
	{"capture", (*Runtime).packetCapture, "pc:capture(path | false [, opts]) -> true | counts | nil, err", captureMethodDoc,
		`pc:capture("pc.pcapng"); pc:write_to("hi", "127.0.0.1:9"); pc:capture(false)`},
	{"close", (*Runtime).packetClose, "pc:close() -> true | nil, err",
		"Closes the socket; a blocked read_from returns kind 'closed'. A unixgram socket bound to a path removes its file.",
		"pc:close()"},
}

// PacketConn is a datagram socket as Lua sees it.
type PacketConn struct {
	owned
	pc      net.PacketConn // *net.UDPConn or *net.UnixConn
	network string         // "udp", "udp4", "udp6", "unixgram"
	dl      deadlines
	tr      sockTrace // what pc:trace and net.trace ask for, and the recorders
	closed  atomic.Bool
	poke    func()
	closer  io.Closer // closes pc and removes its socket file; tracked by the runtime
}

var packetConnClass = &class{
	name:     packetConnType,
	methods:  concatBindings(packetConnMethods, multicastMethods),
	tostring: func(v any) string { return v.(*PacketConn).String() },
	concat:   true,
	eq:       func(a, b any) bool { return a == b },
}

func (p *PacketConn) String() string {
	state := ""
	if p.closed.Load() {
		state = " (closed)"
	}
	return fmt.Sprintf("<%s packet conn %s%s>", p.network, addrString(p.pc.LocalAddr()), state)
}

// newPacketConn wraps pc; path, if not empty, is the socket file pc bound,
// removed when pc is closed.
func (rt *Runtime) newPacketConn(L *lua.LState, pc net.PacketConn, network, path string) *lua.LUserData {
	p := &PacketConn{pc: pc, network: network, closer: pc}
	if path != "" {
		p.closer = &unlinkCloser{Closer: pc, path: path}
	}
	p.poke = p.dl.wake
	p.tr.init(&rt.trace)
	rt.track(p.closer)
	rt.adoptNew(L, p)
	return rt.newUserData(packetConnType, p)
}

func (rt *Runtime) checkPacketConn(L *lua.LState) *PacketConn {
	return checkClass[*PacketConn](rt, L, 1, packetConnType)
}

// opError names the operation and the local address around an error that
// does not carry them (canceled, a failed lookup).
func (p *PacketConn) opError(op string, err error) error {
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return err
	}
	return &net.OpError{Op: op, Net: p.network, Source: p.pc.LocalAddr(), Err: err}
}

// unlinkCloser closes a socket bound to a Unix path and removes the path,
// as Go's Unix listeners do and its unixgram sockets do not.
type unlinkCloser struct {
	io.Closer
	path string
	once sync.Once
}

func (u *unlinkCloser) Close() error {
	err := u.Closer.Close()
	u.once.Do(func() { os.Remove(u.path) })
	return err
}

// boundPath is the socket file a bind to address creates: none for an
// abstract name or an unbound socket.
func boundPath(network, address string) string {
	if isUnix(network) && address != "" && address[0] != '@' {
		return address
	}
	return ""
}

var datagramBufs = sync.Pool{New: func() any { b := make([]byte, datagramBufSize); return &b }}

// readDatagram reads one datagram of at most maxLen bytes from s, a UDP or
// Unix socket, connected or not. truncated reports that the kernel cut a
// longer one (MSG_TRUNC; on Windows, such a read is an error instead); from is nil for an unbound unixgram sender. It may
// wait: call it with the interpreter lock released.
func readDatagram(s any, maxLen int) (data string, from net.Addr, truncated bool, err error) {
	var buf []byte
	if maxLen <= datagramBufSize {
		bp := datagramBufs.Get().(*[]byte)
		defer datagramBufs.Put(bp)
		buf = (*bp)[:maxLen]
	} else {
		buf = make([]byte, maxLen)
	}
	var n, flags int
	switch c := s.(type) {
	case *net.UDPConn:
		var a *net.UDPAddr
		n, _, flags, a, err = c.ReadMsgUDP(buf, nil)
		if a != nil {
			from = a
		}
	case *net.UnixConn:
		var a *net.UnixAddr
		n, _, flags, a, err = c.ReadMsgUnix(buf, nil)
		if a != nil {
			from = a
		}
	case net.PacketConn:
		n, from, err = c.ReadFrom(buf)
	case net.Conn:
		n, err = c.Read(buf)
	default:
		return "", nil, false, fmt.Errorf("not a datagram socket: %T", s)
	}
	if err != nil {
		return "", nil, false, datagramReadError(err, maxLen)
	}
	return string(buf[:n]), from, flags&msgTrunc != 0, nil
}

// datagramReadError explains a failed datagram read. Windows does not cut
// a datagram longer than the buffer and flag it (MSG_TRUNC, as Unix
// systems do): the read fails with WSAEMSGSIZE and the datagram is gone,
// and Go gives neither its first bytes reliably nor its sender. That
// read is nil, err of kind too_large, saying so.
func datagramReadError(err error, maxLen int) error {
	if isErrno(err, errnosMsgSize) {
		return fmt.Errorf("datagram longer than max (%d bytes), dropped: this system reports no truncated part: %w", maxLen, err)
	}
	return err
}

// pushDatagram pushes data, then from if withFrom, then true if truncated.
func (rt *Runtime) pushDatagram(L *lua.LState, data string, from net.Addr, withFrom, truncated bool) int {
	L.Push(lua.LString(data))
	n := 1
	if withFrom {
		n += rt.pushAddr(L, from)
	}
	if truncated {
		L.Push(lua.LTrue)
		n++
	}
	return n
}

func (rt *Runtime) packetReadFrom(L *lua.LState) int {
	p := rt.checkPacketConn(L)
	maxLen := optSize(L, 2, "max", defaultDatagramMax, 1, maxDatagram)
	call := p.dl.readCall(p.pc, time.Time{})
	var data string
	var from net.Addr
	var truncated bool
	err := rt.block(L, p.poke, func(ctx context.Context) error {
		return call.do(ctx, func() error {
			var err error
			data, from, truncated, err = readDatagram(p.pc, maxLen)
			if err == nil {
				// Logged here, without the lock: the log may wait for
				// writes in flight (writeorder.go).
				traceDatagram(&p.tr, p, "<", bytesOf(data), from)
			}
			return err
		})
	})
	if err != nil {
		return rt.pushError(L, p.opError("read", err), "read", addrString(p.pc.LocalAddr()))
	}
	return rt.pushDatagram(L, data, from, true, truncated)
}

// datagramAddr is a destination argument: an addr value, or a string that
// is resolved when the datagram is sent (a lookup may wait).
type datagramAddr struct {
	network string
	addr    net.Addr
	s       string
}

func (a datagramAddr) String() string {
	if a.addr != nil {
		return a.addr.String()
	}
	return a.s
}

// argDatagramAddr reads a destination for a socket of network: an addr
// value of the same family, or a string.
func (rt *Runtime) argDatagramAddr(L *lua.LState, n int, name, network string) datagramAddr {
	switch v := L.Get(n).(type) {
	case lua.LString:
		return datagramAddr{network: network, s: string(v)}
	case *lua.LUserData:
		if a, ok := v.Value.(net.Addr); ok && v.Metatable == rt.classes[addrType] {
			switch a := a.(type) {
			case *net.UDPAddr:
				if network != "unixgram" {
					return datagramAddr{network: network, addr: a}
				}
			case *net.TCPAddr: // the same host and port, as from resolve_addr("tcp", ...)
				if network != "unixgram" {
					return datagramAddr{network: network, addr: &net.UDPAddr{IP: a.IP, Port: a.Port, Zone: a.Zone}}
				}
			case *net.UnixAddr:
				if network == "unixgram" {
					return datagramAddr{network: network, addr: a}
				}
			}
			argError(L, n, name, "%s address expected, got %s address %s", network, a.Network(), a)
		}
	}
	expected(L, n, name, "addr or string")
	return datagramAddr{}
}

// resolve returns the address to send to, looking a host name up if need be.
func (a datagramAddr) resolve(ctx context.Context) (net.Addr, error) {
	if a.addr != nil {
		return a.addr, nil
	}
	if a.network == "unixgram" {
		if err := checkUnixPath("write", a.network, a.s); err != nil {
			return nil, err
		}
		return &net.UnixAddr{Name: a.s, Net: a.network}, nil
	}
	return resolveAddr(ctx, a.network, a.s)
}

// sameSender reports whether a reply from from answers a datagram sent to
// to. A wildcard host in to (":9000") matches any host on that port.
func sameSender(from, to net.Addr) bool {
	switch f := from.(type) {
	case *net.UDPAddr:
		t, ok := to.(*net.UDPAddr)
		return ok && f.Port == t.Port && (t.IP == nil || t.IP.IsUnspecified() || f.IP.Equal(t.IP))
	case *net.UnixAddr:
		t, ok := to.(*net.UnixAddr)
		return ok && f.Name == t.Name
	}
	return false
}

func (rt *Runtime) packetWriteTo(L *lua.LState) int {
	p := rt.checkPacketConn(L)
	data := argData(L, 2, "data")
	to := rt.argDatagramAddr(L, 3, "addr", p.network)
	call := p.dl.writeCall(p.pc, time.Time{})
	var n int
	err := rt.block(L, p.poke, func(ctx context.Context) error {
		dst, err := to.resolve(ctx)
		if err != nil {
			return err
		}
		return call.do(ctx, func() error {
			var err error
			id := p.tr.beginWrite()
			defer p.tr.endWrite(id)
			n, err = p.pc.WriteTo(bytesOf(data), dst)
			if err == nil {
				traceDatagram(&p.tr, p, ">", bytesOf(data), dst)
			}
			return err
		})
	})
	if err != nil {
		return rt.pushError(L, p.opError("write", err), "write", to.String())
	}
	L.Push(lua.LNumber(n))
	return 1
}

// exchangeOptsShape lists the options argExchangeOpts reads, for the type stubs.
var exchangeOptsShape = shape{class: "gonetrepl.exchange_opts", opts: true, code: "argExchangeOpts",
	doc: "The options of c:exchange and pc:exchange.",
	fields: []field{
		{"timeout", "number", "seconds to wait for a reply to each try, above 0 (default 1)"},
		{"retries", "integer", "how many times to send again after a try times out (default 3, at most 100)"},
		{"max", "integer", "the largest reply read (default 65535); a longer one is cut and truncated is true"},
	}}

// exchangeOpts are the options of exchange.
type exchangeOpts struct {
	timeout time.Duration // per try
	tries   int           // 1 + retries
	max     int           // reply cap
}

// argExchangeOpts reads exchange's optional options table at argument n.
func argExchangeOpts(L *lua.LState, n int) exchangeOpts {
	opts := argOptions(L, n, exchangeOptsShape)
	x := exchangeOpts{timeout: defaultExchangeTimeout, tries: 1 + defaultExchangeRetries, max: defaultDatagramMax}
	if d, ok := fieldSeconds(L, n, opts, "timeout"); ok {
		if d <= 0 {
			argError(L, n, "opts.timeout", "seconds above 0 expected, got %v", opts.RawGetString("timeout"))
		}
		x.timeout = d
	}
	if r, ok := fieldCount(L, n, opts, "retries", 0, maxExchangeRetries); ok {
		x.tries = 1 + r
	}
	if m, ok := fieldCount(L, n, opts, "max", 1, maxDatagram); ok {
		x.max = m
	}
	return x
}

// fieldCount reads an optional integer field of an options table, in [lo, hi].
func fieldCount(L *lua.LState, n int, opts *lua.LTable, field string, lo, hi int) (int, bool) {
	if opts == nil {
		return 0, false
	}
	v := opts.RawGetString(field)
	if v == lua.LNil {
		return 0, false
	}
	f, ok := v.(lua.LNumber)
	if !ok || float64(f) != math.Trunc(float64(f)) || float64(f) < float64(lo) || float64(f) > float64(hi) {
		argError(L, n, "opts."+field, "integer between %d and %d expected, got %s", lo, hi, describeValue(v))
	}
	return int(f), true
}

// An exchange is one request/response step over a datagram socket: send,
// wait for a reply, and send again when none comes in time.
type exchange struct {
	exchangeOpts
	sock   any                              // what readDatagram reads
	rd     deadliner                        // sock's deadlines
	gates  *deadlines                       // and their gates
	send   func(ctx context.Context) error  // sends the request once
	accept func(from net.Addr) bool         // whether a datagram is the reply; nil: any
	wrap   func(op string, err error) error // names the socket in an error
	dl     struct{ read, write time.Time }  // the socket's absolute deadlines
	idle   time.Duration                    // and its idle timeout
	// received, if not nil, sees every datagram read, the reply or not
	// (tracing); it runs with the lock released.
	received func(data string, from net.Addr)
}

// soonest is the earlier of an absolute deadline (zero: none) and now+d
// (d <= 0: none); final is true when the absolute one is the earlier.
func soonest(abs time.Time, now time.Time, d time.Duration) (t time.Time, final bool) {
	if d > 0 {
		t = now.Add(d)
	}
	if !abs.IsZero() && (t.IsZero() || abs.Before(t)) {
		return abs, true
	}
	return t, false
}

// run sends and waits, up to tries times. Only a timeout of one try's own
// wait leads to a resend: any other error, and the socket's own deadline,
// end the exchange at once. It may wait: call it with the lock released.
func (x *exchange) run(ctx context.Context) (string, bool, error) {
	wait := x.timeout
	if x.idle > 0 && x.idle < wait {
		wait = x.idle
	}
	for try := 1; ; try++ {
		writeBy, _ := soonest(x.dl.write, time.Now(), x.idle)
		send := ioCall{g: &x.gates.wg, side: side{s: x.rd, write: true}, by: writeBy}
		if err := send.do(ctx, func() error { return x.send(ctx) }); err != nil {
			return "", false, err
		}
		readBy, final := soonest(x.dl.read, time.Now(), wait)
		reply, truncated, err := x.await(ctx, ioCall{g: &x.gates.rg, side: side{s: x.rd}, by: readBy})
		switch {
		case err == nil:
			return reply, truncated, nil
		case ctx.Err() != nil:
			return "", false, ctx.Err()
		case !errors.Is(err, os.ErrDeadlineExceeded) || final:
			return "", false, err
		case try == x.tries:
			return "", false, fmt.Errorf("no reply after %d tries, %v each: %w", x.tries, wait, os.ErrDeadlineExceeded)
		}
	}
}

// await reads datagrams, as call, until the reply comes.
func (x *exchange) await(ctx context.Context, call ioCall) (reply string, truncated bool, err error) {
	err = call.do(ctx, func() error {
		for {
			if err := ctx.Err(); err != nil {
				return err
			}
			data, from, cut, err := readDatagram(x.sock, x.max)
			if err == nil && x.received != nil {
				x.received(data, from)
			}
			if err != nil {
				return err
			}
			if x.accept == nil || x.accept(from) {
				reply, truncated = data, cut
				return nil
			}
		}
	})
	return reply, truncated, err
}

// runExchange runs x on a socket with deadlines dl, and pushes the reply
// (and true if it was cut) or nil, err.
func (rt *Runtime) runExchange(L *lua.LState, dl *deadlines, poke func(), x *exchange) int {
	x.dl.read, x.dl.write, x.idle, x.gates = dl.read, dl.write, dl.idle, dl
	var reply string
	var truncated bool
	err := rt.block(L, poke, func(ctx context.Context) error {
		var err error
		reply, truncated, err = x.run(ctx)
		return err
	})
	if err != nil {
		return rt.pushError(L, x.wrap("exchange", err), "exchange", "")
	}
	return rt.pushDatagram(L, reply, nil, false, truncated)
}

func (rt *Runtime) packetExchange(L *lua.LState) int {
	p := rt.checkPacketConn(L)
	data := argData(L, 2, "data")
	to := rt.argDatagramAddr(L, 3, "addr", p.network)
	x := &exchange{exchangeOpts: argExchangeOpts(L, 4), sock: p.pc, rd: p.pc}
	var dst net.Addr // resolved by the first send
	x.send = func(ctx context.Context) error {
		if dst == nil {
			var err error
			if dst, err = to.resolve(ctx); err != nil {
				return err
			}
		}
		id := p.tr.beginWrite()
		defer p.tr.endWrite(id)
		_, err := p.pc.WriteTo(bytesOf(data), dst)
		if err == nil {
			traceDatagram(&p.tr, p, ">", bytesOf(data), dst)
		}
		return err
	}
	x.received = func(data string, from net.Addr) { traceDatagram(&p.tr, p, "<", bytesOf(data), from) }
	x.accept = func(from net.Addr) bool { return sameSender(from, dst) }
	x.wrap = func(op string, err error) error {
		var opErr *net.OpError
		if errors.As(err, &opErr) {
			return err
		}
		return &net.OpError{Op: op, Net: p.network, Source: p.pc.LocalAddr(), Addr: dst, Err: err}
	}
	return rt.runExchange(L, &p.dl, p.poke, x)
}

func (rt *Runtime) packetLocalAddr(L *lua.LState) int {
	return rt.pushAddr(L, rt.checkPacketConn(L).pc.LocalAddr())
}

func (rt *Runtime) packetClose(L *lua.LState) int {
	p := rt.checkPacketConn(L)
	if !p.closed.Load() {
		p.tr.recClosed(p)
	}
	p.closed.Store(true)
	rt.untrack(p.closer)
	rt.disown(p)
	return rt.result(L, p.closer.Close(), "close")
}
