package bindings

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// Argument checks. Each raises "bad argument #n to f (name: problem)", so
// the message names the argument as the documentation does.

func argError(L *lua.LState, n int, name, format string, args ...any) {
	L.ArgError(n, name+": "+fmt.Sprintf(format, args...))
}

func expected(L *lua.LState, n int, name, want string) {
	argError(L, n, name, "%s expected, got %s", want, typeName(L.Get(n)))
}

// argString requires a string (not a number: an address or a name).
func argString(L *lua.LState, n int, name string) string {
	if s, ok := L.Get(n).(lua.LString); ok {
		return string(s)
	}
	expected(L, n, name, "string")
	return ""
}

// argData requires bytes to send: a string, or a number as Lua's own
// string functions accept one.
func argData(L *lua.LState, n int, name string) string {
	switch v := L.Get(n).(type) {
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return v.String()
	}
	expected(L, n, name, "string")
	return ""
}

// argNumber requires a finite number.
func argNumber(L *lua.LState, n int, name string) float64 {
	v, ok := L.Get(n).(lua.LNumber)
	if !ok {
		expected(L, n, name, "number")
	}
	f := float64(v)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		argError(L, n, name, "finite number expected, got %v", f)
	}
	return f
}

// optSize reads an optional integer count in [lo, hi], def if absent.
func optSize(L *lua.LState, n int, name string, def, lo, hi int) int {
	if L.Get(n) == lua.LNil {
		return def
	}
	return argSize(L, n, name, lo, hi)
}

// optMax reads an optional cap on the bytes a call may return, an integer
// from lo up to the largest string (lua.MaxStringSize); def if absent. A
// cap over the largest string is refused as Lua refuses an allocation,
// with "not enough memory" in the message.
func optMax(L *lua.LState, n int, name string, def, lo int) int {
	if L.Get(n) == lua.LNil {
		return def
	}
	if f := argNumber(L, n, name); f > lua.MaxStringSize && f == math.Trunc(f) {
		argError(L, n, name, "%v is over the largest string, %d bytes: not enough memory", lua.LNumber(f), lua.MaxStringSize)
	}
	return argSize(L, n, name, lo, lua.MaxStringSize)
}

// argSize requires an integer count in [lo, hi].
func argSize(L *lua.LState, n int, name string, lo, hi int) int {
	f := argNumber(L, n, name)
	if f != math.Trunc(f) {
		argError(L, n, name, "integer expected, got %v", f)
	}
	if f < float64(lo) || f > float64(hi) {
		argError(L, n, name, "must be between %d and %d, got %v", lo, hi, lua.LNumber(f))
	}
	return int(f)
}

// maxSeconds bounds durations so that conversion to time.Duration cannot
// overflow (about 292 years).
const maxSeconds = 9e9

// optSeconds reads an optional non-negative duration in seconds; ok is false
// when the argument is nil.
func optSeconds(L *lua.LState, n int, name string) (d time.Duration, ok bool) {
	if L.Get(n) == lua.LNil {
		return 0, false
	}
	return argSeconds(L, n, name), true
}

func argSeconds(L *lua.LState, n int, name string) time.Duration {
	f := argNumber(L, n, name)
	if f < 0 || f > maxSeconds {
		argError(L, n, name, "seconds between 0 and %g expected, got %v", maxSeconds, lua.LNumber(f))
	}
	return time.Duration(f * float64(time.Second))
}

// relativeTimeBelow is where argTime stops taking a number for a relative
// time: 10^9 seconds since the epoch is September 2001, long before any
// deadline a script sets, and 31 years of seconds, longer than any timeout.
const relativeTimeBelow = 1e9

// argTime reads an absolute time in seconds since the epoch (as time.now()
// returns); nil or 0 is the zero time, which clears a deadline. A number
// below relativeTimeBelow is refused with a hint: it is a relative time
// typed where an absolute one belongs.
func argTime(L *lua.LState, n int, name string) time.Time {
	if L.Get(n) == lua.LNil {
		return time.Time{}
	}
	f := argNumber(L, n, name)
	if f == 0 {
		return time.Time{}
	}
	if f > 0 && f < relativeTimeBelow {
		// set_deadline(5) means "in five seconds" to whoever types it, and
		// would be a deadline in 1970, expired at once, to every later call.
		argError(L, n, name, "%v looks like a number of seconds from now; a deadline is a time since the epoch: use time.now() + %v, or set_timeout(%v)",
			lua.LNumber(f), lua.LNumber(f), lua.LNumber(f))
	}
	if f < 0 || f > 1e11 {
		argError(L, n, name, "seconds since the epoch expected, got %v", lua.LNumber(f))
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9))
}

