package bindings

// c:clean([secs]): read whatever arrives until the conn has been quiet for
// secs, as pwntools' clean does, to drop a banner or the rest of a reply
// before the next exchange.

import (
	"context"
	"errors"
	"io"
	"os"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

const (
	// defaultCleanQuiet is how long clean waits for more by default.
	defaultCleanQuiet = 50 * time.Millisecond
	// cleanMax is the most clean returns: a peer that never goes quiet
	// ends a call there, the rest staying buffered.
	cleanMax = 1 << 20
)

func (rt *Runtime) connClean(L *lua.LState) int {
	c := rt.checkConn(L)
	quiet := defaultCleanQuiet
	if d, ok := optSeconds(L, 2, "secs"); ok {
		quiet = d
	}
	if c.datagram {
		return rt.pushError(L, c.streamOnly("clean"), "clean", "")
	}
	if quiet == 0 && c.rd.op.TryLock() {
		s := c.rd.take(min(c.rd.w-c.rd.r, cleanMax), 0)
		c.rd.op.Unlock()
		L.Push(lua.LString(s))
		return 1
	}
	base := c.dl.readCall(c.nc, time.Time{})
	var s string
	err := rt.block(L, c.poke, func(ctx context.Context) error {
		var err error
		s, err = c.rd.clean(ctx, base, quiet, cleanMax)
		return err
	})
	if err != nil {
		return rt.pushError(L, c.opError("read", err), "read", "")
	}
	L.Push(lua.LString(s))
	return 1
}

// clean reads until no byte arrives for quiet (or the source ends, or a
// deadline of base passes, or maxLen bytes are unread), then takes what is
// unread, at most maxLen. Another error consumes nothing. It may wait:
// call it with the interpreter lock released.
func (b *bufReader) clean(ctx context.Context, base ioCall, quiet time.Duration, maxLen int) (string, error) {
	for quiet > 0 {
		b.mu.Lock()
		seen := b.w - b.r
		b.mu.Unlock()
		if seen >= maxLen {
			break
		}
		call := base
		call.by = earlier(base.by, time.Now().Add(quiet))
		grown := func(bool) (string, bool, error) { return "", b.w-b.r > seen, nil }
		_, err := b.readIn(ctx, &call, grown, maxLen)
		if err == nil {
			continue
		}
		if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, io.EOF) {
			break
		}
		return "", err
	}
	if err := b.op.LockContext(ctx, time.Time{}); err != nil {
		return "", err
	}
	defer b.op.Unlock()
	return b.take(min(b.w-b.r, maxLen), 0), nil
}
