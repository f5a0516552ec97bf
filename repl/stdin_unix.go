//go:build unix

package repl

import (
	"errors"
	"io"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// newKeySource returns what readline reads keys from: on a file (a
// terminal, a pipe) a pollStdin, which reads stdin only while readline
// reads a line; otherwise a wakeableStdin.
func newKeySource(r io.Reader) keySource {
	if f, ok := r.(*os.File); ok {
		if s, err := newPollStdin(f); err == nil {
			return s
		}
	}
	return newWakeableStdin(r)
}

// pollStdin reads keys from a file descriptor only while readline reads a
// line (setActive), and only once poll(2) says some are there, waiting on
// a pipe of its own at the same time: a bell rung on every change of
// state. wake makes the Read in progress (or the next) return wakeKey.
// So no read of stdin is left behind when interact or the prompt stops
// reading (readline's reader goes on reading keys between lines), to take
// the next key from whatever reads stdin after: the script's io.read, the
// prompt after a script run with -i.
type pollStdin struct {
	fd           int
	bellR, bellW int        // the bell: a non-blocking pipe
	mu           sync.Mutex // serializes Read

	smu    sync.Mutex // guards the state below
	active bool       // readline is reading a line: keys may be read
	armed  bool       // a wake waits for a Read
	closed bool
}

func newPollStdin(f *os.File) (*pollStdin, error) {
	var p [2]int
	if err := unix.Pipe(p[:]); err != nil {
		return nil, err
	}
	for _, fd := range p {
		unix.CloseOnExec(fd)
		unix.SetNonblock(fd, true)
	}
	return &pollStdin{fd: int(f.Fd()), bellR: p[0], bellW: p[1]}, nil
}

// ring makes a Read waiting in poll look at the state again. A full pipe
// is a bell already rung.
func (s *pollStdin) ring() { unix.Write(s.bellW, []byte{0}) }

// Read returns what stdin has, waiting until readline reads a line and
// stdin has something; or wakeKey after wake; or io.EOF after Close.
func (s *pollStdin) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		s.smu.Lock()
		active, armed, closed := s.active, s.armed, s.closed
		s.armed = false
		s.smu.Unlock()
		switch {
		case closed:
			return 0, io.EOF
		case armed:
			return copy(p, string(wakeKey)), nil
		}
		fds := []unix.PollFd{{Fd: int32(s.bellR), Events: unix.POLLIN}}
		if active {
			fds = append(fds, unix.PollFd{Fd: int32(s.fd), Events: unix.POLLIN})
		}
		if _, err := unix.Poll(fds, -1); err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return 0, err
		}
		if fds[0].Revents != 0 {
			var b [64]byte
			for {
				if n, err := unix.Read(s.bellR, b[:]); n <= 0 || err != nil {
					break
				}
			}
			continue
		}
		if len(fds) > 1 && fds[1].Revents != 0 {
			if n, ok, err := s.readReady(p); ok {
				return n, err
			}
		}
	}
}

// readReady reads what poll said stdin has, if readline still reads a
// line; ok is false when it does not, or the read was interrupted.
func (s *pollStdin) readReady(p []byte) (n int, ok bool, err error) {
	s.smu.Lock()
	reading := s.active && !s.closed && !s.armed
	s.smu.Unlock()
	if !reading {
		return 0, false, nil
	}
	n, err = unix.Read(s.fd, p)
	switch {
	case errors.Is(err, unix.EINTR), errors.Is(err, unix.EAGAIN):
		return 0, false, nil
	case err != nil:
		return 0, true, err
	case n == 0:
		return 0, true, io.EOF
	}
	return n, true, nil
}

// setActive says whether readline reads a line: only then are keys read.
func (s *pollStdin) setActive(active bool) {
	s.smu.Lock()
	s.active = active
	s.smu.Unlock()
	s.ring()
}

// wake makes the Read in progress, or the next, return wakeKey.
func (s *pollStdin) wake() {
	s.smu.Lock()
	s.armed = true
	s.smu.Unlock()
	s.ring()
}

// unwake takes back a wake that no Read has taken.
func (s *pollStdin) unwake() {
	s.smu.Lock()
	s.armed = false
	s.smu.Unlock()
}

// Close ends every Read, now and later, with io.EOF. The pipe stays open
// (a Read may be polling it): two descriptors per terminal, of which the
// process has one or two.
func (s *pollStdin) Close() error {
	s.smu.Lock()
	s.closed = true
	s.smu.Unlock()
	s.ring()
	return nil
}
