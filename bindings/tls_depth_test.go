package bindings

// TLS in depth against OpenSSL: testdata/tls_depth_test.lua dials
// "openssl s_server"s that require a client certificate (-Verify), switch
// certificates on the name the client sends (-servername, -cert2), speak
// TLS 1.2 only, or offer one ALPN protocol; the tests here run "openssl
// s_client" with and without a client certificate against a Lua server
// that requires or requests one. Pins are computed by openssl, so that
// pin_sha256 takes what curl's recipe prints.

import (
	"strings"
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/tlstest"
)

func init() {
	luaSetup["tls_depth"] = func(t *testing.T) map[string]string {
		pki := tlstest.NewPKI(t)
		client := pki.Issue(t, "client.test", "client.test")
		other := pki.Issue(t, "other.test", "other.test")
		return map[string]string{
			"TLS_SERVER":        tlstest.Server(t, pki),
			"TLS_VERIFY_SERVER": tlstest.Server(t, pki, "-Verify", "1", "-CAfile", pki.CAFile),
			"TLS_SNI_SERVER": tlstest.Server(t, pki, "-servername", "other.test",
				"-cert2", other.CertFile, "-key2", other.KeyFile, "-servername_fatal"),
			"TLS_12_SERVER":    tlstest.Server(t, pki, "-tls1_2"),
			"TLS_ALPN_SERVER":  tlstest.Server(t, pki, "-alpn", "http/1.1"),
			"CA":               pki.CA,
			"CA_FILE":          pki.CAFile,
			"CLIENT_CERT":      client.Cert,
			"CLIENT_KEY":       client.Key,
			"CLIENT_CERT_FILE": client.CertFile,
			"CLIENT_KEY_FILE":  client.KeyFile,
			"PIN":              tlstest.Pin(t, pki.CertFile),
			"CA_PIN":           tlstest.Pin(t, pki.CAFile),
			"OTHER_PIN":        tlstest.Pin(t, other.CertFile),
			"TMP":              t.TempDir(),
		}
	}
}

// s_client, with ALPN and a client certificate the test CA signed, against
// a tls.listen server that requires one (client_ca, client_auth =
// "require"), with its options as files: the server sees the protocol it
// chose and the client's verified chain; s_client without a certificate
// is refused, and the server's handshake fails with kind tls. A second
// listener only requests a certificate: s_client without one gets in,
// and the server sees an empty, unverified chain.
func TestTLSOpenSSLClientAuth(t *testing.T) {
	t.Parallel()
	pki := tlstest.NewPKI(t)
	client := pki.Issue(t, "client.test", "client.test")
	task, addr, lines := startLuaServer(t, map[string]string{
		"CERT_FILE": pki.CertFile, "KEY_FILE": pki.KeyFile, "CA_FILE": pki.CAFile,
		"CLIENT_PIN": tlstest.Pin(t, client.CertFile),
	}, `
		local ln = assert(tls.listen("127.0.0.1:0", {cert = CERT_FILE, key = KEY_FILE,
			client_ca = CA_FILE, client_auth = "require", alpn = {"h2", "http/1.1"}}))
		local req = assert(tls.listen("127.0.0.1:0", {cert = CERT_FILE, key = KEY_FILE,
			client_ca = CA_FILE, client_auth = "request"}))
		print(ln:addr())
		print(req:addr())
		-- With a certificate.
		local c = assert(ln:accept(30))
		c:set_timeout(30)
		local st = assert(c:tls_state())
		assert(st.alpn == "http/1.1", tostring(st.alpn))
		assert(st.verified == true, "the client's chain is not verified")
		-- s_client sends its chain: its certificate, then the CA.
		local leaf, ca = st.peer_certificates[1], st.peer_certificates[2]
		assert(ca and ca.subject == "CN=`+tlstest.CAName+`", #st.peer_certificates)
		assert(leaf.subject == "CN=client.test", leaf.subject)
		assert(leaf.spki_sha256 == CLIENT_PIN, leaf.spki_sha256 .. " ~= " .. CLIENT_PIN)
		assert(leaf.pem:find("-----BEGIN CERTIFICATE-----", 1, true))
		assert(c:read_line() == "ping with a certificate")
		assert(c:write("pong with a certificate\n"))
		c:close()
		-- Without: refused.
		c = assert(ln:accept(30))
		c:set_timeout(30)
		local ok, err = c:handshake()
		assert(not ok, "a client without a certificate got in")
		assert(err.kind == "tls", err.kind .. ": " .. tostring(err))
		print("refused: " .. tostring(err))
		c:close()
		ln:close()
		-- Only requested: no certificate is fine.
		c = assert(req:accept(30))
		c:set_timeout(30)
		st = assert(c:tls_state())
		assert(#st.peer_certificates == 0 and st.verified == false)
		assert(c:read_line() == "ping without")
		assert(c:write("pong without\n"))
		c:close()
		req:close()`)
	var reqAddr string
	select {
	case reqAddr = <-lines:
	case <-task.Done():
		t.Fatalf("Lua server: %s", task.Err())
	}
	stdout, stderr, err := tlstest.Client(t, addr, "ping with a certificate\n", clientTimeout,
		"-CAfile", pki.CAFile, "-verify_return_error", "-alpn", "http/1.1",
		"-cert", client.CertFile, "-key", client.KeyFile)
	if err != nil || !strings.Contains(stdout, "pong with a certificate\n") {
		t.Errorf("s_client with a certificate: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	stdout, stderr, err = tlstest.Client(t, addr, "ping without a certificate\n", clientTimeout,
		"-CAfile", pki.CAFile, "-verify_return_error")
	if err == nil || strings.Contains(stdout, "pong") {
		t.Errorf("s_client without a certificate was served: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	if !strings.Contains(stderr, "certificate required") {
		t.Errorf("s_client without a certificate: no \"certificate required\" alert:\n%s", stderr)
	}
	stdout, stderr, err = tlstest.Client(t, reqAddr, "ping without\n", clientTimeout,
		"-CAfile", pki.CAFile, "-verify_return_error")
	if err != nil || !strings.Contains(stdout, "pong without\n") {
		t.Errorf("s_client without a certificate, requested: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	waitLua(t, task)
}
