package bindings

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"
)

// The utf8 library, table.pack and table.unpack against the real Lua 5.3
// (lua5.3; ./test.sh installs it, and with CI=true a missing one fails the
// test): generated calls on valid and invalid UTF-8 run through lua5.3 and
// through gonetrepl, and every output line must be the same, error
// messages included (but for the argument's name, which gonetrepl adds).

// utf8Strings are the subjects: valid text of every length of sequence,
// surrogates (valid in Lua 5.3), overlong forms, code points over
// U+10FFFF, 5- and 6-byte forms, stray continuation bytes, sequences cut
// short (at the end and before another character), NUL bytes, and random
// bytes from a fixed seed.
func utf8Strings() []string {
	ss := []string{
		"", "a", "abc", "h\xc3\xa9llo", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", "\xf0\x9f\x98\x80",
		"a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z", "\x00", "a\x00b", "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf",
		"\x80", "\xbf", "a\x80", "\x80a", "\xc3\xa9\x80", "\xc3\xa9\x80\x80x",
		"\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xe0\x9f\xbf", "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf",
		"\xed\xa0\x80", "\xed\xbf\xbf", "\xed\x9f\xbf", "\xee\x80\x80", "\xed\xa0\x80\xed\xb0\x80",
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xf7\xbf\xbf\xbf",
		"\xf8\x88\x80\x80\x80", "\xfb\xbf\xbf\xbf\xbf", "\xfc\x84\x80\x80\x80\x80", "\xfd\xbf\xbf\xbf\xbf\xbf",
		"\xfe", "\xff", "\xfe\x80\x80\x80\x80\x80\x80", "\xff\x80\x80\x80\x80\x80\x80\x80",
		"\xc3", "\xe2\x82", "\xf0\x9f\x98", "a\xc3b", "\xe2\x82z", "\xc3\x00", "\xe2\x00\xac",
		"\xc3\xa9\xc3", "\xc2\x80\xc2\x80\xc2",
	}
	r := rand.New(rand.NewSource(16))
	pick := []byte{0x00, 'a', 0x7f, 0x80, 0x8f, 0xa0, 0xbf, 0xc0, 0xc2, 0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef,
		0xf0, 0xf4, 0xf5, 0xf8, 0xfc, 0xfe, 0xff}
	for range 24 {
		b := make([]byte, 1+r.Intn(9))
		for i := range b {
			if r.Intn(3) == 0 {
				b[i] = byte(r.Intn(256))
			} else {
				b[i] = pick[r.Intn(len(pick))]
			}
		}
		ss = append(ss, string(b))
	}
	for range 10 { // valid text with random code points, surrogates excluded
		var b []byte
		for range 1 + r.Intn(5) {
			c := rune(r.Intn(0x110000))
			if !utf8.ValidRune(c) {
				c = 'x'
			}
			b = utf8.AppendRune(b, c)
		}
		ss = append(ss, string(b))
	}
	return ss
}

