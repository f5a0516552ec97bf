package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"

	"github.com/gonetrepl/gonetrepl/bindings"
	"github.com/gonetrepl/gonetrepl/internal/dnstest"
)

// Growth tests of the bundled scripts that parse what a peer sends. The
// script runs in this process, as run runs it, so that the work it did
// can be read from its Lua state afterwards: VM instructions plus
// pattern-matching steps (lua.LState.Work), deterministic, never time.
// Its worst input at n and 8n bytes must cost about 8 times the work, not
// 64 (issue 23: no peer makes a bundled parser work more than linearly).

// inProcess is a script running in this process, as run runs it.
type inProcess struct {
	t              *testing.T
	argv           []string
	rt             *bindings.Runtime
	stdout, stderr *outLog
	done           chan struct{} // closed when the script has ended
	code           int           // its exit status, valid after done
}

// startInProcess starts argv (a script and its arguments) in this process;
// it runs until it and every task it spawned have ended or it calls
// os.exit, or until the test ends.
func startInProcess(t *testing.T, argv ...string) *inProcess {
	t.Helper()
	p := &inProcess{t: t, argv: argv, stdout: newOutLog(), stderr: newOutLog(), done: make(chan struct{})}
	p.rt = bindings.New(bindings.Options{Stdout: p.stdout, Stderr: p.stderr})
	p.rt.SetArgs([]string{"gonetrepl"}, argv[0], argv[1:])
	task, err := start(p.rt, action{"script", argv[0]}, bytes.NewReader(nil), argv[1:])
	if err != nil {
		p.rt.Close()
		t.Fatal(err)
	}
	go func() {
		code, exited := wait(p.rt, task.Done(), nil)
		if !exited {
			code, exited = wait(p.rt, p.rt.Idle(), nil)
		}
		if !exited {
			code = 0
			if p.rt.Failed() {
				code = 1
			}
		}
		p.code = code
		close(p.done)
	}()
	t.Cleanup(func() {
		p.rt.Close()
		<-p.done
	})
	return p
}

// work is the work the script's Lua state has done so far: that of its
// tasks as they ticked, and all of the thread that ticked last.
func (p *inProcess) work() int64 {
	p.t.Helper()
	var w int64
	if !p.rt.TryLocked(runTimeout, func(L *lua.LState) { w = L.Work() }) {
		p.t.Fatalf("%q: the interpreter stayed locked for %v", p.argv, runTimeout)
	}
	return w
}

// wait waits for the script's end and returns what it printed, its status
// and its work.
func (p *inProcess) wait() scriptRun {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(runTimeout):
		p.t.Fatalf("%q did not end within %v\nstdout:\n%s\nstderr:\n%s", p.argv, runTimeout, p.stdout, p.stderr)
	}
	return scriptRun{result{stdout: p.stdout.String(), stderr: p.stderr.String(), code: p.code}, p.work()}
}

// listening waits for the script's "NAME: listening on ADDR" line on
// stderr and returns ADDR.
func (p *inProcess) listening() string {
	p.t.Helper()
	re := regexp.MustCompile(`listening on (\S+)`)
	deadline := time.NewTimer(runTimeout)
	defer deadline.Stop()
	for {
		line, ok, changed := p.stderr.find(re)
		if ok {
			return re.FindStringSubmatch(line)[1]
		}
		select {
		case <-changed:
		case <-p.done:
			p.t.Fatalf("%q ended before listening\nstderr:\n%s", p.argv, p.stderr)
		case <-deadline.C:
			p.t.Fatalf("%q did not listen within %v\nstderr:\n%s", p.argv, runTimeout, p.stderr)
		}
	}
}

// scriptRun is what a script run in-process printed, its exit status, and
// the work its Lua state did.
type scriptRun struct {
	result
	work int64
}

// runScriptInProcess runs argv to its end, in this process.
func runScriptInProcess(t *testing.T, argv ...string) scriptRun {
	t.Helper()
	return startInProcess(t, argv...).wait()
}

// assertLinear fails unless cost8 (at 8n bytes) is under 12 times cost1
// (at n): linear work gives about 8, quadratic 64.
func assertLinear(t *testing.T, what string, n int, cost1, cost8 int64) {
	t.Helper()
	msg := fmt.Sprintf("%s: %d units of work at n = %d, %d at 8n (x%.1f)", what, cost1, n, cost8, float64(cost8)/float64(cost1))
	if cost8 >= 12*cost1 {
		t.Errorf("%s: not linear", msg)
		return
	}
	t.Log(msg)
}

