package bindings

// The options table every read method takes last: {timeout = secs, max =
// n}, plus keep (read_until) and plain (expect). The positional forms
// (c:read(max), c:expect(pattern, timeout, max)) keep working; a trailing
// table is taken off the arguments first, so the positional ones read as
// before.

import (
	"math"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// readOptsShape lists the options every read method takes, for the type
// stubs and docs/API.md.
var readOptsShape = shape{class: "gonetrepl.read_opts", opts: true, code: "argReadOpts,optsTimeout",
	doc: "The options of the read methods (read, read_line, read_full, read_until, read_all, expect, lines, send_after, send_line_after).",
	fields: []field{
		{"timeout", "number", "seconds this call may wait in all (for lines, each line), besides the conn's own deadlines; on timeout nothing is consumed and err names what was awaited and what arrived; 0: only what is buffered"},
		{"max", "integer", "the most bytes the call returns (the method's own cap: read, read_line, read_until 64 KiB, read_all 64 MiB); read_full: the largest n accepted; the same as the positional max, which it may replace"},
	}}

// readUntilOptsShape adds keep to the read options, for read_until.
var readUntilOptsShape = shape{class: "gonetrepl.read_until_opts", parent: "gonetrepl.read_opts", opts: true, code: "argReadOpts,optsTimeout,optsKeep",
	doc: "The options of c:read_until.",
	fields: []field{
		{"keep", "boolean", "true: the delimiter stays at the end of the data (default false: consumed, not returned)"},
	}}

// expectOptsShape adds plain to the read options, for expect.
var expectOptsShape = shape{class: "gonetrepl.expect_opts", parent: "gonetrepl.read_opts", opts: true, code: "argReadOpts,optsTimeout,optsPlain",
	doc: "The options of c:expect.",
	fields: []field{
		{"plain", "boolean", "true: pattern is a literal string, not a Lua pattern (as string.find's plain)"},
	}}

// readFrameOptsShape adds timeout to the frame options, for read_frame.
var readFrameOptsShape = shape{class: "gonetrepl.read_frame_opts", parent: "gonetrepl.frame_opts", opts: true, code: "argFrameOpts,optsTimeout",
	doc: "The options of c:read_frame: the frame's, and the call's timeout.",
	fields: []field{
		{"timeout", "number", "seconds this call may wait in all, besides the conn's own deadlines; on timeout nothing is consumed"},
	}}

// readOpts are a read call's options, positional or from its table.
type readOpts struct {
	timeout     time.Duration // the call's own timeout, if timed
	timed       bool
	max         int
	keep, plain bool
}

// deadline is the call's own timeout as a deadline from now; zero: none.
func (o readOpts) deadline() time.Time {
	if !o.timed {
		return time.Time{}
	}
	return time.Now().Add(o.timeout)
}

// cutOpts takes a trailing options table off the arguments: when the last
// argument, at position first or later, is a table, it is removed from the
// stack and returned with the position it had (for error messages), so
// that the positional arguments before it read as if it were not there.
// Any other value at last, the position of the table when every
// positional argument is given, is an argument error.
func cutOpts(L *lua.LState, first, last int, s shape) (*lua.LTable, int) {
	top := L.GetTop()
	if top < first {
		return nil, 0
	}
	if t, ok := L.Get(top).(*lua.LTable); ok {
		// Only the keys s lists (optkeys.go), before anything waits.
		if problem := unknownOption(t, keysOf(s)); problem != "" {
			argError(L, top, "opts", "%s", problem)
		}
		L.SetTop(top - 1)
		return t, top
	}
	if top >= last && L.Get(last) != lua.LNil {
		expected(L, last, "opts", "table")
	}
	return nil, 0
}

// argReadOpts reads timeout and max from opts, the table that was argument
// n (nil: none). maxLen is the max the positional arguments gave, or the
// method's default when given is false; opts.max, from lo up to hi,
// replaces it, and giving both is an error. A max over the largest string
// is refused as optMax refuses it.
func argReadOpts(L *lua.LState, n int, opts *lua.LTable, maxLen int, given bool, lo, hi int) readOpts {
	o := readOpts{max: maxLen}
	if opts == nil {
		return o
	}
	o.timeout, o.timed = optsTimeout(L, n, opts)
	v := opts.RawGetString("max")
	if v == lua.LNil {
		return o
	}
	if given {
		argError(L, n, "opts.max", "max is given twice (also as a positional argument)")
	}
	if f, ok := v.(lua.LNumber); ok && float64(f) > lua.MaxStringSize && float64(f) == math.Trunc(float64(f)) && hi >= lua.MaxStringSize {
		argError(L, n, "opts.max", "%v is over the largest string, %d bytes: not enough memory", f, lua.MaxStringSize)
	}
	o.max, _ = fieldCount(L, n, opts, "max", lo, hi)
	return o
}

// optsTimeout reads opts.timeout, seconds from 0; ok is false when it is
// absent.
func optsTimeout(L *lua.LState, n int, opts *lua.LTable) (d time.Duration, ok bool) {
	return fieldSeconds(L, n, opts, "timeout")
}

// optsKeep reads read_until's opts.keep.
func optsKeep(L *lua.LState, n int, opts *lua.LTable) bool {
	return fieldBool(L, n, opts, "keep")
}

// writeOptsShape lists c:write's options.
var writeOptsShape = shape{class: "gonetrepl.write_opts", opts: true, code: "optsMore,optsTimeout",
	doc: "The options of c:write.",
	fields: []field{
		{"timeout", "number", "seconds this write may wait for the peer to make room, besides the conn's own deadlines; on timeout err.kind is timeout and part of data may have gone (a framed protocol's stream is then broken)"},
		{"more", "boolean", "true: more bytes follow at once (a file after its header, with send_file): these are held, as while input waits, and go out with the next write on the conn, in the same system call when it is a small send_file, or when the task waits (see c:flush)"},
	}}

// optsMore reads c:write's opts.more (opts is argument 3, or nil).
func optsMore(L *lua.LState, opts *lua.LTable) bool {
	return fieldBool(L, 3, opts, "more")
}

// optsPlain reads expect's opts.plain.
func optsPlain(L *lua.LState, n int, opts *lua.LTable) bool {
	return fieldBool(L, n, opts, "plain")
}
