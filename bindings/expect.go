package bindings

// c:expect(pattern [, timeout [, max]] [, opts]): read until the buffered bytes
// match a Lua pattern, as pwntools' recvregex and expect(1) do. Matching
// uses gopher-lua's own pattern engine (the one behind string.find) on the
// bytes in the conn's read buffer, with the interpreter lock released
// while it waits; no Lua value is touched until the lock is back.

import (
	"context"
	"errors"
	"os"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
	"github.com/gonetrepl/gonetrepl/third_party/gopher-lua/pm"
)

const expectDoc = "Reads until the received bytes match the Lua pattern (as string.find), then returns them up to the end of the match, followed by the pattern's captures; the bytes after the match stay buffered. A match is taken as soon as the bytes that have arrived give one, so end the pattern with something fixed (\"\\n\", \"> \"): \"%d+\" alone may match before all the digits are there. timeout (seconds, or opts.timeout) bounds this call besides the conn's own deadlines: then kind 'timeout', nothing is consumed, and tostring(err) names the pattern and shows the last bytes that arrived. opts.plain = true matches pattern as a literal string (no captures), as string.find's plain. opts.max is the same as max. More than max bytes (default 64 KiB, at most 64 MiB) without a match is kind 'too_large', and so is a pattern that backtracks too much on what arrived (over 256 matching steps per byte of max: \"(%w+)\\n\" on a long run of letters); EOF without one is 'eof'; either way the bytes stay buffered. A malformed pattern is a Lua error. Stream conns only."

// A capture is one capture of a match: a substring, or a position (from
// "()", 1-based in the returned data).
type capture struct {
	s     string
	pos   int
	isPos bool
}

// errStepBudget is patternMatch.find's error when the step budget runs out.
var errStepBudget = errors.New("expect: matching step budget used up")

// patternError is a failure of the pattern itself (malformed, or too
// complex for the input), raised as a Lua error rather than returned.
type patternError struct{ err error }

func (e *patternError) Error() string { return e.err.Error() }

// expectSteps is the matching work one expect call may do, over all the
// times it matches what has arrived, for a cap of maxLen bytes. Each
// search resumes where the last one could not have matched (pm.Stream), so
// a pattern that is linear on one search ("> ", "^HTTP/1%.%d
// (%d+)[^\n]*\n") takes a few dozen steps per byte over the whole call,
// however the bytes are split; a backtracking one ("(%w+)\n" on letters)
// takes steps quadratic in the bytes, and a peer choosing the bytes could
// otherwise hold a task (and, for buffered data, the interpreter) for
// minutes. 256 steps per byte of the cap is about 0.3 s for 64 KiB.
func expectSteps(maxLen int) int { return 256*maxLen + 1<<16 }

// A patternMatch is the search state of one expect call: the pattern,
// compiled once, and what earlier searches of the same unread bytes
// learned; and the steps taken, capped at expectSteps(maxLen).
//
// Its steps are the calling thread's work (lua.LState.Charge), as
// string.find's are: while L is set (a search of buffered bytes with the
// interpreter lock held) they are charged as they are taken, so that the
// task ticks, hands the lock on after its time slice, and stops when
// canceled; searches with the lock released (readIn) keep them in
// uncharged, charged once the lock is back.
//
// A search stops when the call's own timeout by (zero: none) passes, and
// one with the lock released when ctx (the task's, while set) ends: it may
// take the whole budget, seconds for a large max.
type patternMatch struct {
	st        *pm.Stream
	mt        pm.Meter
	L         *lua.LState
	uncharged int
	ctx       context.Context
	by        time.Time
}

// chargeEvery is how many steps a search takes between two looks at the
// clock and the task (charges, with the lock held): a quarter of a tick,
// as string.find's meter.
const chargeEvery = lua.TickEvery / 4

// errSearchStopped abandons a search whose ctx ended or whose deadline
// passed; find returns which.
var errSearchStopped = &pm.Error{Pos: pm.EOS - 1, Message: "expect: search stopped"}

// newPatternMatch compiles pattern; a malformed one is a *patternError.
func newPatternMatch(pattern string, maxLen int) (*patternMatch, error) {
	st, err := pm.NewStream(pattern)
	if err == nil {
		// Matched on no data, a pattern finds some mistakes ("%1" with no
		// capture) at once; others ("a%1") only when data comes.
		_, err = pm.Find(pattern, nil, 0, 1)
	}
	if err != nil {
		return nil, &patternError{err}
	}
	p := &patternMatch{st: st}
	p.mt = pm.Meter{Limit: expectSteps(maxLen), Capped: true, Every: chargeEvery, Check: p.check}
	return p, nil
}

