package repl

import (
	"io"
	"sync"
)

// A keySource is what readline reads keys from: stdin, and a way to make
// the read in progress return wakeKey at once (see filterKey).
type keySource interface {
	io.ReadCloser
	// wake makes the Read in progress, or the next, return wakeKey.
	wake()
	// unwake takes back a wake that no Read has taken.
	unwake()
	// setActive says whether readline reads a line; a source may read
	// stdin only then.
	setActive(bool)
}

// wakeableStdin is a keySource on any reader. It reads the real
// stdin in a goroutine of its own, one read at a time and only when asked
// (as readline.CancelableStdin does), and it can be woken: wake makes the
// Read in progress, or the next one, return wakeKey at once, while
// the real read goes on and its bytes are kept for the Read after. That
// is how interact stops waiting for a key when the peer ends: readline
// has no other way to end a Readline than a key. Close ends every Read
// with io.EOF. A read of stdin in progress when the last Readline ends
// takes the next key for itself: pollStdin, where there is one, does not.
type wakeableStdin struct {
	r io.Reader

	mu      sync.Mutex // serializes Read; guards the fields below
	pending bool       // a read of r is in progress (its result comes on results)
	left    []byte     // bytes read from r not yet returned
	err     error      // r's error, returned once left is empty

	ask     chan struct{}
	results chan stdinRead
	wakes   chan struct{} // capacity 1: at most one wake waits
	stop    chan struct{}
	once    sync.Once
}

type stdinRead struct {
	data []byte
	err  error
}

func newWakeableStdin(r io.Reader) *wakeableStdin {
	s := &wakeableStdin{r: r, ask: make(chan struct{}), results: make(chan stdinRead),
		wakes: make(chan struct{}, 1), stop: make(chan struct{})}
	go s.loop()
	return s
}

func (s *wakeableStdin) loop() {
	buf := make([]byte, 4096)
	for {
		select {
		case <-s.ask:
		case <-s.stop:
			return
		}
		n, err := s.r.Read(buf)
		select {
		case s.results <- stdinRead{append([]byte(nil), buf[:n]...), err}:
		case <-s.stop:
			return
		}
	}
}

// Read returns what the real stdin gave, or wakeKey after wake.
func (s *wakeableStdin) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if len(s.left) > 0 {
			n := copy(p, s.left)
			s.left = s.left[n:]
			return n, nil
		}
		if s.err != nil {
			return 0, s.err
		}
		if !s.pending {
			select {
			case s.ask <- struct{}{}:
				s.pending = true
			case <-s.wakes:
				s.left = []byte(string(wakeKey))
				continue
			case <-s.stop:
				return 0, io.EOF
			}
		}
		select {
		case res := <-s.results:
			s.pending = false
			s.left, s.err = res.data, res.err
		case <-s.wakes:
			s.left = append([]byte(string(wakeKey)), s.left...)
		case <-s.stop:
			return 0, io.EOF
		}
	}
}

// wake makes the Read in progress, or the next, return wakeKey.
func (s *wakeableStdin) wake() {
	select {
	case s.wakes <- struct{}{}:
	default:
	}
}

// unwake takes back a wake that no Read has taken.
func (s *wakeableStdin) unwake() {
	select {
	case <-s.wakes:
	default:
	}
}

// setActive does nothing: a wakeableStdin reads whenever readline asks.
func (s *wakeableStdin) setActive(bool) {}

// Close ends every Read, now and later, with io.EOF.
func (s *wakeableStdin) Close() error {
	s.once.Do(func() { close(s.stop) })
	return nil
}