// TestLookupScriptHostileTXTIsLinear: a TXT answer of "a", n spaces, "b".
// lookup.lua trimmed each printed line with gsub("%s+$", ""), which
// rescans the run of spaces from each of its bytes: 16,000 spaces cost
// 9.3 s of CPU, past the script's own --timeout.
func TestLookupScriptHostileTXTIsLinear(t *testing.T) {
	t.Parallel()
	const n = 1000
	blanks := func(n int) string { return "a" + strings.Repeat(" ", n) + "b" }
	server := dnstest.Start(t,
		dnstest.TXT("blanks1."+dnstest.Zone, blanks(n)),
		dnstest.TXT("blanks8."+dnstest.Zone, blanks(8*n)))
	var work [2]int64
	for i, size := range []int{n, 8 * n} {
		name := fmt.Sprintf("blanks%d.%s", size/n, dnstest.Zone)
		r := runScriptInProcess(t, "scripts/lookup.lua", "--server", server, name)
		want := "TYPE  VALUE\nTXT   \"" + blanks(size) + "\"\n"
		if r.code != 0 || r.stdout != want {
			t.Fatalf("lookup.lua %s: want status 0 and the TXT record of %d spaces; got %v", name, size, r.result)
		}
		work[i] = r.work
	}
	assertLinear(t, "lookup.lua, a TXT record of blanks", n, work[0], work[1])
}

// TestChatScriptHostileNickIsLinear: chat.lua matches each line a client
// sends against "^/nick%s+(%S+)%s*$". Its worst line, "/nick", n blanks,
// a word, n blanks, another word, is refused with the usage, in work
// linear in n (k such lines at each size, so that the pattern's work is
// most of what is counted).
func TestChatScriptHostileNickIsLinear(t *testing.T) {
	t.Parallel()
	p := startInProcess(t, "scripts/chat.lua", "127.0.0.1:0", "--quiet")
	conn, err := net.DialTimeout("tcp", p.listening(), runTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(runTimeout))
	r := bufio.NewReader(conn)
	if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "* you are client 1") {
		t.Fatalf("chat.lua's greeting: %q, %v", line, err)
	}
	const n, k = 250, 40
	var work [2]int64
	for i, size := range []int{n, 8 * n} {
		blanks := strings.Repeat(" \t", size/2)
		line := "/nick" + blanks + "a" + blanks + "b\n"
		w0 := p.work()
		for range k {
			if _, err := conn.Write([]byte(line)); err != nil {
				t.Fatal(err)
			}
			if reply, err := r.ReadString('\n'); err != nil || reply != "* usage: /nick NAME\n" {
				t.Fatalf("a /nick line of %d blanks: got %q, %v; want the usage", 2*size, reply, err)
			}
		}
		work[i] = p.work() - w0
	}
	assertLinear(t, "chat.lua, /nick lines of blanks", n, work[0], work[1])
}

// roundTrips sends each request on conn and reads one reply line, or
// fails; it returns the work the script did meanwhile. wantPrefix is what
// every reply line starts with.
func roundTrips(t *testing.T, p *inProcess, conn net.Conn, r *bufio.Reader, requests []string, wantPrefix string) int64 {
	t.Helper()
	w0 := p.work()
	for _, req := range requests {
		if _, err := conn.Write([]byte(req)); err != nil {
			t.Fatal(err)
		}
		line, err := r.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, wantPrefix) {
			t.Fatalf("%q: reply %q, %v; want %q...", argvOf(p), line, err, wantPrefix)
		}
	}
	return p.work() - w0
}

func argvOf(p *inProcess) string { return strings.Join(p.argv, " ") }

// dialScript dials a script's listener within runTimeout, with that
// deadline on the conn.
func dialScript(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, runTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(runTimeout))
	return conn, bufio.NewReader(conn)
}

