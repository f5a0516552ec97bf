package main

// End-to-end tests of the scenario scripts echo_client.lua, chat.lua and
// portscan.lua. Each runs gonetrepl as a real process (see cli_test.go)
// against loopback sockets opened here; nothing else is ever contacted.
// Waits are bounded, and every step waits for what the process says or
// sends, never for a guessed delay.

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// echoServer listens on loopback and echoes every conn's bytes until EOF.
// For each conn it reports on the returned channel what it received and
// whether the stream ended with a clean EOF (the client's close_write).
func echoServer(t *testing.T) (string, <-chan echoed) {
	t.Helper()
	conns := make(chan echoed, 4)
	addr := goServer(t, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(runTimeout))
		var got bytes.Buffer
		_, err := io.Copy(io.MultiWriter(c, &got), c) // nil: ended by EOF
		conns <- echoed{got.Bytes(), err}
	})
	return addr, conns
}

type echoed struct {
	data []byte
	err  error // nil when the client half-closed (EOF)
}

func TestEchoClientScript(t *testing.T) {
	t.Parallel()
	addr, conns := echoServer(t)
	// Lines with \r\n, a last line with no newline, every byte value, and
	// enough random bytes to take many chunks.
	var in bytes.Buffer
	in.WriteString("hello\r\nworld\n")
	for i := range 256 {
		in.WriteByte(byte(i))
	}
	random := make([]byte, 100<<10)
	rand.Read(random)
	in.Write(random)
	in.WriteString("\nno newline at the end")

	r := runCLI(t, in.String(), "scripts/echo_client.lua", addr)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("echo_client.lua: want status 0 and no stderr; got status %d, stderr:\n%s", r.code, r.stderr)
	}
	if r.stdout != in.String() {
		t.Errorf("stdout: want the %d bytes of stdin echoed; got %d bytes", in.Len(), len(r.stdout))
	}
	select {
	case got := <-conns:
		if !bytes.Equal(got.data, in.Bytes()) {
			t.Errorf("the server received %d bytes; want the %d of stdin", len(got.data), in.Len())
		}
		if got.err != nil {
			t.Errorf("the server's read ended with %v; want EOF (stdin's end half-closes the conn)", got.err)
		}
	case <-time.After(readyTimeout):
		t.Fatal("the echo server never finished a conn")
	}
}

// TestEchoClientHalfClose: a server that answers only after reading EOF
// (answeringServer) gets its request whole and its answer printed: the
// script half-closes at stdin's end and keeps reading.
func TestEchoClientHalfClose(t *testing.T) {
	t.Parallel()
	addr := answeringServer(t)
	r := runCLI(t, "request\n", "scripts/echo_client.lua", "--timeout", "30", addr)
	if want := "got 8 bytes: request\n"; r.code != 0 || r.stdout != want || r.stderr != "" {
		t.Fatalf("want status 0 and stdout %q; got %v", want, r)
	}
	// No stdin at all: an immediate half-close, and still the answer.
	r = runCLI(t, "", "scripts/echo_client.lua", addr)
	if want := "got 0 bytes: "; r.code != 0 || r.stdout != want {
		t.Fatalf("empty stdin: want status 0 and stdout %q; got %v", want, r)
	}
}

// udpEchoSocket answers each datagram with "echo: " and the datagram, and
// reports each datagram it received on the returned channel.
func udpEchoSocket(t *testing.T) (string, <-chan string) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	got := make(chan string, 100)
	go func() {
		buf := make([]byte, 65536)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			got <- string(buf[:n])
			pc.WriteTo(append([]byte("echo: "), buf[:n]...), from)
		}
	}()
	return pc.LocalAddr().String(), got
}

func TestEchoClientUDP(t *testing.T) {
	t.Parallel()
	addr, got := udpEchoSocket(t)
	// --timeout 5: after stdin ends, replies are awaited until none came
	// for 5 s; they all come long before.
	r := runCLI(t, "one\ntwo\n\nthree", "scripts/echo_client.lua", "--udp", "--timeout", "5", addr)
	if want := "echo: one\necho: two\necho: \necho: three\n"; r.code != 0 || r.stdout != want || r.stderr != "" {
		t.Fatalf("--udp: want status 0 and stdout %q; got %v", want, r)
	}
	var datagrams []string
	for len(got) > 0 {
		datagrams = append(datagrams, <-got)
	}
	if want := []string{"one", "two", "", "three"}; !slices.Equal(datagrams, want) {
		t.Errorf("datagrams received: want %q (a line each, no newline); got %q", want, datagrams)
	}
}

