package bindings

// Recording: net.record / c:record / pc:record write a transcript
// (internal/transcript), net.capture / c:capture / pc:capture a pcapng
// file (capture.go). A recorder is a sink beside tracing: the hooks that
// trace (sockTrace.record, traceDatagram) feed both, so a socket that is
// recorded takes the same watched paths a traced one does (relay.go,
// sendfile.go: no splice). Off, recording costs the hook one atomic load
// per socket and one per runtime.
//
// A recorder opens a session for a socket the first time it sees it (an
// open line with both addresses), so every socket the script uses after
// net.record is in the file, including those made before. It is bounded:
// past opts.max_bytes of file (default 1 GiB) it stops, saying so once
// on stderr and, in a transcript, in a last comment; a write error (a full
// disk) stops it too, reported once on stderr. The script goes on either
// way.
//
// A recorder writes its file through a buffer, not an event at a time: a
// round trip through a relay is eight events, and a write(2) for each
// cost more than the rest of the recording (BenchmarkRecordRelay). What
// the buffer holds goes to the file recFlushDelay after the first event
// it took (the file grows as the traffic goes: tail -f works), at once
// when a socket it records closes, and when the recorder stops: net.record(false), a new net.record, the
// runtime's Close (the CLI's every way out: the script's end, an error,
// os.exit, a signal).

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"

	"github.com/gonetrepl/gonetrepl/internal/transcript"
)

// traceRecOnly is the mode sockTrace.mode gives when tracing is off but a
// recorder watches the socket: not off, so the watched paths are taken.
const traceRecOnly int32 = 3

// defaultRecordMax bounds a recording's file when opts.max_bytes is not
// given.
const defaultRecordMax = 1 << 30

// recSet is the recorders watching a socket or the whole runtime: at most
// a transcript and a capture. It is never changed once stored.
type recSet struct {
	record, capture *recorder
}

// recSink is a file format a recorder writes, into the recorder's buffer.
type recSink interface {
	// write writes one event of session s (an open first).
	write(s *recSession, ev *transcript.Event) error
	// flush hands on what the sink holds back, if anything.
	flush() error
	// size is how many bytes the file has taken so far, buffered or not.
	size() int64
	// end writes note (if not "") as a comment, and what it holds.
	end(note string) error
}

// recBufSize is the recorder's buffer: past it, a write goes to the file
// at once.
const recBufSize = 64 << 10

// recFlushDelay is how long an event may wait in the recorder's buffer.
const recFlushDelay = 50 * time.Millisecond

// recSession is one socket as a recorder knows it.
type recSession struct {
	id            int64
	network       string // as the transcript names it: tcp, udp, unix, pipe, proc...
	local, remote net.Addr
	role          string // "dial", "accept" or ""
	datagram      bool
	tls           bool
	tlsFacts      map[string]string
	sinkState     any // the capture's TCP numbering
}

// recSource is a socket a recorder can describe.
type recSource interface {
	recInfo() recSession
}

// recorder writes the events of the sockets it watches to one file.
type recorder struct {
	mu       sync.Mutex
	path     string
	f        *os.File
	buf      *bufio.Writer // between the sink and f
	flusher  *time.Timer   // armed while buf holds events: flushLater
	armed    bool
	sink     recSink
	max      int64
	errOut   io.Writer
	stopped  bool
	sessions map[recSource]*recSession
	next     int64
	// counts, for net.record(false): events and bytes once in the file;
	// buffered, the ones since the last flush
	nSessions, nEvents, nBytes int64
	bufEvents, bufBytes        int64
}

