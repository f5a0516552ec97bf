package bindings

import (
	"bytes"
	"context"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Read buffer sizes. A conn starts with a small buffer, made on first read;
// it grows while reads keep filling it (a bulk transfer), up to bulkBuf, and
// further only as far as an operation's own cap asks (a long line, a big
// read_full).
const (
	initialBuf = 1 << 10
	bulkBuf    = 64 << 10
)

// bufReader is the one read buffer of a conn. Every read method of every
// stream conn (tcp, unix, pipe) goes through it, so mixing read_line,
// read_full, read and read_all never loses or reorders bytes, and a read
// that fails consumes nothing: its bytes stay for the next call.
type bufReader struct {
	src io.Reader
	// raw, if set, is src's socket read directly (useRawReads): fill waits
	// for it with no buffer, and a buffer of readBufs drained by a read
	// that did not fill it goes back to the pool. rawFn is readFD, bound
	// once; rawN, rawErr and rawBuf are its results. Used under op.
	raw    syscall.RawConn
	rawFn  func(fd uintptr) bool
	rawN   int
	rawErr error
	rawBuf *[initialBuf]byte

	// op is held for a whole read operation, across src.Read: reads by
	// several tasks on one conn queue up, as in Go. A read waiting for it
	// gives up when its task is canceled.
	op opLock
	// mu guards buf, r and w. It is held only briefly, never across
	// src.Read, so buffered() can look at unread bytes while a read waits.
	mu   sync.Mutex
	buf  []byte
	r, w int  // unread bytes are buf[r:w]
	full bool // the last fill filled all free space: a bulk transfer
	// taken counts the bytes consumed so far. A scan that remembers how
	// far it got in the unread bytes between two calls (scanUntil,
	// scanPattern) starts over when it changed: another read took bytes
	// in between (after tryBuffered let op go, before readIn took it).
	// Written under op and mu; scans read it under op.
	taken uint64
}

// A scanFunc looks for what an operation wants in the unread bytes. It
// returns done with the result (consuming it), or an error (consuming
// nothing), or neither to ask for more data. atEOF is true once the source
// has ended: the scan then decides whether what is there is a result.
// Scans run with op held.
type scanFunc func(atEOF bool) (result string, done bool, err error)

// unread returns the unread bytes. The caller holds op (so they cannot
// change) or mu.
func (b *bufReader) unread() []byte { return b.buf[b.r:b.w] }

// consume drops n unread bytes after s has been taken from them.
func (b *bufReader) consume(n int) {
	b.mu.Lock()
	b.r += n
	b.taken += uint64(n)
	if b.r == b.w {
		b.r, b.w = 0, 0
		if b.raw != nil && !b.full && len(b.buf) == initialBuf {
			readBufs.Put((*[initialBuf]byte)(b.buf))
			b.buf = nil
		}
	}
	b.mu.Unlock()
}

// readBufs holds the first-size read buffers of conns with a raw source,
// between the reads that use them.
var readBufs = sync.Pool{New: func() any { return new([initialBuf]byte) }}

// take returns the first n unread bytes as a string and consumes them plus
// skip more (a delimiter).
func (b *bufReader) take(n, skip int) string {
	s := string(b.buf[b.r : b.r+n])
	b.consume(n + skip)
	return s
}

// buffered copies the unread bytes without consuming them. It does not wait
// for a read in progress.
func (b *bufReader) buffered() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf[b.r:b.w])
}

// tail returns how many bytes are unread and a copy of the last of them,
// at most n: what a timeout's message shows of what had arrived, without
// copying a big buffer.
func (b *bufReader) tail(n int) (int, string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	unread := b.w - b.r
	return unread, string(b.buf[b.w-min(n, unread) : b.w])
}

// fill reads once from the source into free space, making room first: by
// moving unread bytes to the front, or by growing the buffer toward need
// (the most unread bytes the operation may have to hold). Data that arrives
// with an error is kept; the error comes back on the next fill. The caller
// holds op.
func (b *bufReader) fill(need int) error {
	if b.buf == nil && b.raw != nil {
		return b.fillRaw()
	}
	b.mu.Lock()
	if b.buf == nil {
		b.buf = make([]byte, initialBuf)
	}
	if b.r > 0 && (b.w == len(b.buf) || b.r == b.w) {
		copy(b.buf, b.buf[b.r:b.w])
		b.w -= b.r
		b.r = 0
	}
	free := len(b.buf) - b.w
	if free == 0 || (b.full && b.w == 0 && len(b.buf) < bulkBuf && need > len(b.buf)) {
		size := 2 * len(b.buf)
		if size > need && need > len(b.buf) {
			size = need
		}
		grown := make([]byte, size)
		copy(grown, b.buf[b.r:b.w])
		b.w -= b.r
		b.r = 0
		b.buf = grown
	}
	dst := b.buf[b.w:]
	b.mu.Unlock()

	n, err := b.src.Read(dst)

	b.mu.Lock()
	b.w += n
	b.full = n == len(dst)
	b.mu.Unlock()
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	if isErrno(err, errnosReadShutdown) {
		err = io.EOF // after close_read, as on Unix systems
	}
	return err
}

