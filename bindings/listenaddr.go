package bindings

import "net"

// loopbackIfNoHost gives an IP listening address without a host (":8080",
// ":0") the loopback host of its network. Go's net listens on every
// interface then; here a listener opened at the prompt to try something
// must not be reachable from other machines unless the address says so:
// "0.0.0.0:8080", "[::]:8080". Unix addresses are left alone.
func loopbackIfNoHost(network, address string) string {
	if isUnix(network) {
		return address
	}
	host, port, err := net.SplitHostPort(address)
	if err != nil || host != "" {
		return address
	}
	if network == "tcp6" || network == "udp6" {
		return net.JoinHostPort("::1", port)
	}
	return net.JoinHostPort("127.0.0.1", port)
}
