package bindings

// TLS against an independent implementation: OpenSSL's command-line tool
// (see package tlstest). testdata/tls_openssl_test.lua dials "openssl
// s_server"; the tests here run "openssl s_client" against a Lua server.
// Every wait is bounded.

import (
	"strings"
	"sync"
	"testing"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"

	"github.com/gonetrepl/gonetrepl/internal/tlstest"
)

func init() {
	// The Lua tests get the address of an "openssl s_server -rev" (lines
	// come back reversed) whose certificate, for localhost and 127.0.0.1,
	// a test CA signed: TLS_SERVER, TLS_CA (PEM), and TLS_ALPN_SERVER,
	// another one offering ALPN h2.
	luaSetup["tls_openssl"] = func(t *testing.T) map[string]string {
		pki := tlstest.NewPKI(t)
		return map[string]string{
			"TLS_SERVER":      tlstest.Server(t, pki),
			"TLS_ALPN_SERVER": tlstest.Server(t, pki, "-alpn", "h2,http/1.1"),
			"TLS_CA":          pki.CA,
			"TLS_CA_NAME":     tlstest.CAName,
		}
	}
}

// tlsLineWriter hands each complete line written to it to a channel.
type tlsLineWriter struct {
	mu    sync.Mutex
	part  string
	lines chan string
}

func (w *tlsLineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.part += string(p)
	for {
		i := strings.IndexByte(w.part, '\n')
		if i < 0 {
			return len(p), nil
		}
		select {
		case w.lines <- w.part[:i]:
		default: // nobody is reading that many lines: drop
		}
		w.part = w.part[i+1:]
	}
}

// startLuaServer runs src as a task in a fresh runtime with the string
// globals given, and returns the task and the first line it prints (the
// address it listens on, say). Later lines come on lines.
func startLuaServer(t *testing.T, globals map[string]string, src string) (*Task, string, <-chan string) {
	t.Helper()
	out := &tlsLineWriter{lines: make(chan string, 100)}
	rt := New(Options{Stdout: out, Stderr: out})
	t.Cleanup(rt.Close)
	rt.gil.Lock()
	for name, v := range globals {
		rt.L.SetGlobal(name, lua.LString(v))
	}
	rt.gil.Unlock()
	task := startChunk(t, rt, src)
	select {
	case line := <-out.lines:
		return task, line, out.lines
	case <-task.Done():
		t.Fatalf("Lua server ended before printing its address: %s", task.Err())
	case <-time.After(luaTestTimeout):
		t.Fatalf("Lua server printed nothing in %v", luaTestTimeout)
	}
	return nil, "", nil
}

// waitLua waits for the Lua server's task and fails the test if it failed.
func waitLua(t *testing.T, task *Task) {
	t.Helper()
	select {
	case <-task.Done():
	case <-time.After(luaTestTimeout):
		t.Fatalf("Lua server did not end in %v", luaTestTimeout)
	}
	if task.Status() != statusDone {
		t.Fatalf("Lua server: %s\n%s", task.Err(), task.Trace())
	}
}

const clientTimeout = 30 * time.Second

