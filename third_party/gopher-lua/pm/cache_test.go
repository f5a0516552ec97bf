package pm

import (
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

// uncachedFind is FindMeter as it was before patch 21: the pattern parsed
// and compiled on each call, a fresh MatchData for every start.
func uncachedFind(p string, src []byte, offset, limit int) (matches []*MatchData, err error) {
	defer func() {
		if v := recover(); v != nil {
			if e, ok := v.(*Error); ok {
				err = e
			} else {
				panic(fmt.Sprintf("pattern %q on %q: %v", p, src, v))
			}
		}
	}()
	pat := parsePattern(newScanner([]byte(p)), true)
	insts := compilePattern(pat)
	matches = []*MatchData{}
	for sp := offset; sp <= len(src); {
		ok, nsp, ms := recursiveVM(src, insts, 0, sp, 0, nil, nil)
		sp++
		if ok {
			if sp < nsp {
				sp = nsp
			}
			matches = append(matches, ms)
		}
		if len(matches) == limit || pat.MustHead {
			break
		}
	}
	return matches, err
}

// TestCachedProgramsMatchAsBefore: the cached programs and the reused
// MatchData of patch 21 give the matches and captures a fresh compile
// gave, for random patterns over random inputs, each pattern matched
// several times (the later times from the cache).
func TestCachedProgramsMatchAsBefore(t *testing.T) {
	rng := rand.New(rand.NewSource(21))
	for i := 0; i < 3000; i++ {
		var p strings.Builder
		for n := rng.Intn(6) + 1; n > 0; n-- {
			p.WriteString(pieces[rng.Intn(len(pieces))])
		}
		src := make([]byte, rng.Intn(24))
		for j := range src {
			src[j] = streamAlphabet[rng.Intn(len(streamAlphabet))]
		}
		for _, limit := range []int{1, -1, 1} {
			want, werr := uncachedFind(p.String(), src, 0, limit)
			got, gerr := Find(p.String(), src, 0, limit)
			if fmt.Sprint(werr) != fmt.Sprint(gerr) {
				t.Fatalf("Find(%q, %q): error %v, want %v", p.String(), src, gerr, werr)
			}
			if werr != nil {
				continue
			}
			if len(got) != len(want) {
				t.Fatalf("Find(%q, %q, limit %d): %d matches, want %d", p.String(), src, limit, len(got), len(want))
			}
			for k := range want {
				if !reflect.DeepEqual(got[k].captures, want[k].captures) {
					t.Fatalf("Find(%q, %q) match %d: captures %v, want %v", p.String(), src, k, got[k].captures, want[k].captures)
				}
			}
		}
	}
}

// TestFailedStartsLeaveNoCaptures: a position capture taken at a start
// that failed is not reported with the match found at a later start.
func TestFailedStartsLeaveNoCaptures(t *testing.T) {
	ms, err := Find("()a()b", []byte("aaab"), 0, 1)
	if err != nil || len(ms) != 1 {
		t.Fatalf("Find: %v, %d matches", err, len(ms))
	}
	// Whole match 2..4, then the two position captures 3 and 4 (1-based).
	want := []int{2, 4, 3, 3, 4, 4}
	for i, w := range want {
		if ms[0].Capture(i) != w {
			t.Fatalf("capture %d = %d, want %d (all: %v)", i, ms[0].Capture(i), w, ms[0].captures)
		}
	}
}

// TestProgramCacheIsBounded: however many patterns a script builds, the
// cache keeps at most programCacheSize programs and no long pattern, and a
// malformed pattern is reported every time, never cached.
func TestProgramCacheIsBounded(t *testing.T) {
	for i := 0; i < 5*programCacheSize; i++ {
		if _, err := Find(fmt.Sprintf("x%dy", i), []byte("x1y"), 0, 1); err != nil {
			t.Fatal(err)
		}
		programCache.Lock()
		n := len(programCache.m)
		programCache.Unlock()
		if n > programCacheSize {
			t.Fatalf("%d programs cached after %d patterns, cap %d", n, i+1, programCacheSize)
		}
	}
	long := strings.Repeat("a", programCachePatternMax+1)
	if ms, err := Find(long, []byte(long), 0, 1); err != nil || len(ms) != 1 {
		t.Fatalf("long pattern: %v, %d matches", err, len(ms))
	}
	programCache.Lock()
	_, kept := programCache.m[long]
	programCache.Unlock()
	if kept {
		t.Fatalf("a pattern of %d bytes was cached", len(long))
	}
	for i := 0; i < 2; i++ {
		if _, err := Find("[a", []byte("x"), 0, 1); err == nil {
			t.Fatalf("malformed pattern: no error the %d time", i+1)
		}
	}
}

func BenchmarkFindShortPattern(b *testing.B) {
	src := []byte("GET /index.html HTTP/1.1")
	for i := 0; i < b.N; i++ {
		if _, err := Find("^(%u+) (%S+) HTTP/(%d)%.(%d)$", src, 0, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBackReferenceToPositionFails (patch 22): "%1" naming a position
// capture fails the match, as in Lua 5.1, where
// ("2bb"):find("()%1a-b+") is nil; it matched an empty string, and sliced
// past the end of the subject (a Go runtime error) at its last position.
func TestBackReferenceToPositionFails(t *testing.T) {
	for _, p := range []string{"()%1a-b+", "()%1", "b()%1"} {
		ms, err := Find(p, []byte("2bb"), 0, -1)
		if err != nil || len(ms) != 0 {
			t.Errorf("Find(%q, \"2bb\"): %d matches, %v; want none", p, len(ms), err)
		}
		s, err := NewStream(p)
		if err != nil {
			t.Fatal(err)
		}
		if md, err := s.Find([]byte("2bb"), nil); md != nil || err != nil {
			t.Errorf("Stream(%q).Find(\"2bb\"): %v, %v; want no match", p, md, err)
		}
	}
}
