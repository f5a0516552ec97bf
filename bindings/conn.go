package bindings

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"sync/atomic"
	"time"
	"unsafe"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

const connSummary = "a conn (tcp, unix, pipe, a process from proc.spawn; udp and unixgram from net.dial): buffered reads, writes, half-close, deadlines"

// Read caps, the defaults of the read methods' max arguments.
const (
	defaultReadMax = 64 << 10 // read, read_line, read_until
	defaultAllMax  = 64 << 20 // read_all, and the most read_full will take
)

var connMethods = []binding{
	{"read", (*Runtime).connRead, "c:read([max] [, opts]) -> data | nil, err",
		"Returns what one read gives: at least one byte, at most max (default 64 KiB); buffered bytes first. Every read method takes an options table last ({timeout = secs, max = n}; see \"Reading from a conn\" in docs/API.md): opts.timeout bounds the whole call, and on timeout nothing is consumed and tostring(err) names what was awaited and shows what had arrived. On a udp or unixgram conn, one datagram, and true after it if it was longer than max and cut (on Windows, which drops such a datagram, nil, err of kind too_large).",
		"local data = assert(c:read({timeout = 2}))"},
	{"read_full", (*Runtime).connReadFull, "c:read_full(n [, opts]) -> data | nil, err",
		"Returns exactly n bytes; kind 'eof' if the peer ends first, and then nothing is consumed; n over opts.max (default and at most 64 MiB; a length off the wire, however huge) is kind 'too_large'. opts.timeout bounds the call. Stream conns only: on a udp or unixgram conn, nil, err (use c:read).",
		"local header = assert(c:read_full(4, {timeout = 5}))"},
	{"read_line", (*Runtime).connReadLine, "c:read_line([max] [, opts]) -> line | nil, err",
		"Returns one line without its \\n (or \\r\\n); longer than max (default 64 KiB) is kind 'too_large'. EOF ends a last unterminated line. opts.timeout bounds the call. Stream conns only: on a udp or unixgram conn, nil, err (use c:read).",
		"local line = assert(c:read_line({timeout = 5}))"},
	{"read_until", (*Runtime).connReadUntil, "c:read_until(delim [, max] [, opts]) -> data [, delim] | nil, err",
		"Returns the bytes before delim and consumes delim; more than max (default 64 KiB) without it is 'too_large'. delim may be a list of strings: the earliest match among the bytes that have arrived wins (two at one place: the first listed), and the delimiter that matched is the second result. opts.keep = true leaves the delimiter at the end of the data; opts.timeout bounds the call. Stream conns only: on a udp or unixgram conn, nil, err (use c:read).",
		`local data, prompt = assert(c:read_until({"$ ", "# "}, {keep = true, timeout = 5}))`},
	{"read_all", (*Runtime).connReadAll, "c:read_all([max] [, opts]) -> data | nil, err",
		"Reads to EOF and returns everything; more than max (default 64 MiB) is 'too_large'. opts.timeout bounds the call. Stream conns only: on a udp or unixgram conn, nil, err (use c:read).",
		"local body = assert(c:read_all())"},
	{"read_frame", (*Runtime).connReadFrame, "c:read_frame([opts]) -> data | nil, err",
		frameReadDoc,
		`local msg = assert(c:read_frame({size = 2, order = "little", max = 4096}))`},
	{"write_frame", (*Runtime).connWriteFrame, "c:write_frame(data [, opts]) -> n | nil, err",
		frameWriteDoc,
		`assert(c:write_frame("hello", {size = 2}))`},
	{"expect", (*Runtime).connExpect, "c:expect(pattern [, timeout [, max]] [, opts]) -> data, captures... | nil, err",
		expectDoc,
		`local _, code = assert(c:expect("^HTTP/1%.%d (%d+)[^\n]*\n", 5))`},
	{"lines", (*Runtime).connLines, "c:lines([max] [, opts]) -> iterator",
		"Iterates over lines (as read_line, with its max and opts; opts.timeout bounds each line) until EOF; another error is raised, as is calling it on a udp or unixgram conn.",
		"for line in c:lines() do print(line) end"},
	{"buffered", (*Runtime).connBuffered, "c:buffered() -> data",
		"The bytes received but not yet read, without consuming them.",
		"print(#c:buffered())"},
	{"clean", (*Runtime).connClean, "c:clean([secs]) -> data | nil, err",
		"Reads whatever arrives until the conn has been quiet for secs (default 0.05) and returns it (\"\" if nothing came): a banner or the rest of a reply dropped before the next exchange. EOF ends it and is not an error. c:clean(0) returns only what is already buffered, without reading the socket. At most 1 MiB a call (from a peer that never goes quiet; the rest stays buffered). Another failure (reset, a cancel) is nil, err and consumes nothing. Stream conns only.",
		"c:clean(); c:send_line(\"help\")"},
	{"trace", (*Runtime).connTrace, "c:trace(mode) -> true", traceMethodDoc,
		`c:trace("hex")`},
	{"record", (*Runtime).connRecord, "c:record(path | false [, opts]) -> true | counts | nil, err", recordMethodDoc,
		`c:record("c.txt", {append = true}); c:send_line("hi"); print(c:read_line()); c:record(false)`},
	{"capture", (*Runtime).connCapture, "c:capture(path | false [, opts]) -> true | counts | nil, err", captureMethodDoc,
		`c:capture("c.pcapng"); c:send_line("hi"); print(c:read_line()); c:capture(false)`},
	{"write", (*Runtime).connWrite, "c:write(data [, opts]) -> n | nil, err",
		"Writes all of data and returns the number of bytes written; on a udp or unixgram conn, as one datagram (too big: kind 'too_large'). While the peer's next input already waits unread in c's buffer, the bytes are held and go out with the next replies, when the task next waits (see c:flush and \"Writes held while input waits\" in docs/API.md). opts.more = true holds them with no input waiting: more follows at once (a header, then c:send_file, which sends a small file in the same system call).",
		`assert(c:write("hello\n"))`},
	{"flush", (*Runtime).connFlush, "c:flush() -> true | nil, err",
		"Writes now the bytes c holds (written while the peer's next input waited unread; see \"Writes held while input waits\" in docs/API.md), or returns the error of writing them earlier; true when c holds nothing.",
		`c:write(reply); c:flush()`},
	{"send_line", (*Runtime).connSendLine, "c:send_line(data) -> n | nil, err",
		"Writes data and the conn's newline (c:set_newline; default \"\\n\") in one write, and returns the bytes written, newline included.",
		`assert(c:send_line("USER anonymous"))`},
	{"set_newline", (*Runtime).connSetNewline, "c:set_newline(s) -> true",
		"Sets what send_line and send_line_after end a line with (\"\\r\\n\" for a protocol that wants it); read_line still ends a line at \\n or \\r\\n.",
		`c:set_newline("\r\n")`},
	{"send_after", (*Runtime).connSendAfter, "c:send_after(delim, data [, opts]) -> received | nil, err",
		"Waits for the literal delim (as read_until, consuming it), then writes data, and returns what came before delim. opts.timeout bounds the whole call, the wait and the write; opts.max caps what may come before delim (default 64 KiB). If the wait fails (timeout, eof, too_large) nothing is sent and the result is nil, err: unlike pwntools' sendafter, which sends anyway. Stream conns only.",
		`assert(c:send_after("Password: ", "hunter2\n", {timeout = 5}))`},
	{"send_line_after", (*Runtime).connSendLineAfter, "c:send_line_after(delim, data [, opts]) -> received | nil, err",
		"send_after, sending data and the conn's newline (as send_line).",
		`assert(c:send_line_after("login: ", "admin", {timeout = 5}))`},
	{"exchange", (*Runtime).connExchange, "c:exchange(data [, opts]) -> reply [, truncated] | nil, err",
		"On a udp or unixgram conn: sends data and returns the reply datagram, resending after opts.timeout seconds (default 1) up to opts.retries times (default 3); opts.max caps the reply (default 65535; a longer one is cut, and true follows it; on Windows, nil, err of kind too_large); kind 'timeout' if none comes.",
		`local reply = assert(c:exchange("ping", {timeout = 0.5, retries = 2}))`},
	{"close", (*Runtime).connClose, "c:close() -> true | nil, err",
		"Closes the conn; a read or write blocked on it returns kind 'closed'.",
		"c:close()"},
	{"close_write", (*Runtime).connCloseWrite, "c:close_write() -> true | nil, err",
		"Half-close: the peer reads EOF, and this side can still read its reply (tcp, unix, tls); a later write fails with kind closed.",
		`c:write("request"); c:close_write(); print(c:read_all())`},
	{"close_read", (*Runtime).connCloseRead, "c:close_read() -> true | nil, err",
		"Shuts down the reading side (tcp, unix).",
		"c:close_read()"},
	{"set_deadline", connDeadlines.setDeadline, "c:set_deadline(t) -> true",
		"Sets the read and write deadline to t, absolute seconds as from time.now(); 0 or nil clears it. A number below 10^9 (a relative time) raises an error that points to time.now() + secs and set_timeout.",
		"c:set_deadline(time.now() + 5)"},
	{"set_read_deadline", connDeadlines.setReadDeadline, "c:set_read_deadline(t) -> true",
		"Sets the read deadline (absolute seconds, as set_deadline; 0 or nil clears it).",
		"c:set_read_deadline(time.now() + 1)"},
	{"set_write_deadline", connDeadlines.setWriteDeadline, "c:set_write_deadline(t) -> true",
		"Sets the write deadline (absolute seconds, as set_deadline; 0 or nil clears it).",
		"c:set_write_deadline(time.now() + 1)"},
	{"set_timeout", connDeadlines.setTimeout, "c:set_timeout(secs) -> true",
		"An idle timeout, refreshed before every read and write; 0 or nil turns it off.",
		"c:set_timeout(30)"},
	{"local_addr", (*Runtime).connLocalAddr, "c:local_addr() -> addr",
		"The local address (addr.ip, addr.port, tostring(addr)).",
		"print(c:local_addr().port)"},
	{"remote_addr", (*Runtime).connRemoteAddr, "c:remote_addr() -> addr",
		"The peer's address.",
		"print(c:remote_addr())"},
	{"set_nodelay", (*Runtime).connSetNoDelay, "c:set_nodelay(on) -> true | nil, err",
		"Turns Nagle's algorithm off (true, Go's default) or on (false); tcp only.",
		"c:set_nodelay(false)"},
	{"set_keepalive", (*Runtime).connSetKeepAlive, "c:set_keepalive(secs | false) -> true | nil, err",
		"Turns TCP keep-alive probes off (false) or on with a period in seconds; tcp only.",
		"c:set_keepalive(15)"},
	{"set_linger", (*Runtime).connSetLinger, "c:set_linger(secs) -> true | nil, err",
		"How close waits for unsent data: negative is the default, 0 discards it and resets the connection; tcp only.",
		"c:set_linger(0)"},
	{"set_read_buffer", (*Runtime).connSetReadBuffer, "c:set_read_buffer(bytes) -> true | nil, err",
		"Sets the kernel's receive buffer size (tcp, unix).",
		"c:set_read_buffer(1024 * 1024)"},
	{"set_write_buffer", (*Runtime).connSetWriteBuffer, "c:set_write_buffer(bytes) -> true | nil, err",
		"Sets the kernel's send buffer size (tcp, unix).",
		"c:set_write_buffer(1024 * 1024)"},
}

