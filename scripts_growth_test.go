package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/gonetrepl/gonetrepl/bindings"
	"github.com/gonetrepl/gonetrepl/internal/dnstest"
	"github.com/gonetrepl/gonetrepl/internal/peer"
)

// Growth tests of the bundled scripts that parse what a peer sends. The
// script runs in this process, as run runs it, so that the work it did
// can be read from its Lua state afterwards: VM instructions plus
// pattern-matching steps (lua.LState.Work), deterministic, never time.
// Its worst input at n and 8n bytes must cost about 8 times the work, not
// 64 (issue 23: no peer makes a bundled parser work more than linearly).

// scriptRun is what a script run in-process printed, its exit status, and
// the work its Lua state did.
type scriptRun struct {
	result
	work int64
}

// runScriptInProcess runs argv (a script and its arguments) as run does,
// in this process, until it and every task it spawned have ended or it
// calls os.exit; within runTimeout.
func runScriptInProcess(t *testing.T, argv ...string) scriptRun {
	t.Helper()
	var stdout, stderr peer.SyncBuffer
	rt := bindings.New(bindings.Options{Stdout: &stdout, Stderr: &stderr})
	defer rt.Close()
	rt.SetArgs([]string{"gonetrepl"}, argv[0], argv[1:])
	task, err := start(rt, action{"script", argv[0]}, bytes.NewReader(nil), argv[1:])
	if err != nil {
		t.Fatal(err)
	}
	finished := make(chan int, 1)
	go func() {
		code, exited := wait(rt, task.Done(), nil)
		if !exited {
			code, exited = wait(rt, rt.Idle(), nil)
		}
		if !exited {
			code = 0
			if rt.Failed() {
				code = 1
			}
		}
		finished <- code
	}()
	var code int
	select {
	case code = <-finished:
	case <-time.After(runTimeout):
		t.Fatalf("%q did not end within %v\nstdout:\n%s\nstderr:\n%s", argv, runTimeout, stdout.String(), stderr.String())
	}
	var work int64
	if !rt.TryLocked(runTimeout, func(L *lua.LState) { work = L.Work() }) {
		t.Fatalf("%q: the interpreter stayed locked after the script ended", argv)
	}
	return scriptRun{result{stdout: stdout.String(), stderr: stderr.String(), code: code}, work}
}

// assertLinear fails unless cost8 (at 8n bytes) is under 12 times cost1
// (at n): linear work gives about 8, quadratic 64.
func assertLinear(t *testing.T, what string, n int, cost1, cost8 int64) {
	t.Helper()
	msg := fmt.Sprintf("%s: %d units of work at n = %d, %d at 8n (x%.1f)", what, cost1, n, cost8, float64(cost8)/float64(cost1))
	if cost8 >= 12*cost1 {
		t.Errorf("%s: not linear", msg)
		return
	}
	t.Log(msg)
}

// TestLookupScriptHostileTXTIsLinear: a TXT answer of "a", n spaces, "b".
// lookup.lua trimmed each printed line with gsub("%s+$", ""), which
// rescans the run of spaces from each of its bytes: 16,000 spaces cost
// 9.3 s of CPU, past the script's own --timeout.
func TestLookupScriptHostileTXTIsLinear(t *testing.T) {
	t.Parallel()
	const n = 1000
	blanks := func(n int) string { return "a" + strings.Repeat(" ", n) + "b" }
	server := dnstest.Start(t,
		dnstest.TXT("blanks1."+dnstest.Zone, blanks(n)),
		dnstest.TXT("blanks8."+dnstest.Zone, blanks(8*n)))
	var work [2]int64
	for i, size := range []int{n, 8 * n} {
		name := fmt.Sprintf("blanks%d.%s", size/n, dnstest.Zone)
		r := runScriptInProcess(t, "scripts/lookup.lua", "--server", server, name)
		want := "TYPE  VALUE\nTXT   \"" + blanks(size) + "\"\n"
		if r.code != 0 || r.stdout != want {
			t.Fatalf("lookup.lua %s: want status 0 and the TXT record of %d spaces; got %v", name, size, r.result)
		}
		work[i] = r.work
	}
	assertLinear(t, "lookup.lua, a TXT record of blanks", n, work[0], work[1])
}
