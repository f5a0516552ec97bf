package main

// End-to-end tests of scripts/redis.lua used as redis-cli is used: commands
// piped on stdin, --resp3, and SUBSCRIBE, each compared byte for byte with
// what the real redis-cli prints against a real redis-server.

import (
	"bytes"
	"net"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/redistest"
)

// runRedisCLI runs the real redis-cli against addr with stdin as its input,
// in its terminal format (--no-raw: the format redis.lua prints), and
// returns its stdout.
func runRedisCLI(t *testing.T, addr, stdin string, args ...string) string {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(redistest.Cli(t), append([]string{"-h", host, "-p", port, "--no-raw"}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("redis-cli %q: %v\nstderr:\n%s", args, err, errOut.String())
	}
	return out.String()
}

// compareWithRedisCLI pipes stdin to redis-cli and to redis.lua (each
// against a fresh redis-server, so that both see the same data) and wants
// the same stdout, byte for byte; it returns redis.lua's.
func compareWithRedisCLI(t *testing.T, stdin string, resp3 bool) string {
	t.Helper()
	var cliArgs, scriptArgs []string
	if resp3 {
		cliArgs, scriptArgs = []string{"-3"}, []string{"--resp3"}
	}
	want := runRedisCLI(t, redistest.Start(t), stdin, cliArgs...)
	args := append(append([]string{"scripts/redis.lua", "--timeout", "10"}, scriptArgs...), redistest.Start(t))
	r := runCLI(t, stdin, args...)
	if r.code != 0 || r.stderr != "" || r.stdout != want {
		t.Fatalf("redis.lua %q with stdin:\n%s\nwant status 0 and redis-cli's stdout:\n%s\ngot %v", scriptArgs, stdin, want, r)
	}
	return r.stdout
}

func TestRedisScriptStdinLikeRedisCLI(t *testing.T) {
	t.Parallel()
	stdin := "PING\n" +
		"SET greeting \"hello world\"\n" +
		"GET greeting\n" +
		"\n" + // skipped
		"GET missing\n" +
		"INCR greeting\n" + // an error reply: printed on stdout, the run goes on
		"RPUSH list a -1 c\n" +
		"LRANGE list 0 -1\n" +
		"LRANGE nolist 0 -1\n" +
		"EVAL \"return {1, {2, 'x'}}\" 0\n" +
		"quit\n" +
		"PING\n" // after quit: not sent
	got := compareWithRedisCLI(t, stdin, false)
	const want = "PONG\nOK\n\"hello world\"\n(nil)\n(error) ERR value is not an integer or out of range\n(integer) 3\n" +
		"1) \"a\"\n2) \"-1\"\n3) \"c\"\n(empty array)\n1) (integer) 1\n2) 1) (integer) 2\n   2) \"x\"\n"
	if got != want {
		t.Errorf("redis.lua stdin: want\n%s\ngot\n%s", want, got)
	}
	// EOF without quit ends the run with status 0 as well.
	compareWithRedisCLI(t, "SET k v\nGET k", false)
}

func TestRedisScriptStdinQuoting(t *testing.T) {
	t.Parallel()
	stdin := "SET a \"x y\\n\\x41\\\"z\\\\\\t\"\n" + // "..." with escapes
		"GET a\n" +
		"SET b 'it\\'s \"raw\" \\n'\n" + // '...': only \' is an escape
		"GET b\n" +
		"SET c pre\"mid dle\"\n" + // a quote inside a word opens a quoted part
		"GET c\n" +
		"SET d \"open\n" + // no closing quote
		"SET e \"a\"b\n" + // a closing quote not ending its word
		"SET f 'a'b\n" +
		"  GET   a  \n" + // blanks around and between words
		"SET g \"\"\n" + // an empty argument
		"STRLEN g\n"
	got := compareWithRedisCLI(t, stdin, false)
	const want = "OK\n\"x y\\nA\\\"z\\\\\\t\"\nOK\n\"it's \\\"raw\\\" \\\\n\"\nOK\n\"premid dle\"\n" +
		"Invalid argument(s)\nInvalid argument(s)\nInvalid argument(s)\n\"x y\\nA\\\"z\\\\\\t\"\nOK\n(integer) 0\n"
	if got != want {
		t.Errorf("redis.lua quoting: want\n%s\ngot\n%s", want, got)
	}
}

func TestRedisScriptRESP3LikeRedisCLI(t *testing.T) {
	t.Parallel()
	stdin := "HSET h f1 v1 f2 v2\n" +
		"HGETALL h\n" + // a map
		"SADD s m\n" +
		"SMEMBERS s\n" + // a set
		"ZADD z 1.5 a\n" +
		"ZSCORE z a\n" + // a double
		"ZRANGE z 0 -1 WITHSCORES\n" +
		"GET missing\n" + // RESP3's null
		"EVAL \"redis.setresp(3); return true\" 0\n" +
		"EVAL \"redis.setresp(3); return false\" 0\n" +
		"EVAL \"redis.setresp(3); return {double=3.25}\" 0\n" +
		"CONFIG GET maxmemory\n"
	got := compareWithRedisCLI(t, stdin, true)
	for _, s := range []string{"1# \"f1\" => \"v1\"\n2# \"f2\" => \"v2\"\n", "1~ \"m\"\n", "(double) 1.5\n", "(nil)\n", "(true)\n", "(false)\n", "(double) 3.25\n"} {
		if !strings.Contains(got, s) {
			t.Errorf("redis.lua --resp3: want %q in\n%s", s, got)
		}
	}
	// As one command too.
	r := runCLI(t, "", "scripts/redis.lua", "--resp3", redistest.Start(t), "EVAL", "redis.setresp(3); return {double=0.5}", "0")
	if r.code != 0 || r.stdout != "(double) 0.5\n" {
		t.Errorf("redis.lua --resp3 EVAL: want (double) 0.5; got %v", r)
	}
}

// publish sends PUBLISH channel message to the server at addr as RESP.
func publish(t *testing.T, addr, channel, message string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	cmd := []string{"PUBLISH", channel, message}
	var b strings.Builder
	b.WriteString("*3\r\n")
	for _, a := range cmd {
		b.WriteString("$" + strconv.Itoa(len(a)) + "\r\n" + a + "\r\n")
	}
	if _, err := c.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, err := c.Read(buf)
	if err != nil || !strings.HasPrefix(string(buf[:n]), ":") {
		t.Fatalf("PUBLISH: got %q, %v", buf[:n], err)
	}
}

// endedBySIGINT reports whether p ended with status 130 or by SIGINT's
// default action (which a shell reports as 130: a script without a
// listener does not catch signals, README "A few rules worth knowing").
func endedBySIGINT(p *proc) bool {
	if p.code == 130 {
		return true
	}
	ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGINT
}

func TestRedisScriptSubscribe(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		args  []string
		stdin string
	}{
		{"command", []string{"SUBSCRIBE", "ch1", "ch2"}, ""},
		{"stdin", nil, "PING\nSUBSCRIBE ch1 ch2\n"},
		{"resp3", []string{"SUBSCRIBE", "ch1", "ch2"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			addr := redistest.Start(t)
			args := []string{"scripts/redis.lua"}
			if c.name == "resp3" {
				args = append(args, "--resp3")
			}
			args = append(append(args, addr), c.args...)
			p := startProc(t, c.stdin, args...)
			p.waitLine(p.stdout, `^3\) \(integer\) 2$`, readyTimeout)
			publish(t, addr, "ch1", "hello world")
			publish(t, addr, "ch2", "a\nb")
			p.waitLine(p.stdout, `^3\) "a\\nb"$`, readyTimeout)
			p.signal(syscall.SIGINT)
			p.wait(10 * time.Second)
			if !endedBySIGINT(p) {
				t.Errorf("redis.lua SUBSCRIBE: want status 130 (SIGINT) after Ctrl-C; got %d\nstderr:\n%s", p.code, p.stderr)
			}
			want := "Reading messages... (press Ctrl-C to quit)\n" +
				"1) \"subscribe\"\n2) \"ch1\"\n3) (integer) 1\n" +
				"1) \"subscribe\"\n2) \"ch2\"\n3) (integer) 2\n" +
				"1) \"message\"\n2) \"ch1\"\n3) \"hello world\"\n" +
				"1) \"message\"\n2) \"ch2\"\n3) \"a\\nb\"\n"
			if c.stdin != "" {
				want = "PONG\n" + want
			}
			if got := p.stdout.String(); got != want {
				t.Errorf("redis.lua SUBSCRIBE: want stdout\n%s\ngot\n%s", want, got)
			}
		})
	}
}

