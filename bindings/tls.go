package bindings

// The tls module: TLS clients and servers over Go's crypto/tls, and the
// conn method tls_state. (Issue 5: to be filled in.)

const tlsSummary = "TLS: dial, listen, upgrade a conn (STARTTLS), self-signed certificates"

var tlsFuncs = []binding{}

// tlsConnMethods are the conn methods that only TLS conns answer; they
// join the conn class's methods.
var tlsConnMethods = []binding{}
