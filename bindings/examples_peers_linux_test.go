package bindings

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/dnstest"
	"github.com/gonetrepl/gonetrepl/internal/peer"
	"github.com/gonetrepl/gonetrepl/internal/redistest"
)

// examplePKIEnv names the directory of the test CA's files (cert.pem and
// key.pem, a leaf for exampleHosts), which TestHelpExamples makes and
// passes to the binary in the namespace.
const examplePKIEnv = "GONETREPL_EXAMPLES_PKI"

// exampleHosts are the names the examples dial with TLS; the test CA's
// leaf is for them.
var exampleHosts = []string{"example.com", "mail.example.com", "redis.example.com"}

// exampleDNS are the records of example.com, as dnsmasq options: every
// name the examples dial is 127.0.0.1; NS records need dnsmasq's
// authoritative mode, set up as in internal/dnstest.
var exampleDNS = []string{
	"--host-record=example.com,127.0.0.1",
	"--host-record=mail.example.com,127.0.0.1",
	"--host-record=redis.example.com,127.0.0.1",
	"--cname=www.example.com,example.com",
	"--mx-host=example.com,mail.example.com,10",
	"--txt-record=example.com,v=spf1 -all",
	"--srv-host=_xmpp-server._tcp.example.com,example.com,5269,5,0",
	"--auth-server=ns1.example.com,127.0.0.1",
	"--auth-sec-servers=ns2.example.com",
	"--auth-zone=example.com,127.0.0.1/32",
}

// startExamplePeers starts, for the rest of the test, the peers listed at
// the top of examples_fixtures_test.go, at the addresses the examples
// name. Only inside the namespace: those addresses are the host's too.
func startExamplePeers(t *testing.T) {
	dir := os.Getenv(examplePKIEnv)
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}}

	echo := func(c net.Conn) { io.Copy(c, c) }
	peer.ServeListener(t, listenAt(t, "tcp", "127.0.0.1:9000"), echo)
	peer.ServeListener(t, listenAt(t, "tcp", "[::1]:9000"), echo)
	udpEcho(t, "127.0.0.1:9000")
	peer.ServeListener(t, tls.NewListener(listenAt(t, "tcp", "127.0.0.1:443"), tlsConfig), echo)
	peer.ServeListener(t, listenAt(t, "tcp", "127.0.0.1:25"), func(c net.Conn) { startTLSEcho(c, tlsConfig) })
	httpServer(t, "127.0.0.1:8000")

	redis := redistest.StartAt(t, 6379)
	peer.ServeListener(t, tls.NewListener(listenAt(t, "tcp", "127.0.0.1:6380"), tlsConfig), func(c net.Conn) {
		up, err := net.Dial("tcp", redis)
		if err != nil {
			return
		}
		defer up.Close()
		go io.Copy(up, c)
		io.Copy(c, up)
	})
	dnstest.StartAt(t, 53, exampleDNS...)
	multicastSender(t, "239.1.2.3:5000")
}

func listenAt(t *testing.T, network, addr string) net.Listener {
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// udpEcho sends each datagram back to its sender.
func udpEcho(t *testing.T, addr string) {
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 65535)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			pc.WriteTo(buf[:n], from)
		}
	}()
}

// startTLSEcho is a mail server's STARTTLS in miniature: it greets with
// 220, answers STARTTLS with 220, then runs TLS as the server and echoes.
func startTLSEcho(c net.Conn, config *tls.Config) {
	io.WriteString(c, "220 mail.example.com ESMTP\r\n")
	line, err := bufio.NewReader(c).ReadString('\n') // the client waits for the reply: nothing is lost
	if err != nil || strings.TrimSpace(line) != "STARTTLS" {
		io.WriteString(c, "502 STARTTLS only\r\n")
		return
	}
	io.WriteString(c, "220 2.0.0 Ready to start TLS\r\n")
	tc := tls.Server(c, config)
	defer tc.Close()
	io.Copy(tc, tc)
}

// httpServer answers / and /a with "hello\n" and /echo with the request's
// body.
func httpServer(t *testing.T, addr string) {
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
		io.Copy(w, r.Body)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" && r.URL.Path != "/a" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "hello\n")
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ln := listenAt(t, "tcp", addr)
	t.Cleanup(func() { srv.Close() })
	go srv.Serve(ln)
}

// multicastSender sends "hello" to group every 20 ms, out lo, until the
// test ends: what listen_multicast's example waits for.
func multicastSender(t *testing.T, group string) {
	to, err := net.ResolveUDPAddr("udp4", group)
	if err != nil {
		t.Fatal(err)
	}
	// From 127.0.0.1, as on lo a sender must be.
	c, err := net.DialUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}, to)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); c.Close() })
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				c.Write([]byte("hello"))
			}
		}
	}()
}
