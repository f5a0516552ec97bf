package pm

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// pieces build patterns for the tests: items of every kind the matcher
// has, over the bytes of streamAlphabet.
var pieces = []string{
	"a", "b", "\n", "%a", "%d", "[^\n]", "[ab]", ".", "%s", "1",
	"a*", "b+", "[^\n]*", "%a+", ".-", "a-", "b?", "%d*", "[ab]-", ".*",
	"(", ")", "()", "%b()", "%1", "$", "^",
}

const streamAlphabet = "aab\n1(2) "

// buildPattern turns bytes into a well-formed pattern: parentheses
// balanced, "^" only first, "$" only last, %1 only after a closed capture.
func buildPattern(code []byte) string {
	var b strings.Builder
	open, closed := 0, 0
	for i, c := range code {
		p := pieces[int(c)%len(pieces)]
		switch p {
		case "^":
			if i != 0 {
				continue
			}
		case "$":
			if i != len(code)-1 {
				continue
			}
		case "(":
			if open+closed >= 4 {
				continue
			}
			open++
		case ")":
			if open == 0 {
				continue
			}
			open--
			closed++
		case "%1":
			if closed == 0 {
				continue
			}
		}
		b.WriteString(p)
	}
	b.WriteString(strings.Repeat(")", open))
	return b.String()
}

// describe is a match as the tests compare it: its captures.
func describe(md *MatchData) string {
	if md == nil {
		return "no match"
	}
	var b strings.Builder
	for i := 0; i < md.CaptureLength(); i++ {
		fmt.Fprintf(&b, "%d/%v ", md.Capture(i), md.IsPosCapture(i))
	}
	return b.String()
}

// checkStream feeds data to a Stream in the pieces given and checks that
// every search (with all, else the last) finds what Find finds on the same
// bytes, and returns the steps the searches took. With all, a pattern that
// takes more than 100,000 steps (an exponential one) is left unchecked.
func checkStream(t *testing.T, pattern string, data []byte, cuts []int, all bool) int {
	t.Helper()
	st, err := NewStream(pattern)
	if err != nil {
		t.Fatalf("NewStream(%q): %v", pattern, err)
	}
	const limit = 100000
	mt := &Meter{Limit: limit, Capped: all}
	for _, end := range append(cuts, len(data)) {
		src := data[:end]
		got, gerr := st.Find(src, mt)
		if gerr == ErrBudget {
			return mt.Steps
		}
		if !all && end < len(data) && got == nil && gerr == nil {
			continue
		}
		var budget *int
		if all {
			budget = new(int)
			*budget = 10 * limit
		}
		want, werr := findRecovered(pattern, src, budget)
		if werr == ErrBudget || werr == errFindCrashed {
			return mt.Steps
		}
		if (werr != nil) != (gerr != nil) {
			t.Fatalf("%q on %q: error %v, want %v", pattern, src, gerr, werr)
		}
		if werr != nil {
			return mt.Steps
		}
		var w *MatchData
		if len(want) > 0 {
			w = want[0]
		}
		if describe(got) != describe(w) {
			t.Fatalf("%q on %q (cuts %v): got %s, want %s", pattern, src, cuts, describe(got), describe(w))
		}
		if got != nil {
			return mt.Steps
		}
	}
	return mt.Steps
}

// errFindCrashed is findRecovered's error for a Go runtime error in Find:
// on a back-reference to a capture still open ("(()%1%b())" on "0"), or to
// a position capture past the end of src ("()%1" on ""). Stream raises
// "invalid capture index" for the first and matches "" for the second (as
// Find does when src has room past its end); the test does not compare.
var errFindCrashed = errors.New("Find crashed")

// findRecovered is FindBudget with a Go runtime error as errFindCrashed.
func findRecovered(pattern string, src []byte, budget *int) (mds []*MatchData, err error) {
	defer func() {
		if v := recover(); v != nil {
			if _, ok := v.(*Error); ok {
				panic(v)
			}
			err = errFindCrashed
		}
	}()
	return FindBudget(pattern, src[:len(src):len(src)], 0, 1, budget)
}

