package main

// The bundled scripts against hostile input (issue 14): numbers on the
// command line no connection could use, peers that send terminal escapes,
// a Redis client whose arguments hold CR LF or count past 2^53, and a chat
// room full of clients that never read.

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gonetrepl/gonetrepl/internal/dnstest"
)

// TestScriptNumericOptionsRefused: a number option that parses but that no
// connection could use (more seconds than a Go duration holds, infinity,
// a negative timeout, a count past its range) is a usage error at once:
// status 2, the option named, the usage. Before, echo.lua --idle 1e300
// listened and then failed every connection.
func TestScriptNumericOptionsRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args   []string
		option string
	}{
		{[]string{"scripts/echo.lua", "127.0.0.1:0", "--idle", "1e300"}, "--idle"},
		{[]string{"scripts/echo.lua", "127.0.0.1:0", "--idle", "-1"}, "--idle"},
		{[]string{"scripts/echo.lua", "127.0.0.1:0", "--idle", "1e400"}, "--idle"}, // tonumber gives inf
		{[]string{"scripts/proxy.lua", "127.0.0.1:0", "127.0.0.1:1", "--timeout", "1e300"}, "--timeout"},
		{[]string{"scripts/udp_echo.lua", "127.0.0.1:0", "--drop", "1e400"}, "--drop"},
		{[]string{"scripts/udp_echo.lua", "127.0.0.1:0", "--drop", "101"}, "--drop"},
		{[]string{"scripts/udp_ping.lua", "127.0.0.1:1", "--count", "1e300"}, "--count"},
		{[]string{"scripts/udp_ping.lua", "127.0.0.1:1", "--count", "2.5"}, "--count"},
		{[]string{"scripts/udp_ping.lua", "127.0.0.1:1", "--interval", "1e300"}, "--interval"},
		{[]string{"scripts/udp_ping.lua", "127.0.0.1:1", "--timeout", "1e400"}, "--timeout"},
		{[]string{"scripts/udp_ping.lua", "127.0.0.1:1", "--size", "1e400"}, "--size"},
		{[]string{"scripts/lookup.lua", "localhost", "--timeout", "1e300"}, "--timeout"},
		{[]string{"scripts/lookup.lua", "localhost", "--timeout", "0"}, "--timeout"},
		{[]string{"scripts/frames.lua", "--serve", "127.0.0.1:0", "--max", "1e400"}, "--max"},
		{[]string{"scripts/frames.lua", "--serve", "127.0.0.1:0", "--size", "1e300"}, "--size"},
		{[]string{"scripts/http_get.lua", "http://127.0.0.1:1/", "--timeout", "1e300"}, "--timeout"},
		{[]string{"scripts/tls_probe.lua", "127.0.0.1:1", "--timeout", "1e300"}, "--timeout"},
		{[]string{"scripts/echo_client.lua", "127.0.0.1:1", "--timeout", "1e300"}, "--timeout"},
		{[]string{"scripts/portscan.lua", "127.0.0.1", "1", "--concurrency", "1e300"}, "--concurrency"},
		{[]string{"scripts/portscan.lua", "127.0.0.1", "1", "--timeout", "1e400"}, "--timeout"},
		{[]string{"scripts/redis.lua", "--timeout", "1e300", "127.0.0.1:1", "PING"}, "--timeout"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, "", c.args...)
			if r.code != 2 || !strings.HasPrefix(r.stderr, c.option+": ") || !strings.Contains(r.stderr, " expected, got ") ||
				!strings.Contains(r.stderr, "\nusage: gonetrepl "+c.args[0]) {
				t.Errorf("want status 2, %q naming %s and its range, then the usage; got %v", c.args, c.option, r)
			}
		})
	}
}

// hostile is what a peer sends to take over the operator's terminal: a
// title change (OSC ... BEL), a clear screen, a carriage return that
// would overwrite the log line, a C1 CSI (U+009B), a right-to-left
// override and a byte that is not UTF-8.
const hostile = "\x1b]0;pwned\x07\x1b[2J\rEVIL\u009b31m\u202e\xff"

