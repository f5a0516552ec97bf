package bindings

import (
	"io"
	"net"
	"strconv"
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/dnstest"
	"github.com/gonetrepl/gonetrepl/internal/httppeer"
	"github.com/gonetrepl/gonetrepl/internal/peer"
	"github.com/gonetrepl/gonetrepl/internal/proxytest"
)

// Credentials of the proxies that ask for them. microsocks's password
// needs URL escapes (@, : and /), which a via URL must carry; tinyproxy's
// configuration takes only letters, digits and ._- in one.
const (
	proxyTestUser = "bob"
	proxyTestPass = "p@ss:w/rd"
	tinyproxyPass = "tiny.pass-1"
)

// testdata/proxy_test.lua dials through real proxies, each started here on
// a loopback port with its own configuration (package proxytest):
// microsocks without and with user/password (MICROSOCKS,
// MICROSOCKS_AUTH), danted (DANTE: SOCKS5 and SOCKS4) and tinyproxy
// (TINYPROXY, and TINYPROXY_AUTH with Basic auth as PROXY_USER and
// TINYPROXY_PASS), which allow CONNECT to
// the two targets only: a Go echo server that half-closes after the
// client's half-close (ECHO) and the Python HTTP peer (HTTP_PEER). The
// test DNS server (DNS_SERVER, package dnstest) names 127.0.0.1
// local.gonetrepl.test, which socks5 and socks4 hops look up here.
func init() {
	luaSetup["proxy"] = func(t *testing.T) map[string]string {
		echo := peer.Serve(t, func(c net.Conn) {
			io.Copy(c, c)
			c.(*net.TCPConn).CloseWrite()
		})
		httpPeer := httppeer.Start(t)
		ports := []int{portOf(t, echo), portOf(t, httpPeer)}
		return map[string]string{
			"ECHO":            echo,
			"HTTP_PEER":       httpPeer,
			"MICROSOCKS":      proxytest.Microsocks(t, "", ""),
			"MICROSOCKS_AUTH": proxytest.Microsocks(t, proxyTestUser, proxyTestPass),
			"DANTE":           proxytest.Dante(t),
			"TINYPROXY":       proxytest.Tinyproxy(t, "", "", ports...),
			"TINYPROXY_AUTH":  proxytest.Tinyproxy(t, proxyTestUser, tinyproxyPass, ports...),
			"PROXY_USER":      proxyTestUser,
			"PROXY_PASS":      proxyTestPass,
			"TINYPROXY_PASS":  tinyproxyPass,
			"DNS_SERVER":      dnstest.Start(t),
		}
	}
}

func portOf(t *testing.T, addr string) int {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