// TestStreamMatchesFind compares Stream with Find on random patterns and
// subjects delivered in random pieces.
func TestStreamMatchesFind(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 20000; i++ {
		code := make([]byte, 1+rng.Intn(6))
		rng.Read(code)
		data := make([]byte, rng.Intn(24))
		for j := range data {
			data[j] = streamAlphabet[rng.Intn(len(streamAlphabet))]
		}
		var cuts []int
		for at := 0; at < len(data); at += 1 + rng.Intn(3) {
			cuts = append(cuts, at)
		}
		checkStream(t, buildPattern(code), data, cuts, true)
	}
}

// FuzzStream is TestStreamMatchesFind on the fuzzer's patterns and pieces.
func FuzzStream(f *testing.F) {
	f.Add([]byte{0, 10, 2}, []byte("aab\nb"), []byte{1})
	f.Add([]byte{26, 20, 21, 16, 2}, []byte("ab(1)\n"), []byte{0, 2})
	f.Fuzz(func(t *testing.T, code, data, sizes []byte) {
		if len(code) > 12 || len(data) > 256 {
			return
		}
		var cuts []int
		for at, i := 0, 0; at < len(data); i++ {
			cuts = append(cuts, at)
			step := 1
			if len(sizes) > 0 {
				step += int(sizes[i%len(sizes)] % 8)
			}
			at += step
		}
		checkStream(t, buildPattern(code), data, cuts, true)
	})
}

// TestStreamStepsGrowLinearly: a pattern whose one search is linear takes,
// over a subject arriving one byte at a time, steps linear in its length.
func TestStreamStepsGrowLinearly(t *testing.T) {
	line := func(n int) []byte { return append(bytes.Repeat([]byte("x"), n), '\n') }
	status := func(n int) []byte {
		return append([]byte("HTTP/1.1 200 "+strings.Repeat("r", n)), '\n')
	}
	for _, c := range []struct {
		pattern string
		data    func(n int) []byte
	}{
		{"\n", line},
		{"^([^\n]*)\n", line},
		{"^(.-)\n", line},
		{"()x\n", line},
		{"^HTTP/1%.%d (%d+)[^\n]*\n", status},
		{"HTTP/1%.%d (%d+) (.-)\n", status},
		{"HTTP/1%.%d (%d+) ([^\n]*)\n", status},
		{"^%b()", func(n int) []byte { return []byte("(" + strings.Repeat("x", n) + ")") }},
	} {
		steps := func(n int) int {
			data := c.data(n)
			cuts := make([]int, len(data))
			for i := range cuts {
				cuts[i] = i
			}
			return checkStream(t, c.pattern, data, cuts, false)
		}
		small, large := steps(1000), steps(8000)
		t.Logf("%q: %d steps for 1000 bytes, %d for 8000", c.pattern, small, large)
		if ratio := float64(large) / float64(small); ratio > 12 {
			t.Errorf("%q: %d steps for 1000 bytes, %d for 8000 (x%.1f)", c.pattern, small, large, ratio)
		}
	}
}

// The lengths remembered in all runs together stay under maxStreamMet:
// "a*a*\n" keeps one per letter of its outer run. Past the cap a run is
// searched as the first time; the matches stay Find's.
func TestStreamRememberedLengthsCapped(t *testing.T) {
	defer func(v int) { maxStreamMet = v }(maxStreamMet)
	maxStreamMet = 64
	data := append(bytes.Repeat([]byte("a"), 80), '\n')
	s, err := NewStream("a*a*\n")
	if err != nil {
		t.Fatal(err)
	}
	most := 0
	for n := 1; n <= len(data); n++ {
		md, err := s.Find(data[:n], nil)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := Find("a*a*\n", data[:n], 0, 1)
		if got, exp := describe(md), describeFirst(want); got != exp {
			t.Fatalf("at %d bytes: stream %s, Find %s", n, got, exp)
		}
		most = max(most, s.met)
	}
	if most > maxStreamMet || most == 0 {
		t.Fatalf("remembered %d lengths at most; cap %d", most, maxStreamMet)
	}
}

func describeFirst(mds []*MatchData) string {
	if len(mds) == 0 {
		return describe(nil)
	}
	return describe(mds[0])
}
