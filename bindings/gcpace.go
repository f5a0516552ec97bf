package bindings

import (
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// The garbage collector's pace follows the number of live tasks. Since Go
// 1.18 the heap may grow past the live heap by GOGC percent of the live
// heap plus every goroutine's stack, and a task parked in a read is a
// goroutine with a 4 KiB stack that allocates nothing: with thousands of
// served connections, the stacks alone let the heap grow by tens of
// megabytes of garbage before a collection. Past manyTasks live tasks the
// percent goes down to manyTasksGCPercent, and back to the default below
// fewTasks (the gap keeps a server near the threshold from flipping). A
// GOGC set in the environment is the user's choice and is left alone.
//
// Measured at 5,000 idle served conns (BENCHMARKS.md, issue 21): PSS 1.9x
// raw Go's with GOGC 100, 1.45x with 50. Below manyTasks nothing changes:
// a few busy conns allocate more per second than many idle ones, and
// collect twice as often at 50.
const (
	manyTasks          = 2000
	fewTasks           = 1000
	manyTasksGCPercent = 50
)

var gcPace struct {
	live    atomic.Int64
	mu      sync.Mutex
	lowered bool
	was     int // the percent before it was lowered
	off     bool
	once    sync.Once
}

// tasksChanged counts a task in (+1) or out (-1) and sets the collector's
// percent when the count crosses manyTasks up or fewTasks down.
func tasksChanged(delta int64) {
	n := gcPace.live.Add(delta)
	if (delta > 0 && n != manyTasks) || (delta < 0 && n != fewTasks) {
		return
	}
	gcPace.once.Do(func() { gcPace.off = os.Getenv("GOGC") != "" })
	if gcPace.off {
		return
	}
	gcPace.mu.Lock()
	defer gcPace.mu.Unlock()
	n = gcPace.live.Load() // another crossing may have come first
	switch {
	case n >= manyTasks && !gcPace.lowered:
		gcPace.was = debug.SetGCPercent(manyTasksGCPercent)
		gcPace.lowered = true
	case n <= fewTasks && gcPace.lowered:
		debug.SetGCPercent(gcPace.was)
		gcPace.lowered = false
	}
}
