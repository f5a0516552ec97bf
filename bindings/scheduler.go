package bindings

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"

	"github.com/gonetrepl/gonetrepl/internal/textesc"
)

// Task states, as t:status() reports them.
const (
	statusRunning  = "running"
	statusDone     = "done"
	statusFailed   = "failed"
	statusCanceled = "canceled"
)

// A Task is one goroutine running a Lua function on its own thread of the
// shared state. It holds the interpreter lock while it runs Lua and gives it
// up inside block, and at a tick once it has run its time slice while
// others wait (gil.go).
type Task struct {
	ID   int64
	Name string // what it is for, shown by tostring and task.list

	rt     *Runtime
	th     *lua.LState
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{} // closed when the task has ended
	onExit func()        // run after the task ends, without the gil
	silent bool          // its failure is reported by its starter, not printed
	// keepsSockets: a chunk (script, prompt line) leaves its sockets open
	// when it fails or is canceled (see owner.go).
	keepsSockets bool
	// gil held: whether its failure was counted in rt.uncollected; whether
	// a t:wait() took it; the t:wait() calls blocked on it now. (Beside
	// the bools above, in what was their padding: a task per conn.)
	counted   bool
	collected bool
	waiters   int32
	// handles is the conn of a serve handler: when a network error ends
	// the handler, the report is one line naming it (see reportFailure).
	handles *Conn
	ud      *lua.LUserData // its Lua handle, made on first use (gil held)

	mu       sync.Mutex // guards poke and canceled: Cancel runs without the gil
	poke     func()     // unblocks the call the task is blocked in, if any
	canceled bool

	sockets  socketSet // what the task owns (see owner.go); rt.mu guards it
	released bool      // it has ended and owns nothing more; rt.mu guards it

	// Written by the task before done is closed; read after.
	status  string
	results []lua.LValue
	errVal  lua.LValue // the error value that ended the task
	errText string     // errVal described once, by the task itself (see describe)
	trace   string     // its traceback, escaped for a terminal as errText is
}

type taskKey struct{}

// taskOf returns the task whose thread (or a coroutine of it) is L, or nil.
func taskOf(L *lua.LState) *Task {
	if ctx := L.Context(); ctx != nil {
		t, _ := ctx.Value(taskKey{}).(*Task)
		return t
	}
	return nil
}

// spawn starts fn(args...) as a new task. The gil must be held.
func (rt *Runtime) spawn(name string, fn *lua.LFunction, args []lua.LValue) *Task {
	t := &Task{Name: name, rt: rt, done: make(chan struct{}), status: statusRunning}
	t.ctx, t.cancel = context.WithCancel(context.WithValue(context.Background(), taskKey{}, t))
	// The root state has no context, so NewThread registers nothing there;
	// the task's own context is set on the thread afterwards.
	t.th, _ = rt.L.NewThread()
	t.th.SetContext(t.ctx)

	rt.mu.Lock()
	rt.nextID++
	t.ID = rt.nextID
	if len(rt.tasks) == 0 {
		rt.allDone = make(chan struct{})
	}
	rt.tasks[t.ID] = t
	closed := rt.closed
	rt.mu.Unlock()
	tasksChanged(1)
	if closed {
		t.Cancel()
	}
	for _, a := range args {
		rt.adoptValue(t, a)
	}

	go t.run(fn, args)
	return t
}

func (t *Task) run(fn *lua.LFunction, args []lua.LValue) {
	rt := t.rt
	rt.gil.Lock()
	L := t.th
	stopIfCanceled(L) // canceled before it started: it runs nothing
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	err := L.PCall(len(args), lua.MultRet, nil)
	if rt.held != nil {
		rt.flushAtEnd(L)
	}
	t.mu.Lock()
	canceled := t.canceled || t.ctx.Err() != nil
	t.mu.Unlock()
	switch {
	case err == nil && canceled:
		// Canceled in its last call, whose canceled error it returned as
		// its results (return c:read_all()): no instruction was left for
		// the cancel to stop at. It is canceled all the same, and its
		// sockets are closed, as the cancel's doc says.
		t.status = statusCanceled
		t.errVal = lua.LString("canceled")
		t.errText = "canceled"
	case err == nil:
		t.status = statusDone
		top := L.GetTop()
		t.results = make([]lua.LValue, top)
		for i := 1; i <= top; i++ {
			t.results[i-1] = L.Get(i)
		}
	default:
		t.status = statusFailed
		var apiErr *lua.ApiError
		if errors.As(err, &apiErr) {
			t.errVal, t.trace = apiErr.Object, textesc.Lines(apiErr.StackTrace)
		} else {
			t.errVal = lua.LString(err.Error())
		}
		if t.ctx.Err() != nil {
			t.status = statusCanceled
		}
		// Described here, with the lock held: a __tostring metamethod is
		// Lua code, and Err may be called from any goroutine. It may fail
		// or not end: describe bounds it, stops it when the runtime closes,
		// and past its budget cancels the call it is blocked in.
		t.errText = describe(L, t.errVal, t.trace, rt.closing, t.Cancel)
	}
	L.SetTop(0)
	// The thread is dropped, never Closed: Close would remove the shared
	// state's temporary files.
	t.th = nil
	if t.status == statusFailed {
		rt.reportFailure(t)
	}
	rt.gil.Unlock()

	t.cancel() // releases the context's resources
	rt.release(t, t.status != statusDone && !t.keepsSockets)
	if t.onExit != nil {
		t.onExit()
	}
	rt.mu.Lock()
	delete(rt.tasks, t.ID)
	if len(rt.tasks) == 0 {
		close(rt.allDone)
	}
	rt.mu.Unlock()
	tasksChanged(-1)
	close(t.done)
}

