package bindings

// c:expect(pattern [, timeout [, max]]): read until the buffered bytes
// match a Lua pattern, as pwntools' recvregex and expect(1) do. Matching
// uses gopher-lua's own pattern engine (the one behind string.find) on the
// bytes in the conn's read buffer, with the interpreter lock released
// while it waits; no Lua value is touched until the lock is back.

import (
	"context"
	"errors"
	"time"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/pm"
)

const expectDoc = "Reads until the received bytes match the Lua pattern (as string.find), then returns them up to the end of the match, followed by the pattern's captures; the bytes after the match stay buffered. A match is taken as soon as the bytes that have arrived give one, so end the pattern with something fixed (\"\\n\", \"> \"): \"%d+\" alone may match before all the digits are there. timeout (seconds) bounds this call besides the conn's own deadlines: then kind 'timeout', and nothing is consumed. More than max bytes (default 64 KiB, at most 64 MiB) without a match is kind 'too_large', and so is a pattern that backtracks too much on what arrived (over 256 matching steps per byte of max: \"(%w+)\\n\" on a long run of letters); EOF without one is 'eof'; either way the bytes stay buffered. A malformed pattern is a Lua error. Stream conns only."

// A capture is one capture of a match: a substring, or a position (from
// "()", 1-based in the returned data).
type capture struct {
	s     string
	pos   int
	isPos bool
}

// errStepBudget is matchPattern's error when the step budget runs out.
var errStepBudget = errors.New("expect: matching step budget used up")

// patternError is a failure of the pattern itself (malformed, or too
// complex for the input), raised as a Lua error rather than returned.
type patternError struct{ err error }

func (e *patternError) Error() string { return e.err.Error() }

// expectSteps is the matching work one expect call may do, over all the
// times it matches what has arrived, for a cap of maxLen bytes. A pattern
// that fails fast at each position ("> ", "^HTTP/1%.%d (%d+)[^\n]*\n")
// takes a few steps per byte per match; a backtracking one ("(%w+)\n" on
// letters) takes steps quadratic in the bytes, and a peer choosing the
// bytes could otherwise hold a task (and, for buffered data, the
// interpreter) for minutes. 256 steps per byte of the cap is about 0.3 s
// for 64 KiB.
func expectSteps(maxLen int) int { return 256*maxLen + 1<<16 }

// matchPattern finds the first match of pattern in data. It returns the
// end of the match and the captures, or end -1 for none. budget, if not
// nil, is the matching steps left, used up by this call (errStepBudget
// when they run out).
func matchPattern(pattern string, data []byte, budget *int) (end int, caps []capture, err error) {
	mds, err := pm.FindBudget(pattern, data, 0, 1, budget)
	if err == pm.ErrBudget {
		return -1, nil, errStepBudget
	}
	if err != nil {
		return -1, nil, &patternError{err}
	}
	if len(mds) == 0 {
		return -1, nil, nil
	}
	md := mds[0]
	for i := 2; i+1 < md.CaptureLength(); i += 2 {
		if md.IsPosCapture(i) {
			caps = append(caps, capture{pos: md.Capture(i), isPos: true})
		} else {
			caps = append(caps, capture{s: string(data[md.Capture(i):md.Capture(i+1)])})
		}
	}
	return md.Capture(1), caps, nil
}

// scanPattern returns the unread bytes up to the end of the first match of
// pattern within the first maxLen of them, and sets *caps to its captures.
// Without a match, maxLen unread bytes or more is a TooLargeError.
func (b *bufReader) scanPattern(pattern string, maxLen int, caps *[]capture) scanFunc {
	budget := expectSteps(maxLen)
	return func(atEOF bool) (string, bool, error) {
		data := b.unread()
		data = data[:min(len(data), maxLen)]
		end, found, err := matchPattern(pattern, data, &budget)
		if err == errStepBudget {
			return "", false, &TooLargeError{What: "expect", Limit: len(data), Steps: expectSteps(maxLen)}
		}
		if err != nil {
			return "", false, err
		}
		if end >= 0 {
			*caps = found
			return b.take(end, 0), true, nil
		}
		if len(data) >= maxLen {
			return "", false, &TooLargeError{What: "data without a match", Limit: maxLen}
		}
		return "", false, nil
	}
}

func (rt *Runtime) connExpect(L *lua.LState) int {
	c := rt.checkConn(L)
	pattern := argString(L, 2, "pattern")
	timeout, hasTimeout := optSeconds(L, 3, "timeout")
	maxLen := optSize(L, 4, "max", defaultReadMax, 1, defaultAllMax)
	if _, _, err := matchPattern(pattern, nil, nil); err != nil {
		argError(L, 2, "pattern", "%v", err)
	}
	if c.datagram {
		return rt.pushError(L, c.streamOnly("expect"), "expect", "")
	}
	var caps []capture
	scan := c.rd.scanPattern(pattern, maxLen, &caps)
	s, err, ok := c.rd.tryBuffered(scan)
	if !ok {
		var by time.Time
		if hasTimeout {
			by = time.Now().Add(timeout)
		}
		call := c.dl.readCall(c.nc, by)
		err = rt.block(L, c.poke, func(ctx context.Context) error {
			var err error
			s, err = c.rd.readIn(ctx, &call, scan, maxLen)
			return err
		})
	}
	var perr *patternError
	if errors.As(err, &perr) {
		L.RaiseError("expect: %v", perr)
	}
	if err != nil {
		return rt.pushError(L, c.opError("read", err), "read", "")
	}
	L.Push(lua.LString(s))
	for _, cp := range caps {
		if cp.isPos {
			L.Push(lua.LNumber(cp.pos))
		} else {
			L.Push(lua.LString(cp.s))
		}
	}
	return 1 + len(caps)
}
