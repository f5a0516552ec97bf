// Package repl is gonetrepl's prompt: a readline loop that runs each line
// as a task on a bindings.Runtime, prints its values, and stays live while
// the tasks the user started keep serving in the background.
package repl

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/chzyer/readline"
	"github.com/fatih/color"
	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"

	"github.com/gonetrepl/gonetrepl/bindings"
	"github.com/gonetrepl/gonetrepl/internal/textesc"
)

// Prompts: the first line of a chunk, and the lines that continue it.
const (
	promptFirst    = "> "
	promptContinue = ">> "
)

// cancelWait is how long the prompt waits, after Ctrl-C, for the canceled
// line to end. A line that still runs after it (a Go call that ignores
// cancellation) is left running as a background task.
const cancelWait = time.Second

// Config is what the REPL runs on.
type Config struct {
	Runtime *bindings.Runtime
	Banner  string    // one line shown at start
	Stdin   io.Reader // os.Stdin, or another source of lines
	Stdout  io.Writer
	Stderr  io.Writer
}

// Run reads, runs and prints lines until Ctrl-D on an empty line,
// SIGTERM or SIGHUP, then closes every socket. It returns the exit status:
// 0, or 128+signal for SIGTERM and SIGHUP.
func Run(cfg Config) int {
	rt := cfg.Runtime
	histPath := ""
	if typedAtATerminal(cfg.Stdin) {
		histPath = historyPath()
	}
	hist, past, herr := openHistory(histPath)
	defer hist.close()

	term, err := newTerminal(cfg.Stdin, &readline.Config{
		Prompt:                 prompt(promptFirst),
		AutoComplete:           completer{rt},
		DisableAutoSaveHistory: true,
		HistoryLimit:           historyKeep,
		HistorySearchFold:      true,
		Stdout:                 cfg.Stdout,
		Stderr:                 cfg.Stderr,
		Painter:                newlinePainter{},
	})
	if err != nil {
		fmt.Fprintf(cfg.Stderr, "gonetrepl: cannot start the prompt: %v\n", err)
		return 1
	}
	defer term.close()
	rl, stdin := term.rl, term.stdin
	for _, e := range past {
		rl.SaveHistory(e)
	}
	out, errOut := term.stdout(), term.stderr()
	rt.SetOutput(out, errOut)
	rt.SetTerminal(term)
	defer rt.SetTerminal(nil)

	if typedAtATerminal(cfg.Stdin) {
		// Piped lines are a script: its output is what it prints.
		fmt.Fprintln(out, cfg.Banner)
	}
	if herr != nil {
		fmt.Fprintf(errOut, "gonetrepl: history not kept: %v\n", herr)
	}

	r := &session{rt: rt, rl: rl, term: term, out: out, errOut: errOut, hist: hist,
		interrupts: make(chan struct{}, 1), quit: make(chan struct{})}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	watchDone := make(chan struct{})
	defer close(watchDone)
	go r.watch(sigs, watchDone, stdin)
	code := r.loop()
	rt.Close()
	return code
}

// typedAtATerminal reports whether lines come from a terminal, that is
// from a person typing. Only their lines are kept in the history file:
// piped input (echo 'x=1' | gonetrepl) is a script, and a test or a
// pipeline must not write into the user's home directory.
func typedAtATerminal(stdin io.Reader) bool {
	f, ok := stdin.(*os.File)
	return ok && readline.IsTerminal(int(f.Fd()))
}

// watch turns what arrives from outside the prompt into the session's
// events: SIGINT (Ctrl-C while a line runs: raw mode makes it a key while
// a line is typed) cancels the running line; SIGTERM, SIGHUP, and os.exit from any
// task, end the session at once, even at the prompt: closing stdin makes
// the pending Readline return.
func (r *session) watch(sigs <-chan os.Signal, done <-chan struct{}, stdin io.Closer) {
	for {
		select {
		case <-done:
			return
		case sig := <-sigs:
			if sig == syscall.SIGINT {
				if t := r.foreground.Load(); t != nil {
					t.Cancel()
					select {
					case r.interrupts <- struct{}{}:
					default:
					}
				}
				continue
			}
			code := 128 + int(syscall.SIGTERM)
			if s, ok := sig.(syscall.Signal); ok {
				code = 128 + int(s) // SIGHUP: the terminal went away
			}
			r.stop(code, stdin)
			return
		case code := <-r.rt.ExitRequested():
			r.stop(code, stdin)
			return
		}
	}
}

// stop ends the session with an exit status.
func (r *session) stop(code int, stdin io.Closer) {
	r.quitCode = code
	close(r.quit)
	stdin.Close()
}

// stopped reports whether the session was ended from outside, and with
// what status.
func (r *session) stopped() (int, bool) {
	select {
	case <-r.quit:
		return r.quitCode, true
	default:
		return 0, false
	}
}

