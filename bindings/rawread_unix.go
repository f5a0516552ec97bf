//go:build unix

package bindings

import (
	"io"
	"net"
	"os"
	"syscall"
)

// useRawReads gives b a raw source when nc is a TCP or Unix stream socket:
// fill then waits for the socket to be readable holding no buffer, and
// takes one from readBufs only when there are bytes to read. A served
// conn spends most of its life parked in a read; without this, each held
// a 1 KiB buffer while it waited.
func (b *bufReader) useRawReads(nc net.Conn) {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return
	}
	switch nc.(type) {
	case *net.TCPConn, *net.UnixConn:
	default:
		return
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return
	}
	b.raw = rc
	b.rawFn = b.readFD
}

// readFD is the raw source's read, called by the poller with the socket's
// descriptor: false asks it to wait until the socket is readable. Its
// results go to rawN, rawErr and rawBuf (a buffer of readBufs, when bytes
// came). The caller holds op.
func (b *bufReader) readFD(fd uintptr) bool {
	p := readBufs.Get().(*[initialBuf]byte)
	n, err := syscall.Read(int(fd), p[:])
	for err == syscall.EINTR {
		n, err = syscall.Read(int(fd), p[:])
	}
	if err == syscall.EAGAIN {
		readBufs.Put(p)
		return false
	}
	if n <= 0 {
		readBufs.Put(p)
		n, p = 0, nil
	}
	b.rawN, b.rawErr, b.rawBuf = n, err, p
	return true
}

// rawError turns what a raw read ended with into what the socket's own
// Read would have returned: io.EOF for an orderly end, else a *net.OpError
// "read" between the conn's addresses, around the same cause (a deadline,
// a closed socket, an errno), so that error kinds and messages do not
// depend on the path a read took.
func (b *bufReader) rawError(err error) error {
	t, _ := b.src.(traceReader)
	if err == nil {
		if t.c != nil && t.c.tr.mode() != traceOff {
			t.c.tr.record(t.c, "<", "read EOF", nil)
		}
		return io.EOF
	}
	network := "tcp"
	if t.c != nil {
		network = t.c.network
	}
	if opErr, ok := err.(*net.OpError); ok {
		network, err = opErr.Net, opErr.Err
	} else if errno, ok := err.(syscall.Errno); ok {
		if isErrno(errno, errnosReadShutdown) {
			return io.EOF // after close_read, as fill says
		}
		err = os.NewSyscallError("read", errno)
	}
	var local, remote net.Addr
	if t.r != nil {
		if nc, ok := t.r.(net.Conn); ok {
			local, remote = nc.LocalAddr(), nc.RemoteAddr()
		}
	}
	return &net.OpError{Op: "read", Net: network, Source: local, Addr: remote, Err: err}
}
