package bindings

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// The conformance tests: string.pack, string.unpack and string.packsize
// against Debian's real Lua 5.3 (lua5.3), and bin.hexdump against
// hexdump -C (bsdextrautils). ./test.sh installs both; on CI (CI=true) a
// missing one fails the test instead of skipping it.

// requirePeerCommand returns the path of a command the test compares with.
func requirePeerCommand(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		msg := fmt.Sprintf("%s not found (Debian package %s; ./test.sh installs it)", name, pkg)
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s: required when CI=true", msg)
		}
		t.Skipf("%s: skipping", msg)
	}
	return path
}

// A packCase is a Lua expression, valid in Lua 5.1 and 5.3, that calls
// string.pack, unpack or packsize. Where dev is set, gonetrepl differs from
// Lua 5.3 on purpose (see pack.go): the case is not run on lua5.3 and
// gonetrepl's line must be dev.
type packCase struct {
	expr string
	dev  string
}

var packCases = []packCase{
	// Integers of every option, both byte orders.
	{expr: `string.pack("b", 127)`},
	{expr: `string.pack("b b", -128, -1)`},
	{expr: `string.pack("B", 255)`},
	{expr: `string.pack("<h", -2)`},
	{expr: `string.pack("<H", 0xBEEF)`},
	{expr: `string.pack(">H", 0xBEEF)`},
	{expr: `string.pack("=H", 0xBEEF)`},
	{expr: `string.pack("<i", -3)`},
	{expr: `string.pack(">I", 0xdeadbeef)`},
	{expr: `string.pack("<i3", -2)`},
	{expr: `string.pack(">I3", 0xABCDEF)`},
	{expr: `string.pack("<i5", -2^39)`},
	{expr: `string.pack(">I7", 2^52 + 3)`},
	{expr: `string.pack("<j", -1)`},
	{expr: `string.pack(">j", 2^53)`},
	{expr: `string.pack("<j", -2^63)`},
	{expr: `string.pack("<J", -2)`},
	{expr: `string.pack(">l", 123456789012)`},
	{expr: `string.pack("<L", 1)`},
	{expr: `string.pack(">T", 65536)`},
	{expr: `string.pack("<i16", -3)`},
	{expr: `string.pack(">i16", 2^60)`},
	{expr: `string.pack("<I9", 2^62)`},
	{expr: `string.pack(">I12", 7)`},
	{expr: `string.pack("<i10", -2^63)`},
	{expr: `string.pack("i4", "12")`},
	{expr: `string.pack("i4", 3.0)`},
	{expr: `string.pack(" < i2 > i2 = i2 ", 1, 1, 1)`},
	// Floats.
	{expr: `string.pack("<f", 1.5)`},
	{expr: `string.pack(">f", -0.1)`},
	{expr: `string.pack("<d", 3.141592653589793)`},
	{expr: `string.pack(">n", 1e300)`},
	{expr: `string.pack("<f", 1e39)`},
	{expr: `string.pack("d", "0x10")`},
	// Strings.
	{expr: `string.pack("s1", "hello")`},
	{expr: `string.pack(">s2", "")`},
	{expr: `string.pack("<s", "abc")`},
	{expr: `string.pack(">s16", "x")`},
	{expr: `string.pack("z", "abc")`},
	{expr: `string.pack("c5", "ab")`},
	{expr: `string.pack("c0", "")`},
	{expr: `string.pack("c3 z", "abc", "")`},
	{expr: `string.pack(">I2 s1 B", 443, "host", 7)`},
	// Padding and alignment.
	{expr: `string.pack("b x h", 1, 2)`},
	{expr: `string.pack("!<b i4", 1, 2)`},
	{expr: `string.pack("!4 b d", 1, 2)`},
	{expr: `string.pack("!2 b i8", 1, 2)`},
	{expr: `string.pack("!8 b Xd", 1)`},
	{expr: `string.pack("!8 b Xh b", 1, 2)`},
	{expr: `string.pack("!16 b i16", 1, 2)`},
	{expr: `string.pack("!8 b Xi16 b", 1, 2)`},
	{expr: `string.pack("!2 b i3", 1, 2)`},
	{expr: `string.pack("b Xi4 b", 1, 2)`},
	{expr: `string.pack("!4 b s2 b", 1, "ab", 3)`},
	{expr: `string.pack("!4 z i4", "abcde", 9)`},
	{expr: `string.pack("! b ! c3 i4", 1, "xy", 5)`},
	// Pack errors.
	{expr: `string.pack("b", 128)`},
	{expr: `string.pack("h", -32769)`},
	{expr: `string.pack("B", -1)`},
	{expr: `string.pack("i3", 2^23)`},
	{expr: `string.pack("I3", 2^24)`},
	{expr: `string.pack("h", 1.5)`},
	{expr: `string.pack("j", 2^63)`},
	{expr: `string.pack("i4", "x")`},
	{expr: `string.pack("i4", {})`},
	{expr: `string.pack("i4")`},
	{expr: `string.pack("d", "x")`},
	{expr: `string.pack("y")`},
	{expr: `string.pack("i17", 1)`},
	{expr: `string.pack("i0", 1)`},
	{expr: `string.pack("!17")`},
	{expr: `string.pack("!", 1)`},
	{expr: `string.pack("!3 i4", 1)`},
	{expr: `string.pack("! i3", 1)`},
	{expr: `string.pack("Xc1")`},
	{expr: `string.pack("X")`},
	{expr: `string.pack("Xz")`},
	{expr: `string.pack("X<")`},
	{expr: `string.pack("s1", ("x"):rep(256))`},
	{expr: `string.pack("z", "a\0b")`},
	{expr: `string.pack("c2", "abc")`},
	{expr: `string.pack("c", "a")`},
	// Unpack.
	{expr: `string.unpack("<i4", "\1\0\0\128")`},
	{expr: `string.unpack(">I2 I2", "\1\2\3\4")`},
	{expr: `string.unpack("b B", "\255\255")`},
	{expr: `string.unpack("<h", "\0\128")`},
	{expr: `string.unpack("<i3", "\255\255\127")`},
	{expr: `string.unpack(">i5", "\255\255\255\255\254")`},
	{expr: `string.unpack("<j", "\255\255\255\255\255\255\255\255")`},
	{expr: `string.unpack("<J", "\254\255\255\255\255\255\255\255")`},
	{expr: `string.unpack("<i9", ("\255"):rep(9))`},
	{expr: `string.unpack("<I9", ("\255"):rep(8) .. "\0")`},
	{expr: `string.unpack(">I16", ("\0"):rep(15) .. "\5")`},
	{expr: `string.unpack("<i16", string.pack("<i16", -2^62))`},
	{expr: `string.unpack("<f", "\0\0\192\63")`},
	{expr: `string.unpack(">d", "\64\9\33\251\84\68\45\24")`},
	{expr: `string.unpack("<d", "\0\0\0\0\0\0\248\127")`},
	{expr: `string.unpack(">f", "\127\128\0\0")`},
	{expr: `string.unpack("s1", "\5hello!")`},
	{expr: `string.unpack(">s2", "\0\0")`},
	{expr: `string.unpack("<s", string.pack("<s", "abc"))`},
	{expr: `string.unpack("z z", "ab\0cd\0")`},
	{expr: `string.unpack("c3", "abcdef")`},
	{expr: `string.unpack("c0", "")`},
	{expr: `string.unpack("x b", "\0\7")`},
	{expr: `string.unpack("!4 i4", "\0\0\0\0\1\0\0\0", 2)`},
	{expr: `string.unpack("!8 b Xi8 b", "\1\0\0\0\0\0\0\0\2")`},
	{expr: `string.unpack("B", "abc", 2)`},
	{expr: `string.unpack("B", "abc", -1)`},
	{expr: `string.unpack("", "abc", 4)`},
	{expr: `string.unpack("", "abc", -3)`},
	{expr: `string.unpack("B", "abc", "2")`},
	// Unpack errors.
	{expr: `string.unpack("<i9", ("\0"):rep(8) .. "\1")`},
	{expr: `string.unpack("<i16", ("\255"):rep(8) .. ("\0"):rep(8))`},
	{expr: `string.unpack("i4", "abc")`},
	{expr: `string.unpack("s1", "\9hi")`},
	{expr: `string.unpack("s4", "\255\255\255\127")`},
	{expr: `string.unpack(">s8", "\0\255\255\255\255\255\255\255abc")`},
	{expr: `string.unpack("<s9", ("\0"):rep(8) .. "\1")`},
	{expr: `string.unpack("c7", "abc")`},
	{expr: `string.unpack("B", "abc", 4)`},
	{expr: `string.unpack("B", "abc", 5)`},
	{expr: `string.unpack("B", "abc", -5)`},
	{expr: `string.unpack("B", "abc", 0)`},
	{expr: `string.unpack("B", "abc", 1.5)`},
	{expr: `string.unpack("y", "abc")`},
	{expr: `string.unpack("!4 i3", "abcd")`},
	{expr: `string.unpack("i4", {})`},
	// Packsize.
	{expr: `string.packsize("i4 i8")`},
	{expr: `string.packsize("!8 b d")`},
	{expr: `string.packsize("!8 b Xd")`},
	{expr: `string.packsize("c10 x")`},
	{expr: `string.packsize("<j>J=T d f n h l")`},
	{expr: `string.packsize("")`},
	{expr: `string.packsize("!")`},
	{expr: `string.packsize("s")`},
	{expr: `string.packsize("z")`},
	{expr: `string.packsize("c2000000000c2000000000")`},
	{expr: `string.packsize("i99999999999")`},
	{expr: `string.packsize("c9223372036854775807")`},
	// Deliberate differences, documented in pack.go.
	{expr: `string.unpack("z", "abc")`, dev: `error arg 2: unfinished string for format 'z'`},
	{expr: `string.pack("j", 9223372036854775807)`, dev: `error arg 2: number has no integer representation`},
	{expr: `string.unpack("<j", "\1\0\0\0\0\0\32\0")`, dev: `ok 9007199254740992 9`},
	// Lua 5.3.6's pos + len overflows and it tries to allocate 2^64 bytes.
	{expr: `string.unpack(">s8", "\255\255\255\255\255\255\255\255abc")`, dev: `error arg 2: data string too short`},
	{expr: `string.pack("c20000000", "")`, dev: `error arg 1: format result too large (over 16777216 bytes of fixed-size fields)`},
}

