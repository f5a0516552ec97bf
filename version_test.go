package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// TestVersionNamesTheCommit builds the program as a user does in a git
// checkout and checks that --version names the commit it was built from:
// the go command stamps the revision into the binary (build info), and
// nothing has to be passed by hand.
func TestVersionNamesTheCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program")
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("git rev-parse HEAD: %v (CI runs in a clone)", err)
		}
		t.Skipf("not a git checkout: %v", err)
	}
	rev := strings.TrimSpace(string(head))[:12]
	// In a linked worktree (git worktree add) .git is a file, and the go
	// command stamps no VCS information (it looks for a .git directory).
	if fi, err := os.Stat(".git"); err == nil && !fi.IsDir() {
		t.Skip("a git worktree: the go command does not stamp VCS information there")
	}
	bin := filepath.Join(t.TempDir(), "gonetrepl")
	// -buildvcs=true: GOFLAGS may say false (it does on some machines), and
	// auto is what a plain go build in a checkout means.
	build := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatalf("--version: %v", err)
	}
	line := string(out)
	for _, want := range []string{"gonetrepl v0.0.0-", "-" + rev, "revision " + rev, "Lua 5.1", "go1."} {
		if !strings.Contains(line, want) {
			t.Errorf("--version printed %q, want it to contain %q", line, want)
		}
	}
}

// TestVersionLine covers what the build info can say: a tagged install, a
// build outside any module information, and a packager's -X override.
func TestVersionLine(t *testing.T) {
	tagged := &debug.BuildInfo{Main: debug.Module{Path: "github.com/gonetrepl/gonetrepl", Version: "v1.2.3"}}
	checkout := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "017f323401330c29e20c1db1abc54c9710ce36cb"},
		{Key: "vcs.time", Value: "2026-12-04T17:35:36Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	tests := []struct {
		name     string
		info     *debug.BuildInfo
		ok       bool
		override string
		want     string
	}{
		{"go install @v1.2.3", tagged, true, "", "gonetrepl v1.2.3 (no VCS revision; "},
		{"checkout", checkout, true, "", "gonetrepl devel (revision 017f32340133 with uncommitted changes, 2026-12-04T17:35:36Z; "},
		{"no build info", nil, false, "", "gonetrepl devel (no VCS revision; "},
		{"go install @pseudo-version", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261204173902-6f4b928819a6"}}, true, "",
			"gonetrepl v0.0.0-20261204173902-6f4b928819a6 (revision 6f4b928819a6; "},
		{"go install @pre-release pseudo-version", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.4-0.20261204173902-6f4b928819a6+dirty"}}, true, "",
			"gonetrepl v1.2.4-0.20261204173902-6f4b928819a6+dirty (revision 6f4b928819a6; "},
		{"-X main.version", tagged, true, "1.2.3-debian1", "gonetrepl 1.2.3-debian1 (no VCS revision; "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readBuildVersion(tt.info, tt.ok, tt.override).String()
			if !strings.HasPrefix(got, tt.want) || !strings.Contains(got, interpreter) {
				t.Errorf("got %q, want it to start with %q and name %q", got, tt.want, interpreter)
			}
		})
	}
}
