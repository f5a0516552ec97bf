package bindings

// The options table of tls.dial, tls.listen, tls.client and tls.server:
// read and checked once (argTLSOptions), then turned into a client's or a
// server's crypto/tls configuration.
//
// Every mistake in the table is an argument error naming the option, raised
// before anything is dialed: a value of the wrong type, an unknown
// min_version or client_auth, a pin that is not the base64 of 32 bytes, a
// cert without its key, an option of the other side (sni on a server,
// client_ca on a client). So are the files the PEM options name: cert, key,
// ca and client_ca take PEM text or the path of a PEM file (a value holding
// "-----BEGIN" is PEM text), and a file that is missing, not a regular file,
// over 1 MiB or without PEM in it raises, as a bad PEM string does. They
// are the script's configuration, not an outcome of the network.

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// tlsOptsDoc describes the options table every tls function takes.
const tlsOptsDoc = " opts: server_name (the name the server's certificate is checked for), sni (the name sent in the ClientHello, when it differs; false sends none), insecure (true skips certificate verification, and the first such client without pin_sha256 prints a warning on stderr; off by default), pin_sha256 (base64 SHA-256 of the server certificate's public key (SPKI), or a list: the leaf must match one, even with insecure = true, as curl's --pinnedpubkey; a mismatch is kind tls naming the key seen), ca (CAs to trust instead of the system's), cert and key (this side's certificate), client_ca with client_auth = \"request\" | \"require\" (server: ask clients for a certificate, and verify it with client_ca; on a server, ca is another name for client_ca), min_version (\"1.0\", \"1.1\", \"1.2\", \"1.3\"), alpn (list of protocols, in order of preference), keylog (a file that the session secrets are appended to, NSS key log format, as SSLKEYLOGFILE; created 0600), timeout (seconds for the handshake). ca, cert, key and client_ca are PEM text or the path of a PEM file; a missing or bad one raises."

// tlsOpts lists the options argTLSOptions reads, for the type stubs.
var tlsOpts = shape{class: "gonetrepl.tls_opts", opts: true, code: "argTLSOptions,fieldVia,noVia",
	doc: "The options of tls.dial, tls.listen, tls.client and tls.server.",
	fields: []field{
		{"server_name", "string", "client: the name the server's certificate must be for (default: sni if a string, else the host dialed)"},
		{"sni", "string|false", "client: the server name sent in the ClientHello (default: server_name, or the host dialed unless it is an IP address); false sends none"},
		{"insecure", "boolean", "client: true skips certificate verification (the first such client without pin_sha256 prints a warning)"},
		{"pin_sha256", "string|string[]", "client: base64 SHA-256 of the server certificate's public key (SPKI), or a list; the leaf must match one, even with insecure"},
		{"self_signed", "boolean", "server: true makes a fresh certificate for localhost, 127.0.0.1 and ::1"},
		{"timeout", "number", "seconds for the handshake (tls.dial: the connect and the handshake)"},
		{"ca", "string", "PEM (text or file) of the CAs to trust instead of the system's; on a server, another name for client_ca"},
		{"cert", "string", "PEM (text or file) of this side's certificate (with key)"},
		{"key", "string", "PEM (text or file) of this side's private key (with cert)"},
		{"client_ca", "string", "server: PEM (text or file) of the CAs a client's certificate is verified with"},
		{"client_auth", "\"request\"|\"require\"", "server: ask for a client certificate (verified with client_ca if given), or require one (client_ca needed); default \"require\" with client_ca"},
		{"min_version", "\"1.0\"|\"1.1\"|\"1.2\"|\"1.3\"", "the lowest TLS version accepted (default 1.2)"},
		{"alpn", "string|string[]", "the application protocols to offer or accept, in order of preference"},
		{"keylog", "string", "path of a file the session secrets are appended to (NSS key log format), created 0600: Wireshark decrypts the session with it"},
		viaField, // tls.dial only
	}}

// insecureWarning is printed once per process, at the first TLS client
// with insecure = true and no pin.
const insecureWarning = "warning: tls: insecure = true: certificates are not verified; anyone on the path can read and change this traffic (printed once)"

// tlsVersions are the names min_version takes.
var tlsVersions = map[string]uint16{
	"1.0": tls.VersionTLS10,
	"1.1": tls.VersionTLS11,
	"1.2": tls.VersionTLS12,
	"1.3": tls.VersionTLS13,
}

// maxPEMFile is the largest PEM file an option may name.
const maxPEMFile = 1 << 20

