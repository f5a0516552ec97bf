package main

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/peer"
)

// TestMultipleAssignmentMatchesLua51: testdata/assign/compare.lua swaps
// and rotates locals, globals, upvalues and table fields, and assigns
// values computed from the variables being assigned; the real lua5.1
// (./test.sh installs it) and gonetrepl must print the same lines. The
// vendored gopher-lua computed a value into its local at once, before
// the values after it ("a, b = b, a" gave b, b: yuin/gopher-lua#440);
// gopher-lua patch 23.
func TestMultipleAssignmentMatchesLua51(t *testing.T) {
	t.Parallel()
	lua51 := peer.Find(t, "lua5.1", "lua5.1")
	const script = "testdata/assign/compare.lua"
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, lua51, script)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("lua5.1 %s: %v", script, err)
	}
	want := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(want) < 20 {
		t.Fatalf("lua5.1 printed %d lines; want the whole script's", len(want))
	}
	r := runCLI(t, "", script)
	if r.code != 0 {
		t.Fatalf("gonetrepl %s: status %d, stderr %q", script, r.code, r.stderr)
	}
	got := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	compareLines(t, "lua5.1", "gonetrepl", want, got)
}
