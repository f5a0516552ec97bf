package transcript

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

var t0 = time.Unix(1733366400, 123456000)

// TestAppendEventGolden writes each kind of event and compares the line
// with the format's own example (event.go).
func TestAppendEventGolden(t *testing.T) {
	cases := []struct {
		ev   Event
		want string
	}{
		{Event{Time: t0, Session: 1, Kind: Open, Network: "tcp", Local: "127.0.0.1:50312", Remote: "127.0.0.1:6379", Role: "dial"},
			"1733366400.123456 1 open tcp 127.0.0.1:50312 127.0.0.1:6379 dial"},
		{Event{Time: t0, Session: 1, Kind: Send, Data: []byte("*1\r\n$4\r\nPING\r\n")},
			`1733366400.123456 1 send 14 "*1\r\n$4\r\nPING\r\n"`},
		{Event{Time: t0, Session: 1, Kind: Recv, Data: []byte("+PONG\r\n")},
			`1733366400.123456 1 recv 7 "+PONG\r\n"`},
		{Event{Time: t0, Session: 1, Kind: Shutdown}, "1733366400.123456 1 shutdown"},
		{Event{Time: t0, Session: 1, Kind: EOF}, "1733366400.123456 1 eof"},
		{Event{Time: t0, Session: 1, Kind: Close}, "1733366400.123456 1 close"},
		{Event{Time: t0, Session: 2, Kind: Open, Network: "tcp", Local: "127.0.0.1:443", Remote: "127.0.0.1:50400", Role: "accept",
			TLS: true, TLSFacts: map[string]string{"version": "1.3", "alpn": "h2", "sni": "example.com", "bad": "a b"}},
			"1733366400.123456 2 open tcp 127.0.0.1:443 127.0.0.1:50400 accept tls alpn=h2 sni=example.com version=1.3"},
		{Event{Time: t0, Session: 3, Kind: Open, Network: "udp", Local: "127.0.0.1:5353"},
			"1733366400.123456 3 open udp 127.0.0.1:5353 -"},
		{Event{Time: t0, Session: 3, Kind: SendTo, Addr: "127.0.0.1:53", Data: []byte{0x12, 0x34, 0, 0xff, ' ', '"', '\\', '\t'}},
			`1733366400.123456 3 sendto 127.0.0.1:53 8 "\x124\x00\xff \"\\\t"`},
		{Event{Time: t0, Session: 3, Kind: RecvFrom, Addr: "127.0.0.1:53"},
			`1733366400.123456 3 recvfrom 127.0.0.1:53 0 ""`},
		{Event{Time: t0, Session: 2, Kind: Error, ErrKind: "reset", Data: []byte("read tcp: connection reset by peer")},
			`1733366400.123456 2 error reset "read tcp: connection reset by peer"`},
		{Event{Time: time.Unix(5, 7000), Session: 9, Kind: Open, Network: "proc", Local: "", Remote: "cat x", Role: "dial"},
			"5.000007 9 open proc - - dial"},
	}
	for _, c := range cases {
		got := string(AppendEvent(nil, &c.ev))
		if got != c.want+"\n" {
			t.Errorf("got  %q\nwant %q", got, c.want+"\n")
		}
	}
}

// TestQuoteEveryByte quotes each of the 256 byte values alone and all of
// them together: the result is printable ASCII without a bare quote, and
// Unquote gives the bytes back.
func TestQuoteEveryByte(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
		q := Quote([]byte{byte(i)})
		for j := 1; j < len(q)-1; j++ {
			if q[j] < 0x20 || q[j] >= 0x7f {
				t.Fatalf("byte %#x quoted as %q: not printable ASCII", i, q)
			}
		}
		back, err := Unquote(q)
		if err != nil || !bytes.Equal(back, []byte{byte(i)}) {
			t.Fatalf("byte %#x: %q unquoted to %q, %v", i, q, back, err)
		}
	}
	back, err := Unquote(Quote(all))
	if err != nil || !bytes.Equal(back, all) {
		t.Fatalf("all bytes: %v", err)
	}
	if strings.ContainsAny(Quote(all), "\n\r") {
		t.Fatal("a line break in quoted data")
	}
}

func TestUnquoteRefuses(t *testing.T) {
	for _, s := range []string{``, `"`, `abc`, `"a"b"`, `"\"`, `"\q"`, `"\x4"`, `"\xzz"`, "\"\n\"", "\"\xff\""} {
		if b, err := Unquote(s); err == nil {
			t.Errorf("Unquote(%q) = %q, want an error", s, b)
		}
	}
	if b, err := Unquote(`"\x4A\x4a"`); err != nil || string(b) != "JJ" {
		t.Errorf(`Unquote of upper and lower hex: %q, %v`, b, err)
	}
}

// TestWriterSplitsAndHeader: the header comes first, a send over MaxData
// becomes several events whose data join to the original, and comments
// stay on one line.
func TestWriterSplitsAndHeader(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	data := bytes.Repeat([]byte("ab\n"), 3000) // 9000 bytes: 4096+4096+808
	if err := w.Write(&Event{Time: t0, Session: 1, Kind: Send, Data: data}); err != nil {
		t.Fatal(err)
	}
	w.Comment("recording stopped\nsecond line")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if int64(out.Len()) != w.Written() {
		t.Errorf("Written %d, file %d", w.Written(), out.Len())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if lines[0] != Header {
		t.Fatalf("first line %q", lines[0])
	}
	if len(lines) != 5 || lines[4] != "# recording stopped" {
		t.Fatalf("lines: %d, last %q", len(lines), lines[len(lines)-1])
	}
	var joined []byte
	for i, n := range []string{"4096", "4096", "808"} {
		f := strings.SplitN(lines[1+i], " ", 5)
		if f[2] != "send" || f[3] != n {
			t.Fatalf("line %d: %q", i+2, lines[1+i][:40])
		}
		b, err := Unquote(f[4])
		if err != nil {
			t.Fatal(err)
		}
		joined = append(joined, b...)
	}
	if !bytes.Equal(joined, data) {
		t.Fatal("the split events do not join to the data")
	}
}

// FuzzQuoteRoundTrip: any bytes, written as a send event, make one line;
// quoted, they unquote to the same bytes; and whatever Unquote accepts
// round-trips through Quote.
func FuzzQuoteRoundTrip(f *testing.F) {
	f.Add([]byte("*1\r\n$4\r\nPING\r\n"))
	f.Add([]byte{0, 0x7f, 0x80, 0xff, '"', '\\'})
	f.Add([]byte(`"\x4G"`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ev := Event{Time: t0, Session: 1, Kind: Send, Data: data}
		line := AppendEvent(nil, &ev)
		if bytes.Count(line, []byte("\n")) != 1 || line[len(line)-1] != '\n' {
			t.Fatalf("event is not one line: %q", line)
		}
		q := Quote(data)
		back, err := Unquote(q)
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("%q -> %q -> %q, %v", data, q, back, err)
		}
		if b, err := Unquote(string(data)); err == nil {
			if again, err := Unquote(Quote(b)); err != nil || !bytes.Equal(again, b) {
				t.Fatalf("Unquote accepted %q as %q, which does not round-trip", data, b)
			}
		}
	})
}
