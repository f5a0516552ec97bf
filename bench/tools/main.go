// Command benchtool holds the harness helpers used by ../run.sh (not a load
// generator; that is ../goraw):
//
//	benchtool freeport tcp|udp         print a free 127.0.0.1 port
//	benchtool wait-tcp ADDR SECS       exit 0 once ADDR accepts a TCP connection
//	benchtool wait-udp ADDR SECS       exit 0 once ADDR echoes a datagram
//	benchtool tree PID                 print PID's descendants (not PID), one per line
//	benchtool treemem PID              RESULT <PSS KiB> of PID + descendants (smaps_rollup)
//	benchtool report [-pair NEW:REF:GOAL]... RESULTS.tsv BASE SERVER...
//	                                   print the results tables; each -pair adds a table of
//	                                   NEW's throughput and TCP RTT medians as ratios to REF's
//	benchtool check [-floor F] [-k K] [-all] COMMITTED RUN
//	                                   compare RUN's ratios to the baseline with the last results
//	                                   block of COMMITTED (BENCHMARKS.md); print each ratio worse
//	                                   beyond the noise band (check.go says how it is derived)
//	benchtool check -servers COMMITTED the servers of COMMITTED's last results block
package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: benchtool freeport|wait-tcp|wait-udp|tree|treemem|report|check ...")
		os.Exit(2)
	}
	a := os.Args[2:]
	switch os.Args[1] {
	case "freeport":
		if a[0] == "udp" {
			pc, err := net.ListenPacket("udp", "127.0.0.1:0")
			die(err)
			fmt.Println(pc.LocalAddr().(*net.UDPAddr).Port)
			pc.Close()
		} else {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			die(err)
			fmt.Println(ln.Addr().(*net.TCPAddr).Port)
			ln.Close()
		}
	case "wait-tcp", "wait-udp":
		secs, _ := strconv.ParseFloat(a[1], 64)
		end := time.Now().Add(time.Duration(secs * float64(time.Second)))
		for time.Now().Before(end) {
			if os.Args[1] == "wait-tcp" {
				if c, err := net.DialTimeout("tcp", a[0], time.Second); err == nil {
					c.Close()
					return
				}
			} else if udpPing(a[0]) {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		fmt.Fprintf(os.Stderr, "benchtool: %s not answering after %ss\n", a[0], a[1])
		os.Exit(1)
	case "tree":
		pid, _ := strconv.Atoi(a[0])
		for _, p := range descendants(pid) {
			fmt.Println(p)
		}
	case "treemem":
		pid, _ := strconv.Atoi(a[0])
		procs := append([]int{pid}, descendants(pid)...)
		var pss, rss int64
		for _, p := range procs {
			pss += smapsField(p, "Pss:")
			rss += smapsField(p, "Rss:")
		}
		fmt.Printf("RESULT %d KiB pss procs=%d rss_kib=%d\n", pss, len(procs), rss)
	case "report":
		var pairs []string
		for len(a) >= 2 && a[0] == "-pair" {
			pairs = append(pairs, a[1])
			a = a[2:]
		}
		if len(a) < 2 {
			fmt.Fprintln(os.Stderr, "usage: benchtool report [-pair NEW:REF:GOAL]... RESULTS.tsv BASE SERVER...")
			os.Exit(2)
		}
		report(a[0], a[1], a[2:], pairs)
	case "check":
		os.Exit(checkMain(a, os.Stdout, os.Stderr))
	default:
		fmt.Fprintln(os.Stderr, "benchtool: unknown command", os.Args[1])
		os.Exit(2)
	}
}

func die(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtool:", err)
		os.Exit(1)
	}
}

func udpPing(addr string) bool {
	c, err := net.Dial("udp", addr)
	if err != nil {
		return false
	}
	defer c.Close()
	c.Write([]byte("benchtool-ping\n"))
	c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	buf := make([]byte, 64)
	_, err = c.Read(buf)
	return err == nil
}

func descendants(root int) []int {
	ents, _ := os.ReadDir("/proc")
	kids := map[int][]int{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		kids[ppid] = append(kids[ppid], pid)
	}
	var out []int
	q := []int{root}
	for len(q) > 0 {
		p := q[0]
		q = q[1:]
		for _, k := range kids[p] {
			out = append(out, k)
			q = append(q, k)
		}
	}
	return out
}

func smapsField(pid int, key string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fs := strings.Fields(sc.Text()); len(fs) >= 2 && fs[0] == key {
			n, _ := strconv.ParseInt(fs[1], 10, 64)
			return n
		}
	}
	return 0
}

// ---- report ----

type metric struct {
	key, title, unit string
	higherBetter     bool
	scale            float64
}

