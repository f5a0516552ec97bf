package main

import (
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// A results block is what run.sh prints at the end of a run and what
// BENCHMARKS.md keeps: the header lines ("# bench/run.sh STAMP ...", "# reps=..."),
// the medians table and the spread table that report prints, and the start-up
// table. parseResults reads it back, so that a run can be compared with the
// committed one (see check.go) from the text alone.

// startupRuns is the repetition count assumed for a start-up row: run.sh gives
// hyperfine --min-runs 30, and the table does not say how many it made. Taking
// the lower bound overstates the median's error, so it errs towards silence.
const startupRuns = 30

// startupColumn is the title a start-up row's figure goes under.
const startupColumn = "start-up"

// column is one measure of the medians table ("throughput" with unit "MB/s").
type column struct {
	title, unit  string
	higherBetter bool
	noSpread     bool // the spread table has no such column (VmHWM: one value a run)
}

// resultCell is one server's figure for one column: its median (ok when there
// is one) and, from the spread table, its min-max over n repetitions.
type resultCell struct {
	median float64
	ok     bool
	text   string // the medians cell as printed ("n/a", "FAIL 1/1 (fd-limit)", "1124 (0.92)")
	lo, hi float64
	n      int // repetitions behind lo-hi; 0 when the spread table has none
}

// results is one parsed results block.
type results struct {
	stamp   string            // the run's UTC time, from "# bench/run.sh STAMP"
	params  map[string]string // "# reps=5 tp=512M ... conns='1000 5000'" as key -> value
	base    string            // the ratios' baseline server ("goraw")
	servers []string          // the medians table's rows, in order
	cols    []column          // its columns, in order
	cells   map[string]map[string]*resultCell

	startupBase  string   // the start-up table's first row, its baseline
	startupRows  []string // its rows, commands with their directory removed
	startupCells map[string]*resultCell
}

func (r *results) cell(server, col string) *resultCell {
	if r.cells[server] == nil {
		return nil
	}
	return r.cells[server][col]
}

func (r *results) hasColumn(title string) bool {
	for _, c := range r.cols {
		if c.title == title {
			return true
		}
	}
	return false
}

func (r *results) hasServer(s string) bool {
	for _, x := range r.servers {
		if x == s {
			return true
		}
	}
	return false
}

const mediansLead = "Medians; (x.xx) = ratio to "

// readResults parses the last results block of the file at path.
func readResults(path string) (*results, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r, err := parseResults(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

var paramRE = regexp.MustCompile(`(\w+)=('[^']*'|\S+)`)

// parseResults parses the LAST results block in text: the one a document that
// keeps several (an old run quoted before the current one) means as current.
func parseResults(text string) (*results, error) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	at := -1
	for i, l := range lines {
		if strings.HasPrefix(l, mediansLead) {
			at = i
		}
	}
	if at < 0 {
		return nil, fmt.Errorf("no results block (a line starting %q)", mediansLead)
	}
	r := &results{
		params:       map[string]string{},
		cells:        map[string]map[string]*resultCell{},
		startupCells: map[string]*resultCell{},
	}
	r.base, _, _ = strings.Cut(strings.TrimPrefix(lines[at], mediansLead), "'s median")
	// The header lines above it, up to the code fence or the start of the text.
	for i := at - 1; i >= 0 && !strings.HasPrefix(lines[i], "```"); i-- {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "# bench/run.sh "):
			if f := strings.Fields(l); len(f) >= 3 {
				r.stamp = f[2]
			}
		case strings.HasPrefix(l, "# reps="):
			for _, m := range paramRE.FindAllStringSubmatch(l, -1) {
				r.params[m[1]] = strings.Trim(m[2], "'")
			}
		}
	}
	// The block ends at a closing fence or the end of the text.
	end := len(lines)
	for i := at + 1; i < len(lines); i++ {
		if strings.HasPrefix(lines[i], "```") {
			end = i
			break
		}
	}
	lines = lines[:end]

	header, rows, next := readTable(lines, at+1)
	if len(header) < 2 || len(rows) == 0 {
		return nil, fmt.Errorf("results block at line %d: no medians table", at+1)
	}
	for _, h := range header[1:] {
		title, unit := h, ""
		if i := strings.LastIndexByte(h, ' '); i > 0 {
			title, unit = h[:i], h[i+1:]
		}
		r.cols = append(r.cols, column{title: title, unit: unit, higherBetter: strings.HasPrefix(title, "throughput")})
	}
	for _, row := range rows {
		s := row[0]
		r.servers = append(r.servers, s)
		r.cells[s] = map[string]*resultCell{}
		for j, c := range r.cols {
			if j+1 < len(row) {
				r.cells[s][c.title] = parseMedianCell(row[j+1])
			}
		}
	}

	for i := next; i < len(lines); i++ {
		switch {
		case strings.HasPrefix(lines[i], "Spread: "):
			h, rows, n := readTable(lines, i+1)
			for k := range r.cols {
				r.cols[k].noSpread = !slices.Contains(h[min(1, len(h)):], r.cols[k].title)
			}
			for _, row := range rows {
				for j := 1; j < len(row) && j < len(h); j++ {
					if c := r.cell(row[0], h[j]); c != nil {
						c.lo, c.hi, c.n = parseSpread(row[j])
					}
				}
			}
			i = n - 1
		case strings.HasPrefix(lines[i], "start-up (hyperfine"):
			for j := i + 1; j < len(lines) && strings.Contains(lines[j], " | "); j++ {
				f := strings.Split(lines[j], " | ")
				if len(f) < 4 {
					continue
				}
				k := len(f)
				cmd := startupName(strings.TrimSpace(strings.Join(f[:k-3], " | ")))
				c := parseMedianCell(strings.TrimSpace(f[k-3]))
				c.lo, c.hi, _ = parseSpread(strings.TrimSpace(f[k-1]) + " n=0")
				c.n = startupRuns
				if r.startupBase == "" {
					r.startupBase = cmd
				}
				r.startupRows = append(r.startupRows, cmd)
				r.startupCells[cmd] = c
				i = j
			}
		}
	}
	return r, nil
}

