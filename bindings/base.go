package bindings

import (
	"bufio"
	"context"
	goio "io"
	"os"
	"reflect"
	"strings"
	"unsafe"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// openBase replaces the base functions that do not fit a runtime of many
// tasks sharing one output, and assert, which in Lua 5.1 turns every
// message into a string.
func (rt *Runtime) openBase() {
	L := rt.L
	L.SetGlobal("print", L.NewFunction(rt.basePrint))
	L.SetGlobal("assert", L.NewFunction(baseAssert))
	co := L.GetGlobal("coroutine").(*lua.LTable)
	L.SetField(co, "running", L.NewFunction(coRunning))
	os := L.GetGlobal("os").(*lua.LTable)
	L.SetField(os, "exit", L.NewFunction(rt.osExit))
	tbl := L.GetGlobal("table").(*lua.LTable)
	L.SetField(tbl, "concat", L.NewFunction(tableConcat))
	rt.redirectStdFiles()
}

// tableConcat is Lua 5.1's table.concat built in Go. gopher-lua's pushes
// every piece on the task's stack, which grows 64 slots at a time (the
// setting that keeps a task small): joining the chunks of a big read took
// seconds, and over 128K pieces overflowed the stack.
func tableConcat(L *lua.LState) int {
	t := L.CheckTable(1)
	sep := L.OptString(2, "")
	i := L.OptInt(3, 1)
	j := L.OptInt(4, t.Len())
	// The length first: a result over the largest string is refused
	// before anything is allocated, and the rest is allocated once.
	size := int64(0)
	for k := i; k <= j; k++ {
		switch v := t.RawGetInt(k).(type) {
		case lua.LString:
			size += int64(len(v))
		case lua.LNumber:
			size += int64(len(v.String()))
		default:
			L.RaiseError("invalid value (at index %d) in table for 'concat'", k)
		}
		if k < j {
			size += int64(len(sep))
		}
		L.CheckStringSize("table.concat", size)
	}
	var b strings.Builder
	b.Grow(int(size))
	for k := i; k <= j; k++ {
		switch v := t.RawGetInt(k).(type) {
		case lua.LString:
			b.WriteString(string(v))
		case lua.LNumber:
			b.WriteString(v.String())
		}
		if k < j {
			b.WriteString(sep)
		}
	}
	L.Push(lua.LString(b.String()))
	return 1
}

// basePrint writes through the runtime's writer in one Write, so lines of
// concurrent tasks never interleave.
func (rt *Runtime) basePrint(L *lua.LState) int {
	top := L.GetTop()
	parts := make([]string, top)
	size := int64(1)
	for i := 1; i <= top; i++ {
		parts[i-1] = L.ToStringMeta(L.Get(i)).String()
		size += int64(len(parts[i-1])) + 1
	}
	// One line is one string: refused over the largest.
	L.CheckStringSize("print", size)
	var b strings.Builder
	b.Grow(int(size))
	for i, s := range parts {
		if i > 0 {
			b.WriteByte('\t')
		}
		b.WriteString(s)
	}
	b.WriteByte('\n')
	rt.stdout.Write([]byte(b.String()))
	return 0
}

// baseAssert is Lua 5.3's assert: the message may be any value, so
// assert(c:read()) raises the error value itself, kind and all.
func baseAssert(L *lua.LState) int {
	if L.GetTop() == 0 {
		L.ArgError(1, "value expected")
	}
	if lua.LVAsBool(L.Get(1)) {
		return L.GetTop()
	}
	if L.GetTop() < 2 || L.Get(2) == lua.LNil {
		L.RaiseError("assertion failed!")
	}
	if s, ok := L.Get(2).(lua.LString); ok {
		L.Error(s, 0) // as Lua 5.3: no position added to a given message
	}
	L.Error(L.Get(2), 1)
	return 0
}

// coRunning returns the calling thread: the shared G.CurrentThread is not
// the caller's when many tasks run.
func coRunning(L *lua.LState) int {
	L.Push(L)
	return 1
}

// osExit asks the program to end with a status (true: 0, false: 1) and stops
// the calling task.
func (rt *Runtime) osExit(L *lua.LState) int {
	code := 0
	switch v := L.Get(1).(type) {
	case *lua.LNilType:
	case lua.LBool:
		if !v {
			code = 1
		}
	default:
		code = argSize(L, 1, "code", -1<<31, 1<<31-1)
	}
	select {
	case rt.exitCode <- code:
	default:
	}
	// Park until the runtime is closed; nothing after os.exit runs.
	rt.block(L, nil, func(ctx context.Context) error { <-ctx.Done(); return nil })
	L.RaiseError("os.exit")
	return 0
}

// redirectStdFiles points gopher-lua's io.stdout and io.stderr (and so
// io.write, which writes to the default output, io.stdout) at the runtime's
// writers, so that in the REPL they too go through the terminal writer and
// never garble the line being typed; and it gives io.stdin (so io.read and
// io.lines) a source that lets the other tasks run while a read waits for
// input, where gopher-lua's would hold the interpreter lock until a line
// came. gopher-lua keeps a file's writer and reader in unexported fields
// and offers no way to set them, hence reflection; the fields' presence is
// checked by TestIoWriteGoesThroughRuntime and TestStdinReadLetsTasksRun.
func (rt *Runtime) redirectStdFiles() {
	io := rt.L.GetGlobal("io").(*lua.LTable)
	set := func(name, fieldName string, v any) {
		ud, ok := io.RawGetString(name).(*lua.LUserData)
		if !ok {
			return
		}
		file := reflect.ValueOf(ud.Value)
		if file.Kind() != reflect.Pointer || file.Elem().Kind() != reflect.Struct {
			return
		}
		field := file.Elem().FieldByName(fieldName)
		if !field.IsValid() || !reflect.TypeOf(v).AssignableTo(field.Type()) {
			return
		}
		reflect.NewAt(field.Type(), unsafe.Pointer(field.UnsafeAddr())).Elem().Set(reflect.ValueOf(v))
	}
	set("stdout", "writer", goio.Writer(rt.stdout))
	set("stderr", "writer", goio.Writer(rt.stderr))
	set("stdin", "reader", bufio.NewReader(stdinReader{rt: rt, r: os.Stdin}))
}

// stdinReader is io.stdin's source. gopher-lua's io library reads it with
// the interpreter lock held (from io.read, io.lines or io.stdin:read on a
// task), so a read gives the lock up while it waits, as every blocking
// binding does.
type stdinReader struct {
	rt *Runtime
	r  goio.Reader
}

func (s stdinReader) Read(p []byte) (int, error) {
	if s.rt.held != nil {
		s.rt.flushHeldAll(nil, false) // what the sockets take now; see heldwrite.go
	}
	s.rt.gil.Unlock()
	defer s.rt.gil.Lock()
	return s.r.Read(p)
}
