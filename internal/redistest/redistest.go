// Package redistest runs a real Redis server for tests: redis-server
// (Debian package redis-server) on a free loopback port, with no
// persistence (no RDB snapshots, no append-only file) and its working
// directory in the test's temporary directory. DEBUG is allowed from
// loopback, so that tests can ask for every RESP3 type (DEBUG PROTOCOL).
//
// When redis-server is missing, Start skips the test, or fails it when
// the environment variable CI is "true": on CI the dependency must be
// there (./test.sh installs it).
package redistest

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/peer"
)

// Start runs redis-server for the rest of the test and returns its
// address, "127.0.0.1:port", once it answers PING. It is killed at
// cleanup.
func Start(t testing.TB) string {
	t.Helper()
	path := peer.Find(t, "redis-server", "redis-server")
	dir := t.TempDir()
	return peer.Start(t, path, func(port int) []string { return args(port, dir) }, ready)
}

// StartAt runs redis-server on 127.0.0.1:port, a fixed port (inside a
// private network namespace, where it is free), as Start does.
func StartAt(t testing.TB, port int) string {
	t.Helper()
	path := peer.Find(t, "redis-server", "redis-server")
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	peer.StartAt(t, path, args(port, t.TempDir()), addr, ready)
	return addr
}

// args is redis-server's command line for a port and a working directory.
func args(port int, dir string) []string {
	return []string{
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", dir,
		"--daemonize", "no",
		"--enable-debug-command", "local",
		"--loglevel", "warning",
	}
}

// ready reports whether the server at addr answers PING with +PONG.
func ready(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 500*time.Millisecond)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && line == "+PONG\r\n"
}

// Cli returns the path of redis-cli, skipping or failing the test as
// peer.Find does when it is missing.
func Cli(t testing.TB) string {
	t.Helper()
	return peer.Find(t, "redis-cli", "redis-tools")
}

// PythonWithRedis returns the path of a python3 that imports redis-py
// (Debian package python3-redis), skipping the test when there is none,
// or failing it when CI is "true". Debian's module is for /usr/bin/python3,
// which is tried first: the python3 on PATH may be another one (a pyenv
// shim) without it.
func PythonWithRedis(t testing.TB) string {
	t.Helper()
	candidates := []string{"/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	for _, p := range candidates {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := exec.CommandContext(ctx, p, "-c", "import redis").Run()
		cancel()
		if err == nil {
			return p
		}
	}
	msg := "no python3 imports redis (Debian package python3-redis; ./test.sh installs it)"
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s: required when CI=true", msg)
	}
	t.Skipf("%s: skipping", msg)
	return ""
}
