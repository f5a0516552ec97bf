package bindings

import (
	"os"
	"testing"
)

// netnsEnv is set to 1 in the environment of a test binary that
// TestMulticastNetns runs inside a private network namespace.
const netnsEnv = "GONETREPL_TEST_NETNS"

// The multicast Lua tests send to groups on lo, which needs lo set up
// for multicast: they run only inside the namespace TestMulticastNetns
// makes (Linux), never on the host's own network.
func init() {
	luaSetup["multicast"] = func(t *testing.T) map[string]string {
		if os.Getenv(netnsEnv) != "1" {
			t.Skip("runs inside a private network namespace, in TestMulticastNetns")
		}
		return nil
	}
}
