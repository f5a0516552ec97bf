// Package proxytest runs real proxy servers for tests, each on a free
// loopback port with its own configuration in the test's temporary
// directory: microsocks (SOCKS5, with or without user/password), Dante's
// danted (SOCKS4 and SOCKS5) and tinyproxy (HTTP CONNECT, with or without
// Basic auth). None needs root: danted's configuration names no users to
// switch to, tinyproxy runs in the foreground without a pid file.
//
// A missing program skips the test, or fails it when the environment
// variable CI is "true" (see package peer).
package proxytest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/peer"
)

// Microsocks runs microsocks and returns its address; with a user, it
// asks for user and pass (RFC 1929).
func Microsocks(t testing.TB, user, pass string) string {
	t.Helper()
	path := peer.Find(t, "microsocks", "microsocks")
	return peer.Start(t, path, func(port int) []string {
		args := []string{"-i", "127.0.0.1", "-p", strconv.Itoa(port)}
		if user != "" {
			args = append(args, "-u", user, "-P", pass)
		}
		return args
	}, peer.AcceptsTCP)
}

// danteConf is danted's configuration: loopback in and out, no
// authentication, CONNECT only, from and to loopback.
const danteConf = `logoutput: stderr
internal: 127.0.0.1 port = %d
external: 127.0.0.1
clientmethod: none
socksmethod: none
client pass {
  from: 127.0.0.0/8 to: 0.0.0.0/0
}
socks pass {
  from: 127.0.0.0/8 to: 127.0.0.0/8
  command: connect
}
`

// Dante runs danted (one process of each kind) and returns its address.
// It serves SOCKS5 and SOCKS4, not SOCKS4a.
func Dante(t testing.TB) string {
	t.Helper()
	path := peer.Find(t, "danted", "dante-server")
	dir := t.TempDir()
	return start(t, path, func(port int) []string {
		conf := filepath.Join(dir, "danted.conf")
		if err := os.WriteFile(conf, fmt.Appendf(nil, danteConf, port), 0o644); err != nil {
			t.Fatal(err)
		}
		return []string{"-f", conf, "-p", filepath.Join(dir, "danted.pid"), "-N", "1"}
	})
}

// Tinyproxy runs tinyproxy and returns its address. It allows CONNECT
// to connectPorts only (none: no CONNECT at all); with a user, it asks
// for Basic auth.
func Tinyproxy(t testing.TB, user, pass string, connectPorts ...int) string {
	t.Helper()
	path := peer.Find(t, "tinyproxy", "tinyproxy")
	dir := t.TempDir()
	return start(t, path, func(port int) []string {
		var b strings.Builder
		fmt.Fprintf(&b, "Port %d\nListen 127.0.0.1\nTimeout 30\nAllow 127.0.0.1\nMaxClients 20\nLogLevel Info\n", port)
		for _, p := range connectPorts {
			fmt.Fprintf(&b, "ConnectPort %d\n", p)
		}
		if len(connectPorts) == 0 {
			b.WriteString("ConnectPort 1\n") // a port nothing uses: without any line, every port is allowed
		}
		if user != "" {
			fmt.Fprintf(&b, "BasicAuth %s %s\n", user, pass)
		}
		conf := filepath.Join(dir, "tinyproxy.conf")
		if err := os.WriteFile(conf, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return []string{"-d", "-c", conf}
	})
}

// start is peer.Start for a server that forks (danted): at cleanup it
// gets SIGTERM, so that it ends and reaps its children, and SIGKILL only
// if it has not ended within a few seconds.
func start(t testing.TB, path string, args func(port int) []string) string {
	t.Helper()
	var last string
	for range 5 {
		port := peer.FreePort(t)
		addr := "127.0.0.1:" + strconv.Itoa(port)
		cmd := exec.Command(path, args(port)...)
		out := &peer.SyncBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatalf("start %s: %v", path, err)
		}
		exited := make(chan struct{})
		go func() {
			cmd.Wait()
			close(exited)
		}()
		stop := func() {
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(5 * time.Second):
				cmd.Process.Kill()
				<-exited
			}
		}
		gone := false // exited before it answered: its port was taken, say
		for deadline := time.Now().Add(peer.ReadyTimeout); !gone && time.Now().Before(deadline); {
			select {
			case <-exited:
				gone = true
				continue
			default:
			}
			if peer.AcceptsTCP(addr) {
				t.Cleanup(stop)
				return addr
			}
			time.Sleep(50 * time.Millisecond)
		}
		stop()
		last = out.String()
		if !gone {
			t.Fatalf("%s on %s did not answer within %v; output:\n%s", filepath.Base(path), addr, peer.ReadyTimeout, out.String())
		}
	}
	t.Fatalf("%s did not start in 5 attempts; last output:\n%s", filepath.Base(path), last)
	return ""
}
