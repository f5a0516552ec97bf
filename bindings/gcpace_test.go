package bindings

import (
	"os"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// gcPercent reads the collector's percent (SetGCPercent is the only way)
// and puts it back.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// TestGCPaceFollowsLiveTasks: past manyTasks live tasks the collector runs
// at manyTasksGCPercent, and back at the default once they end.
func TestGCPaceFollowsLiveTasks(t *testing.T) {
	if os.Getenv("GOGC") != "" {
		t.Skip("GOGC is set: the pace is the user's")
	}
	before := gcPercent()
	rt := New(Options{})
	defer rt.Close()
	fn, err := rt.Load(strings.NewReader(`
		gate = task.chan()
		parked = 0
		for i = 1, 2500 do task.spawn(function() parked = parked + 1 gate:recv() end) end
		local t0 = time.now()
		while parked < 2500 and time.since(t0) < 20 do time.sleep(0.01) end
		assert(parked == 2500, "parked " .. parked)`), "park")
	if err != nil {
		t.Fatal(err)
	}
	waitTask(t, rt.Start("park", fn))
	if got := gcPercent(); got != manyTasksGCPercent {
		t.Fatalf("with 2,500 parked tasks the GC percent is %d, want %d", got, manyTasksGCPercent)
	}
	fn, err = rt.Load(strings.NewReader(`gate:close()`), "release")
	if err != nil {
		t.Fatal(err)
	}
	waitTask(t, rt.Start("release", fn))
	deadline := time.Now().Add(20 * time.Second)
	for gcPace.live.Load() > fewTasks/2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := gcPercent(); got != before {
		t.Fatalf("after the tasks ended the GC percent is %d, want %d", got, before)
	}
}
