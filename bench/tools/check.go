package main

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
)

// check compares a run's ratios to its baseline with a committed run's
// (run.sh --check: a QUICK run against BENCHMARKS.md) and prints each ratio
// that got worse by more than the noise band. It informs; the caller decides
// what a worse ratio means.
//
// The noise band of one cell (server, column) is
//
//	band = max(floor, k·SE),  SE = √(e(server, committed)² + e(base, committed)² + e(server, run)² + e(base, run)²)
//	e    = 1.2533 · (max − min) / (d2(n) · √n · median)
//
// e is the relative standard error of one median, estimated from the min-max
// over its n repetitions: (max − min)/d2(n) estimates the standard deviation
// of one repetition (d2 is the expected range of n normal samples in standard
// deviations, the control-chart constant), and a median of n has a standard
// error of √(π/2)·σ/√n. A ratio of two medians adds their relative errors in
// quadrature, and so do the two runs. A QUICK run is noisier: smaller sizes
// widen its min-max, and its 3 repetitions give a factor 1.2533/(d2(3)·√3) =
// 0.43 against 0.24 for a full run's 5, so its cells get wider bands by
// themselves. The floor covers what the spreads cannot see: the machine's load
// changing between the two runs, and the sizes QUICK shrinks (fewer bytes and
// round trips per repetition).

// d2 is the expected range of n samples of a normal distribution, in standard
// deviations; for n past the table, the largest n tabulated below it (a
// smaller d2 gives a wider band).
func d2(n int) float64 {
	table := []struct {
		n int
		d float64
	}{{2, 1.128}, {3, 1.693}, {4, 2.059}, {5, 2.326}, {6, 2.534}, {7, 2.704},
		{8, 2.847}, {9, 2.970}, {10, 3.078}, {15, 3.472}, {20, 3.735}, {25, 3.931}, {30, 4.086}}
	d := table[0].d
	for _, t := range table {
		if t.n <= n {
			d = t.d
		}
	}
	return d
}

// relErr is e above for one cell; ok is false when the cell has no median or
// fewer than two repetitions (no spread to estimate from). A column the spread
// table leaves out (VmHWM, one value a run) counts as exact: its band is the floor.
func relErr(c *resultCell, noSpread bool) (float64, bool) {
	if c == nil || !c.ok || c.median <= 0 {
		return 0, false
	}
	if noSpread {
		return 0, true
	}
	if c.n < 2 || c.hi < c.lo {
		return 0, false
	}
	return math.Sqrt(math.Pi/2) * (c.hi - c.lo) / (d2(c.n) * math.Sqrt(float64(c.n)) * c.median), true
}

// checkOpts are check's knobs.
type checkOpts struct {
	floor float64 // the least band (0.15: 15%)
	k     float64 // standard errors in the band (2)
	all   bool    // print every compared cell, not only the worse ones
}

// verdict is one compared cell.
type verdict struct {
	server, col   string
	refRatio, now float64 // ratio to the baseline, committed and this run
	worse, band   float64 // worse: the factor by which it got worse, minus 1 (negative: better)
}

// checkSummary counts what check found.
type checkSummary struct {
	compared, worse, better int
}