// TestHTTPServerScriptHostilePathIsLinear: http_server.lua --dir decodes
// a request's path (%XX escapes, through a Lua function each) and splits
// it into segments; a path of n bytes of escapes and slashes is answered
// 404 in work linear in n.
func TestHTTPServerScriptHostilePathIsLinear(t *testing.T) {
	t.Parallel()
	p := startInProcess(t, "scripts/http_server.lua", "127.0.0.1:0", "--dir", t.TempDir(), "--quiet")
	conn, r := dialScript(t, p.listening())
	const n, k = 900, 10
	var work [2]int64
	for i, size := range []int{n, 8 * n} {
		path := "/" + strings.Repeat("%41/.%2e.%2", size/18) + strings.Repeat("a", size%18)
		requests := make([]string, k)
		for j := range requests {
			// Each reply's body ("not found\n") is read as its first line
			// after the head: Connection: close is not asked for.
			requests[j] = "GET " + path + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
		}
		w0 := p.work()
		for _, req := range requests {
			if _, err := conn.Write([]byte(req)); err != nil {
				t.Fatal(err)
			}
			head := readHead(t, r)
			if !strings.HasPrefix(head, "HTTP/1.1 404 ") {
				t.Fatalf("GET of a path of %d bytes: got %q, want 404", len(path), head)
			}
			if body, err := r.ReadString('\n'); err != nil || body != "not found\n" {
				t.Fatalf("404 body: %q, %v", body, err)
			}
		}
		work[i] = p.work() - w0
	}
	assertLinear(t, "http_server.lua, paths of escapes", n, work[0], work[1])
}

// readHead reads an HTTP response head up to its empty line.
func readHead(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	var head strings.Builder
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading a response head: %v (so far %q)", err, head.String())
		}
		if line == "\r\n" {
			return head.String()
		}
		head.WriteString(line)
	}
}

// TestFakeRedisScriptHostileValuesAreLinear: fake_redis.lua checks INCR's
// value's length, then "^%-?%d+$", and splits inline commands into words;
// a value of n zeros and a letter, an inline command of n blanks, an
// unclosed quoted word of escapes and an EXPIRE option of line breaks
// (quoted in its error reply) cost work linear in n (INCR's, none: a value over 17 bytes is refused on its
// length before any pattern scans it).
func TestFakeRedisScriptHostileValuesAreLinear(t *testing.T) {
	t.Parallel()
	p := startInProcess(t, "scripts/fake_redis.lua", "127.0.0.1:0", "--quiet")
	conn, r := dialScript(t, p.listening())
	const n, k = 4000, 10
	var incr, inline, quoted, option [2]int64
	for i, size := range []int{n, 8 * n} {
		value := strings.Repeat("0", size) + "x"
		set := fmt.Sprintf("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n%s\r\n", len(value), value)
		roundTrips(t, p, conn, r, []string{set}, "+OK")
		requests := make([]string, k)
		for j := range requests {
			requests[j] = "*2\r\n$4\r\nINCR\r\n$1\r\nk\r\n"
		}
		incr[i] = roundTrips(t, p, conn, r, requests, "-ERR value is not an integer")
		blanks := strings.Repeat(" \t", size/2)
		for j := range requests {
			requests[j] = "GET" + blanks + "nokey" + blanks + "\r\n"
		}
		inline[i] = roundTrips(t, p, conn, r, requests, "$-1\r\n")
		// A quoted inline word of escapes, never closed (resp.split_args):
		// a protocol error, after which the server closes the conn.
		for range k {
			qc, qr := dialScript(t, p.listening())
			quoted[i] += roundTrips(t, p, qc, qr, []string{`GET "` + strings.Repeat(`\x41\"`, size/6) + "\r\n"},
				"-ERR Protocol error: unbalanced quotes")
			qc.Close()
		}
		// An EXPIRE option of line breaks: quoted in the error reply,
		// those at its end trimmed, the others turned into blanks.
		opt := "x" + strings.Repeat("\r\n", size/2)
		for j := range requests {
			requests[j] = fmt.Sprintf("*4\r\n$6\r\nEXPIRE\r\n$1\r\nk\r\n$1\r\n1\r\n$%d\r\n%s\r\n", len(opt), opt)
		}
		option[i] = roundTrips(t, p, conn, r, requests, "-ERR Unsupported option x\r\n")
	}
	assertLinear(t, "fake_redis.lua, unclosed inline quote of escapes", n, quoted[0], quoted[1])
	assertLinear(t, "fake_redis.lua, EXPIRE option of line breaks", n, option[0], option[1])
	assertLinear(t, "fake_redis.lua, INCR of zeros", n, incr[0], incr[1])
	assertLinear(t, "fake_redis.lua, inline command of blanks", n, inline[0], inline[1])
}