// openRecorder creates (or, if appendTo, appends to) the file at path,
// readable by its owner alone (traffic holds secrets), and puts the sink
// made by mk on it, behind the recorder's buffer.
func openRecorder(path string, appendTo bool, max int64, errOut io.Writer, mk func(w io.Writer, appended bool) (recSink, error)) (*recorder, error) {
	// O_NONBLOCK: a FIFO without a reader fails instead of holding the
	// interpreter in open (as the key log's keyLogFlags).
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC | syscall.O_NONBLOCK
	if appendTo {
		flags = os.O_WRONLY | os.O_CREATE | os.O_APPEND | syscall.O_NONBLOCK
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if err != nil {
		return nil, err
	}
	appended := false
	if appendTo {
		if st, err := f.Stat(); err == nil && st.Size() > 0 {
			appended = true
		}
	}
	buf := bufio.NewWriterSize(f, recBufSize)
	sink, err := mk(buf, appended)
	if err == nil {
		err = buf.Flush() // a header: the file is one from the start
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return &recorder{path: path, f: f, buf: buf, sink: sink, max: max, errOut: errOut, sessions: map[recSource]*recSession{}}, nil
}

// event records one event of src: kind with data, and for a datagram its
// peer (nil: the socket's remote address).
func (r *recorder) event(src recSource, kind transcript.Kind, peer net.Addr, data []byte, errKind string) {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return
	}
	s := r.sessions[src]
	if s == nil {
		info := src.recInfo()
		s = &info
		r.next++
		s.id = r.next
		r.sessions[src] = s
		r.nSessions++
		open := transcript.Event{Time: now, Session: s.id, Kind: transcript.Open, Network: s.network,
			Local: recAddr(s.local), Remote: recAddr(s.remote), Role: s.role, TLS: s.tls, TLSFacts: s.tlsFacts}
		if !r.put(s, &open) {
			return
		}
	}
	ev := transcript.Event{Time: now, Session: s.id, Kind: kind, Data: data, ErrKind: errKind}
	if s.datagram && (kind == transcript.Send || kind == transcript.Recv) {
		ev.Kind = transcript.SendTo
		if kind == transcript.Recv {
			ev.Kind = transcript.RecvFrom
		}
		if peer == nil {
			peer = s.remote
		}
		ev.Addr = recAddr(peer)
	}
	if r.put(s, &ev) && kind != transcript.Error {
		r.bufBytes += int64(len(data))
	}
	if kind == transcript.Close {
		delete(r.sessions, src)
		// A socket's end goes to the file at once: a script reads its
		// recording after closing the socket, often without stopping it.
		if !r.stopped {
			if err := r.flush(); err != nil {
				r.halt("", err)
			}
		}
	}
}

// put writes ev unless the file is full or broken, which stops the
// recorder; it reports whether ev was written. r.mu is held.
func (r *recorder) put(s *recSession, ev *transcript.Event) bool {
	if r.sink.size() >= r.max {
		r.halt(fmt.Sprintf("max_bytes %d reached", r.max), nil)
		return false
	}
	if err := r.sink.write(s, ev); err != nil {
		r.halt("", err)
		return false
	}
	r.bufEvents++
	if !r.armed {
		r.armed = true
		if r.flusher == nil {
			r.flusher = time.AfterFunc(recFlushDelay, r.flushLater)
		} else {
			r.flusher.Reset(recFlushDelay)
		}
	}
	return true
}

// flushLater writes what the buffer holds, recFlushDelay after the first
// event it took; a write error stops the recorder.
func (r *recorder) flushLater() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.armed = false
	if r.stopped {
		return
	}
	if err := r.flush(); err != nil {
		r.halt("", err)
	}
}

// flush writes what the buffer holds to the file; its events count as
// written once they are there (after a write error, they do not). r.mu
// is held.
func (r *recorder) flush() error {
	if err := r.sink.flush(); err != nil {
		return err
	}
	if err := r.buf.Flush(); err != nil {
		return err
	}
	r.nEvents += r.bufEvents
	r.nBytes += r.bufBytes
	r.bufEvents, r.bufBytes = 0, 0
	return nil
}