// openssl s_client verifies a tls.listen server with the test CA, offers
// ALPN and SNI, and bytes cross both ways.
func TestTLSOpenSSLClient(t *testing.T) {
	t.Parallel()
	pki := tlstest.NewPKI(t)
	tlstest.OpenSSL(t)
	task, addr, _ := startLuaServer(t, map[string]string{"CERT": pki.Cert, "KEY": pki.Key}, `
		local ln = assert(tls.listen("127.0.0.1:0", {cert = CERT, key = KEY, alpn = {"h2", "http/1.1"}}))
		print(ln:addr())
		local c = assert(ln:accept(30))
		c:set_timeout(30)
		local line = assert(c:read_line())
		assert(line == "ping from openssl", line)
		local st = assert(c:tls_state())
		assert(st.alpn == "h2", tostring(st.alpn))
		assert(st.server_name == "localhost", tostring(st.server_name))
		assert(st.version == "TLS 1.3", st.version)
		assert(#st.peer_certificates == 0)
		assert(c:write("pong from gonetrepl\n"))
		c:close()
		ln:close()`)
	stdout, stderr, err := tlstest.Client(t, addr, "ping from openssl\n", clientTimeout,
		"-CAfile", pki.CAFile, "-verify_return_error", "-servername", "localhost", "-alpn", "h2")
	if err != nil || !strings.Contains(stdout, "pong from gonetrepl\n") {
		t.Errorf("s_client: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	waitLua(t, task)
}

// s_client does not trust a self-signed certificate: with
// -verify_return_error it aborts the handshake, and the Lua server sees a
// failure of kind tls; without, it goes on, and bytes cross.
func TestTLSOpenSSLClientSelfSigned(t *testing.T) {
	t.Parallel()
	tlstest.OpenSSL(t)
	task, addr, _ := startLuaServer(t, nil, `
		local ln = assert(tls.listen("127.0.0.1:0", {self_signed = true}))
		print(ln:addr())
		local c = assert(ln:accept(30))
		local ok, err = c:handshake()
		assert(not ok, "handshake with a client that refuses the certificate succeeded")
		assert(err.kind == "tls", err.kind .. ": " .. tostring(err))
		c:close()
		c = assert(ln:accept(30))
		c:set_timeout(30)
		assert(c:read_line() == "unverified ping")
		assert(c:write("unverified pong\n"))
		c:close()
		ln:close()`)
	stdout, stderr, err := tlstest.Client(t, addr, "refused ping\n", clientTimeout, "-verify_return_error")
	if err == nil || strings.Contains(stdout, "pong") {
		t.Errorf("s_client -verify_return_error accepted a self-signed certificate: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	stdout, stderr, err = tlstest.Client(t, addr, "unverified ping\n", clientTimeout)
	if err != nil || !strings.Contains(stdout, "unverified pong\n") || !strings.Contains(stderr, "self-signed") {
		t.Errorf("s_client: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	waitLua(t, task)
}

// A certificate from tls.self_signed, given to s_client as its CA file,
// verifies.
func TestTLSOpenSSLClientTrustsSelfSigned(t *testing.T) {
	t.Parallel()
	tlstest.OpenSSL(t)
	caFile := t.TempDir() + "/self.pem"
	task, addr, _ := startLuaServer(t, map[string]string{"CA_FILE": caFile}, `
		local cert, key = tls.self_signed()
		local f = assert(io.open(CA_FILE, "w"))
		f:write(cert)
		f:close()
		local ln = assert(tls.listen("127.0.0.1:0", {cert = cert, key = key}))
		print(ln:addr())
		local c = assert(ln:accept(30))
		c:set_timeout(30)
		assert(c:write("trusted\n"))
		assert(c:read_line() == "ok")
		c:close()
		ln:close()`)
	stdout, stderr, err := tlstest.Client(t, addr, "ok\n", clientTimeout,
		"-CAfile", caFile, "-verify_return_error", "-verify_ip", "127.0.0.1")
	if err != nil || !strings.Contains(stdout, "trusted\n") {
		t.Errorf("s_client: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	waitLua(t, task)
}

// insecure = true prints one warning on stderr, at the first client that
// uses it, however many follow; a verifying client prints none.
func TestInsecureWarnsOnce(t *testing.T) {
	out := runChunkOutput(t, `
		local ln = assert(tls.listen("127.0.0.1:0", { self_signed = true }))
		ln:serve(function(c) c:set_timeout(10) local l = c:read_line() if l then c:write(l .. "\n") end end)
		local addr = tostring(ln:addr())
		local _, err = tls.dial(addr, { timeout = 10 })
		assert(err.kind == "tls", tostring(err))
		print("verified: refused")
		for i = 1, 3 do
			local c = assert(tls.dial(addr, { insecure = true, timeout = 10 }))
			assert(c:write("hi " .. i .. "\n"))
			assert(c:read_line() == "hi " .. i)
			c:close()
		end
		local raw = assert(net.dial("tcp", addr))
		local c = assert(tls.client(raw, { insecure = true }))
		c:close()
		ln:close()`)
	if n := strings.Count(out, insecureWarning); n != 1 {
		t.Fatalf("the insecure warning appears %d times; want once. Output:\n%s", n, out)
	}
	if i, j := strings.Index(out, "verified: refused"), strings.Index(out, insecureWarning); i > j {
		t.Fatalf("the warning came before any insecure client:\n%s", out)
	}
}

// insecure = true with pin_sha256 prints no warning: the pin authenticates
// the server's key. A pin that does not match fails even so.
func TestPinnedInsecureDoesNotWarn(t *testing.T) {
	out := runChunkOutput(t, `
		local cert, key = tls.self_signed()
		local ln = assert(tls.listen("127.0.0.1:0", { cert = cert, key = key }))
		ln:serve(function(c) c:set_timeout(10) c:write("hi\n") end)
		local addr = tostring(ln:addr())
		local c = assert(tls.dial(addr, { ca = cert, timeout = 10 }))
		local pin = c:tls_state().peer_certificates[1].spki_sha256
		c:close()
		c = assert(tls.dial(addr, { insecure = true, pin_sha256 = pin, timeout = 10 }))
		assert(c:read_line() == "hi")
		c:close()
		local _, err = tls.dial(addr, { insecure = true, pin_sha256 = { ("A"):rep(43) .. "=" }, timeout = 10 })
		assert(err and err.kind == "tls" and tostring(err):find(pin, 1, true), tostring(err))
		print("pinned: done")
		ln:close()`)
	if strings.Contains(out, insecureWarning) || !strings.Contains(out, "pinned: done") {
		t.Fatalf("output:\n%s", out)
	}
}
