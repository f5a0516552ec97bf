package bindings

import (
	"os"
	"strings"
	"testing"
)

// netnsSetup readies a fresh network namespace for multicast: lo up,
// with the MULTICAST flag and the route of the IPv4 groups; and a veth
// pair, mc0 and mc1, for what lo cannot show. What a socket sends out lo
// comes back in from lo, loopback option or not, so a socket's loopback
// off is seen only on another interface: sent out mc0, a datagram comes
// back to this host's members on mc0 only through loopback (mc1, its
// other end, joined nothing and drops it). IPv6 groups go out mc0 too:
// what Linux sends to an IPv6 group out lo does not come back. Duplicate
// address detection is off, so that mc0's link-local address, which
// IPv6 multicast is sent from, is usable at once.
const netnsSetup = `set -e
ip link set lo up
ip link set lo multicast on
ip route add 224.0.0.0/4 dev lo
echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad
ip link add mc0 type veth peer name mc1
ip addr add 10.99.0.1/24 dev mc0
ip addr add 10.99.0.2/24 dev mc1
ip link set mc0 up
ip link set mc1 up
`

// TestMulticastNetns runs testdata/multicast_test.lua (TestLua/multicast)
// in this test binary, re-executed inside a private network namespace
// made with unshare, where lo is set up for multicast: sender and
// receivers meet on lo there, and nothing reaches the host's network.
// Without unshare or namespaces it skips, and fails when CI=true.
func TestMulticastNetns(t *testing.T) {
	if os.Getenv(netnsEnv) == "1" {
		t.Skip("already inside the namespace")
	}
	out := runInNetns(t, netnsRun{setup: netnsSetup, run: "^TestLua$/^multicast$"})
	// Every test of the file ran and passed: none skipped, none missing.
	for _, name := range luaTestNames(t, "testdata/multicast_test.lua") {
		if !strings.Contains(out, "--- PASS: TestLua/multicast/"+name+" ") {
			t.Errorf("%s did not pass in the namespace:\n%s", name, out)
		}
	}
	if t.Failed() || testing.Verbose() {
		t.Logf("%s", out)
	}
}
