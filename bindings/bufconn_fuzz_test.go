package bindings

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
)

// read is readIn with no task and no deadline, as the fuzz tests read.
func (b *bufReader) read(scan scanFunc, need int) (string, error) {
	return b.readIn(context.Background(), nil, scan, need)
}

// chunkedReader hands out a stream in pieces of the sizes given (cycling),
// then io.EOF; with eofWithData the last piece comes with io.EOF, as some
// readers do.
type chunkedReader struct {
	data        []byte
	sizes       []byte
	i           int
	eofWithData bool
}

func (r *chunkedReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := 1
	if len(r.sizes) > 0 {
		n = int(r.sizes[r.i%len(r.sizes)]) + 1
		r.i++
	}
	n = min(n, len(p), len(r.data))
	copy(p, r.data[:n])
	r.data = r.data[n:]
	if len(r.data) == 0 && r.eofWithData {
		return n, io.EOF
	}
	return n, nil
}

// refReader is the specification of the read methods on a whole stream:
// what each returns and how far it moves, or that it fails and consumes
// nothing.
type refReader struct {
	s []byte
	p int
}

var errRefTooLarge = errors.New("too large")

func (r *refReader) rest() []byte { return r.s[r.p:] }

func (r *refReader) full(n int) ([]byte, error) {
	if len(r.rest()) < n {
		return nil, io.EOF
	}
	out := r.rest()[:n]
	r.p += n
	return out, nil
}

func (r *refReader) until(delim []byte, maxLen int) ([]byte, error) {
	rest := r.rest()
	if i := bytes.Index(rest, delim); i >= 0 {
		if i > maxLen {
			return nil, errRefTooLarge
		}
		r.p += i + len(delim)
		return rest[:i], nil
	}
	if len(rest)-len(delim)+1 > maxLen {
		return nil, errRefTooLarge
	}
	return nil, io.EOF
}

// untilAny is until for a list: the earliest match on the whole stream
// (which is the earliest among the bytes that have arrived, for
// delimiters that share no byte), the delimiter kept if keep is set.
func (r *refReader) untilAny(delims [][]byte, maxLen int, keep bool) ([]byte, error) {
	rest := r.rest()
	at, which, longest := -1, -1, 0
	for k, d := range delims {
		longest = max(longest, len(d))
		if i := bytes.Index(rest, d); i >= 0 && (at < 0 || i < at) {
			at, which = i, k
		}
	}
	if at >= 0 {
		if at > maxLen {
			return nil, errRefTooLarge
		}
		n := at
		if keep {
			n += len(delims[which])
		}
		r.p += at + len(delims[which])
		return rest[:n], nil
	}
	if len(rest)-longest+1 > maxLen {
		return nil, errRefTooLarge
	}
	return nil, io.EOF
}

func (r *refReader) line(maxLen int) ([]byte, error) {
	rest := r.rest()
	i := bytes.IndexByte(rest, '\n')
	end, skip := i, 1
	if i < 0 {
		if len(rest) == 0 {
			return nil, io.EOF
		}
		end, skip = len(rest), 0 // EOF ends a last unterminated line
	}
	n := end
	if n > 0 && rest[n-1] == '\r' {
		n--
		skip += end - n
	}
	if n > maxLen {
		return nil, errRefTooLarge
	}
	r.p += n + skip
	return rest[:n], nil
}

func (r *refReader) all(maxLen int) ([]byte, error) {
	rest := r.rest()
	if len(rest) > maxLen {
		return nil, errRefTooLarge
	}
	r.p = len(r.s)
	return rest, nil
}

func sameError(got, want error) bool {
	var tooLarge *TooLargeError
	switch {
	case want == nil:
		return got == nil
	case want == errRefTooLarge:
		return errors.As(got, &tooLarge)
	default:
		return errors.Is(got, want)
	}
}

