package bindings

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/peer"
)

// testdata/expect_test.lua talks to a slow peer, as a serial console or a
// telnet daemon sends: a loopback TCP server (global TRICKLE_ADDR) that
// reads a request line "<n>" and answers with a line of n bytes "z", then
// a status line "HTTP/1.0 204 " with a reason of n bytes "r", one byte per
// write (no Nagle delay), pausing a little after each so that most arrive
// one at a time. (time.Sleep's pause is a millisecond or more on a loaded
// machine: the pause spins.)
func init() {
	luaSetup["expect"] = func(t *testing.T) map[string]string {
		return map[string]string{"TRICKLE_ADDR": peer.Serve(t, trickle)}
	}
}

func trickle(c net.Conn) {
	req, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return
	}
	n, err := strconv.Atoi(strings.TrimSuffix(req, "\n"))
	if err != nil {
		return
	}
	out := strings.Repeat("z", n) + "\nHTTP/1.0 204 " + strings.Repeat("r", n) + "\r\n"
	for i := 0; i < len(out); i++ {
		if _, err := c.Write([]byte{out[i]}); err != nil {
			return
		}
		for t0 := time.Now(); time.Since(t0) < 20*time.Microsecond; {
		}
	}
}
