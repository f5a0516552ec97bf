package bindings

import (
	"net"
	"os"
	"testing"

	"golang.org/x/sys/windows"
)

// TestWindowsErrnoKinds: Windows sockets fail with WSA codes, which the
// Unix names in syscall do not match; each gets its kind.
func TestWindowsErrnoKinds(t *testing.T) {
	for _, c := range []struct {
		errno error
		kind  string
	}{
		{windows.WSAECONNREFUSED, kindRefused},
		{windows.WSAECONNRESET, kindReset},
		{windows.WSAECONNABORTED, kindReset},
		{windows.WSAEADDRINUSE, kindAddrInUse},
		{windows.WSAENETUNREACH, kindUnreach},
		{windows.WSAEHOSTUNREACH, kindUnreach},
		{windows.WSAEMSGSIZE, kindTooLarge},
	} {
		err := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connectex", c.errno)}
		if got := classify(err); got != c.kind {
			t.Errorf("%v: kind %q, want %q", c.errno, got, c.kind)
		}
	}
}
