package main

// End-to-end tests of the Redis scripts against real peers on loopback:
// scripts/redis.lua against redis-server (started by package redistest),
// and redis-cli against scripts/fake_redis.lua.

import (
	"context"
	"errors"
	"net"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/redistest"
)

func TestRedisScript(t *testing.T) {
	t.Parallel()
	server := redistest.Start(t)
	cases := []struct {
		args   []string
		stdout string
	}{
		{[]string{"SET", "greeting", "hello world"}, "OK\n"},
		{[]string{"GET", "greeting"}, "\"hello world\"\n"},
		{[]string{"SET", "bin", "a\"b\n\x01\xff"}, "OK\n"},
		{[]string{"GET", "bin"}, "\"a\\\"b\\n\\x01\\xff\"\n"},
		{[]string{"GET", "missing"}, "(nil)\n"},
		{[]string{"INCR", "counter"}, "(integer) 1\n"},
		{[]string{"INCR", "counter"}, "(integer) 2\n"},
		// Arguments after ADDR are the command's, dashes and all.
		{[]string{"RPUSH", "list", "a", "-1"}, "(integer) 2\n"},
		{[]string{"LRANGE", "list", "0", "-1"}, "1) \"a\"\n2) \"-1\"\n"},
		{[]string{"LRANGE", "nolist", "0", "-1"}, "(empty array)\n"},
		{[]string{"EVAL", "return {1, {2, 'x'}}", "0"}, "1) (integer) 1\n2) 1) (integer) 2\n   2) \"x\"\n"},
	}
	for _, c := range cases {
		args := append([]string{"scripts/redis.lua", "--timeout", "10", server}, c.args...)
		r := runCLI(t, "", args...)
		if r.code != 0 || r.stdout != c.stdout || r.stderr != "" {
			t.Errorf("redis.lua %q: want status 0 and stdout %q; got %v", c.args, c.stdout, r)
		}
	}

	// RESP3: HELLO 3 answers a map.
	r := runCLI(t, "", "scripts/redis.lua", server, "HELLO", "3")
	if r.code != 0 || !strings.Contains(r.stdout, `# "proto" => (integer) 3`) || !strings.Contains(r.stdout, `# "server" => "redis"`) {
		t.Errorf("redis.lua HELLO 3: want a map with proto 3; got %v", r)
	}

	// An error reply: status 1, the message on stderr, nothing on stdout.
	r = runCLI(t, "", "scripts/redis.lua", server, "INCR", "greeting")
	if r.code != 1 || r.stdout != "" || r.stderr != "(error) ERR value is not an integer or out of range\n" {
		t.Errorf("redis.lua INCR of a string: want status 1 and the error on stderr; got %v", r)
	}
	r = runCLI(t, "", "scripts/redis.lua", server, "GET", "list")
	if r.code != 1 || !strings.HasPrefix(r.stderr, "(error) WRONGTYPE ") {
		t.Errorf("redis.lua GET of a list: want status 1 and WRONGTYPE; got %v", r)
	}

	// No server: status 1 and Go's message.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	r = runCLI(t, "", "scripts/redis.lua", "--timeout", "5", closed, "PING")
	if r.code != 1 || !strings.Contains(r.stderr, "connection refused") {
		t.Errorf("redis.lua with no server: want status 1 and connection refused; got %v", r)
	}

	// Usage errors: status 2. (ADDR alone reads commands from stdin:
	// TestRedisScriptStdinLikeRedisCLI.)
	for _, args := range [][]string{{}, {"--timeout", "-1", server, "PING"}, {"--resp3=x", server, "PING"}} {
		r = runCLI(t, "", append([]string{"scripts/redis.lua"}, args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, "usage: gonetrepl scripts/redis.lua") {
			t.Errorf("redis.lua %q: want status 2 and the usage; got %v", args, r)
		}
	}
}

// startFakeRedis starts scripts/fake_redis.lua on a free loopback port.
func startFakeRedis(t *testing.T, opts ...string) (*proc, string) {
	t.Helper()
	return startServerScript(t, "tcp", "scripts/fake_redis.lua", opts...)
}

// redisCLI runs redis-cli against addr, bounded by runTimeout, and returns
// what it printed (stdout and stderr together).
func redisCLI(t *testing.T, cliPath, addr string, args ...string) string {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, cliPath, append([]string{"-h", host, "-p", port}, args...)...)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("redis-cli %q did not finish within %v: %s", args, runTimeout, out)
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("redis-cli %q: %v", args, err)
	}
	return string(out)
}