// Conn is a conn as Lua sees it: the Go conn, its one read buffer and its
// deadlines. A datagram conn (udp, unixgram) reads whole datagrams without
// the buffer: the stream reads, which would lose their boundaries, refuse.
type Conn struct {
	owned
	nc       net.Conn
	network  string // "tcp", "tcp4", "tcp6", "udp", "udp4", "udp6", "unix", "unixgram", "pipe"
	datagram bool
	rd       bufReader
	dl       deadlines
	tr       sockTrace // what c:trace and net.trace ask for, and the recorders (record.go)
	role     string    // "dial" (this side connected), "accept" or "": for a recording's open line
	closed   atomic.Bool
	wshut    atomic.Bool // this side's close_write succeeded: writes fail as closed
	newline  string      // what send_line ends a line with; "": "\n"
	wop      opLock      // held by a write: writes by several tasks queue up, and a canceled one gives up waiting
	poke     func()      // made once: wakes the canceled calls blocked on this conn
	closer   io.Closer   // if not nil, closes nc and removes the socket file it bound; tracked
	out      *held       // bytes written while input waited, not yet on the socket (heldwrite.go); gil held
}

// connType is the type name of net.conn values.
const connType = "net.conn"

var connClass = &class{
	name:     connType,
	methods:  concatBindings(connMethods, sendFileMethods, tlsConnMethods, procConnMethods),
	tostring: func(v any) string { return v.(*Conn).String() },
	concat:   true,
	eq:       func(a, b any) bool { return a == b },
}

