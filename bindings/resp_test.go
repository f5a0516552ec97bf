package bindings

import (
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/redistest"
)

// testdata/resp_test.lua tests stdlib/resp.lua against a real Redis:
// redis-server, started here on a loopback port with no persistence (see
// package redistest). Its address reaches the Lua tests as the global
// REDIS_ADDR.
func init() {
	luaSetup["resp"] = func(t *testing.T) map[string]string {
		return map[string]string{"REDIS_ADDR": redistest.Start(t)}
	}
}
