package main

// End-to-end tests of interact(c), at the prompt and in a script, each on
// a pseudo-terminal with a real loopback peer.

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// interactPeer is a loopback listener whose accepted conns are handed to
// the test, which writes and reads them as the peer.
type interactPeer struct {
	ln    net.Listener
	conns chan net.Conn
}

func newInteractPeer(t *testing.T) *interactPeer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &interactPeer{ln: ln, conns: make(chan net.Conn, 4)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.SetDeadline(time.Now().Add(2 * expectTimeout))
			t.Cleanup(func() { c.Close() })
			p.conns <- c
		}
	}()
	return p
}

func (p *interactPeer) accept(t *testing.T) net.Conn {
	t.Helper()
	select {
	case c := <-p.conns:
		return c
	case <-time.After(expectTimeout):
		t.Fatal("no conn came")
		return nil
	}
}

// readLine reads one line the user typed, as the peer gets it.
func readLine(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("the peer's read: %q, %v", line, err)
	}
	return line
}

// TestInteractEndsWhenThePeerCloses: interact returns as soon as the peer
// closes, without waiting for a key, after showing the last bytes (a
// partial line) and "[closed by peer]"; the next interact starts clean (it
// does not return at once, and sends what is typed), and Ctrl-] shows as
// ^] (not ^C) before "[conn still open]".
func TestInteractEndsWhenThePeerCloses(t *testing.T) {
	peer := newInteractPeer(t)
	s := startREPL(t, "", nil, "--no-color")
	s.send(`c = assert(net.dial("tcp", "` + peer.ln.Addr().String() + `")); interact(c)` + "\r")
	pc := peer.accept(t)
	s.expect(`\[interact with `)
	pc.Write([]byte("last words"))
	pc.Close()
	s.expect(`last words\n[ \x08]*\[closed by peer\]\n`)
	s.run(`1+1`, `\n2\n`) // interact returned, and no key was pressed
	if screen := s.screenText(); !strings.Contains(screen, "leaves]\nlast words\n[closed by peer]\n> 1+1\n2\n") {
		t.Errorf("the screen shows:\n%s", screen)
	}

	s.send(`c2 = assert(net.dial("tcp", "` + peer.ln.Addr().String() + `")); interact(c2)` + "\r")
	pc2 := peer.accept(t)
	s.expect(`\[interact with `)
	pc2.Write([]byte("second\n"))
	s.expect(`second\n`)
	s.send("typed in the second\r")
	if got := readLine(t, bufio.NewReader(pc2)); got != "typed in the second\n" {
		t.Fatalf("the second interact sent %q", got)
	}
	before := len(s.rawText())
	s.send("\x1d") // Ctrl-]
	s.expect(`\[conn still open\]`)
	if echo := s.rawText()[before:]; !strings.Contains(echo, "^]") || strings.Contains(echo, "^C") {
		t.Errorf("Ctrl-] echoed as %q, want ^] and no ^C", echo)
	}
	s.run(`c2:write("still open\n")`, `\n11\n`)
	s.quit()
}

// TestInteractInAScript: a script run in a terminal ends with interact(c),
// as a pwntools script ends with io.interactive(): typed lines go to the
// peer, received bytes are shown, and the peer closing returns to the
// script, which goes on and reads stdin itself, missing no key.
func TestInteractInAScript(t *testing.T) {
	peer := newInteractPeer(t)
	script := filepath.Join(t.TempDir(), "exploit.lua")
	src := `local c = assert(net.dial("tcp", "` + peer.ln.Addr().String() + `"))
assert(c:write("hello\n"))
print("interact returned", interact(c))
io.write("after interact; name? ")
io.flush()
print("read " .. tostring(io.read("*l")))
`
	if err := os.WriteFile(script, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startOnPty(t, screenCols, "", nil, "--no-color", script)
	pc := peer.accept(t)
	r := bufio.NewReader(pc)
	if got := readLine(t, r); got != "hello\n" {
		t.Fatalf("the peer read %q", got)
	}
	s.expect(`\[interact with `)
	pc.Write([]byte("shell$ \n"))
	s.expect(`shell\$ \n`)
	s.send("id\r")
	if got := readLine(t, r); got != "id\n" {
		t.Fatalf("the peer read %q, want the typed line", got)
	}
	pc.Write([]byte("uid=0(root)\n"))
	pc.Close()
	s.expect(`uid=0\(root\)\n[ \x08]*\[closed by peer\]\n`)
	s.expect(`interact returned\ttrue\n`)
	s.expect(`after interact; name\? `)
	s.send("bob\r") // all of it for the script: interact left no read of stdin behind
	s.expect(`read bob\n`)
	s.waitExit(0)
}

// TestInteractNeedsATerminal: with stdin not a terminal, interact in a
// script raises an error that says so.
func TestInteractNeedsATerminal(t *testing.T) {
	r := runCLI(t, "", "-e", `local a, b = net.pipe(); interact(a)`)
	if r.code != 1 || !strings.Contains(r.stderr, "interact needs a terminal: stdin is not one") {
		t.Fatalf("want status 1 and a message about stdin; got %v", r)
	}
}

// TestInteractInAScriptThenThePrompt: with -i, the prompt after a script
// that interacted gets every key typed (the script's terminal is closed
// first and left no read of stdin behind).
func TestInteractInAScriptThenThePrompt(t *testing.T) {
	peer := newInteractPeer(t)
	s := startOnPty(t, screenCols, "", nil, "--no-color", "-e",
		`c = assert(net.dial("tcp", "`+peer.ln.Addr().String()+`")); interact(c)`, "-i")
	pc := peer.accept(t)
	s.expect(`\[interact with `)
	pc.Write([]byte("bye\n"))
	pc.Close()
	s.expect(`\[closed by peer\]\n`)
	s.expect(`help\(\) lists the modules`)
	s.run(`1+41`, `\n42\n`)
	s.quit()
}