// halt stops the recorder: early for reason ("max_bytes 300 reached"),
// which a transcript ends with as a comment, or for a write error. Either
// is said once on stderr, since a script goes on without its recording
// and a pcapng file has no place a reader shows for it. r.mu is held.
func (r *recorder) halt(reason string, err error) {
	r.stopped = true
	if r.flusher != nil {
		r.flusher.Stop() // or it runs, finds r stopped and does nothing
	}
	note := ""
	if reason != "" {
		note = "recording stopped: " + reason
	}
	if err == nil {
		err = r.sink.end(note)
	}
	if err == nil {
		err = r.flush()
	}
	if closeErr := r.f.Close(); err == nil {
		err = closeErr
	}
	if r.errOut == nil {
		return
	}
	switch {
	case err != nil:
		fmt.Fprintf(r.errOut, "gonetrepl: recording to %s stopped: %v\n", r.path, err)
	case reason != "":
		fmt.Fprintf(r.errOut, "gonetrepl: recording to %s stopped: %s\n", r.path, reason)
	}
}

// stop ends the recording (if it is not over already) and returns its
// counts.
func (r *recorder) stop() (sessions, events, bytes int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.stopped {
		r.halt("", nil)
	}
	return r.nSessions, r.nEvents, r.nBytes
}

// recAddr is an address as a transcript field: "-" when not known, and
// spaces (a process tube's "pid 42") as underscores.
func recAddr(a net.Addr) string {
	if a == nil || a.String() == "" {
		return "-"
	}
	return strings.ReplaceAll(a.String(), " ", "_")
}

// recNetwork names the transport under a TLS conn for the open line.
func recNetwork(a net.Addr, fallback string) string {
	if a != nil {
		return a.Network()
	}
	return fallback
}

func (c *Conn) recInfo() recSession {
	s := recSession{network: c.network, local: c.nc.LocalAddr(), remote: c.nc.RemoteAddr(), role: c.role, datagram: c.datagram}
	if tc, ok := c.nc.(*tlsConn); ok {
		s.network = recNetwork(s.local, "tcp")
		s.tls = true
		st := tc.ConnectionState()
		s.tlsFacts = map[string]string{"alpn": st.NegotiatedProtocol, "sni": st.ServerName}
		if tc.serverName != "" {
			s.tlsFacts["sni"] = tc.serverName
		}
		if v := tls.VersionName(st.Version); strings.HasPrefix(v, "TLS ") {
			s.tlsFacts["version"] = strings.TrimPrefix(v, "TLS ")
		}
	}
	return s
}

func (p *PacketConn) recInfo() recSession {
	return recSession{network: p.network, local: p.pc.LocalAddr(), datagram: true}
}

// recording reports whether a recorder watches the socket.
func (t *sockTrace) recording() bool {
	return t.recs.Load() != nil || (t.all != nil && t.all.recs.Load() != nil)
}

// recEvent gives an event to every recorder watching the socket.
func (t *sockTrace) recEvent(sock any, kind transcript.Kind, peer net.Addr, data []byte, errKind string) {
	src, ok := sock.(recSource)
	if !ok {
		return
	}
	var sets [2]*recSet
	sets[0] = t.recs.Load()
	if t.all != nil {
		sets[1] = t.all.recs.Load()
	}
	var seen [4]*recorder
	n := 0
	for _, set := range sets {
		if set == nil {
			continue
		}
		for _, r := range [2]*recorder{set.record, set.capture} {
			if r == nil || r == seen[0] || r == seen[1] || r == seen[2] {
				continue
			}
			seen[n] = r
			n++
			r.event(src, kind, peer, data, errKind)
		}
	}
}

// recTraced maps a trace event (sockTrace.record's dir and what) to a
// recorder's event.
func (t *sockTrace) recTraced(sock any, dir, what string, data []byte) {
	kind := transcript.Send
	switch {
	case what == "close_write":
		kind = transcript.Shutdown
	case what == "read EOF":
		kind = transcript.EOF
	case dir == "<":
		kind = transcript.Recv
	}
	t.recEvent(sock, kind, nil, data, "")
}