// packPrelude prints one line per case: "ok" and the results (strings in
// hex, numbers with 17 digits), or "error", the argument number if any and
// the message without its position or parameter name.
const packPrelude = `
local function hex(s)
  return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end
local function num(x)
  if x ~= x then return "nan" end
  if x == math.huge then return "inf" end
  if x == -math.huge then return "-inf" end
  return string.format("%.17g", x)
end
local function collect(...) return select("#", ...), {...} end
function show(ok, n, t)
  if not ok then
    local e = tostring(n):gsub("^[^\n]-:%d+: ", "")
    local arg, msg = e:match("^bad argument #(%d+) to [^ ]+ %((.*)%)$")
    if arg then e = "arg " .. arg .. ": " .. (msg:gsub("^[%w_]+: ", "")) end
    return "error " .. e
  end
  local out = {}
  for i = 1, n do
    local v = t[i]
    if type(v) == "number" then out[#out + 1] = num(v)
    elseif type(v) == "string" then out[#out + 1] = '"' .. hex(v) .. '"'
    else out[#out + 1] = tostring(v) end
  end
  return "ok " .. table.concat(out, " ")
end
function case(f) print(show(pcall(function() return collect(f()) end))) end
`

func packScript(cases []packCase) string {
	var b strings.Builder
	b.WriteString(packPrelude)
	for _, c := range cases {
		fmt.Fprintf(&b, "case(function() return %s end)\n", c.expr)
	}
	return b.String()
}

