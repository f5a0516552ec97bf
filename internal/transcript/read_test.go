package transcript

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// sample is the example of the package doc, with each session opened.
const sample = Header + `
1733366400.123456 1 open tcp 127.0.0.1:50312 127.0.0.1:6379 dial
1733366400.123502 1 send 14 "*1\r\n$4\r\nPING\r\n"
1733366400.123790 1 recv 7 "+PONG\r\n"
# a comment
1733366400.124001 1 shutdown
1733366400.124100 1 eof
1733366400.124200 1 close
1733366400.200000 2 open tcp 127.0.0.1:443 127.0.0.1:50400 accept tls version=1.3 alpn=h2 sni=example.com
1733366400.300000 3 open udp 127.0.0.1:5353 -
1733366400.300100 3 sendto 127.0.0.1:53 4 "\x12\x34a "
1733366400.300200 3 recvfrom 127.0.0.1:53 3 "\"\\\x7f"
1733366400.400000 2 error reset "read tcp 127.0.0.1:443->127.0.0.1:50400: connection reset by peer"
`

func TestReadSample(t *testing.T) {
	events, err := ReadAll(strings.NewReader(sample), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 11 {
		t.Fatalf("%d events, want 11", len(events))
	}
	e := events[0]
	if e.Kind != Open || e.Session != 1 || e.Network != "tcp" || e.Local != "127.0.0.1:50312" ||
		e.Remote != "127.0.0.1:6379" || e.Role != "dial" || e.TLS || !e.Time.Equal(time.Unix(1733366400, 123456000)) {
		t.Errorf("open: %+v", e)
	}
	if got := string(events[1].Data); events[1].Kind != Send || got != "*1\r\n$4\r\nPING\r\n" {
		t.Errorf("send: %q", got)
	}
	if got := string(events[2].Data); events[2].Kind != Recv || got != "+PONG\r\n" {
		t.Errorf("recv: %q", got)
	}
	tls := events[6]
	want := map[string]string{"version": "1.3", "alpn": "h2", "sni": "example.com"}
	if tls.Role != "accept" || !tls.TLS || !maps.Equal(tls.TLSFacts, want) {
		t.Errorf("tls open: %+v", tls)
	}
	if u := events[7]; u.Role != "" || u.Remote != "-" {
		t.Errorf("udp open: %+v", u)
	}
	if d := events[8]; d.Kind != SendTo || d.Addr != "127.0.0.1:53" || string(d.Data) != "\x12\x34a " {
		t.Errorf("sendto: %+v", d)
	}
	if d := events[9]; d.Kind != RecvFrom || string(d.Data) != "\"\\\x7f" {
		t.Errorf("recvfrom: %q", d.Data)
	}
	if e := events[10]; e.Kind != Error || e.ErrKind != "reset" || !strings.HasSuffix(string(e.Data), "by peer") {
		t.Errorf("error: %+v", e)
	}
}

// TestReadRefuses checks that each malformed line is refused with its
// line number and a message saying what is wrong.
func TestReadRefuses(t *testing.T) {
	open := "1.5 1 open tcp a b dial\n"
	for _, tt := range []struct{ name, text, want string }{
		{"empty", "", "line 1: empty file"},
		{"no header", "1.5 1 open tcp a b\n", "line 1: not a gonetrepl transcript"},
		{"other version", "# gonetrepl transcript 2\n", "line 1: format version \"2\""},
		{"few fields", "1.5 1\n", "line 2: want TIME SESSION"},
		{"bad time", "1.5x 1 close\n", "line 2: bad time"},
		{"long fraction", "1.1234567890 1 close\n", "line 2: bad time"},
		{"zero id", "1.5 0 close\n", "line 2: bad session id"},
		{"negative id", "1.5 -1 close\n", "line 2: bad session id"},
		{"unknown event", "1.5 1 hello\n", `line 2: unknown event "hello"`},
		{"unknown network", "1.5 1 open sctp a b\n", `line 2: open: unknown network "sctp"`},
		{"bad role", "1.5 1 open tcp a b listen\n", `line 2: open: unexpected "listen"`},
		{"bad fact", "1.5 1 open tcp a b dial tls version\n", `line 2: open: tls fact "version"`},
		{"no open", "1.5 1 close\n", "line 2: session 1 has no open line before its close"},
		{"opened twice", open + open, "line 3: session 1 opened twice"},
		{"fields on close", open + "1.5 1 close now\n", "line 3: close takes no fields"},
		{"count mismatch", open + "1.5 1 send 3 \"ab\"\n", "line 3: send: count 3 but the data has 2 bytes"},
		{"count over", open + "1.5 1 recv 4097 \"\"\n", "line 3: recv: count 4097 over"},
		{"unquoted", open + "1.5 1 send 2 ab\n", "line 3: send: data must be in double quotes"},
		{"raw control", open + "1.5 1 send 2 \"a\rb\"\n", "line 3: send: raw byte 0x0d"},
		{"raw high", open + "1.5 1 send 1 \"\xff\"\n", "line 3: send: raw byte 0xff"},
		{"inner quote", open + "1.5 1 send 3 \"a\"b\"\n", "line 3: send: unescaped quote"},
		{"bad escape", open + "1.5 1 send 1 \"\\q\"\n", `line 3: send: unknown escape \q`},
		{"short hex", open + "1.5 1 send 1 \"\\x4\"\n", `line 3: send: \x wants two hex digits`},
		{"bad hex", open + "1.5 1 send 1 \"\\xg1\"\n", `line 3: send: \x"g1"`},
		{"crlf", open + "1.5 1 close\r\n", `line 3: unknown event "close\r"`},
		{"error no kind", open + "1.5 1 error \"x\"\n", "line 3: error: want KIND MESSAGE"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			text := tt.text
			if tt.name != "empty" && tt.name != "no header" && tt.name != "other version" {
				text = Header + "\n" + text
			}
			_, err := ReadAll(strings.NewReader(text), Limits{})
			var e *ReadError
			if !errors.As(err, &e) || e.TooLarge {
				t.Fatalf("err = %v, want a syntax *ReadError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestReadLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString(Header + "\n")
	for i := 1; i <= 3; i++ {
		fmt.Fprintf(&b, "1.0 %d open tcp a b dial\n1.0 %d send 4 \"abcd\"\n", i, i)
	}
	text := b.String()
	for _, tt := range []struct {
		name   string
		limits Limits
		want   string
	}{
		{"events", Limits{MaxEvents: 5}, "line 7: more than 5 events"},
		{"sessions", Limits{MaxSessions: 2}, "line 6: more than 2 sessions"},
		{"bytes", Limits{MaxBytes: 11}, "line 7: more than 11 bytes of traffic"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadAll(strings.NewReader(text), tt.limits)
			var e *ReadError
			if !errors.As(err, &e) || !e.TooLarge || err.Error() != "transcript: "+tt.want {
				t.Fatalf("err = %v, want a too-large error %q", err, tt.want)
			}
		})
	}
	if events, err := ReadAll(strings.NewReader(text), Limits{MaxEvents: 6, MaxSessions: 3, MaxBytes: 12}); err != nil || len(events) != 6 {
		t.Fatalf("at the limits: %d events, %v", len(events), err)
	}
	long := Header + "\n1.0 1 open tcp a b dial\n1.0 1 send 1 \"" + strings.Repeat("a", MaxLine) + "\"\n"
	_, err := ReadAll(strings.NewReader(long), Limits{})
	var e *ReadError
	if !errors.As(err, &e) || !e.TooLarge || e.Line != 3 {
		t.Fatalf("a long line: %v, want a too-large error on line 3", err)
	}
}

// TestReadError checks that the reader's own error comes back as it is.
func TestReadError(t *testing.T) {
	boom := errors.New("boom")
	r := NewReader(io.MultiReader(strings.NewReader(Header+"\n"), errReader{boom}), Limits{})
	if _, err := r.Next(); err != boom {
		t.Fatalf("err = %v, want boom", err)
	}
	if _, err := r.Next(); err != boom {
		t.Fatalf("again: err = %v, want boom (an error is final)", err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// format writes ev as a line, the way the format says (the recorder's
// writer is not in this package yet): what the fuzz target reads back.
func format(ev Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d.%09d %d %s", ev.Time.Unix(), ev.Time.Nanosecond(), ev.Session, ev.Kind)
	switch ev.Kind {
	case Open:
		fmt.Fprintf(&b, " %s %s %s", ev.Network, ev.Local, ev.Remote)
		if ev.Role != "" {
			b.WriteString(" " + ev.Role)
		}
		if ev.TLS {
			b.WriteString(" tls")
			for _, k := range slices.Sorted(maps.Keys(ev.TLSFacts)) {
				b.WriteString(" " + k + "=" + ev.TLSFacts[k])
			}
		}
	case Send, Recv:
		fmt.Fprintf(&b, " %d %s", len(ev.Data), quote(ev.Data))
	case SendTo, RecvFrom:
		fmt.Fprintf(&b, " %s %d %s", ev.Addr, len(ev.Data), quote(ev.Data))
	case Error:
		fmt.Fprintf(&b, " %s %s", ev.ErrKind, quote(ev.Data))
	}
	return b.String()
}

func quote(data []byte) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range data {
		switch {
		case c == '\\' || c == '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// FuzzTranscriptRead reads any bytes as a transcript: it must not panic,
// must keep its limits, and what it accepts, written back in the format,
// must read back as the same events.
func FuzzTranscriptRead(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte(Header + "\n1 1 open tcp - - \n1 1 send 0 \"\"\n"))
	f.Add([]byte(Header + "\n1.5 7 open unix /tmp/s - accept\n1.5 7 recv 3 \"\\x00\\t\\\\\"\n1.5 7 eof\n"))
	f.Add([]byte("# gonetrepl transcript 1\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		limits := Limits{MaxEvents: 64, MaxSessions: 8, MaxBytes: 1 << 16}
		events, err := ReadAll(bytes.NewReader(data), limits)
		if err != nil {
			var e *ReadError
			if !errors.As(err, &e) || e.Line < 1 {
				t.Fatalf("err %v is not an *ReadError with a line", err)
			}
			return
		}
		if len(events) > limits.MaxEvents {
			t.Fatalf("%d events over the limit", len(events))
		}
		var b strings.Builder
		b.WriteString(Header + "\n")
		total := 0
		for _, ev := range events {
			total += len(ev.Data)
			if (ev.Kind == Send || ev.Kind == Recv) && len(ev.Data) > MaxData {
				t.Fatalf("a %s of %d bytes", ev.Kind, len(ev.Data))
			}
			b.WriteString(format(ev) + "\n")
		}
		again, err := ReadAll(strings.NewReader(b.String()), limits)
		if err != nil {
			t.Fatalf("written back, it does not read: %v\n%s", err, b.String())
		}
		if len(again) != len(events) {
			t.Fatalf("%d events read back, want %d", len(again), len(events))
		}
		for i := range events {
			a, e := again[i], events[i]
			if !a.Time.Equal(e.Time) || a.Session != e.Session || a.Kind != e.Kind || a.Network != e.Network ||
				a.Local != e.Local || a.Remote != e.Remote || a.Role != e.Role || a.TLS != e.TLS ||
				!maps.Equal(a.TLSFacts, e.TLSFacts) || a.Addr != e.Addr || !bytes.Equal(a.Data, e.Data) || a.ErrKind != e.ErrKind {
				t.Fatalf("event %d read back as %+v, want %+v", i, a, e)
			}
		}
	})
}
