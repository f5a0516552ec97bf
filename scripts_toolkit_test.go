package main

// End-to-end tests of the traffic trace (--trace), and of the scripts built
// on frames, expect and relay: proxy.lua, frames.lua, http_get.lua. Each
// runs gonetrepl as a real process (see cli_test.go) on loopback sockets.

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/peer"
)

// traceChunk makes a loopback TCP exchange in one process: the client
// sends "hello\n" (6 bytes), the server answers "world!!" (7 bytes). It
// prints the conns' names, to find them in the trace.
const traceChunk = `
	local ln = assert(net.listen("tcp", "127.0.0.1:0"))
	local ch = task.chan(1)
	task.spawn(function() ch:send(assert(ln:accept(10))) end)
	local c = assert(net.dial("tcp", tostring(ln:addr())))
	local s = assert(ch:recv(10))
	print("client " .. tostring(c))
	print("server " .. tostring(s))
	assert(c:write("hello\n"))
	assert(s:read_line() == "hello")
	assert(s:write("world!!"))
	assert(c:read_full(7) == "world!!")
	c:close() s:close() ln:close()`

// conns returns the client's and the server's conn names that traceChunk
// printed.
func conns(t *testing.T, r result) (client, server string) {
	t.Helper()
	c := regexp.MustCompile(`(?m)^client (<tcp conn .*>)$`).FindStringSubmatch(r.stdout)
	s := regexp.MustCompile(`(?m)^server (<tcp conn .*>)$`).FindStringSubmatch(r.stdout)
	if c == nil || s == nil {
		t.Fatalf("no conn names printed; got %v", r)
	}
	return c[1], s[1]
}

func TestTraceOption(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", "--trace", "-e", traceChunk)
	if r.code != 0 {
		t.Fatalf("--trace: want status 0; got %v", r)
	}
	client, server := conns(t, r)
	for _, want := range []string{
		"> " + client + " wrote 6 bytes\n  \"hello\\n\"\n",
		"< " + server + " read 6 bytes\n  \"hello\\n\"\n",
		"> " + server + " wrote 7 bytes\n  \"world!!\"\n",
		"< " + client + " read 7 bytes\n  \"world!!\"\n",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("--trace: want %q on stderr; got %v", want, r)
		}
	}

	r = runCLI(t, "", "--trace=hex", "-e", traceChunk)
	if r.code != 0 {
		t.Fatalf("--trace=hex: want status 0; got %v", r)
	}
	client, server = conns(t, r)
	hello := "00000000  68 65 6c 6c 6f 0a                                 |hello.|\n"
	world := "00000000  77 6f 72 6c 64 21 21                              |world!!|\n"
	for _, want := range []string{
		"> " + client + " wrote 6 bytes\n" + hello,
		"< " + server + " read 6 bytes\n" + hello,
		"> " + server + " wrote 7 bytes\n" + world,
		"< " + client + " read 7 bytes\n" + world,
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("--trace=hex: want %q on stderr; got %v", want, r)
		}
	}

	// Without the option, nothing is traced; a bad mode is a usage error.
	r = runCLI(t, "", "-e", traceChunk)
	if r.code != 0 || r.stderr != "" {
		t.Errorf("no --trace: want status 0 and nothing on stderr; got %v", r)
	}
	r = runCLI(t, "", "--trace=binary", "-e", "print(1)")
	if r.code != 2 || !strings.Contains(r.stderr, "unknown option --trace=binary") {
		t.Errorf("--trace=binary: want status 2; got %v", r)
	}
	r = runCLI(t, "", "--help")
	if !strings.Contains(r.stdout, "--trace=hex") {
		t.Errorf("--help does not list --trace=hex:\n%s", r.stdout)
	}
}

// answeringServer listens on loopback; each conn's whole request (read to
// EOF) is answered with "got N bytes: request". It is closed when the test
// ends.
func answeringServer(t *testing.T) string {
	t.Helper()
	return goServer(t, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(30 * time.Second))
		req, _ := io.ReadAll(c)
		fmt.Fprintf(c, "got %d bytes: %s", len(req), req)
	})
}

// goServer is peer.Serve: handle runs on each loopback conn.
func goServer(t *testing.T, handle func(c net.Conn)) string { return peer.Serve(t, handle) }

// startListening starts gonetrepl with args and waits for the line on
// stderr that gives its address (the first group of pattern).
func startListening(t *testing.T, pattern string, args ...string) (*proc, string) {
	t.Helper()
	p := startProc(t, "", args...)
	line := p.waitLine(p.stderr, pattern, readyTimeout)
	return p, regexp.MustCompile(pattern).FindStringSubmatch(line)[1]
}

// halfCloseExchange sends request to addr, half-closes, and returns
// everything that comes back.
func halfCloseExchange(t *testing.T, addr, request string) (reply, local string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatal(err)
	}
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading the reply through the proxy: %v (got %q)", err, b)
	}
	return string(b), c.LocalAddr().String()
}

