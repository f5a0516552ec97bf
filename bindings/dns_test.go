package bindings

import (
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/dnstest"
)

// testdata/dns_test.lua asks a real DNS server: dnsmasq, started here on a
// loopback port (see package dnstest for the records it serves), and a
// server that never answers. Their addresses reach the Lua tests as the
// globals DNS_SERVER and SILENT_DNS_SERVER; no test asks the machine's
// resolver.
func init() {
	luaSetup["dns"] = func(t *testing.T) map[string]string {
		return map[string]string{
			"DNS_SERVER":        dnstest.Start(t),
			"SILENT_DNS_SERVER": dnstest.Silent(t),
		}
	}
}
