package main

// scripts/ws.lua and scripts/ws_echo.lua against python3-websockets: ws.lua
// talks to bindings/testdata/ws_peer.py (echo, headers, subprotocols, a
// server's close code, wss:// with a test CA), and ws_client.py drives
// ws_echo.lua (text, binary, 10 MiB, fragments, ping, the close
// handshake, a message over --max closed with 1009).

import (
	"bytes"
	"context"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/peer"
	"github.com/gonetrepl/gonetrepl/internal/tlstest"
)

// startWSPeer runs ws_peer.py (TLS with pki when not nil) and returns its
// address.
func startWSPeer(t *testing.T, python string, pki *tlstest.PKI) string {
	t.Helper()
	script, err := filepath.Abs("bindings/testdata/ws_peer.py")
	if err != nil {
		t.Fatal(err)
	}
	return peer.Start(t, python, func(port int) []string {
		args := []string{script, strconv.Itoa(port)}
		if pki != nil {
			args = append(args, pki.CertFile, pki.KeyFile)
		}
		return args
	}, peer.AcceptsTCP)
}

// runWS runs scripts/ws.lua with stdin and args and returns what it did.
func runWS(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	p := startProc(t, stdin, append([]string{"scripts/ws.lua"}, args...)...)
	code := p.wait(runTimeout)
	return result{stdout: p.stdout.String(), stderr: p.stderr.String(), code: code}
}

