package repl

import (
	"errors"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chzyer/readline"

	"github.com/gonetrepl/gonetrepl/bindings"
)

// ctrlBracket is Ctrl-], the key that leaves interact (as in telnet).
const ctrlBracket = 0x1d

// terminal is the one way to the user's terminal. Every write — results,
// print from any task, errors of failed tasks — goes through its lock to
// readline's writers, which clear the typed line, write, and draw it again;
// so background output never garbles what is being typed, and readline
// (whose writers race with its own redraws, upstream #214/#219) sees one
// writer at a time.
type terminal struct {
	rl *readline.Instance
	mu sync.Mutex

	inReadline  atomic.Bool // a Readline call is in progress
	interacting atomic.Bool // interact is reading lines: Ctrl-] means leave
	detach      atomic.Bool // Ctrl-] was pressed (or Interrupt called)
}

// promptSettle bounds how long a write waits for readline to finish
// drawing the prompt (see termWriter.Write).
const promptSettle = 50 * time.Millisecond

// readline reads one line with the prompt p.
func (t *terminal) readline(p string) (string, error) {
	t.rl.SetPrompt(p)
	t.inReadline.Store(true)
	defer t.inReadline.Store(false)
	return t.rl.Readline()
}

// stdout and stderr are the writers the runtime's output goes to.
func (t *terminal) stdout() io.Writer { return &termWriter{t, t.rl.Stdout()} }
func (t *terminal) stderr() io.Writer { return &termWriter{t, t.rl.Stderr()} }

type termWriter struct {
	t *terminal
	w io.Writer
}

// Write writes p above the line being typed. readline draws the prompt
// before it marks itself as reading, and a write in between would land on
// the prompt's line, unwrapped; so a write waits (briefly) for readline to
// be either reading or not in Readline at all.
func (w *termWriter) Write(p []byte) (int, error) {
	w.t.mu.Lock()
	defer w.t.mu.Unlock()
	for deadline := time.Now().Add(promptSettle); w.t.inReadline.Load() && !w.t.rl.Terminal.IsReading() && time.Now().Before(deadline); {
		time.Sleep(100 * time.Microsecond)
	}
	return w.w.Write(p)
}

// filterKey is readline's hook on every key typed. Ctrl-] ends the line
// read by interact (by turning it into an interrupt that ReadLine
// recognises); at the prompt it is dropped.
func (t *terminal) filterKey(r rune) (rune, bool) {
	if r != ctrlBracket {
		return r, true
	}
	if !t.interacting.Load() {
		return r, false
	}
	t.detach.Store(true)
	return readline.CharInterrupt, true
}

// ReadLine reads one line for interact (bindings.Terminal). Ctrl-C clears
// the line being typed, as at the prompt; Ctrl-] leaves.
func (t *terminal) ReadLine(prompt string) (string, error) {
	t.interacting.Store(true)
	defer t.interacting.Store(false)
	for {
		if t.detach.Swap(false) {
			return "", bindings.ErrDetach
		}
		line, err := t.readline(prompt)
		switch {
		case errors.Is(err, readline.ErrInterrupt):
			if t.detach.Swap(false) {
				return "", bindings.ErrDetach
			}
			continue
		case err != nil:
			return "", err
		}
		return line, nil
	}
}

// Output is where interact shows received bytes.
func (t *terminal) Output() io.Writer { return t.stdout() }

// Interrupt makes a ReadLine in progress return ErrDetach: it types a
// Ctrl-] into readline's input. If no ReadLine is in progress, the next one
// returns at once; at the prompt the key is dropped.
func (t *terminal) Interrupt() {
	t.detach.Store(true)
	t.rl.WriteStdin([]byte{ctrlBracket})
}

// newlinePainter shows each newline of the line being edited as ↵: a
// recalled history entry of several lines (remember) is one line of the
// editor, and a raw newline would move the cursor where readline does not
// expect it. The line readline returns keeps its newlines. A newline at
// the end is Enter's, which readline adds before its last redraw: it
// stays a newline.
type newlinePainter struct{}

func (newlinePainter) Paint(line []rune, _ int) []rune {
	body := line
	if n := len(body); n > 0 && body[n-1] == '\n' {
		body = body[:n-1]
	}
	if !slices.Contains(body, '\n') {
		return line
	}
	out := slices.Clone(line)
	for i := range body {
		if out[i] == '\n' {
			out[i] = '↵'
		}
	}
	return out
}
