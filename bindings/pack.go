package bindings

// Lua 5.3's string.pack, string.unpack and string.packsize, ported from the
// PACK/UNPACK section of Lua 5.3.6's lstrlib.c so that the bytes, the
// alignment rules and the errors are Lua's. Sizes are those of Lua 5.3 on
// 64-bit Linux on every platform: i and I 4 bytes, l L j J T and the
// length of s 8, ! 8; = is the machine's byte order.
//
// Differences forced by gopher-lua's numbers being float64:
//   - pack takes integers that are whole numbers in [-2^63, 2^63); every
//     such float64 packs exactly, so pack then unpack round-trips, but
//     math.maxinteger-style values (2^63-1) cannot be written.
//   - unpack returns every integer as a float64: an integer of 8 bytes or
//     more (j J l L T i8 I8 and wider) beyond ±2^53 comes back rounded to
//     the nearest float64. J, like Lua 5.3's, reads 2^63 and above as
//     negative.
//
// Deliberate differences from Lua 5.3.6:
//   - unpack of z raises "unfinished string for format 'z'" when no zero
//     byte ends the string, as Lua 5.4 does, where 5.3 read past the end.
//   - pack refuses formats whose fixed-size fields (c counts, integers,
//     padding, alignment) add up to more than packMaxFixed bytes, so a short
//     format cannot make it allocate gigabytes; unpack never allocates more
//     than the data it was given, and returns at most packMaxResults-1
//     values ("too many results to unpack").
//   - a result over the largest string (lua.MaxStringSize, string.MAX_SIZE:
//     many s or z fields of big strings) raises "not enough memory" before
//     it is built.
//   - every format error is a "bad argument" error naming fmt, and a data
//     error one naming s, where Lua raises some of them without a position.

import (
	"bytes"
	"encoding/binary"
	"math"
	"strconv"
	"strings"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

const stringPackSummary = "Lua 5.3's binary packing, added to the string library: pack, unpack, packsize"

// stringPackFuncs are added to Lua's string table.
var stringPackFuncs = []binding{
	{"pack", (*Runtime).strPack, "string.pack(fmt, v1, ...) -> s",
		"Packs v1, ... into a binary string as Lua 5.3's format fmt says (< > = ! b B h H i[n] I[n] l L j J T f d n s[n] z c[n] x X); integers must be whole and under 2^63 in magnitude.",
		`local hdr = string.pack(">I2 I2 s1", 0x1234, 443, "host")`},
	{"unpack", (*Runtime).strUnpack, "string.unpack(fmt, s [, pos]) -> v1, ..., next",
		"Reads the values fmt describes from s at pos (default 1; negative counts from the end), then the position after them; integers of 8 bytes or more beyond ±2^53 come back rounded, as numbers are float64.",
		`local id, port, host, next = string.unpack(">I2 I2 s1", hdr)`},
	{"packsize", (*Runtime).strPackSize, "string.packsize(fmt) -> n",
		"The length of what string.pack(fmt, ...) returns; fmt must not contain the variable-length s or z.",
		`print(string.packsize("<i4 i8"))`},
}

// Limits and machine sizes of Lua 5.3's lstrlib.c on 64-bit Linux.
const (
	packMaxIntSize = 16            // MAXINTSIZE: i16 is the widest integer
	packSzInt      = 8             // sizeof(lua_Integer)
	packMaxAlign   = 8             // MAXALIGN: what "!" alone sets
	packMaxSize    = math.MaxInt32 // MAXSIZE: bounds packsize and numerals in a format
	packMaxFixed   = 16 << 20      // gonetrepl's cap on the format-driven bytes of one pack
	packMaxResults = 1 << 16       // gonetrepl's cap on the values one unpack returns
	packNumLimit   = (packMaxSize - 9) / 10
)

var packNativeLittle = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// packKind classifies an option of a format (KOption in lstrlib.c).
type packKind int

const (
	kInt       packKind = iota // signed integers
	kUint                      // unsigned integers
	kFloat                     // floating-point numbers
	kChar                      // fixed-length strings
	kString                    // strings with a length prefix
	kZstr                      // zero-terminated strings
	kPadding                   // x
	kPaddAlign                 // X
	kNop                       // configuration or spaces
)

// packFormat reads a format option by option (Header in lstrlib.c plus the
// format cursor). Errors raise on L as bad argument #1.
type packFormat struct {
	L        *lua.LState
	fmt      string
	i        int
	little   bool
	maxAlign int
}

func newPackFormat(L *lua.LState, format string) *packFormat {
	return &packFormat{L: L, fmt: format, little: packNativeLittle, maxAlign: 1}
}

func (f *packFormat) more() bool { return f.i < len(f.fmt) }

func (f *packFormat) fail(format string, args ...any) {
	argError(f.L, 1, "fmt", format, args...)
}

func packIsDigit(c byte) bool { return '0' <= c && c <= '9' }

// num reads a decimal numeral, or returns df when there is none. Like
// getnum, it stops reading digits once the value passes packNumLimit.
func (f *packFormat) num(df int) int {
	if !f.more() || !packIsDigit(f.fmt[f.i]) {
		return df
	}
	a := 0
	for {
		a = a*10 + int(f.fmt[f.i]-'0')
		f.i++
		if !f.more() || !packIsDigit(f.fmt[f.i]) || a > packNumLimit {
			return a
		}
	}
}

func (f *packFormat) numLimit(df int) int {
	sz := f.num(df)
	if sz > packMaxIntSize || sz <= 0 {
		f.fail("integral size (%d) out of limits [1,%d]", sz, packMaxIntSize)
	}
	return sz
}

// option reads and classifies the next option and its size (getoption).
func (f *packFormat) option() (packKind, int) {
	opt := f.fmt[f.i]
	f.i++
	switch opt {
	case 'b':
		return kInt, 1
	case 'B':
		return kUint, 1
	case 'h':
		return kInt, 2
	case 'H':
		return kUint, 2
	case 'l', 'j':
		return kInt, 8
	case 'L', 'J', 'T':
		return kUint, 8
	case 'f':
		return kFloat, 4
	case 'd', 'n':
		return kFloat, 8
	case 'i':
		return kInt, f.numLimit(4)
	case 'I':
		return kUint, f.numLimit(4)
	case 's':
		return kString, f.numLimit(8)
	case 'c':
		size := f.num(-1)
		if size == -1 {
			f.fail("missing size for format option 'c'")
		}
		return kChar, size
	case 'z':
		return kZstr, 0
	case 'x':
		return kPadding, 1
	case 'X':
		return kPaddAlign, 0
	case ' ':
	case '<':
		f.little = true
	case '>':
		f.little = false
	case '=':
		f.little = packNativeLittle
	case '!':
		f.maxAlign = f.numLimit(packMaxAlign)
	default:
		f.fail("invalid format option %s", packQuoteOption(opt))
	}
	return kNop, 0
}

// packQuoteOption quotes a format character as Lua's %c would print it, with
// Go escapes for bytes that are not printable.
func packQuoteOption(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return "'" + string(rune(c)) + "'"
	}
	return strconv.QuoteToASCII(string([]byte{c}))
}

