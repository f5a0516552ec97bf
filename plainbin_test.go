package main

// A gonetrepl built without the race detector, for the tests whose
// processes only run Lua and print text to be compared with lua5.1's
// (lua51_syntax_test.go, lua51_errors_test.go, osdate_lua51_test.go): 400
// processes in all, each a single Lua state on one goroutine, where the
// race detector has nothing to watch and costs most of the time (a
// process of the test binary built with -race takes 0.1 s of CPU to start
// where the plain program takes 0.01 s; testdata/osdate/compare.lua runs
// in 1.8 s with it and 0.5 s without). Every other test still runs the
// program under the race detector (command).

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// plainBin is the program built once per run of the package's tests, on
// first use.
var plainBin struct {
	once sync.Once
	dir  string // a temporary directory removed by TestMain
	path string
	err  error
	out  []byte
}

// plainCommand is command for a process that needs no race check: the
// same arguments and environment, run by a gonetrepl built without -race
// (go build, whose packages CI has just built for go vet). When the tests
// themselves run without -race, it is command.
func plainCommand(t testing.TB, args ...string) *exec.Cmd {
	t.Helper()
	if !wireRace() {
		return command(args...)
	}
	plainBin.once.Do(func() {
		plainBin.dir, plainBin.err = os.MkdirTemp("", "gonetrepl-plain-")
		if plainBin.err != nil {
			return
		}
		plainBin.path = filepath.Join(plainBin.dir, "gonetrepl")
		build := exec.Command("go", "build", "-buildvcs=false", "-o", plainBin.path, ".")
		plainBin.out, plainBin.err = build.CombinedOutput()
	})
	if plainBin.err != nil {
		t.Fatalf("go build (gonetrepl without -race): %v\n%s", plainBin.err, plainBin.out)
	}
	cmd := command(args...)
	cmd.Path, cmd.Args[0] = plainBin.path, plainBin.path
	return cmd
}

// removePlainBin removes the program plainCommand built, if it did.
func removePlainBin() {
	if plainBin.dir != "" {
		os.RemoveAll(plainBin.dir)
	}
}

// runPlainCLIEnv is runCLIEnv by the program plainCommand runs.
func runPlainCLIEnv(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	p := startCmd(t, plainCommand(t, args...), env, stdin, args)
	code := p.wait(runTimeout)
	return result{stdout: p.stdout.String(), stderr: p.stderr.String(), code: code}
}