// recClosed records that this side closed the socket.
func (t *sockTrace) recClosed(sock any) {
	if t.recording() {
		t.recEvent(sock, transcript.Close, nil, nil, "")
	}
}

// recFailed records a read or write that failed, other than by EOF, a
// deadline or a cancel (which are the script's doing, not the peer's).
func (t *sockTrace) recFailed(sock any, err error) {
	if err == nil || !t.recording() {
		return
	}
	switch kind := classify(err); kind {
	case kindEOF, kindTimeout, kindCanceled:
	default:
		t.recEvent(sock, transcript.Error, nil, []byte(err.Error()), kind)
	}
}

// recorders is the state of net.record and net.capture, and every
// recorder a runtime has open, stopped when it closes.
type recorders struct {
	mu   sync.Mutex
	open map[*recorder]bool
}

func (rs *recorders) add(r *recorder) {
	rs.mu.Lock()
	if rs.open == nil {
		rs.open = map[*recorder]bool{}
	}
	rs.open[r] = true
	rs.mu.Unlock()
}

func (rs *recorders) remove(r *recorder) {
	rs.mu.Lock()
	delete(rs.open, r)
	rs.mu.Unlock()
}

// stopAll ends every recording: the runtime closes.
func (rs *recorders) stopAll() {
	rs.mu.Lock()
	open := rs.open
	rs.open = nil
	rs.mu.Unlock()
	for r := range open {
		r.stop()
	}
}

// recKind says which of a recSet's two a call changes.
type recKind int

const (
	recTranscript recKind = iota
	recCapture
)

// swapRec installs r (nil: none) as the transcript or capture in the set
// at p, returning the one it replaces. Changes are serialized by mu.
func swapRec(mu *sync.Mutex, p *atomic.Pointer[recSet], k recKind, r *recorder) *recorder {
	mu.Lock()
	defer mu.Unlock()
	var next recSet
	if cur := p.Load(); cur != nil {
		next = *cur
	}
	var old *recorder
	if k == recTranscript {
		old, next.record = next.record, r
	} else {
		old, next.capture = next.capture, r
	}
	if next.record == nil && next.capture == nil {
		p.Store(nil)
	} else {
		p.Store(&next)
	}
	return old
}

// recordOptsShape lists the options of net.record, net.capture and the
// socket methods.
var recordOptsShape = shape{class: "gonetrepl.record_opts", opts: true, code: "argRecordOpts",
	doc: "The options of net.record, net.capture, c:record, c:capture, pc:record and pc:capture.",
	fields: []field{
		{"max_bytes", "integer", "the most bytes the file may take (default 1 GiB); past it recording stops, said once on stderr (and by a last comment line in a transcript), the script going on"},
		{"append", "boolean", "add to the file rather than replace it (a capture appends a new pcapng section)"},
	}}

// recordCounts lists what stopping a recording returns (recordStart).
var recordCounts = shape{class: "gonetrepl.record_counts", code: "recordStart",
	doc: "What net.record(false) and the other stops return: the recording's counts.",
	fields: []field{
		{"path", "string", "the file recorded to"},
		{"sessions", "integer", "how many sockets it recorded"},
		{"events", "integer", "how many events it wrote (a transcript's lines, headers and comments aside)"},
		{"bytes", "integer", "how many bytes of traffic those events carried"},
	}}

type recordOpts struct {
	max      int64
	appendTo bool
}

func argRecordOpts(L *lua.LState, n int) recordOpts {
	opts := argOptions(L, n, recordOptsShape)
	o := recordOpts{max: defaultRecordMax, appendTo: fieldBool(L, n, opts, "append")}
	if opts != nil {
		switch v := opts.RawGetString("max_bytes").(type) {
		case *lua.LNilType:
		case lua.LNumber:
			if v < 1 || v != lua.LNumber(int64(v)) {
				argError(L, n, "opts.max_bytes", "a positive integer expected, got %s", describeValue(v))
			}
			o.max = int64(v)
		default:
			argError(L, n, "opts.max_bytes", "a positive integer expected, got %s", typeName(v))
		}
	}
	return o
}

