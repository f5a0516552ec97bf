//go:build !linux

package bindings

import "net"

// ownGroupsOnly does nothing here: Linux's IP_MULTICAST_ALL has no
// counterpart to set, and the system's own rule applies.
func ownGroupsOnly(c *net.UDPConn, v6 bool) error { return nil }
