package proxydial

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/peer"
)

func TestParseHop(t *testing.T) {
	for _, tt := range []struct {
		in, str, addr, user, pass string
	}{
		{"socks5://127.0.0.1:1080", "socks5://127.0.0.1:1080", "127.0.0.1:1080", "", ""},
		{"SOCKS5H://localhost", "socks5h://localhost:1080", "localhost:1080", "", ""},
		{"socks5h://bob:p%40ss%3Aw%2Frd@127.0.0.1:1", "socks5h://bob:***@127.0.0.1:1", "127.0.0.1:1", "bob", "p@ss:w/rd"},
		{"http://u:@[::1]:3128/", "http://u:***@[::1]:3128", "[::1]:3128", "u", ""},
		{"https://proxy.test", "https://proxy.test:443", "proxy.test:443", "", ""},
		{"socks4a://id@127.0.0.1:9", "socks4a://id@127.0.0.1:9", "127.0.0.1:9", "id", ""},
		{"http://127.0.0.1", "http://127.0.0.1:8080", "127.0.0.1:8080", "", ""},
	} {
		h, err := ParseHop(tt.in)
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if h.String() != tt.str || h.Addr != tt.addr || h.User != tt.user || h.Password != tt.pass {
			t.Errorf("%s: got %s addr %s user %q pass %q", tt.in, h, h.Addr, h.User, h.Password)
		}
	}
	for _, tt := range []struct{ in, want string }{
		{"ftp://127.0.0.1", "unknown proxy scheme"},
		{"socks5://u:top-secret@127.0.0.1:1/path", "proxy URL expected"},
		{"socks5://u:top-secret@127.0.0.1:1?x", "proxy URL expected"},
		{"socks5://:top-secret@127.0.0.1:1", "needs a user"},
		{"socks4a://u:top-secret@127.0.0.1:1", "user id, not a password"},
		{"127.0.0.1:1080", "proxy URL expected"},
		{"socks5://u:top-secret@127.0.0.1:1%zz", "proxy URL expected"},
		{"socks5://" + strings.Repeat("u", 256) + ":top-secret@h:1", "at most 255 bytes"},
	} {
		_, err := ParseHop(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error with %q", tt.in, err, tt.want)
			continue
		}
		if strings.Contains(err.Error(), "top-secret") {
			t.Errorf("%s: the error shows the password: %v", tt.in, err)
		}
	}
}

func TestSOCKS4Request(t *testing.T) {
	h := Hop{Scheme: "socks4a", User: "id"}
	got, err := socks4Request(h, "localhost:80")
	if want := "\x04\x01\x00\x50\x00\x00\x00\x01id\x00localhost\x00"; err != nil || string(got) != want {
		t.Errorf("socks4a by name: %q, %v; want %q", got, err, want)
	}
	got, err = socks4Request(Hop{Scheme: "socks4"}, "10.1.2.3:443")
	if want := "\x04\x01\x01\xbb\x0a\x01\x02\x03\x00"; err != nil || string(got) != want {
		t.Errorf("socks4 by address: %q, %v; want %q", got, err, want)
	}
	if _, err := socks4Request(Hop{Scheme: "socks4"}, "[::1]:1"); err == nil {
		t.Error("socks4 took an IPv6 address")
	}
	if _, err := socks4Request(Hop{Scheme: "socks4"}, "name:1"); err == nil {
		t.Error("socks4 took a name")
	}
}

func TestParseSOCKS4Reply(t *testing.T) {
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{"\x00\x5a\x00\x00\x00\x00\x00\x00", true},
		{"\x04\x5a\x00\x50\x7f\x00\x00\x01", true},
		{"\x00\x5b\x00\x00\x00\x00\x00\x00", false},
		{"\x00\x5c\x00\x00\x00\x00\x00\x00", false},
		{"\x05\x5a\x00\x00\x00\x00\x00\x00", false},
		{"\x00\x5a\x00", false},
	} {
		if err := ParseSOCKS4Reply([]byte(tt.in)); (err == nil) != tt.ok {
			t.Errorf("%q: %v", tt.in, err)
		}
	}
}

func TestReadConnectReply(t *testing.T) {
	for _, tt := range []struct {
		in, rest, err string
	}{
		{"HTTP/1.1 200 Connection established\r\n\r\n", "", ""},
		{"HTTP/1.0 200 OK\r\nProxy-Agent: x\r\n\r\nhello", "hello", ""},
		{"HTTP/1.1 200 OK\n\n", "", ""},
		{"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n", "", "CONNECT refused: 407 Proxy Authentication Required"},
		{"HTTP/1.1 403 \x1b[2J\r\n\r\n", "", `CONNECT refused: 403 \x1b[2J`},
		{"SSH-2.0-OpenSSH\r\n\r\n", "", "not an HTTP reply"},
		{"HTTP/1.1 2000 OK\r\n\r\n", "", "bad status"},
		{"HTTP/1.1 200 OK\r\n", "", "cut short"},
		{"", "", "without a reply"},
		{"HTTP/1.1 200 OK\r\n" + strings.Repeat("X-A: b\r\n", MaxConnectHeaders+1) + "\r\n", "", "header lines"},
		{"HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", 5000) + "\r\n\r\n", "", "longer than"},
		{"HTTP/1.1 200 OK\r\n" + strings.Repeat("X-Long: "+strings.Repeat("a", 200)+"\r\n", 90) + "\r\n", "", "longer than"},
	} {
		rest, err := ReadConnectReply(strings.NewReader(tt.in))
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%.40q: %v", tt.in, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%.40q: got %v, want %q", tt.in, err, tt.err)
		case err == nil && string(rest) != tt.rest:
			t.Errorf("%.40q: rest %q, want %q", tt.in, rest, tt.rest)
		}
	}
}

