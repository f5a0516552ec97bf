package bindings

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// frameSizes are the header sizes an options byte picks from.
var frameSizes = [4]int{1, 2, 4, 8}

// decodeFrameOpts turns two fuzz bytes into read_frame's options: the
// header size and order from o, the cap from m (255: the default 1 MiB).
func decodeFrameOpts(o, m byte) (size int, little bool, maxLen int) {
	size, little = frameSizes[o&3], o&4 != 0
	maxLen = int(m) * 3
	if m == 255 {
		maxLen = defaultFrameMax
	}
	return size, little, maxLen
}

// frame is the reference decoder: a frame read from what is left, or
// io.EOF (nothing is left), io.ErrUnexpectedEOF (the stream ends inside a
// frame) or errRefTooLarge, consuming nothing.
func (r *refReader) frame(size int, little bool, maxLen int) ([]byte, error) {
	rest := r.rest()
	if len(rest) == 0 {
		return nil, io.EOF
	}
	if len(rest) < size {
		return nil, io.ErrUnexpectedEOF
	}
	var n uint64
	for i := range size {
		b := rest[i]
		if little {
			b = rest[size-1-i]
		}
		n = n<<8 | uint64(b)
	}
	if n > uint64(maxLen) {
		return nil, errRefTooLarge
	}
	if uint64(len(rest)-size) < n {
		return nil, io.ErrUnexpectedEOF
	}
	r.p += size + int(n)
	return rest[size : size+int(n)], nil
}

// FuzzFrameReader runs read_frame, with options decoded from ops, mixed
// with read_line and read_full, on a stream delivered in arbitrary pieces,
// and checks each result against the reference decoder: the same frames,
// the same failures (a too-large header at once, EOF in a partial frame),
// nothing consumed by a failure, no byte lost, no panic, and a read buffer
// never larger than the most an operation so far could need.
func FuzzFrameReader(f *testing.F) {
	// The seed corpus is in testdata/fuzz/FuzzFrameReader: frames of every
	// header size and order, mixed with lines, too large, cut by EOF,
	// skipped after a refusal, and longer than the initial buffer.
	f.Fuzz(func(t *testing.T, stream, ops, sizes []byte, eofWithData bool) {
		if len(ops) > 96 {
			ops = ops[:96]
		}
		b := &bufReader{src: &chunkedReader{data: stream, sizes: sizes, eofWithData: eofWithData}}
		ref := &refReader{s: stream}
		mostNeed := 0
		for k := 0; k+2 < len(ops); k += 3 {
			op, x, y := ops[k]%4, ops[k+1], ops[k+2]
			var got string
			var gotErr error
			var want []byte
			var wantErr error
			need := 0
			switch op {
			case 0, 3: // read_frame; 3: the fast path, from the buffer alone
				size, little, maxLen := decodeFrameOpts(x, y)
				need = size + maxLen
				scan := b.scanFrame(size, little, maxLen)
				if op == 3 {
					s, err, ok := b.tryBuffered(scan)
					if !ok {
						continue
					}
					got, gotErr = s, err
				} else {
					got, gotErr = b.read(scan, need)
				}
				want, wantErr = ref.frame(size, little, maxLen)
				if op == 3 && (errors.Is(wantErr, io.EOF) || errors.Is(wantErr, io.ErrUnexpectedEOF)) {
					t.Fatalf("op %d: the fast path gave %q, %v where the stream has no whole frame", k, got, gotErr)
				}
				if gotErr == nil && len(got) > maxLen {
					t.Fatalf("op %d: frame of %d bytes over the cap %d", k, len(got), maxLen)
				}
			case 1:
				maxLen := int(x)
				need = maxLen + 2
				got, gotErr = b.read(b.scanUntil([]byte{'\n'}, maxLen, "line", true, false), need)
				want, wantErr = ref.line(maxLen)
			case 2:
				n := int(x) % 16
				need = n
				got, gotErr = b.read(b.scanFull(n), n)
				want, wantErr = ref.full(n)
			}
			mostNeed = max(mostNeed, need)
			if !sameError(gotErr, wantErr) {
				t.Fatalf("op %d (%d, %d, %d): error %v, want %v", k, op, x, y, gotErr, wantErr)
			}
			if gotErr == nil && got != string(want) {
				t.Fatalf("op %d (%d, %d, %d): got %q, want %q", k, op, x, y, got, want)
			}
			if buffered := b.buffered(); !bytes.HasPrefix(ref.rest(), []byte(buffered)) {
				t.Fatalf("op %d: buffered %q is not what is left (%q)", k, buffered, ref.rest())
			}
			if limit := max(initialBuf, mostNeed); len(b.buf) > limit {
				t.Fatalf("op %d: read buffer of %d bytes; no operation needed more than %d", k, len(b.buf), limit)
			}
		}
		// Nothing lost: what is left reads back whole.
		rest, err := b.read(b.scanAll(len(stream)), len(stream)+1)
		if err != nil || rest != string(ref.rest()) {
			t.Fatalf("rest = %q, %v; want %q", rest, err, ref.rest())
		}
	})
}

func TestFrameLengthRoundTrip(t *testing.T) {
	for _, size := range frameSizes {
		for _, little := range []bool{false, true} {
			for _, n := range []uint64{0, 1, 0xfe, 0xff, 0x1234, 0xffff, 0x12345678, 0xffffffff, 1<<63 + 5, 1<<64 - 1} {
				if size < 8 && n >= 1<<(8*size) {
					continue
				}
				h := make([]byte, size)
				putFrameLength(h, n, little)
				if got := frameLength(h, little); got != n {
					t.Errorf("size %d little %v: %d encoded as %x decodes as %d", size, little, n, h, got)
				}
			}
		}
	}
	h := make([]byte, 4)
	putFrameLength(h, 0x01020304, false)
	if !bytes.Equal(h, []byte{1, 2, 3, 4}) {
		t.Errorf("big-endian: %x", h)
	}
	putFrameLength(h, 0x01020304, true)
	if !bytes.Equal(h, []byte{4, 3, 2, 1}) {
		t.Errorf("little-endian: %x", h)
	}
}