// checkNoRawControls fails the test if out holds a byte a terminal acts
// on: a control byte other than newline and tab, DEL, a C1 control, a
// bidirectional override, or invalid UTF-8.
func checkNoRawControls(t *testing.T, what, out string) {
	t.Helper()
	for i := 0; i < len(out); {
		r, n := utf8.DecodeRuneInString(out[i:])
		bad := r == utf8.RuneError && n <= 1 ||
			r < 0x20 && r != '\n' && r != '\t' || r == 0x7f ||
			r >= 0x80 && r <= 0x9f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
		if bad {
			t.Errorf("%s: a raw %q at byte %d reaches the terminal:\n%q", what, out[i:i+n], i, out)
			return
		}
		i += n
	}
}

// TestScriptsEscapePeerBytes sends terminal escapes through every script
// that shows what a peer sent, and checks that none reaches its output
// raw (each script escapes with bin.escape).
func TestScriptsEscapePeerBytes(t *testing.T) {
	t.Parallel()

	t.Run("chat", func(t *testing.T) {
		t.Parallel()
		p, addr := startListening(t, `^chat: listening on (\S+)$`, "scripts/chat.lua", "127.0.0.1:0")
		a := dialChat(t, addr, "a")
		a.next("* you are client 1…")
		a.send("hello " + hostile)
		a.send("/nick " + hostile)
		a.next("* …") // refused

		a.c.Close()
		// Logged in the order the broadcaster sees the events: the line first.
		p.waitLine(p.stderr, `^chat: client 1 \(127\.0\.0\.1:\d+\) left: closed$`, readyTimeout)
		p.signal(syscall.SIGTERM)
		p.wait(10 * time.Second)
		checkNoRawControls(t, "chat.lua's log", p.stderr.String())
		if !strings.Contains(p.stderr.String(), `chat: client 1: hello \27]0;pwned\7\27[2J\rEVIL`) {
			t.Errorf("want the line logged escaped; got:\n%s", p.stderr)
		}
	})

	t.Run("fake_redis", func(t *testing.T) {
		t.Parallel()
		p, addr := startFakeRedis(t)
		c := dialRESP(t, addr)
		c.command("SET", hostile, hostile)
		c.want("+OK\r\n")
		c.command("NOSUCH", hostile)
		c.wantPrefix("-ERR unknown command")
		c.inline("*1\r\n" + hostile + "\r\n") // a protocol error quoting the bad header
		c.wantPrefix("-ERR Protocol error: ")
		p.waitLine(p.stderr, `disconnected$`, readyTimeout)
		p.signal(syscall.SIGTERM)
		p.wait(10 * time.Second)
		checkNoRawControls(t, "fake_redis.lua's log", p.stderr.String())
		if !strings.Contains(p.stderr.String(), `SET "\27]0;pwned\7\27[2J\rEVIL`) {
			t.Errorf("want the SET logged with its arguments escaped; got:\n%s", p.stderr)
		}
	})

	t.Run("redis", func(t *testing.T) {
		t.Parallel()
		// A server that answers every command with a status line, and
		// then an error, holding the escapes.
		for _, reply := range []string{"+" + hostile + "\r\n", "-ERR " + hostile + "\r\n", "=" + strconv.Itoa(4+len(hostile)+2) + "\r\ntxt:" + hostile + "\r\n\r\n"} {
			addr := oneReplyServer(t, reply)
			r := runCLI(t, "", "scripts/redis.lua", addr, "PING")
			checkNoRawControls(t, "redis.lua's output", r.stdout+r.stderr)
			if !strings.Contains(r.stdout+r.stderr, `\27]0;pwned\7`) {
				t.Errorf("redis.lua against %q: want the reply shown escaped; got %v", reply, r)
			}
		}
	})

	t.Run("http_get", func(t *testing.T) {
		t.Parallel()
		addr := oneReplyServer(t, "HTTP/1.0 200 OK "+hostile+"\r\nX-Evil: "+hostile+"\r\n\r\n")
		r := runCLI(t, "", "scripts/http_get.lua", "http://"+addr+"/", "--head")
		if r.code != 0 || !strings.Contains(r.stdout, `X-Evil: \27]0;pwned\7`) {
			t.Errorf("http_get.lua: want the headers shown escaped; got %v", r)
		}
		checkNoRawControls(t, "http_get.lua's output", r.stdout+r.stderr)
		addr = oneReplyServer(t, "SSH-2.0 "+hostile+"\r\n")
		r = runCLI(t, "", "scripts/http_get.lua", "http://"+addr+"/")
		if r.code != 1 || !strings.Contains(r.stderr, "not an HTTP response") {
			t.Errorf("http_get.lua against a non-HTTP server: want status 1; got %v", r)
		}
		checkNoRawControls(t, "http_get.lua's error", r.stdout+r.stderr)
	})

	t.Run("frames", func(t *testing.T) {
		t.Parallel()
		// A frame server whose reply is the escapes.
		frame := fmt.Sprintf("%c%c%c%c", 0, 0, 0, len(hostile)) + hostile
		addr := oneReplyServer(t, frame)
		r := runCLI(t, "", "scripts/frames.lua", "--send", addr, "hi")
		if !strings.Contains(r.stdout, `< \27]0;pwned\7`) {
			t.Errorf("frames.lua --send: want the reply shown escaped; got %v", r)
		}
		checkNoRawControls(t, "frames.lua's output", r.stdout+r.stderr)
	})

	t.Run("tls_probe", func(t *testing.T) {
		t.Parallel()
		addr, certFile := hostileTLSServer(t)
		r := runCLI(t, "", "scripts/tls_probe.lua", addr, "--insecure")
		// (Go's pkix writes the subject's ";" as "\;", whose backslash
		// bin.escape doubles.)
		if r.code != 0 || !strings.Contains(r.stdout, `subject:  CN=\27]0\\;pwned\7`) || !strings.Contains(r.stdout, `dns:      evil\27[2J.example`) {
			t.Errorf("tls_probe.lua: want the certificate's fields shown escaped; got %v", r)
		}
		checkNoRawControls(t, "tls_probe.lua's output", r.stdout+r.stderr)
		// Trusted, but for another name: Go's error quotes the certificate's names.
		r = runCLI(t, "", "scripts/tls_probe.lua", addr, "--ca", certFile, "--server-name", "localhost")
		if r.code != 1 || !strings.Contains(r.stderr, `evil\27[2J.example`) {
			t.Errorf("tls_probe.lua verifying for another name: want status 1 and the names escaped; got %v", r)
		}
		checkNoRawControls(t, "tls_probe.lua's error", r.stdout+r.stderr)
	})

	t.Run("lookup", func(t *testing.T) {
		t.Parallel()
		server := dnstest.Start(t)
		r := runCLI(t, "", "scripts/lookup.lua", "--server", server, "evil."+dnstest.Zone)
		if r.code != 0 || !strings.Contains(r.stdout, `TXT   "\27]0;pwned\7\27[2J\rEVIL\194\15531m\226\128\174\255"`) {
			t.Errorf("lookup.lua: want the TXT record shown escaped; got %v", r)
		}
		checkNoRawControls(t, "lookup.lua's output", r.stdout+r.stderr)
	})

	t.Run("proxy", func(t *testing.T) {
		t.Parallel()
		target := oneReplyServer(t, hostile)
		p, addr := startListening(t, `^proxy: listening on (\S+),`, "scripts/proxy.lua", "127.0.0.1:0", target, "--text")
		c := dialTCP(t, addr)
		io.WriteString(c, hostile)
		if b, err := io.ReadAll(c); string(b) != hostile {
			t.Errorf("through the proxy: want the bytes unchanged; got %q, %v", b, err)
		}
		c.Close()
		p.waitLine(p.stderr, `done: `, readyTimeout)
		p.signal(syscall.SIGTERM)
		p.wait(10 * time.Second)
		checkNoRawControls(t, "proxy.lua --text's log", p.stderr.String())
	})
}

