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
	"context"
	"encoding/hex"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/peer"
)

// Zone is the domain the server answers for (RFC 6761 reserves .test).
// Other names get REFUSED; names in it without records, NXDOMAIN.
const Zone = "gonetrepl.test"

// The records served, as tests check them.
//
//	www.gonetrepl.test      A 192.0.2.10, AAAA 2001:db8::10 (and their PTRs)
//	local.gonetrepl.test    A 127.0.0.1 (a name tests may dial: loopback only)
//	alias.gonetrepl.test    CNAME www.gonetrepl.test
//	gonetrepl.test          MX 10 mail.gonetrepl.test, MX 20 mail2.gonetrepl.test
//	gonetrepl.test          TXT "v=spf1 -all", TXT "hello" "world"
//	gonetrepl.test          NS ns1.gonetrepl.test, NS ns2.gonetrepl.test
//	_http._tcp.gonetrepl.test  SRV 1 5 8080 www.gonetrepl.test
//	evil.gonetrepl.test     TXT "\x1b]0;pwned\x07\x1b[2J\rEVIL\u009b31m\u202e\xff"
//	                        (terminal escapes, for scripts that must not show them raw)
var records = []string{
	"--host-record=www.gonetrepl.test,192.0.2.10,2001:db8::10",
	"--host-record=local.gonetrepl.test,127.0.0.1",
	"--cname=alias.gonetrepl.test,www.gonetrepl.test",
	"--mx-host=gonetrepl.test,mail.gonetrepl.test,10",
	"--mx-host=gonetrepl.test,mail2.gonetrepl.test,20",
	"--txt-record=gonetrepl.test,v=spf1 -all",
	"--txt-record=gonetrepl.test,hello,world",
	"--srv-host=_http._tcp.gonetrepl.test,www.gonetrepl.test,8080,1,5",
	// A TXT record of one 28-byte string, as raw RDATA in hex.
	"--dns-rr=evil.gonetrepl.test,16,1c1b5d303b70776e6564071b5b324a0d4556494cc29b33316de280aeff",
	// Authoritative mode, for NS records: the zone and its reverse zones
	// (so the PTRs of www's addresses are served too). It answers only
	// with addresses in these subnets, hence 127.0.0.1/32 for local.
	"--auth-server=ns1.gonetrepl.test,127.0.0.1",
	"--auth-sec-servers=ns2.gonetrepl.test",
	"--auth-zone=gonetrepl.test,192.0.2.0/24,2001:db8::/64,127.0.0.1/32",
}

// Start runs dnsmasq for the rest of the test and returns its address,
// "127.0.0.1:port", once it answers queries. It is killed at cleanup.
// extra are more records for this test alone, as dnsmasq options (see
// TXT).
func Start(t testing.TB, extra ...string) string {
	t.Helper()
	return start(t, append(records, extra...), ready)
}

// StartCache runs dnsmasq as a plain caching server instead, with no zone
// and no upstream: it answers from the records given (dnsmasq options,
// such as --host-record) and REFUSES every other query, as a resolver
// without upstream does. A name with only an A record thus answers A and
// refuses AAAA, MX, TXT and NS: a per-type REFUSED.
func StartCache(t testing.TB, recs ...string) string {
	t.Helper()
	return start(t, recs, Answers)
}

// StartAt runs dnsmasq as StartCache does (only the records given, every
// other query REFUSED), but on 127.0.0.1:port, a fixed port: for a test
// inside a private network namespace, where port 53 is free and the
// machine's resolver (/etc/resolv.conf, bind-mounted there) can point at
// it. It returns the address.
func StartAt(t testing.TB, port int, recs ...string) string {
	t.Helper()
	path := peer.Find(t, "dnsmasq", "dnsmasq-base")
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	peer.StartAt(t, path, append(args(port), recs...), addr, Answers)
	return addr
}

// start runs dnsmasq with the common options and recs, until isReady.
func start(t testing.TB, recs []string, isReady func(addr string) bool) string {
	t.Helper()
	path := peer.Find(t, "dnsmasq", "dnsmasq-base")
	return peer.Start(t, path, func(port int) []string {
		return append(args(port), recs...)
	}, isReady)
}

// args is dnsmasq's command line without records: on port, loopback
// only, with its own configuration and nothing else.
func args(port int) []string {
	return []string{
		"--no-daemon", // foreground, log to stderr
		"--port=" + strconv.Itoa(port),
		"--listen-address=127.0.0.1",
		"--bind-interfaces",
		"--no-resolv", "--no-hosts", "--no-poll",
		"--conf-file=/dev/null",
		"--pid-file=",
		"--user=root", // no privilege drop when run as root; ignored otherwise
	}
}

// TXT is the dnsmasq option that serves name (in Zone) one TXT record of
// text, for Start: text of any length up to about 60 KB, cut into DNS
// character-strings of at most 255 bytes, which a resolver joins again
// (Go's LookupTXT does). A long one goes over TCP, as a real hostile
// server's would.
func TXT(name, text string) string {
	var rdata []byte
	for {
		n := min(len(text), 255)
		rdata = append(append(rdata, byte(n)), text[:n]...)
		text = text[n:]
		if text == "" {
			break
		}
	}
	return "--dns-rr=" + name + ",16," + hex.EncodeToString(rdata)
}

// ready reports whether the server at addr answers a query for the zone.
func ready(addr string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err := resolver(addr).LookupTXT(ctx, Zone)
	return err == nil
}

// Answers reports whether the server at addr answers a query at all: a
// REFUSED (Go's "server misbehaving") counts, silence or an ICMP refusal
// does not.
func Answers(addr string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err := resolver(addr).LookupTXT(ctx, "ready.invalid")
	var dnsErr *net.DNSError
	return err == nil || errors.As(err, &dnsErr) && strings.Contains(dnsErr.Err, "server misbehaving")
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
