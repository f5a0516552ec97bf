package bindings

import (
	"io"
	"strings"
	"testing"
)

// stepReader hands out its pieces one per Read, then io.EOF.
type stepReader struct{ pieces []string }

func (r *stepReader) Read(p []byte) (int, error) {
	if len(r.pieces) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.pieces[0])
	if r.pieces[0] = r.pieces[0][n:]; r.pieces[0] == "" {
		r.pieces = r.pieces[1:]
	}
	return n, nil
}

// A scan remembers how far it searched the unread bytes between its calls.
// Another read that takes some of them in between (the window after
// tryBuffered lets the op lock go and before readIn takes it, when another
// task reads the conn) must not make it skip or misplace bytes: read_until
// with a remembered offset past the unread bytes panicked, or missed a
// delimiter split across arrivals.
func TestScanAfterAnotherRead(t *testing.T) {
	fill := func(b *bufReader) {
		t.Helper()
		if err := b.fill(1 << 10); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name   string
		pieces []string
		scan   func(b *bufReader) scanFunc
		want   string
	}{
		{"line", []string{"abcdef", "gh\nrest"}, func(b *bufReader) scanFunc {
			return b.scanUntil([]byte{'\n'}, 100, "line", true, false)
		}, "cdefgh"},
		{"until", []string{"xab\r", "\nrest"}, func(b *bufReader) scanFunc {
			return b.scanUntil([]byte("\r\n"), 100, "data", false, false)
		}, "b"},
		{"expect", []string{"ab:cd", "ef.rest"}, func(b *bufReader) scanFunc {
			p, err := newPatternMatch("^:?(%a+)%.", 100)
			if err != nil {
				t.Fatal(err)
			}
			var caps []capture
			return b.scanPattern(p, 100, &caps)
		}, ":cdef."}, // "ab:cd" failed for good at its start; ":cdef." matches
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := &bufReader{src: &stepReader{pieces: append([]string(nil), c.pieces...)}}
			fill(b)
			scan := c.scan(b)
			if _, _, ok := b.tryBuffered(scan); ok {
				t.Fatal("matched before the second piece")
			}
			// Another task's read takes two bytes.
			if s, err, ok := b.tryBuffered(b.scanSome(2)); !ok || err != nil || s[:1] != c.pieces[0][:1] {
				t.Fatalf("read(2) = %q, %v", s, err)
			}
			got, err := b.read(scan, 100)
			if err != nil || got != c.want {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
			if rest := b.buffered(); rest != "rest" {
				t.Fatalf("left %q", rest)
			}
		})
	}
}

// A 64 KiB line arriving a byte at a time is searched once: each arrival
// searches only the new bytes (and the last len(delim)-1 again, where a
// delimiter may have begun), not the whole line again.
func TestReadLineSearchesEachByteOnce(t *testing.T) {
	const n = 64 << 10
	for _, delim := range []string{"\n", "\r\n", "--END--"} {
		stream := strings.Repeat("x", n) + delim
		b := &bufReader{src: &chunkedReader{data: []byte(stream)}} // a byte per read
		before := scanExamined.Load()
		got, err := b.read(b.scanUntil([]byte(delim), n, "data", false, false), n+len(delim))
		examined := scanExamined.Load() - before
		if err != nil || got != stream[:n] {
			t.Fatalf("%q: got %d bytes, %v", delim, len(got), err)
		}
		if examined > int64(len(delim)+1)*int64(len(stream)) {
			t.Fatalf("%q: searched %d bytes for a line of %d", delim, examined, len(stream))
		}
	}
}

// expect's searches, over a stream arriving a byte at a time, take
// matching steps linear in its length for patterns linear on one search,
// and stay within the call's budget.
func TestExpectStepsLinearOverArrivals(t *testing.T) {
	for _, c := range []struct{ pattern, prefix, tail string }{
		{"\n", "", "\n"},
		{"^HTTP/1%.%d (%d+)[^\n]*\n", "HTTP/1.1 200 ", "\n"},
		{"login: ", "", "login: "},
	} {
		steps := func(n int) int {
			stream := c.prefix + strings.Repeat("x", n) + c.tail
			b := &bufReader{src: &chunkedReader{data: []byte(stream)}}
			p, err := newPatternMatch(c.pattern, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			var caps []capture
			got, err := b.read(b.scanPattern(p, 1<<20, &caps), 1<<20)
			if err != nil || got != stream {
				t.Fatalf("%q: got %d bytes, %v", c.pattern, len(got), err)
			}
			return p.mt.Steps
		}
		small, large := steps(8000), steps(64000)
		t.Logf("%q: %d steps for 8000 bytes, %d for 64000", c.pattern, small, large)
		if large > 12*small {
			t.Errorf("%q: %d steps for 8000 bytes, %d for 64000", c.pattern, small, large)
		}
	}
}
