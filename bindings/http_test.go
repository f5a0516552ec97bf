package bindings

import (
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/httppeer"
)

// testdata/http_test.lua tests stdlib/http.lua against a real HTTP/1.1
// server, Python's http.server running testdata/http_peer.py (started by
// package httppeer on a loopback port), whose address reaches the Lua
// tests as the global HTTP_PEER; and against fake servers and http.serve
// written in Lua.
func init() {
	luaSetup["http"] = func(t *testing.T) map[string]string {
		return map[string]string{"HTTP_PEER": httppeer.Start(t)}
	}
}