func TestProxyScript(t *testing.T) {
	t.Parallel()
	target := answeringServer(t)
	p, addr := startListening(t, `^proxy: listening on (\S+), forwarding to `, "scripts/proxy.lua", "127.0.0.1:0", target)

	// The half-close crosses the proxy: the server reads EOF, then answers.
	reply, client := halfCloseExchange(t, addr, "hello proxy\n")
	if want := "got 12 bytes: hello proxy\n"; reply != want {
		t.Fatalf("reply through the proxy: want %q; got %q", want, reply)
	}
	done := p.waitLine(p.stderr, `^proxy: `+regexp.QuoteMeta(client)+` done: `, readyTimeout)
	if want := fmt.Sprintf("proxy: %s done: 12 bytes to %s, %d bytes back", client, target, len(reply)); done != want {
		t.Errorf("want %q; got %q", want, done)
	}
	// Both directions dumped as hexdump -C, on the client's conn.
	conn := regexp.QuoteMeta("<tcp conn " + addr + " -> " + client + ">")
	stderr := p.stderr.String()
	for _, want := range []string{
		`(?m)^< ` + conn + ` read 12 bytes\n` +
			regexp.QuoteMeta("00000000  68 65 6c 6c 6f 20 70 72  6f 78 79 0a              |hello proxy.|") + "$",
		`(?m)^< ` + conn + ` read EOF$`,
		`(?m)^> ` + conn + ` wrote 26 bytes\n` +
			regexp.QuoteMeta("00000000  67 6f 74 20 31 32 20 62  79 74 65 73 3a 20 68 65  |got 12 bytes: he|") + "\n" +
			regexp.QuoteMeta("00000010  6c 6c 6f 20 70 72 6f 78  79 0a                    |llo proxy.|") + "$",
		`(?m)^> ` + conn + ` close_write$`,
	} {
		if !regexp.MustCompile(want).MatchString(stderr) {
			t.Errorf("want %s on stderr; got:\n%s", want, stderr)
		}
	}
	p.signal(syscall.SIGINT)
	if code := p.wait(10 * time.Second); code != 130 {
		t.Fatalf("proxy.lua after SIGINT: want status 130; got %d", code)
	}

	// --text shows escaped text; nothing listening at the target is logged.
	p, addr = startListening(t, `^proxy: listening on (\S+), forwarding to `, "scripts/proxy.lua", "127.0.0.1:0", target, "--text")
	reply, client = halfCloseExchange(t, addr, "a\x00b\n")
	if reply != "got 4 bytes: a\x00b\n" {
		t.Fatalf("reply through the proxy: got %q", reply)
	}
	p.waitLine(p.stderr, `^proxy: `+regexp.QuoteMeta(client)+` done: 4 bytes to `, readyTimeout)
	if want := " read 4 bytes\n  \"a\\0b\\n\"\n"; !strings.Contains(p.stderr.String(), want) {
		t.Errorf("--text: want %q on stderr; got:\n%s", want, p.stderr)
	}
	p.signal(syscall.SIGTERM)
	if code := p.wait(10 * time.Second); code != 143 {
		t.Fatalf("proxy.lua after SIGTERM: want status 143; got %d", code)
	}
}

func TestProxyScriptNoTarget(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := ln.Addr().String()
	ln.Close() // nothing listens there now
	p, addr := startListening(t, `^proxy: listening on (\S+), forwarding to `, "scripts/proxy.lua", "127.0.0.1:0", target)
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if b, err := io.ReadAll(c); err != nil || len(b) != 0 {
		t.Errorf("want the proxy to close the conn; got %q, %v", b, err)
	}
	p.waitLine(p.stderr, `^proxy: \S+: cannot reach `+regexp.QuoteMeta(target)+`: .*connection refused$`, readyTimeout)
	p.signal(syscall.SIGTERM)
	p.wait(10 * time.Second)
}

func TestFramesScriptDemo(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", "scripts/frames.lua")
	want := regexp.MustCompile(`^> hello
< ok hello
> length-prefixed world
< ok length-prefixed world
> \(1025 bytes: "x{20}"\.\.\.\)
< error: read tcp \S+: frame header claims 1025 bytes, over the limit of 1024
the server closed the connection: eof
$`)
	if r.code != 0 || !want.MatchString(r.stdout) {
		t.Fatalf("frames.lua demo: want status 0 and output matching\n%s\ngot %v", want, r)
	}
	if !strings.Contains(r.stderr, "frame header claims 1025 bytes, over the limit of 1024; closing") {
		t.Errorf("want the server's refusal on stderr; got %v", r)
	}
	// The messages given, and a smaller cap.
	r = runCLI(t, "", "scripts/frames.lua", "--max", "5", "--size", "1", "abc")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "> abc\n< ok abc\n> xxxxxx\n< error: ") ||
		!strings.Contains(r.stdout, "claims 6 bytes, over the limit of 5") {
		t.Fatalf("frames.lua --max 5 --size 1 abc: got %v", r)
	}
}

