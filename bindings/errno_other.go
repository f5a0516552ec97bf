//go:build !windows

package bindings

import "syscall"

// The system errors behind each error kind (classify) and the other
// decisions made on an errno; errno_windows.go has Windows' own codes.
var (
	errnosRefused   = []error{syscall.ECONNREFUSED}
	errnosReset     = []error{syscall.ECONNRESET, syscall.EPIPE, syscall.ECONNABORTED}
	errnosAddrInUse = []error{syscall.EADDRINUSE}
	errnosUnreach   = []error{syscall.ENETUNREACH, syscall.EHOSTUNREACH}
	// errnosMsgSize: a datagram too big to send (here; Windows also
	// reports one too big to receive so).
	errnosMsgSize = []error{syscall.EMSGSIZE}
	// errnosOutOfResources: accept ran out of descriptors or memory for
	// a moment (ln:serve waits and retries).
	errnosOutOfResources = []error{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED}
	// errnosReadShutdown: a read after close_read, which is EOF. Unix
	// systems return no bytes, which is EOF already.
	errnosReadShutdown []error
)

// msgTrunc is the flag recvmsg(2) sets on a datagram cut to the buffer.
const msgTrunc = syscall.MSG_TRUNC
