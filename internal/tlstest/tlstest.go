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
	"strings"
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

	ca    *x509.Certificate
	caKey *ecdsa.PrivateKey
	dir   string
}

// Leaf is another certificate the test CA signed (PKI.Issue), as PEM text
// and files.
type Leaf struct {
	Cert, Key         string // PEM
	CertFile, KeyFile string
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
	p := &PKI{
		CA:     string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})),
		CAFile: filepath.Join(t.TempDir(), "ca.pem"),
		ca:     ca,
		caKey:  caKey,
	}
	p.dir = filepath.Dir(p.CAFile)
	if err := os.WriteFile(p.CAFile, []byte(p.CA), 0o600); err != nil {
		t.Fatal(err)
	}
	leaf := p.Issue(t, LeafName, append([]string{"localhost", "127.0.0.1", "::1"}, names...)...)
	p.Cert, p.Key, p.CertFile, p.KeyFile = leaf.Cert, leaf.Key, leaf.CertFile, leaf.KeyFile
	return p
}

// Issue makes a fresh key and a certificate for it that the test CA signed,
// with common name cn, for hosts (names and IP addresses), valid for a day
// for servers and clients alike, and writes both as PEM files named after
// cn.
func (p *PKI) Issue(t testing.TB, cn string, hosts ...string) *Leaf {
	t.Helper()
	now := time.Now()
	key := newKey(t)
	serial := int64(2)
	if cn != LeafName {
		n, err := rand.Int(rand.Reader, big.NewInt(1<<62))
		if err != nil {
			t.Fatal(err)
		}
		serial = n.Int64() + 3
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &key.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	base := "cert"
	if cn != LeafName {
		base = cn
	}
	l := &Leaf{
		Cert:     string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		Key:      string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})),
		CertFile: filepath.Join(p.dir, base+".pem"),
		KeyFile:  filepath.Join(p.dir, base+".key.pem"),
	}
	if base == "cert" {
		l.KeyFile = filepath.Join(p.dir, "key.pem")
	}
	for file, text := range map[string]string{l.CertFile: l.Cert, l.KeyFile: l.Key} {
		if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return l
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

// Pin is the public-key pin of the certificate in certFile as OpenSSL
// computes it: the base64 SHA-256 of its DER SubjectPublicKeyInfo, by
// `openssl x509 -pubkey -noout | openssl pkey -pubin -outform der |
// openssl dgst -sha256 -binary | base64` (curl's --pinnedpubkey recipe).
func Pin(t testing.TB, certFile string) string {
	t.Helper()
	path := OpenSSL(t)
	script := `"$0" x509 -in "$1" -pubkey -noout | "$0" pkey -pubin -outform der | "$0" dgst -sha256 -binary | base64`
	out, err := exec.Command("sh", "-c", script, path, certFile).Output()
	if err != nil {
		t.Fatalf("openssl pin of %s: %v", certFile, err)
	}
	return strings.TrimSpace(string(out))
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
