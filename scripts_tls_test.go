package main

// scripts/tls_probe.lua end to end: the real binary against "openssl
// s_server" on loopback, with a certificate a test CA signed (package
// tlstest).

import (
	"net"
	"regexp"
	"strings"
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/tlstest"
)

func TestTLSProbeScript(t *testing.T) {
	t.Parallel()
	pki := tlstest.NewPKI(t)
	server := tlstest.Server(t, pki, "-alpn", "h2,http/1.1")

	r := runCLI(t, "", "scripts/tls_probe.lua", server, "--ca", pki.CAFile, "--alpn", "h2", "--server-name", "localhost")
	want := []string{
		"version:  TLS 1.3",
		"alpn:     h2",
		"verified: yes, for localhost",
		"certificate 0",
		"  subject:  CN=localhost",
		"  issuer:   CN=" + tlstest.CAName,
		"  dns:      localhost",
		"  ip:       127.0.0.1, ::1",
	}
	for _, line := range want {
		if r.code != 0 || !strings.Contains(r.stdout, line+"\n") {
			t.Fatalf("tls_probe.lua with --ca: want status 0 and the line %q; got %v", line, r)
		}
	}
	for _, re := range []string{
		`(?m)^cipher:   TLS_[A-Z0-9_]+$`,
		`(?m)^  valid:    \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC to \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$`,
	} {
		if !regexp.MustCompile(re).MatchString(r.stdout) {
			t.Fatalf("tls_probe.lua: no line matching %s; got %v", re, r)
		}
	}
	if strings.Contains(r.stdout, "certificate 1") {
		t.Fatalf("tls_probe.lua: s_server sends its own certificate only; got %v", r)
	}

	// Verified against the IP address by default; no ALPN offered.
	r = runCLI(t, "", "scripts/tls_probe.lua", server, "--ca", pki.CAFile)
	if r.code != 0 || !strings.Contains(r.stdout, "alpn:     none\n") || !strings.Contains(r.stdout, "verified: yes, for 127.0.0.1\n") {
		t.Fatalf("tls_probe.lua without --server-name: got %v", r)
	}

	// The test CA is not one the system trusts: exit 1 with Go's error,
	// and the chain the server sent all the same, marked unverified.
	unverified := "verified: NO (the chain below failed verification)\n" +
		"certificate 0 (unverified)\n" +
		"  subject:  CN=localhost\n" +
		"  issuer:   CN=" + tlstest.CAName + "\n"
	r = runCLI(t, "", "scripts/tls_probe.lua", server)
	if r.code != 1 || !strings.HasPrefix(r.stdout, unverified) || !strings.Contains(r.stdout, "  dns:      localhost\n") ||
		strings.Contains(r.stdout, "version:") || !strings.HasPrefix(r.stderr, "tls_probe: handshake tls ") ||
		!strings.Contains(r.stderr, "certificate signed by unknown authority") {
		t.Fatalf("tls_probe.lua without --ca: want status 1, the unverified chain and the error; got %v", r)
	}
	r = runCLI(t, "", "scripts/tls_probe.lua", server, "--insecure")
	if r.code != 0 || !strings.Contains(r.stdout, "verified: no (--insecure)\n") || !strings.Contains(r.stdout, "certificate 0 (unverified)\n  subject:  CN=localhost\n") {
		t.Fatalf("tls_probe.lua --insecure: got %v", r)
	}
	// Trusted, but for another name: the chain too.
	r = runCLI(t, "", "scripts/tls_probe.lua", server, "--ca", pki.CAFile, "--server-name", "wrong.example")
	if r.code != 1 || !strings.Contains(r.stderr, "wrong.example") || !strings.HasPrefix(r.stdout, unverified) {
		t.Fatalf("tls_probe.lua --server-name wrong.example: want status 1, the unverified chain and the error; got %v", r)
	}
	// Nothing TLS to verify (a refused port): the error alone.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	r = runCLI(t, "", "scripts/tls_probe.lua", closed)
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "refused") {
		t.Fatalf("tls_probe.lua to a closed port: want status 1, no stdout and the error; got %v", r)
	}
}

// Against a gonetrepl TLS server in another process: tls.listen with a
// self-signed certificate, which only --insecure accepts.
func TestTLSProbeGonetreplServer(t *testing.T) {
	t.Parallel()
	p := startProc(t, "", "-e", `
		local ln = assert(tls.listen("127.0.0.1:0", {self_signed = true, alpn = {"x-test"}}))
		io.stderr:write("listening on ", tostring(ln:addr()), "\n")
		for _ = 1, 2 do
			local c = assert(ln:accept())
			c:handshake()
			c:close()
		end
		ln:close()`)
	addr := strings.TrimPrefix(p.waitLine(p.stderr, `^listening on `, readyTimeout), "listening on ")
	r := runCLI(t, "", "scripts/tls_probe.lua", addr)
	if r.code != 1 || !strings.Contains(r.stderr, "certificate") ||
		!strings.Contains(r.stdout, "certificate 0 (unverified)\n  subject:  CN=localhost,") || !strings.Contains(r.stdout, "  ca:       yes\n") {
		t.Fatalf("tls_probe.lua against a self-signed server: want status 1; got %v", r)
	}
	r = runCLI(t, "", "scripts/tls_probe.lua", addr, "--insecure", "--alpn", "x-test")
	if r.code != 0 || !strings.Contains(r.stdout, "alpn:     x-test\n") || !strings.Contains(r.stdout, "  ca:       yes\n") ||
		!strings.Contains(r.stdout, "  dns:      localhost\n") {
		t.Fatalf("tls_probe.lua --insecure against a self-signed server: got %v", r)
	}
	if code := p.wait(runTimeout); code != 0 {
		t.Fatalf("the gonetrepl server exited with status %d\nstderr:\n%s", code, p.stderr)
	}
}

func TestTLSProbeNeedsAnAddress(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", "scripts/tls_probe.lua")
	if r.code != 2 || !strings.HasPrefix(r.stderr, "missing HOST:PORT\nusage: ") {
		t.Fatalf("tls_probe.lua with no address: want status 2 and the usage on stderr; got %v", r)
	}
}
