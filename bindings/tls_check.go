package bindings

// What a TLS client checks beyond crypto/tls: the public-key pins
// (pin_sha256) and, when the name it sends (sni) is not the name the
// certificate must be for, the certificate chain itself.

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
)

// tlsCheck is what a client checks: the name its peer's certificate must
// be for, and, as its VerifyConnection, the pins and the chain when
// crypto/tls does not check it (the name sent is not that name). It
// belongs to one conn (one handshake).
type tlsCheck struct {
	name string // the certificate must be for it (tls_state's server_name)
	// own: crypto/tls verified nothing; verify checks the chain for name
	// against roots (nil: the system's).
	own   bool
	roots *x509.CertPool
	pins  [][sha256.Size]byte
	// verified records that verify's own check passed, for tls_state.
	verified atomic.Bool
}

// verify checks the chain (if crypto/tls did not) and then the pins. A
// failure carries the chain, unverified, as crypto/tls's own do
// (err.peer_certificates).
func (k *tlsCheck) verify(cs tls.ConnectionState) error {
	certs := cs.PeerCertificates
	if len(certs) == 0 {
		return errors.New("tls: the server sent no certificate")
	}
	if k.own {
		inter := x509.NewCertPool()
		for _, c := range certs[1:] {
			inter.AddCert(c)
		}
		_, err := certs[0].Verify(x509.VerifyOptions{DNSName: k.name, Roots: k.roots, Intermediates: inter})
		if err != nil {
			return &tls.CertificateVerificationError{UnverifiedCertificates: certs, Err: err}
		}
		k.verified.Store(true)
	}
	if len(k.pins) > 0 {
		seen := sha256.Sum256(certs[0].RawSubjectPublicKeyInfo)
		for _, p := range k.pins {
			if p == seen {
				return nil
			}
		}
		return &tls.CertificateVerificationError{UnverifiedCertificates: certs, Err: &pinError{seen: seen, pins: k.pins}}
	}
	return nil
}

// pinError is a leaf certificate whose public key matches no pin.
type pinError struct {
	seen [sha256.Size]byte
	pins [][sha256.Size]byte
}

func (e *pinError) Error() string {
	want := make([]string, len(e.pins))
	for i, p := range e.pins {
		want[i] = base64.StdEncoding.EncodeToString(p[:])
	}
	return fmt.Sprintf("public key pin mismatch: the server's certificate has pin_sha256 %s, pinned %s",
		base64.StdEncoding.EncodeToString(e.seen[:]), strings.Join(want, ", "))
}

// spkiPin is the pin of a certificate's public key: the base64 SHA-256 of
// its DER SubjectPublicKeyInfo, as `openssl x509 -pubkey | openssl pkey
// -pubin -outform der | openssl dgst -sha256 -binary | base64` prints it.
func spkiPin(c *x509.Certificate) string {
	sum := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}