// fillRaw is fill for a conn with a raw source and no buffer: it waits for
// the socket to be readable and reads into a buffer from readBufs, which
// then becomes the conn's. Errors are those of the socket's own Read.
func (b *bufReader) fillRaw() error {
	err := b.raw.Read(b.rawFn)
	p, n := b.rawBuf, b.rawN
	b.rawBuf = nil
	if err == nil && n > 0 {
		b.mu.Lock()
		b.buf, b.r, b.w = p[:], 0, n
		b.full = n == initialBuf
		b.mu.Unlock()
		if t, ok := b.src.(traceReader); ok && t.c.tr.mode() != traceOff {
			t.c.tr.record(t.c, "<", bytesWhat("read", n), p[:n])
		}
		return nil
	}
	if err == nil {
		err = b.rawErr
	}
	return b.rawError(err)
}

// scanSome returns up to max unread bytes, whatever is there.
func (b *bufReader) scanSome(maxLen int) scanFunc {
	return func(atEOF bool) (string, bool, error) {
		n := b.w - b.r
		if n == 0 {
			return "", false, nil
		}
		return b.take(min(n, maxLen), 0), true, nil
	}
}

// scanFull returns exactly n bytes.
func (b *bufReader) scanFull(n int) scanFunc {
	return func(atEOF bool) (string, bool, error) {
		if b.w-b.r < n {
			return "", false, nil
		}
		return b.take(n, 0), true, nil
	}
}

// scanExamined counts the bytes scanUntil has searched, all conns
// together: a test checks that a line arriving a byte at a time is
// searched once, not once per arrival.
var scanExamined atomic.Int64

// scanUntil returns the bytes before delim, consuming delim too, and
// returning it at their end if keep is set. More than max bytes without
// delim is a TooLargeError. If line is set, EOF ends a last unterminated
// line (as Lua's io does) and a trailing '\r' is dropped.
func (b *bufReader) scanUntil(delim []byte, maxLen int, what string, line, keep bool) scanFunc {
	searched := 0 // unread bytes already searched, minus a possible partial delim
	var taken uint64
	return func(atEOF bool) (string, bool, error) {
		data := b.unread()
		if b.taken != taken { // another read took bytes: search them all
			searched, taken = 0, b.taken
		}
		scanExamined.Add(int64(len(data) - searched))
		if i := bytes.Index(data[searched:], delim); i >= 0 {
			i += searched
			n := i
			if line && n > 0 && data[n-1] == '\r' {
				n--
			}
			if n > maxLen {
				return "", false, &TooLargeError{What: what, Limit: maxLen}
			}
			if keep {
				n = i + len(delim)
			}
			s := string(data[:n])
			b.consume(i + len(delim))
			return s, true, nil
		}
		searched = max(0, len(data)-len(delim)+1)
		limit := maxLen
		if line {
			limit++ // room for a '\r' before the '\n'
		}
		if len(data)-len(delim)+1 > limit {
			return "", false, &TooLargeError{What: what, Limit: maxLen}
		}
		if atEOF && line && len(data) > 0 {
			n := len(data)
			if data[n-1] == '\r' {
				n--
			}
			if n > maxLen {
				return "", false, &TooLargeError{What: what, Limit: maxLen}
			}
			return b.take(n, len(data)-n), true, nil
		}
		return "", false, nil
	}
}

// scanUntilAny is scanUntil for a list of delimiters: the earliest match
// among the bytes that have arrived wins (at the same place, the first
// listed), and *matched is set to its index.
func (b *bufReader) scanUntilAny(delims [][]byte, maxLen int, keep bool, matched *int) scanFunc {
	longest := 0
	for _, d := range delims {
		longest = max(longest, len(d))
	}
	searched := 0 // as scanUntil's, for the longest delimiter
	var taken uint64
	return func(atEOF bool) (string, bool, error) {
		data := b.unread()
		if b.taken != taken {
			searched, taken = 0, b.taken
		}
		at, which := -1, -1
		for k, d := range delims {
			end := len(data)
			if at >= 0 {
				end = min(end, at+len(d)) // only an earlier start can win
			}
			if i := bytes.Index(data[searched:end], d); i >= 0 && (at < 0 || searched+i < at) {
				at, which = searched+i, k
			}
		}
		if at >= 0 {
			if at > maxLen {
				return "", false, &TooLargeError{What: "data", Limit: maxLen}
			}
			n := at
			if keep {
				n += len(delims[which])
			}
			s := string(data[:n])
			b.consume(at + len(delims[which]))
			*matched = which
			return s, true, nil
		}
		searched = max(0, len(data)-longest+1)
		if len(data)-longest+1 > maxLen {
			return "", false, &TooLargeError{What: "data", Limit: maxLen}
		}
		return "", false, nil
	}
}

