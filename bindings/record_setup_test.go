package bindings

import (
	"runtime"
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/peer"
)

// The record Lua tests write their transcripts in DIR, a fresh temporary
// directory, and spawn CAT (coreutils) for a process tube (Unix only: on
// Windows CAT is "" and that test returns early).
func init() {
	luaSetup["record"] = func(t *testing.T) map[string]string {
		g := map[string]string{"DIR": t.TempDir(), "CAT": ""}
		if runtime.GOOS != "windows" {
			g["CAT"] = peer.Find(t, "cat", "coreutils")
		}
		return g
	}
}
