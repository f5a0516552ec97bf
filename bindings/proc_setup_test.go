package bindings

import (
	"runtime"
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/peer"
)

// The proc Lua tests run real programs: cat, sh, sleep, true (coreutils
// and dash, always on Debian) and python3 (for the pty). Their paths are
// the globals CAT, SH, SLEEP, TRUE and PYTHON3. Process tubes are Unix only.
func init() {
	luaSetup["proc"] = func(t *testing.T) map[string]string {
		if runtime.GOOS == "windows" {
			t.Skip("process tubes are not supported on Windows")
		}
		return map[string]string{
			"CAT":     peer.Find(t, "cat", "coreutils"),
			"SH":      peer.Find(t, "sh", "dash"),
			"SLEEP":   peer.Find(t, "sleep", "coreutils"),
			"TRUE":    peer.Find(t, "true", "coreutils"),
			"PYTHON3": peer.Find(t, "python3", "python3"),
		}
	}
}