func TestEchoClientRefused(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	r := runCLI(t, "hello\n", "scripts/echo_client.lua", addr)
	want := "echo_client: dial tcp " + addr + ": connect: connection refused\n"
	if r.code != 1 || r.stderr != want || r.stdout != "" {
		t.Fatalf("a refused dial: want status 1 and stderr %q; got %v", want, r)
	}

	// UDP: the ICMP "port unreachable" for the first datagram.
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = pc.LocalAddr().String()
	pc.Close()
	r = runCLI(t, "hello\n", "scripts/echo_client.lua", "--udp", "--timeout", "30", addr)
	if r.code != 1 || !strings.HasPrefix(r.stderr, "echo_client: ") || !strings.Contains(r.stderr, "nothing listens on "+addr) {
		t.Fatalf("--udp to a closed port: want status 1 and \"nothing listens on %s\"; got %v", addr, r)
	}
}

// TestEchoClientIdle: a server that accepts and then says nothing; the
// idle timeout ends the session with status 1.
func TestEchoClientIdle(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		var held []net.Conn // open and silent until the test ends
		for {
			c, err := ln.Accept()
			if err != nil {
				for _, c := range held {
					c.Close()
				}
				return
			}
			held = append(held, c)
		}
	}()
	r := runCLI(t, "", "scripts/echo_client.lua", "--timeout", "0.3", ln.Addr().String())
	if r.code != 1 || r.stderr != "echo_client: read: nothing received for 0.3s\n" {
		t.Fatalf("a silent server and --timeout 0.3: want status 1 and the idle message; got %v", r)
	}
}

// chatClient is one client of chat.lua, in the test.
type chatClient struct {
	t    *testing.T
	name string
	c    net.Conn
	r    *bufio.Reader
}

func dialChat(t *testing.T, addr, name string) *chatClient {
	t.Helper()
	c := dialTCP(t, addr)
	return &chatClient{t: t, name: name, c: c, r: bufio.NewReader(c)}
}

// dialTCP connects to addr within 10 seconds, with a deadline of
// runTimeout on the conn; the conn is closed when the test ends.
func dialTCP(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(runTimeout))
	return c
}

func (cc *chatClient) send(line string) {
	cc.t.Helper()
	if _, err := io.WriteString(cc.c, line+"\n"); err != nil {
		cc.t.Fatalf("%s: send %q: %v", cc.name, line, err)
	}
}

// next is the next line the client receives; it must be want (or, when
// want ends in "…", start with what precedes it).
func (cc *chatClient) next(want string) {
	cc.t.Helper()
	line, err := cc.r.ReadString('\n')
	if err != nil {
		cc.t.Fatalf("%s: want the line %q; got %q, %v", cc.name, want, line, err)
	}
	line = strings.TrimSuffix(line, "\n")
	if prefix, ok := strings.CutSuffix(want, "…"); ok {
		if !strings.HasPrefix(line, prefix) {
			cc.t.Fatalf("%s: want a line starting %q; got %q", cc.name, prefix, line)
		}
	} else if line != want {
		cc.t.Fatalf("%s: want the line %q; got %q", cc.name, want, line)
	}
}