// connectServer is a minimal HTTP CONNECT proxy for the tests of this
// package (the real ones, tinyproxy among them, are in bindings): it
// checks the Proxy-Authorization it is given, if any, and then relays.
// With tlsConfig, it speaks TLS first (an https:// hop).
func connectServer(t *testing.T, wantAuth string, tlsConfig *tls.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if tlsConfig != nil {
		ln = tls.NewListener(ln, tlsConfig)
	}
	peer.ServeListener(t, ln, func(c net.Conn) {
		br := bufio.NewReader(c)
		line, _ := br.ReadString('\n')
		auth := ""
		for {
			h, err := br.ReadString('\n')
			if err != nil || h == "\r\n" {
				break
			}
			if v, ok := strings.CutPrefix(h, "Proxy-Authorization: "); ok {
				auth = strings.TrimSpace(v)
			}
		}
		if auth != wantAuth {
			io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\n\r\n")
			return
		}
		target := strings.Fields(line)[1]
		up, err := net.Dial("tcp", target)
		if err != nil {
			io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\n\r\n")
			return
		}
		defer up.Close()
		io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
		go io.Copy(up, br)
		io.Copy(c, up)
	})
	return ln.Addr().String()
}

func echoServer(t *testing.T) string {
	t.Helper()
	return peer.Serve(t, func(c net.Conn) { io.Copy(c, c) })
}

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "proxy"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

func roundTrip(t *testing.T, c net.Conn) {
	t.Helper()
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	msg := bytes.Repeat([]byte("through the chain "), 1000)
	go c.Write(msg)
	back := make([]byte, len(msg))
	if _, err := io.ReadFull(c, back); err != nil || !bytes.Equal(back, msg) {
		t.Fatalf("round trip: %v", err)
	}
}

// TestHTTPSHop runs CONNECT over TLS to the proxy (an https:// hop),
// with Basic auth, then plain CONNECT through it: the proxy's certificate
// is checked against TLSConfig's roots, and a proxy that refuses the
// credentials is a Proxy error naming the hop without its password.
func TestHTTPSHop(t *testing.T) {
	cert, pool := selfSigned(t)
	secure := connectServer(t, "Basic Ym9iOnMzY3JldA==", &tls.Config{Certificates: []tls.Certificate{cert}})
	plain := connectServer(t, "", nil)
	echo := echoServer(t)
	chain := &Chain{
		Hops:      []Hop{mustHop(t, "https://bob:s3cret@"+secure), mustHop(t, "http://"+plain)},
		TLSConfig: func(host string) *tls.Config { return &tls.Config{RootCAs: pool} },
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := chain.DialContext(ctx, "tcp", echo)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, c)

	chain.Hops[0] = mustHop(t, "https://bob:wrong@"+secure)
	_, err = chain.DialContext(ctx, "tcp", echo)
	var hopErr *Error
	if !errors.As(err, &hopErr) || !hopErr.Proxy || !strings.HasPrefix(err.Error(), "via https://bob:***@"+secure+": ") ||
		strings.Contains(err.Error(), "wrong") || !strings.Contains(err.Error(), "407") {
		t.Errorf("wrong password: %v", err)
	}
	// The system's roots do not know this certificate.
	chain.TLSConfig = nil
	chain.Hops[0] = mustHop(t, "https://bob:s3cret@"+secure)
	_, err = chain.DialContext(ctx, "tcp", echo)
	if !errors.As(err, &hopErr) || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("unknown certificate: %v", err)
	}
}

// TestSOCKS4aHop checks the bytes of a SOCKS4a request and the handling of
// the reply against a scripted proxy: Debian's SOCKS servers (dante)
// serve SOCKS4 without the 4a extension.
func TestSOCKS4aHop(t *testing.T) {
	echo := echoServer(t)
	_, port, _ := net.SplitHostPort(echo)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan string, 2)
	go func() {
		for i := 0; ; i++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(refuse bool) {
				defer c.Close()
				br := bufio.NewReader(c)
				head := make([]byte, 8)
				io.ReadFull(br, head)
				id, _ := br.ReadString(0)
				name, _ := br.ReadString(0)
				got <- string(head) + id + name
				if refuse {
					c.Write([]byte{0, 0x5b, 0, 0, 0, 0, 0, 0})
					return
				}
				up, err := net.Dial("tcp", strings.TrimSuffix(name, "\x00")+":"+port)
				if err != nil {
					return
				}
				defer up.Close()
				c.Write([]byte{0, 0x5a, 0, 0, 0, 0, 0, 0})
				go io.Copy(up, br)
				io.Copy(c, up)
			}(i == 1)
		}
	}()
	chain := &Chain{Hops: []Hop{mustHop(t, "socks4a://me@"+ln.Addr().String())}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := chain.DialContext(ctx, "tcp", "localhost:"+port)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, c)
	if req := <-got; req[:2] != "\x04\x01" || req[4:8] != "\x00\x00\x00\x01" || req[8:] != "me\x00localhost\x00" {
		t.Errorf("request %q", req)
	}
	_, err = chain.DialContext(ctx, "tcp", "localhost:"+port)
	var hopErr *Error
	if !errors.As(err, &hopErr) || !hopErr.Proxy || !strings.Contains(err.Error(), "rejected") {
		t.Errorf("refused: %v", err)
	}
	<-got
}

func mustHop(t *testing.T, s string) Hop {
	t.Helper()
	h, err := ParseHop(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
