package bindings

// The utf8 module: Lua 5.3's utf8 library (char, charpattern, codepoint,
// len, offset, codes) with its semantics, for code written for Lua 5.3 and
// habits from it. utf8_test.go compares generated cases with the real
// lua5.3.
//
// As in Lua 5.3 a sequence is valid when it has at most four bytes, is not
// overlong and encodes at most U+10FFFF; surrogates (U+D800-U+DFFF) are
// valid. Positions are byte positions; negative ones count from the end.
//
// The functions that scan a string charge their work to the task (a unit
// per utf8BytesPerUnit bytes), so utf8.len on a string of hundreds of
// megabytes hands the interpreter to the other tasks every time slice and
// stops at a cancel, as string.find does.

import (
	"strconv"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

const utf8Summary = "Lua 5.3's utf8 library: char, charpattern, codepoint, len, offset, codes"

// utf8CharPattern matches one UTF-8 sequence (Lua 5.3's utf8.charpattern).
const utf8CharPattern = "[\x00-\x7F\xC2-\xF4][\x80-\xBF]*"

// utf8MaxCodepoints caps the values utf8.codepoint returns, counted as
// Lua 5.3 counts them: the bytes of the range. Lua 5.3 stops at its stack
// size (a million); the interpreter here has 262,144 slots in all.
const utf8MaxCodepoints = maxResults

var utf8Funcs = []binding{
	{"char", (*Runtime).utf8Char, "utf8.char(code1 [, code2...]) -> s",
		"The UTF-8 encoding of each code point (0 to 0x10FFFF, surrogates included), concatenated. utf8.charpattern is the pattern of one sequence: \"[\\0-\\x7F\\xC2-\\xF4][\\x80-\\xBF]*\".",
		`print(utf8.char(72, 0xe9, 0x20ac)) --> Hé€`},
	{"codepoint", (*Runtime).utf8Codepoint, "utf8.codepoint(s [, i [, j]]) -> code1, ...",
		"The code points of the characters that start between byte positions i (default 1) and j (default i); raises \"invalid UTF-8 code\" on an invalid sequence, and \"string slice too long\" for a range of more than 100,000 bytes (use utf8.codes).",
		`print(utf8.codepoint("héllo", 1, -1))`},
	{"len", (*Runtime).utf8Len, "utf8.len(s [, i [, j]]) -> n | nil, pos",
		"The number of characters that start between byte positions i (default 1) and j (default -1); nil and the position of the first invalid byte if the range is not valid UTF-8.",
		`print(utf8.len("héllo")) --> 5`},
	{"offset", (*Runtime).utf8Offset, "utf8.offset(s, n [, i]) -> pos | nil",
		"The byte position where the n-th character counted from byte i starts (i defaults to 1, or #s + 1 for a negative n); n = 0 gives the start of the character holding byte i; nil if there is no such character.",
		`local last = utf8.offset(s, -1) -- start of the last character`},
	{"codes", (*Runtime).utf8Codes, "utf8.codes(s) -> iterator",
		"Iterates over the characters of s: for pos, code in utf8.codes(s). Raises \"invalid UTF-8 code\" on an invalid sequence.",
		`for pos, code in utf8.codes("hé") do print(pos, code) end`},
}

// utf8Decode decodes the sequence that starts at s[i] (i < len(s)) as Lua
// 5.3's utf8_decode does, returning the code point and the index after the
// sequence, or ok false if it is invalid. Lua's reads past the end meet
// the string's terminating 0, never a continuation byte: so does this.
func utf8Decode(s string, i int) (code uint32, next int, ok bool) {
	c := uint32(s[i])
	if c < 0x80 {
		return c, i + 1, true
	}
	var res uint32
	count := 0
	for ; c&0x40 != 0; c <<= 1 { // each 1 bit after the first: a continuation byte
		count++
		if i+count >= len(s) {
			return 0, 0, false
		}
		cc := uint32(s[i+count])
		if cc&0xC0 != 0x80 {
			return 0, 0, false
		}
		res = res<<6 | cc&0x3F
	}
	if count > 3 {
		return 0, 0, false
	}
	res |= (c & 0x7F) << (count * 5)
	limits := [4]uint32{0xFF, 0x7F, 0x7FF, 0xFFFF} // the largest overlong value, by count
	if res > 0x10FFFF || res <= limits[count] {
		return 0, 0, false
	}
	return res, i + count + 1, true
}

// utf8Encode appends the UTF-8 encoding of code (at most 0x10FFFF) to b,
// surrogates included (Go's utf8.AppendRune would replace them).
func utf8Encode(b []byte, code uint32) []byte {
	switch {
	case code < 0x80:
		return append(b, byte(code))
	case code < 0x800:
		return append(b, 0xC0|byte(code>>6), 0x80|byte(code&0x3F))
	case code < 0x10000:
		return append(b, 0xE0|byte(code>>12), 0x80|byte(code>>6&0x3F), 0x80|byte(code&0x3F))
	default:
		return append(b, 0xF0|byte(code>>18), 0x80|byte(code>>12&0x3F), 0x80|byte(code>>6&0x3F), 0x80|byte(code&0x3F))
	}
}

// utf8Count counts the sequences that start in s[from:to] (Lua 5.3's
// utf8.len on 0-based indexes): n, or the index of the first invalid one.
// charge, if not nil, is called with the bytes passed every so often.
func utf8Count(s string, from, to int, charge func(int)) (n int, bad int, ok bool) {
	charged := from
	for i := from; i < to; {
		_, next, valid := utf8Decode(s, i)
		if !valid {
			return n, i, false
		}
		i = next
		n++
		if charge != nil && i-charged >= utf8ChargeBytes {
			charge(i - charged)
			charged = i
		}
	}
	return n, 0, true
}

// utf8BytesPerUnit is the bytes scanned for one unit of a task's work, and
// utf8ChargeBytes how many are scanned between two charges.
const (
	utf8BytesPerUnit = 64
	utf8ChargeBytes  = 16 << 10
)

// chargeScan returns the charge function of the scanning loops: n bytes
// scanned cost n/utf8BytesPerUnit units of L's work.
func chargeScan(L *lua.LState) func(int) {
	return func(n int) { L.Charge(1 + n/utf8BytesPerUnit) }
}

// utf8IsCont reports whether s[i] is a continuation byte; past the end it
// is not (Lua's terminating 0).
func utf8IsCont(s string, i int) bool { return i < len(s) && s[i]&0xC0 == 0x80 }

// utf8PosRelat turns a position counted from the end (negative) into one
// counted from the start, 0 if before it (Lua 5.3's u_posrelat).
func utf8PosRelat(pos int64, n int) int64 {
	switch {
	case pos >= 0:
		return pos
	case uint64(-pos) > uint64(n): // -MinInt64 wraps to itself, 2^63 as uint64
		return 0
	default:
		return int64(n) + pos + 1
	}
}

func (rt *Runtime) utf8Char(L *lua.LState) int {
	top := L.GetTop()
	var b []byte
	for i := 1; i <= top; i++ { // none gives "", as in Lua 5.3
		code := argInteger(L, i, "code"+strconv.Itoa(i))
		if code < 0 || code > 0x10FFFF {
			argError(L, i, "code"+strconv.Itoa(i), "value out of range")
		}
		b = utf8Encode(b, uint32(code))
	}
	L.Push(lua.LString(b))
	return 1
}

func (rt *Runtime) utf8Len(L *lua.LState) int {
	s := argData(L, 1, "s")
	posi := utf8PosRelat(optInteger(L, 2, "i", 1), len(s))
	posj := utf8PosRelat(optInteger(L, 3, "j", -1), len(s))
	if posi < 1 || posi-1 > int64(len(s)) {
		argError(L, 2, "i", "initial position out of string")
	}
	if posj-1 >= int64(len(s)) {
		argError(L, 3, "j", "final position out of string")
	}
	from, to := int(posi-1), int(max(posj, 0)) // posj < posi: nothing to count
	n, bad, ok := utf8Count(s, from, max(to, from), chargeScan(L))
	if !ok {
		L.Push(lua.LNil)
		L.Push(lua.LNumber(bad + 1))
		return 2
	}
	L.Push(lua.LNumber(n))
	return 1
}

func (rt *Runtime) utf8Codepoint(L *lua.LState) int {
	s := argData(L, 1, "s")
	posi := utf8PosRelat(optInteger(L, 2, "i", 1), len(s))
	pose := utf8PosRelat(optInteger(L, 3, "j", posi), len(s))
	if posi < 1 {
		argError(L, 2, "i", "out of range")
	}
	if pose > int64(len(s)) {
		argError(L, 3, "j", "out of range")
	}
	if posi > pose {
		return 0
	}
	if pose-posi >= utf8MaxCodepoints {
		L.RaiseError("string slice too long (%d bytes, at most %d)", pose-posi+1, utf8MaxCodepoints)
	}
	charge := chargeScan(L)
	n, charged := 0, int(posi-1)
	for i := int(posi - 1); i < int(pose); {
		code, next, ok := utf8Decode(s, i)
		if !ok {
			L.RaiseError("invalid UTF-8 code")
		}
		L.Push(lua.LNumber(code))
		n++
		if i = next; i-charged >= utf8ChargeBytes {
			charge(i - charged)
			charged = i
		}
	}
	return n
}

func (rt *Runtime) utf8Offset(L *lua.LState) int {
	s := argData(L, 1, "s")
	n := argInteger(L, 2, "n")
	def := int64(1)
	if n < 0 {
		def = int64(len(s)) + 1
	}
	posi := utf8PosRelat(optInteger(L, 3, "i", def), len(s))
	if posi < 1 || posi-1 > int64(len(s)) {
		argError(L, 3, "i", "position out of range")
	}
	p := int(posi - 1)
	charge := chargeScan(L)
	start := p
	pay := func() { // charge what the moves below scanned so far
		if d := max(p-start, start-p); d >= utf8ChargeBytes {
			charge(d)
			start = p
		}
	}
	if n == 0 {
		for p > 0 && utf8IsCont(s, p) { // the start of the character at p
			p--
			pay()
		}
	} else {
		if utf8IsCont(s, p) {
			L.RaiseError("initial position is a continuation byte")
		}
		if n < 0 {
			for n < 0 && p > 0 { // back to the start of the previous character
				for p--; p > 0 && utf8IsCont(s, p); p-- {
					pay()
				}
				n++
				pay()
			}
		} else {
			n-- // the character at p is the first
			for n > 0 && p < len(s) {
				for p++; utf8IsCont(s, p); p++ {
					pay()
				}
				n--
				pay()
			}
		}
	}
	if n != 0 {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(lua.LNumber(p + 1))
	return 1
}

func (rt *Runtime) utf8Codes(L *lua.LState) int {
	s := argData(L, 1, "s")
	L.Push(L.NewFunction(utf8Next))
	L.Push(lua.LString(s))
	L.Push(lua.LNumber(0))
	return 3
}

// utf8Next is utf8.codes' iterator (Lua 5.3's iter_aux): from the byte
// position of the last character (0 at first), the next character's
// position and code point, or nothing at the end.
func utf8Next(L *lua.LState) int {
	s := argData(L, 1, "s")
	n := int64(-1)
	if v, ok := L.Get(2).(lua.LNumber); ok && v >= -(1<<63) && v < 1<<63 && float64(v) == float64(int64(v)) {
		n = int64(v) - 1 // lua_tointeger: anything else counts as 0
	}
	var p int
	switch {
	case n < 0:
		p = 0
	case n < int64(len(s)):
		p = int(n) + 1 // past the current byte and its continuations
		start := p
		for ; utf8IsCont(s, p); p++ {
			if p-start >= utf8ChargeBytes {
				L.Charge(1 + (p-start)/utf8BytesPerUnit)
				start = p
			}
		}
	default:
		return 0
	}
	if p >= len(s) {
		return 0
	}
	code, next, ok := utf8Decode(s, p)
	if !ok || utf8IsCont(s, next) {
		L.RaiseError("invalid UTF-8 code")
	}
	L.Push(lua.LNumber(p + 1))
	L.Push(lua.LNumber(code))
	return 2
}