// The first line a client receives each time tells it its name; the
// others are announced in order, so every line each client gets next is
// known, and "not the sender" shows as the sender's next line being
// somebody else's.
func TestChatScript(t *testing.T) {
	t.Parallel()
	p, addr := startListening(t, `^chat: listening on (\S+)$`, "scripts/chat.lua", "127.0.0.1:0")

	a := dialChat(t, addr, "a")
	a.next("* you are client 1; 0 others are here; /nick NAME to change your name")
	b := dialChat(t, addr, "b")
	b.next("* you are client 2; 1 other is here; …")
	a.next("* client 2 joined")
	c := dialChat(t, addr, "c")
	c.next("* you are client 3; 2 others are here; …")
	a.next("* client 3 joined")
	b.next("* client 3 joined")

	// A line from a reaches b and c.
	a.send("hello from a")
	b.next("client 1: hello from a")
	c.next("client 1: hello from a")
	// b's line: a's next line is b's, so a did not get its own.
	b.send("hi from b")
	a.next("client 2: hi from b")
	c.next("client 2: hi from b")
	// c takes a name; b's next line is that, so b did not get its own.
	c.send("/nick carol")
	c.next("* you are now carol")
	a.next("* client 3 is now carol")
	b.next("* client 3 is now carol")
	c.send("bye from carol")
	a.next("carol: bye from carol")
	b.next("carol: bye from carol")

	// b leaves: announced to a and c (c's next line, not its own "bye").
	b.c.Close()
	a.next("* client 2 left")
	c.next("* client 2 left")
	p.waitLine(p.stderr, `^chat: client 2 \(127\.0\.0\.1:\d+\) left: closed$`, readyTimeout)
	// The log has the joins and the messages.
	for _, want := range []string{
		`(?m)^chat: client 1 \(127\.0\.0\.1:\d+\) joined$`,
		`(?m)^chat: client 1: hello from a$`,
		`(?m)^chat: client 3 \(127\.0\.0\.1:\d+\) is now carol$`,
		`(?m)^chat: carol: bye from carol$`,
	} {
		if !regexp.MustCompile(want).MatchString(p.stderr.String()) {
			t.Errorf("want %s in the log; got:\n%s", want, p.stderr)
		}
	}

	p.signal(syscall.SIGINT)
	if code := p.wait(10 * time.Second); code != 130 {
		t.Fatalf("chat.lua after SIGINT: want status 130; got %d", code)
	}
	if p.stdout.String() != "" {
		t.Errorf("chat.lua wrote to stdout:\n%s", p.stdout)
	}
}

func TestChatQuiet(t *testing.T) {
	t.Parallel()
	p, addr := startListening(t, `^chat: listening on (\S+)$`, "scripts/chat.lua", "127.0.0.1:0", "--quiet")
	a := dialChat(t, addr, "a")
	a.next("* you are client 1; …")
	b := dialChat(t, addr, "b")
	b.next("* you are client 2; …")
	a.next("* client 2 joined")
	a.send("psst")
	b.next("client 1: psst")
	a.c.Close()
	b.next("* client 1 left") // the server has handled all of it by now
	if got, want := p.stderr.String(), "chat: listening on "+addr+"\n"; got != want {
		t.Errorf("--quiet: want only %q on stderr; got:\n%s", want, got)
	}
	p.signal(syscall.SIGTERM)
	if code := p.wait(10 * time.Second); code != 143 {
		t.Fatalf("chat.lua after SIGTERM: want status 143; got %d", code)
	}
}

// reservePortRange finds n consecutive loopback ports below Linux's
// ephemeral range and holds them for the test: those at the offsets in
// open get a listener (which accepts and closes), every other one a TCP
// socket that is bound but does not listen, so a connect to it is refused
// and no one else can take the port while the test runs. It returns the
// first port.
func reservePortRange(t *testing.T, n int, open []int) int {
	t.Helper()
	for attempt := 1; attempt <= 20; attempt++ {
		base := 10000 + mrand.IntN(20000)
		var closers []func()
		release := func() {
			for _, c := range closers {
				c()
			}
		}
		ok := true
		for off := 0; off < n && ok; off++ {
			port := base + off
			if slices.Contains(open, off) {
				ln, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", port))
				if err != nil {
					ok = false
					break
				}
				go func() {
					for {
						c, err := ln.Accept()
						if err != nil {
							return
						}
						c.Close()
					}
				}()
				closers = append(closers, func() { ln.Close() })
				continue
			}
			fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
			if err != nil {
				t.Fatal(err)
			}
			syscall.CloseOnExec(fd) // SOCK_CLOEXEC is not on every OS
			closers = append(closers, func() { syscall.Close(fd) })
			if err := syscall.Bind(fd, &syscall.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
				ok = false
			}
		}
		if ok {
			t.Cleanup(release)
			return base
		}
		release()
	}
	t.Fatalf("no %d free consecutive loopback ports found", n)
	return 0
}

// scanSummary matches portscan.lua's last line.
var scanSummary = regexp.MustCompile(`^(\S+): (\d+) ports? scanned in \d+\.\d\d s: (\d+) open, (\d+) closed, (\d+) filtered$`)

