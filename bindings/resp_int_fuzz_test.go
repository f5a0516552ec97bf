package bindings

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"testing"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// respIntLua checks resp's integer helpers on two strings and returns what
// they gave, for Go to compare with its reference: parse_integer of each
// (as "n<digits>" for a number, "s<digits>" for a string, "nil"),
// encode_integer of each parsed one, and add_integers of the two (the
// sum, or "err:<kind>"), computed from the parsed forms and again from the
// numbers Go passes when a value is a float64 exactly.
const respIntLua = `
local resp = require "resp"
local function repr(v)
  if v == nil then return "nil" end
  if type(v) == "number" then
    if v ~= math.floor(v) or math.abs(v) > 2 ^ 53 then error("a number out of the exact range: " .. tostring(v)) end
    if v == 0 then return "n0" end
    return "n" .. ("%.0f"):format(v)
  end
  if type(v) ~= "string" then error("a " .. type(v)) end
  return "s" .. v
end
local function sum_repr(a, b)
  local sum, err = resp.add_integers(a, b)
  if sum == nil then
    if not resp.is_error(err) then error("add_integers gave nil and " .. tostring(err)) end
    return "err:" .. err.kind
  end
  return repr(sum)
end
return function(a, b, na, nb)
  local pa, pb = resp.parse_integer(a), resp.parse_integer(b)
  local ea = pa ~= nil and resp.encode_integer(pa) or ""
  local eb = pb ~= nil and resp.encode_integer(pb) or ""
  local sum, sum_numbers = "", ""
  if pa ~= nil and pb ~= nil then
    sum = sum_repr(pa, pb)
    if sum_repr(pb, pa) ~= sum then error("add_integers is not commutative") end
    sum_numbers = sum_repr(na or pa, nb or pb)
  end
  return repr(pa), repr(pb), ea, eb, sum, sum_numbers
end
`

var (
	respIntOnce sync.Once
	respIntFn   lua.LValue
)

// refParseInteger is Redis's string2ll: "0", or an optional minus and
// digits without a leading zero, in int64, shorter than 21 bytes.
func refParseInteger(s string) (int64, bool) {
	if s == "0" {
		return 0, true
	}
	digits := strings.TrimPrefix(s, "-")
	if len(s) == 0 || len(s) > 20 || digits == "" || digits[0] < '1' || digits[0] > '9' || !isDigits(digits) {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// refIntegerRepr is how respIntLua shows resp's integer n: a number up to
// ±2^53, its decimal string beyond.
func refIntegerRepr(n int64) string {
	if n >= -1<<53 && n <= 1<<53 {
		return "n" + strconv.FormatInt(n, 10)
	}
	return "s" + strconv.FormatInt(n, 10)
}

// FuzzRESPIntegers checks resp.parse_integer against Redis's rules
// (refParseInteger), resp.add_integers against exact arithmetic (math/big)
// with int64's overflow, and resp.encode_integer of every parsed value.
// Neither may raise on what parse_integer gave.
func FuzzRESPIntegers(f *testing.F) {
	for _, p := range [][2]string{
		{"1", "2"}, {"0", "-0"}, {"9007199254740991", "1"}, {"9007199254740992", "1"},
		{"-9007199254740992", "-1"}, {"9223372036854775807", "1"}, {"-9223372036854775808", "-1"},
		{"9223372036854775807", "-9223372036854775808"}, {"123456789012345678", "-123456789012345678"},
		{"4999999999", "5000000001"}, {"-19999999999", "9999999999"}, {"01", "+1"}, {" 1", "1 "},
		{"1.0", ""}, {"12345678901234567890", "99999999999999999999"}, {"4611686018427387904", "4611686018427387904"},
		{"-5000000000", "5000000001"}, {"9999999999", "1"}, {"-10000000000", "1"},
	} {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 64 || len(b) > 64 {
			return
		}
		rt := fuzzRuntime()
		rt.gil.Lock()
		defer rt.gil.Unlock()
		L := rt.L
		respIntOnce.Do(func() {
			if err := L.DoString(respIntLua); err != nil {
				t.Fatal(err)
			}
			respIntFn = L.Get(-1)
			L.Pop(1)
		})
		if respIntFn == nil {
			t.Fatal("the helper did not load")
		}
		// A value that a float64 holds exactly goes to add_integers as a
		// number too.
		asNumber := func(s string) lua.LValue {
			n, ok := refParseInteger(s)
			if !ok || n == math.MinInt64 || int64(float64(n)) != n || float64(n) >= 1<<63 {
				return lua.LNil
			}
			return lua.LNumber(float64(n))
		}
		top := L.GetTop()
		err := L.CallByParam(lua.P{Fn: respIntFn, NRet: 6, Protect: true}, lua.LString(a), lua.LString(b), asNumber(a), asNumber(b))
		if err != nil {
			t.Fatalf("%q, %q: %v", a, b, err)
		}
		got := make([]string, 6)
		for i := range got {
			got[i] = L.Get(top + 1 + i).String()
		}
		L.SetTop(top)

		want := make([]string, 6)
		na, oka := refParseInteger(a)
		nb, okb := refParseInteger(b)
		want[0], want[1] = "nil", "nil"
		if oka {
			want[0], want[2] = refIntegerRepr(na), ":"+strconv.FormatInt(na, 10)+"\r\n"
		}
		if okb {
			want[1], want[3] = refIntegerRepr(nb), ":"+strconv.FormatInt(nb, 10)+"\r\n"
		}
		if oka && okb {
			sum := new(big.Int).Add(big.NewInt(na), big.NewInt(nb))
			want[4] = "err:too_large"
			if sum.IsInt64() {
				want[4] = refIntegerRepr(sum.Int64())
			}
			want[5] = want[4]
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%q, %q: result %d is %q; want %q (all: %q)", a, b, i+1, got[i], want[i], got)
			}
		}
	})
}
