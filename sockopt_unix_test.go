//go:build unix

package main

import "syscall"

// setRecvBuffer sets the socket fd's receive buffer (SO_RCVBUF) to n
// bytes, before it connects (a Dialer's Control).
func setRecvBuffer(fd uintptr, n int) error {
	return syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, n)
}
