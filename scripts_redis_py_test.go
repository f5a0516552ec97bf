package main

// redis-py, the most common Redis client library, against
// scripts/fake_redis.lua (issue 24, item 5): testdata/redis_py_check.py
// runs the commands programs send through redis-py (incr as INCRBY,
// pipeline() as MULTI/EXEC, WATCH, SET's options, expiry, INFO, pub/sub)
// against a real redis-server and against fake_redis.lua, and both runs
// must print the same.

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/redistest"
)

// runRedisPy runs testdata/redis_py_check.py with python against addr and
// returns what it printed; a failure of the script fails the test.
func runRedisPy(t *testing.T, python, addr string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "testdata/redis_py_check.py", addr)
	cmd.Env = append(cmd.Environ(), "HOME="+t.TempDir(), "PYTHONDONTWRITEBYTECODE=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("redis_py_check.py against %s: %v\nstdout:\n%s\nstderr:\n%s", addr, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

func TestFakeRedisWithRedisPy(t *testing.T) {
	t.Parallel()
	python := redistest.PythonWithRedis(t)
	real := redistest.Start(t)
	_, fake := startFakeRedis(t, "--quiet")
	want := runRedisPy(t, python, real)
	got := runRedisPy(t, python, fake)
	compareLines(t, "redis-server", "fake_redis.lua", strings.Split(want, "\n"), strings.Split(got, "\n"))
	// The run reached what it is about, against the real server too.
	for _, line := range []string{
		"incr 41: 42", "set nx get: b'w3'", "ttl kept: 100", "get expired: None",
		"mget: [b'1', b'2', None]", "ttl after gt: 200", "exists expired: 0",
		"pipeline: [True, 2, b'2', [b'2', None]]",
		"pipeline with an unknown command: \"ResponseError: Command # 2 (NOSUCH arg) of pipeline caused error: unknown command",
		"watched and changed: 'WatchError: Watched variable changed.'", "watched, unchanged: [True]",
		"info version major: '7'",
		"message: {'type': 'message', 'pattern': None, 'channel': b'py:ch', 'data': b'hello'}",
		"hello abc: 'ResponseError: Protocol version is not an integer or out of range'",
	} {
		if !strings.Contains(want, line) {
			t.Errorf("against redis-server the script never printed %q: it misses a case", line)
		}
	}
}
