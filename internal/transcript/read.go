package transcript

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Limits bound what a Reader accepts, so that a transcript from anywhere
// costs at most this much memory. A zero field takes its default.
type Limits struct {
	MaxEvents   int   // events in the file (default DefaultMaxEvents)
	MaxSessions int   // open lines (default DefaultMaxSessions)
	MaxBytes    int64 // bytes of traffic, all data fields together (default DefaultMaxBytes)
}

// The default limits.
const (
	DefaultMaxEvents   = 1 << 20
	DefaultMaxSessions = 1 << 16
	DefaultMaxBytes    = 64 << 20
)

// maxDatagram bounds the bytes of one sendto or recvfrom event.
const maxDatagram = 65536

// A ReadError is a transcript the Reader refuses: the line, counted from 1,
// and what is wrong there. TooLarge says a limit was reached, not that
// the text is malformed.
type ReadError struct {
	Line     int
	Msg      string
	TooLarge bool
}

func (e *ReadError) Error() string { return fmt.Sprintf("transcript: line %d: %s", e.Line, e.Msg) }

// A Reader reads the events of a transcript one line at a time.
type Reader struct {
	s        *bufio.Scanner
	limits   Limits
	line     int
	events   int
	bytes    int64
	sessions map[int64]bool // the ids opened so far
	err      error          // sticky
}

// NewReader reads a transcript from r within limits.
func NewReader(r io.Reader, limits Limits) *Reader {
	if limits.MaxEvents <= 0 {
		limits.MaxEvents = DefaultMaxEvents
	}
	if limits.MaxSessions <= 0 {
		limits.MaxSessions = DefaultMaxSessions
	}
	if limits.MaxBytes <= 0 {
		limits.MaxBytes = DefaultMaxBytes
	}
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 0, 4096), MaxLine+1) // +1: the newline
	s.Split(splitLines)
	return &Reader{s: s, limits: limits, sessions: map[int64]bool{}}
}

// splitLines splits at "\n" only: a "\r" is not part of the format (the
// data escapes it), so a line ending in one is refused, not trimmed.
func splitLines(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// Line is the number of the last line read, counted from 1.
func (r *Reader) Line() int { return r.line }

// Next returns the next event, skipping comments; io.EOF at the end of
// the file; a *ReadError for a line that is not in the format or a limit
// reached; or the error of reading r. An error is final.
func (r *Reader) Next() (Event, error) {
	for r.err == nil {
		if !r.s.Scan() {
			switch err := r.s.Err(); {
			case errors.Is(err, bufio.ErrTooLong):
				r.fail(r.line+1, true, "line longer than %d bytes", MaxLine)
			case err != nil:
				r.err = err
			case r.line == 0:
				r.fail(1, false, "empty file: want the header %q", Header)
			default:
				r.err = io.EOF
			}
			break
		}
		r.line++
		text := r.s.Text()
		if r.line == 1 {
			r.header(text)
			continue
		}
		if strings.HasPrefix(text, "#") {
			continue
		}
		ev, msg := parseLine(text)
		if msg != "" {
			r.fail(r.line, false, "%s", msg)
			break
		}
		if r.check(&ev) {
			return ev, nil
		}
	}
	return Event{}, r.err
}

func (r *Reader) fail(line int, tooLarge bool, format string, args ...any) {
	r.err = &ReadError{Line: line, Msg: fmt.Sprintf(format, args...), TooLarge: tooLarge}
}

func (r *Reader) header(text string) {
	if text == Header {
		return
	}
	if v, ok := strings.CutPrefix(text, "# gonetrepl transcript "); ok {
		r.fail(1, false, "format version %.20q: this reader knows version %d", v, Version)
		return
	}
	r.fail(1, false, "not a gonetrepl transcript: want the header %q", Header)
}

// check applies the limits and the rules across lines (an id opened
// once, before its other events); false when it set r.err.
func (r *Reader) check(ev *Event) bool {
	r.events++
	if r.events > r.limits.MaxEvents {
		r.fail(r.line, true, "more than %d events", r.limits.MaxEvents)
		return false
	}
	if ev.Kind == Open {
		if r.sessions[ev.Session] {
			r.fail(r.line, false, "session %d opened twice", ev.Session)
			return false
		}
		if len(r.sessions) >= r.limits.MaxSessions {
			r.fail(r.line, true, "more than %d sessions", r.limits.MaxSessions)
			return false
		}
		r.sessions[ev.Session] = true
		return true
	}
	if !r.sessions[ev.Session] {
		r.fail(r.line, false, "session %d has no open line before its %s", ev.Session, ev.Kind)
		return false
	}
	if ev.Kind != Error {
		r.bytes += int64(len(ev.Data))
		if r.bytes > r.limits.MaxBytes {
			r.fail(r.line, true, "more than %d bytes of traffic", r.limits.MaxBytes)
			return false
		}
	}
	return true
}

// ReadAll reads every event of a transcript within limits.
func ReadAll(rd io.Reader, limits Limits) ([]Event, error) {
	r := NewReader(rd, limits)
	var events []Event
	for {
		ev, err := r.Next()
		if err == io.EOF {
			return events, nil
		}
		if err != nil {
			return nil, err
		}
		events = append(events, ev)
	}
}

// networks are the values of an open line's NETWORK.
var networks = map[string]bool{
	"tcp": true, "tcp4": true, "tcp6": true, "udp": true, "udp4": true, "udp6": true,
	"unix": true, "unixgram": true, "pipe": true, "proc": true,
}

// parseLine parses one event line; msg says what is wrong, if anything.
func parseLine(line string) (ev Event, msg string) {
	f := strings.Split(line, " ")
	if len(f) < 3 {
		return ev, "want TIME SESSION EVENT [FIELDS]"
	}
	t, ok := parseTime(f[0])
	if !ok {
		return ev, fmt.Sprintf("bad time %.40q", f[0])
	}
	id, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil || id <= 0 || f[1][0] == '+' || f[1][0] == '0' {
		return ev, fmt.Sprintf("bad session id %.40q: want a positive decimal", f[1])
	}
	ev.Time, ev.Session, ev.Kind = t, id, Kind(f[2])
	rest := f[3:]
	switch ev.Kind {
	case Open:
		return ev, parseOpen(&ev, rest)
	case Send, Recv:
		if len(rest) < 2 {
			return ev, fmt.Sprintf("%s: want N DATA", ev.Kind)
		}
		ev.Data, msg = parseData(rest[0], strings.Join(rest[1:], " "), MaxData)
	case SendTo, RecvFrom:
		if len(rest) < 3 || rest[0] == "" {
			return ev, fmt.Sprintf("%s: want ADDR N DATA", ev.Kind)
		}
		ev.Addr = rest[0]
		ev.Data, msg = parseData(rest[1], strings.Join(rest[2:], " "), maxDatagram)
	case Shutdown, EOF, Close:
		if len(rest) != 0 {
			return ev, fmt.Sprintf("%s takes no fields", ev.Kind)
		}
	case Error:
		if len(rest) < 2 || !isWord(rest[0]) {
			return ev, "error: want KIND MESSAGE"
		}
		ev.ErrKind = rest[0]
		data, err := Unquote(strings.Join(rest[1:], " "))
		if err != nil {
			return ev, err.Error()
		}
		ev.Data = data
	default:
		return ev, fmt.Sprintf("unknown event %.40q", f[2])
	}
	if msg != "" {
		msg = string(ev.Kind) + ": " + msg
	}
	return ev, msg
}

// parseTime parses SECONDS[.FRACTION], up to nine decimals, exactly.
func parseTime(s string) (time.Time, bool) {
	secText, frac, _ := strings.Cut(s, ".")
	if secText == "" || len(secText) > 12 || !isDigits(secText) || len(frac) > 9 || !isDigits(frac) {
		return time.Time{}, false
	}
	sec, _ := strconv.ParseInt(secText, 10, 64)
	var nsec int64
	if frac != "" {
		nsec, _ = strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
	}
	return time.Unix(sec, nsec), true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isWord: a field value without spaces, quotes or control bytes.
func isWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f || s[i] == '"' {
			return false
		}
	}
	return true
}