// oneReplyServer listens on loopback and answers each conn with reply,
// once something arrived, then closes it. It stops with the test.
func oneReplyServer(t *testing.T, reply string) string {
	t.Helper()
	return goServer(t, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(runTimeout))
		buf := make([]byte, 4096)
		if _, err := c.Read(buf); err != nil {
			return
		}
		io.WriteString(c, reply)
		c.(*net.TCPConn).CloseWrite()
		io.Copy(io.Discard, c) // until the client closes: no reset
	})
}

// hostileTLSServer serves TLS on loopback with a self-signed certificate
// whose subject and DNS name hold terminal escapes; it returns the
// address and a PEM file of the certificate.
func hostileTLSServer(t *testing.T) (addr, certFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "\x1b]0;pwned\x07"},
		DNSNames:     []string{"evil\x1b[2J.example"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	certFile = filepath.Join(t.TempDir(), "cert.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	config := &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
	}
	addr = goServer(t, func(c net.Conn) {
		tc := tls.Server(c, config)
		defer tc.Close()
		tc.SetDeadline(time.Now().Add(runTimeout))
		tc.Handshake()
		io.Copy(io.Discard, tc)
	})
	return addr, certFile
}

// respConn is a raw RESP client, in the test.
type respConn struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dialRESP(t *testing.T, addr string) *respConn {
	t.Helper()
	c := dialTCP(t, addr)
	return &respConn{t: t, c: c, r: bufio.NewReader(c)}
}

