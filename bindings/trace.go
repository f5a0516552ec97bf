package bindings

// Traffic tracing: net.trace(mode) for every socket, c:trace(mode) and
// pc:trace(mode) for one. Each event is one write to the runtime's stderr
// writer (which the REPL switches to its terminal): a header line naming
// the direction ("<" received, ">" sent), the socket and the byte count,
// then the bytes, escaped text or a hexdump -C layout. Reads are logged as
// they come off the socket (into the conn's read buffer), not as Lua
// consumes them, so every byte shows once and in order.
//
// Off costs one or two atomic loads per read and write.

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"

	"github.com/gonetrepl/gonetrepl/internal/textesc"
	"github.com/gonetrepl/gonetrepl/internal/transcript"
)

// Trace modes. traceInherit is a socket's own mode when c:trace was never
// called (or called with nil): it follows net.trace.
const (
	traceInherit int32 = -1
	traceOff     int32 = 0
	traceText    int32 = 1
	traceHex     int32 = 2
)

var traceModeNames = map[int32]string{traceOff: "off", traceText: "text", traceHex: "hex"}

// traceState is the runtime-wide mode (net.trace) and where events go:
// one per runtime (Runtime.trace), shared by every socket it makes.
type traceState struct {
	mode atomic.Int32
	mu   sync.Mutex // held while one event is written, in pieces
	out  io.Writer

	recs  atomic.Pointer[recSet] // net.record and net.capture (record.go)
	recMu sync.Mutex             // serializes changes to recs and to sockets' recs
	recs0 recorders              // every recorder open, stopped when the runtime closes

	order writeOrder // traced writes in flight (writeorder.go)

	// afterWrite, set by tests before the runtime runs anything, runs
	// after a conn's write and before it is logged: a descheduled writer.
	afterWrite func()
}

// sockTrace is one socket's tracing: its own mode, and the runtime's.
type sockTrace struct {
	own  atomic.Int32           // traceInherit, traceOff, traceText or traceHex
	all  *traceState            // nil for a socket made outside a runtime (tests): off
	recs atomic.Pointer[recSet] // c:record and c:capture (record.go)
}

func (t *sockTrace) init(all *traceState) {
	t.own.Store(traceInherit)
	t.all = all
}

// mode is the mode in force for the socket: traceRecOnly when tracing is
// off but a recorder watches it (record.go), so that every path that
// watches a traced socket's bytes watches a recorded one's.
func (t *sockTrace) mode() int32 {
	m := t.own.Load()
	if m == traceInherit {
		if t.all == nil {
			m = traceOff
		} else {
			m = t.all.mode.Load()
		}
	}
	if m == traceOff && t.recording() {
		return traceRecOnly
	}
	return m
}

// record logs one event if tracing is on, and gives it to the recorders
// watching the socket: dir is "<" or ">", sock names the socket, what says
// what happened ("read 5 bytes", "read EOF", "close_write"), data are the
// bytes. It may run on any goroutine.
func (t *sockTrace) record(sock fmt.Stringer, dir, what string, data []byte) {
	m := t.mode()
	if m == traceOff {
		return
	}
	if dir == "<" {
		t.awaitWrites()
	}
	if t.recording() {
		t.recTraced(sock, dir, what, data)
	}
	if m == traceRecOnly || t.all == nil {
		return
	}
	t.all.mu.Lock()
	defer t.all.mu.Unlock()
	writeTrace(t.all.out, m, dir, sock.String(), what, data)
}

// traceFlushSize is how much text of one event is built before it is
// written: the text of a big write (a hexdump is five times the bytes)
// goes out in pieces rather than as one string over the largest.
const traceFlushSize = 64 << 10

// bytesWhat says "read 5 bytes", "wrote 1 byte".
func bytesWhat(verb string, n int) string {
	if n == 1 {
		return verb + " 1 byte"
	}
	return fmt.Sprintf("%s %d bytes", verb, n)
}

// traceLineBytes is how many bytes of data one line of text mode shows.
const traceLineBytes = 64

// formatTrace renders one event: a header line, then the bytes as quoted,
// escaped text (textesc.Quote, as the prompt shows a string) (a line per newline in the data, and at most
// traceLineBytes bytes a line) or as hexdump -C lines.
func formatTrace(mode int32, dir, sock, what string, data []byte) string {
	var sb strings.Builder
	writeTrace(&sb, mode, dir, sock, what, data)
	return sb.String()
}

// writeTrace writes what formatTrace returns to w, in pieces of about
// traceFlushSize.
func writeTrace(w io.Writer, mode int32, dir, sock, what string, data []byte) {
	var sb strings.Builder
	flush := func() {
		io.WriteString(w, sb.String())
		sb.Reset()
	}
	defer flush()
	fmt.Fprintf(&sb, "%s %s %s\n", dir, sock, what)
	if len(data) == 0 {
		return
	}
	if mode == traceHex {
		hexdumpTo(&sb, data, flush)
		return
	}
	for len(data) > 0 {
		n := min(len(data), traceLineBytes)
		if i := bytes.IndexByte(data[:n], '\n'); i >= 0 {
			n = i + 1
		}
		sb.WriteString("  ")
		sb.WriteString(textesc.Quote(string(data[:n])))
		sb.WriteString("\n")
		data = data[n:]
		if sb.Len() >= traceFlushSize {
			flush()
		}
	}
}

