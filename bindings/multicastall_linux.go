package bindings

import (
	"net"

	"golang.org/x/sys/unix"
)

// ownGroupsOnly makes c receive multicast only for the groups c itself
// joined. Linux's default (IP_MULTICAST_ALL on) gives a socket bound to
// the wildcard address the datagrams of every group any socket of the
// host joined, so a socket that left a group kept getting it while
// another member stayed. IPV6_MULTICAST_ALL needs Linux 4.20: its error
// on an older kernel is ignored (that kernel keeps the default).
func ownGroupsOnly(c *net.UDPConn, v6 bool) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		if v6 {
			unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_ALL, 0)
			return
		}
		serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_MULTICAST_ALL, 0)
	})
	if err != nil {
		return err
	}
	return serr
}
