package bindings

import (
	"context"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

const timeSummary = "clocks and sleeping: times are float seconds since the epoch"

var timeFuncs = []binding{
	{"now", (*Runtime).timeNow, "time.now() -> seconds",
		"The current time as float seconds since the Unix epoch (microsecond precision).",
		"t0 = time.now()"},
	{"since", (*Runtime).timeSince, "time.since(t) -> seconds",
		"Seconds elapsed since t, a value from time.now().",
		"print(('took %.3f s'):format(time.since(t0)))"},
	{"sleep", (*Runtime).timeSleep, "time.sleep(secs)",
		"Blocks this task for secs seconds; other tasks keep running.",
		"time.sleep(0.5)"},
}

func unixSeconds(t time.Time) lua.LNumber {
	return lua.LNumber(float64(t.UnixNano()) / 1e9)
}

func (rt *Runtime) timeNow(L *lua.LState) int {
	L.Push(unixSeconds(time.Now()))
	return 1
}

func (rt *Runtime) timeSince(L *lua.LState) int {
	t := argNumber(L, 1, "t")
	L.Push(lua.LNumber(float64(time.Now().UnixNano())/1e9 - t))
	return 1
}

// expireAfter returns a channel that receives after d, and the function
// that stops its timer; with set false, a nil channel that never does, so
// a select on it waits without a timeout.
func expireAfter(d time.Duration, set bool) (<-chan time.Time, func()) {
	if !set {
		return nil, func() {}
	}
	t := time.NewTimer(d)
	return t.C, func() { t.Stop() }
}

func (rt *Runtime) timeSleep(L *lua.LState) int {
	d := argSeconds(L, 1, "secs")
	err := rt.block(L, nil, func(ctx context.Context) error {
		expire, stop := expireAfter(d, true)
		defer stop()
		select {
		case <-expire:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	if err != nil {
		return rt.pushError(L, err, "sleep", "")
	}
	return 0
}
