package main

import "testing"

// compareLines reports, line by line, where got differs from want (the
// first 20 differing lines, each with its number, wantName's and
// gotName's text), and returns how many lines differ: a missing line
// counts as an empty one. The tests that compare an output with a real
// program's (lua5.1, redis-server through redis-py) share it.
func compareLines(t *testing.T, wantName, gotName string, want, got []string) int {
	t.Helper()
	differ := 0
	for i := range max(len(want), len(got)) {
		var w, g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w == g {
			continue
		}
		if differ++; differ <= 20 {
			t.Errorf("line %d:\n  %s: %q\n  %s: %q", i+1, wantName, w, gotName, g)
		}
	}
	return differ
}