// tlsOptions are the options of the tls functions, checked.
type tlsOptions struct {
	serverName string
	sni        string // with sniSet: the name sent, "" for none
	sniSet     bool
	insecure   bool
	pins       [][sha256.Size]byte
	selfSigned bool
	ca         *x509.CertPool
	clientCA   *x509.CertPool
	clientAuth string // "", "request" or "require"
	certs      []tls.Certificate
	minVersion uint16
	alpn       []string
	keylog     io.Writer
	timeout    time.Duration
}

// argTLSOptions reads the options table, argument n, raising on a bad
// field (a PEM that does not parse is an argument mistake too).
func argTLSOptions(L *lua.LState, n int, opts *lua.LTable) tlsOptions {
	var o tlsOptions
	o.serverName, _ = fieldString(L, n, opts, "server_name")
	o.insecure = fieldBool(L, n, opts, "insecure")
	o.selfSigned = fieldBool(L, n, opts, "self_signed")
	o.timeout, _ = fieldSeconds(L, n, opts, "timeout")
	if ca, ok := fieldString(L, n, opts, "ca"); ok {
		o.ca = certPool(L, n, "ca", ca)
	}
	if ca, ok := fieldString(L, n, opts, "client_ca"); ok {
		o.clientCA = certPool(L, n, "client_ca", ca)
	}
	if auth, ok := fieldString(L, n, opts, "client_auth"); ok {
		if auth != "request" && auth != "require" {
			argError(L, n, "opts.client_auth", "\"request\" or \"require\" expected, got %q", auth)
		}
		o.clientAuth = auth
	}
	if v, ok := fieldString(L, n, opts, "min_version"); ok {
		if o.minVersion, ok = tlsVersions[v]; !ok {
			argError(L, n, "opts.min_version", "\"1.0\", \"1.1\", \"1.2\" or \"1.3\" expected, got %q", v)
		}
	}
	if path, ok := fieldString(L, n, opts, "keylog"); ok {
		o.keylog = openKeyLog(L, n, path)
	}
	cert, hasCert := fieldString(L, n, opts, "cert")
	key, hasKey := fieldString(L, n, opts, "key")
	switch {
	case hasCert && hasKey:
		pair, err := tls.X509KeyPair(pemArg(L, n, "cert", cert), pemArg(L, n, "key", key))
		if err != nil {
			argError(L, n, "opts.cert", "%v", err)
		}
		o.certs = []tls.Certificate{pair}
	case hasCert:
		argError(L, n, "opts.key", "PEM expected with opts.cert, got nil")
	case hasKey:
		argError(L, n, "opts.cert", "PEM expected with opts.key, got nil")
	}
	if opts != nil {
		switch v := opts.RawGetString("sni").(type) {
		case *lua.LNilType:
		case lua.LString:
			if v == "" {
				argError(L, n, "opts.sni", "a name expected, got \"\" (sni = false sends none)")
			}
			o.sni, o.sniSet = string(v), true
		case lua.LBool:
			if v {
				argError(L, n, "opts.sni", "string or false expected, got true")
			}
			o.sniSet = true
		default:
			argError(L, n, "opts.sni", "string or false expected, got %s", typeName(v))
		}
		o.pins = pinList(L, n, opts.RawGetString("pin_sha256"))
		switch v := opts.RawGetString("alpn").(type) {
		case *lua.LNilType:
		case lua.LString:
			o.alpn = []string{string(v)}
		case *lua.LTable:
			o.alpn = stringList(L, n, "opts.alpn", v)
		default:
			argError(L, n, "opts.alpn", "list of strings expected, got %s", typeName(v))
		}
	}
	return o
}

// pemArg returns the PEM an option gives: the value itself when it holds
// "-----BEGIN", else the contents of the file it names (a regular file of
// at most maxPEMFile bytes). A file that cannot be read raises.
func pemArg(L *lua.LState, n int, name, v string) []byte {
	if strings.Contains(v, "-----BEGIN") {
		return []byte(v)
	}
	data, err := readPEMFile(v)
	if err != nil {
		argError(L, n, "opts."+name, "PEM text or the path of a PEM file expected: %v", err)
	}
	if !bytes.Contains(data, []byte("-----BEGIN")) {
		argError(L, n, "opts."+name, "no PEM found in the file %s", v)
	}
	return data
}

// readPEMFile reads a regular file of at most maxPEMFile bytes, without
// blocking on a FIFO or a device (openRegular).
func readPEMFile(path string) ([]byte, error) {
	if path == "" {
		return nil, fmt.Errorf("empty path")
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w (a %s)", path, errNotRegular, fileKind(fi.Mode()))
	}
	f, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPEMFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxPEMFile {
		return nil, fmt.Errorf("%s: over %d bytes", path, maxPEMFile)
	}
	return data, nil
}

// certPool reads the CA certificates of option name (PEM text or file).
func certPool(L *lua.LState, n int, name, v string) *x509.CertPool {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemArg(L, n, name, v)) {
		argError(L, n, "opts."+name, "no PEM certificate found in it")
	}
	return pool
}