// next reads the next option with its size and the padding that aligns it
// at offset total (getdetails).
func (f *packFormat) next(total int) (kind packKind, size, ntoalign int) {
	kind, size = f.option()
	align := size // usually, alignment follows size
	if kind == kPaddAlign {
		// X takes its alignment from the option after it.
		var nextKind packKind
		if f.more() {
			nextKind, align = f.option()
		}
		if align == 0 || nextKind == kChar {
			f.fail("invalid next option for option 'X'")
		}
	}
	if align <= 1 || kind == kChar {
		return kind, size, 0
	}
	align = min(align, f.maxAlign)
	if align&(align-1) != 0 {
		f.fail("format asks for alignment not power of 2")
	}
	return kind, size, (align - total&(align-1)) & (align - 1)
}

// packValueName names the argument that the value at stack position n is.
func packValueName(n int) string { return "v" + strconv.Itoa(n-1) }

// packNumber reads argument n as luaL_checknumber does: a number, or a
// string that converts to one.
func packNumber(L *lua.LState, n int) float64 {
	switch v := L.Get(n).(type) {
	case lua.LNumber:
		return float64(v)
	case lua.LString:
		if f, ok := packParseNumber(string(v)); ok {
			return f
		}
	}
	expected(L, n, packValueName(n), "number")
	return 0
}

