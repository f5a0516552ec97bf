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

	stdin keySource // what readline reads keys from

	inReadline  atomic.Bool // a Readline call is in progress
	interacting atomic.Bool // interact is reading lines: Ctrl-] means leave
	detach      atomic.Bool // Ctrl-] was pressed in interact
	leaving     atomic.Bool // interact was told to leave: a wake ends its line
}

// newTerminal starts readline with cfg, reading keys from stdin through a
// keySource and filtering them with filterKey.
func newTerminal(stdin io.Reader, cfg *readline.Config) (*terminal, error) {
	t := &terminal{stdin: newKeySource(stdin)}
	cfg.Stdin = t.stdin
	cfg.InterruptPrompt = "^C"
	cfg.FuncFilterInputRune = t.filterKey
	rl, err := readline.NewEx(cfg)
	if err != nil {
		t.stdin.Close()
		return nil, err
	}
	t.rl = rl
	return t, nil
}

// close stops readline. readline's Close waits for its reader, which may
// sit in a read of stdin that nothing ends (v1.5.1 closes only its own
// pipe): so stdin, the terminal's own reader, is closed first.
func (t *terminal) close() {
	t.stdin.Close()
	t.rl.Close()
}

// promptSettle bounds how long a write waits for readline to finish
// drawing the prompt (see termWriter.Write).
const promptSettle = 50 * time.Millisecond

// readline reads one line with the prompt p.
func (t *terminal) readline(p string) (string, error) {
	t.rl.SetPrompt(p)
	t.inReadline.Store(true)
	t.stdin.setActive(true)
	defer func() {
		t.stdin.setActive(false)
		t.inReadline.Store(false)
	}()
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

// wakeKey is the key wakeableStdin gives readline when interact must stop
// reading the keyboard (a private-use character no keyboard sends): a
// Readline can only end on a key. filterKey turns it into an interrupt
// while a ReadLine is leaving, and drops it otherwise, so a wake that
// arrives late ends nothing.
const wakeKey = '\ue000'

// filterKey is readline's hook on every key typed; it runs on readline's
// key goroutine, before readline acts on the key. Ctrl-] ends the line
// read by interact (by turning it into an interrupt that ReadLine
// recognises), echoed as ^]; at the prompt it is dropped. Ctrl-C is
// echoed as ^C. A wake ends the line read by interact without an echo,
// clearing what was typed (it was not sent).
func (t *terminal) filterKey(r rune) (rune, bool) {
	switch {
	case r == ctrlBracket && t.interacting.Load():
		t.detach.Store(true)
		t.setInterruptEcho("^]", false)
		return readline.CharInterrupt, true
	case r == wakeKey && t.interacting.Load() && t.leaving.Load():
		t.setInterruptEcho("", true)
		return readline.CharInterrupt, true
	case r == ctrlBracket, r == wakeKey:
		return r, false
	default:
		t.setInterruptEcho("^C", false) // undo a wake's, before Enter reads it
	}
	return r, true
}

// setInterruptEcho sets what readline shows for the interrupt it is about
// to act on: the echo after the typed line, or (clear) the typed line
// wiped. readline reads its config on the goroutine that runs filterKey
// (and, elsewhere, only before it starts reading keys), so the fields are
// written only there, and only when they change.
func (t *terminal) setInterruptEcho(echo string, clear bool) {
	if cfg := t.rl.Config; cfg.InterruptPrompt != echo || cfg.UniqueEditLine != clear {
		cfg.InterruptPrompt, cfg.UniqueEditLine = echo, clear
	}
}

// ReadLine reads one line for interact (bindings.Terminal). Ctrl-C clears
// the line being typed, as at the prompt; Ctrl-] leaves, and so does
// closing leave: it wakes the read in progress. Nothing is left behind for
// the next call: the flags are cleared, and a wake not yet taken is taken
// back.
func (t *terminal) ReadLine(prompt string, leave <-chan struct{}) (string, error) {
	t.detach.Store(false)
	t.leaving.Store(false)
	t.interacting.Store(true)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-leave:
			t.leaving.Store(true)
			t.stdin.wake()
		case <-stop:
		}
	}()
	defer func() {
		close(stop)
		wg.Wait()
		t.interacting.Store(false)
		t.stdin.unwake()
		t.leaving.Store(false)
		t.detach.Store(false)
	}()
	for {
		select {
		case <-leave:
			return "", bindings.ErrDetach
		default:
		}
		line, err := t.readline(prompt)
		switch {
		case errors.Is(err, readline.ErrInterrupt):
			if t.detach.Swap(false) || t.leaving.Load() {
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
