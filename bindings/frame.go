package bindings

// Length-prefixed frames: c:read_frame and c:write_frame. A frame is a
// header of 1, 2, 4 or 8 bytes holding the length of the data that
// follows, big- or little-endian. Reading goes through the conn's one read
// buffer (scanFrame), so frames mix with read_line and the rest.

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// defaultFrameMax is read_frame's default cap on a frame's data.
const defaultFrameMax = 1 << 20

const frameReadDoc = "Reads one length-prefixed frame and returns its data. opts: size, the header's bytes (1, 2, 4 or 8; default 4); order, \"big\" (default) or \"little\"; max, the largest data accepted (default 1 MiB, at most 64 MiB). A header claiming more than max is kind 'too_large' at once, before the data is read: nothing is consumed, the header stays buffered, and the caller may skip the frame (c:read_full(size), then the data in pieces) or close the conn. EOF before a whole frame is kind 'eof', consuming nothing. Stream conns only: on a udp or unixgram conn, nil, err (a datagram has its own boundaries)."

const frameWriteDoc = "Writes data as one frame: a length header (opts.size and opts.order as for read_frame; max is not checked) and the data, in one write. Returns the bytes written, header included. Data longer than the header can count is a Lua error. Stream conns only."

// frameOptsShape lists the options argFrameOpts reads, for the type stubs.
var frameOptsShape = shape{class: "gonetrepl.frame_opts", opts: true, code: "argFrameOpts",
	doc: "The options of c:read_frame and c:write_frame.",
	fields: []field{
		{"size", "1|2|4|8", "the header's bytes (default 4)"},
		{"order", `"big"|"little"`, "the header's byte order (default \"big\")"},
		{"max", "integer", "read_frame: the largest data accepted (default 1 MiB, at most 64 MiB); write_frame does not check it"},
	}}

// frameOpts are the options of read_frame and write_frame.
type frameOpts struct {
	size   int       // header bytes: 1, 2, 4 or 8
	little bool      // little-endian header
	max    int       // the largest data read_frame accepts
	by     time.Time // read_frame: the call's own deadline (opts.timeout); zero: none
}

// argFrameOpts reads the optional options table at argument n, whose keys
// are those of s (read_frame adds timeout to write_frame's).
func argFrameOpts(L *lua.LState, n int, s shape) frameOpts {
	opts := argOptions(L, n, s)
	o := frameOpts{size: 4, max: defaultFrameMax}
	if size, ok := fieldCount(L, n, opts, "size", 1, 8); ok {
		if size != 1 && size != 2 && size != 4 && size != 8 {
			argError(L, n, "opts.size", "1, 2, 4 or 8 expected, got %d", size)
		}
		o.size = size
	}
	if order, ok := fieldString(L, n, opts, "order"); ok {
		switch order {
		case "big":
		case "little":
			o.little = true
		default:
			argError(L, n, "opts.order", `"big" or "little" expected, got %q`, order)
		}
	}
	if m, ok := fieldCount(L, n, opts, "max", 0, defaultAllMax); ok {
		o.max = m
	}
	// Only read_frame's shape lets timeout through argOptions.
	if d, ok := optsTimeout(L, n, opts); ok {
		o.by = time.Now().Add(d)
	}
	return o
}

// frameLength decodes a frame header.
func frameLength(h []byte, little bool) uint64 {
	var n uint64
	for i := range h {
		b := h[i]
		if little {
			b = h[len(h)-1-i]
		}
		n = n<<8 | uint64(b)
	}
	return n
}

// putFrameLength encodes n into the header h.
func putFrameLength(h []byte, n uint64, little bool) {
	switch {
	case len(h) == 8 && little:
		binary.LittleEndian.PutUint64(h, n)
	case len(h) == 8:
		binary.BigEndian.PutUint64(h, n)
	default:
		for i := range h {
			shift := 8 * uint(len(h)-1-i)
			if little {
				shift = 8 * uint(i)
			}
			h[i] = byte(n >> shift)
		}
	}
}

// frameTooLarge is the error of a header claiming more than the cap. It is
// a TooLargeError: kind too_large.
type frameTooLarge struct {
	claimed uint64
	limit   int
}

func (e *frameTooLarge) Error() string {
	return fmt.Sprintf("frame header claims %d bytes, over the limit of %d", e.claimed, e.limit)
}

func (e *frameTooLarge) Unwrap() error { return &TooLargeError{What: "frame", Limit: e.limit} }

// scanFrame returns the data of one frame and consumes it with its header.
// A header over maxLen fails at once, consuming nothing. At EOF, a partial
// frame is io.ErrUnexpectedEOF and stays buffered.
func (b *bufReader) scanFrame(size int, little bool, maxLen int) scanFunc {
	return func(atEOF bool) (string, bool, error) {
		data := b.unread()
		if len(data) < size {
			if atEOF && len(data) > 0 {
				return "", false, io.ErrUnexpectedEOF
			}
			return "", false, nil
		}
		n := frameLength(data[:size], little)
		if n > uint64(maxLen) {
			return "", false, &frameTooLarge{claimed: n, limit: maxLen}
		}
		if uint64(len(data)-size) < n {
			if atEOF {
				return "", false, io.ErrUnexpectedEOF
			}
			return "", false, nil
		}
		b.consume(size) // the header; then the data
		return b.take(int(n), 0), true, nil
	}
}

func (rt *Runtime) connReadFrame(L *lua.LState) int {
	c := rt.checkConn(L)
	o := argFrameOpts(L, 2, readFrameOptsShape)
	if c.datagram {
		return rt.pushError(L, c.streamOnly("read_frame"), "read_frame", "")
	}
	return rt.read(L, c, o.size+o.max, c.rd.scanFrame(o.size, o.little, o.max), o.by, &awaited{desc: "a frame"})
}

func (rt *Runtime) connWriteFrame(L *lua.LState) int {
	c := rt.checkConn(L)
	data := argData(L, 2, "data")
	o := argFrameOpts(L, 3, frameOptsShape)
	if o.size < 8 && uint64(len(data)) >= 1<<(8*o.size) {
		argError(L, 2, "data", "%d bytes do not fit a %d-byte length (at most %d)", len(data), o.size, uint64(1)<<(8*o.size)-1)
	}
	if c.datagram {
		return rt.pushError(L, c.notSupported("write_frame"), "write_frame", "")
	}
	if err := rt.flushHeld(L, c); err != nil {
		return rt.pushError(L, err, "write", "")
	}
	frame := make([]byte, o.size+len(data))
	putFrameLength(frame[:o.size], uint64(len(data)), o.little)
	copy(frame[o.size:], data)
	call := c.dl.writeCall(c.nc, time.Time{})
	var n int
	err := rt.block(L, c.poke, func(ctx context.Context) error {
		var err error
		n, err = c.writeIn(ctx, call, frame)
		return err
	})
	if err != nil {
		return rt.pushError(L, c.opError("write", err), "write", "")
	}
	L.Push(lua.LNumber(n))
	return 1
}
