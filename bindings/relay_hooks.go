package bindings

// net.relay(a, b, opts) with hooks: on_data sees (and may edit, drop or
// delay) every chunk, pace limits each direction's rate, on_close tells
// of each direction's end. Without them net.relay keeps its fast path
// (relay.go): this file is only the hooked one.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"

	"github.com/gonetrepl/gonetrepl/internal/textesc"
)

// relayOptsShape lists the options net.relay reads (argRelayOpts).
var relayOptsShape = shape{class: "gonetrepl.relay_opts", opts: true, code: "argRelayOpts",
	doc: "The options of net.relay: hooks that see and edit the traffic, and pacing.",
	fields: []field{
		{"on_data", "fun(dir: \"a2b\"|\"b2a\", data: string): (string|false|number|nil), string?", "called with each chunk read (at most 64 KiB), and with \"\" once at the direction's EOF (what it returns then goes before the half-close); returns the bytes to forward (a string), false to drop the chunk, nil to forward it unchanged, or delay_secs, data to forward data (nil: the chunk) that many seconds after it was read"},
		{"on_close", "fun(dir: \"a2b\"|\"b2a\", err: gonetrepl.error?)", "called when a direction has ended: after its half-close (err nil) or with the error that stopped it"},
		{"pace", "number|table<\"a2b\"|\"b2a\", number>", "bytes per second at most, for both directions or per direction (a token bucket holding 100 ms of bytes, empty at the start)"},
	}}

// relayDirNames are the names hooks get for the directions.
var relayDirNames = [2]string{"a2b", "b2a"}

// relayHooks are net.relay's options. The zero value has none: the fast
// path.
type relayHooks struct {
	onData, onClose *lua.LFunction
	pace            [2]float64 // bytes per second; 0: unpaced
}

func (h relayHooks) any() bool {
	return h.onData != nil || h.onClose != nil || h.pace[0] > 0 || h.pace[1] > 0
}

// argRelayOpts reads the options table at argument n.
func argRelayOpts(L *lua.LState, n int) relayHooks {
	var h relayHooks
	opts := argOptions(L, n, relayOptsShape)
	if opts == nil {
		return h
	}
	fn := func(key string, v lua.LValue) *lua.LFunction {
		switch v := v.(type) {
		case *lua.LNilType:
			return nil
		case *lua.LFunction:
			return v
		default:
			argError(L, n, "opts."+key, "function expected, got %s", typeName(v))
			return nil
		}
	}
	h.onData = fn("on_data", opts.RawGetString("on_data"))
	h.onClose = fn("on_close", opts.RawGetString("on_close"))
	switch v := opts.RawGetString("pace").(type) {
	case *lua.LNilType:
	case *lua.LTable:
		v.ForEach(func(k, _ lua.LValue) {
			if key, ok := k.(lua.LString); !ok || (key != "a2b" && key != "b2a") {
				argError(L, n, "opts.pace", "unknown direction %s (a2b, b2a)", describeValue(k))
			}
		})
		for i, name := range relayDirNames {
			if d := v.RawGetString(name); d != lua.LNil {
				h.pace[i] = relayPace(L, n, "pace."+name, d)
			}
		}
	default:
		h.pace[0] = relayPace(L, n, "pace", v)
		h.pace[1] = h.pace[0]
	}
	return h
}

// relayPace checks one rate: a number of bytes per second above zero.
func relayPace(L *lua.LState, n int, key string, v lua.LValue) float64 {
	num, ok := v.(lua.LNumber)
	if !ok || !(num > 0) || math.IsInf(float64(num), 1) {
		argError(L, n, "opts."+key, "bytes per second expected (a number > 0), got %s", describeValue(v))
	}
	return float64(num)
}

// relayBucket is the pace's token bucket, as time: the bytes of this
// long may go at once, after a pause or a late wake-up.
const relayBucket = 100 * time.Millisecond

// relayCredits bounds the chunks of one direction between its read and
// its write: at most this many (64 KiB each) wait for the hook, a delay
// or the pace.
const relayCredits = 8

// relayChunk is one chunk on its way to the writer of its direction, or
// the end of the reads (end set; err nil at EOF).
//
// A chunk's bytes are copied once, off the reader's buffer into a string:
// the string on_data gets is that one, the string it returns is written
// as it is (bytesOf: a write only reads it), so a chunk costs one copy
// whatever the hook does, not three (the copy, a Lua string of it, bytes
// of the string returned).
type relayChunk struct {
	data string
	due  time.Time // when it may be written: the read's time plus a delay
	free bool      // took no credit: on_data's last word at EOF
	end  bool
	err  error
}