// check writes the comparison of run with ref to w.
func check(w io.Writer, refName string, ref, run *results, o checkOpts) checkSummary {
	var (
		vs          []verdict
		notCompared []string
		sum         checkSummary
	)
	note := func(format string, a ...any) { notCompared = append(notCompared, fmt.Sprintf(format, a...)) }
	// Cells not compared for the same reason in the same column share a line.
	var cellWhy []string
	cellServers := map[string][]string{}

	judge := func(server, col string, c column, rs, rb, ns, nb *resultCell) {
		es1, ok1 := relErr(rs, c.noSpread)
		eb1, ok2 := relErr(rb, c.noSpread)
		es2, ok3 := relErr(ns, c.noSpread)
		eb2, ok4 := relErr(nb, c.noSpread)
		if !(ok1 && ok2 && ok3 && ok4) {
			var why []string
			for _, x := range []struct {
				c     *resultCell
				where string
			}{{rs, refName}, {ns, "this run"}} {
				switch {
				case x.c == nil:
					why = append(why, "none in "+x.where)
				case !x.c.ok:
					why = append(why, fmt.Sprintf("%q in %s", x.c.text, x.where))
				case x.c.n < 2:
					why = append(why, fmt.Sprintf("n=%d in %s", x.c.n, x.where))
				}
			}
			// A server that does not do this measure in either run ("n/a",
			// "-") is no news; anything else is said.
			if rs != nil && ns != nil && !rs.ok && !ns.ok && isNoMeasure(rs.text) && isNoMeasure(ns.text) {
				return
			}
			k := col + ": " + strings.Join(why, "; ")
			if cellServers[k] == nil {
				cellWhy = append(cellWhy, k)
			}
			cellServers[k] = append(cellServers[k], server)
			return
		}
		refRatio, now := rs.median/rb.median, ns.median/nb.median
		worse := now/refRatio - 1
		if c.higherBetter {
			worse = refRatio/now - 1
		}
		band := math.Max(o.floor, o.k*math.Sqrt(es1*es1+eb1*eb1+es2*es2+eb2*eb2))
		vs = append(vs, verdict{server, col, refRatio, now, worse, band})
	}

	// Columns: only those both runs have; VmHWM only when both held the same
	// conns levels (it is the peak over the whole run).
	var cols []column
	for _, c := range ref.cols {
		rb, nb := ref.cell(ref.base, c.title), run.cell(run.base, c.title)
		switch {
		case !run.hasColumn(c.title):
			note("%s: not in this run", c.title+" "+c.unit)
		case c.title == "VmHWM" && ref.params["conns"] != run.params["conns"]:
			note("VmHWM: the peak over the whole run, set by its largest conns level (conns '%s' in %s, '%s' in this run)",
				ref.params["conns"], refName, run.params["conns"])
		case rb == nil || !rb.ok:
			note("%s: %s has no figure in %s (%q)", c.title+" "+c.unit, ref.base, refName, cellText(rb))
		case nb == nil || !nb.ok:
			note("%s: %s has no figure in this run (%q)", c.title+" "+c.unit, run.base, cellText(nb))
		default:
			cols = append(cols, c)
		}
	}
	for _, c := range run.cols {
		if !ref.hasColumn(c.title) {
			note("%s: not in %s", c.title+" "+c.unit, refName)
		}
	}
	var gone []string
	for _, s := range ref.servers {
		if s == ref.base {
			continue
		}
		if !run.hasServer(s) {
			gone = append(gone, s)
			continue
		}
		for _, c := range cols {
			judge(s, c.title+" "+c.unit, c, ref.cell(s, c.title), ref.cell(ref.base, c.title),
				run.cell(s, c.title), run.cell(run.base, c.title))
		}
	}
	if len(gone) > 0 {
		note("not in this run (not installed, or not asked for): %s", strings.Join(gone, ", "))
	}
	for _, s := range run.servers {
		if !ref.hasServer(s) {
			note("%s: not in %s", s, refName)
		}
	}
	if ref.startupBase != "" && run.startupBase != "" {
		for _, s := range ref.startupRows {
			if s == ref.startupBase {
				continue
			}
			if run.startupCells[s] == nil {
				note("start-up of %s: not in this run", s)
				continue
			}
			judge(s, startupColumn+" ms", column{title: startupColumn, unit: "ms"}, ref.startupCells[s], ref.startupCells[ref.startupBase],
				run.startupCells[s], run.startupCells[run.startupBase])
		}
	} else if ref.startupBase != "" {
		note("start-up: not in this run")
	}

	for _, k := range cellWhy {
		note("%s: %s", k, strings.Join(cellServers[k], ", "))
	}

	sizes := func(r *results) string {
		var b []string
		for _, k := range []string{"reps", "tp", "rtt", "conns", "udp"} {
			if v, ok := r.params[k]; ok {
				if strings.Contains(v, " ") {
					v = "'" + v + "'"
				}
				b = append(b, k+"="+v)
			}
		}
		return strings.Join(b, " ")
	}
	fmt.Fprintf(w, "Check: this run (%s) against the last results block of %s (%s): each server's ratio to %s, each ratio of two medians from one run.\n",
		orDash(run.stamp), refName, orDash(ref.stamp), ref.base)
	fmt.Fprintf(w, "Sizes: %s: %s; this run: %s. Throughput is better higher, everything else lower.\n", refName, sizes(ref), sizes(run))
	fmt.Fprintf(w, "Noise band of a cell: max(%.0f%%, %g·SE), SE = the ratio's standard error in both runs, from each median's min-max over its n\n", o.floor*100, o.k)
	fmt.Fprintf(w, "repetitions: e = 1.25·(max−min)/(d2(n)·√n·median), d2(3)=1.69, d2(5)=2.33, summed in quadrature over the server and %s in both\n", ref.base)
	fmt.Fprintf(w, "runs; a QUICK run's wider min-max and fewer repetitions widen its bands (start-up: hyperfine's min-max, n taken as %d).\n", startupRuns)

	var rows [][]string
	for _, v := range vs {
		sum.compared++
		flagged := v.worse > v.band
		switch {
		case flagged:
			sum.worse++
		case -v.worse/(1+v.worse) > v.band: // better by more than the band, measured the same way round
			sum.better++
		}
		if flagged || o.all {
			verdict := "within"
			switch {
			case flagged:
				verdict = "WORSE"
			case -v.worse/(1+v.worse) > v.band:
				verdict = "better"
			}
			rows = append(rows, []string{v.server, v.col, fmtNum(v.refRatio), fmtNum(v.now),
				fmt.Sprintf("%+.0f%%", v.worse*100), fmt.Sprintf("%.0f%%", v.band*100), verdict})
		}
	}
	if len(rows) > 0 {
		fmt.Fprintln(w)
		if !o.all {
			fmt.Fprintf(w, "Worse than %s beyond the noise band (worse by: how much more a cell costs, or how much less throughput it gets, relative to %s):\n\n", refName, ref.base)
		}
		fprintTable(w, []string{"server", "measure", refName + " (x " + ref.base + ")", "this run (x " + run.base + ")", "worse by", "band", "verdict"}, rows)
	}
	if len(notCompared) > 0 {
		fmt.Fprintf(w, "\nNot compared:\n")
		for _, n := range notCompared {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
	fmt.Fprintln(w)
	what := "no ratio"
	switch sum.worse {
	case 0:
	case 1:
		what = "1 ratio"
	default:
		what = fmt.Sprintf("%d ratios", sum.worse)
	}
	fmt.Fprintf(w, "%s worse than %s beyond the noise band (%d compared, %d better beyond it)\n", what, refName, sum.compared, sum.better)
	return sum
}

// cellText is a cell as printed, "-" for none.
func cellText(c *resultCell) string {
	if c == nil {
		return "-"
	}
	return c.text
}

// isNoMeasure reports whether a cell's text says the measure was not taken
// for this server at all ("n/a": above its conns level; "-": not its kind).
func isNoMeasure(text string) bool { return text == "n/a" || text == "-" }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// checkMain is `benchtool check [-floor F] [-k K] [-all] COMMITTED RUN` and
// `benchtool check -servers COMMITTED`; it returns the exit status.
func checkMain(args []string, stdout, stderr io.Writer) int {
	o := checkOpts{floor: 0.15, k: 2}
	servers := false
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		var err error
		switch args[0] {
		case "-servers":
			servers = true
		case "-all":
			o.all = true
		case "-floor", "-k":
			if len(args) < 2 {
				err = fmt.Errorf("%s needs a value", args[0])
				break
			}
			p := &o.floor
			if args[0] == "-k" {
				p = &o.k
			}
			_, err = fmt.Sscanf(args[1], "%g", p)
			args = args[1:]
		default:
			err = fmt.Errorf("unknown flag %s", args[0])
		}
		if err != nil {
			fmt.Fprintln(stderr, "benchtool check:", err)
			return 2
		}
		args = args[1:]
	}
	if (servers && len(args) != 1) || (!servers && len(args) != 2) {
		fmt.Fprintln(stderr, "usage: benchtool check [-floor F] [-k K] [-all] COMMITTED RUN | benchtool check -servers COMMITTED")
		return 2
	}
	ref, err := readResults(args[0])
	if err != nil {
		fmt.Fprintln(stderr, "benchtool check:", err)
		return 1
	}
	if servers {
		for _, s := range ref.servers {
			fmt.Fprintln(stdout, s)
		}
		return 0
	}
	run, err := readResults(args[1])
	if err != nil {
		fmt.Fprintln(stderr, "benchtool check:", err)
		return 1
	}
	if run.base != ref.base {
		fmt.Fprintf(stderr, "benchtool check: the baselines differ (%s in %s, %s in %s)\n", ref.base, args[0], run.base, args[1])
		return 1
	}
	check(stdout, filepath.Base(args[0]), ref, run, o)
	return 0
}