// readFrame reads one frame with a 2-byte little-endian header.
func readFrame(t *testing.T, r io.Reader) string {
	t.Helper()
	var n uint16
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
		t.Fatalf("frame header: %v", err)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		t.Fatalf("frame data: %v", err)
	}
	return string(b)
}

func TestFramesScriptServeAndSend(t *testing.T) {
	t.Parallel()
	opts := []string{"--size", "2", "--order", "little", "--max", "100"}
	p, addr := startListening(t, `^frames: listening on (\S+) \(2-byte little-endian headers, max 100 bytes\)$`,
		append([]string{"scripts/frames.lua", "--serve", "127.0.0.1:0"}, opts...)...)

	r := runCLI(t, "", append([]string{"scripts/frames.lua", "--send", addr, "one", "two words"}, opts...)...)
	if want := "> one\n< ok one\n> two words\n< ok two words\n"; r.code != 0 || r.stdout != want {
		t.Fatalf("--send: want status 0 and %q; got %v", want, r)
	}

	// The wire format, from a Go client: little-endian 2-byte lengths, and
	// a frame over the cap refused at its header.
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	br := bufio.NewReader(c)
	c.Write([]byte{2, 0, 'h', 'i', 0, 0})
	if got := readFrame(t, br); got != "ok hi" {
		t.Errorf("reply to \"hi\": got %q", got)
	}
	if got := readFrame(t, br); got != "ok " {
		t.Errorf("reply to an empty frame: got %q", got)
	}
	c.Write([]byte{0x88, 0x13}) // 5000 bytes claimed, none sent
	if got := readFrame(t, br); !strings.HasPrefix(got, "error: ") || !strings.Contains(got, "claims 5000 bytes, over the limit of 100") {
		t.Errorf("reply to a frame over the cap: got %q", got)
	}
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Errorf("want EOF after the refusal; got %q, %v", rest, err)
	}
	p.signal(syscall.SIGTERM)
	if code := p.wait(10 * time.Second); code != 143 {
		t.Fatalf("frames.lua --serve after SIGTERM: want status 143; got %d", code)
	}

	r = runCLI(t, "", "scripts/frames.lua", "--size", "3")
	if r.code != 2 || !strings.HasPrefix(r.stderr, "--size: 1, 2, 4 or 8 expected") {
		t.Errorf("--size 3: want status 2; got %v", r)
	}
}

func TestHTTPGetScript(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/hello" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("X-Proto", r.Proto)
		w.Header().Set("X-Host", r.Host)
		w.Header().Set("X-Query", r.URL.RawQuery)
		fmt.Fprintf(w, "hello, %s\nline two\n", r.Method)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")

	r := runCLI(t, "", "scripts/http_get.lua", srv.URL+"/hello?x=1")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("http_get.lua: want status 0 and nothing on stderr; got %v", r)
	}
	head, body, ok := strings.Cut(r.stdout, "\n\n")
	if !ok || body != "hello, GET\nline two\n" {
		t.Fatalf("want the body after a blank line; got %v", r)
	}
	lines := strings.Split(head, "\n")
	if !regexp.MustCompile(`^HTTP/1\.[01] 200 OK$`).MatchString(lines[0]) {
		t.Errorf("status line: got %q", lines[0])
	}
	for _, want := range []string{"X-Proto: HTTP/1.0", "X-Host: " + host, "X-Query: x=1", "Content-Length: 20"} {
		if !strings.Contains(head+"\n", "\n"+want+"\n") {
			t.Errorf("want header %q; got %v", want, r)
		}
	}

	r = runCLI(t, "", "scripts/http_get.lua", "--head", srv.URL+"/missing")
	if r.code != 0 || !regexp.MustCompile(`^HTTP/1\.[01] 404 Not Found\n`).MatchString(r.stdout) ||
		!strings.HasSuffix(r.stdout, "\n\n") {
		t.Errorf("--head of a missing page: want the 404 status and headers only; got %v", r)
	}

	for _, tt := range []struct {
		url    string
		code   int
		stderr string
	}{
		{"https://example.com/", 2, "http_get: only http:// URLs"},
		{"ftp://example.com/", 2, "http_get: not an http:// URL"},
		{"http://127.0.0.1:x/", 2, "http_get: bad host or port"},
	} {
		r := runCLI(t, "", "scripts/http_get.lua", tt.url)
		if r.code != tt.code || !strings.HasPrefix(r.stderr, tt.stderr) {
			t.Errorf("http_get.lua %s: want status %d and %q; got %v", tt.url, tt.code, tt.stderr, r)
		}
	}

	// Nothing listening: status 1.
	srv.Close()
	r = runCLI(t, "", "scripts/http_get.lua", srv.URL+"/")
	if r.code != 1 || !strings.Contains(r.stderr, "connection refused") {
		t.Errorf("no server: want status 1; got %v", r)
	}
}