// check is the Meter's report of n more steps.
func (p *patternMatch) check(n int) {
	p.uncharged += n
	if p.L != nil {
		p.charge(p.L) // a cancel raises here
	}
	if p.stopped() != nil {
		panic(errSearchStopped)
	}
}

// charge adds the steps not yet charged to L's work. The caller holds the
// interpreter lock.
func (p *patternMatch) charge(L *lua.LState) {
	n := p.uncharged
	p.uncharged = 0
	L.Charge(n)
}

// stopped returns why a search must stop, or nil.
func (p *patternMatch) stopped() error {
	if p.ctx != nil && p.ctx.Err() != nil {
		return p.ctx.Err()
	}
	if !p.by.IsZero() && !time.Now().Before(p.by) {
		return os.ErrDeadlineExceeded
	}
	return nil
}

// find finds the first match of the pattern in data, which extends the
// data of the previous call unless fresh. It returns the end of the match
// and the captures, or end -1 for none.
func (p *patternMatch) find(data []byte, fresh bool) (end int, caps []capture, err error) {
	if fresh {
		p.st.Reset()
	}
	md, err := p.st.Find(data, &p.mt)
	if err == pm.ErrBudget {
		return -1, nil, errStepBudget
	}
	if err == errSearchStopped {
		return -1, nil, p.stopped()
	}
	if err != nil {
		return -1, nil, &patternError{err}
	}
	if md == nil {
		return -1, nil, nil
	}
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
// p within the first maxLen of them, and sets *caps to its captures.
// Without a match, maxLen unread bytes or more is a TooLargeError.
func (b *bufReader) scanPattern(p *patternMatch, maxLen int, caps *[]capture) scanFunc {
	var taken uint64 // b.taken at the last search
	return func(atEOF bool) (string, bool, error) {
		data := b.unread()
		data = data[:min(len(data), maxLen)]
		// Another read between two searches (after tryBuffered, before
		// readIn) changes the unread bytes other than by growing them.
		end, found, err := p.find(data, b.taken != taken)
		taken = b.taken
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
	opts, at := cutOpts(L, 3, 5, expectOptsShape)
	pattern := argString(L, 2, "pattern")
	timeout, hasTimeout := optSeconds(L, 3, "timeout")
	maxLen := optSize(L, 4, "max", defaultReadMax, 1, defaultAllMax)
	o := argReadOpts(L, at, opts, maxLen, L.Get(4) != lua.LNil, 1, defaultAllMax)
	if o.timed && hasTimeout {
		argError(L, at, "opts.timeout", "timeout is given twice (also as argument #3)")
	}
	if hasTimeout {
		o.timeout, o.timed = timeout, true
	}
	maxLen = o.max
	if optsPlain(L, at, opts) {
		if pattern == "" {
			argError(L, 2, "pattern", "must not be empty with plain = true")
		}
		if c.datagram {
			return rt.pushError(L, c.streamOnly("expect"), "expect", "")
		}
		// A literal: read_until's search, keeping the delimiter. The cap
		// is on the bytes before it, as expect's is on those it searches.
		return rt.read(L, c, maxLen+len(pattern), c.rd.scanUntil([]byte(pattern), max(0, maxLen-len(pattern)), "data without a match", false, true),
			o.deadline(), &awaited{delim: pattern})
	}
	pat, err := newPatternMatch(pattern, maxLen)
	if err != nil {
		argError(L, 2, "pattern", "%v", err)
	}
	if c.datagram {
		return rt.pushError(L, c.streamOnly("expect"), "expect", "")
	}
	var caps []capture
	scan := c.rd.scanPattern(pat, maxLen, &caps)
	by := o.deadline()
	// The search stops at the call's own timeout; the conn's deadlines
	// (an idle timeout) bound the waits for bytes, not the work on them.
	pat.L, pat.by = L, by
	s, err, ok := c.rd.tryBuffered(scan)
	pat.L = nil
	if !ok {
		call := c.dl.readCall(c.nc, by)
		err = rt.block(L, c.poke, func(ctx context.Context) error {
			var err error
			pat.ctx = ctx
			s, err = c.rd.readIn(ctx, &call, scan, maxLen)
			pat.ctx = nil
			return err
		})
	}
	pat.charge(L)
	var perr *patternError
	if errors.As(err, &perr) {
		L.RaiseError("expect: %v", perr)
	}
	if err != nil {
		return rt.pushError(L, c.opError("read", c.timedOut(err, awaited{pattern: pattern})), "read", "")
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
