//go:build !unix

package bindings

import "net"

// useRawReads is a no-op off Unix systems: Windows' sockets are read with
// a buffer of their own (overlapped I/O), so a conn keeps its read buffer
// as before.
func (b *bufReader) useRawReads(nc net.Conn) {}

// rawError is never called off Unix systems: no conn has a raw source.
func (b *bufReader) rawError(err error) error { return err }
