package bindings

import (
	"strconv"
	"strings"
	"sync"
	"testing"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// byteRangeLua returns http.byte_range's answer for a value and a size as
// one string: "first-last", or the reason ("ignore", "unsatisfiable").
const byteRangeLua = `
local http = require "http"
return function(value, size)
  local first, last = http.byte_range(value, size)
  if first == nil then
    if last ~= "ignore" and last ~= "unsatisfiable" then error("a reason of " .. tostring(last)) end
    return last
  end
  if first % 1 ~= 0 or last % 1 ~= 0 or first < 0 or first > last or last >= size then
    error(("a bad range %s-%s of %d"):format(tostring(first), tostring(last), size))
  end
  return ("%d-%d"):format(first, last)
end
`

var (
	byteRangeOnce sync.Once
	byteRangeFn   lua.LValue
)

// refByteRange is nginx's ngx_http_range_parse (1.22) for one range, with
// http.byte_range's two rules of its own: several satisfiable ranges are
// "ignore" (nginx sends them as multipart), and a number of more than 18
// digits is "unsatisfiable" (nginx: one over off_t's maximum).
func refByteRange(v string, size int64) string {
	if len(v) < 7 || strings.ToLower(v[:6]) != "bytes=" {
		return "ignore"
	}
	p := 6
	at := func() byte {
		if p < len(v) {
			return v[p]
		}
		return 0
	}
	spaces := func() {
		for at() == ' ' {
			p++
		}
	}
	digits := func() (int64, bool) {
		start := p
		for at() >= '0' && at() <= '9' {
			p++
		}
		if p-start > 18 {
			return 0, false
		}
		n, _ := strconv.ParseInt(v[start:p], 10, 64)
		return n, true
	}
	count := 0
	var first, last int64
	for {
		var start, end int64
		suffix, open := false, false
		spaces()
		if at() != '-' {
			if at() < '0' || at() > '9' {
				return "unsatisfiable"
			}
			var ok bool
			if start, ok = digits(); !ok {
				return "unsatisfiable"
			}
			spaces()
			if at() != '-' {
				return "unsatisfiable"
			}
			p++
			spaces()
			if at() == ',' || at() == 0 && p >= len(v) {
				end, open = size, true
			}
		} else {
			suffix = true
			p++
		}
		if !open {
			if at() < '0' || at() > '9' {
				return "unsatisfiable"
			}
			var ok bool
			if end, ok = digits(); !ok {
				return "unsatisfiable"
			}
			spaces()
			if at() != ',' && p < len(v) {
				return "unsatisfiable"
			}
			if suffix {
				start = 0
				if end < size {
					start = size - end
				}
				end = size - 1
			}
			if end >= size {
				end = size
			} else {
				end++
			}
		}
		if start < end {
			count++
			first, last = start, end-1
		} else if start == 0 {
			return "ignore"
		}
		if at() != ',' || p >= len(v) {
			break
		}
		p++
	}
	switch {
	case count == 0:
		return "unsatisfiable"
	case count > 1:
		return "ignore"
	}
	return strconv.FormatInt(first, 10) + "-" + strconv.FormatInt(last, 10)
}

// FuzzByteRange checks http.byte_range, the Range parser of
// http_server.lua --dir, against refByteRange: the same answer for every
// value and size, a range always inside the representation, and never a
// Lua error.
func FuzzByteRange(f *testing.F) {
	for _, s := range []string{
		"bytes=0-0", "bytes=10-19", "bytes=990-", "bytes=-10", "bytes=-0", "bytes=20-10", "BYTES=1-2",
		"bytes= 1 - 2 ", "bytes=1000-,5-6", "bytes=0-1,5-6", "bytes=1-2,", "bytes=-", "items=1-2",
		"bytes=99999999999999999999-", "bytes=0-999999999999999999", "bytes=1-2x", "bytes=,", "bytes=\x00-1",
	} {
		f.Add(s, uint64(1000))
		f.Add(s, uint64(0))
	}
	f.Fuzz(func(t *testing.T, value string, size uint64) {
		if len(value) > 200 {
			return
		}
		size %= 1 << 50 // exact in a Lua number, with room above
		rt := fuzzRuntime()
		rt.gil.Lock()
		defer rt.gil.Unlock()
		L := rt.L
		byteRangeOnce.Do(func() {
			if err := L.DoString(byteRangeLua); err != nil {
				t.Fatal(err)
			}
			byteRangeFn = L.Get(-1)
			L.Pop(1)
		})
		if byteRangeFn == nil {
			t.Fatal("the helper did not load")
		}
		top := L.GetTop()
		if err := L.CallByParam(lua.P{Fn: byteRangeFn, NRet: 1, Protect: true}, lua.LString(value), lua.LNumber(float64(size))); err != nil {
			t.Fatalf("%q of %d: %v", value, size, err)
		}
		got := L.Get(top + 1).String()
		L.SetTop(top)
		if want := refByteRange(value, int64(size)); got != want {
			t.Errorf("http.byte_range(%q, %d) = %s, want %s (nginx's rules)", value, size, got, want)
		}
	})
}
