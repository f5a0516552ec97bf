//go:build !linux

package bindings

import (
	"context"
	"syscall"
)

// autobind does nothing off Linux: there is no abstract namespace to take
// a fresh name from (a bind to an empty path is EINVAL on darwin and
// freebsd), so a unixgram conn dialed without local_addr stays unbound:
// it sends, and replies cannot reach it.
func autobind(context.Context, string, string, syscall.RawConn) error { return nil }