// recordStart reads (path | false [, opts]) at argument n and starts or
// stops the recorder of kind k in the set at p: it pushes true (or nil,
// err) for a start, and the stopped recording's counts (or nil) for a stop.
func (rt *Runtime) recordStart(L *lua.LState, n int, p *atomic.Pointer[recSet], k recKind) int {
	if v, ok := L.Get(n).(lua.LBool); ok && !bool(v) {
		old := swapRec(&rt.trace.recMu, p, k, nil)
		if old == nil {
			L.Push(lua.LNil)
			return 1
		}
		s, e, b := rt.stopRec(old)
		t := L.CreateTable(0, 4)
		t.RawSetString("path", lua.LString(old.path))
		t.RawSetString("sessions", lua.LNumber(s))
		t.RawSetString("events", lua.LNumber(e))
		t.RawSetString("bytes", lua.LNumber(b))
		L.Push(t)
		return 1
	}
	path := argPath(L, n, "path")
	o := argRecordOpts(L, n+1)
	mk := newTranscriptSink
	if k == recCapture {
		mk = newCaptureSink
	}
	if err := rt.startRec(p, k, path, o.appendTo, o.max, mk); err != nil {
		return rt.pushError(L, err, "open", path)
	}
	L.Push(lua.LTrue)
	return 1
}

// startRec opens a recorder of kind k on path and puts it in the set at
// p, stopping the one it replaces. That one is stopped after the new file
// opened, so that a failed open leaves it running, unless it writes the
// same file: then it is stopped first, or the events in its buffer would
// land, at its old offset, in the file the new one just truncated.
func (rt *Runtime) startRec(p *atomic.Pointer[recSet], k recKind, path string, appendTo bool, max int64, mk func(w io.Writer, appended bool) (recSink, error)) error {
	if cur := p.Load(); cur != nil && cur.get(k).writes(path) {
		rt.stopRec(swapRec(&rt.trace.recMu, p, k, nil))
	}
	r, err := openRecorder(path, appendTo, max, rt.stderr, mk)
	if err != nil {
		return err
	}
	rt.trace.recs0.add(r)
	rt.stopRec(swapRec(&rt.trace.recMu, p, k, r))
	return nil
}

// stopRec stops r, a recorder taken out of its set, if not nil, and
// returns its counts.
func (rt *Runtime) stopRec(r *recorder) (sessions, events, bytes int64) {
	if r == nil {
		return 0, 0, 0
	}
	rt.trace.recs0.remove(r)
	return r.stop()
}

// get is the set's recorder of kind k.
func (s *recSet) get(k recKind) *recorder {
	if k == recTranscript {
		return s.record
	}
	return s.capture
}

// writes reports whether r (which may be nil) writes the file at path.
func (r *recorder) writes(path string) bool {
	if r == nil {
		return false
	}
	mine, err := r.f.Stat()
	if err != nil {
		return false
	}
	st, err := os.Stat(path)
	return err == nil && os.SameFile(mine, st)
}

// argPath reads a file path argument.
func argPath(L *lua.LState, n int, name string) string {
	s, ok := L.Get(n).(lua.LString)
	if !ok || s == "" {
		argError(L, n, name, "a file path (or false) expected, got %s", describeValue(L.Get(n)))
	}
	return string(s)
}

