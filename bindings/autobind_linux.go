package bindings

import (
	"context"
	"os"
	"syscall"
)

// autobind binds a unixgram socket that is dialed without local_addr to a
// fresh abstract name (Linux's autobind), so that the peer can reply.
func autobind(_ context.Context, _, _ string, rc syscall.RawConn) error {
	var err error
	if cerr := rc.Control(func(fd uintptr) { err = syscall.Bind(int(fd), &syscall.SockaddrUnix{}) }); cerr != nil {
		return cerr
	}
	if err != nil {
		return os.NewSyscallError("bind", err)
	}
	return nil
}