// argOption requires one of a fixed set of strings.
func argOption(L *lua.LState, n int, name string, options []string) string {
	s := argString(L, n, name)
	for _, o := range options {
		if s == o {
			return s
		}
	}
	argError(L, n, name, "one of %s expected, got %q", strings.Join(options, ", "), s)
	return ""
}

// optTable reads an optional options table.
func optTable(L *lua.LState, n int, name string) *lua.LTable {
	switch v := L.Get(n).(type) {
	case *lua.LNilType:
		return nil
	case *lua.LTable:
		return v
	}
	expected(L, n, name, "table")
	return nil
}

func argFunction(L *lua.LState, n int, name string) *lua.LFunction {
	if f, ok := L.Get(n).(*lua.LFunction); ok {
		return f
	}
	expected(L, n, name, "function")
	return nil
}

// Fields of an options table, checked like arguments: the message names
// "opts.field".

func fieldSeconds(L *lua.LState, n int, opts *lua.LTable, field string) (time.Duration, bool) {
	if opts == nil {
		return 0, false
	}
	v := opts.RawGetString(field)
	if v == lua.LNil {
		return 0, false
	}
	f, ok := v.(lua.LNumber)
	if !ok || math.IsNaN(float64(f)) || f < 0 || f > maxSeconds {
		argError(L, n, "opts."+field, "seconds between 0 and %g expected, got %s", maxSeconds, describeValue(v))
	}
	return time.Duration(float64(f) * float64(time.Second)), true
}

func fieldString(L *lua.LState, n int, opts *lua.LTable, field string) (string, bool) {
	if opts == nil {
		return "", false
	}
	switch v := opts.RawGetString(field).(type) {
	case *lua.LNilType:
		return "", false
	case lua.LString:
		return string(v), true
	default:
		argError(L, n, "opts."+field, "string expected, got %s", typeName(v))
	}
	return "", false
}

func describeValue(v lua.LValue) string {
	if num, ok := v.(lua.LNumber); ok {
		return num.String()
	}
	return typeName(v)
}

// numberFromString converts a string to a number as tonumber does:
// decimal or 0x hex, surrounded by white space. Go's parsers alone would
// also take "inf", "nan" and digits with underscores, which Lua does not.
func numberFromString(s string) (float64, bool) {
	s = strings.Trim(s, " \t\n\r\v\f")
	if s == "" || strings.ContainsAny(s, "_iInN") {
		return 0, false
	}
	if v, err := strconv.ParseInt(s, 0, 64); err == nil {
		return float64(v), true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f, true
	}
	return 0, false
}

// argInteger reads argument n as Lua 5.3's luaL_checkinteger does: a
// number with an integer value (a string that spells one too), else an
// error naming the argument.
func argInteger(L *lua.LState, n int, name string) int64 {
	var f float64
	switch v := L.Get(n).(type) {
	case lua.LNumber:
		f = float64(v)
	case lua.LString:
		var ok bool
		if f, ok = numberFromString(string(v)); !ok {
			expected(L, n, name, "number")
		}
	default:
		expected(L, n, name, "number")
	}
	if f != f || f < -(1<<63) || f >= 1<<63 || f != float64(int64(f)) {
		argError(L, n, name, "number has no integer representation")
	}
	return int64(f)
}

// optInteger is argInteger with a default for nil or none.
func optInteger(L *lua.LState, n int, name string, def int64) int64 {
	if L.Get(n) == lua.LNil {
		return def
	}
	return argInteger(L, n, name)
}

// fieldBool reads an optional boolean field of an options table; absent
// is false.
func fieldBool(L *lua.LState, n int, opts *lua.LTable, field string) bool {
	if opts == nil {
		return false
	}
	switch v := opts.RawGetString(field).(type) {
	case *lua.LNilType:
		return false
	case lua.LBool:
		return bool(v)
	default:
		argError(L, n, "opts."+field, "boolean expected, got %s", typeName(v))
	}
	return false
}
