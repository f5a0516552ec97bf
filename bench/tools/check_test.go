package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// reportText runs report on the TSV lines (server, metric, rep, value) and
// returns what it prints, after header: the text run.sh writes for a run.
func reportText(t *testing.T, header string, servers []string, tsv []string) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "results.tsv")
	if err := os.WriteFile(path, []byte(strings.Join(tsv, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	done := make(chan []byte)
	go func() { b, _ := io.ReadAll(r); done <- b }()
	report(path, servers[0], servers, nil)
	os.Stdout = old
	w.Close()
	return header + "\n" + string(<-done)
}

// reps turns "server metric v1 v2 v3" into TSV lines.
func reps(spec ...string) []string {
	var out []string
	for _, s := range spec {
		f := strings.Fields(s)
		for i, v := range f[2:] {
			out = append(out, fmt.Sprintf("%s\t%s\t%d\t%s", f[0], f[1], i+1, v))
		}
	}
	return out
}

const quickHeader = `# bench/run.sh 2026-12-04T21:00:00Z on Linux, 2 CPUs, load 1.00 1.00 1.00
# reps=3 tests='tp rtt conns udp startup' tp=64M (max 3s) rtt=2000 conns='200 1000' (par 8) udp=2000`

// A synthetic QUICK run against a sample of the committed table: a ratio
// worse beyond the band is printed, one within it is not, a throughput gain is
// not, and columns either run lacks are "not compared".
func TestCheckFlagsWorseBeyondBand(t *testing.T) {
	ref, err := readResults("testdata/benchmarks_sample.md")
	if err != nil {
		t.Fatal(err)
	}
	if ref.stamp != "2026-11-27T11:01:22Z" {
		t.Fatalf("parsed the block of %s, want the last one (2026-11-27T11:01:22Z)", ref.stamp)
	}
	text := reportText(t, quickHeader, []string{"goraw", "lua5.1-socket", "gonetrepl"}, reps(
		"goraw tp 1150 1200 1250",
		"goraw rtt 49 50 51",
		"goraw c200 30 31 32",
		"goraw c1000 88 90 92",
		"goraw pss1000 9800 9900 10000",
		"goraw hwm 40000",
		"gonetrepl hwm 150000",
		// committed 0.918: now 1.25, a gain.
		"gonetrepl tp 1450 1500 1550",
		// committed 1.13: now 1.40, +24% with a band at the 15% floor (tight spreads).
		"gonetrepl rtt 69.5 70 70.5",
		// committed 1.65 with a wide spread: now 2.10, +27%, inside a band of about 38%.
		"gonetrepl c1000 180 189 200",
		"gonetrepl pss1000 16000 16200 16400",
		// committed 0.293: now 0.10, a throughput loss beyond any band.
		"lua5.1-socket tp 115 120 125",
		// committed 0.654: now 0.70, +7%.
		"lua5.1-socket rtt 34.8 35 35.2",
	))
	run, err := parseResults(text)
	if err != nil {
		t.Fatalf("%v in\n%s", err, text)
	}
	var out bytes.Buffer
	sum := check(&out, "BENCHMARKS.md", ref, run, checkOpts{floor: 0.15, k: 2})
	got := out.String()
	row := func(server, measure string) string {
		for _, l := range strings.Split(got, "\n") {
			f := strings.Split(l, " | ")
			if len(f) > 2 && strings.TrimSpace(f[0]) == server && strings.TrimSpace(f[1]) == measure {
				return l
			}
		}
		return ""
	}
	for _, want := range [][2]string{{"gonetrepl", "TCP RTT µs"}, {"lua5.1-socket", "throughput MB/s"}} {
		if l := row(want[0], want[1]); !strings.Contains(l, "WORSE") {
			t.Errorf("%s %s: want a WORSE row, got %q", want[0], want[1], l)
		}
	}
	for _, not := range [][2]string{{"gonetrepl", "throughput MB/s"}, {"gonetrepl", "1000 conns ms"}, {"lua5.1-socket", "TCP RTT µs"}, {"gonetrepl", "PSS@1000 MiB"}} {
		if l := row(not[0], not[1]); l != "" {
			t.Errorf("%s %s: printed, want it within the band: %q", not[0], not[1], l)
		}
	}
	for _, want := range []string{
		"5000 conns ms: not in this run",
		"200 conns ms: not in BENCHMARKS.md",
		"UDP RTT µs: not in this run",
		"VmHWM: the peak over the whole run, set by its largest conns level (conns '1000 5000 10000' in BENCHMARKS.md, '200 1000' in this run)",
		"start-up: not in this run",
		"2 ratios worse than BENCHMARKS.md beyond the noise band (6 compared, 1 better beyond it)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if sum != (checkSummary{compared: 6, worse: 2, better: 1}) {
		t.Errorf("summary %+v", sum)
	}
	// The same comparison with every cell shown: the ones within say so.
	out.Reset()
	check(&out, "BENCHMARKS.md", ref, run, checkOpts{floor: 0.15, k: 2, all: true})
	got = out.String()
	if l := row("gonetrepl", "1000 conns ms"); !strings.Contains(l, "+27%") || !strings.Contains(l, "within") {
		t.Errorf("1000 conns row: %q", l)
	}
	if l := row("gonetrepl", "throughput MB/s"); !strings.Contains(l, "better") {
		t.Errorf("throughput row: %q", l)
	}
	t.Log("\n" + got)
}

// The report's own output parses back to its medians and min-max.
func TestParseReadsReportOutput(t *testing.T) {
	text := reportText(t, quickHeader, []string{"goraw", "gonetrepl"}, append(reps(
		"goraw tp 1000 1100 1300",
		"goraw c1000 0.000012 0.000015 0.000013",
		"gonetrepl tp 800 900 950",
		"gonetrepl c1000 fail 2 3",
	), "gonetrepl\tc1000\t4\tfail"))
	r, err := parseResults(text)
	if err != nil {
		t.Fatal(err)
	}
	if r.base != "goraw" || r.params["conns"] != "200 1000" || r.params["reps"] != "3" {
		t.Fatalf("base %q params %v", r.base, r.params)
	}
	for _, tc := range []struct {
		server, col  string
		med, lo, hi  float64
		n            int
		higherBetter bool
	}{
		{"goraw", "throughput", 1100, 1000, 1300, 3, true},
		{"gonetrepl", "throughput", 900, 800, 950, 3, true},
		{"goraw", "1000 conns", 0.000013, 0.000012, 0.000015, 3, false},
		{"gonetrepl", "1000 conns", 2.5, 2, 3, 2, false},
	} {
		c := r.cell(tc.server, tc.col)
		if c == nil || !c.ok || c.n != tc.n || !near(c.median, tc.med) || !near(c.lo, tc.lo) || !near(c.hi, tc.hi) {
			t.Errorf("%s %s: %+v, want median %g %g-%g n=%d", tc.server, tc.col, c, tc.med, tc.lo, tc.hi, tc.n)
		}
	}
	for _, c := range r.cols {
		if c.higherBetter != (c.title == "throughput") {
			t.Errorf("column %q higherBetter=%v", c.title, c.higherBetter)
		}
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-3*math.Abs(b) }

// The committed BENCHMARKS.md has a results block this parses, with the rows
// run.sh --check needs; compared with itself, nothing is worse.
func TestCommittedBenchmarksParse(t *testing.T) {
	r, err := readResults("../../BENCHMARKS.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"goraw", "gonetrepl"} {
		if !r.hasServer(s) {
			t.Errorf("no %s row in %v", s, r.servers)
		}
	}
	if c := r.cell("gonetrepl", "TCP RTT"); c == nil || !c.ok || c.n < 2 {
		t.Errorf("gonetrepl TCP RTT: %+v", c)
	}
	if r.startupCells["gonetrepl bench/lua/noop.lua"] == nil {
		t.Errorf("no start-up row for gonetrepl: %v", r.startupRows)
	}
	var out bytes.Buffer
	sum := check(&out, "BENCHMARKS.md", r, r, checkOpts{floor: 0.15, k: 2})
	if sum.worse != 0 || sum.better != 0 || sum.compared < 10 {
		t.Errorf("self-comparison: %+v\n%s", sum, out.String())
	}
}

// The median's relative standard error from a min-max: 3 repetitions give a
// wider one than 5 with the same min-max.
func TestRelErr(t *testing.T) {
	c5 := &resultCell{median: 100, ok: true, lo: 90, hi: 110, n: 5}
	c3 := &resultCell{median: 100, ok: true, lo: 90, hi: 110, n: 3}
	e5, ok5 := relErr(c5, false)
	e3, ok3 := relErr(c3, false)
	if !ok5 || !ok3 || !near(e5, 0.0482) || !near(e3, 0.0855) {
		t.Errorf("e(n=5) = %g, e(n=3) = %g", e5, e3)
	}
	if _, ok := relErr(&resultCell{median: 100, ok: true, lo: 100, hi: 100, n: 1}, false); ok {
		t.Error("one repetition: want no estimate")
	}
}

func TestCheckMainExitStatus(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.md")
	os.WriteFile(empty, []byte("# Benchmarks\n\nno run yet\n"), 0o644)
	var out, errb bytes.Buffer
	if st := checkMain([]string{empty, "testdata/benchmarks_sample.md"}, &out, &errb); st != 1 || !strings.Contains(errb.String(), "no results block") {
		t.Errorf("no committed block: status %d, stderr %q", st, errb.String())
	}
	errb.Reset()
	if st := checkMain([]string{"-servers", "testdata/benchmarks_sample.md"}, &out, &errb); st != 0 || out.String() != "goraw\nlua5.1-socket\ngonetrepl\n" {
		t.Errorf("-servers: status %d, %q %q", st, out.String(), errb.String())
	}
	out.Reset()
	if st := checkMain([]string{"testdata/benchmarks_sample.md", "testdata/benchmarks_sample.md"}, &out, &errb); st != 0 ||
		!strings.Contains(out.String(), "no ratio worse than benchmarks_sample.md beyond the noise band") {
		t.Errorf("status %d, %s", st, out.String())
	}
}
