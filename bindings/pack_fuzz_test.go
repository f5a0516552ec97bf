package bindings

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"testing"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"

	"github.com/gonetrepl/gonetrepl/internal/textesc"
)

// packCaller calls string.pack, unpack and packsize of a runtime from Go.
type packCaller struct {
	L                      *lua.LState
	pack, unpack, packsize lua.LValue
}

// call calls fn and returns its results, or the Lua error it raised. A Go
// panic inside fn, which PCall turns into an error of another type, fails
// the test.
func (c *packCaller) call(t *testing.T, fn lua.LValue, args ...lua.LValue) ([]lua.LValue, error) {
	L := c.L
	top := L.GetTop()
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	err := L.PCall(len(args), lua.MultRet, nil)
	if err != nil {
		if apiErr, ok := err.(*lua.ApiError); !ok || apiErr.Type != lua.ApiErrorRun {
			t.Fatalf("not a Lua error: %#v", err)
		}
		L.SetTop(top)
		return nil, err
	}
	results := make([]lua.LValue, L.GetTop()-top)
	for i := range results {
		results[i] = L.Get(top + 1 + i)
	}
	L.SetTop(top)
	return results, nil
}

func samePackValue(a, b lua.LValue) bool {
	an, aok := a.(lua.LNumber)
	bn, bok := b.(lua.LNumber)
	if aok && bok && math.IsNaN(float64(an)) && math.IsNaN(float64(bn)) {
		return true
	}
	return a == b
}

// FuzzUnpack gives unpack, packsize and pack arbitrary formats, data and
// start positions. None may panic; where packsize succeeds, pack makes a
// string of that size; and the values unpack returns, packed again with
// the same format, unpack to the same values.
func FuzzUnpack(f *testing.F) {
	f.Add("<i4 >I2 s1 z", []byte("\x01\x00\x00\x00\x12\x34\x03abcxyz\x00"), int16(1))
	f.Add("!8 b Xi8 d j J T", bytes.Repeat([]byte{0xff}, 40), int16(1))
	f.Add("=i16 I9 i3 c5 x", bytes.Repeat([]byte{0x80, 0x7f, 0x00}, 20), int16(-30))
	f.Add("!4 f h s2 z", []byte("\x00\x00\xc0\x3f\x01\x00\x02\x00hi\x00\x00"), int16(1))
	f.Add(">s8", []byte("\xff\xff\xff\xff\xff\xff\xff\xffabc"), int16(1))
	f.Add("Xc1", []byte{}, int16(1))
	f.Add("! i3", []byte("abcdef"), int16(2))
	f.Add("c2000000000", []byte("abc"), int16(0))
	f.Add("i99999999999", []byte{}, int16(1))
	f.Add("z", []byte("no terminator"), int16(4))
	f.Fuzz(func(t *testing.T, format string, data []byte, pos int16) {
		if len(format) > 512 || len(data) > 1<<16 {
			return
		}
		c := sharedPackCallerFor(t)
		fmtV, dataV := lua.LString(format), lua.LString(data)

		size, sizeErr := c.call(t, c.packsize, fmtV)
		if sizeErr == nil && (len(size) != 1 || size[0].Type() != lua.LTNumber) {
			t.Fatalf("packsize(%q) = %v", format, size)
		}

		args := []lua.LValue{fmtV, dataV}
		if pos != 0 {
			args = append(args, lua.LNumber(pos))
		}
		vals, err := c.call(t, c.unpack, args...)
		if err != nil {
			return
		}
		next, ok := vals[len(vals)-1].(lua.LNumber)
		if !ok || next < 1 || int(next) > len(data)+1 {
			t.Fatalf("unpack(%q, %q, %d): next position %v out of range", format, data, pos, vals[len(vals)-1])
		}
		vals = vals[:len(vals)-1]

		packed, err := c.call(t, c.pack, append([]lua.LValue{fmtV}, vals...)...)
		if err != nil {
			return // values beyond 2^53 came back rounded, say
		}
		s := string(packed[0].(lua.LString))
		if sizeErr == nil && float64(len(s)) != float64(size[0].(lua.LNumber)) {
			t.Fatalf("pack(%q) made %d bytes, packsize says %v", format, len(s), size[0])
		}
		again, err := c.call(t, c.unpack, fmtV, lua.LString(s))
		if err != nil {
			t.Fatalf("unpack(%q) of what pack made (%x): %v", format, s, err)
		}
		if len(again) != len(vals)+1 || again[len(vals)] != lua.LNumber(len(s)+1) {
			t.Fatalf("unpack(%q, %x) = %v, want %d values and next %d", format, s, again, len(vals), len(s)+1)
		}
		for i, v := range vals {
			if !samePackValue(v, again[i]) {
				t.Fatalf("format %q: value %d was %v, packed and unpacked it is %v", format, i+1, v, again[i])
			}
		}
	})
}