// nestedReply is a RESP3 reply nested depth levels deep: each level an
// array of m integers, an error whose text has a line break, and the
// next level (an empty array at the bottom).
func nestedReply(depth, m int) string {
	var b strings.Builder
	for range depth {
		fmt.Fprintf(&b, "*%d\r\n%s!3\r\na\nb\r\n", m+2, strings.Repeat(":1\r\n", m))
	}
	b.WriteString("*0\r\n")
	return b.String()
}

// TestRedisScriptDeepReplyIsLinear: redis.lua indents a nested reply as
// redis-cli does. It indented each level's lines again at every level
// above (a gsub of the whole text per level), so the work grew with the
// square of the depth (times the width of the indentation); the reply of
// 8 times the levels must cost about 8 times the work.
func TestRedisScriptDeepReplyIsLinear(t *testing.T) {
	t.Parallel()
	const depth, m = 3, 30
	var work [2]int64
	for i, d := range []int{depth, 8 * depth} {
		addr := oneReplyServer(t, nestedReply(d, m))
		r := runScriptInProcess(t, "scripts/redis.lua", addr, "PING")
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		if r.code != 0 || len(lines) != d*(m+2)+1 || lines[len(lines)-1] != strings.Repeat(" ", 4*d-4)+fmt.Sprintf("%d) (empty array)", m+2) {
			t.Fatalf("redis.lua, a reply %d deep: got %v\nlast line %q", d, r.result, lines[len(lines)-1])
		}
		work[i] = r.work
	}
	assertLinear(t, "redis.lua, nested replies", depth, work[0], work[1])
}

// TestHTTPServerScriptHostileIfNoneMatchIsLinear: a file's conditional GET
// splits If-None-Match on commas and trims each tag; a tag of a letter, n
// blanks and a letter costs work linear in n (a trim by the pattern
// "^%s*(.-)%s*$" rescans the blanks from each of them).
func TestHTTPServerScriptHostileIfNoneMatchIsLinear(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startInProcess(t, "scripts/http_server.lua", "127.0.0.1:0", "--dir", dir, "--quiet")
	conn, r := dialScript(t, p.listening())
	const n, k = 1000, 5
	var work [2]int64
	for i, size := range []int{n, 8 * n} {
		tag := "\"x" + strings.Repeat(" ", size) + "y\""
		w0 := p.work()
		for j := 0; j < k; j++ {
			req := "GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + tag + "\r\n\r\n"
			if _, err := conn.Write([]byte(req)); err != nil {
				t.Fatal(err)
			}
			head := readHead(t, r)
			if !strings.HasPrefix(head, "HTTP/1.1 200 ") {
				t.Fatalf("GET with a tag of %d bytes: got %q, want 200", len(tag), head)
			}
			body := make([]byte, len("hello\n"))
			if _, err := io.ReadFull(r, body); err != nil || string(body) != "hello\n" {
				t.Fatalf("body: %q, %v", body, err)
			}
		}
		work[i] = p.work() - w0
	}
	assertLinear(t, "http_server.lua, If-None-Match of blanks", n, work[0], work[1])
}

// TestHTTPGetScriptHostileHeaderIsLinear: http_get.lua splits each header
// line into a name and a trimmed value; a value of a letter, n blanks and a
// letter costs work linear in n ("^([^:]+):[ \t]*(.-)[ \t]*$" rescans the
// blanks from each of them).
func TestHTTPGetScriptHostileHeaderIsLinear(t *testing.T) {
	t.Parallel()
	const n = 2000
	var work [2]int64
	for i, size := range []int{n, 8 * n} {
		reply := "HTTP/1.0 200 OK\r\nX-Pad: a" + strings.Repeat(" ", size) + "b\r\nContent-Length: 2\r\n\r\nok"
		addr := oneReplyServer(t, reply)
		r := runScriptInProcess(t, "scripts/http_get.lua", "http://"+addr+"/")
		if r.code != 0 || !strings.HasSuffix(r.stdout, "ok") {
			t.Fatalf("http_get.lua, a header of %d blanks: got %v", size, r.result)
		}
		work[i] = r.work
	}
	assertLinear(t, "http_get.lua, header values of blanks", n, work[0], work[1])
}
