package bindings

import (
	"context"
	"errors"
	"fmt"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// TostringBudget bounds how long Go code lets __tostring metamethods run
// when it must have a value's text and must not fail or hang: the error
// that ended a task, the values the prompt prints for a line. A looping
// metamethod runs this long at most (other tasks take turns meanwhile).
const TostringBudget = 500 * time.Millisecond

// Text is tostring(v) for Go code that must have a text: the prompt uses it
// to print values. v's __tostring metamethod, if any, runs protected and
// until deadline at most (see metaText), stopped early if L's task is
// canceled (Ctrl-C). When it gives no text, Text returns v's plain text
// with the reason: "table: 0x1234 (__tostring failed: x)". One deadline
// for all the values of a line, TostringBudget from the first, bounds
// them all. The gil must be held.
func Text(L *lua.LState, v lua.LValue, deadline time.Time) string {
	var stop context.Context
	if t := taskOf(L); t != nil {
		stop = t.ctx
	}
	s, why := metaText(L, v, deadline, stop, nil)
	if why != "" {
		return plainText(v) + " (" + why + ")"
	}
	return s
}

// errorText is the text of an error value, for the message printed when a
// task fails: as Text, but the fallback reads "error object (why)".
func errorText(L *lua.LState, v lua.LValue, stop context.Context, onExpire func()) string {
	if v == nil {
		return "nil"
	}
	s, why := metaText(L, v, time.Now().Add(TostringBudget), stop, onExpire)
	if why != "" {
		return "error object (" + why + ")"
	}
	return s
}

// metaText returns v's text as tostring gives it, or "" and why there is
// none. A __tostring metamethod is Lua code that may raise, yield, loop or
// block: it runs on a thread of its own under PCall, with a context that
// ends at deadline (the VM checks it at every instruction) or when stop
// is done, and counting its calls from Go as nested under L's
// (so a __tostring that describes errors in turn cannot overflow the Go
// stack). onExpire, if not nil, is called if the budget runs out: to
// cancel the call the metamethod is blocked in, which the budget alone
// does not reach. The gil must be held.
func metaText(L *lua.LState, v lua.LValue, deadline time.Time, stop context.Context, onExpire func()) (text, why string) {
	fn, ok := L.GetMetaField(v, "__tostring").(*lua.LFunction)
	if !ok {
		return v.String(), ""
	}
	if s, ok := classText(L, v, fn); ok {
		return s, ""
	}
	// The task (for blocking calls inside the metamethod) without its
	// cancellation: a canceled task's error must still be described.
	base := context.Background()
	if t := taskOf(L); t != nil {
		base = context.WithoutCancel(t.ctx)
	}
	ctx, cancel := context.WithDeadline(base, deadline)
	defer cancel()
	if stop != nil {
		defer context.AfterFunc(stop, cancel)()
	}
	if onExpire != nil {
		defer context.AfterFunc(ctx, func() {
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				onExpire()
			}
		})()
	}

	th, cancelChild := L.NewThread()
	if cancelChild != nil {
		defer cancelChild() // unregisters th's context from L's
	}
	th.SetContext(ctx)
	th.NestUnder(L)
	th.Push(fn)
	th.Push(v)
	err := th.PCall(1, 1, nil)
	switch {
	case err == nil:
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return "", fmt.Sprintf("__tostring did not finish in %v", TostringBudget)
	case ctx.Err() != nil:
		return "", "__tostring canceled"
	default:
		var apiErr *lua.ApiError
		if errors.As(err, &apiErr) {
			return "", "__tostring failed: " + plainText(apiErr.Object)
		}
		return "", "__tostring failed: " + err.Error()
	}
	switch r := th.Get(-1).(type) {
	case lua.LString:
		return string(r), ""
	case lua.LNumber:
		return r.String(), ""
	default:
		return "", "__tostring returned a " + typeName(r) + ", not a string"
	}
}

// classText is the text of a value of one of the runtime's classes (a
// conn, a net error) whose __tostring is still the class's own: Go code,
// run without a thread or a timer (most failed tasks end with a net
// error). debug.setmetatable can give a class's metatable to another
// userdata, whose Go value the class's tostring does not expect: its panic
// sends the value down the protected path.
func classText(L *lua.LState, v lua.LValue, fn *lua.LFunction) (text string, ok bool) {
	defer func() {
		if recover() != nil {
			text, ok = "", false
		}
	}()
	ud, ok := v.(*lua.LUserData)
	t := taskOf(L)
	if !ok || t == nil {
		return "", false
	}
	c := t.rt.classTostring[fn]
	if c == nil || ud.Metatable != t.rt.classes[c.name] {
		return "", false
	}
	return c.tostring(ud.Value), true
}

// plainText is v's text without metamethods: a string or number as it is,
// anything else as its type and address.
func plainText(v lua.LValue) string {
	if v == nil {
		return "nil"
	}
	return v.String()
}
