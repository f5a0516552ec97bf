// Command fairness measures whether one gonetrepl task's long step stalls the
// others (issue 23, "Fair under hostile input"), and prints a small table:
//
//	fairness [-busy SECS] [-run BLANKS] [-script bench/lua/fairness.lua] NAME=GONETREPL...
//
// For each build (NAME=path; several give side-by-side columns, e.g. a build
// before a change and after it) it runs, in one process each:
//
//  1. bench/lua/fairness.lua: an echo server (ln:serve), a ticker task, and,
//     when told, two hostile tasks at once, (a) a pure-Lua loop for -busy
//     seconds and (b) string.find(s, "[ \t]+$") on 1 MiB of blank runs. This
//     program measures echo round trips through the server before (idle) and
//     while (a) and (b) run; the script reports the ticker's longest gap, and
//     how long t:cancel() of each busy task takes to end it.
//  2. the prompt on a pseudo-terminal: it types a line running (a), then one
//     running (b), sends Ctrl-C 200 ms into each, and times until the prompt
//     is back.
//
// Round trips are 64-byte messages on one connection, one every 5 ms (or as
// soon as the previous one is back, if later), each timed from its send to its
// echo. A stall shows as one long round trip: with few samples, p99 is the
// max. (Timing from a fixed schedule instead would measure this one
// connection's queue once the server answers slower than every 5 ms.)
//
// Everything is on 127.0.0.1 and bounded: each wait has a deadline, each busy
// loop ends after -busy seconds, and a process that outlives its deadline is
// killed by its PID.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/creack/pty"
)

// The goals of issue 23, in milliseconds.
const (
	goalGap    = 50  // ticker's longest gap, echo p99
	goalCancel = 100 // t:cancel() and Ctrl-C to the busy task's end
)

const (
	rttInterval = 5 * time.Millisecond
	rttMsg      = 64
	idleFor     = 500 * time.Millisecond // idle round trips before the busy phase
	stepTimeout = 60 * time.Second       // any one wait for the program
)

func main() {
	busy := flag.Float64("busy", 3, "seconds the pure-Lua loop runs (and the bound of the prompt's busy lines)")
	run := flag.Int("run", 63, "blanks per run in the 1 MiB pattern subject (its cost grows with it)")
	reps := flag.Int("reps", 1, "repetitions per build, alternating builds; the table shows medians and min-max")
	script := flag.String("script", "bench/lua/fairness.lua", "the scenario script")
	flag.Parse()
	if flag.NArg() == 0 || *reps < 1 || *reps > 20 {
		fmt.Fprintln(os.Stderr, "usage: fairness [-busy SECS] [-run BLANKS] [-reps 1..20] [-script FILE] NAME=GONETREPL...")
		os.Exit(2)
	}
	var builds []build
	for _, a := range flag.Args() {
		name, path, ok := strings.Cut(a, "=")
		if !ok {
			name, path = "gonetrepl", a
		}
		builds = append(builds, build{name: name, path: path})
	}
	home, err := os.MkdirTemp("", "fairness-home")
	die(err)
	defer os.RemoveAll(home)

	for rep := 1; rep <= *reps; rep++ {
		for i := range builds {
			b := &builds[i]
			var m measurement
			fmt.Fprintf(os.Stderr, "%s rep %d: scenario (%s)\n", b.name, rep, b.path)
			m.res, err = runScenario(b.path, *script, home, *busy, *run)
			if err != nil {
				b.errs = append(b.errs, fmt.Sprintf("rep %d: scenario: %v", rep, err))
			}
			fmt.Fprintf(os.Stderr, "%s rep %d: Ctrl-C at the prompt\n", b.name, rep)
			m.ctrlC, err = runPrompt(b.path, home, *busy, *run)
			if err != nil {
				b.errs = append(b.errs, fmt.Sprintf("rep %d: prompt: %v", rep, err))
			}
			b.reps = append(b.reps, m)
		}
	}
	printTable(builds, *busy, *run, *reps)
}

// build is one gonetrepl binary and what each repetition measured of it.
type build struct {
	name, path string
	reps       []measurement
	errs       []string
}

// measurement is one repetition: the scenario and the prompt.
type measurement struct {
	res   scenario
	ctrlC map[string]ctrlCResult
}

// scenario is what one run of fairness.lua measured.
type scenario struct {
	idleRTT, busyRTT []time.Duration
	results          map[string]result // RESULT lines of the script
	order            []string          // their keys, in the script's order
}

type result struct{ value, note string }