// readTable reads a table as printTable writes it, from the first non-blank
// line at or after i: the header, the dashes, then rows up to a line without
// " | ". It returns the cells trimmed and the index after the table.
func readTable(lines []string, i int) (header []string, rows [][]string, next int) {
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	split := func(l string) []string {
		f := strings.Split(l, " | ")
		for k := range f {
			f[k] = strings.TrimSpace(f[k])
		}
		return f
	}
	if i >= len(lines) || !strings.Contains(lines[i], " | ") {
		return nil, nil, i
	}
	header = split(lines[i])
	i++
	if i < len(lines) && strings.HasPrefix(lines[i], "---") {
		i++
	}
	for ; i < len(lines) && strings.Contains(lines[i], " | "); i++ {
		rows = append(rows, split(lines[i]))
	}
	return header, rows, i
}

// parseMedianCell reads "1124 (0.92)", "217.2 (0.18) [4/5 fail]" or a cell
// without a figure ("n/a", "-", "no time", "FAIL 1/1 (fd-limit)").
func parseMedianCell(s string) *resultCell {
	c := &resultCell{text: s}
	if f := strings.Fields(s); len(f) > 0 {
		if x, err := strconv.ParseFloat(f[0], 64); err == nil && !math.IsNaN(x) && !math.IsInf(x, 0) {
			c.median, c.ok = x, true
		}
	}
	return c
}

// parseSpread reads "LO-HI n=N" (fmtNum's numbers, "1.2e-05" included); it
// returns n = 0 when s is not such a cell.
func parseSpread(s string) (lo, hi float64, n int) {
	f := strings.Fields(s)
	if len(f) != 2 || !strings.HasPrefix(f[1], "n=") {
		return 0, 0, 0
	}
	n, err := strconv.Atoi(strings.TrimPrefix(f[1], "n="))
	if err != nil {
		return 0, 0, 0
	}
	rng := f[0]
	for i := 1; i < len(rng); i++ {
		if rng[i] == '-' && rng[i-1] != 'e' && rng[i-1] != 'E' {
			a, err1 := strconv.ParseFloat(rng[:i], 64)
			b, err2 := strconv.ParseFloat(rng[i+1:], 64)
			if err1 == nil && err2 == nil {
				return a, b, n
			}
			break
		}
	}
	return 0, 0, 0
}

// startupName removes the directory from a start-up row's program
// ("/tmp/gonetrepl-bench/bin/goraw noop" -> "goraw noop"): two runs build
// their helpers in different folders. The program that runs
// bench/lua/noop.lua is gonetrepl whatever its file is called ($GONETREPL
// may name any build).
func startupName(cmd string) string {
	prog, rest, _ := strings.Cut(cmd, " ")
	if i := strings.LastIndexByte(prog, '/'); i >= 0 {
		prog = prog[i+1:]
	}
	if strings.TrimSpace(rest) == "bench/lua/noop.lua" {
		prog = "gonetrepl"
	}
	return strings.TrimSpace(prog + " " + rest)
}
