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
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/peer"
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
// rest of the test. The leaf is for localhost, 127.0.0.1 and ::1, and for
// the names given too ("example.com").
func NewPKI(t testing.TB, names ...string) *PKI {
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
		DNSNames:     append([]string{"localhost"}, names...),
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
	return peer.Find(t, "openssl", "openssl")
}

// Server runs "openssl s_server -rev" with p's leaf certificate for the
// rest of the test and returns its address, "127.0.0.1:port", once it
// accepts connections. -rev answers each line with the line reversed
// ("hello\n" -> "olleh\n"); it serves one client at a time. extra adds
// s_server options (say "-alpn", "h2"). It is killed at cleanup.
func Server(t testing.TB, p *PKI, extra ...string) string {
	t.Helper()
	return peer.Start(t, OpenSSL(t), func(port int) []string {
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		return append([]string{"s_server", "-accept", addr, "-cert", p.CertFile, "-key", p.KeyFile,
			"-rev", "-quiet"}, extra...)
	}, func(addr string) bool {
		// A bare connect is a client that goes away before its handshake:
		// s_server notes it and serves the next.
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
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
	var outBuf, errBuf peer.SyncBuffer
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