func parseOpen(ev *Event, f []string) string {
	if len(f) < 3 {
		return "open: want NETWORK LOCAL REMOTE"
	}
	if !networks[f[0]] {
		return fmt.Sprintf("open: unknown network %.40q", f[0])
	}
	if !isWord(f[1]) || !isWord(f[2]) {
		return "open: an address must be a word (\"-\" when not known)"
	}
	ev.Network, ev.Local, ev.Remote = f[0], f[1], f[2]
	f = f[3:]
	if len(f) > 0 && (f[0] == "dial" || f[0] == "accept") {
		ev.Role, f = f[0], f[1:]
	}
	if len(f) == 0 {
		return ""
	}
	if f[0] != "tls" {
		return fmt.Sprintf("open: unexpected %.40q: want dial, accept or tls", f[0])
	}
	ev.TLS = true
	for _, kv := range f[1:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !isWord(k) || !isWord(v) && v != "" {
			return fmt.Sprintf("open: tls fact %.40q: want KEY=VALUE", kv)
		}
		if ev.TLSFacts == nil {
			ev.TLSFacts = map[string]string{}
		}
		if _, dup := ev.TLSFacts[k]; dup {
			return fmt.Sprintf("open: tls fact %.40q given twice", k)
		}
		ev.TLSFacts[k] = v
	}
	return ""
}

// parseData parses N and the quoted DATA, checking that N counts it.
func parseData(count, quoted string, max int) ([]byte, string) {
	n, err := strconv.Atoi(count)
	if err != nil || n < 0 || count[0] == '+' || count[0] == '-' || len(count) > 1 && count[0] == '0' {
		return nil, fmt.Sprintf("bad count %.40q", count)
	}
	if n > max {
		return nil, fmt.Sprintf("count %d over the %d bytes of one event", n, max)
	}
	data, err := Unquote(quoted)
	if err != nil {
		return nil, err.Error()
	}
	if len(data) != n {
		return nil, fmt.Sprintf("count %d but the data has %d bytes", n, len(data))
	}
	return data, ""
}
