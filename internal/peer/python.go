package peer

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"
)

// PythonWith returns the path of a python3 that imports module (from the
// Debian package pkg), skipping the test when there is none, or failing it
// when CI is "true". Debian's modules are for /usr/bin/python3, which is
// tried first: the python3 on PATH may be another one (a pyenv shim)
// without them.
func PythonWith(t testing.TB, module, pkg string) string {
	t.Helper()
	candidates := []string{"/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	for _, p := range candidates {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := exec.CommandContext(ctx, p, "-c", "import "+module).Run()
		cancel()
		if err == nil {
			return p
		}
	}
	msg := "no python3 imports " + module + " (Debian package " + pkg + "; ./test.sh installs it)"
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s: required when CI=true", msg)
	}
	t.Skipf("%s: skipping", msg)
	return ""
}
