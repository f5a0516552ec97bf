//go:build !unix

package bindings

import (
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// nowWriter is unused off Unix systems: no conn has a raw source there.
type nowWriter struct{}

func newNowWriter() *nowWriter { return nil }

// writeNow writes nothing off Unix systems: every write takes the waiting
// path.
func (rt *Runtime) writeNow(L *lua.LState, c *Conn, p []byte, by time.Time) int { return 0 }

// writeSocketNow writes nothing off Unix systems, either.
func (rt *Runtime) writeSocketNow(c *Conn, p []byte, by time.Time) int { return 0 }
