package bindings

import (
	"strconv"
	"strings"
	"sync"
	"testing"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// refSplitArgs is Redis 7.0's sdssplitargs (src/sds.c), byte for byte as
// the C walks a NUL-terminated line: the words of an inline command, or
// ok false where Redis answers "Protocol error: unbalanced quotes in
// request".
func refSplitArgs(line string) (words []string, ok bool) {
	if i := strings.IndexByte(line, 0); i >= 0 {
		line = line[:i] // a C string ends at its NUL
	}
	at := func(p int) byte { // *p, with the terminating NUL
		if p < len(line) {
			return line[p]
		}
		return 0
	}
	isspace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' }
	isHex := func(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
	words = []string{}
	p := 0
	for {
		for at(p) != 0 && isspace(at(p)) {
			p++
		}
		if at(p) == 0 {
			return words, true
		}
		inq, insq, done := false, false, false
		var cur []byte
		for !done {
			c := at(p)
			switch {
			case inq:
				switch {
				case c == '\\' && at(p+1) == 'x' && isHex(at(p+2)) && isHex(at(p+3)):
					b, _ := strconv.ParseUint(line[p+2:p+4], 16, 8)
					cur = append(cur, byte(b))
					p += 3
				case c == '\\' && at(p+1) != 0:
					p++
					e := at(p)
					switch e {
					case 'n':
						e = '\n'
					case 'r':
						e = '\r'
					case 't':
						e = '\t'
					case 'b':
						e = '\b'
					case 'a':
						e = '\a'
					}
					cur = append(cur, e)
				case c == '"':
					if at(p+1) != 0 && !isspace(at(p+1)) {
						return nil, false
					}
					done = true
				case c == 0:
					return nil, false
				default:
					cur = append(cur, c)
				}
			case insq:
				switch {
				case c == '\\' && at(p+1) == '\'':
					p++
					cur = append(cur, '\'')
				case c == '\'':
					if at(p+1) != 0 && !isspace(at(p+1)) {
						return nil, false
					}
					done = true
				case c == 0:
					return nil, false
				default:
					cur = append(cur, c)
				}
			default:
				switch c {
				case ' ', '\n', '\r', '\t', 0:
					done = true
				case '"':
					inq = true
				case '\'':
					insq = true
				default:
					cur = append(cur, c)
				}
			}
			if at(p) != 0 {
				p++
			}
		}
		words = append(words, string(cur))
	}
}

// respSplitLua returns resp.split_args's words as "<length>:<bytes>" each,
// or "nil".
const respSplitLua = `
local resp = require "resp"
return function(line)
  local words = resp.split_args(line)
  if words == nil then return "nil" end
  local parts = {}
  for i = 1, #words do parts[i] = #words[i] .. ":" .. words[i] end
  return table.concat(parts)
end
`

var (
	respSplitOnce sync.Once
	respSplitFn   lua.LValue
)

// FuzzRESPSplitArgs checks resp.split_args, the inline command splitter
// of resp.read_command, against Redis's sdssplitargs (refSplitArgs).
func FuzzRESPSplitArgs(f *testing.F) {
	for _, s := range []string{
		`SET k "a b"`, `SET k 'it\'s'`, `SET k "\x41\n\q"`, `SET k "a"b`, `a"b c" d`, "x\vy  \v z",
		"\"a\"\vb", `"abc\`, `'a\b'`, "a\x00b c", "", "   ", `""`, `''`, `"\x4"`, `"\xZZ"`, `"\\"`,
		`'\''`, `"a\"b"`, `'a`, `"`, `a'b'c`, "\"tab\there\"\t'x'\r\n", `"\x"`, `"\x4`, `'\`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if len(line) > 4096 {
			return
		}
		rt := fuzzRuntime()
		rt.gil.Lock()
		defer rt.gil.Unlock()
		L := rt.L
		respSplitOnce.Do(func() {
			if err := L.DoString(respSplitLua); err != nil {
				t.Fatal(err)
			}
			respSplitFn = L.Get(-1)
			L.Pop(1)
		})
		if respSplitFn == nil {
			t.Fatal("the helper did not load")
		}
		top := L.GetTop()
		if err := L.CallByParam(lua.P{Fn: respSplitFn, NRet: 1, Protect: true}, lua.LString(line)); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		got := L.Get(-1).String()
		L.SetTop(top)
		want := "nil"
		if words, ok := refSplitArgs(line); ok {
			var b strings.Builder
			for _, w := range words {
				b.WriteString(strconv.Itoa(len(w)) + ":" + w)
			}
			want = b.String()
		}
		if got != want {
			t.Fatalf("split_args(%q) = %q; sdssplitargs gives %q", line, got, want)
		}
	})
}