// clientConfig is the configuration of a client. host is the name to
// verify (and send) when opts has none. The first client that skips
// verification without a pin prints a warning on stderr: insecure = true
// copied into a script stays visible.
func (o *tlsOptions) clientConfig(rt *Runtime, L *lua.LState, n int, host string) (*tls.Config, *tlsCheck) {
	switch {
	case o.selfSigned:
		argError(L, n, "opts.self_signed", "only servers (tls.listen, tls.server) take it")
	case o.clientCA != nil:
		argError(L, n, "opts.client_ca", "only servers (tls.listen, tls.server) take it")
	case o.clientAuth != "":
		argError(L, n, "opts.client_auth", "only servers (tls.listen, tls.server) take it")
	}
	if o.insecure && len(o.pins) == 0 {
		rt.insecureWarning.Do(func() {
			fmt.Fprintln(rt.stderr, insecureWarning)
		})
	}
	name := host // checked for
	switch {
	case o.serverName != "":
		name = o.serverName
	case o.sni != "":
		name = o.sni
	}
	sent := name
	if o.sniSet {
		sent = o.sni
	}
	cfg := &tls.Config{
		ServerName:         sent,
		InsecureSkipVerify: o.insecure,
		RootCAs:            o.ca,
		Certificates:       o.certs,
		NextProtos:         o.alpn,
		MinVersion:         o.minVersion,
		KeyLogWriter:       o.keylog,
	}
	check := &tlsCheck{name: name, pins: o.pins}
	if sent != name && !o.insecure {
		// crypto/tls checks the certificate for the name it sends: check it
		// here for the other one.
		cfg.InsecureSkipVerify = true
		check.own, check.roots = true, o.ca
	}
	if check.own || len(check.pins) > 0 {
		cfg.VerifyConnection = check.verify
	}
	return cfg, check
}

// serverConfig is the configuration of a server; it makes the self-signed
// certificate if asked to.
func (o *tlsOptions) serverConfig(L *lua.LState, n int) *tls.Config {
	switch {
	case o.sniSet:
		argError(L, n, "opts.sni", "only clients (tls.dial, tls.client) take it")
	case len(o.pins) > 0:
		argError(L, n, "opts.pin_sha256", "only clients (tls.dial, tls.client) take it")
	case o.ca != nil && o.clientCA != nil:
		argError(L, n, "opts.ca", "cannot go with opts.client_ca (on a server, ca is client_ca)")
	case o.selfSigned && len(o.certs) > 0:
		argError(L, n, "opts.self_signed", "cannot go with opts.cert")
	case o.selfSigned:
		pair, err := selfSignedPair(defaultHosts)
		if err != nil {
			L.RaiseError("%v", err)
		}
		o.certs = []tls.Certificate{pair}
	case len(o.certs) == 0:
		argError(L, n, "opts", "cert and key, or self_signed = true, expected")
	}
	cfg := &tls.Config{Certificates: o.certs, NextProtos: o.alpn, MinVersion: o.minVersion, KeyLogWriter: o.keylog}
	clientCA := o.clientCA
	if o.ca != nil {
		clientCA = o.ca
	}
	cfg.ClientCAs = clientCA
	switch {
	case o.clientAuth == "request" && clientCA != nil:
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	case o.clientAuth == "request":
		cfg.ClientAuth = tls.RequestClientCert
	case clientCA != nil:
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	case o.clientAuth == "require":
		argError(L, n, "opts.client_auth", "\"require\" needs opts.client_ca, the CAs to verify the certificate with")
	}
	return cfg
}

// pinList reads pin_sha256: one base64 SHA-256 digest of a public key
// (SPKI), or a list of them; curl's "sha256//" prefix is allowed.
func pinList(L *lua.LState, n int, v lua.LValue) [][sha256.Size]byte {
	var texts []string
	switch v := v.(type) {
	case *lua.LNilType:
		return nil
	case lua.LString:
		texts = []string{string(v)}
	case *lua.LTable:
		texts = stringList(L, n, "opts.pin_sha256", v)
		if len(texts) == 0 {
			argError(L, n, "opts.pin_sha256", "at least one pin expected, got an empty list")
		}
	default:
		argError(L, n, "opts.pin_sha256", "base64 string or list of them expected, got %s", typeName(v))
	}
	pins := make([][sha256.Size]byte, len(texts))
	for i, text := range texts {
		raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(text, "sha256//"))
		if err != nil || len(raw) != sha256.Size {
			argError(L, n, "opts.pin_sha256", "base64 of a 32-byte SHA-256 digest expected, got %q", text)
		}
		copy(pins[i][:], raw)
	}
	return pins
}