var packErrArgPrefix = regexp.MustCompile(`^error arg \d+: `)

// sameOutcome compares a line of lua5.3 with one of gonetrepl: equal, or
// the same error where gonetrepl names an argument (fmt, s) that Lua's
// plain error does not.
func sameOutcome(lua53, ours string) bool {
	if lua53 == ours {
		return true
	}
	return strings.HasPrefix(lua53, "error ") && !packErrArgPrefix.MatchString(lua53) &&
		packErrArgPrefix.ReplaceAllString(ours, "error ") == lua53
}

func TestPackMatchesLua53(t *testing.T) {
	lua53 := requirePeerCommand(t, "lua5.3", "lua5.3")
	var same []packCase
	for _, c := range packCases {
		if c.dev == "" {
			same = append(same, c)
		}
	}
	if len(same) < 40 {
		t.Fatalf("only %d cases", len(same))
	}
	script := packScript(same)
	file := t.TempDir() + "/pack.lua"
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(lua53, file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	want, err := cmd.Output()
	if err != nil {
		t.Fatalf("lua5.3: %v\n%s", err, stderr.String())
	}
	got := runChunkOutput(t, script)
	wantLines := strings.Split(strings.TrimSuffix(string(want), "\n"), "\n")
	gotLines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(wantLines) != len(same) || len(gotLines) != len(same) {
		t.Fatalf("%d cases, lua5.3 printed %d lines, gonetrepl %d:\n%s\n---\n%s",
			len(same), len(wantLines), len(gotLines), want, got)
	}
	errs := 0
	for i, c := range same {
		if strings.HasPrefix(wantLines[i], "error") {
			errs++
		}
		if !sameOutcome(wantLines[i], gotLines[i]) {
			t.Errorf("%s\n  lua5.3:    %s\n  gonetrepl: %s", c.expr, wantLines[i], gotLines[i])
		}
	}
	t.Logf("%d cases (%d errors) agree with lua5.3", len(same), errs)
}

func TestPackDeliberateDifferences(t *testing.T) {
	var dev []packCase
	for _, c := range packCases {
		if c.dev != "" {
			dev = append(dev, c)
		}
	}
	got := strings.Split(strings.TrimSuffix(runChunkOutput(t, packScript(dev)), "\n"), "\n")
	if len(got) != len(dev) {
		t.Fatalf("%d cases, %d lines: %q", len(dev), len(got), got)
	}
	for i, c := range dev {
		if got[i] != c.dev {
			t.Errorf("%s\n  got:  %s\n  want: %s", c.expr, got[i], c.dev)
		}
	}
}

// TestPackErrorsNameArguments checks the messages as a user sees them:
// "bad argument #n to ... (name: problem)".
func TestPackErrorsNameArguments(t *testing.T) {
	got := runChunkOutput(t, `
		local cases = {
			{function() return string.pack("i4", "x") end, "bad argument #2", "v1: number expected, got string"},
			{function() return string.pack("b b", 1, 300) end, "bad argument #3", "v2: integer overflow"},
			{function() return string.pack("y") end, "bad argument #1", "fmt: invalid format option 'y'"},
			{function() return string.unpack("i4", "abc") end, "bad argument #2", "s: data string too short"},
			{function() return string.unpack("i4", "abcd", 9) end, "bad argument #3", "pos: initial position out of string"},
			{function() return string.packsize("z") end, "bad argument #1", "fmt: variable-length format"},
		}
		for i, c in ipairs(cases) do
			local ok, err = pcall(c[1])
			assert(not ok, i)
			assert(err:find(c[2], 1, true) and err:find(c[3], 1, true), i .. ": " .. err)
		end
		print("done")`)
	if got != "done\n" {
		t.Fatal(got)
	}
}

// TestPackLimits: formats that would make pack or unpack allocate far
// more than their input fail first.
func TestPackLimits(t *testing.T) {
	got := runChunkOutput(t, `
		local huge = {
			function() return string.pack("c2000000000", "") end,
			function() return string.pack(("c9999999"):rep(3), "", "", "") end,
			function() return string.pack("c16777216 x", "") end,
			function() return string.pack("!16 c16777200 b Xi16 b", "", 1, 2) end,
			function() return string.unpack("c2000000000", "abc") end,
			function() return string.unpack(">s8", "\127\255\255\255\255\255\255\255") end,
			function() return string.unpack(">s16", ("\255"):rep(16)) end,
			function() return string.unpack(("c0"):rep(70000), "") end,
		}
		for i, f in ipairs(huge) do
			local ok, err = pcall(f)
			assert(not ok, "case " .. i .. " succeeded")
		end
		-- Just under the cap is fine.
		assert(#string.pack("c16777216", "") == 16777216)
		assert(select("#", string.unpack(("c0"):rep(65535), "")) == 65536)
		print("done")`)
	if got != "done\n" {
		t.Fatal(got)
	}
}

// hexdumpInputs are the byte strings compared with hexdump -C.
func hexdumpInputs() map[string][]byte {
	rnd := rand.New(rand.NewSource(5))
	random := make([]byte, 1000)
	rnd.Read(random)
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	line := []byte("0123456789abcdef")
	return map[string][]byte{
		"empty":            {},
		"one byte":         {'a'},
		"sixteen":          line,
		"seventeen":        append(append([]byte{}, line...), 'X'),
		"repeated lines":   bytes.Repeat(line, 4),
		"repeated then 5":  append(bytes.Repeat(line, 3), "tail!"...),
		"zeros":            make([]byte, 40),
		"runs":             append(append(bytes.Repeat([]byte{'A'}, 48), bytes.Repeat([]byte{'B'}, 32)...), bytes.Repeat([]byte{'A'}, 33)...),
		"line then repeat": append(append([]byte("first line here!"), bytes.Repeat(line, 2)...), line[:8]...),
		"1000 random":      random,
		"all 256 values":   all,
		"all 256 twice":    append(append([]byte{}, all...), all...),
		"eight":            []byte("\x00\x7f\x80\xff ~\t\n"),
	}
}

func TestHexdumpMatchesHexdumpC(t *testing.T) {
	hexdump := requirePeerCommand(t, "hexdump", "bsdextrautils")
	for name, in := range hexdumpInputs() {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(hexdump, "-C")
			cmd.Stdin = bytes.NewReader(in)
			want, err := cmd.Output()
			if err != nil {
				t.Fatal(err)
			}
			if got := Hexdump(in); got != string(want) {
				t.Errorf("bin.hexdump of %d bytes:\n%s\nhexdump -C:\n%s", len(in), got, want)
			}
		})
	}
}