// FuzzBufReader runs a sequence of read operations, decoded from ops, on a
// stream delivered in arbitrary pieces, and checks each result against
// the specification: the same bytes, the same failure, no byte lost or
// reordered, no panic.
func FuzzBufReader(f *testing.F) {
	f.Add([]byte("line one\r\nline two\nHEADER|rest\nEND"), []byte{3, 3, 2, 1, 4, 0, 5}, []byte{0, 2, 6}, false)
	f.Add([]byte("xxxxxxxxxxxxxxxxxxxx\nshort\n"), []byte{3, 3, 3}, []byte{200}, true)
	f.Add([]byte("ab\r"), []byte{3, 3}, []byte{0}, false)
	f.Add(bytes.Repeat([]byte("0123456789"), 500), []byte{0, 1, 2, 3, 4, 5}, []byte{255, 17}, true)
	f.Add([]byte("abaabaab|x--yz--y-"), []byte{2, 0x82, 'a', 'a', 'b', 2, 0xfd, '-', 'y', 2, 0xa0, '|'}, []byte{0, 1}, false)
	f.Add([]byte("a|b\r\nc\r\n|d|e"), []byte{6, 20, 6, 21, 6, 1, 6, 7, 6, 0}, []byte{0, 1, 3}, false)
	f.Fuzz(func(t *testing.T, stream, ops, sizes []byte, eofWithData bool) {
		if len(ops) > 64 {
			ops = ops[:64]
		}
		b := &bufReader{src: &chunkedReader{data: stream, sizes: sizes, eofWithData: eofWithData}}
		ref := &refReader{s: stream}
		for k := 0; k+1 < len(ops); k += 2 {
			op, arg := ops[k]%7, int(ops[k+1])
			var got string
			var gotErr error
			var want []byte
			var wantErr error
			switch op {
			case 0: // read(max): any non-empty prefix of what is left, at most max
				maxLen := arg + 1
				got, gotErr = b.read(b.scanSome(maxLen), maxLen)
				if len(ref.rest()) == 0 {
					wantErr = io.EOF
				} else if gotErr == nil {
					if len(got) == 0 || len(got) > maxLen || !bytes.HasPrefix(ref.rest(), []byte(got)) {
						t.Fatalf("op %d read(%d) = %q, not a prefix of %q", k, maxLen, got, ref.rest())
					}
					want, _ = ref.full(len(got))
				}
			case 1:
				got, gotErr = b.read(b.scanFull(arg), arg)
				want, wantErr = ref.full(arg)
			case 2:
				delim := []byte{'|'}
				if arg%2 == 1 {
					delim = []byte("\r\n")
				}
				maxLen := arg
				if arg >= 0x80 && k+2 < len(ops) {
					// An arbitrary delimiter of 1 to 4 bytes: the ops bytes
					// that follow, skipped as ops.
					delim = ops[k+2 : min(k+3+arg&3, len(ops))]
					k += len(delim)
					maxLen = (arg >> 2) & 0x1f
				}
				got, gotErr = b.read(b.scanUntil(delim, maxLen, "data", false, false), maxLen+len(delim))
				want, wantErr = ref.until(delim, maxLen)
			case 3:
				got, gotErr = b.read(b.scanUntil([]byte{'\n'}, arg, "line", true, false), arg+2)
				want, wantErr = ref.line(arg)
			case 4:
				got, gotErr = b.read(b.scanAll(arg*8), arg*8+1)
				want, wantErr = ref.all(arg * 8)
			case 6: // read_until with a list, keep or not
				delims := [][]byte{[]byte("\r\n"), {'|'}}
				keep, maxLen := arg&1 == 1, arg>>1
				matched := -1
				got, gotErr = b.read(b.scanUntilAny(delims, maxLen, keep, &matched), maxLen+2)
				want, wantErr = ref.untilAny(delims, maxLen, keep)
				if gotErr == nil && matched < 0 {
					t.Fatalf("op %d: read_until with a list matched no delimiter", k)
				}
			case 5: // the fast path: from the buffer alone, or nothing
				s, err, ok := b.tryBuffered(b.scanUntil([]byte{'\n'}, 1<<20, "line", true, false))
				if ok {
					got, gotErr = s, err
					want, wantErr = ref.line(1 << 20)
					if err == nil && ref.p == len(ref.s) && !bytes.HasSuffix(stream, []byte("\n")) && len(want) > 0 {
						t.Fatalf("op %d: fast path ended a line at the buffer's end", k)
					}
				} else {
					continue
				}
			}
			if !sameError(gotErr, wantErr) {
				t.Fatalf("op %d (%d, %d): error %v, want %v", k, op, arg, gotErr, wantErr)
			}
			if gotErr == nil && got != string(want) {
				t.Fatalf("op %d (%d, %d): got %q, want %q", k, op, arg, got, want)
			}
			if buffered := b.buffered(); !bytes.HasPrefix(ref.rest(), []byte(buffered)) {
				t.Fatalf("op %d: buffered %q is not what is left (%q)", k, buffered, ref.rest())
			}
		}
		// Nothing lost: what is left reads back whole.
		rest, err := b.read(b.scanAll(len(stream)), len(stream)+1)
		if err != nil || rest != string(ref.rest()) {
			t.Fatalf("rest = %q, %v; want %q", rest, err, ref.rest())
		}
	})
}