// metricsFor returns the metrics in table order: tp, rtt, udp, the "cN" conns
// levels found in the TSV (ascending), hwm, then the "pssN" levels. Other keys
// are ignored; a metric that no server has is left out of the tables later.
func metricsFor(keys map[string]bool) []metric {
	ms := []metric{
		{"tp", "throughput", "MB/s", true, 1},
		{"rtt", "TCP RTT", "µs", false, 1},
		{"udp", "UDP RTT", "µs", false, 1},
	}
	levels := func(prefix string) []int {
		var ns []int
		for k := range keys {
			if n, err := strconv.Atoi(strings.TrimPrefix(k, prefix)); strings.HasPrefix(k, prefix) && err == nil {
				ns = append(ns, n)
			}
		}
		sort.Ints(ns)
		return ns
	}
	for _, n := range levels("c") {
		ms = append(ms, metric{fmt.Sprintf("c%d", n), fmt.Sprintf("%d conns", n), "ms", false, 1})
	}
	ms = append(ms, metric{"hwm", "VmHWM", "MiB", false, 1.0 / 1024})
	for _, n := range levels("pss") {
		ms = append(ms, metric{fmt.Sprintf("pss%d", n), fmt.Sprintf("PSS@%d", n), "MiB", false, 1.0 / 1024})
	}
	return ms
}