// command sends args as a RESP array of bulk strings.
func (rc *respConn) command(args ...string) {
	rc.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	rc.inline(b.String())
}

// inline sends raw bytes.
func (rc *respConn) inline(raw string) {
	rc.t.Helper()
	if _, err := io.WriteString(rc.c, raw); err != nil {
		rc.t.Fatalf("send %q: %v", raw, err)
	}
}

// line reads one reply line, CR LF included.
func (rc *respConn) line() string {
	rc.t.Helper()
	line, err := rc.r.ReadString('\n')
	if err != nil {
		rc.t.Fatalf("want a reply; got %q, %v", line, err)
	}
	return line
}

func (rc *respConn) want(reply string) {
	rc.t.Helper()
	if got := rc.line(); got != reply {
		rc.t.Fatalf("want the reply %q; got %q", reply, got)
	}
}

func (rc *respConn) wantPrefix(prefix string) {
	rc.t.Helper()
	if got := rc.line(); !strings.HasPrefix(got, prefix) {
		rc.t.Fatalf("want a reply starting %q; got %q", prefix, got)
	}
}

// TestFakeRedisHostileArguments: every client argument that reaches an
// encoder or arithmetic in fake_redis.lua. An argument with CR LF quoted
// in an error reply (HELLO 3 "a\r\nb" used to raise in encode_error: a
// traceback, the client cut off, exit status 1) comes back with spaces,
// as Redis does; INCR counts exactly past 2^53, and a value past int64
// (a megabyte of nines too) is "out of range".
func TestFakeRedisHostileArguments(t *testing.T) {
	t.Parallel()
	p, addr := startFakeRedis(t)
	c := dialRESP(t, addr)
	c.command("HELLO", "3", "a\r\nb")
	c.want("-ERR Syntax error in HELLO option 'a  b'\r\n")
	c.command("HELLO", "2", strings.Repeat("x", 1000))
	c.want("-ERR Syntax error in HELLO option '" + strings.Repeat("x", 1000) + "'\r\n")
	c.command("HELLO", "2.0")
	c.want("-ERR Protocol version is not an integer or out of range\r\n")
	c.command("NO\r\nSUCH", "x\ry", "z\n")
	c.want("-ERR unknown command 'NO  SUCH', with args beginning with: 'x y' 'z ' \r\n")

	// Counting goes on past 2^53, exactly, to int64's end (compared with
	// redis-server in TestFakeRedisIntegersMatchRedis).
	c.command("SET", "n", "9007199254740991") // 2^53 - 1
	c.want("+OK\r\n")
	c.command("INCR", "n")
	c.want(":9007199254740992\r\n")
	c.command("INCR", "n")
	c.want(":9007199254740993\r\n")
	c.command("GET", "n")
	c.line()
	c.want("9007199254740993\r\n")
	for _, v := range []string{"99999999999999999999", "-9223372036854775809", strings.Repeat("9", 1<<20)} {
		c.command("SET", "n", v)
		c.want("+OK\r\n")
		c.command("INCR", "n")
		c.want("-ERR value is not an integer or out of range\r\n")
	}
	c.command("SET", "n", "-9007199254740994")
	c.want("+OK\r\n")
	c.command("INCR", "n")
	c.want(":-9007199254740993\r\n")
	c.command("PING")
	c.want("+PONG\r\n")

	c.c.Close()
	p.waitLine(p.stderr, `disconnected$`, readyTimeout)
	p.signal(syscall.SIGTERM)
	if code := p.wait(10 * time.Second); code != 143 {
		t.Errorf("fake_redis.lua after SIGTERM: want 143 (no task failed); got %d", code)
	}
	if strings.Contains(p.stderr.String(), "traceback") {
		t.Errorf("a task of fake_redis.lua failed:\n%s", p.stderr)
	}
}