func TestWSScriptWithPythonServer(t *testing.T) {
	t.Parallel()
	python := peer.PythonWith(t, "websockets", "python3-websockets")
	addr := startWSPeer(t, python, nil)
	base := "ws://" + addr

	// --linger 0.5: the replies to the last lines come within half a
	// second of the end of stdin (the default waits 1 s).
	r := runWS(t, "hello\nwörld\n\nlast", "--linger", "0.5", base+"/echo")
	if r.code != 0 || r.stdout != "hello\nwörld\n\nlast\n" || r.stderr != "" {
		t.Errorf("ws.lua echo: status %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runWS(t, "ab\ncd\n", "--binary", "--linger", "0.5", base+"/echo")
	if r.code != 0 || r.stdout != "abcd" {
		t.Errorf("ws.lua --binary: status %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runWS(t, "", "--header", "X-Test: from ws.lua", "--linger", "0.5", base+"/headers")
	if r.code != 0 || r.stdout != "from ws.lua\n" {
		t.Errorf("ws.lua --header: status %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runWS(t, "", "--protocol", "nope,chat", "--linger", "0.5", base+"/subprotocol")
	if r.code != 0 || r.stdout != "chat\n" || r.stderr != "ws: subprotocol chat\n" {
		t.Errorf("ws.lua --protocol: status %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	// The server closes first, with its code: the script ends, status 0.
	p := startProc(t, "", "scripts/ws.lua", base+"/close/4001")
	if code := p.wait(runTimeout); code != 0 || p.stderr.String() != "ws: closed by the server: code 4001, reason \"bye\"\n" {
		t.Errorf("ws.lua against a closing server: status %d, stderr %q", code, p.stderr)
	}
	// Over the server's 1 KiB cap: it closes with 1009.
	long := string(bytes.Repeat([]byte("x"), 2000))
	r = runWS(t, long+"\n", base+"/max")
	if r.code != 0 || r.stderr != "ws: closed by the server: code 1009, reason \"too big\"\n" {
		t.Errorf("ws.lua over the server's max: status %d, stderr %q", r.code, r.stderr)
	}
	// Usage errors and a refused connect.
	if r = runWS(t, "", "http://"+addr+"/"); r.code != 2 {
		t.Errorf("ws.lua with an http:// URL: status %d, stderr %q", r.code, r.stderr)
	}
	if r = runWS(t, "", "--header", "nocolon", base+"/"); r.code != 2 {
		t.Errorf("ws.lua --header without a colon: status %d, stderr %q", r.code, r.stderr)
	}
	if r = runWS(t, "", "ws://127.0.0.1:1/"); r.code != 1 || r.stderr == "" {
		t.Errorf("ws.lua to a closed port: status %d, stderr %q", r.code, r.stderr)
	}
}

func TestWSScriptWss(t *testing.T) {
	t.Parallel()
	python := peer.PythonWith(t, "websockets", "python3-websockets")
	pki := tlstest.NewPKI(t)
	_, port, err := net.SplitHostPort(startWSPeer(t, python, pki))
	if err != nil {
		t.Fatal(err)
	}
	url := "wss://localhost:" + port + "/echo"
	if r := runWS(t, "secure\n", "--ca", pki.CAFile, url); r.code != 0 || r.stdout != "secure\n" {
		t.Errorf("ws.lua wss --ca: status %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := runWS(t, "secure\n", "--insecure", url); r.code != 0 || r.stdout != "secure\n" || !strings.Contains(r.stderr, "insecure") {
		t.Errorf("ws.lua wss --insecure: status %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := runWS(t, "secure\n", url); r.code != 1 {
		t.Errorf("ws.lua wss with an unknown CA: status %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// runWSClientPy runs ws_client.py against url and returns its output.
func runWSClientPy(t *testing.T, python, url, scenario string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "bindings/testdata/ws_client.py", url, scenario)
	cmd.Env = append(cmd.Environ(), "HOME="+t.TempDir(), "PYTHONDONTWRITEBYTECODE=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ws_client.py %s against %s: %v\nstdout:\n%s\nstderr:\n%s", scenario, url, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

func TestWSEchoScriptWithPythonClient(t *testing.T) {
	t.Parallel()
	python := peer.PythonWith(t, "websockets", "python3-websockets")
	_, addr := startServerScript(t, "tcp", "scripts/ws_echo.lua")
	got := runWSClientPy(t, python, "ws://"+addr+"/", "echo")
	want := "text héllo\nbinary 00ff\nbig 10485760 True\ntext fragmented\nbinary 010203\npong\nclose 1000 done\n"
	if got != want {
		t.Errorf("ws_client.py against ws_echo.lua:\n got %q\nwant %q", got, want)
	}
	_, small := startServerScript(t, "tcp", "scripts/ws_echo.lua", "--max", "1024")
	if got := runWSClientPy(t, python, "ws://"+small+"/", "toobig"); got != "closed 1009\n" {
		t.Errorf("ws_client.py over ws_echo.lua --max 1024: %q", got)
	}
	// ws.lua against ws_echo.lua, both ours.
	if r := runWS(t, "one\ntwo\n", "ws://"+addr+"/"); r.code != 0 || r.stdout != "one\ntwo\n" {
		t.Errorf("ws.lua against ws_echo.lua: status %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestWSEchoScriptIdle: ws_echo.lua --idle 0.5 closes a python3-websockets
// client that sends nothing with 1001 after the idle time, and keeps one
// that sends a message every 0.1 s for more than twice that (the margin
// is for a slow machine's pauses).
func TestWSEchoScriptIdle(t *testing.T) {
	t.Parallel()
	python := peer.PythonWith(t, "websockets", "python3-websockets")
	_, addr := startServerScript(t, "tcp", "scripts/ws_echo.lua", "--idle", "0.5")
	url := "ws://" + addr + "/"
	want := "closed 1001 idle: no frame from the peer for 0.5 s\nafter the idle time True\n"
	if got := runWSClientPy(t, python, url, "silent"); got != want {
		t.Errorf("a silent client of ws_echo.lua --idle 0.5:\n got %q\nwant %q", got, want)
	}
	if got := runWSClientPy(t, python, url, "active"); got != "echoed True\nclose 1000 done\n" {
		t.Errorf("an active client of ws_echo.lua --idle 0.5: %q", got)
	}
	if r := runCLI(t, "", "scripts/ws_echo.lua", "--idle", "-1"); r.code != 2 || !strings.Contains(r.stderr, "--idle") {
		t.Errorf("ws_echo.lua --idle -1: status %d, stderr %q", r.code, r.stderr)
	}
}
