//go:build unix

package main

import "golang.org/x/sys/unix"

// outputGone reports whether stdout or stderr is a pipe (or socket) whose
// reading end has closed: a SIGPIPE then means the output is gone, as for
// "gonetrepl server.lua | head -1", and the process ends as a shell
// pipeline expects. Any other SIGPIPE comes from a socket.
func outputGone() bool {
	fds := []unix.PollFd{{Fd: 1, Events: unix.POLLOUT}, {Fd: 2, Events: unix.POLLOUT}}
	if _, err := unix.Poll(fds, 0); err != nil {
		return false
	}
	for _, f := range fds {
		if f.Revents&(unix.POLLERR|unix.POLLHUP) != 0 {
			return true
		}
	}
	return false
}
