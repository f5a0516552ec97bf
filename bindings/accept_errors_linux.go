package bindings

import "syscall"

// acceptNetErrors are the errors accept(2) passes on from a connection
// that failed in the backlog (see isAcceptNetError). ENONET is Linux's.
var acceptNetErrors = []syscall.Errno{syscall.ENETDOWN, syscall.EPROTO, syscall.ENOPROTOOPT,
	syscall.EHOSTDOWN, syscall.ENONET, syscall.EHOSTUNREACH, syscall.EOPNOTSUPP, syscall.ENETUNREACH}