func (c *Conn) String() string {
	state := ""
	if c.closed.Load() {
		state = " (closed)"
	}
	return fmt.Sprintf("<%s conn %s -> %s%s>", c.network, addrString(c.nc.LocalAddr()), addrString(c.nc.RemoteAddr()), state)
}

func addrString(a net.Addr) string {
	if a == nil || a.String() == "" {
		return "?"
	}
	return a.String()
}

// isDatagram tells the networks whose conns carry datagrams.
func isDatagram(network string) bool {
	switch network {
	case "udp", "udp4", "udp6", "unixgram":
		return true
	}
	return false
}

// newConn wraps nc, owned by the task running L (none if L is nil).
func (rt *Runtime) newConn(L *lua.LState, nc net.Conn, network string) *lua.LUserData {
	c := &Conn{nc: nc, network: network, datagram: isDatagram(network)}
	c.rd.src = traceReader{r: nc, c: c}
	if !c.datagram {
		c.rd.useRawReads(nc)
	}
	c.tr.init(&rt.trace)
	c.poke = c.dl.wake
	c.dl.fresh() // a conn that takes over a used socket forgets this (tls.client)
	rt.adoptNew(L, c)
	return rt.newUserData(connType, c)
}

func (rt *Runtime) checkConn(L *lua.LState) *Conn {
	return checkClass[*Conn](rt, L, 1, connType)
}

