package main

import (
	"regexp"
	"strconv"
	"testing"
)

// TestFairnessBenchScenario runs bench/lua/fairness.lua, the scenario of
// bench/fairness.sh, small (a 0.5 s loop and a short pattern beside each
// other, then t:cancel() of a loop and of a pattern that would run 10 s, then
// the long builtins on 1/50 of their inputs),
// with the driver's cues on stdin. CI does not run the benchmark: this keeps
// its scenario working, and checks the fairness it measures without timing
// anything: the ticker task woke up while the two busy tasks ran, and
// t:cancel() ended each busy task as canceled, not at its own end.
func TestFairnessBenchScenario(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "go\nnext\n", "bench/lua/fairness.lua", "0.5", "3", "10", "0.02")
	if r.code != 0 {
		t.Fatalf("the scenario failed: %v", r)
	}
	results := map[string][]string{}
	for _, m := range regexp.MustCompile(`(?m)^RESULT (\S+) (\S+) ?(.*)$`).FindAllStringSubmatch(r.stdout, -1) {
		results[m[1]] = m[2:]
	}
	for _, key := range []string{"loop_s", "pattern_s", "ticker_gap_idle_ms", "ticker_gap_busy_ms", "cancel_loop_ms", "cancel_pattern_ms", "ticker_gap_cancel_ms",
		"builtin1_gap_ms", "builtin7_gap_ms"} {
		if _, ok := results[key]; !ok {
			t.Errorf("no RESULT %s: %v", key, r)
		}
	}
	if t.Failed() {
		return
	}
	// With both busy tasks holding the interpreter, the ticker cannot wake at
	// all until they end; sharing it, it wakes every few slices.
	wakeups := regexp.MustCompile(`wakeups=(\d+)`).FindStringSubmatch(results["ticker_gap_busy_ms"][1])
	if n, _ := strconv.Atoi(wakeups[1]); n < 5 {
		t.Errorf("the ticker woke %d times while the busy tasks ran for %s s, want at least 5\n%s", n, results["loop_s"][0], r.stdout)
	}
	for _, key := range []string{"cancel_loop_ms", "cancel_pattern_ms"} {
		if !regexp.MustCompile(`\bstatus=canceled\b`).MatchString(results[key][1]) {
			t.Errorf("%s: the busy task was not canceled: %s", key, results[key][1])
		}
	}
}