// packParseNumber converts a string as gopher-lua's arithmetic does.
func packParseNumber(s string) (float64, bool) {
	s = strings.Trim(s, " \t\n")
	if v, err := strconv.ParseInt(s, 0, 64); err == nil {
		return float64(v), true
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}

// packInteger reads argument n as luaL_checkinteger does: a whole number
// that an int64 holds.
func packInteger(L *lua.LState, n int) int64 {
	f := packNumber(L, n)
	if f != math.Trunc(f) || f < -(1<<63) || f >= 1<<63 {
		argError(L, n, packValueName(n), "number has no integer representation")
	}
	return int64(f)
}

// packString reads argument n as luaL_checklstring does: a string, or a
// number converted to one.
func packString(L *lua.LState, n int) string {
	return argData(L, n, packValueName(n))
}

// packAppendInt appends the size low bytes of v in the given order; bytes past
// the eighth repeat the sign when neg (packint).
func packAppendInt(b []byte, v uint64, little bool, size int, neg bool) []byte {
	start := len(b)
	for i := 0; i < size; i++ {
		c := byte(0)
		switch {
		case i < 8:
			c = byte(v >> (8 * i))
		case neg:
			c = 0xff
		}
		b = append(b, c)
	}
	if !little {
		packReverse(b[start:])
	}
	return b
}

func packReverse(b []byte) {
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
}

// packReadInt reads a size-byte integer (unpackint). Bytes past the eighth
// must only extend the sign of the first eight.
func packReadInt(L *lua.LState, data []byte, little bool, size int, signed bool) int64 {
	at := func(i int) byte { // i-th byte from the least significant
		if little {
			return data[i]
		}
		return data[size-1-i]
	}
	var res uint64
	for i := min(size, packSzInt) - 1; i >= 0; i-- {
		res = res<<8 | uint64(at(i))
	}
	switch {
	case size < packSzInt:
		if signed {
			mask := uint64(1) << (size*8 - 1)
			res = (res ^ mask) - mask
		}
	case size > packSzInt:
		ext := byte(0)
		if signed && int64(res) < 0 {
			ext = 0xff
		}
		for i := packSzInt; i < size; i++ {
			if at(i) != ext {
				argError(L, 2, "s", "%d-byte integer does not fit into Lua Integer", size)
			}
		}
	}
	return int64(res)
}

func packAppendFloat(b []byte, v float64, little bool, size int) []byte {
	start := len(b)
	if size == 4 {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(v)))
	} else {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	if !little {
		packReverse(b[start:])
	}
	return b
}

func packReadFloat(data []byte, little bool, size int) float64 {
	buf := make([]byte, size)
	copy(buf, data[:size])
	if !little {
		packReverse(buf)
	}
	if size == 4 {
		return float64(math.Float32frombits(binary.LittleEndian.Uint32(buf)))
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(buf))
}

// packLength is the length of what strPack will build from the format
// and the arguments on the stack, computed without building it, so that a
// result over the largest string is refused before it is allocated and
// the rest is allocated once. It raises only for the format; the
// arguments are checked as strPack packs them.
func packLength(L *lua.LState, format string) int64 {
	f := newPackFormat(L, format)
	total := int64(0)
	arg := 1
	for f.more() {
		kind, size, ntoalign := f.next(int(min(total, packMaxSize)))
		total += int64(ntoalign)
		arg++
		switch kind {
		case kString, kZstr:
			if kind == kZstr {
				size = 1
			}
			switch v := L.Get(arg).(type) {
			case lua.LString:
				total += int64(len(v))
			case lua.LNumber:
				total += int64(len(v.String()))
			}
			total += int64(size)
		case kPadding:
			total++
			arg--
		case kPaddAlign, kNop:
			arg--
		default:
			total += int64(size)
		}
		if total > lua.MaxStringSize {
			break
		}
	}
	return total
}

func (rt *Runtime) strPack(L *lua.LState) int {
	format := argData(L, 1, "fmt")
	n := packLength(L, format)
	L.CheckStringSize("string.pack", n)
	f := newPackFormat(L, format)
	b := make([]byte, 0, n)
	fixed := 0 // bytes the format itself makes, capped at packMaxFixed
	arg := 1
	for f.more() {
		kind, size, ntoalign := f.next(len(b))
		if fixed += ntoalign + size; fixed > packMaxFixed {
			f.fail("format result too large (over %d bytes of fixed-size fields)", packMaxFixed)
		}
		for ; ntoalign > 0; ntoalign-- {
			b = append(b, 0)
		}
		arg++
		switch kind {
		case kInt:
			n := packInteger(L, arg)
			if size < packSzInt {
				lim := int64(1) << (size*8 - 1)
				if n < -lim || n >= lim {
					argError(L, arg, packValueName(arg), "integer overflow")
				}
			}
			b = packAppendInt(b, uint64(n), f.little, size, n < 0)
		case kUint:
			n := packInteger(L, arg)
			if size < packSzInt && uint64(n) >= uint64(1)<<(size*8) {
				argError(L, arg, packValueName(arg), "unsigned overflow")
			}
			b = packAppendInt(b, uint64(n), f.little, size, false)
		case kFloat:
			b = packAppendFloat(b, packNumber(L, arg), f.little, size)
		case kChar:
			s := packString(L, arg)
			if len(s) > size {
				argError(L, arg, packValueName(arg), "string longer than given size")
			}
			b = append(b, s...)
			b = append(b, make([]byte, size-len(s))...)
		case kString:
			s := packString(L, arg)
			if size < 8 && uint64(len(s)) >= uint64(1)<<(size*8) {
				argError(L, arg, packValueName(arg), "string length does not fit in given size")
			}
			b = packAppendInt(b, uint64(len(s)), f.little, size, false)
			b = append(b, s...)
		case kZstr:
			s := packString(L, arg)
			if strings.IndexByte(s, 0) >= 0 {
				argError(L, arg, packValueName(arg), "string contains zeros")
			}
			b = append(b, s...)
			b = append(b, 0)
		case kPadding:
			b = append(b, 0)
			arg--
		default: // kPaddAlign, kNop
			arg--
		}
	}
	L.Push(lua.LString(b))
	return 1
}