// traceReader is a conn's read buffer's source: it logs what the socket
// gives, and EOF.
type traceReader struct {
	r io.Reader
	c *Conn
}

func (t traceReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if t.c.tr.mode() != traceOff {
		if n > 0 {
			t.c.tr.record(t.c, "<", bytesWhat("read", n), p[:n])
		}
		if err == io.EOF {
			t.c.tr.record(t.c, "<", "read EOF", nil)
		} else if err != nil {
			t.c.tr.recFailed(t.c, err)
		}
	}
	return n, err
}

// write writes p to the conn's socket and logs what was written.
func (c *Conn) write(p []byte) (int, error) {
	if c.wshut.Load() {
		return 0, errWriteShut
	}
	id := c.tr.beginWrite()
	defer c.tr.endWrite(id)
	n, err := c.nc.Write(p)
	if c.tr.all != nil && c.tr.all.afterWrite != nil {
		c.tr.all.afterWrite()
	}
	if c.tr.mode() != traceOff {
		if n > 0 {
			c.tr.record(c, ">", bytesWhat("wrote", n), p[:n])
		}
		c.tr.recFailed(c, err)
	}
	return n, err
}

const traceDoc = `Logs every byte every socket reads or writes to stderr: false turns it off, "text" shows the bytes as escaped text, "hex" as hexdump -C lines. Each entry starts with a line "< <socket> read N bytes" (received) or "> <socket> wrote N bytes" (sent), with the peer for a packet conn; EOF and close_write show too. Bytes are logged as they come off the socket, before Lua reads them. Returns the mode it replaces (false, "text" or "hex"). A socket's own c:trace(mode) wins. The CLI's --trace and --trace=hex turn it on before the script runs.`

// argTraceMode reads a trace mode: false, "text" or "hex"; nil too if
// allowNil (it gives traceInherit).
func argTraceMode(L *lua.LState, n int, allowNil bool) int32 {
	switch v := L.Get(n).(type) {
	case lua.LBool:
		if !v {
			return traceOff
		}
	case lua.LString:
		switch v {
		case "text":
			return traceText
		case "hex":
			return traceHex
		}
		argError(L, n, "mode", `false, "text" or "hex" expected, got %q`, string(v))
	case *lua.LNilType:
		if allowNil {
			return traceInherit
		}
	}
	argError(L, n, "mode", `false, "text" or "hex" expected, got %s`, typeName(L.Get(n)))
	return traceOff
}

func pushTraceMode(L *lua.LState, m int32) {
	if m == traceOff {
		L.Push(lua.LFalse)
		return
	}
	L.Push(lua.LString(traceModeNames[m]))
}

func (rt *Runtime) netTrace(L *lua.LState) int {
	m := argTraceMode(L, 1, false)
	pushTraceMode(L, rt.trace.mode.Swap(m))
	return 1
}

// SetTrace turns tracing of every socket on ("text" or "hex") or off
// (anything else), as net.trace does: the CLI's --trace option.
func (rt *Runtime) SetTrace(mode string) {
	m := traceOff
	switch mode {
	case "text":
		m = traceText
	case "hex":
		m = traceHex
	}
	rt.trace.mode.Store(m)
}

const traceMethodDoc = `Traces this socket alone, whatever net.trace says: false (off), "text" or "hex" (see net.trace); nil follows net.trace again.`

func (rt *Runtime) connTrace(L *lua.LState) int {
	c := rt.checkConn(L)
	c.tr.own.Store(argTraceMode(L, 2, true))
	L.Push(lua.LTrue)
	return 1
}

func (rt *Runtime) packetTrace(L *lua.LState) int {
	p := rt.checkPacketConn(L)
	p.tr.own.Store(argTraceMode(L, 2, true))
	L.Push(lua.LTrue)
	return 1
}

// traceDatagram logs a datagram read from (dir "<") or written to (">")
// peer, which may be nil.
func traceDatagram(t *sockTrace, sock fmt.Stringer, dir string, data []byte, peer net.Addr) {
	m := t.mode()
	if m == traceOff {
		return
	}
	if dir == "<" {
		t.awaitWrites()
	}
	if t.recording() {
		kind := transcript.Recv
		if dir == ">" {
			kind = transcript.Send
		}
		t.recEvent(sock, kind, peer, data, "")
	}
	if m == traceRecOnly || t.all == nil {
		return
	}
	what := bytesWhat("read", len(data))
	prep := " from "
	if dir == ">" {
		what, prep = bytesWhat("wrote", len(data)), " to "
	}
	if peer != nil && peer.String() != "" {
		what += prep + peer.String()
	}
	t.all.mu.Lock()
	defer t.all.mu.Unlock()
	writeTrace(t.all.out, m, dir, sock.String(), what, data)
}
