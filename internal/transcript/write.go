package transcript

import (
	"bufio"
	"io"
	"sort"
	"strconv"
	"time"
)

// AppendEvent appends ev as one line of the format, with its newline. A
// send or recv event is written as it is: the caller splits data over
// MaxData (Writer does). Fields that would hold a space or nothing (an
// address, a TLS fact) are written as "-" or left out, so the line always
// splits on single spaces.
func AppendEvent(b []byte, ev *Event) []byte {
	b = appendTime(b, ev.Time)
	b = append(b, ' ')
	b = strconv.AppendInt(b, ev.Session, 10)
	b = append(b, ' ')
	b = append(b, ev.Kind...)
	switch ev.Kind {
	case Open:
		b = appendField(b, ev.Network)
		b = appendField(b, ev.Local)
		b = appendField(b, ev.Remote)
		if ev.Role != "" {
			b = appendField(b, ev.Role)
		}
		if ev.TLS {
			b = append(b, " tls"...)
			keys := make([]string, 0, len(ev.TLSFacts))
			for k := range ev.TLSFacts {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				v := ev.TLSFacts[k]
				if v == "" || !token(k) || !token(v) {
					continue
				}
				b = append(b, ' ')
				b = append(b, k...)
				b = append(b, '=')
				b = append(b, v...)
			}
		}
	case Send, Recv:
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(len(ev.Data)), 10)
		b = append(b, ' ')
		b = AppendQuote(b, ev.Data)
	case SendTo, RecvFrom:
		b = appendField(b, ev.Addr)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(len(ev.Data)), 10)
		b = append(b, ' ')
		b = AppendQuote(b, ev.Data)
	case Error:
		b = appendField(b, ev.ErrKind)
		b = append(b, ' ')
		b = AppendQuote(b, ev.Data)
	}
	return append(b, '\n')
}

// appendTime writes seconds since the epoch with six decimals.
func appendTime(b []byte, t time.Time) []byte {
	us := t.UnixMicro()
	sec, frac := us/1e6, us%1e6
	if frac < 0 {
		sec, frac = sec-1, frac+1e6
	}
	b = strconv.AppendInt(b, sec, 10)
	b = append(b, '.')
	s := strconv.AppendInt(nil, frac, 10)
	for i := len(s); i < 6; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// appendField appends " v", with "-" for a value that is empty or not a
// token (a space or a control byte would break the line's fields).
func appendField(b []byte, v string) []byte {
	b = append(b, ' ')
	if v == "" || !token(v) {
		return append(b, '-')
	}
	return append(b, v...)
}

// token reports whether v is printable ASCII without spaces.
func token(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] <= ' ' || v[i] >= 0x7f {
			return false
		}
	}
	return true
}

// Writer writes a transcript: the header first, then one line per event,
// splitting send and recv data over MaxData into several events. It is not
// safe for concurrent use (the recorder serializes its calls). Errors are
// sticky: after one, every call returns it.
type Writer struct {
	w       *bufio.Writer
	err     error
	started bool
	buf     []byte
	n       int64 // bytes written, header included
}

// NewWriter returns a Writer on w. The header is written with the first
// event (or by Flush), so that appending to an existing transcript can
// skip it: see SkipHeader.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: bufio.NewWriterSize(w, 64<<10)}
}

// SkipHeader tells the Writer not to write the header: the file it writes
// to already starts with one.
func (w *Writer) SkipHeader() { w.started = true }

// Written is how many bytes the Writer has taken so far (buffered or not).
func (w *Writer) Written() int64 { return w.n }

func (w *Writer) start() {
	if !w.started {
		w.started = true
		w.line([]byte(Header + "\n"))
	}
}

func (w *Writer) line(b []byte) {
	if w.err != nil {
		return
	}
	m, err := w.w.Write(b)
	w.n += int64(m)
	w.err = err
}

// Write writes ev, as several lines if it is a send or recv of more than
// MaxData bytes.
func (w *Writer) Write(ev *Event) error {
	w.start()
	if (ev.Kind == Send || ev.Kind == Recv) && len(ev.Data) > MaxData {
		part := *ev
		for data := ev.Data; len(data) > 0 && w.err == nil; {
			n := min(len(data), MaxData)
			part.Data = data[:n]
			w.buf = AppendEvent(w.buf[:0], &part)
			w.line(w.buf)
			data = data[n:]
		}
		return w.err
	}
	w.buf = AppendEvent(w.buf[:0], ev)
	w.line(w.buf)
	return w.err
}

// Comment writes "# text" as a line; text must not hold a newline (one
// that does is cut there).
func (w *Writer) Comment(text string) error {
	w.start()
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' || text[i] == '\r' {
			text = text[:i]
			break
		}
	}
	w.line([]byte("# " + text + "\n"))
	return w.err
}

// Flush writes what is buffered to the underlying writer.
func (w *Writer) Flush() error {
	w.start()
	if w.err == nil {
		w.err = w.w.Flush()
	}
	return w.err
}