// runScenario runs the script under gonetrepl and measures echo round trips
// while it runs.
func runScenario(gonetrepl, script, home string, busy float64, run int) (scenario, error) {
	res := scenario{results: map[string]result{}}
	cmd := exec.Command(gonetrepl, script, strconv.FormatFloat(busy, 'f', -1, 64), strconv.Itoa(run))
	cmd.Env = append(os.Environ(), "HOME="+home)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return res, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return res, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return res, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}()
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	next := func(prefix string) (string, error) {
		deadline := time.After(stepTimeout)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					return "", fmt.Errorf("the script ended before %q; stderr: %s", prefix, strings.TrimSpace(stderr.String()))
				}
				if rest, found := strings.CutPrefix(l, prefix); found {
					return rest, nil
				}
			case <-deadline:
				return "", fmt.Errorf("no %q within %v", prefix, stepTimeout)
			}
		}
	}

	addr, err := next("LISTEN ")
	if err != nil {
		return res, err
	}
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return res, fmt.Errorf("dial %s: %w", addr, err)
	}
	defer c.Close()

	idleStop := newStopper()
	time.AfterFunc(idleFor, idleStop.stop)
	res.idleRTT, err = roundTrips(c, idleStop)
	if err != nil {
		return res, fmt.Errorf("idle round trips: %w", err)
	}
	if _, err := io.WriteString(stdin, "go\n"); err != nil {
		return res, fmt.Errorf("cue the script: %w", err)
	}
	busyStop := newStopper()
	var busyErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		res.busyRTT, busyErr = roundTrips(c, busyStop)
	}()
	_, err = next("BUSY_DONE")
	busyStop.stop()
	wg.Wait()
	if err != nil {
		return res, err
	}
	if busyErr != nil {
		return res, fmt.Errorf("busy round trips: %w", busyErr)
	}
	c.Close()
	// The round trips a stall delayed are done: the script may go on.
	if _, err := io.WriteString(stdin, "next\n"); err != nil {
		return res, fmt.Errorf("cue the script: %w", err)
	}
	for {
		l, err := next("")
		if err != nil {
			return res, err
		}
		if l == "DONE" {
			return res, nil
		}
		if rest, ok := strings.CutPrefix(l, "RESULT "); ok {
			f := strings.SplitN(rest, " ", 3)
			if len(f) >= 2 {
				r := result{value: f[1]}
				if len(f) == 3 {
					r.note = f[2]
				}
				res.results[f[0]] = r
				res.order = append(res.order, f[0])
			}
		}
	}
}

// stopper ends roundTrips.
type stopper struct{ ch chan struct{} }

func newStopper() *stopper { return &stopper{ch: make(chan struct{})} }

func (s *stopper) stop() { close(s.ch) }

