// Package peer runs the real programs that tests talk to (dnsmasq,
// openssl): it finds them, starts them on a free loopback port, waits until
// they answer, and kills them at the test's cleanup.
//
// A missing program skips the test, or fails it when the environment
// variable CI is "true": on CI every dependency must be there (./test.sh
// installs them).
package peer

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

const (
	// ReadyTimeout bounds the wait for a program to answer; generous,
	// because tests run under -race on a busy machine.
	ReadyTimeout = 20 * time.Second
	// attempts is how many free ports Start tries: another process may
	// take a port between the check and the program's bind.
	attempts = 5
)

// Find returns the path of command, also looked for in /usr/sbin (which a
// user's PATH may lack). pkg names the Debian package that provides it.
func Find(t testing.TB, command, pkg string) string {
	t.Helper()
	if p, err := exec.LookPath(command); err == nil {
		return p
	}
	if p := filepath.Join("/usr/sbin", command); isFile(p) {
		return p
	}
	msg := command + " not found (Debian package " + pkg + "; ./test.sh installs it)"
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s: required when CI=true", msg)
	}
	t.Skipf("%s: skipping", msg)
	return ""
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// AcceptsTCP reports whether something accepts TCP connections at addr:
// the ready function of Start for a server that needs no more than that.
func AcceptsTCP(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// Start runs a program on a free loopback port for the rest of the test
// and returns its address, "127.0.0.1:port", once ready reports that it
// answers there. args makes the command line for a port; a program that
// exits before it is ready (its port was taken meanwhile) is tried again
// on another port.
func Start(t testing.TB, path string, args func(port int) []string, ready func(addr string) bool) string {
	t.Helper()
	var last string
	for range attempts {
		port := FreePort(t)
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		out, ok := startOnce(t, path, args(port), addr, ready)
		if ok {
			return addr
		}
		last = out
	}
	t.Fatalf("%s did not start in %d attempts; last output:\n%s", filepath.Base(path), attempts, last)
	return ""
}

// StartAt runs a program at a fixed address, addr ("127.0.0.1:53"), for
// the rest of the test, once ready reports that it answers there: for a
// test inside a private network namespace, where every port is free and
// the addresses are those that documented examples name. A program that
// exits before it is ready fails the test.
func StartAt(t testing.TB, path string, args []string, addr string, ready func(addr string) bool) {
	t.Helper()
	if out, ok := startOnce(t, path, args, addr, ready); !ok {
		t.Fatalf("%s exited before it answered on %s; output:\n%s", filepath.Base(path), addr, out)
	}
}

func startOnce(t testing.TB, path string, args []string, addr string, ready func(string) bool) (output string, ok bool) {
	t.Helper()
	cmd := exec.Command(path, args...)
	out := &SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	for deadline := time.Now().Add(ReadyTimeout); time.Now().Before(deadline); {
		select {
		case <-exited:
			return out.String(), false
		default:
		}
		if ready(addr) {
			t.Cleanup(func() {
				cmd.Process.Kill()
				<-exited
			})
			return "", true
		}
		select {
		case <-exited:
		case <-time.After(50 * time.Millisecond):
		}
	}
	cmd.Process.Kill()
	<-exited
	t.Fatalf("%s on %s did not answer within %v; output:\n%s", filepath.Base(path), addr, ReadyTimeout, out.String())
	return "", false
}

// FreePort returns a port free for both TCP and UDP on 127.0.0.1 a moment
// ago.
func FreePort(t testing.TB) int {
	t.Helper()
	for {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := pc.LocalAddr().(*net.UDPAddr).Port
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		pc.Close()
		if err == nil {
			ln.Close()
			return port
		}
	}
}

// SyncBuffer collects a program's (or a runtime's) output from several
// goroutines.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Take returns what was written since the last Take and empties the buffer.
func (b *SyncBuffer) Take() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	b.buf.Reset()
	return s
}

// Serve listens on loopback and runs handle on each conn in a goroutine of
// its own, closing the conn after; the listener is closed when the test
// ends. It returns the address.
func Serve(t testing.TB, handle func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ServeListener(t, ln, handle)
	return ln.Addr().String()
}

// ServeListener is Serve on a listener of the caller's (one at a fixed
// address, or a TLS one): it accepts until the test ends, then closes ln.
func ServeListener(t testing.TB, ln net.Listener, handle func(c net.Conn)) {
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				handle(c)
			}()
		}
	}()
}