// reportFailure tells of a task that failed, with the gil held. A t:wait()
// blocked on it takes the error: nothing is printed or counted. A serve
// handler ended by a network error (an error value with a kind: its conn
// reset, timed out, sent too much) is a peer's doing, not a bug: one line,
// no traceback, not counted. Any other failure is printed with its
// traceback and counted in rt.uncollected, until a later t:wait() takes it.
func (rt *Runtime) reportFailure(t *Task) {
	if t.waiters > 0 {
		t.collected = true
		return
	}
	if t.handles != nil {
		if ud, ok := t.errVal.(*lua.LUserData); ok {
			if _, network := ud.Value.(*Error); network {
				fmt.Fprintf(rt.stderr, "%s ended: %s\n", t.Name, t.errText)
				return
			}
		}
	}
	t.counted = true
	rt.uncollected.Add(1)
	if !t.silent {
		fmt.Fprintf(rt.stderr, "task %d (%s) failed: %s\n%s\n", t.ID, t.Name, t.errText, t.trace)
	}
}

// collect marks t's failure as taken by a t:wait(), with the gil held: it
// no longer makes the exit status 1.
func (rt *Runtime) collect(t *Task) {
	t.collected = true
	if t.counted {
		t.counted = false
		rt.uncollected.Add(-1)
	}
}

// Cancel stops the task: its blocked call returns with kind "canceled" and
// the Lua code running in it stops at its next instruction. It needs no lock.
func (t *Task) Cancel() {
	// The context first: whoever sees canceled set must also find the
	// context done, or a canceled task could be reported as failed.
	t.cancel()
	t.mu.Lock()
	t.canceled = true
	poke := t.poke
	t.mu.Unlock()
	if poke != nil {
		poke()
	}
}

// Done is closed when the task has ended.
func (t *Task) Done() <-chan struct{} { return t.done }

// Status reports running, done, failed or canceled. After Done is closed it
// is final.
func (t *Task) Status() string {
	select {
	case <-t.done:
		return t.status
	default:
		return statusRunning
	}
}

// Err describes how the task failed; "" if it did not. It is safe to
// write to a terminal (see describe), as Trace is.
func (t *Task) Err() string {
	<-t.done
	return t.errText
}

// Trace is the traceback of the error that ended the task.
func (t *Task) Trace() string { <-t.done; return t.trace }

// errPanic marks a Go panic recovered inside a blocking call.
type errPanic struct{ value any }

func (e errPanic) Error() string { return fmt.Sprintf("internal error: %v", e.value) }

// block runs op with the interpreter lock released, and returns its error.
// Every binding that can wait goes through here. op must not touch Lua
// values. If the task is canceled meanwhile, poke (if not nil) is called
// from another goroutine to make op return early (a deadline of now, for a
// socket); op may also watch ctx. The error returned is then a canceled
// error. A panic in op is recovered and raised as a Lua error, after the
// lock is taken back.
func (rt *Runtime) block(L *lua.LState, poke func(), op func(ctx context.Context) error) error {
	t := taskOf(L)
	ctx := context.Background()
	if t != nil {
		ctx = t.ctx
		t.mu.Lock()
		if t.canceled {
			t.mu.Unlock()
			L.TickNow() // the task stops at its next instruction
			return errCanceled
		}
		t.poke = poke
		t.mu.Unlock()
	}
	if rt.held != nil {
		rt.flushHeldAll(L, true) // a task waits: held bytes go out first
	}
	rt.gil.Unlock()
	err := runRecovered(ctx, op)
	if t != nil && cancelAfterOp.Load() == t && cancelAfterOp.CompareAndSwap(t, nil) {
		t.Cancel()
	}
	rt.gil.Lock()
	if t != nil {
		t.mu.Lock()
		t.poke = nil
		// The context is canceled first (see Cancel): an op that saw it
		// returns before the flag is set, and is canceled all the same.
		canceled := t.canceled || t.ctx.Err() != nil
		t.mu.Unlock()
		if canceled {
			err = errCanceled
			L.TickNow() // the task stops at its next instruction
		}
	}
	var p errPanic
	if errors.As(err, &p) {
		L.RaiseError("%v", p)
	}
	return err
}