func TestPortscanScript(t *testing.T) {
	t.Parallel()
	offsets := []int{0, 1, 57, 128, 199}
	base := reservePortRange(t, 200, offsets)
	var want strings.Builder
	for _, off := range offsets {
		fmt.Fprintf(&want, "%d/tcp open\n", base+off)
	}

	// check wants status 0, the open ports' lines (wantOpen) and a summary
	// of host, ports scanned and open ones, the others closed.
	check := func(r result, wantOpen string, ports, open int, host string) {
		t.Helper()
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("want status 0 and no stderr; got %v", r)
		}
		summary := lastLine(r.stdout)
		if got := strings.TrimSuffix(r.stdout, summary+"\n"); got != wantOpen {
			t.Errorf("open ports: want\n%sgot\n%s", wantOpen, got)
		}
		m := scanSummary.FindStringSubmatch(summary)
		if m == nil || m[1] != host || m[2] != fmt.Sprint(ports) || m[3] != fmt.Sprint(open) ||
			m[4] != fmt.Sprint(ports-open) || m[5] != "0" {
			t.Errorf("summary: want %s, %d ports, %d open, %d closed, 0 filtered; got %q", host, ports, open, ports-open, summary)
		}
	}

	// The whole range, with the default concurrency (100).
	r := runCLI(t, "", "scripts/portscan.lua", "127.0.0.1", fmt.Sprintf("%d-%d", base, base+199))
	check(r, want.String(), 200, 5, "127.0.0.1")

	// Nothing open: only the summary, and status 1 (--allow-remote changes
	// nothing for loopback).
	r = runCLI(t, "", "scripts/portscan.lua", "--allow-remote", "127.0.0.1", fmt.Sprintf("%d-%d", base+2, base+56))
	m := scanSummary.FindStringSubmatch(strings.TrimSuffix(r.stdout, "\n"))
	if r.code != 1 || m == nil || m[2] != "55" || m[3] != "0" || m[4] != "55" {
		t.Errorf("no open port: want status 1 and only the summary, 55 closed; got %v", r)
	}

	// A list of ports and ranges, overlapping, on localhost, with 7 tasks.
	if addrs, err := net.LookupHost("localhost"); err != nil || !slices.Contains(addrs, "127.0.0.1") {
		t.Skipf("localhost is not 127.0.0.1 here (%q, %v): the rest needs it", addrs, err)
	}
	spec := fmt.Sprintf("%d,%d-%d,%d-%d,%d", base+199, base, base+60, base+50, base+100, base+57)
	r = runCLI(t, "", "scripts/portscan.lua", "--concurrency", "7", "localhost", spec)
	want.Reset()
	for _, off := range offsets {
		if off <= 100 || off == 199 {
			fmt.Fprintf(&want, "%d/tcp open\n", base+off)
		}
	}
	check(r, want.String(), 102, 4, "127.0.0.1")
}

// lastLine is the last line of s, without its newline.
func lastLine(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}

// TestPortscanRefusesRemote: a host outside loopback is refused with
// status 2 before any connect (192.0.2.1 and 2001:db8::1 are documentation
// addresses; a name other than localhost is not even looked up).
func TestPortscanRefusesRemote(t *testing.T) {
	t.Parallel()
	for _, host := range []string{"192.0.2.1", "2001:db8::1", "0.0.0.0", "example.invalid"} {
		r := runCLI(t, "", "scripts/portscan.lua", host, "1-1024")
		if r.code != 2 || r.stdout != "" ||
			!strings.HasPrefix(r.stderr, "portscan: refusing to scan "+host+": not a loopback address") ||
			!strings.Contains(r.stderr, "--allow-remote") {
			t.Errorf("portscan.lua %s: want status 2, nothing on stdout and the refusal naming --allow-remote; got %v", host, r)
		}
	}
	// Bad PORTS and options are usage errors too.
	for _, args := range [][]string{
		{"127.0.0.1", "0-10"},
		{"127.0.0.1", "10-5"},
		{"127.0.0.1", "70000"},
		{"127.0.0.1", "http"},
		{"127.0.0.1"},
		{"--concurrency", "0", "127.0.0.1", "1"},
	} {
		r := runCLI(t, "", append([]string{"scripts/portscan.lua"}, args...)...)
		// A bad option or a missing argument is refused by flags
		// ("--concurrency: ...", "missing HOST and PORTS ..."), the rest by
		// the script ("portscan: ...").
		if r.code != 2 || !strings.HasPrefix(r.stderr, "portscan: ") && !strings.HasPrefix(r.stderr, "--") &&
			!strings.HasPrefix(r.stderr, "missing HOST and PORTS (2 expected, got 1)\n") ||
			!strings.Contains(r.stderr, "usage: gonetrepl scripts/portscan.lua") {
			t.Errorf("portscan.lua %q: want status 2, the problem and the usage; got %v", args, r)
		}
	}
}