func TestFakeRedisScript(t *testing.T) {
	t.Parallel()
	cliPath := redistest.Cli(t)
	p, addr := startFakeRedis(t)
	cases := []struct {
		args []string
		want string // redis-cli's output when not on a terminal
	}{
		{[]string{"SET", "k", "v"}, "OK\n"},
		{[]string{"GET", "k"}, "v\n"},
		{[]string{"PING"}, "PONG\n"},
		{[]string{"PING", "hi there"}, "hi there\n"},
		{[]string{"ECHO", "echo me"}, "echo me\n"},
		{[]string{"INCR", "n"}, "1\n"},
		{[]string{"INCR", "n"}, "2\n"},
		{[]string{"DEL", "n", "k", "nothing"}, "2\n"},
		{[]string{"GET", "k"}, "\n"},
		// What redis-py needs too (scripts_redis_py_test.go).
		{[]string{"SET", "t", "v", "EX", "100"}, "OK\n"},
		{[]string{"TTL", "t"}, "100\n"},
		{[]string{"INCRBY", "n", "5"}, "5\n"},
		{[]string{"MSET", "a", "1", "b", "2"}, "OK\n"},
		{[]string{"MGET", "a", "b", "c"}, "1\n2\n\n"},
		{[]string{"EXISTS", "a", "b", "c"}, "2\n"},
		{[]string{"PUBLISH", "news", "hi"}, "0\n"},
	}
	for _, c := range cases {
		if got := redisCLI(t, cliPath, addr, c.args...); got != c.want {
			t.Errorf("redis-cli %q against fake_redis.lua: want %q; got %q", c.args, c.want, got)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"FLY", "away"}, "ERR unknown command 'FLY', with args beginning with: 'away'"},
		{[]string{"GET"}, "ERR wrong number of arguments for 'get' command"},
		{[]string{"SET", "s", "text"}, "OK"},
		{[]string{"INCR", "s"}, "ERR value is not an integer or out of range"},
	} {
		if got := redisCLI(t, cliPath, addr, c.args...); !strings.Contains(got, c.want) {
			t.Errorf("redis-cli %q against fake_redis.lua: want %q; got %q", c.args, c.want, got)
		}
	}
	// redis-cli -3 says HELLO 3 first: RESP3 from then on.
	if got := redisCLI(t, cliPath, addr, "-3", "GET", "nothing"); got != "\n" {
		t.Errorf("redis-cli -3 GET nothing: want an empty line; got %q", got)
	}
	if got := redisCLI(t, cliPath, addr, "-3", "HELLO", "3"); !strings.Contains(got, "proto\n3") && !strings.Contains(got, "proto 3") {
		t.Errorf("redis-cli -3 HELLO 3: want proto 3; got %q", got)
	}
	// redis.lua and fake_redis.lua talk to each other too.
	r := runCLI(t, "", "scripts/redis.lua", addr, "SET", "both", "ends")
	if r.code != 0 || r.stdout != "OK\n" {
		t.Errorf("redis.lua SET against fake_redis.lua: got %v", r)
	}
	r = runCLI(t, "", "scripts/redis.lua", addr, "GET", "both")
	if r.code != 0 || r.stdout != "\"ends\"\n" {
		t.Errorf("redis.lua GET against fake_redis.lua: got %v", r)
	}
	r = runCLI(t, "", "scripts/redis.lua", addr, "NOPE")
	if r.code != 1 || !strings.HasPrefix(r.stderr, "(error) ERR unknown command 'NOPE'") {
		t.Errorf("redis.lua NOPE against fake_redis.lua: want status 1; got %v", r)
	}
	// A bulk length over the cap: an error reply, then the conn closes.
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	c.Write([]byte("*1\r\n$999999999999\r\n"))
	buf := make([]byte, 200)
	n, _ := c.Read(buf)
	if !strings.HasPrefix(string(buf[:n]), "-ERR Protocol error: ") {
		t.Errorf("a huge bulk length: want -ERR Protocol error; got %q", buf[:n])
	}
	c.Close()

	p.waitLine(p.stderr, `^fake_redis: 127\.0\.0\.1:\d+: SET k v$`, readyTimeout)
	p.waitLine(p.stderr, `^fake_redis: 127\.0\.0\.1:\d+ disconnected$`, readyTimeout)
	p.signal(syscall.SIGTERM)
	if code := p.wait(10 * time.Second); code != 143 {
		t.Fatalf("fake_redis.lua: want status 143 after SIGTERM; got %d\nstderr:\n%s", code, p.stderr)
	}
}

func TestFakeRedisQuiet(t *testing.T) {
	t.Parallel()
	p, addr := startFakeRedis(t, "--quiet")
	r := runCLI(t, "", "scripts/redis.lua", addr, "PING")
	if r.code != 0 || r.stdout != "PONG\n" {
		t.Errorf("redis.lua PING against fake_redis.lua --quiet: got %v", r)
	}
	p.signal(syscall.SIGINT)
	if code := p.wait(10 * time.Second); code != 130 {
		t.Fatalf("fake_redis.lua: want status 130 after SIGINT; got %d", code)
	}
	if got := p.stderr.String(); strings.Contains(got, "connected") || strings.Contains(got, "PING") {
		t.Errorf("--quiet: want only the listening line on stderr; got:\n%s", got)
	}
}