// sharedPackCallerFor shares one runtime among the inputs a fuzz worker
// runs: a fresh one for each would dominate the time.
var sharedPackCaller *packCaller

func sharedPackCallerFor(t *testing.T) *packCaller {
	if sharedPackCaller == nil {
		rt := New(Options{})
		rt.gil.Lock() // held for the life of the process
		str := rt.L.GetGlobal("string").(*lua.LTable)
		sharedPackCaller = &packCaller{L: rt.L, pack: str.RawGetString("pack"),
			unpack: str.RawGetString("unpack"), packsize: str.RawGetString("packsize")}
	}
	return sharedPackCaller
}

// parseHexdump parses hexdump -C output back into bytes, expanding "*" lines.
func parseHexdump(t *testing.T, dump string) []byte {
	if dump == "" {
		return nil
	}
	lines := strings.Split(strings.TrimSuffix(dump, "\n"), "\n")
	var out, prev []byte
	star := false
	for i, line := range lines {
		if line == "*" {
			star = true
			continue
		}
		off, err := strconv.ParseUint(line[:min(8, len(line))], 16, 32)
		if err != nil || len(line) < 8 {
			t.Fatalf("line %d %q: bad offset", i, line)
		}
		if star {
			for uint64(len(out)) < off {
				out = append(out, prev...)
			}
			star = false
		}
		if uint64(len(out)) != off {
			t.Fatalf("line %d %q: offset %d, have %d bytes", i, line, off, len(out))
		}
		if i == len(lines)-1 {
			if len(line) != 8 {
				t.Fatalf("last line %q is not the length", line)
			}
			break
		}
		if len(line) < 62 || len(line) > 78 || line[8:10] != "  " || line[58:61] != "  |" || line[len(line)-1] != '|' {
			t.Fatalf("line %d %q: bad layout", i, line)
		}
		fields := strings.Fields(line[10:58])
		b, err := hex.DecodeString(strings.Join(fields, ""))
		if err != nil || len(b) == 0 || len(b) > 16 {
			t.Fatalf("line %d %q: bad hex", i, line)
		}
		text := line[61 : len(line)-1]
		if len(text) != len(b) {
			t.Fatalf("line %d %q: text column has %d chars for %d bytes", i, line, len(text), len(b))
		}
		out = append(out, b...)
		prev = b
	}
	return out
}