// opError names the operation and the conn's addresses around an error that
// does not carry them (EOF, too_large, canceled), as Go's net does for its
// own errors.
func (c *Conn) opError(op string, err error) error {
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return err
	}
	return &net.OpError{Op: op, Net: c.network, Source: c.nc.LocalAddr(), Addr: c.nc.RemoteAddr(), Err: err}
}

// read runs one read operation: from the buffer alone if it can, holding
// the interpreter lock (no hand-off); otherwise with the lock released
// while it waits for data, until by at the latest (zero: only the conn's
// own deadlines). A timeout's error says what the read awaited (aw).
//
// Its frame, and its callers', stay on the stack of every task parked in a
// read: a task per served conn. Kept small (aw by pointer, no layer between
// it and block, the failure in a function of its own), that stack fits the
// goroutine's first 4 KiB; 8 KiB a conn otherwise (BenchmarkConnMemory).
func (rt *Runtime) read(L *lua.LState, c *Conn, need int, scan scanFunc, by time.Time, aw *awaited) int {
	s, err, ok := c.rd.tryBuffered(scan)
	if !ok {
		call := c.dl.readCall(c.nc, by)
		err = rt.block(L, c.poke, func(ctx context.Context) error {
			var err error
			s, err = c.rd.readIn(ctx, &call, scan, need)
			return err
		})
	}
	if err != nil {
		return rt.readFailed(L, c, err, aw)
	}
	L.Push(lua.LString(s))
	return 1
}

// readFailed pushes nil and the error of a read that failed.
func (rt *Runtime) readFailed(L *lua.LState, c *Conn, err error, aw *awaited) int {
	return rt.pushError(L, c.opError("read", c.timedOut(err, *aw)), "read", "")
}

// readString is read's work, the result or the error as it came, for the
// callers that look at the string before pushing it (send_after, a
// read_until list). read does not call it: one frame more under every
// parked read grew a served conn's stack past 4 KiB (see read).
func (rt *Runtime) readString(L *lua.LState, c *Conn, need int, scan scanFunc, by time.Time) (string, error) {
	s, err, ok := c.rd.tryBuffered(scan)
	if !ok {
		call := c.dl.readCall(c.nc, by)
		err = rt.block(L, c.poke, func(ctx context.Context) error {
			var err error
			s, err = c.rd.readIn(ctx, &call, scan, need)
			return err
		})
	}
	return s, err
}

func (rt *Runtime) connRead(L *lua.LState) int {
	c := rt.checkConn(L)
	opts, at := cutOpts(L, 2, 3, readOptsShape)
	n := optMax(L, 2, "max", defaultReadMax, 1)
	o := argReadOpts(L, at, opts, n, L.Get(2) != lua.LNil, 1, lua.MaxStringSize)
	if c.datagram {
		return rt.readDatagramConn(L, c, min(o.max, maxDatagram), o.deadline())
	}
	return rt.read(L, c, o.max, c.rd.scanSome(o.max), o.deadline(), &awaited{desc: "data"})
}

