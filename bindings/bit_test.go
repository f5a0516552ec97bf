package bindings

import (
	"bytes"
	"fmt"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The bit module against LuaJIT itself (Debian package luajit; ./test.sh
// installs it, and with CI=true a missing luajit fails the test): a few
// thousand generated calls run through luajit and through gonetrepl, and
// every output line must be the same.

// bitEdgeValues are the numbers every function is tried with: around 0,
// ±1, ±2^31, ±2^32, ±2^51, ±2^52, ±2^53 and beyond, fractions (halves
// round to even), negative zero, huge and tiny numbers, infinities, NaN.
var bitEdgeValues = []string{
	"0", "-0", "1", "-1", "2", "-2", "3", "7", "8", "15", "16", "31", "32", "33", "63", "255", "256",
	"0x7f", "0x80", "0xff", "0x1234", "0x12345678", "0x87654321", "0xdeadbeef", "0x7fffffff", "0x80000000",
	"0xffffffff", "0x100000000", "0x100000001", "0xfffffffff",
	"2^31", "-2^31", "2^31-1", "-2^31-1", "2^32", "-2^32", "2^32-1", "2^32+1", "2^32+0.5",
	"2^51", "-2^51", "2^51-1", "2^51+0.5", "2^52", "-2^52", "2^52+1", "2^52-0.5", "2^53", "-2^53", "2^53+2",
	"2^60", "2^63", "-2^63", "2^64", "1e15", "1e16", "1e17", "1e20", "1e300", "-1e300", "1.7976931348623157e308",
	"0.5", "-0.5", "1.5", "-1.5", "2.5", "-2.5", "0.49999999999999994", "0.25", "0.75", "3.7", "-3.7",
	"123456.789", "-987654.321", "4294967295.5", "4294967296.5", "-4294967296.5",
	"1e-300", "-1e-300", "5e-324", "2.2250738585072014e-308",
	"(1/0)", "(-1/0)", "(0/0)",
}

// bitShiftCounts are the second arguments of the shifts and rotates.
var bitShiftCounts = []string{
	"0", "1", "2", "4", "7", "8", "15", "16", "24", "31", "32", "33", "63", "64", "-1", "-8", "-31", "-32",
	"0.5", "1.5", "2^32+3", "-2^32", "(0/0)", "(1/0)", "1e300",
}

// bitTohexWidths are the second arguments of tohex.
var bitTohexWidths = []string{
	"0", "1", "2", "4", "7", "8", "9", "15", "16", "17", "32", "100", "254", "255", "256", "511", "1000",
	"-1", "-2", "-4", "-8", "-9", "-16", "-255", "-256", "-1000", "2^31", "-2^31", "2^32+4", "0.5", "1.5",
	"-0.5", "(0/0)",
}

// bitCases generates the calls: each as the arguments of a pcall.
func bitCases() []string {
	vals := append([]string(nil), bitEdgeValues...)
	r := rand.New(rand.NewSource(16))
	for range 40 { // random doubles of every magnitude, written exactly
		f := (r.Float64()*2 - 1) * math.Pow(2, float64(r.Intn(70)))
		vals = append(vals, strconv.FormatFloat(f, 'g', -1, 64))
	}
	for range 20 { // random integers in the 32-bit ranges
		vals = append(vals, strconv.FormatInt(r.Int63n(1<<33)-(1<<32), 10))
	}
	var cases []string
	for _, f := range []string{"tobit", "bnot", "bswap", "tohex"} {
		for _, v := range vals {
			cases = append(cases, fmt.Sprintf("bit.%s, %s", f, v))
		}
	}
	// Each value meets a rotating share of the second arguments, so that
	// every pairing of kinds comes up without a quadratic count of cases.
	share := func(i int, of []string, n int) []string {
		out := make([]string, 0, n)
		for k := range n {
			out = append(out, of[(i*n+k)%len(of)])
		}
		return out
	}
	for i, v := range vals {
		for _, n := range share(i, bitTohexWidths, 11) {
			cases = append(cases, fmt.Sprintf("bit.tohex, %s, %s", v, n))
		}
	}
	for _, f := range []string{"lshift", "rshift", "arshift", "rol", "ror"} {
		for i, v := range vals {
			for _, n := range share(i, bitShiftCounts, 9) {
				cases = append(cases, fmt.Sprintf("bit.%s, %s, %s", f, v, n))
			}
		}
	}
	for _, f := range []string{"band", "bor", "bxor"} {
		for i, v := range vals {
			cases = append(cases, fmt.Sprintf("bit.%s, %s", f, v))
			for _, w := range share(i, vals, 6) {
				cases = append(cases, fmt.Sprintf("bit.%s, %s, %s", f, v, w))
			}
			w, x, y := vals[(i*5+1)%len(vals)], vals[(i*11+3)%len(vals)], vals[(i*13+5)%len(vals)]
			cases = append(cases, fmt.Sprintf("bit.%s, %s, %s, %s, %s", f, v, w, x, y))
		}
	}
	// Strings that spell numbers count as numbers (LuaJIT and Lua 5.1);
	// others, and other types, are errors; so are missing arguments.
	// (Deliberately unlike LuaJIT, "inf" and "nan" are not numbers, as
	// for tonumber: see TestBitErrorsNameArguments.)
	for _, c := range []string{
		`bit.band, "0x10", 255`, `bit.bor, " 12 ", "1e1"`, `bit.tobit, "4294967297"`, `bit.tohex, "255", "-4"`,
		`bit.lshift, "1", "4"`, `bit.band, "x"`, `bit.band, 1, "0x"`, `bit.bor, 1, 2, {}`, `bit.bxor, 1, nil`,
		`bit.tobit, true`, `bit.tohex, 1, nil`, `bit.tohex, nil`,
		`bit.lshift, 1`, `bit.rol`, `bit.band`, `bit.bor`, `bit.bxor`, `bit.bnot`, `bit.bswap, print`,
		`bit.arshift, 1, false`,
	} {
		cases = append(cases, c)
	}
	return cases
}

// bitPrelude prints one case as a line: its results, or "error" and the
// message without the position and the function's name (which luajit and
// gonetrepl say differently).
const bitPrelude = `
local function show(ok, ...)
	if not ok then
		local e = tostring((...)):gsub("^[^\n]-:%d+: ", ""):gsub("^(bad argument #%d+) to %S+ ", "%1 ")
		return "error " .. e
	end
	local out = {}
	for i = 1, select("#", ...) do out[i] = tostring((select(i, ...))) end
	return table.concat(out, "\t")
end
local function case(...) print(show(pcall(...))) end
`

// bitArgName matches the argument name gonetrepl puts in its messages,
// which luajit's lack: "(x1: number expected" -> "(number expected".
var bitArgName = regexp.MustCompile(`\(\w+: `)

// sameLuaError excuses the two ways gonetrepl's argument errors differ from
// Lua's: they name the argument, and a missing one is "nil", not "no value".
func sameLuaError(want, got string) bool {
	if !strings.HasPrefix(want, "error ") {
		return false
	}
	got = bitArgName.ReplaceAllString(got, "(")
	return got == want || strings.TrimSuffix(got, "got nil)") == strings.TrimSuffix(want, "got no value)")
}

// runChunkOutputFor is runChunkOutput with a bound of secs seconds: the
// comparisons run thousands of calls, slow under -race on a busy machine.
func runChunkOutputFor(t *testing.T, src string, secs int) string {
	t.Helper()
	rt, out := newTestRuntime(t)
	defer rt.Close()
	task := startChunk(t, rt, src)
	waitTaskFor(t, task, secs)
	if task.Status() != statusDone {
		t.Fatalf("%s\noutput:\n%.4000s", task.Err(), out.String())
	}
	return out.String()
}

// compareWithPeer runs script under a peer interpreter and under
// gonetrepl and compares their outputs line by line, names[i] naming the
// case of line i; same, if not nil, may excuse a difference.
func compareWithPeer(t *testing.T, peer, script string, names []string, same func(want, got string) bool) {
	t.Helper()
	file := t.TempDir() + "/cases.lua"
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(peer, file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	want, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", peer, err, stderr.String())
	}
	got := runChunkOutputFor(t, script, 120)
	wantLines := strings.Split(strings.TrimSuffix(string(want), "\n"), "\n")
	gotLines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(wantLines) != len(names) || len(gotLines) != len(names) {
		t.Fatalf("%d cases, %s printed %d lines, gonetrepl %d", len(names), peer, len(wantLines), len(gotLines))
	}
	bad, errs := 0, 0
	for i, name := range names {
		if strings.HasPrefix(wantLines[i], "error") {
			errs++
		}
		if wantLines[i] != gotLines[i] && (same == nil || !same(wantLines[i], gotLines[i])) {
			if bad++; bad <= 40 {
				t.Errorf("%s\n  %s: %q\n  gonetrepl: %q", name, peer, wantLines[i], gotLines[i])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d cases differ", bad, len(names))
	}
	t.Logf("%d cases (%d errors) compared with %s", len(names), errs, peer)
}

func TestBitMatchesLuaJIT(t *testing.T) {
	luajit := requirePeerCommand(t, "luajit", "luajit")
	cases := bitCases()
	if len(cases) < 3000 {
		t.Fatalf("only %d cases", len(cases))
	}
	var b strings.Builder
	b.WriteString(bitPrelude)
	for _, c := range cases {
		fmt.Fprintf(&b, "case(%s)\n", c)
	}
	compareWithPeer(t, luajit, b.String(), cases, sameLuaError)
}

// The error messages name the argument, as the documentation does; a
// string is a number when tonumber takes it ("inf" and "nan" are not, as
// they are in LuaJIT); require "bit" gives the module.
func TestBitErrorsNameArguments(t *testing.T) {
	got := runChunkOutput(t, bitPrelude+`
		case(bit.band, 1, 2, "x")
		case(bit.lshift, 1)
		case(bit.tohex, 1, {})
		case(bit.tobit)
		case(bit.tobit, "inf")
		case(bit.band, 1, "nan")
		case(require, "bit")
	`)
	want := "error bad argument #3 (x3: number expected, got string)\n" +
		"error bad argument #2 (n: number expected, got nil)\n" +
		"error bad argument #2 (n: number expected, got table)\n" +
		"error bad argument #1 (x: number expected, got nil)\n" +
		"error bad argument #1 (x: number expected, got string)\n" +
		"error bad argument #2 (x2: number expected, got string)\n"
	if !strings.HasPrefix(got, want) || !strings.HasPrefix(got[len(want):], "table: ") {
		t.Errorf("got:\n%s\nwant:\n%stable: ...", got, want)
	}
}
