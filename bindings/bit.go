package bindings

// The bit module: LuaJIT's BitOp API (https://bitop.luajit.org/api.html),
// with the results of LuaJIT 2.1 on the same numbers, so that code written
// for LuaJIT (or for Lua 5.1 with the BitOp C module) runs unchanged.
// bit_test.go compares a few thousand cases with the real luajit.
//
// Numbers are doubles; every operation first converts its arguments to 32
// bits as LuaJIT does (tobit32) and returns a signed 32-bit result.

import (
	"math"
	"math/bits"
	"strconv"
	"strings"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

const bitSummary = "LuaJIT's bit operations on 32 bits (BitOp): band, bor, bxor, shifts, rotates, tohex"

var bitFuncs = []binding{
	{"tobit", (*Runtime).bitTobit, "bit.tobit(x) -> y",
		"x as a signed 32-bit number, as every bit function sees it: modulo 2^32, fractions rounded to nearest (halves to even), from -2^31 to 2^31-1.",
		`print(bit.tobit(0xffffffff)) --> -1`},
	{"tohex", (*Runtime).bitTohex, "bit.tohex(x [, n]) -> hex",
		"The low 32 bits of x as n hex digits (default 8); a negative n gives upper case. Over 8 digits is zero-padded, as in LuaJIT 2.1.",
		`print(bit.tohex(255, 4), bit.tohex(-1, -8)) --> 00ff	FFFFFFFF`},
	{"bnot", (*Runtime).bitBnot, "bit.bnot(x) -> y",
		"The bitwise not of x.",
		`print(bit.bnot(0)) --> -1`},
	{"band", (*Runtime).bitBand, "bit.band(x1 [, x2...]) -> y",
		"The bitwise and of all its arguments.",
		`local low = bit.band(n, 0xff)`},
	{"bor", (*Runtime).bitBor, "bit.bor(x1 [, x2...]) -> y",
		"The bitwise or of all its arguments.",
		`local flags = bit.bor(0x01, 0x04, 0x10)`},
	{"bxor", (*Runtime).bitBxor, "bit.bxor(x1 [, x2...]) -> y",
		"The bitwise exclusive or of all its arguments.",
		`print(bit.bxor(0x5a, 0xff)) --> 165`},
	{"lshift", (*Runtime).bitLshift, "bit.lshift(x, n) -> y",
		"x shifted left by n bits (only the low 5 bits of n count).",
		`print(bit.lshift(1, 10)) --> 1024`},
	{"rshift", (*Runtime).bitRshift, "bit.rshift(x, n) -> y",
		"x shifted right by n bits, zeros coming in (logical shift; only the low 5 bits of n count).",
		`print(bit.rshift(-1, 28)) --> 15`},
	{"arshift", (*Runtime).bitArshift, "bit.arshift(x, n) -> y",
		"x shifted right by n bits, copies of the sign bit coming in (arithmetic shift; only the low 5 bits of n count).",
		`print(bit.arshift(-256, 4)) --> -16`},
	{"rol", (*Runtime).bitRol, "bit.rol(x, n) -> y",
		"x rotated left by n bits (only the low 5 bits of n count).",
		`print(bit.tohex(bit.rol(0x12345678, 8))) --> 34567812`},
	{"ror", (*Runtime).bitRor, "bit.ror(x, n) -> y",
		"x rotated right by n bits (only the low 5 bits of n count).",
		`print(bit.tohex(bit.ror(0x12345678, 8))) --> 78123456`},
	{"bswap", (*Runtime).bitBswap, "bit.bswap(x) -> y",
		"x with its four bytes in reverse order: converts between little and big endian.",
		`print(bit.tohex(bit.bswap(0x12345678))) --> 78563412`},
}

// tobit32 converts a double to 32 bits exactly as LuaJIT does (lj_num2bit):
// adding 2^52+2^51 leaves the number rounded to an integer (halves to
// even) in the low bits of the double, which are then taken as they are.
// Numbers beyond ±2^51, infinities and NaN get what those bits hold, as in
// LuaJIT on the same machine.
func tobit32(f float64) int32 {
	return int32(uint32(math.Float64bits(f + 6755399441055744.0)))
}

// bitArg reads argument n as a number, converted to 32 bits. A string
// that spells a number counts as that number, as in LuaJIT (and Lua 5.1's
// arithmetic); anything else raises an error naming the argument.
func bitArg(L *lua.LState, n int, name string) int32 {
	switch v := L.Get(n).(type) {
	case lua.LNumber:
		return tobit32(float64(v))
	case lua.LString:
		if f, ok := numberFromString(string(v)); ok {
			return tobit32(f)
		}
	}
	expected(L, n, name, "number")
	return 0
}

func pushBits(L *lua.LState, v int32) int {
	L.Push(lua.LNumber(v))
	return 1
}

func (rt *Runtime) bitTobit(L *lua.LState) int { return pushBits(L, bitArg(L, 1, "x")) }
func (rt *Runtime) bitBnot(L *lua.LState) int  { return pushBits(L, ^bitArg(L, 1, "x")) }

func (rt *Runtime) bitBswap(L *lua.LState) int {
	return pushBits(L, int32(bits.ReverseBytes32(uint32(bitArg(L, 1, "x")))))
}

// bitFold combines x1, x2, ... with op; at least x1 is required.
func bitFold(L *lua.LState, op func(a, b int32) int32) int {
	acc := bitArg(L, 1, "x1")
	for i := 2; i <= L.GetTop(); i++ {
		acc = op(acc, bitArg(L, i, "x"+strconv.Itoa(i)))
	}
	return pushBits(L, acc)
}

func (rt *Runtime) bitBand(L *lua.LState) int {
	return bitFold(L, func(a, b int32) int32 { return a & b })
}

func (rt *Runtime) bitBor(L *lua.LState) int {
	return bitFold(L, func(a, b int32) int32 { return a | b })
}

func (rt *Runtime) bitBxor(L *lua.LState) int {
	return bitFold(L, func(a, b int32) int32 { return a ^ b })
}

// bitShiftArgs reads x and a shift count n, of which the low 5 bits count.
func bitShiftArgs(L *lua.LState) (uint32, uint) {
	x := bitArg(L, 1, "x")
	n := bitArg(L, 2, "n")
	return uint32(x), uint(n & 31)
}

func (rt *Runtime) bitLshift(L *lua.LState) int {
	x, n := bitShiftArgs(L)
	return pushBits(L, int32(x<<n))
}

func (rt *Runtime) bitRshift(L *lua.LState) int {
	x, n := bitShiftArgs(L)
	return pushBits(L, int32(x>>n))
}

func (rt *Runtime) bitArshift(L *lua.LState) int {
	x, n := bitShiftArgs(L)
	return pushBits(L, int32(x)>>n)
}

func (rt *Runtime) bitRol(L *lua.LState) int {
	x, n := bitShiftArgs(L)
	return pushBits(L, int32(bits.RotateLeft32(x, int(n))))
}

func (rt *Runtime) bitRor(L *lua.LState) int {
	x, n := bitShiftArgs(L)
	return pushBits(L, int32(bits.RotateLeft32(x, -int(n))))
}

func (rt *Runtime) bitTohex(L *lua.LState) int {
	x := uint32(bitArg(L, 1, "x"))
	n := int32(8)
	if L.GetTop() >= 2 { // an explicit nil is an error, as in LuaJIT
		n = bitArg(L, 2, "n")
	}
	L.Push(lua.LString(tohex(x, n)))
	return 1
}

// tohex formats x as LuaJIT 2.1's bit.tohex does: n digits, upper case for
// a negative n; fewer than 8 keep the low digits, more are zero-padded.
// LuaJIT passes n to its formatter as a precision byte (n+1)&255, where 0
// means none: so n of 255 (or -255) gives x's digits unpadded, 256 gives
// them with precision 0 (nothing at all for 0), and 1000 gives 232 digits.
// The edge cases are kept because the tests compare with luajit itself.
func tohex(x uint32, n int32) string {
	upper := false
	if n < 0 {
		n = int32(-uint32(n)) // -2^31 stays negative, as in LuaJIT
		upper = true
	}
	v := uint64(x)
	if n < 16 {
		v &= 1<<(uint32(4*n)&63) - 1 // 4*(-2^31) wraps to 0: nothing left
	}
	digits := strconv.FormatUint(v, 16)
	if field := (uint32(n) + 1) & 255; field != 0 {
		prec := int(field - 1)
		switch {
		case v == 0 && prec == 0:
			digits = ""
		case len(digits) < prec:
			digits = strings.Repeat("0", prec-len(digits)) + digits
		}
	}
	if upper {
		digits = strings.ToUpper(digits)
	}
	return digits
}