// relayEvent is what the relay's task handles with the lock held: a chunk
// read (for on_data), the reads' end, or a direction's end (done).
type relayEvent struct {
	dir  int
	data string
	at   time.Time
	end  bool // the reads of dir ended with err
	done bool // dir has ended: its n bytes written, err
	n    int64
	err  error
}

// hookedRelay is a relay whose chunks pass through the relay's own task:
// per direction a reader and a writer goroutine; between them, when
// on_data is set, the task that called net.relay, which calls the hooks
// holding the interpreter lock only while they run.
type hookedRelay struct {
	*relay
	hooks   relayHooks
	credits [2]chan struct{}
	queue   [2]chan relayChunk
	events  chan relayEvent
}

// read runs the reads of direction dir: each chunk takes a credit (given
// back once written or dropped) and goes to the hook, or straight to the
// writer without on_data.
func (h *hookedRelay) read(dir int) {
	src, _, si, _ := h.conns(dir)
	err := src.rd.copyTo(h.ctx, nil, func(p []byte) (int, error) {
		select {
		case h.credits[dir] <- struct{}{}:
		case <-h.ctx.Done():
			return 0, h.ctx.Err()
		}
		data := string(p)
		if h.hooks.onData == nil {
			h.queue[dir] <- relayChunk{data: data}
			return len(p), nil
		}
		select {
		case h.events <- relayEvent{dir: dir, data: data, at: time.Now()}:
		case <-h.ctx.Done():
			return 0, h.ctx.Err()
		}
		return len(p), nil
	}, func(fill func() error) error {
		return h.readCall(si, src).do(h.ctx, fill)
	})
	if h.hooks.onData == nil {
		h.queue[dir] <- relayChunk{end: true, err: err}
		return
	}
	select {
	case h.events <- relayEvent{dir: dir, end: true, err: err}:
	case <-h.ctx.Done():
		h.queue[dir] <- relayChunk{end: true, err: h.ctx.Err()}
	}
}

// write runs the writes of direction dir, in order, each at its due time
// and within the pace; then ends the direction (half-close) and tells the
// task.
func (h *hookedRelay) write(dir int) {
	defer close(h.finished[dir])
	_, dst, _, di := h.conns(dir)
	var n int64
	next := time.Now() // the pace's: when the next piece may go; the bucket starts empty
	rate := h.hooks.pace[dir]
	piece := math.MaxInt
	if rate > 0 && rate/50 < 1<<30 {
		// 20 ms of bytes per write; a rate so high that this passes a
		// gigabyte paces nothing (and int() of a float beyond int64 is
		// whatever the machine gives: MinInt64 on amd64, then 1 byte).
		piece = max(1, int(rate/50))
	}
	err := func() error {
		for {
			var c relayChunk
			select {
			case c = <-h.queue[dir]:
			case <-h.ctx.Done():
				return h.ctx.Err()
			}
			if c.end {
				return c.err
			}
			if err := h.sleepUntil(c.due); err != nil {
				return err
			}
			for p := bytesOf(c.data); len(p) > 0; {
				k := min(len(p), piece)
				if rate > 0 {
					if err := h.sleepUntil(next); err != nil {
						return err
					}
					// Time lost oversleeping (a busy machine) is made up
					// for, up to the bucket's size: 100 ms of bytes.
					if floor := time.Now().Add(-relayBucket); next.Before(floor) {
						next = floor
					}
					next = next.Add(time.Duration(float64(k) / rate * float64(time.Second)))
				}
				w, err := dst.writeIn(h.ctx, h.writeCall(di, dst), p[:k])
				n += int64(w)
				if err != nil {
					return dst.opError("write", err)
				}
				p = p[k:]
			}
			if !c.free {
				<-h.credits[dir]
			}
		}
	}()
	h.events <- relayEvent{dir: dir, done: true, n: n, err: h.endDir(dir, err)}
}

// sleepUntil waits for t (now if it has passed) or the relay's end.
func (h *hookedRelay) sleepUntil(t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-h.ctx.Done():
		return h.ctx.Err()
	}
}