// roundTrips sends a 64-byte message every rttInterval until stop, each when
// the previous one is back (at once if that is late), and returns each round
// trip's time from its send: a stall shows as one long round trip.
func roundTrips(c net.Conn, stop *stopper) ([]time.Duration, error) {
	msg := []byte(strings.Repeat("x", rttMsg-1) + "\n")
	buf := make([]byte, rttMsg)
	var out []time.Duration
	next := time.Now()
	for k := 0; k < 1e6; k++ { // bounded: 1e6 round trips is over an hour
		if d := time.Until(next); d > 0 {
			select {
			case <-stop.ch:
				return out, nil
			case <-time.After(d):
			}
		}
		select {
		case <-stop.ch:
			return out, nil
		default:
		}
		sent := time.Now()
		next = sent.Add(rttInterval)
		c.SetDeadline(sent.Add(stepTimeout))
		if _, err := c.Write(msg); err != nil {
			return out, fmt.Errorf("write to %s: %w", c.RemoteAddr(), err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			return out, fmt.Errorf("read from %s: %w", c.RemoteAddr(), err)
		}
		out = append(out, time.Since(sent))
	}
	return out, nil
}

// ctrlCResult is one Ctrl-C at the prompt: the time from the key to the
// prompt's return, to the prompt's answer to the next line typed, and how
// the busy line ended: "canceled", "ended" (it ran to its end regardless), or
// "detached" (the prompt gave up waiting after a second and left it running).
type ctrlCResult struct {
	back, answers time.Duration
	ended         string
}

var escapes = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]|\r`)

// terminal is the prompt's side of the pty: what it has shown, without
// escapes, and how much of it expect has consumed.
type terminal struct {
	mu     sync.Mutex
	raw    strings.Builder
	pos    int
	change chan struct{}
	closed bool
}

func (t *terminal) copyFrom(r io.Reader) {
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		t.mu.Lock()
		t.raw.Write(buf[:n])
		if err != nil {
			t.closed = true
		}
		close(t.change)
		t.change = make(chan struct{})
		t.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// expect waits until the output not yet consumed matches re, and consumes up
// to the end of the match.
func (t *terminal) expect(re string) (string, error) {
	rx := regexp.MustCompile(re)
	deadline := time.After(stepTimeout)
	for {
		t.mu.Lock()
		text := escapes.ReplaceAllString(t.raw.String(), "")
		change, closed := t.change, t.closed
		if t.pos > len(text) {
			t.pos = len(text)
		}
		if m := rx.FindStringSubmatchIndex(text[t.pos:]); m != nil {
			sub := ""
			if len(m) >= 4 && m[2] >= 0 {
				sub = text[t.pos+m[2] : t.pos+m[3]]
			}
			t.pos += m[1]
			t.mu.Unlock()
			return sub, nil
		}
		rest := text[t.pos:]
		t.mu.Unlock()
		if closed {
			return "", fmt.Errorf("the prompt closed before %q; it showed %q", re, rest)
		}
		select {
		case <-change:
		case <-deadline:
			return "", fmt.Errorf("no %q within %v; it showed %q", re, stepTimeout, rest)
		}
	}
}

// runPrompt starts gonetrepl's prompt on a pty and measures Ctrl-C on a busy
// Lua loop and on the long pattern.
func runPrompt(gonetrepl, home string, busy float64, run int) (map[string]ctrlCResult, error) {
	out := map[string]ctrlCResult{}
	cmd := exec.Command(gonetrepl, "--no-color")
	cmd.Env = append(os.Environ(), "HOME="+home, "TERM=xterm", "GONETREPL_HISTORY="+home+"/history")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 200, Rows: 50})
	if err != nil {
		return out, fmt.Errorf("start on a pty: %w", err)
	}
	defer f.Close()
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	defer func() {
		f.Write([]byte("\x04")) // Ctrl-D: leave the prompt
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}()
	term := &terminal{change: make(chan struct{})}
	go term.copyFrom(f)
	if _, err := term.expect(`help\(\) lists the modules[^\n]*\n> `); err != nil {
		return out, err
	}
	send := func(s string) error { _, err := f.Write([]byte(s)); return err }
	// Lines typed at the prompt; `\\t` is a backslash and a t, not a Tab key.
	setup := fmt.Sprintf(`s = ((" "):rep(%d) .. "x"):rep(math.floor(2^20 / %d)); print("ready")`+"\r", run, run+1)
	if err := send(setup); err != nil {
		return out, err
	}
	if _, err := term.expect(`\nready\n> `); err != nil {
		return out, err
	}
	cases := []struct{ key, line string }{
		{"loop", fmt.Sprintf(`print("busy"); local x, stop = 0, time.now() + %g; for i = 1, 2^40 do x = x + i; if i %% 65536 == 0 and time.now() > stop then break end end; print("ended")`, busy)},
		{"pattern", `print("busy"); s:find("[ \\t]+$"); print("ended")`},
	}
	for i, c := range cases {
		if err := send(c.line + "\r"); err != nil {
			return out, err
		}
		if _, err := term.expect(`\nbusy\n`); err != nil {
			return out, err
		}
		time.Sleep(200 * time.Millisecond) // Ctrl-C comes 200 ms into the busy line
		start := time.Now()
		if err := send("\x03"); err != nil {
			return out, err
		}
		how, err := term.expect(`(canceled|\nended|does not stop)[^\n]*\n> `)
		if err != nil {
			return out, err
		}
		r := ctrlCResult{back: time.Since(start)}
		switch {
		case strings.Contains(how, "canceled"):
			r.ended = "canceled"
		case strings.Contains(how, "ended"):
			r.ended = "ended"
		default:
			r.ended = "detached"
		}
		// The prompt is back; is it usable? The next line runs only when the
		// busy one has let go of the interpreter.
		if err := send(fmt.Sprintf(`print("alive" .. %d)`+"\r", i)); err != nil {
			return out, err
		}
		if _, err := term.expect(fmt.Sprintf(`\nalive%d\n`, i)); err != nil {
			return out, err
		}
		r.answers = time.Since(start)
		if _, err := term.expect(`> `); err != nil {
			return out, err
		}
		out[c.key] = r
	}
	return out, nil
}

// ---- the table ----

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(p*float64(len(s))+0.5) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(s) {
		i = len(s) - 1
	}
	return s[i]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// figure is one row's value in one repetition: ok false when it was not
// measured; note qualifies it ("ran to its end").
type figure struct {
	v    float64
	ok   bool
	note string
}

// cell is a row's cell for one build: the median over its repetitions, whether
// that meets goal (when goal > 0), the min-max when there are several, and the
// notes of any repetition.
func cell(figs []figure, goal float64, unit string) string {
	var vs []float64
	notes := map[string]bool{}
	var noteList []string
	for _, f := range figs {
		if !f.ok {
			continue
		}
		vs = append(vs, f.v)
		if f.note != "" && !notes[f.note] {
			notes[f.note] = true
			noteList = append(noteList, f.note)
		}
	}
	if len(vs) == 0 {
		return "-"
	}
	sort.Float64s(vs)
	med := vs[len(vs)/2]
	if len(vs)%2 == 0 {
		med = (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2
	}
	s := fmtNum(med) + unit
	if goal > 0 {
		if med < goal {
			s += " yes"
		} else {
			s += " NO"
		}
	}
	if len(vs) > 1 {
		s += fmt.Sprintf(" [%s-%s]", fmtNum(vs[0]), fmtNum(vs[len(vs)-1]))
	}
	if len(vs) < len(figs) {
		s += fmt.Sprintf(" n=%d", len(vs))
	}
	if len(noteList) > 0 {
		s += " (" + strings.Join(noteList, "; ") + ")"
	}
	return s
}

func fmtNum(v float64) string {
	switch {
	case v == math.Trunc(v) && math.Abs(v) < 1e9:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}

func printTable(builds []build, busy float64, run, reps int) {
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("# fairness: (a) pure-Lua loop %gs + (b) find(s, \"[ \\t]+$\") on 1 MiB of %d-blank runs, one process; %s; %d CPUs, load %s\n",
		busy, run, time.Now().UTC().Format("2006-01-02T15:04Z"), runtime.NumCPU(), strings.Join(strings.Fields(string(load))[:3], " "))
	fmt.Println("# ms; goal met: yes/NO; echo: one 64-byte round trip every 5 ms (or when the last is back), from send to echo")
	if reps > 1 {
		fmt.Printf("# median of %d repetitions [min-max]\n", reps)
	}
	header := []string{"figure", "goal"}
	for _, b := range builds {
		header = append(header, b.name)
	}
	type row struct {
		name string
		goal float64
		unit string
		f    func(m *measurement) figure
	}
	rtt := func(idle bool, p float64) func(m *measurement) figure {
		return func(m *measurement) figure {
			d := m.res.busyRTT
			if idle {
				d = m.res.idleRTT
			}
			return figure{ms(percentile(d, p)), len(d) > 0, ""}
		}
	}
	fromScript := func(key string) func(m *measurement) figure {
		return func(m *measurement) figure {
			r, ok := m.res.results[key]
			v, err := strconv.ParseFloat(r.value, 64)
			f := figure{v, ok && err == nil, ""}
			if strings.Contains(r.note, "status=done") {
				f.note = "ran to its end"
			}
			return f
		}
	}
	ctrlC := func(key string, answers bool) func(m *measurement) figure {
		return func(m *measurement) figure {
			r, ok := m.ctrlC[key]
			d := r.back
			if answers {
				d = r.answers
			}
			f := figure{ms(d), ok, ""}
			switch r.ended {
			case "ended":
				f.note = "ran to its end"
			case "detached":
				f.note = "not stopped: left running"
			}
			return f
		}
	}
	count := func(idle bool) func(m *measurement) figure {
		return func(m *measurement) figure {
			if idle {
				return figure{float64(len(m.res.idleRTT)), m.res.results != nil, ""}
			}
			return figure{float64(len(m.res.busyRTT)), m.res.results != nil, ""}
		}
	}
	rows := []row{
		{"ticker longest gap, (a)+(b) running", goalGap, "", fromScript("ticker_gap_busy_ms")},
		{"echo RTT p50, (a)+(b) running", 0, "", rtt(false, 0.50)},
		{"echo RTT p99, (a)+(b) running", goalGap, "", rtt(false, 0.99)},
		{"echo RTT max, (a)+(b) running", 0, "", rtt(false, 1)},
		{"t:cancel() -> t:wait() back, (a) loop", goalCancel, "", fromScript("cancel_loop_ms")},
		{"t:cancel() -> t:wait() back, (b) pattern", goalCancel, "", fromScript("cancel_pattern_ms")},
		{"Ctrl-C -> prompt back, (a) loop", goalCancel, "", ctrlC("loop", false)},
		{"Ctrl-C -> prompt back, (b) pattern", goalCancel, "", ctrlC("pattern", false)},
		{"Ctrl-C -> next line answered, (a) loop", goalCancel, "", ctrlC("loop", true)},
		{"Ctrl-C -> next line answered, (b) pattern", goalCancel, "", ctrlC("pattern", true)},
		{"ticker longest gap, during the cancels", 0, "", fromScript("ticker_gap_cancel_ms")},
		{"ticker longest gap, idle", 0, "", fromScript("ticker_gap_idle_ms")},
		{"echo RTT p50, idle", 0, "", rtt(true, 0.50)},
		{"echo RTT p99, idle", 0, "", rtt(true, 0.99)},
		{"round trips, idle (0.5 s)", 0, "", count(true)},
		{"round trips, (a)+(b) running", 0, "", count(false)},
		{"(a) ended, after start", 0, " s", fromScript("loop_s")},
		{"(b) ended, after start", 0, " s", fromScript("pattern_s")},
	}
	var cells [][]string
	for _, r := range rows {
		line := []string{r.name, goalText(r.goal)}
		for i := range builds {
			var figs []figure
			for j := range builds[i].reps {
				figs = append(figs, r.f(&builds[i].reps[j]))
			}
			line = append(line, cell(figs, r.goal, r.unit))
		}
		cells = append(cells, line)
	}
	printCells(header, cells)

	// The long builtins, each alone: the ticker's longest gap while it ran,
	// and (a row below each) how long it ran.
	cells = nil
	seen := map[string]bool{}
	for _, b := range builds {
		for _, m := range b.reps {
			for _, key := range m.res.order {
				if !strings.HasPrefix(key, "builtin") || seen[key] {
					continue
				}
				seen[key] = true
				call := strings.ReplaceAll(noteField(m.res.results[key].note, "call"), "_", " ")
				gapLine := []string{call, goalText(goalGap)}
				ranLine := []string{"  ran for", ""}
				for i := range builds {
					var gaps, ran []figure
					for j := range builds[i].reps {
						r, ok := builds[i].reps[j].res.results[key]
						v, err := strconv.ParseFloat(r.value, 64)
						gaps = append(gaps, figure{v, ok && err == nil, ""})
						t, err := strconv.ParseFloat(noteField(r.note, "took_ms"), 64)
						ran = append(ran, figure{t, ok && err == nil, ""})
					}
					gapLine = append(gapLine, cell(gaps, goalGap, ""))
					ranLine = append(ranLine, cell(ran, 0, ""))
				}
				cells = append(cells, gapLine, ranLine)
			}
		}
	}
	if len(cells) > 0 {
		fmt.Println()
		fmt.Println("# ticker's longest gap while one long builtin runs alone (ms), and how long it ran")
		printCells(append([]string{"builtin call"}, header[1:]...), cells)
	}

	failed := false
	for _, b := range builds {
		for _, e := range b.errs {
			fmt.Printf("# %s: %s\n", b.name, e)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

func goalText(goal float64) string {
	if goal <= 0 {
		return ""
	}
	return "< " + fmtNum(goal)
}

// printCells prints a table: the first column left-aligned, the rest right.
func printCells(header []string, cells [][]string) {
	w := make([]int, len(header))
	for _, l := range append([][]string{header}, cells...) {
		for i, c := range l {
			w[i] = max(w[i], len([]rune(c)))
		}
	}
	pr := func(l []string) {
		var parts []string
		for i, c := range l {
			pad := strings.Repeat(" ", w[i]-len([]rune(c)))
			if i == 0 {
				parts = append(parts, c+pad)
			} else {
				parts = append(parts, pad+c)
			}
		}
		fmt.Println(strings.Join(parts, " | "))
	}
	pr(header)
	var dashes []string
	for _, n := range w {
		dashes = append(dashes, strings.Repeat("-", n))
	}
	fmt.Println(strings.Join(dashes, " | "))
	for _, l := range cells {
		pr(l)
	}
}

// noteField returns the value of name=value in a RESULT line's note.
func noteField(note, name string) string {
	for _, f := range strings.Fields(note) {
		if v, ok := strings.CutPrefix(f, name+"="); ok {
			return v
		}
	}
	return ""
}

func die(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "fairness:", err)
		os.Exit(1)
	}
}
