// Package tlstest gives TLS tests a real, independent peer: OpenSSL's
// command-line tool (Debian package openssl), as s_server or s_client, and
// the certificates it needs: a test CA and a leaf it signed for localhost,
// 127.0.0.1 and ::1, made with Go's crypto/x509 and written as PEM files.
//
// When openssl is missing, OpenSSL skips the test, or fails it when the
// environment variable CI is "true": on CI the dependency must be there.
package tlstest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// CAName and LeafName are the subjects' common names, as tests check them.
const (
	CAName   = "gonetrepl test CA"
	LeafName = "localhost"
)

// PKI is a test CA and a leaf certificate it signed, as PEM text and as
// files in a temporary directory.
type PKI struct {
	CA, Cert, Key             string // PEM
	CAFile, CertFile, KeyFile string
}

// NewPKI makes a fresh CA and leaf (ECDSA P-256, valid for a day) for the
// rest of the test.
func NewPKI(t testing.TB) *PKI {
	t.Helper()
	now := time.Now()
	caKey := newKey(t)
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: CAName},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	leafKey := newKey(t)
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: LeafName},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(leafKey)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := &PKI{
		CA:       string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})),
		Cert:     string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER})),
		Key:      string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})),
		CAFile:   filepath.Join(dir, "ca.pem"),
		CertFile: filepath.Join(dir, "cert.pem"),
		KeyFile:  filepath.Join(dir, "key.pem"),
	}
	for file, text := range map[string]string{p.CAFile: p.CA, p.CertFile: p.Cert, p.KeyFile: p.Key} {
		if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// OpenSSL returns the path of the openssl command, skipping the test when
// it is missing (failing it when CI=true).
func OpenSSL(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		msg := "openssl not found (Debian package openssl; ./test.sh installs it)"
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s: required when CI=true", msg)
		}
		t.Skipf("%s: skipping", msg)
	}
	return path
}

const (
	readyTimeout = 20 * time.Second // generous: tests run under -race on a busy machine
	attempts     = 5                // free ports to try: another process may take ours
)

// Server runs "openssl s_server -rev" with p's leaf certificate for the
// rest of the test and returns its address, "127.0.0.1:port", once it
// accepts connections. -rev answers each line with the line reversed
// ("hello\n" -> "olleh\n"); it serves one client at a time. extra adds
// s_server options (say "-alpn", "h2"). It is killed at cleanup.
func Server(t testing.TB, p *PKI, extra ...string) string {
	t.Helper()
	path := OpenSSL(t)
	var last string
	for range attempts {
		addr, out, ok := startServer(t, path, p, extra)
		if ok {
			return addr
		}
		last = out
	}
	t.Fatalf("openssl s_server did not start in %d attempts; last output:\n%s", attempts, last)
	return ""
}

// startServer runs s_server once on a port that was free a moment ago. It
// returns false if s_server exited (its port taken meanwhile), with its
// output.
func startServer(t testing.TB, path string, p *PKI, extra []string) (addr, output string, ok bool) {
	t.Helper()
	addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t)))
	args := append([]string{"s_server", "-accept", addr, "-cert", p.CertFile, "-key", p.KeyFile,
		"-rev", "-quiet"}, extra...)
	cmd := exec.Command(path, args...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start openssl s_server: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return "", out.String(), false
		default:
		}
		// A bare connect is a client that goes away before its handshake:
		// s_server notes it and serves the next.
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Cleanup(func() {
				cmd.Process.Kill()
				<-exited
			})
			return addr, "", true
		}
		select {
		case <-exited:
		case <-time.After(50 * time.Millisecond):
		}
	}
	cmd.Process.Kill()
	<-exited
	t.Fatalf("openssl s_server on %s did not accept within %v; output:\n%s", addr, readyTimeout, out.String())
	return "", "", false
}

// freePort returns a TCP port free on 127.0.0.1 a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Client runs "openssl s_client -quiet" against addr with stdin as its
// input, and returns what it printed on stdout and on stderr once it exits
// (it stays until the server closes the connection: -quiet ignores EOF on
// stdin). args add options ("-CAfile", file, "-verify_return_error"). It
// fails the test if s_client runs longer than timeout.
func Client(t testing.TB, addr, stdin string, timeout time.Duration, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	path := OpenSSL(t)
	cmd := exec.Command(path, append([]string{"s_client", "-connect", addr, "-quiet"}, args...)...)
	cmd.Stdin = bytes.NewReader([]byte(stdin))
	var outBuf, errBuf syncBuffer
	cmd.Stdout, cmd.Stderr = &outBuf, &errBuf
	if err := cmd.Start(); err != nil {
		t.Fatalf("start openssl s_client: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(timeout):
		cmd.Process.Kill()
		<-done
		t.Fatalf("openssl s_client %s did not exit within %v\nstdout:\n%s\nstderr:\n%s", addr, timeout, &outBuf, &errBuf)
	}
	return outBuf.String(), errBuf.String(), err
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