func (rt *Runtime) strPackSize(L *lua.LState) int {
	f := newPackFormat(L, argData(L, 1, "fmt"))
	total := 0
	for f.more() {
		kind, size, ntoalign := f.next(total)
		size += ntoalign
		if total > packMaxSize-size {
			f.fail("format result too large")
		}
		total += size
		if kind == kString || kind == kZstr {
			f.fail("variable-length format")
		}
	}
	L.Push(lua.LNumber(total))
	return 1
}

// unpackPos reads unpack's optional start position (1-based, negative from
// the end) and returns it 0-based.
func unpackPos(L *lua.LState, n, length int) int {
	if L.Get(n) == lua.LNil {
		return 0
	}
	f, ok := 0.0, false
	switch v := L.Get(n).(type) {
	case lua.LNumber:
		f, ok = float64(v), true
	case lua.LString:
		f, ok = packParseNumber(string(v))
	}
	if !ok {
		expected(L, n, "pos", "number")
	}
	if f != math.Trunc(f) || f < -(1<<63) || f >= 1<<63 {
		argError(L, n, "pos", "number has no integer representation")
	}
	pos := int64(f)
	switch { // posrelat
	case pos >= 0:
	case -pos > int64(length):
		pos = 0
	default:
		pos += int64(length) + 1
	}
	if pos < 1 || pos-1 > int64(length) {
		argError(L, n, "pos", "initial position out of string")
	}
	return int(pos - 1)
}

func (rt *Runtime) strUnpack(L *lua.LState) int {
	format := argData(L, 1, "fmt")
	data := bytesOf(argData(L, 2, "s")) // read only: no copy of the subject per call
	pos := unpackPos(L, 3, len(data))
	f := newPackFormat(L, format)
	var results []lua.LValue // pushed at the end: a raise leaves no values behind
	push := func(v lua.LValue) {
		if len(results) >= packMaxResults-1 {
			L.RaiseError("too many results to unpack (at most %d)", packMaxResults-1)
		}
		results = append(results, v)
	}
	for f.more() {
		kind, size, ntoalign := f.next(pos)
		if ntoalign+size > len(data)-pos {
			argError(L, 2, "s", "data string too short")
		}
		pos += ntoalign
		switch kind {
		case kInt, kUint:
			push(lua.LNumber(packReadInt(L, data[pos:], f.little, size, kind == kInt)))
		case kFloat:
			push(lua.LNumber(packReadFloat(data[pos:], f.little, size)))
		case kChar:
			push(lua.LString(data[pos : pos+size]))
		case kString:
			n := uint64(packReadInt(L, data[pos:], f.little, size, false))
			if n > uint64(len(data)-pos-size) {
				argError(L, 2, "s", "data string too short")
			}
			push(lua.LString(data[pos+size : pos+size+int(n)]))
			pos += int(n)
		case kZstr:
			n := bytes.IndexByte(data[pos:], 0)
			if n < 0 {
				argError(L, 2, "s", "unfinished string for format 'z'")
			}
			push(lua.LString(data[pos : pos+n]))
			pos += n + 1
		}
		pos += size
	}
	// Grow the stack once: pushing one by one grows it by a few slots at a
	// time, which is quadratic for thousands of results.
	top := L.GetTop()
	L.SetTop(top + len(results) + 1)
	for i, v := range results {
		L.Replace(top+1+i, v)
	}
	L.Replace(top+len(results)+1, lua.LNumber(pos+1))
	return len(results) + 1
}
