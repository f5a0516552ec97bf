// Package dnstest runs a real DNS server for tests: dnsmasq (Debian package
// dnsmasq-base) on a free loopback port, with its own configuration and
// nothing else (no /etc/hosts, no upstream servers), serving the zone Zone
// authoritatively.
// Tests ask it through the server option of the lookups; nothing ever goes
// to the machine's resolver.
//
// When dnsmasq is missing, Start skips the test, or fails it when the
// environment variable CI is "true": on CI the dependency must be there.
package dnstest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Zone is the domain the server answers for (RFC 6761 reserves .test).
// Other names get REFUSED; names in it without records, NXDOMAIN.
const Zone = "gonetrepl.test"

// The records served, as tests check them.
//
//	www.gonetrepl.test      A 192.0.2.10, AAAA 2001:db8::10 (and their PTRs)
//	alias.gonetrepl.test    CNAME www.gonetrepl.test
//	gonetrepl.test          MX 10 mail.gonetrepl.test, MX 20 mail2.gonetrepl.test
//	gonetrepl.test          TXT "v=spf1 -all", TXT "hello" "world"
//	gonetrepl.test          NS ns1.gonetrepl.test, NS ns2.gonetrepl.test
//	_http._tcp.gonetrepl.test  SRV 1 5 8080 www.gonetrepl.test
var records = []string{
	"--host-record=www.gonetrepl.test,192.0.2.10,2001:db8::10",
	"--cname=alias.gonetrepl.test,www.gonetrepl.test",
	"--mx-host=gonetrepl.test,mail.gonetrepl.test,10",
	"--mx-host=gonetrepl.test,mail2.gonetrepl.test,20",
	"--txt-record=gonetrepl.test,v=spf1 -all",
	"--txt-record=gonetrepl.test,hello,world",
	"--srv-host=_http._tcp.gonetrepl.test,www.gonetrepl.test,8080,1,5",
	// Authoritative mode, for NS records: the zone and its reverse zones
	// (so the PTRs of www's addresses are served too).
	"--auth-server=ns1.gonetrepl.test,127.0.0.1",
	"--auth-sec-servers=ns2.gonetrepl.test",
	"--auth-zone=gonetrepl.test,192.0.2.0/24,2001:db8::/64",
}

const (
	readyTimeout = 20 * time.Second // generous: tests run under -race on a busy machine
	attempts     = 5                // free ports to try: another process may take ours
)

// dnsmasqPath finds dnsmasq, also in /usr/sbin, which a user's PATH may lack.
func dnsmasqPath() (string, error) {
	if p, err := exec.LookPath("dnsmasq"); err == nil {
		return p, nil
	}
	const sbin = "/usr/sbin/dnsmasq"
	if _, err := os.Stat(sbin); err == nil {
		return sbin, nil
	}
	return "", fmt.Errorf("dnsmasq not found (Debian package dnsmasq-base; ./test.sh installs it)")
}

// Start runs dnsmasq for the rest of the test and returns its address,
// "127.0.0.1:port", once it answers queries. It is killed at cleanup.
func Start(t testing.TB) string {
	t.Helper()
	path, err := dnsmasqPath()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v: required when CI=true", err)
		}
		t.Skipf("%v: skipping", err)
	}
	var last string
	for range attempts {
		addr, out, ok := start(t, path)
		if ok {
			return addr
		}
		last = out
	}
	t.Fatalf("dnsmasq did not start in %d attempts; last output:\n%s", attempts, last)
	return ""
}

// start runs dnsmasq once on a port that was free a moment ago. It returns
// false if dnsmasq exited (its port taken meanwhile), with its output.
func start(t testing.TB, path string) (addr, output string, ok bool) {
	t.Helper()
	port := freePort(t)
	addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	args := append([]string{
		"--no-daemon", // foreground, log to stderr
		"--port=" + strconv.Itoa(port),
		"--listen-address=127.0.0.1",
		"--bind-interfaces",
		"--no-resolv", "--no-hosts", "--no-poll",
		"--conf-file=/dev/null",
		"--pid-file=",
		"--user=root", // no privilege drop when run as root; ignored otherwise
	}, records...)
	cmd := exec.Command(path, args...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dnsmasq: %v", err)
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
		if ready(addr) {
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
	t.Fatalf("dnsmasq on %s did not answer within %v; output:\n%s", addr, readyTimeout, out.String())
	return "", "", false
}

// ready reports whether the server at addr answers a query for the zone.
func ready(addr string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err := resolver(addr).LookupTXT(ctx, Zone)
	return err == nil
}

// resolver is a Go resolver asking only the server at addr.
func resolver(addr string) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
}

// freePort returns a port that is free for UDP and TCP on 127.0.0.1 now.
func freePort(t testing.TB) int {
	t.Helper()
	for {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := pc.LocalAddr().(*net.UDPAddr).Port
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		pc.Close()
		if err == nil {
			ln.Close()
			return port
		}
	}
}

// Silent opens a UDP socket on loopback that reads queries and never
// answers, and returns its address: a DNS server that times out. It is
// closed at cleanup.
func Silent(t testing.TB) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	return pc.LocalAddr().String()
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
