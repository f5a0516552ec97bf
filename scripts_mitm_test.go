package main

// scripts/mitm.lua end to end: curl through it to http_server.lua with a
// body replacement, a FROM cut across two reads, dropped chunks, a delay,
// and TLS interception (curl trusting a test CA, openssl s_server -www
// behind).

import (
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/peer"
	"github.com/gonetrepl/gonetrepl/internal/tlstest"
)

// startMitm runs scripts/mitm.lua on a free loopback port in front of
// target and returns it and its address.
func startMitm(t *testing.T, target string, opts ...string) (*proc, string) {
	t.Helper()
	p := startProc(t, "", append([]string{"scripts/mitm.lua", "127.0.0.1:0", target}, opts...)...)
	line := p.waitLine(p.stderr, `^mitm: listening on `, readyTimeout)
	addr, _, _ := strings.Cut(strings.TrimPrefix(line, "mitm: listening on "), ",")
	return p, strings.TrimSuffix(addr, " (TLS)")
}

// A body replaced in flight: the same length, so Content-Length holds.
// The traffic is shown as proxy.lua shows it, after the edit.
func TestMitmScriptReplace(t *testing.T) {
	t.Parallel()
	peer.Find(t, "curl", "curl")
	_, server := startHTTPServer(t, "--reply", "hello world", "--quiet")
	m, addr := startMitm(t, server, "--replace", "world=WORLD", "--replace=hello=howdy", "--text")
	if got := curl(t, "http://"+addr+"/"); got != "howdy WORLD" {
		t.Fatalf("curl through mitm.lua --replace: got %q, want %q", got, "howdy WORLD")
	}
	m.waitLine(m.stderr, `^mitm: .* done: \d+ bytes to `, readyTimeout)
	log := m.stderr.String()
	for _, want := range []string{`"GET / HTTP/1.1\r\n"`, `"Content-Length: 11\r\n"`, `"howdy WORLD"`} {
		if !strings.Contains(log, want) {
			t.Fatalf("mitm.lua's trace lacks %s:\n%s", want, log)
		}
	}
}

// A FROM cut across two reads is replaced: the end that could begin it
// waits for the next chunk (or the end of the direction).
func TestMitmScriptReplaceAcrossReads(t *testing.T) {
	t.Parallel()
	target := mitmTarget(t, func(c net.Conn) {
		io.WriteString(c, "the secr")
		time.Sleep(100 * time.Millisecond)
		io.WriteString(c, "et is out; sec")
	})
	_, addr := startMitm(t, target, "--replace", "secret=XXXXXX", "--quiet")
	got := dialRead(t, addr, "")
	if got != "the XXXXXX is out; sec" {
		t.Fatalf("through mitm.lua: got %q", got)
	}
}

// --drop 100 drops every chunk, both ways; --delay holds each one back;
// --pace slows the transfer down.
func TestMitmScriptDropDelayPace(t *testing.T) {
	t.Parallel()
	echo := mitmTarget(t, func(c net.Conn) {
		io.Copy(c, c)
	})
	_, dropping := startMitm(t, echo, "--drop", "100", "--quiet")
	if got := dialRead(t, dropping, "hello"); got != "" {
		t.Fatalf("mitm.lua --drop 100: got %q, want nothing", got)
	}
	_, delaying := startMitm(t, echo, "--delay", "300", "--quiet")
	start := time.Now()
	if got := dialRead(t, delaying, "hello"); got != "hello" {
		t.Fatalf("mitm.lua --delay 300: got %q", got)
	}
	// 300 ms each way.
	if d := time.Since(start); d < 600*time.Millisecond {
		t.Fatalf("mitm.lua --delay 300: the echo came back after %v, want 600 ms or more", d)
	}
	// 100 kB at 200 kB/s: half a second at least (bindings' TestRelayPace
	// checks the rate within 20 %).
	_, pacing := startMitm(t, echo, "--pace", "200000", "--quiet")
	big := strings.Repeat("0123456789", 10000)
	start = time.Now()
	if got := dialRead(t, pacing, big); got != big {
		t.Fatalf("mitm.lua --pace: got %d bytes back, want %d", len(got), len(big))
	}
	if d := time.Since(start); d < 450*time.Millisecond {
		t.Fatalf("mitm.lua --pace 200000: 100 kB echoed in %v, want 0.5 s or more", d)
	}
}

// --tls: curl trusts the test CA only; mitm.lua shows it a leaf for
// localhost signed by that CA, reads the plaintext, edits it, and
// re-originates TLS to openssl s_server -www, verified with the same CA.
func TestMitmScriptTLS(t *testing.T) {
	t.Parallel()
	peer.Find(t, "curl", "curl")
	pki := tlstest.NewPKI(t)
	server := peer.Start(t, tlstest.OpenSSL(t), func(port int) []string {
		return []string{"s_server", "-accept", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
			"-cert", pki.CertFile, "-key", pki.KeyFile, "-www", "-quiet"}
	}, peer.AcceptsTCP)
	leaf := pki.Issue(t, "mitm", "localhost", "127.0.0.1")
	m, addr := startMitm(t, server, "--tls", leaf.CertFile, leaf.KeyFile, "--ca", pki.CAFile,
		"--server-name", "localhost", "--replace", "Ciphers supported=CIPHERS SUPPORTED", "--text")
	_, port, _ := net.SplitHostPort(addr)
	got := curl(t, "--cacert", pki.CAFile, "--resolve", "localhost:"+port+":127.0.0.1", "https://localhost:"+port+"/")
	if !strings.Contains(got, "CIPHERS SUPPORTED in s_server binary") || strings.Contains(got, "Ciphers supported") {
		t.Fatalf("curl through mitm.lua --tls: want s_server's page, edited; got %q", got)
	}
	m.waitLine(m.stderr, `^mitm: .* (done|ended): `, readyTimeout)
	if log := m.stderr.String(); !strings.Contains(log, "GET / HTTP/1.1") || !strings.Contains(log, "CIPHERS SUPPORTED") {
		t.Fatalf("mitm.lua --tls shows no plaintext:\n%s", log)
	}
}

func TestMitmScriptUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"127.0.0.1:0", "127.0.0.1:1", "--replace", "=x"},
		{"127.0.0.1:0", "127.0.0.1:1", "--replace", "nothing"},
		{"127.0.0.1:0", "127.0.0.1:1", "--tls", "cert.pem"},
		{"127.0.0.1:0"},
	} {
		r := runCLI(t, "", append([]string{"scripts/mitm.lua"}, args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, "usage: gonetrepl scripts/mitm.lua") {
			t.Errorf("mitm.lua %q: want status 2 and the usage; got %v", args, r)
		}
	}
}

// mitmTarget serves each client with handle on a loopback listener, in Go
// (peer.Serve), each conn given runTimeout; it returns the address.
func mitmTarget(t *testing.T, handle func(c net.Conn)) string {
	t.Helper()
	return peer.Serve(t, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(runTimeout))
		handle(c)
	})
}

// dialRead connects to addr, sends send, half-closes and returns all it
// reads until EOF.
func dialRead(t *testing.T, addr, send string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, readyTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(runTimeout))
	if _, err := io.WriteString(c, send); err != nil {
		t.Fatal(err)
	}
	c.(*net.TCPConn).CloseWrite()
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading from %s: %v (got %q)", addr, err, b)
	}
	return string(b)
}