type cell struct {
	vals  []float64
	fails int
	note  string // why it was not measured
	why   string // why it failed, when the harness knows ("fail:fd-limit")
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func fmtNum(x float64) string {
	switch a := math.Abs(x); {
	case a >= 1000:
		return fmt.Sprintf("%.0f", x)
	case a >= 100:
		return fmt.Sprintf("%.1f", x)
	case a >= 10:
		return fmt.Sprintf("%.2f", x)
	default:
		return fmt.Sprintf("%.3g", x)
	}
}

func fmtRatio(r float64) string {
	if r >= 100 {
		return fmt.Sprintf("%.0f", r)
	}
	if r >= 10 {
		return fmt.Sprintf("%.1f", r)
	}
	return fmt.Sprintf("%.2f", r)
}

// printTable prints rows under header to stdout (see fprintTable).
func printTable(header []string, rows [][]string) { fprintTable(os.Stdout, header, rows) }

// fprintTable writes rows under header to w, columns aligned, the first left-aligned.
func fprintTable(w io.Writer, header []string, rows [][]string) {
	wd := make([]int, len(header))
	for _, r := range append([][]string{header}, rows...) {
		for i, x := range r {
			wd[i] = max(wd[i], len([]rune(x)))
		}
	}
	line := func(r []string) {
		var b strings.Builder
		for i, x := range r {
			pad := strings.Repeat(" ", wd[i]-len([]rune(x)))
			if i == 0 {
				b.WriteString(x + pad)
			} else {
				b.WriteString(" | " + pad + x)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	line(header)
	sep := make([]string, len(header))
	for i := range sep {
		sep[i] = strings.Repeat("-", wd[i])
	}
	line(sep)
	for _, r := range rows {
		line(r)
	}
}

// report reads lines "server<TAB>metric<TAB>rep<TAB>value" (value "fail" or
// "fail:why" for a failed repetition, "skip:why" for one not run) and prints the
// tables, then one table per pair "NEW:REF:GOAL" (see comparePair).
func report(path, base string, servers []string, pairs []string) {
	f, err := os.Open(path)
	die(err)
	defer f.Close()
	data := map[string]map[string]*cell{}
	keys := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Split(sc.Text(), "\t")
		if len(fs) < 4 {
			continue
		}
		if data[fs[0]] == nil {
			data[fs[0]] = map[string]*cell{}
		}
		keys[fs[1]] = true
		c := data[fs[0]][fs[1]]
		if c == nil {
			c = &cell{}
			data[fs[0]][fs[1]] = c
		}
		switch v := fs[3]; {
		case v == "fail":
			c.fails++
		case strings.HasPrefix(v, "fail:"):
			c.fails++
			c.why = strings.TrimPrefix(v, "fail:")
		case v == "skip:budget":
			c.note = "no time"
		case v == "skip:maxconns":
			c.note = "n/a"
		case strings.HasPrefix(v, "skip:"):
			// later repetitions not run after a failure; the failure is what shows
			if c.note == "" {
				c.note = strings.TrimPrefix(v, "skip:")
			}
		default:
			x, err := strconv.ParseFloat(v, 64)
			if err == nil {
				c.vals = append(c.vals, x)
			} else {
				c.fails++
			}
		}
	}
	var ms []metric
	for _, m := range metricsFor(keys) {
		for _, s := range servers {
			if c := data[s][m.key]; c != nil && len(c.vals)+c.fails > 0 {
				ms = append(ms, m)
				break
			}
		}
	}
	cellStr := func(s string, m metric, withRatio bool) string {
		c := data[s][m.key]
		if c == nil {
			return "-"
		}
		if len(c.vals) == 0 {
			if c.fails > 0 {
				out := fmt.Sprintf("FAIL %d/%d", c.fails, c.fails)
				if c.why != "" {
					out += " (" + c.why + ")"
				}
				return out
			}
			return c.note
		}
		med := median(c.vals)
		out := fmtNum(med * m.scale)
		if withRatio {
			if b := data[base][m.key]; b != nil && len(b.vals) > 0 && median(b.vals) != 0 {
				out += " (" + fmtRatio(med/median(b.vals)) + ")"
			}
		}
		if c.fails > 0 {
			out += fmt.Sprintf(" [%d/%d fail]", c.fails, c.fails+len(c.vals))
		}
		return out
	}
	header := []string{"server"}
	for _, m := range ms {
		header = append(header, m.title+" "+m.unit)
	}
	var rows [][]string
	for _, s := range servers {
		r := []string{s}
		for _, m := range ms {
			r = append(r, cellStr(s, m, true))
		}
		rows = append(rows, r)
	}
	fmt.Printf("Medians; (x.xx) = ratio to %s's median from this same run. Throughput: higher is better; all others: lower is better.\n\n", base)
	printTable(header, rows)

	fmt.Printf("\nSpread: min-max over the repetitions (n = successful repetitions)\n\n")
	header = []string{"server"}
	for _, m := range ms {
		if strings.HasPrefix(m.key, "hwm") {
			continue
		}
		header = append(header, m.title)
	}
	rows = nil
	for _, s := range servers {
		r := []string{s}
		for _, m := range ms {
			if strings.HasPrefix(m.key, "hwm") {
				continue
			}
			c := data[s][m.key]
			switch {
			case c == nil:
				r = append(r, "-")
			case len(c.vals) == 0:
				r = append(r, cellStr(s, m, false))
			default:
				lo, hi := math.Inf(1), math.Inf(-1)
				for _, v := range c.vals {
					lo, hi = math.Min(lo, v), math.Max(hi, v)
				}
				r = append(r, fmt.Sprintf("%s-%s n=%d", fmtNum(lo*m.scale), fmtNum(hi*m.scale), len(c.vals)))
			}
		}
		rows = append(rows, r)
	}
	printTable(header, rows)
	var notes []string
	for _, s := range servers {
		for _, m := range ms {
			if c := data[s][m.key]; c != nil && c.why == "fd-limit" {
				notes = append(notes, s+" at "+m.title)
			}
		}
	}
	if len(notes) > 0 {
		fmt.Printf("\nfd-limit: the server ran out of file descriptors (RLIMIT_NOFILE, in the header): %s.\n", strings.Join(notes, ", "))
	}

	for _, p := range pairs {
		comparePair(data, ms, p)
	}
}

// comparePair prints NEW's medians as ratios to REF's medians from the same
// run, for every metric both have ("NEW:REF:GOAL", e.g. gonetrepl-relay:goraw-proxy:0.97).
// "speed" is the ratio turned so that higher is better (REF's RTT / NEW's RTT);
// the goal is met when speed >= GOAL.
func comparePair(data map[string]map[string]*cell, ms []metric, spec string) {
	f := strings.Split(spec, ":")
	if len(f) != 3 {
		fmt.Fprintf(os.Stderr, "benchtool: bad -pair %q (want NEW:REF:GOAL)\n", spec)
		return
	}
	nw, ref := f[0], f[1]
	goal, err := strconv.ParseFloat(f[2], 64)
	if err != nil {
		fmt.Fprintf(os.Stderr, "benchtool: bad goal in -pair %q\n", spec)
		return
	}
	if data[nw] == nil || data[ref] == nil {
		return // not both in this run
	}
	var rows [][]string
	for _, m := range ms {
		a, b := data[nw][m.key], data[ref][m.key]
		if a == nil || b == nil {
			continue
		}
		if len(a.vals) == 0 || len(b.vals) == 0 {
			rows = append(rows, []string{m.title + " " + m.unit, "-", "-", "-", "-", "no data"})
			continue
		}
		ma, mb := median(a.vals)*m.scale, median(b.vals)*m.scale
		r := ma / mb
		speed := r
		if !m.higherBetter {
			speed = 1 / r
		}
		met := "yes"
		if speed < goal {
			met = "NO"
		}
		rows = append(rows, []string{m.title + " " + m.unit, fmtNum(mb), fmtNum(ma), fmt.Sprintf("%.3f", r), fmt.Sprintf("%.3f", speed), met})
	}
	if len(rows) == 0 {
		return
	}
	fmt.Printf("\n%s vs %s: medians from this same run; speed = the ratio with higher = better; goal: speed >= %g\n\n", nw, ref, goal)
	printTable([]string{"metric", ref, nw, nw + "/" + ref, "speed", "goal met"}, rows)
}
