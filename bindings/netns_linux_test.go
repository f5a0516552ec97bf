package bindings

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/peer"
)

// netnsRun describes one re-execution of this test binary inside a
// private network namespace, where nothing reaches the host's network and
// every port, low ones included, is free.
type netnsRun struct {
	setup string   // shell commands run first, as root of the namespace
	mount bool     // a private mount namespace too, for bind mounts over /etc files
	run   string   // the -test.run pattern of the tests to run there
	env   []string // more environment for the binary
}

// runInNetns re-executes this test binary inside a private network
// namespace made with unshare (and a mount namespace if r.mount), after
// r.setup, with netnsEnv=1 in its environment, and returns its verbose
// output. The test fails if the tests there fail. Without unshare or
// namespaces it skips, and fails when CI=true.
func runInNetns(t *testing.T, r netnsRun) string {
	t.Helper()
	unshare := peer.Find(t, "unshare", "util-linux")
	ip := peer.Find(t, "ip", "iproute2")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// PATH gains ip's directory (/usr/sbin may be missing from it).
	env := append(os.Environ(), netnsEnv+"=1", "PATH="+os.Getenv("PATH")+":"+dirOf(ip))
	env = append(env, r.env...)
	flags := unshareArgs()
	if r.mount {
		flags = append(flags, "--mount")
	}
	probe := exec.CommandContext(ctx, unshare, append(flags, "sh", "-c", r.setup)...)
	probe.Env = env
	if out, err := probe.CombinedOutput(); err != nil {
		msg := "no private network namespace here (" + err.Error() + "): " + strings.TrimSpace(string(out))
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s: required when CI=true", msg)
		}
		t.Skip(msg)
	}
	args := append(flags, "sh", "-c", r.setup+`exec "$@"`, "sh",
		os.Args[0], "-test.run="+r.run, "-test.v", "-test.count=1", "-test.timeout=2m")
	cmd := exec.CommandContext(ctx, unshare, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("tests in the namespace: %v\n%s", err, out)
	}
	return string(out)
}

// unshareArgs is the unshare command line that makes a private network
// namespace: as root, a plain one; otherwise inside a user namespace
// where this user is root (which needs unprivileged user namespaces).
func unshareArgs() []string {
	if os.Geteuid() == 0 {
		return []string{"--net"}
	}
	return []string{"--net", "--map-root-user"}
}

func dirOf(p string) string {
	if i := strings.LastIndexByte(p, '/'); i > 0 {
		return p[:i]
	}
	return "."
}
