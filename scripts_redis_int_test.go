package main

// Redis's integers are 64-bit (issue 24, item 2): scripts/fake_redis.lua's
// INCR, DECR, INCRBY and DECRBY against a real redis-server, the same
// commands sent to both and every reply compared byte for byte; and
// scripts/redis.lua showing an integer reply past 2^53 with every digit.

import (
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/redistest"
)

// do sends one command and returns its whole reply as it came: a line,
// and for a bulk string its bytes (the commands compared here answer no
// aggregates).
func (rc *respConn) do(args ...string) string {
	rc.t.Helper()
	rc.command(args...)
	line := rc.line()
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(line, "$"), "\r\n"))
	if !strings.HasPrefix(line, "$") || err != nil || n < 0 {
		return line
	}
	data := make([]byte, n+2)
	if _, err := io.ReadFull(rc.r, data); err != nil {
		rc.t.Fatalf("%q: a bulk string of %d bytes: %v", args, n, err)
	}
	return line + string(data)
}

// int64Commands is the conversation both servers hold: counting across
// 2^53 and up to int64's ends, and every way a value or an increment is
// not an integer to Redis.
var int64Commands = [][]string{
	{"INCR", "n"}, {"INCRBY", "n", "41"}, {"DECR", "n"}, {"DECRBY", "n", "-10"}, {"GET", "n"},
	// Across 2^53, both ways: ...991 was where counting stopped.
	{"SET", "n", "9007199254740991"}, {"INCR", "n"}, {"INCR", "n"}, {"INCR", "n"}, {"GET", "n"},
	{"SET", "n", "-9007199254740994"}, {"INCR", "n"}, {"INCR", "n"}, {"DECRBY", "n", "2"}, {"GET", "n"},
	{"SET", "n", "123456789012345678"}, {"INCR", "n"}, {"GET", "n"},
	{"INCRBY", "n", "9000000000000000000"}, {"INCRBY", "n", "-9000000000000000000"}, {"GET", "n"},
	// int64's ends.
	{"SET", "n", "9223372036854775806"}, {"INCR", "n"}, {"INCR", "n"}, {"GET", "n"},
	{"INCRBY", "n", "-9223372036854775808"}, {"GET", "n"},
	{"SET", "n", "-9223372036854775808"}, {"DECR", "n"}, {"DECRBY", "n", "1"}, {"INCRBY", "n", "-1"}, {"GET", "n"},
	{"INCRBY", "n", "9223372036854775807"}, {"GET", "n"},
	{"SET", "n", "-9223372036854775807"}, {"DECR", "n"}, {"DECR", "n"},
	{"DECRBY", "n", "-9223372036854775808"}, {"DECRBY", "m", "-9223372036854775808"},
	{"DECRBY", "m", "9223372036854775807"}, {"DECRBY", "m", "1"}, {"DECRBY", "m", "1"}, {"GET", "m"},
	{"INCRBY", "new", "-9223372036854775808"}, {"GET", "new"},
	{"SET", "n", "9223372036854775807"}, {"INCRBY", "n", "0"}, {"DECRBY", "n", "-1"}, {"DECRBY", "n", "9223372036854775807"},
	// Values Redis does not read as integers.
	{"SET", "v", " 1"}, {"INCR", "v"}, {"SET", "v", "1 "}, {"INCR", "v"},
	{"SET", "v", "01"}, {"INCR", "v"}, {"SET", "v", "+1"}, {"INCR", "v"},
	{"SET", "v", "1.0"}, {"INCR", "v"}, {"SET", "v", ""}, {"INCR", "v"},
	{"SET", "v", "-0"}, {"INCR", "v"}, {"SET", "v", "-"}, {"DECR", "v"},
	{"SET", "v", "12345678901234567890"}, {"INCR", "v"},
	{"SET", "v", "9223372036854775808"}, {"INCR", "v"},
	{"SET", "v", "-9223372036854775809"}, {"DECR", "v"},
	{"SET", "v", "000000000000000000001"}, {"INCR", "v"},
	{"SET", "v", "0x10"}, {"INCR", "v"}, {"SET", "v", "1e3"}, {"INCRBY", "v", "1"},
	{"SET", "v", "0"}, {"INCR", "v"}, {"GET", "v"},
	// Increments Redis does not read as integers: refused before the value.
	{"INCRBY", "w", "1.5"}, {"INCRBY", "w", ""}, {"INCRBY", "w", " 1"}, {"INCRBY", "w", "+1"},
	{"INCRBY", "w", "01"}, {"DECRBY", "w", "abc"}, {"INCRBY", "w", "9223372036854775808"},
	{"DECRBY", "w", "-9223372036854775809"}, {"INCRBY", "w", "-0"}, {"GET", "w"},
	{"SET", "s", "text"}, {"INCRBY", "s", "x"}, {"DECRBY", "s", "-9223372036854775808"}, {"DECR", "s"},
	// The number of arguments.
	{"INCR"}, {"INCR", "a", "b"}, {"INCRBY", "a"}, {"DECRBY", "a", "1", "2"}, {"DECR"},
}

// TestFakeRedisIntegersMatchRedis sends int64Commands to redis-server and
// to fake_redis.lua and wants the same bytes back from both.
func TestFakeRedisIntegersMatchRedis(t *testing.T) {
	t.Parallel()
	real := dialRESP(t, redistest.Start(t))
	_, addr := startFakeRedis(t, "--quiet")
	fake := dialRESP(t, addr)
	mismatches := 0
	seen := map[string]bool{}
	for _, cmd := range int64Commands {
		want := real.do(cmd...)
		seen[want] = true
		if got := fake.do(cmd...); got != want {
			t.Errorf("%q: redis-server answers %q, fake_redis.lua %q", cmd, want, got)
			if mismatches++; mismatches > 20 {
				t.Fatal("too many differences")
			}
		}
	}
	// The conversation reached what it is about: past 2^53 both ways,
	// int64's ends, and every error.
	for _, want := range []string{":9007199254740993\r\n", ":-9007199254740993\r\n", ":123456789012345679\r\n",
		":9223372036854775807\r\n", ":-9223372036854775808\r\n", "-ERR increment or decrement would overflow\r\n",
		"-ERR decrement would overflow\r\n", "-ERR value is not an integer or out of range\r\n",
		"-ERR wrong number of arguments for 'incrby' command\r\n"} {
		if !seen[want] {
			t.Errorf("redis-server never answered %q: the conversation misses a case", want)
		}
	}
}

// TestRedisScriptBigInteger: scripts/redis.lua shows an integer reply
// past 2^53 with all its digits, as redis-cli does.
func TestRedisScriptBigInteger(t *testing.T) {
	t.Parallel()
	server := redistest.Start(t)
	for _, c := range []struct {
		args   []string
		stdout string
	}{
		{[]string{"SET", "big", "123456789012345678"}, "OK\n"},
		{[]string{"INCR", "big"}, "(integer) 123456789012345679\n"},
		{[]string{"DECRBY", "big", "123456789012345680"}, "(integer) -1\n"},
		{[]string{"SET", "min", "-9223372036854775807"}, "OK\n"},
		{[]string{"DECR", "min"}, "(integer) -9223372036854775808\n"},
	} {
		r := runCLI(t, "", append([]string{"scripts/redis.lua", "--timeout", "10", server}, c.args...)...)
		if r.code != 0 || r.stdout != c.stdout || r.stderr != "" {
			t.Errorf("redis.lua %q: want status 0 and stdout %q; got %v", c.args, c.stdout, r)
		}
	}
}
