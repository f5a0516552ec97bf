package bindings

import (
	"fmt"
	"path/filepath"
)

// The pcap examples read testdata/pcap/http.pcap (tcpdump -i lo of curl
// fetching / from python3 -m http.server), named by its absolute path:
// the examples run in a directory of their own.
func init() {
	path, err := filepath.Abs("testdata/pcap/http.pcap")
	if err != nil {
		panic(err)
	}
	exampleFixtures["pcap.open"] = exampleFixture{prelude: fmt.Sprintf("path = %q", path)}
	exampleFixtures["pcap capture"] = exampleFixture{prelude: fmt.Sprintf("cap = assert(pcap.open(%q))", path)}
}