// readDatagramConn reads one datagram of at most n bytes, by the call's
// own deadline (zero: none).
func (rt *Runtime) readDatagramConn(L *lua.LState, c *Conn, n int, by time.Time) int {
	call := c.dl.readCall(c.nc, by)
	var data string
	var truncated bool
	err := rt.block(L, c.poke, func(ctx context.Context) error {
		return call.do(ctx, func() error {
			var err error
			data, _, truncated, err = readDatagram(c.nc, n)
			if err == nil {
				// Logged here, without the lock: the log may wait for
				// writes in flight (writeorder.go).
				traceDatagram(&c.tr, c, "<", bytesOf(data), nil)
			}
			return err
		})
	})
	if err != nil {
		return rt.pushError(L, c.opError("read", c.timedOut(err, awaited{desc: "a datagram"})), "read", "")
	}
	return rt.pushDatagram(L, data, nil, false, truncated)
}

// streamOnly is the error of a buffered stream read on a datagram conn.
func (c *Conn) streamOnly(op string) error {
	return c.opError(op, fmt.Errorf("not supported by %s conns, which read whole datagrams: use read", c.network))
}

func (rt *Runtime) connExchange(L *lua.LState) int {
	c := rt.checkConn(L)
	data := argData(L, 2, "data")
	opts := argExchangeOpts(L, 3)
	if !c.datagram {
		return rt.pushError(L, c.notSupported("exchange"), "exchange", "")
	}
	x := &exchange{exchangeOpts: opts, sock: c.nc, rd: c.nc, wrap: c.opError}
	x.send = func(context.Context) error {
		_, err := c.write(bytesOf(data))
		return err
	}
	x.received = func(data string, _ net.Addr) { traceDatagram(&c.tr, c, "<", bytesOf(data), nil) }
	return rt.runExchange(L, &c.dl, c.poke, x)
}

func (rt *Runtime) connReadFull(L *lua.LState) int {
	c := rt.checkConn(L)
	// n often comes off the wire (a length header): any count over the cap,
	// however huge, is a too_large outcome, not a mistake in the script.
	opts, at := cutOpts(L, 3, 3, readOptsShape)
	f := argNumber(L, 2, "n")
	if f != math.Trunc(f) || f < 0 {
		argError(L, 2, "n", "non-negative integer expected, got %v", lua.LNumber(f))
	}
	o := argReadOpts(L, at, opts, defaultAllMax, false, 0, lua.MaxStringSize)
	if c.datagram {
		return rt.pushError(L, c.streamOnly("read_full"), "read_full", "")
	}
	if f > float64(o.max) {
		return rt.pushError(L, c.opError("read", &TooLargeError{What: "read_full", Limit: o.max}), "read", "")
	}
	n := int(f)
	if n == 0 {
		L.Push(lua.LString(""))
		return 1
	}
	return rt.read(L, c, n, c.rd.scanFull(n), o.deadline(), &awaited{n: n})
}

// lineArgs reads the arguments of read_line and lines: [max] [, opts].
func lineArgs(L *lua.LState) readOpts {
	opts, at := cutOpts(L, 2, 3, readOptsShape)
	n := optMax(L, 2, "max", defaultReadMax, 0)
	return argReadOpts(L, at, opts, n, L.Get(2) != lua.LNil, 0, lua.MaxStringSize)
}

func (rt *Runtime) connReadLine(L *lua.LState) int {
	c := rt.checkConn(L)
	o := lineArgs(L)
	if c.datagram {
		return rt.pushError(L, c.streamOnly("read_line"), "read_line", "")
	}
	return rt.read(L, c, o.max+2, c.rd.scanUntil(lineEnd, o.max, "line", true, false), o.deadline(), &awaited{desc: "a line"})
}

// lineEnd is what read_line reads up to.
var lineEnd = []byte{'\n'}

