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
	"container/list"
	"sync"
	"sync/atomic"
	"time"
)

// writeOrderWait bounds how long the logging of a read waits for writes
// begun before it. A descheduled goroutine on a loaded machine can take
// tens of milliseconds to run again.
const writeOrderWait = 100 * time.Millisecond

// writeOrder is a runtime's traced writes in flight (traceState.order),
// in the order they began: a read looks at the newest ones only, so its
// cost does not grow with writes stuck on peers that do not read.
type writeOrder struct {
	n       atomic.Int32 // writes in flight, read without the lock
	mu      sync.Mutex
	writes  list.List     // of time.Time: when each write in flight began
	changed chan struct{} // closed (and dropped) when a write ends
}

// begin registers a write about to start; end(w) once it is logged.
func (o *writeOrder) begin() *list.Element {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.n.Add(1)
	return o.writes.PushBack(time.Now())
}

func (o *writeOrder) end(w *list.Element) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.writes.Remove(w)
	o.n.Add(-1)
	if o.changed != nil {
		close(o.changed)
		o.changed = nil
	}
}

// await returns once every write begun before it was called has been
// logged or has been in flight for writeOrderWait: at most writeOrderWait.
func (o *writeOrder) await() {
	if o.n.Load() == 0 {
		return
	}
	now := time.Now()
	for {
		o.mu.Lock()
		// The newest write begun before now; writes after it began
		// after the read and are not waited for, writes before it are
		// older, so they age out first.
		var newest time.Time
		for w := o.writes.Back(); w != nil; w = w.Prev() {
			if began := w.Value.(time.Time); !began.After(now) {
				newest = began
				break
			}
		}
		left := writeOrderWait - time.Since(newest)
		if newest.IsZero() || left <= 0 {
			o.mu.Unlock()
			return
		}
		if o.changed == nil {
			o.changed = make(chan struct{})
		}
		changed := o.changed
		o.mu.Unlock()
		timer := time.NewTimer(left)
		select {
		case <-changed:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// beginWrite registers a write on the socket if it is traced or recorded
// (nil if not); endWrite(w) follows once the write is logged.
func (t *sockTrace) beginWrite() *list.Element {
	if t.all == nil || t.mode() == traceOff {
		return nil
	}
	return t.all.order.begin()
}

func (t *sockTrace) endWrite(w *list.Element) {
	if w != nil {
		t.all.order.end(w)
	}
}

// awaitWrites is called before a read is logged: see writeOrder.
func (t *sockTrace) awaitWrites() {
	if t.all != nil {
		t.all.order.await()
	}
}
