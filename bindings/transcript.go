package bindings

import (
	"context"
	"errors"

	"github.com/gonetrepl/gonetrepl/internal/transcript"
	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// readTranscript is internal.read_transcript(path [, limits]) -> events |
// nil, err, what stdlib/replay.lua's replay.load stands on: it reads and
// parses the transcript at path (internal/transcript, the format of
// docs/TRANSCRIPT.md) without the interpreter lock, so a big file does not
// stall the other tasks, then makes one table per event (handing the
// interpreter on every time slice, transcriptList): {time, session,
// kind, network, ["local"], remote, role, tls, tls_facts, addr, data,
// err_kind}, the fields of transcript.Event its kind has. limits is a
// table of max_events, max_sessions and max_bytes (replay.load checks
// it). A file that cannot be read is its error; a line not in the format
// is kind 'other' and a limit reached 'too_large', each naming the line.
func (rt *Runtime) readTranscript(L *lua.LState) int {
	path := L.CheckString(1)
	var limits transcript.Limits
	if t, ok := L.Get(2).(*lua.LTable); ok {
		limits.MaxEvents = limitField(L, t, "max_events")
		limits.MaxSessions = limitField(L, t, "max_sessions")
		limits.MaxBytes = int64(limitField(L, t, "max_bytes"))
	}
	var events []transcript.Event
	err := rt.block(L, nil, func(context.Context) error {
		f, err := openRegular(path) // a FIFO or a device is refused, not waited on
		if err != nil {
			return err
		}
		defer f.Close()
		events, err = transcript.ReadAll(f, limits)
		return err
	})
	var re *transcript.ReadError
	switch {
	case errors.As(err, &re) && re.TooLarge:
		return rt.pushError(L, &Error{Kind: "too_large", Op: "read_transcript", Addr: path, Err: re}, "", "")
	case errors.As(err, &re):
		return rt.pushError(L, &Error{Kind: "other", Op: "read_transcript", Addr: path, Err: re}, "", "")
	case err != nil:
		return rt.pushError(L, err, "read_transcript", path)
	}
	L.Push(transcriptList(L, events))
	return 1
}

// transcriptList is the Lua list of events, a table each: up to a
// million, so each is charged as work and the interpreter is handed on
// every time slice while the list is built (biglists.go).
func transcriptList(L *lua.LState, events []transcript.Event) *lua.LTable {
	list := L.CreateTable(len(events), 0)
	for i := range events {
		ev := &events[i]
		list.RawSetInt(i+1, eventTable(L, ev))
		chargeItem(L, len(ev.Data)+len(ev.TLSFacts)*chargeBytesPerUnit)
	}
	return list
}

// limitField reads a positive whole number of limits, 0 (the default)
// when absent. replay.lua has checked it; one past 2^40 is 2^40, as
// large as asked, not the default it used to fall back to.
func limitField(L *lua.LState, t *lua.LTable, key string) int {
	n, ok := L.GetField(t, key).(lua.LNumber)
	if !ok || n < 1 {
		return 0
	}
	return int(min(n, 1<<40))
}

// eventTable is the Lua table of one event.
func eventTable(L *lua.LState, ev *transcript.Event) *lua.LTable {
	t := L.CreateTable(0, 8)
	t.RawSetString("time", unixSeconds(ev.Time))
	t.RawSetString("session", lua.LNumber(ev.Session))
	t.RawSetString("kind", lua.LString(ev.Kind))
	switch ev.Kind {
	case transcript.Open:
		t.RawSetString("network", lua.LString(ev.Network))
		t.RawSetString("local", lua.LString(ev.Local))
		t.RawSetString("remote", lua.LString(ev.Remote))
		if ev.Role != "" {
			t.RawSetString("role", lua.LString(ev.Role))
		}
		t.RawSetString("tls", lua.LBool(ev.TLS))
		if ev.TLS {
			facts := L.CreateTable(0, len(ev.TLSFacts))
			for k, v := range ev.TLSFacts {
				facts.RawSetString(k, lua.LString(v))
			}
			t.RawSetString("tls_facts", facts)
		}
	case transcript.SendTo, transcript.RecvFrom:
		t.RawSetString("addr", lua.LString(ev.Addr))
		t.RawSetString("data", lua.LString(ev.Data))
	case transcript.Send, transcript.Recv:
		t.RawSetString("data", lua.LString(ev.Data))
	case transcript.Error:
		t.RawSetString("err_kind", lua.LString(ev.ErrKind))
		t.RawSetString("data", lua.LString(ev.Data))
	}
	return t
}