// offLockSize is the input size from which work on it (a bin function, a
// big string copy of the interpreter's) runs without the interpreter lock:
// about a millisecond of work.
const offLockSize = 1 << 20

// offLock runs work, which must touch no Lua value (it reads Go strings
// and writes Go variables), with the interpreter lock released when n,
// its input's size, is offLockSize or more: a hexdump of 256 MiB takes
// seconds, and every other task would wait for it. A cancel meanwhile
// raises the task's cancellation once the work is done.
func (rt *Runtime) offLock(L *lua.LState, n int, work func()) {
	if n < offLockSize {
		work()
		return
	}
	if err := rt.block(L, nil, func(context.Context) error { work(); return nil }); err != nil {
		L.RaiseError("%v", err)
	}
}

// cancelAfterOp, set by a test, names a task to cancel as its next blocking
// call's op returns: the moment a dial or accept that succeeded meets a
// cancel, which a test cannot otherwise time.
var cancelAfterOp atomic.Pointer[Task]

func runRecovered(ctx context.Context, op func(ctx context.Context) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errPanic{r}
		}
	}()
	return op(ctx)
}

// yield lets other tasks take the interpreter.
func (rt *Runtime) yield(L *lua.LState) {
	if rt.held != nil {
		rt.flushHeldAll(L, true)
	}
	rt.gil.Unlock()
	runtime.Gosched()
	rt.gil.Lock()
	stopIfCanceled(L)
}

// stopIfCanceled makes L stop at its next instruction if its task was
// canceled: the VM looks at the context only once a tick (every thousand
// instructions), and code after a cancel must not go on that long.
func stopIfCanceled(L *lua.LState) {
	if ctx := L.Context(); ctx != nil && ctx.Err() != nil {
		L.TickNow()
	}
}

// describe turns an error value into the one-line message printed for it,
// with the position of the innermost Lua frame in front when the message
// carries none (error objects, and messages assert raised as given). Its
// __tostring runs protected and bounded (see errorText): stop ends it
// early, onExpire is called if it runs out of time. The message is safe
// for a terminal (textesc.Lines): an error often quotes what a peer sent
// (a Redis error reply, a certificate's names), and this text is what the
// failure report, the prompt, script mode and t:wait show.
func describe(L *lua.LState, v lua.LValue, trace string, stop context.Context, onExpire func()) string {
	msg := textesc.Lines(errorText(L, v, stop, onExpire))
	frames := luaFrames(trace)
	for _, where := range frames {
		if hasPositionIn(msg, where) {
			return msg // error() already put a position in front
		}
	}
	if len(frames) > 0 {
		return frames[0] + " " + msg
	}
	return msg
}

// hasPositionIn reports whether msg starts with a position ("file:12: ")
// in the file of where, a frame's "file:line:": the frame's own line, or
// another, as when a message caught by pcall is raised again with
// error(e, 0) from a later line.
func hasPositionIn(msg, where string) bool {
	i := strings.LastIndexByte(where[:len(where)-1], ':')
	if i < 0 {
		return false
	}
	rest, ok := strings.CutPrefix(msg, where[:i+1])
	if !ok {
		return false
	}
	digits := len(rest) - len(strings.TrimLeft(rest, "0123456789"))
	return digits > 0 && strings.HasPrefix(rest[digits:], ": ")
}

// luaFrames lists the "file:line:" positions of the Lua functions in a
// gopher-lua traceback, innermost first.
func luaFrames(trace string) []string {
	var frames []string
	for _, line := range strings.Split(trace, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "[G]") || strings.HasPrefix(line, "stack traceback") {
			continue
		}
		if i := strings.Index(line, ": in "); i > 0 {
			frames = append(frames, line[:i+1])
		}
	}
	return frames
}
