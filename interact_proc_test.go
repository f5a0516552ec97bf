package main

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/peer"
)

// TestInteractWithAProcess: interact(p) on a process tube, as pwntools'
// process(...).interactive(): the child's output shows, a typed line is its
// stdin, and its exit returns to the script.
func TestInteractWithAProcess(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("process tubes are not supported on Windows")
	}
	sh := peer.Find(t, "sh", "dash")
	script := filepath.Join(t.TempDir(), "local.lua")
	src := `local p = assert(proc.spawn({"` + sh + `", "-c", 'echo ready; read line; echo "got $line"'}))
print("interact returned", interact(p))
print("exit", p:wait(10))
`
	if err := os.WriteFile(script, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startOnPty(t, screenCols, "", nil, "--no-color", script)
	s.expect(`\[interact with `)
	s.expect(`ready\n`)
	s.send("hi there\r")
	s.expect(`got hi there\n[ \x08]*\[closed by peer\]\n`)
	s.expect(`interact returned\ttrue\n`)
	s.expect(`exit\t0\n`)
	s.waitExit(0)
}