// TestChatOutboxBoundedInBytes: many clients that never read, and one
// that sends 4 KB lines. Each silent client's outbox is bounded in bytes
// and every broadcast line is one string shared by all outboxes, so the
// server's memory stays flat; before, each line was copied once per
// recipient and up to 256 of them queued per client (1,000 such clients
// reached 1.48 GB).
func TestChatOutboxBoundedInBytes(t *testing.T) {
	t.Parallel()
	const (
		silent = 200  // clients that never read
		lines  = 800  // lines the sender sends
		size   = 4000 // bytes a line
	)
	p, addr := startListening(t, `^chat: listening on (\S+)$`, "scripts/chat.lua", "127.0.0.1:0", "--quiet")

	// The sender reads everything it is sent, in the background.
	sender := dialChat(t, addr, "sender")
	sender.next("* you are client 1…")
	got := make(chan string, 1024)
	go func() {
		defer close(got)
		for {
			line, err := sender.r.ReadString('\n')
			if err != nil {
				return
			}
			got <- strings.TrimSuffix(line, "\n")
		}
	}()
	waitFor := func(want string) {
		t.Helper()
		for line := range got {
			if line == want {
				return
			}
		}
		t.Fatalf("the sender's conn ended before %q", want)
	}

	// Silent clients with a small receive buffer, so that their outboxes
	// fill up rather than the kernel's buffers.
	d := net.Dialer{Timeout: 10 * time.Second, Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		rc.Control(func(fd uintptr) { serr = setRecvBuffer(fd, 4096) })
		return serr
	}}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	for i := range silent {
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		conns = append(conns, c)
		mu.Unlock()
		waitFor(fmt.Sprintf("* client %d joined", i+2))
	}
	_, before := processMemory(t, p)

	line := strings.Repeat("x", size)
	for range lines {
		sender.send(line)
	}
	// The broadcaster handles events in order: once the sender's rename is
	// answered, every line has been put in every outbox (or its client
	// dropped).
	sender.send("/nick done")
	waitFor("* you are now done")
	peak, _ := processMemory(t, p)
	growth := peak - before
	t.Logf("%d silent clients, %d lines of %d bytes: peak RSS %d MiB, %d MiB above the %d MiB before the lines",
		silent, lines, size, peak>>20, growth>>20, before>>20)
	// Measured: copied per recipient, 256 lines an outbox, it grew by 185
	// MiB (without -race); shared, at most 64 KiB an outbox, by 3 MiB, and
	// by 48 MiB under -race (the detector's shadow of the lines' garbage).
	bound := int64(32 << 20)
	if wireRace() {
		bound = 128 << 20
	}
	if growth > bound {
		t.Errorf("chat.lua's peak memory grew by %d MiB for %d silent clients; want at most %d MiB (race detector: %v)",
			growth>>20, silent, bound>>20, wireRace())
	}
	p.signal(syscall.SIGTERM)
	p.wait(10 * time.Second)
}