// session is one run of the prompt.
type session struct {
	rt          *bindings.Runtime
	rl          *readline.Instance
	term        *terminal
	out, errOut io.Writer
	hist        *history
	lines       int // chunks run, for task names

	foreground atomic.Pointer[bindings.Task] // the line running, if any
	interrupts chan struct{}                 // the running line was canceled by Ctrl-C
	quit       chan struct{}                 // closed when SIGTERM or os.exit ends the session
	quitCode   int                           // set before quit is closed
}

func prompt(p string) string { return color.New(color.FgBlue, color.Bold).Sprint(p) }

// loop is the read-eval-print loop; it returns the exit status.
func (r *session) loop() int {
	for {
		src, err := r.readChunk()
		if code, ok := r.stopped(); ok {
			return code
		}
		switch {
		case errors.Is(err, io.EOF):
			return 0
		case err != nil:
			continue // Ctrl-C: the line is dropped
		}
		if code, stop := r.eval(src); stop {
			return code
		}
	}
}

// readChunk reads lines until they make a complete chunk, and returns its
// compiled form's source. A syntax error is printed, and the chunk dropped.
func (r *session) readChunk() (*chunk, error) {
	var lines []string
	p := prompt(promptFirst)
	for {
		line, err := r.term.readline(p)
		if errors.Is(err, readline.ErrInterrupt) {
			return nil, err
		}
		if err != nil { // io.EOF: Ctrl-D on an empty line, or stdin ended
			if len(lines) > 0 {
				fmt.Fprintln(r.out)
			}
			return nil, io.EOF
		}
		if len(lines) == 0 && strings.TrimSpace(line) == "" {
			continue
		}
		lines = append(lines, line)
		c, err := compile(r.rt, lines)
		var syn *bindings.SyntaxError
		if errors.As(err, &syn) && syn.Incomplete {
			p = prompt(promptContinue)
			continue
		}
		r.remember(lines)
		if err != nil {
			fmt.Fprintln(r.errOut, colError.Sprint(textesc.Lines(err.Error())))
			return nil, err
		}
		return c, nil
	}
}

// remember stores the chunk as one history entry: a multi-line chunk
// joined with spaces when that still compiles to the same thing (no
// comment or long string spans its lines), else with its newlines, which
// the prompt shows as ↵ when the entry is recalled (newlinePainter) and
// the history file keeps encoded (encodeEntry).
func (r *session) remember(lines []string) {
	sep := "\n"
	if joinable(lines) {
		sep = " "
	}
	e := strings.Join(lines, sep)
	r.rl.SaveHistory(e)
	r.hist.add(e)
}

// eval runs a chunk as a task, waits for it while the other tasks go on,
// and shows its values or its error. Ctrl-C cancels it.
func (r *session) eval(c *chunk) (code int, stop bool) {
	r.lines++
	t := r.rt.Eval(fmt.Sprintf("line %d", r.lines), c.fn, func(L *lua.LState, values []lua.LValue) {
		if len(values) == 0 || !c.expression && allNil(values) {
			return
		}
		io.WriteString(r.out, show(L, values)+"\n")
	})
	select {
	case <-r.interrupts: // a Ctrl-C that came as the last line ended
	default:
	}
	r.foreground.Store(t)
	defer r.foreground.Store(nil)
	var canceledAt <-chan time.Time
	for {
		select {
		case <-t.Done():
			r.report(t)
			return 0, false
		case <-r.quit:
			return r.quitCode, true
		case <-r.interrupts:
			canceledAt = time.After(cancelWait)
		case <-canceledAt:
			fmt.Fprintln(r.errOut, colError.Sprintf("line %d does not stop; it goes on as task %d", r.lines, t.ID))
			return 0, false
		}
	}
}

func allNil(values []lua.LValue) bool {
	for _, v := range values {
		if v != lua.LNil {
			return false
		}
	}
	return true
}

// report prints how a line failed, in red; a canceled line says so
// briefly. The error and its traceback come escaped for the terminal
// (textesc.Lines, in bindings), as a failed task's report does.
func (r *session) report(t *bindings.Task) {
	switch t.Status() {
	case "failed":
		fmt.Fprintln(r.errOut, colError.Sprint(t.Err()))
		if tr := lineTrace(t.Trace()); tr != "" {
			fmt.Fprintln(r.errOut, colDim.Sprint(tr))
		}
	case "canceled":
		// On its own line: the terminal has echoed "^C" where the cursor was.
		fmt.Fprintln(r.errOut, "\n"+colError.Sprint("canceled"))
	}
}

// lineTrace trims a line's traceback to what the user wrote: the frames of
// the REPL's own wrapper go, and a traceback with no Lua function but the
// line itself (whose position the message already gives) goes entirely.
func lineTrace(trace string) string {
	lines := strings.Split(strings.TrimSpace(trace), "\n")
	for len(lines) > 0 {
		last := strings.TrimSpace(lines[len(lines)-1])
		if last != "[G]: ?" {
			break
		}
		lines = lines[:len(lines)-1]
	}
	deeper := false
	for _, l := range lines[min(1, len(lines)):] {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, "[G]:") && !strings.HasSuffix(l, ": in main chunk") {
			deeper = true
		}
	}
	if !deeper {
		return ""
	}
	return strings.Join(lines, "\n")
}
