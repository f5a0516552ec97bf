package bindings

import (
	"context"
	"fmt"
	"sort"
	"strings"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

const taskSummary = "tasks: functions that run concurrently; a blocking call blocks only its own task"

var taskFuncs = []binding{
	{"spawn", (*Runtime).taskSpawn, "task.spawn(fn, ...) -> task",
		"Runs fn(...) as a new task and returns its handle at once.",
		`t = task.spawn(function(n) time.sleep(n) return "slept" end, 0.1)`},
	{"yield", (*Runtime).taskYield, "task.yield()",
		"Lets other tasks run now. Rarely needed: a task that runs for a time slice (10 ms) without blocking hands the interpreter on by itself.",
		"for i = 1, 1e6 do if i % 1000 == 0 then task.yield() end end"},
	{"list", (*Runtime).taskList, "task.list() -> {task, ...}",
		"The tasks still running, oldest first.",
		"for _, t in ipairs(task.list()) do print(t) end"},
	{"chan", (*Runtime).taskChan, "task.chan([capacity]) -> chan",
		"A channel carrying Lua values between tasks; capacity 0 (the default) makes send wait for a receiver.",
		"ch = task.chan(10); task.spawn(function() ch:send('hi') end); print(ch:recv())"},
}

const taskHandleSummary = "a running or finished task, as task.spawn returns it"

var taskMethods = []binding{
	{"wait", (*Runtime).taskWait, "t:wait([timeout]) -> results... | nil, err",
		"Waits for the task to end and returns what its function returned; a failed or canceled task gives nil, err, and so does timeout seconds passing (kind 'timeout').",
		"local ok = assert(t:wait(5))"},
	{"cancel", (*Runtime).taskCancel, "t:cancel()",
		"Cancels the task: its blocked call returns err.kind == 'canceled' and its Lua code stops. Only its own call ends: other tasks reading, writing or accepting on the same socket go on, with their bytes intact.",
		"t:cancel()"},
	{"status", (*Runtime).taskStatus, "t:status() -> 'running'|'done'|'failed'|'canceled'",
		"The task's state.",
		"print(t:status())"},
}

// taskType is the type name of task values.
const taskType = "task"

// taskFields are the fields of a task value (taskClass), for the type stubs.
var taskFields = shape{class: "gonetrepl.task_handle", code: "taskClass",
	fields: []field{
		{"id", "integer", "unique in the process"},
		{"name", "string", "what it runs, as tostring shows it (\"echo.lua:12\")"},
	}}

var taskClass = &class{
	name:    taskType,
	methods: taskMethods,
	index: func(rt *Runtime, L *lua.LState, v any, key string) (lua.LValue, bool) {
		t := v.(*Task)
		switch key {
		case "id":
			return lua.LNumber(t.ID), true
		case "name":
			return lua.LString(t.Name), true
		}
		return nil, false
	},
	tostring: func(v any) string {
		t := v.(*Task)
		return fmt.Sprintf("<task %d %s %s>", t.ID, t.Name, t.Status())
	},
	eq: func(a, b any) bool { return a == b },
}

// handle returns the Lua value of a task, made once.
func (rt *Runtime) handle(t *Task) *lua.LUserData {
	if t.ud == nil {
		t.ud = rt.newUserData(taskType, t)
	}
	return t.ud
}

func (rt *Runtime) taskSpawn(L *lua.LState) int {
	fn := argFunction(L, 1, "fn")
	args := make([]lua.LValue, 0, L.GetTop()-1)
	for i := 2; i <= L.GetTop(); i++ {
		args = append(args, L.Get(i))
	}
	t := rt.spawn(strings.TrimSuffix(L.Where(1), ":"), fn, args)
	L.Push(rt.handle(t))
	return 1
}

func (rt *Runtime) taskYield(L *lua.LState) int {
	rt.yield(L)
	if t := taskOf(L); t != nil && t.ctx.Err() != nil {
		L.RaiseError("%v", errCanceled)
	}
	return 0
}

func (rt *Runtime) taskList(L *lua.LState) int {
	rt.mu.Lock()
	tasks := make([]*Task, 0, len(rt.tasks))
	for _, t := range rt.tasks {
		tasks = append(tasks, t)
	}
	rt.mu.Unlock()
	sort.Slice(tasks, func(i, j int) bool { return tasks[i].ID < tasks[j].ID })
	list := L.CreateTable(len(tasks), 0)
	for _, t := range tasks {
		list.Append(rt.handle(t))
	}
	L.Push(list)
	return 1
}

func (rt *Runtime) taskWait(L *lua.LState) int {
	t := checkClass[*Task](rt, L, 1, taskType)
	timeout, hasTimeout := optSeconds(L, 2, "timeout")
	if t == taskOf(L) {
		L.ArgError(1, "a task cannot wait for itself")
	}
	select {
	case <-t.done:
	default:
		t.waiters++
		err := rt.block(L, nil, func(ctx context.Context) error {
			expire, stop := expireAfter(timeout, hasTimeout)
			defer stop()
			select {
			case <-t.done:
				return nil
			case <-expire:
				return simpleError(kindTimeout, "wait", "", "wait for task %d: timeout after %v", t.ID, timeout)
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		t.waiters--
		if err != nil && !t.collected {
			return rt.pushError(L, err, "wait", "")
		}
		// A failure that ended the task while this call waited is this
		// call's to return, even when its timeout or cancel came too: it
		// was reported to nobody else.
	}
	switch t.status {
	case statusDone:
		waiter := taskOf(L)
		for _, v := range t.results {
			rt.adoptValue(waiter, v)
			L.Push(v)
		}
		return len(t.results)
	case statusCanceled:
		return rt.pushError(L, simpleError(kindCanceled, "wait", "", "task %d canceled", t.ID), "wait", "")
	}
	rt.collect(t)
	L.Push(lua.LNil)
	if ud, ok := t.errVal.(*lua.LUserData); ok {
		if _, isErr := ud.Value.(*Error); isErr {
			L.Push(ud) // the task's own error value, kind and all
			return 2
		}
	}
	L.Push(rt.errorValue(simpleError(kindOther, "wait", "", "task %d failed: %s", t.ID, t.errText), "", ""))
	return 2
}

func (rt *Runtime) taskCancel(L *lua.LState) int {
	t := checkClass[*Task](rt, L, 1, taskType)
	t.Cancel()
	if t == taskOf(L) {
		// Stopped as any canceled task is: a pcall around t:cancel()
		// catches this error, and the task stops at its next instruction.
		L.TickNow()
		L.RaiseError("%v", errCanceled)
	}
	return 0
}

func (rt *Runtime) taskStatus(L *lua.LState) int {
	t := checkClass[*Task](rt, L, 1, taskType)
	L.Push(lua.LString(t.Status()))
	return 1
}
