package bindings

// Causal order of traced events across sockets. A write is logged after
// the socket took its bytes, so the writing goroutine can be descheduled
// between the two while the peer answers and another goroutine reads and
// logs the answer: a relay's transcript then showed a client's next
// request before the reply it waited for, and replaying it deadlocked. So
// each traced write is registered before it starts, and the logging of a
// read waits until the writes begun before it have been logged, for at
// most writeOrderWait: a write blocked on a peer that does not read is not
// waited for longer (what it wrote is then logged after the read).

import (
	"sync"
	"sync/atomic"
	"time"
)

// writeOrderWait bounds how long the logging of a read waits for writes
// begun before it. A descheduled goroutine on a loaded machine can take
// tens of milliseconds to run again.
const writeOrderWait = 100 * time.Millisecond

// writeOrder is a runtime's traced writes in flight (traceState.order).
type writeOrder struct {
	n        atomic.Int32 // len(inflight), read without the lock
	mu       sync.Mutex
	next     uint64
	inflight map[uint64]time.Time // when each write began
	changed  chan struct{}        // closed (and dropped) when a write ends
}

// begin registers a write about to start; end(id) once it is logged.
func (o *writeOrder) begin() uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.inflight == nil {
		o.inflight = map[uint64]time.Time{}
	}
	o.next++
	o.inflight[o.next] = time.Now()
	o.n.Add(1)
	return o.next
}

func (o *writeOrder) end(id uint64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.inflight, id)
	o.n.Add(-1)
	if o.changed != nil {
		close(o.changed)
		o.changed = nil
	}
}

// await returns once every write begun before it was called has been
// logged, or has been in flight for writeOrderWait, or writeOrderWait has
// passed.
func (o *writeOrder) await() {
	if o.n.Load() == 0 {
		return
	}
	now := time.Now()
	var timeout <-chan time.Time
	for {
		o.mu.Lock()
		pending := false
		for _, began := range o.inflight {
			if !began.After(now) && now.Sub(began) < writeOrderWait {
				pending = true
				break
			}
		}
		if !pending {
			o.mu.Unlock()
			return
		}
		if o.changed == nil {
			o.changed = make(chan struct{})
		}
		changed := o.changed
		o.mu.Unlock()
		if timeout == nil {
			t := time.NewTimer(writeOrderWait)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-changed:
		case <-timeout:
			return
		}
	}
}

// beginWrite registers a write on the socket if it is traced or recorded
// (0 if not); endWrite(id) follows once the write is logged.
func (t *sockTrace) beginWrite() uint64 {
	if t.all == nil || t.mode() == traceOff {
		return 0
	}
	return t.all.order.begin()
}

func (t *sockTrace) endWrite(id uint64) {
	if id != 0 {
		t.all.order.end(id)
	}
}

// awaitWrites is called before a read is logged: see writeOrder.
func (t *sockTrace) awaitWrites() {
	if t.all != nil {
		t.all.order.await()
	}
}