func (rt *Runtime) connReadUntil(L *lua.LState) int {
	c := rt.checkConn(L)
	opts, at := cutOpts(L, 3, 4, readUntilOptsShape)
	n := optMax(L, 3, "max", defaultReadMax, 0)
	o := argReadOpts(L, at, opts, n, L.Get(3) != lua.LNil, 0, lua.MaxStringSize)
	o.keep = optsKeep(L, at, opts)
	if list, ok := L.Get(2).(*lua.LTable); ok {
		return rt.readUntilAny(L, c, list, o)
	}
	delim := argString(L, 2, "delim")
	if delim == "" {
		argError(L, 2, "delim", "must not be empty")
	}
	if c.datagram {
		return rt.pushError(L, c.streamOnly("read_until"), "read_until", "")
	}
	return rt.read(L, c, o.max+len(delim), c.rd.scanUntil([]byte(delim), o.max, "data", false, o.keep), o.deadline(), &awaited{delim: delim})
}

// readUntilAny is read_until with a list of delimiters: the data, then the
// delimiter that matched.
func (rt *Runtime) readUntilAny(L *lua.LState, c *Conn, list *lua.LTable, o readOpts) int {
	n := list.Len()
	if n == 0 {
		argError(L, 2, "delim", "empty list: one delimiter or more expected")
	}
	if n > maxDelims {
		argError(L, 2, "delim", "at most %d delimiters, got %d", maxDelims, n)
	}
	delims := make([][]byte, n)
	names := make([]string, n)
	longest := 0
	for i := range n {
		d, ok := list.RawGetInt(i + 1).(lua.LString)
		if !ok {
			argError(L, 2, "delim", "list of strings expected, got %s at [%d]", typeName(list.RawGetInt(i+1)), i+1)
		}
		if d == "" {
			argError(L, 2, "delim", "[%d] must not be empty", i+1)
		}
		delims[i], names[i] = []byte(d), string(d)
		longest = max(longest, len(d))
	}
	if c.datagram {
		return rt.pushError(L, c.streamOnly("read_until"), "read_until", "")
	}
	matched := -1
	s, err := rt.readString(L, c, o.max+longest, c.rd.scanUntilAny(delims, o.max, o.keep, &matched), o.deadline())
	if err != nil {
		return rt.pushError(L, c.opError("read", c.timedOut(err, awaited{delims: names})), "read", "")
	}
	L.Push(lua.LString(s))
	L.Push(lua.LString(names[matched]))
	return 2
}

// maxDelims bounds read_until's list: each arrival is searched for each.
const maxDelims = 64

func (rt *Runtime) connReadAll(L *lua.LState) int {
	c := rt.checkConn(L)
	opts, at := cutOpts(L, 2, 3, readOptsShape)
	n := optMax(L, 2, "max", defaultAllMax, 0)
	o := argReadOpts(L, at, opts, n, L.Get(2) != lua.LNil, 0, lua.MaxStringSize)
	if c.datagram {
		return rt.pushError(L, c.streamOnly("read_all"), "read_all", "")
	}
	return rt.read(L, c, o.max+1, c.rd.scanAll(o.max), o.deadline(), &awaited{desc: "EOF"})
}

func (rt *Runtime) connLines(L *lua.LState) int {
	c := rt.checkConn(L)
	o := lineArgs(L)
	if c.datagram {
		L.Error(rt.errorValue(c.streamOnly("lines"), "lines", ""), 1)
	}
	n := o.max
	L.Push(L.NewFunction(func(L *lua.LState) int {
		if rt.read(L, c, n+2, c.rd.scanUntil(lineEnd, n, "line", true, false), o.deadline(), &awaited{desc: "a line"}) == 1 {
			return 1
		}
		errVal := L.Get(-1)
		if e, ok := errVal.(*lua.LUserData).Value.(*Error); ok && e.Kind == kindEOF {
			L.Push(lua.LNil)
			return 1
		}
		L.Error(errVal, 1)
		return 0
	}))
	return 1
}

func (rt *Runtime) connBuffered(L *lua.LState) int {
	c := rt.checkConn(L)
	L.Push(lua.LString(c.rd.buffered()))
	return 1
}

// bytesOf views a Lua string's bytes without copying; Write only reads them.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

func (rt *Runtime) connWrite(L *lua.LState) int {
	c := rt.checkConn(L)
	opts, at := cutOpts(L, 3, 3, writeOptsShape)
	var by time.Time
	if opts != nil {
		if d, ok := optsTimeout(L, at, opts); ok {
			by = time.Now().Add(d)
		}
	}
	return rt.writeData(L, c, argData(L, 2, "data"), by, optsMore(L, opts))
}