// run relays with the hooks and returns the counts and the first error.
// It holds the lock but while it waits for the next event.
func (h *hookedRelay) run(rt *Runtime, L *lua.LState) (counts [2]int64, err error) {
	defer h.stop() // also when a Lua error unwinds through here: the goroutines end
	for dir := range 2 {
		go h.read(dir)
		go h.write(dir)
	}
	hookFailed := false // a hook raised: no more hooks run
	fail := func(e error) {
		if err == nil {
			err = e
			h.stop()
		}
	}
	hookFail := func(e error) {
		hookFailed = true
		fail(e)
	}
	for done := 0; done < 2; {
		if rt.gil.due() {
			// Events kept coming without a wait: the other tasks get
			// their turn, as at a tick.
			rt.gil.handOff()
		}
		var ev relayEvent
		select {
		case ev = <-h.events: // no need to let go of the lock
		default:
			if err != nil {
				ev = <-h.events // stopping: the goroutines end without the lock
				break
			}
			got := false
			if e := rt.block(L, h.stop, func(context.Context) error {
				ev = <-h.events // ends: stop ends the goroutines, which say so
				got = true
				return nil
			}); e != nil {
				fail(e)
			}
			if !got {
				continue
			}
		}
		switch {
		case ev.done:
			done++
			counts[ev.dir] = ev.n
			if ev.err != nil {
				fail(ev.err)
			}
			if h.hooks.onClose != nil && !hookFailed && err != errCanceled {
				errVal := lua.LValue(lua.LNil)
				if ev.err != nil {
					errVal = rt.errorValue(ev.err, "relay", "")
				}
				if _, e := h.call(rt, L, "on_close", h.hooks.onClose, 0, lua.LString(relayDirNames[ev.dir]), errVal); e != nil {
					hookFail(e)
				}
			}
		case ev.end:
			if ev.err == nil && err == nil {
				// EOF: on_data(dir, "") gives a hook that held bytes
				// back (a match cut in two) the last word.
				c, e := h.onData(rt, L, ev)
				if e != nil {
					hookFail(e)
				} else if len(c.data) > 0 {
					c.free = true
					h.queue[ev.dir] <- c
				}
			}
			h.queue[ev.dir] <- relayChunk{end: true, err: ev.err}
		case err != nil:
			<-h.credits[ev.dir] // stopping: the chunk goes nowhere
		default:
			c, e := h.onData(rt, L, ev)
			if e != nil {
				hookFail(e)
				<-h.credits[ev.dir]
				continue
			}
			h.queue[ev.dir] <- c
		}
	}
	return counts, err
}

// onData runs the on_data hook on a chunk and returns the chunk to write.
func (h *hookedRelay) onData(rt *Runtime, L *lua.LState, ev relayEvent) (relayChunk, error) {
	c := relayChunk{data: ev.data}
	rets, err := h.call(rt, L, "on_data", h.hooks.onData, 2, lua.LString(relayDirNames[ev.dir]), lua.LString(ev.data))
	if err != nil {
		return c, err
	}
	bad := func(what string) (relayChunk, error) {
		msg := "on_data returned " + what + " (want a string, false, nil, or delay_secs, data)"
		fmt.Fprintf(rt.stderr, "net.relay: %s\n", textesc.Lines(msg))
		return c, simpleError("other", "relay", "", "%s", msg)
	}
	switch v := rets[0].(type) {
	case *lua.LNilType:
	case lua.LString:
		c.data = string(v)
	case lua.LBool:
		if v {
			return bad("true")
		}
		c.data = ""
	case lua.LNumber:
		secs := float64(v)
		if !(secs >= 0) || secs > 1e9 {
			return bad("a delay of " + v.String() + " seconds")
		}
		switch d := rets[1].(type) {
		case *lua.LNilType:
		case lua.LString:
			c.data = string(d)
		default:
			return bad("a delay and a " + d.Type().String())
		}
		c.due = ev.at.Add(time.Duration(secs * float64(time.Second)))
	default:
		return bad("a " + v.Type().String())
	}
	return c, nil
}

// call runs a hook with the lock held and returns its nret results. A hook
// that raises stops the relay: its error is reported as a task's failure
// is (message and traceback on stderr) and is the relay's result, kind
// other. A cancel of the task is errCanceled.
func (h *hookedRelay) call(rt *Runtime, L *lua.LState, name string, fn *lua.LFunction, nret int, args ...lua.LValue) ([]lua.LValue, error) {
	top := L.GetTop()
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	err := L.PCall(len(args), nret, nil)
	if err != nil {
		L.SetTop(top)
		if t := taskOf(L); t != nil && t.ctx.Err() != nil {
			return nil, errCanceled
		}
		msg, trace := err.Error(), ""
		var apiErr *lua.ApiError
		if errors.As(err, &apiErr) {
			msg = describe(L, apiErr.Object, "", rt.closing, func() {})
			trace = textesc.Lines(apiErr.StackTrace)
		}
		fmt.Fprintf(rt.stderr, "net.relay: %s failed: %s\n%s\n", name, msg, trace)
		return nil, simpleError("other", "relay", "", "%s failed: %s", name, msg)
	}
	rets := make([]lua.LValue, nret)
	for i := range nret {
		rets[i] = L.Get(top + 1 + i)
	}
	L.SetTop(top)
	return rets, nil
}