const recordDoc = "Records every socket the runtime uses from now on (conns, packet conns, TLS conns as their plaintext, process tubes) to a transcript at path: one event per line, readable with grep (docs/TRANSCRIPT.md). The file is created 0600 (traffic holds secrets), replaced unless opts.append. Past opts.max_bytes (default 1 GiB) of file, or on a write error (a full disk), recording stops, said once on stderr (and by a last comment line in the transcript), and the script goes on. net.record(false) stops and returns the counts {path, sessions, events, bytes} (nil if none was running); a new net.record replaces the running one. Events reach the file through a buffer, within 50 ms of their time (tail -f follows it), at once when their socket closes, and all of them when recording stops: net.record(false), a new net.record, the script's end, os.exit or a signal. The CLI's --record FILE starts it before the script runs."

const captureDoc = "Records every socket the runtime uses from now on as a pcapng file that tshark and Wireshark open: each TCP conn as synthesized IPv4/IPv6 + TCP frames (a SYN handshake at its first event, consistent seq/ack, data segments of at most 64 KiB, FIN at close_write and close) with its real addresses, ports and timestamps, each datagram as one UDP frame. TLS conns are written as their plaintext (TCP port as it was, so Wireshark dissects the protocol inside; the transcript's open line names the TLS facts): no session keys are needed to read it. Unix sockets, pipes and process tubes are left out (they have no IP addresses). Created 0600; opts as net.record. net.capture(false) stops and returns the counts. The CLI's --pcap FILE starts it before the script runs."

const recordMethodDoc = "Records this socket alone to a transcript at path (see net.record), whatever net.record does; false stops and returns the counts."

const captureMethodDoc = "Records this socket alone as pcapng at path (see net.capture); false stops and returns the counts."

func (rt *Runtime) netRecord(L *lua.LState) int {
	return rt.recordStart(L, 1, &rt.trace.recs, recTranscript)
}

func (rt *Runtime) netCapture(L *lua.LState) int {
	return rt.recordStart(L, 1, &rt.trace.recs, recCapture)
}

func (rt *Runtime) connRecord(L *lua.LState) int {
	c := rt.checkConn(L)
	return rt.recordStart(L, 2, &c.tr.recs, recTranscript)
}

func (rt *Runtime) connCapture(L *lua.LState) int {
	c := rt.checkConn(L)
	return rt.recordStart(L, 2, &c.tr.recs, recCapture)
}

func (rt *Runtime) packetRecord(L *lua.LState) int {
	p := rt.checkPacketConn(L)
	return rt.recordStart(L, 2, &p.tr.recs, recTranscript)
}

func (rt *Runtime) packetCapture(L *lua.LState) int {
	p := rt.checkPacketConn(L)
	return rt.recordStart(L, 2, &p.tr.recs, recCapture)
}

// StartRecording starts net.record (transcript) or net.capture (pcapng)
// to path before the script runs: the CLI's --record and --pcap.
func (rt *Runtime) StartRecording(path string, pcap bool) error {
	mk, k := newTranscriptSink, recTranscript
	if pcap {
		mk, k = newCaptureSink, recCapture
	}
	return rt.startRec(&rt.trace.recs, k, path, false, defaultRecordMax, mk)
}

// StopRecording ends every recording the runtime has open, flushing the
// files; Close does it too.
func (rt *Runtime) StopRecording() { rt.trace.recs0.stopAll() }

// transcriptSink writes a transcript.
type transcriptSink struct {
	w *transcript.Writer
}

func newTranscriptSink(w io.Writer, appended bool) (recSink, error) {
	s := &transcriptSink{w: transcript.NewWriter(w)}
	if appended {
		s.w.SkipHeader()
	}
	return s, nil
}

func (s *transcriptSink) write(_ *recSession, ev *transcript.Event) error {
	return s.w.Write(ev) // its buffer is the recorder's (bufio.NewWriterSize)
}

func (s *transcriptSink) flush() error { return s.w.Flush() }

func (s *transcriptSink) size() int64 { return s.w.Written() }

func (s *transcriptSink) end(note string) error {
	var err error
	if note != "" {
		err = s.w.Comment(note)
	}
	return errors.Join(err, s.w.Flush())
}