// writeIn writes p as call, for the task whose context is ctx, after the
// writes of other tasks: a write cut short by another call's deadline goes
// on where it stopped, so the stream stays whole. It may wait: call it with
// the interpreter lock released.
func (c *Conn) writeIn(ctx context.Context, call ioCall, p []byte) (n int, err error) {
	if err := c.wop.LockContext(ctx, call.by); err != nil {
		return 0, err
	}
	defer c.wop.Unlock()
	return c.writeAll(ctx, call, p)
}

// writeAll writes p as call, going on where a write cut short by another
// call's deadline stopped. The caller holds wop.
func (c *Conn) writeAll(ctx context.Context, call ioCall, p []byte) (n int, err error) {
	err = call.do(ctx, func() error {
		m, err := c.write(p[n:])
		n += m
		return err
	})
	return n, err
}

// result pushes true, or nil and the error value.
func (rt *Runtime) result(L *lua.LState, err error, op string) int {
	if err != nil {
		return rt.pushError(L, err, op, "")
	}
	L.Push(lua.LTrue)
	return 1
}

func (rt *Runtime) connClose(L *lua.LState) int {
	c := rt.checkConn(L)
	// What c holds goes out first; a failure to write it does not keep
	// the conn open, and close reports it unless closing fails too.
	flushErr := rt.flushHeld(L, c)
	err := rt.closeConn(L, c)
	if err == nil && flushErr != nil {
		return rt.pushError(L, flushErr, "close", "")
	}
	return rt.result(L, err, "close")
}

// closeConn closes c, with the gil released if closing may wait.
func (rt *Runtime) closeConn(L *lua.LState, c *Conn) error {
	if !c.closed.Load() {
		c.tr.recClosed(c)
	}
	c.closed.Store(true)
	rt.disown(c)
	closer := io.Closer(c.nc)
	if c.closer != nil {
		rt.untrack(c.closer)
		closer = c.closer
	}
	if !c.closeMayWait() {
		return closer.Close()
	}
	var err error
	if berr := rt.block(L, nil, func(ctx context.Context) error { err = c.closeWaiting(ctx, closer); return nil }); berr != nil {
		// Canceled before it could close: close the socket under it,
		// which does not wait, and say so.
		c.socket().Close()
		err = berr
	}
	return err
}

// closeMayWait reports whether closing c can wait on the peer: a TLS conn
// sends an alert (as it does to half-close), which waits behind a write blocked
// in another task, and for up to 5 s for a peer that does not read; a
// process tube waits for its child to be reaped, up to the kill's grace
// period. Such a close runs with the interpreter lock released.
func (c *Conn) closeMayWait() bool {
	switch c.nc.(type) {
	case *tlsConn, *procConn:
		return true
	}
	return false
}

// closeWaiting runs closer's Close for a conn whose close may wait: a TLS
// conn's after the writes of other tasks (sendAlert); a process tube's at
// once, since closing its pipes is what ends a write blocked on them.
func (c *Conn) closeWaiting(ctx context.Context, closer io.Closer) error {
	if _, ok := c.nc.(*procConn); ok {
		return closer.Close()
	}
	return c.sendAlert(ctx, closer.Close)
}

// sendAlert runs fn, a TLS close or close_write, which sends an alert:
// after the writes of other tasks (a TLS conn writes one at a time), and
// cut short when the task is canceled, which the waiting for the writes
// is too. crypto/tls sets the write deadline for the alert itself (5 s).
func (c *Conn) sendAlert(ctx context.Context, fn func() error) error {
	if err := c.wop.LockContext(ctx, time.Time{}); err != nil {
		return err
	}
	defer c.wop.Unlock()
	stop := context.AfterFunc(ctx, func() {
		c.dl.wg.setOutside(func() { c.nc.SetWriteDeadline(pastDeadline) })
	})
	defer stop()
	err := fn()
	c.dl.wg.forget()
	return err
}

// notSupported is the error of an option the conn's kind does not have.
func (c *Conn) notSupported(op string) error {
	return c.opError(op, fmt.Errorf("not supported by %s conns", c.network))
}

