package bindings

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// Certificates: the self-signed ones tls.self_signed and self_signed = true
// make, and the description of a peer's certificates that tls_state gives.

// certificate is the table certTable makes of a peer's certificate.
var certificate = shape{class: "gonetrepl.certificate", code: "certTable",
	doc: "A certificate of a TLS peer, in tls_state's peer_certificates.",
	fields: []field{
		{"subject", "string", "the subject's distinguished name"},
		{"issuer", "string", "the issuer's distinguished name"},
		{"serial", "string", "the serial number, in hex"},
		{"not_before", "number", "valid from, in seconds since the epoch"},
		{"not_after", "number", "valid until, in seconds since the epoch"},
		{"dns_names", "string[]", "the DNS names it is for"},
		{"ip_addresses", "string[]", "the IP addresses it is for"},
		{"is_ca", "boolean", "it may sign other certificates"},
		{"sha256", "string", "the SHA-256 fingerprint of the certificate (its DER), in lowercase hex"},
		{"spki_sha256", "string", "the base64 SHA-256 of its public key (SPKI): the pin that pin_sha256 takes"},
		{"pem", "string", "the certificate, PEM-encoded"},
	}}

// defaultHosts are the names a self-signed certificate is for when none are
// given: this machine, by name and by both loopback addresses.
var defaultHosts = []string{"localhost", "127.0.0.1", "::1"}

// selfSignedValidity is how long a self-signed certificate is valid. It
// starts an hour back, so a peer whose clock is a little behind accepts it.
const selfSignedValidity = 30 * 24 * time.Hour

// selfSigned makes a fresh ECDSA P-256 key and a certificate for hosts
// (names and IP addresses) signed by that key, both PEM-encoded. The
// certificate is its own CA: a peer trusts it by taking it as its ca.
func selfSigned(hosts []string) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: hosts[0], Organization: []string{"gonetrepl self-signed"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(selfSignedValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	return certPEM, keyPEM, nil
}

// selfSignedPair is selfSigned as a tls.Certificate.
func selfSignedPair(hosts []string) (tls.Certificate, error) {
	certPEM, keyPEM, err := selfSigned(hosts)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("self-signed certificate: %w", err)
	}
	return tls.X509KeyPair(certPEM, keyPEM)
}

func (rt *Runtime) tlsSelfSigned(L *lua.LState) int {
	hosts := defaultHosts
	switch v := L.Get(1).(type) {
	case *lua.LNilType:
	case lua.LString:
		hosts = []string{string(v)}
	case *lua.LTable:
		hosts = stringList(L, 1, "hosts", v)
		if len(hosts) == 0 {
			argError(L, 1, "hosts", "at least one name or address expected")
		}
	default:
		expected(L, 1, "hosts", "table or string")
	}
	certPEM, keyPEM, err := selfSigned(hosts)
	if err != nil {
		L.RaiseError("tls.self_signed: %v", err)
	}
	L.Push(lua.LString(certPEM))
	L.Push(lua.LString(keyPEM))
	return 2
}

// stringList reads a Lua list of strings, argument n (or its field name).
func stringList(L *lua.LState, n int, name string, t *lua.LTable) []string {
	var out []string
	for i := 1; i <= t.Len(); i++ {
		s, ok := t.RawGetInt(i).(lua.LString)
		if !ok {
			argError(L, n, name, "list of strings expected, item %d is %s", i, typeName(t.RawGetInt(i)))
		}
		out = append(out, string(s))
	}
	return out
}

// certTable describes a certificate for Lua: subject, issuer, serial (hex),
// not_before and not_after (seconds since the epoch, as time.now()),
// dns_names, ip_addresses, is_ca, its fingerprint (sha256), the pin of its
// key (spki_sha256) and the certificate itself (pem).
func certTable(L *lua.LState, c *x509.Certificate) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("subject", lua.LString(c.Subject.String()))
	t.RawSetString("issuer", lua.LString(c.Issuer.String()))
	t.RawSetString("serial", lua.LString(hex.EncodeToString(c.SerialNumber.Bytes())))
	t.RawSetString("not_before", lua.LNumber(c.NotBefore.Unix()))
	t.RawSetString("not_after", lua.LNumber(c.NotAfter.Unix()))
	names := L.NewTable()
	for _, n := range c.DNSNames {
		names.Append(lua.LString(n))
	}
	t.RawSetString("dns_names", names)
	ips := L.NewTable()
	for _, ip := range c.IPAddresses {
		ips.Append(lua.LString(ip.String()))
	}
	t.RawSetString("ip_addresses", ips)
	t.RawSetString("is_ca", lua.LBool(c.IsCA))
	sum := sha256.Sum256(c.Raw)
	t.RawSetString("sha256", lua.LString(hex.EncodeToString(sum[:])))
	t.RawSetString("spki_sha256", lua.LString(spkiPin(c)))
	t.RawSetString("pem", lua.LString(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})))
	return t
}
