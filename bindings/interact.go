package bindings

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// partialLineWait is how long a received line without its newline waits
// for the rest before it is shown on a line of its own: the terminal
// redraws the typed line after each write, which would wipe a partial one.
const partialLineWait = 50 * time.Millisecond

// interact wires the user's terminal to a conn, as nc does: typed lines go
// out with "\n", received bytes are shown above the line being typed. It
// works at the prompt and in a script whose stdin is a terminal (the CLI
// sets the Terminal then). Ctrl-D half-closes the conn (the peer reads
// EOF); Ctrl-] leaves, with the conn open and every byte not yet shown
// still in its buffer; the peer ending the conn ends interact at once,
// after its last bytes. One task interacts at a time.
func (rt *Runtime) interact(L *lua.LState) int {
	c := argConn(rt, L, 1, "conn")
	if c.datagram {
		argError(L, 1, "conn", "a stream conn expected, got a %s conn (interact sends lines)", c.network)
	}
	if err := rt.flushHeld(L, c); err != nil {
		return rt.pushError(L, err, "write", "")
	}
	rt.mu.Lock()
	term, busy := rt.terminal, rt.interacting
	if term != nil && !busy {
		rt.interacting = true
	}
	rt.mu.Unlock()
	if term == nil {
		L.RaiseError("interact needs a terminal: stdin is not one (run the script from a terminal, or use interact at the prompt)")
	}
	if busy {
		L.RaiseError("interact: another task is interacting with the terminal")
	}
	defer func() {
		rt.mu.Lock()
		rt.interacting = false
		rt.mu.Unlock()
	}()
	// The conn's own deadlines do not apply while interacting: its reads
	// and writes set none.
	out := &lineWriter{w: term.Output()}
	fmt.Fprintf(out.w, "[interact with %s: Ctrl-D half-closes, Ctrl-] leaves]\n", c)
	var how string
	rctx, stopReader := context.WithCancel(context.Background())
	defer stopReader()
	leave := newLeaveSignal()
	err := rt.block(L, func() { leave.close(); stopReader(); c.dl.wake() }, func(ctx context.Context) error {
		var err error
		how, err = pump(ctx, rctx, stopReader, leave, c, term, out)
		return err
	})
	out.flush()
	if errors.Is(err, context.Canceled) {
		return rt.pushError(L, err, "interact", "")
	}
	fmt.Fprintf(out.w, "[%s]\n", how)
	if err != nil {
		return rt.pushError(L, c.opError("interact", err), "interact", "")
	}
	L.Push(lua.LTrue)
	return 1
}

// leaveSignal is closed, once, when interact must stop reading the
// keyboard: the peer ended, or the task was canceled.
type leaveSignal struct {
	ch   chan struct{}
	once sync.Once
}

func newLeaveSignal() *leaveSignal { return &leaveSignal{ch: make(chan struct{})} }

func (l *leaveSignal) close() { l.once.Do(func() { close(l.ch) }) }

// pump runs the two directions until the user leaves or the peer ends,
// and says which. The reader runs under rctx, which stopReader ends; the
// writer under the task's ctx. The reader closes leave when the peer
// ends, which makes the pending ReadLine return at once.
func pump(ctx, rctx context.Context, stopReader func(), leave *leaveSignal, c *Conn, term Terminal, out *lineWriter) (string, error) {
	received := make(chan error, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		call := ioCall{g: &c.dl.rg, side: side{s: c.nc}}
		for {
			s, err := c.rd.readIn(rctx, &call, c.rd.scanSome(defaultReadMax), defaultReadMax)
			if s != "" {
				out.Write([]byte(s))
			}
			if err != nil {
				received <- err
				leave.close() // stop reading the keyboard (a no-op when the user left)
				return
			}
		}
	}()

	how, err := "conn still open", error(nil)
	halfClosed := false
	for {
		line, rerr := term.ReadLine("", leave.ch)
		if rerr == nil {
			call := ioCall{g: &c.dl.wg, side: side{s: c.nc, write: true}}
			if _, err = c.writeIn(ctx, call, []byte(line+"\n")); err != nil {
				how = "write failed"
				break
			}
			continue
		}
		if rerr == io.EOF && !halfClosed {
			halfClosed = true
			if cw, ok := c.nc.(interface{ CloseWrite() error }); ok {
				c.tr.record(c, ">", "close_write", nil)
				cw.CloseWrite()
				fmt.Fprintln(out.w, "[sent EOF]")
			}
			continue
		}
		// Detached (Ctrl-]), or told to leave: the peer ended, or the
		// task was canceled.
		select {
		case <-leave.ch:
			if ctx.Err() != nil {
				how = "canceled"
				break
			}
			if rerr := <-received; errors.Is(rerr, io.EOF) {
				how = "closed by peer"
			} else {
				how, err = "read failed", rerr
			}
		default:
		}
		break
	}
	stopReader() // ends the reader's read; its bytes stay buffered
	c.dl.wake()
	wg.Wait()
	return how, err
}

// lineWriter passes received bytes to the terminal a line at a time, and a
// partial line after partialLineWait of quiet.
type lineWriter struct {
	w     io.Writer
	mu    sync.Mutex
	buf   []byte
	timer *time.Timer
}

func (lw *lineWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	lw.buf = append(lw.buf, p...)
	if i := bytes.LastIndexByte(lw.buf, '\n'); i >= 0 {
		lw.w.Write(lw.buf[:i+1])
		lw.buf = append(lw.buf[:0], lw.buf[i+1:]...)
	}
	if len(lw.buf) > 0 && lw.timer == nil {
		lw.timer = time.AfterFunc(partialLineWait, lw.flush)
	}
	return len(p), nil
}

// flush shows a partial line on a line of its own.
func (lw *lineWriter) flush() {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if lw.timer != nil {
		lw.timer.Stop()
		lw.timer = nil
	}
	if len(lw.buf) > 0 {
		lw.w.Write(append(lw.buf, '\n'))
		lw.buf = lw.buf[:0]
	}
}
