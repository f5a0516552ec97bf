package bindings

// The message of a read that timed out: what it waited for and what had
// arrived, so that a script stuck on the wrong prompt says so at once:
//
//	read tcp 127.0.0.1:41234->127.0.0.1:9000: timeout waiting for "Password: " (got 17 bytes: "Username: admin\r\n")

import (
	"errors"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/gonetrepl/gonetrepl/internal/textesc"
)

// waitShown is how many bytes of what arrived a timeout's message shows
// (the last ones: the nearest to what was awaited), and of a delimiter or
// pattern.
const waitShown = 64

// awaited says what a read waits for. It is built on every read and
// described only when one times out, so it holds plain values: no
// allocation on the way of a read that succeeds.
type awaited struct {
	desc    string   // "data", "a line", "EOF", "a frame"
	n       int      // read_full: the bytes wanted
	delim   string   // a literal awaited (read_until, expect's plain)
	delims  []string // read_until's list: any of them
	pattern string   // expect: a Lua pattern
}

// String describes what was awaited: `"Password: "`, `"$ " or "# "`,
// `a match of "^HTTP"`, `100 bytes`, `a line`.
func (a awaited) String() string {
	switch {
	case a.pattern != "":
		return "a match of " + quoteShown(a.pattern)
	case a.delim != "":
		return quoteShown(a.delim)
	case len(a.delims) > 0:
		var b strings.Builder
		for i, d := range a.delims {
			switch {
			case i == 0:
			case i == len(a.delims)-1:
				b.WriteString(" or ")
			default:
				b.WriteString(", ")
			}
			b.WriteString(quoteShown(d))
		}
		return b.String()
	case a.n > 0:
		return strconv.Itoa(a.n) + " bytes"
	}
	return a.desc
}

// quoteShown quotes s escaped, at most its first waitShown bytes.
func quoteShown(s string) string {
	if len(s) > waitShown {
		return textesc.Quote(s[:waitShown]) + "…"
	}
	return textesc.Quote(s)
}

// waitTimeout is a read's timeout, with what it waited for and what had
// arrived. It unwraps to the timeout itself (kind timeout).
type waitTimeout struct {
	what string // awaited.String()
	got  int    // the bytes that had arrived, unread
	tail string // the last of them, at most waitShown
	err  error
}

func (e *waitTimeout) Error() string {
	var b strings.Builder
	b.WriteString("timeout waiting for ")
	b.WriteString(e.what)
	b.WriteString(" (got ")
	b.WriteString(strconv.Itoa(e.got))
	if e.got == 1 {
		b.WriteString(" byte")
	} else {
		b.WriteString(" bytes")
	}
	switch {
	case e.got == 0:
	case e.got > len(e.tail):
		b.WriteString(", the last " + strconv.Itoa(len(e.tail)) + ": " + textesc.Quote(e.tail))
	default:
		b.WriteString(": " + textesc.Quote(e.tail))
	}
	b.WriteString(")")
	return b.String()
}

func (e *waitTimeout) Unwrap() error { return e.err }
func (e *waitTimeout) Timeout() bool { return true }

// timedOut returns err described by what a was, if err is a timeout: the
// conn's op error around a waitTimeout that says what was awaited and
// shows what is buffered. Other errors come back as they are.
func (c *Conn) timedOut(err error, a awaited) error {
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		return err
	}
	var wt *waitTimeout
	if errors.As(err, &wt) {
		return err
	}
	cause := err
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		cause = opErr.Err
	}
	got, tail := c.rd.tail(waitShown)
	return c.opError("read", &waitTimeout{what: a.String(), got: got, tail: tail, err: cause})
}
