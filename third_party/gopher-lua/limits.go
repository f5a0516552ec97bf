package lua

import (
	"fmt"
	"math"
)

// gonetrepl patch 10: the largest string.
//
// MaxStringSize is the largest string the library builds: a result that
// would be longer (string.rep, .., table.concat, string.format, gsub, a
// read from a file) raises "not enough memory", a catchable Lua error,
// before anything that size is allocated. Without it string.rep("x", 2^36)
// ended the process with Go's "fatal error: runtime: out of memory", which
// no recover can catch. 256 MiB leaves room for every protocol gonetrepl
// speaks (its read caps are 64 MiB) while a few such strings still fit in
// a small machine.
const MaxStringSize = 256 << 20

// SizeProduct returns a*b for sizes (non-negative), saturating at
// math.MaxInt64 instead of overflowing, so a product of two huge counts is
// still refused by CheckStringSize.
func SizeProduct(a, b int64) int64 {
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > math.MaxInt64/b {
		return math.MaxInt64
	}
	return a * b
}

// SizeSum returns a+b for sizes (non-negative), saturating at
// math.MaxInt64.
func SizeSum(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// CheckStringSize raises "not enough memory" when a string of n bytes,
// the result of what (a function name, "string.rep"), would be over
// MaxStringSize. Call it before allocating the result.
func (ls *LState) CheckStringSize(what string, n int64) {
	if n > MaxStringSize || n < 0 {
		ls.RaiseError("%s", StringSizeMessage(what, n))
	}
}

// StringSizeMessage is the message of CheckStringSize's error, for callers
// that report it another way.
func StringSizeMessage(what string, n int64) string {
	size := fmt.Sprintf("%d bytes", n)
	if n == math.MaxInt64 || n < 0 {
		size = "more than 2^63 bytes"
	}
	return fmt.Sprintf("not enough memory: %s would make a string of %s, over the largest string (%d bytes)", what, size, MaxStringSize)
}