// FuzzBin checks bin's codecs: hex and base64 round-trip; unhex and unb64
// accept exactly what they document; hexdump parses back to its input;
// xor equals its byte-by-byte definition.
func FuzzBin(f *testing.F) {
	f.Add([]byte("hello, world\n"), "de ad BE EF")
	f.Add(bytes.Repeat([]byte("0123456789abcdef"), 5), "Zm9vYmFy")
	f.Add(make([]byte, 40), "Zg==\r\n")
	f.Add([]byte{0, 0xff, 0x7f, 0x80}, "0x41")
	f.Fuzz(func(t *testing.T, data []byte, text string) {
		h := hex.EncodeToString(data)
		if got, err := binDecodeHex(h); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("binDecodeHex(hex(%x)) = %x, %v", data, got, err)
		}
		if got, err := binDecodeHex(strings.ToUpper(h)); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("unhex of upper case %q = %x, %v", h, got, err)
		}

		got, err := binDecodeHex(text)
		stripped := strings.Map(func(r rune) rune {
			if strings.ContainsRune(" \t\n\r\v\f", r) {
				return -1
			}
			return r
		}, text)
		want, wantErr := hex.DecodeString(stripped)
		if (err == nil) != (wantErr == nil) || err == nil && !bytes.Equal(got, want) {
			t.Fatalf("binDecodeHex(%q) = %x, %v; want %x, %v", text, got, err, want, wantErr)
		}

		if got, err := binDecodeB64(base64.StdEncoding.EncodeToString(data)); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("b64 round trip of %x: %x, %v", data, got, err)
		}
		// What unb64 accepts is base64 of what it returns, give or take
		// line breaks and the unused bits of the last group.
		if got, err := binDecodeB64(text); err == nil {
			if again, err := binDecodeB64(base64.StdEncoding.EncodeToString(got)); err != nil || !bytes.Equal(again, got) {
				t.Fatalf("unb64(%q) = %x does not round-trip", text, got)
			}
			if n := len(strings.NewReplacer("\r", "", "\n", "").Replace(text)); n%4 != 0 || len(got) > n/4*3 {
				t.Fatalf("unb64(%q) accepted %d characters and gave %d bytes", text, n, len(got))
			}
		}

		// xor with text as the key, block by block, is the byte-by-byte
		// definition.
		if text != "" {
			if got := xorRepeat(string(data), text); got != string(xorBytewise(data, []byte(text))) {
				t.Fatalf("xor of %x with key %q = %x", data, text, got)
			}
		}

		if got := parseHexdump(t, Hexdump(data)); !bytes.Equal(got, data) {
			t.Fatalf("hexdump of %x parses back as %x:\n%s", data, got, Hexdump(data))
		}
		if got := parseHexdump(t, Hexdump([]byte(text))); !bytes.Equal(got, []byte(text)) {
			t.Fatalf("hexdump of %q parses back as %q", text, got)
		}

		for _, s := range []string{string(data), text} {
			esc := textesc.Escape(s, 0)
			if !textesc.IsText(esc) || strings.ContainsAny(esc, "\r\n\t") {
				t.Fatalf("bin.escape(%q) = %q leaves a byte a terminal acts on", s, esc)
			}
			if n := textesc.EscapedLen(s, 0); n != int64(len(esc)) {
				t.Fatalf("EscapedLen(%q) = %d, len(Escape) = %d", s, n, len(esc))
			}
			if back := unescapeLua(t, esc); back != s {
				t.Fatalf("bin.escape(%q) = %q reads back as %q", s, esc, back)
			}
		}
	})
}

// unescapeLua reads the escapes bin.escape writes (\\, \n, \r, \t, \ddd)
// back into bytes.
func unescapeLua(t *testing.T, s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		i++
		if i == len(s) {
			t.Fatalf("escape at the end of %q", s)
		}
		switch c := s[i]; {
		case c == 'n':
			b.WriteByte('\n')
		case c == 'r':
			b.WriteByte('\r')
		case c == 't':
			b.WriteByte('\t')
		case c == '\\':
			b.WriteByte('\\')
		case c >= '0' && c <= '9':
			n := 0
			for j := 0; j < 3 && i < len(s) && s[i] >= '0' && s[i] <= '9'; j++ {
				n = n*10 + int(s[i]-'0')
				i++
			}
			i--
			if n > 255 {
				t.Fatalf("escape \\%d in %q", n, s)
			}
			b.WriteByte(byte(n))
		default:
			t.Fatalf("unknown escape \\%c in %q", c, s)
		}
	}
	return b.String()
}
