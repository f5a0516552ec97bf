package bindings

import (
	"errors"
	"net"
	"testing"

	"golang.org/x/sys/windows"
)

// TestUDPTooLongIsTooLargeOnWindows: Windows drops a datagram longer than
// the buffer and fails the read (WSAEMSGSIZE), where Unix systems cut it
// and flag it: read_from is nil, err of kind too_large, and the next
// datagram reads as usual.
func TestUDPTooLongIsTooLargeOnWindows(t *testing.T) {
	if pc, err := net.ListenPacket("udp", "127.0.0.1:0"); errors.Is(err, windows.WSAEOPNOTSUPP) {
		t.Skipf("no UDP here (Wine 8 lacks SIO_UDP_CONNRESET, which Go sets): %v", err)
	} else if err == nil {
		pc.Close()
	}
	runLuaWith(t, nil, `
		local pc = assert(net.listen_packet("udp", "127.0.0.1:0"))
		pc:set_timeout(5)
		assert(pc:write_to(("z"):rep(100), pc:local_addr()))
		local data, err = pc:read_from(10)
		assert(data == nil and err.kind == "too_large", tostring(err))
		assert(tostring(err):find("datagram longer than max (10 bytes), dropped", 1, true), tostring(err))
		assert(pc:write_to("after", pc:local_addr()))
		local after = assert(pc:read_from(10))
		assert(after == "after", after)
		pc:close()
	`)
}
