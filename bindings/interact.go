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

// interact wires the REPL's terminal to a conn, as nc does: typed lines go
// out with "\n", received bytes are shown above the line being typed.
// Ctrl-D half-closes the conn (the peer reads EOF); Ctrl-] leaves, with the
// conn open and every byte not yet shown still in its buffer.
func (rt *Runtime) interact(L *lua.LState) int {
	c := argConn(rt, L, 1, "conn")
	if c.datagram {
		argError(L, 1, "conn", "a stream conn expected, got a %s conn (interact sends lines)", c.network)
	}
	rt.mu.Lock()
	term := rt.terminal
	rt.mu.Unlock()
	if term == nil {
		L.RaiseError("interact needs the REPL's terminal: run gonetrepl with no script, or with -i")
	}
	// The conn's own deadlines do not apply while interacting: its reads
	// and writes set none.
	out := &lineWriter{w: term.Output()}
	fmt.Fprintf(out.w, "[interact with %s: Ctrl-D half-closes, Ctrl-] returns to the prompt]\n", c)
	var how string
	rctx, stopReader := context.WithCancel(context.Background())
	defer stopReader()
	err := rt.block(L, func() { term.Interrupt(); stopReader(); c.dl.wake() }, func(ctx context.Context) error {
		var err error
		how, err = pump(ctx, rctx, stopReader, c, term, out)
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

// pump runs the two directions until the user leaves or the peer ends,
// and says which. The reader runs under rctx, which stopReader ends; the
// writer under the task's ctx.
func pump(ctx, rctx context.Context, stopReader func(), c *Conn, term Terminal, out *lineWriter) (string, error) {
	stop := make(chan struct{})
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
				select {
				case <-stop: // we made it return: the user left
				default:
					received <- err
					term.Interrupt() // the peer ended: stop reading the keyboard
				}
				return
			}
		}
	}()

	how, err := "conn still open", error(nil)
	halfClosed := false
	for {
		line, rerr := term.ReadLine("")
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
		// Detached, or interrupted because the peer ended or Ctrl-C on
		// the REPL line.
		select {
		case rerr := <-received:
			if errors.Is(rerr, io.EOF) {
				how = "the peer closed the conn"
			} else {
				how, err = "read failed", rerr
			}
		default:
			if ctx.Err() != nil {
				how = "canceled"
			}
		}
		break
	}
	close(stop)
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
