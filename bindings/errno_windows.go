package bindings

import (
	"syscall"

	"golang.org/x/sys/windows"
)

// The system errors behind each error kind (classify) and the other
// decisions made on an errno. Windows sockets fail with WSA codes, which
// syscall's Unix names (ECONNREFUSED...) do not match: both are listed.
var (
	errnosRefused   = []error{windows.WSAECONNREFUSED, syscall.ECONNREFUSED}
	errnosReset     = []error{windows.WSAECONNRESET, windows.WSAECONNABORTED, windows.WSAESHUTDOWN, syscall.ECONNRESET, syscall.EPIPE, syscall.ECONNABORTED}
	errnosAddrInUse = []error{windows.WSAEADDRINUSE, syscall.EADDRINUSE}
	errnosUnreach   = []error{windows.WSAENETUNREACH, windows.WSAEHOSTUNREACH, syscall.ENETUNREACH, syscall.EHOSTUNREACH}
	// errnosMsgSize: a datagram too big to send, or to receive into the
	// buffer (readDatagram).
	errnosMsgSize = []error{windows.WSAEMSGSIZE, syscall.EMSGSIZE}
	// errnosOutOfResources: accept ran out of descriptors or memory for
	// a moment (ln:serve waits and retries).
	errnosOutOfResources = []error{windows.WSAEMFILE, windows.WSAENOBUFS, windows.WSAECONNABORTED,
		syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED}
	// errnosReadShutdown: a read after close_read, which is EOF. Windows
	// fails it with WSAESHUTDOWN, where Unix systems return no bytes.
	errnosReadShutdown = []error{windows.WSAESHUTDOWN}
)

// msgTrunc is 0: Windows does not return a datagram cut to the buffer
// with a flag but fails the read with WSAEMSGSIZE (see readDatagram).
const msgTrunc = 0