func (rt *Runtime) connCloseWrite(L *lua.LState) int {
	c := rt.checkConn(L)
	if err := rt.flushHeld(L, c); err != nil {
		return rt.pushError(L, err, "close_write", "")
	}
	if cw, ok := c.nc.(interface{ CloseWrite() error }); ok {
		c.tr.record(c, ">", "close_write", nil)
		var err error
		if _, isTLS := c.nc.(*tlsConn); !isTLS { // only TLS sends something
			err = cw.CloseWrite()
		} else if berr := rt.block(L, nil, func(ctx context.Context) error { err = c.sendAlert(ctx, cw.CloseWrite); return nil }); berr != nil {
			err = berr
		}
		if err == nil {
			c.wshut.Store(true)
		}
		return rt.result(L, err, "close_write")
	}
	return rt.result(L, c.notSupported("close_write"), "close_write")
}

func (rt *Runtime) connCloseRead(L *lua.LState) int {
	c := rt.checkConn(L)
	if cr, ok := c.nc.(interface{ CloseRead() error }); ok {
		return rt.result(L, cr.CloseRead(), "close_read")
	}
	return rt.result(L, c.notSupported("close_read"), "close_read")
}

func (rt *Runtime) connLocalAddr(L *lua.LState) int {
	return rt.pushAddr(L, rt.checkConn(L).nc.LocalAddr())
}

func (rt *Runtime) connRemoteAddr(L *lua.LState) int {
	return rt.pushAddr(L, rt.checkConn(L).nc.RemoteAddr())
}

// socket is the conn's own socket: for a TLS conn the TCP conn under it,
// so that the socket options reach it.
func (c *Conn) socket() net.Conn {
	if w, ok := c.nc.(interface{ NetConn() net.Conn }); ok {
		return w.NetConn()
	}
	return c.nc
}

func (rt *Runtime) connSetNoDelay(L *lua.LState) int {
	c := rt.checkConn(L)
	if L.Get(2).Type() != lua.LTBool {
		expected(L, 2, "on", "boolean")
	}
	on := L.ToBool(2)
	if tc, ok := c.socket().(*net.TCPConn); ok {
		return rt.result(L, tc.SetNoDelay(on), "set_nodelay")
	}
	return rt.result(L, c.notSupported("set_nodelay"), "set_nodelay")
}

func (rt *Runtime) connSetKeepAlive(L *lua.LState) int {
	c := rt.checkConn(L)
	on, period := true, time.Duration(0)
	if b, ok := L.Get(2).(lua.LBool); ok && !bool(b) {
		on = false
	} else {
		period = argSeconds(L, 2, "secs")
	}
	tc, ok := c.socket().(*net.TCPConn)
	if !ok {
		return rt.result(L, c.notSupported("set_keepalive"), "set_keepalive")
	}
	err := tc.SetKeepAlive(on)
	if err == nil && on && period > 0 {
		err = tc.SetKeepAlivePeriod(period)
	}
	return rt.result(L, err, "set_keepalive")
}

func (rt *Runtime) connSetLinger(L *lua.LState) int {
	c := rt.checkConn(L)
	secs := argSize(L, 2, "secs", -1<<31, 1<<31-1)
	if tc, ok := c.socket().(*net.TCPConn); ok {
		return rt.result(L, tc.SetLinger(secs), "set_linger")
	}
	return rt.result(L, c.notSupported("set_linger"), "set_linger")
}

type bufferSizer interface {
	SetReadBuffer(int) error
	SetWriteBuffer(int) error
}

func (rt *Runtime) connSetReadBuffer(L *lua.LState) int {
	c := rt.checkConn(L)
	n := argSize(L, 2, "bytes", 1, 1<<30)
	if s, ok := c.socket().(bufferSizer); ok {
		return rt.result(L, s.SetReadBuffer(n), "set_read_buffer")
	}
	return rt.result(L, c.notSupported("set_read_buffer"), "set_read_buffer")
}

func (rt *Runtime) connSetWriteBuffer(L *lua.LState) int {
	c := rt.checkConn(L)
	n := argSize(L, 2, "bytes", 1, 1<<30)
	if s, ok := c.socket().(bufferSizer); ok {
		return rt.result(L, s.SetWriteBuffer(n), "set_write_buffer")
	}
	return rt.result(L, c.notSupported("set_write_buffer"), "set_write_buffer")
}