// luaQuote writes s as a Lua string literal that Lua 5.1 and 5.3 both read:
// decimal escapes for everything but letters and digits.
func luaQuoteDecimal(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') || c == ' ' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "\\%03d", c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// utf8Cases generates the calls, each as the arguments of a pcall (or,
// starting with "codes", the name of an iteration helper of the prelude).
func utf8Cases() []string {
	var cases []string
	add := func(format string, args ...any) { cases = append(cases, fmt.Sprintf(format, args...)) }
	for _, s := range utf8Strings() {
		q, n := luaQuoteDecimal(s), len(s)
		positions := []int{1, 2, n, n + 1, n + 2, 0, -1, -2, -n, -n - 1, -100}
		add("utf8.len, %s", q)
		add("utf8.codepoint, %s", q)
		add("utf8.codepoint, %s, 1, -1", q)
		add("codes, %s", q)
		for _, i := range positions {
			add("utf8.len, %s, %d", q, i)
			add("utf8.codepoint, %s, %d", q, i)
			add("utf8.offset, %s, 0, %d", q, i)
			add("step, %s, %d", q, i) // utf8.codes' iterator called directly
			for _, j := range []int{-1, n, n + 1, -n - 1} {
				add("utf8.len, %s, %d, %d", q, i, j)
				add("utf8.codepoint, %s, %d, %d", q, i, j)
			}
			for _, k := range []int{1, -1, 2, -5} {
				add("utf8.offset, %s, %d, %d", q, k, i)
			}
		}
		for _, k := range []int{0, 1, 2, 3, -1, -2, -3, 4, -4, 1000, -1000} {
			add("utf8.offset, %s, %d", q, k)
		}
		add("pattern, %s", q)
	}
	for _, c := range []string{
		"0", "0x41", "0x7f", "0x80", "0xe9", "0x7ff", "0x800", "0xfffd", "0xffff", "0x10000", "0x1f600",
		"0x10ffff", "0x110000", "0xd800", "0xdbff", "0xdc00", "0xdfff", "0x7fffffff", "0x80000000", "-1",
		"-0x80000000", "1.5", "2^53", "1/0", "0/0", `"65"`, `"x"`, "{}", "nil", "72, 0xe9, 0x20ac, 0x1f600",
		"0x41, 0x110000", "0x41, -1", "1, 2, 3, 4, 5, 6, 7, 8, 9, 10",
	} {
		add("utf8.char, %s", c)
	}
	add("utf8.char")
	for _, c := range []string{
		"utf8.len, nil", "utf8.len, {}", "utf8.len, 12345", "utf8.len, 'abc', 1.5", "utf8.len, 'abc', '2'",
		"utf8.len, 'abc', 'x'", "utf8.codepoint, 'abc', 1, 2.5", "utf8.codepoint, 12", "utf8.offset, 'abc'",
		"utf8.offset, 'abc', 1.5", "utf8.offset, 'abc', nil, 2", "utf8.offset, 'abc', 1, 2^63",
		"utf8.len, 'abc', -2^63", "utf8.len, 'abc', 1, 2^62", "utf8.codepoint, 'abc', -2^63, 2^62",
		"utf8.codes, nil", "utf8.codes, 12",
		"table.pack", "table.pack, nil", "table.pack, 1, nil, 3", "table.pack, nil, nil",
		"table.unpack, {1, 2, 3}", "table.unpack, {1, 2, 3}, 2", "table.unpack, {1, 2, 3}, 2, 3",
		"table.unpack, {1, 2, 3}, -1, 1", "table.unpack, {1, 2, 3}, 3, 2", "table.unpack, {}, 1, 3",
		"table.unpack, {}", "table.unpack, {n = 2}", "table.unpack, {1, 2, nil, 4}, 1, 4",
		"table.unpack, {'a', 'b'}, 2, 2",
	} {
		cases = append(cases, c)
	}
	return cases
}

// utf8Prelude prints one case as a line: its results (strings escaped,
// tables as their array and n), or "error" and the message without the
// position and the function's name (which lua5.3 and gonetrepl put
// differently).
const utf8Prelude = `
local function esc(s) return (s:gsub("[^%w ]", function(c) return "\\" .. c:byte() end)) end
local function val(v)
	if type(v) == "string" then return '"' .. esc(v) .. '"' end
	if type(v) == "table" then
		local out = {}
		for i = 1, 4 do out[i] = val(v[i]) end
		return "{" .. table.concat(out, ",") .. " n=" .. tostring(v.n) .. "}"
	end
	if type(v) == "function" then return "function" end
	return tostring(v)
end
local function show(ok, ...)
	if not ok then
		local e = tostring((...)):gsub("^[^\n]-:%d+: ", ""):gsub("^(bad argument #%d+) to %S+ ", "%1 ")
		return "error " .. e
	end
	local out = {"#" .. select("#", ...)}
	for i = 1, select("#", ...) do out[#out + 1] = val((select(i, ...))) end
	return table.concat(out, " ")
end
-- codes: every position and code point of the iteration.
local function codes(s)
	local out = {}
	for p, c in utf8.codes(s) do out[#out + 1] = p .. ":" .. c end
	return table.concat(out, " ")
end
-- step: the iterator of utf8.codes called with a position of its own.
local function step(s, i) local f = utf8.codes(s); return f(s, i) end
-- pattern: the pieces utf8.charpattern finds.
local function pattern(s)
	local out = {}
	for c in s:gmatch(utf8.charpattern) do out[#out + 1] = esc(c) end
	return table.concat(out, "|")
end
local function case(...) print(show(pcall(...))) end
print(esc(utf8.charpattern))
`

func TestUTF8MatchesLua53(t *testing.T) {
	lua53 := requirePeerCommand(t, "lua5.3", "lua5.3")
	cases := utf8Cases()
	if len(cases) < 3000 {
		t.Fatalf("only %d cases", len(cases))
	}
	var b strings.Builder
	b.WriteString(utf8Prelude)
	for _, c := range cases {
		fmt.Fprintf(&b, "case(%s)\n", c)
	}
	compareWithPeer(t, lua53, b.String(), append([]string{"utf8.charpattern"}, cases...), sameLuaError)
}

// Where gonetrepl differs on purpose: table.unpack is Lua 5.1's unpack,
// which wants a table (Lua 5.3's takes anything it can index), and the
// values one call returns are capped (Lua 5.3 stops at its stack size, a
// million, with "stack overflow").
func TestUTF8AndTableDeliberateDifferences(t *testing.T) {
	got := runChunkOutputFor(t, utf8Prelude+`
		case(table.unpack, nil)
		case(table.unpack, "abc")
		local function count(...) return select("#", ...) end
		print(count(table.unpack({}, 1, 100000)), count(utf8.codepoint(string.rep("\200\128", 50000), 1, -1)))
		case(table.unpack, {}, 1, 100001)
		case(table.unpack, {}, -2^60, 2^60)
		case(utf8.codepoint, string.rep("a", 100001), 1, -1)
		case(utf8.codepoint, string.rep("a", 100001), 100001)
		print(unpack == table.unpack)
	`, 60)
	want := strings.Join([]string{
		"error bad argument #1 (list: table expected, got nil)",
		"error bad argument #1 (list: table expected, got string)",
		"100000	50000",
		"error too many results to unpack (at most 100000)",
		"error too many results to unpack (at most 100000)",
		"error string slice too long (100001 bytes, at most 100000)",
		"#1 97",
		"true",
		"",
	}, "\n")
	_, got, _ = strings.Cut(got, "\n") // after the prelude's line
	if got != want {
		t.Errorf("got:\n%.2000s\nwant:\n%.2000s", got, want)
	}
}