// scanAll returns everything up to EOF, at most max bytes.
func (b *bufReader) scanAll(maxLen int) scanFunc {
	return func(atEOF bool) (string, bool, error) {
		if b.w-b.r > maxLen {
			return "", false, &TooLargeError{What: "data", Limit: maxLen}
		}
		if !atEOF {
			return "", false, nil
		}
		return b.take(b.w-b.r, 0), true, nil
	}
}

// tryBuffered runs scan on the buffer alone, without waiting: the fast path
// taken with the interpreter lock held. ok is false when the scan needs more
// data or another read is in progress.
func (b *bufReader) tryBuffered(scan scanFunc) (s string, err error, ok bool) {
	if !b.op.TryLock() {
		return "", nil, false
	}
	defer b.op.Unlock()
	if b.r == b.w {
		return "", nil, false
	}
	s, done, err := scan(false)
	return s, err, done || err != nil
}

// readIn runs scan, filling the buffer until it is satisfied, fails, or the
// source ends, for the task whose context is ctx: it gives up when ctx
// ends, and each fill from the socket runs as call (nil: none), so that
// only this call's deadline and cancel end it. It may wait: call it with
// the interpreter lock released.
func (b *bufReader) readIn(ctx context.Context, call *ioCall, scan scanFunc, need int) (string, error) {
	var by time.Time
	if call != nil {
		by = call.by
	}
	if err := b.op.LockContext(ctx, by); err != nil {
		return "", err
	}
	defer b.op.Unlock()
	// The gate's loop (ioCall.do) written out: one frame fewer under every
	// parked read keeps a served conn's task within a 4 KiB stack.
	// gen is the generation of the deadline the next fill runs under, as
	// enter and retry tell it; after a fill that did not fail, it is read
	// again.
	var gen uint64
	if call != nil {
		var id uint64
		id, gen = call.g.enter(call.side, ctx, call.by)
		defer call.g.leave(id)
	}
	filled := false
	for {
		s, done, err := scan(false)
		if done || err != nil {
			return s, err
		}
		if call != nil {
			if err := ctx.Err(); err != nil {
				return "", err
			}
			if filled {
				gen = call.g.generation()
			}
		}
		err = b.fill(need)
		if filled = err == nil; filled {
			continue
		}
		if call != nil {
			if again, next := call.g.retry(ctx, call.by, err, gen); again {
				gen = next
				continue
			}
		}
		if err == io.EOF {
			if s, done, serr := scan(true); done || serr != nil {
				return s, serr
			}
		}
		return "", err
	}
}

// opLock is a mutex whose Lock can give up when a context ends. Its zero
// value is unlocked. Uncontended, it is two atomics and allocates nothing
// (every conn has two, and a served conn's memory counts); a waiter makes
// the channel that the next Unlock closes to wake every waiter, which then
// race for the lock again. Waiters are not served in order.
type opLock struct {
	held    atomic.Bool
	waiting atomic.Int32  // calls in LockContext's slow path
	mu      sync.Mutex    // guards wake
	wake    chan struct{} // closed by the Unlock after it was made
}

// LockContext locks, or returns ctx's error if ctx ends first, or
// os.ErrDeadlineExceeded if by (zero: none) comes first: a call waiting
// behind another keeps its own deadline.
func (l *opLock) LockContext(ctx context.Context, by time.Time) error {
	if l.TryLock() {
		return nil
	}
	l.waiting.Add(1)
	defer l.waiting.Add(-1)
	var expired <-chan time.Time
	if !by.IsZero() {
		timer := time.NewTimer(time.Until(by))
		defer timer.Stop()
		expired = timer.C
	}
	for {
		// The channel is taken before trying again: an Unlock after the
		// try sees waiting > 0 and closes this channel (or a later one
		// that another waiter made, after closing this one).
		l.mu.Lock()
		if l.wake == nil {
			l.wake = make(chan struct{})
		}
		wake := l.wake
		l.mu.Unlock()
		if l.TryLock() {
			return nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		case <-expired:
			return os.ErrDeadlineExceeded
		}
	}
}

func (l *opLock) TryLock() bool { return l.held.CompareAndSwap(false, true) }

func (l *opLock) Unlock() {
	l.held.Store(false)
	if l.waiting.Load() == 0 {
		return
	}
	l.mu.Lock()
	if l.wake != nil {
		close(l.wake)
		l.wake = nil
	}
	l.mu.Unlock()
}