// TestRedisScriptSubscribeOutlivesTimeout: a subscribed client waits for
// messages past --timeout, and ends with status 1 when the server goes.
func TestRedisScriptSubscribeOutlivesTimeout(t *testing.T) {
	t.Parallel()
	addr := redistest.Start(t)
	p := startProc(t, "", "scripts/redis.lua", "--timeout", "0.3", addr, "PSUBSCRIBE", "news.*")
	p.waitLine(p.stdout, `^3\) \(integer\) 1$`, readyTimeout)
	time.Sleep(time.Second)
	publish(t, addr, "news.today", "late")
	p.waitLine(p.stdout, `^4\) "late"$`, readyTimeout)
	// The server closes the connection: CLIENT KILL of every pubsub client.
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("CLIENT KILL TYPE pubsub\r\n"))
	if code := p.wait(10 * time.Second); code != 1 {
		t.Errorf("redis.lua PSUBSCRIBE: want status 1 when the server closes; got %d\nstdout:\n%s\nstderr:\n%s", code, p.stdout, p.stderr)
	}
}

// TestRedisScriptPromptOnTerminal: run from a terminal without CMD,
// redis.lua shows redis-cli's prompt before each line; Ctrl-D (EOF) or
// quit ends it with status 0.
func TestRedisScriptPromptOnTerminal(t *testing.T) {
	addr := redistest.Start(t)
	prompt := regexp.QuoteMeta(addr + "> ")
	for _, end := range []string{"\x04", "quit\r"} {
		s := startOnPty(t, screenCols, "", nil, "scripts/redis.lua", addr)
		s.expect(`^` + prompt)
		s.run(`SET k "a b\n"`, `\nOK\n`+prompt)
		s.run("GET k", `\n"a b\\n"\n`+prompt)
		s.run("RPUSH l x y", `\n\(integer\) 2\n`+prompt)
		s.run("LRANGE l 0 -1", `\n1\) "x"\n2\) "y"\n`+prompt)
		s.run("DEL l", `\n\(integer\) 1\n`+prompt)
		s.send(end)
		s.waitExit(0)
	}
}

// TestStdinIsTerminal: os.stdin_is_terminal is true on a pty, false on a
// pipe or with no stdin.
func TestStdinIsTerminal(t *testing.T) {
	t.Parallel()
	for _, stdin := range []string{"", "x\n"} {
		r := runCLI(t, stdin, "-e", "print(os.stdin_is_terminal())")
		if r.code != 0 || r.stdout != "false\n" {
			t.Errorf("os.stdin_is_terminal() with stdin %q: want false; got %v", stdin, r)
		}
	}
	s := startOnPty(t, screenCols, "", nil, "-e", "print('is', os.stdin_is_terminal())")
	s.expect(`is\ttrue\n`)
	s.waitExit(0)
}
