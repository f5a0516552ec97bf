package bindings

// opts.via: dialing through a chain of proxies (net.dial over tcp,
// tls.dial, and the stdlib clients that pass it on), with
// internal/proxydial doing the hops.

import (
	"context"
	"net"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/proxydial"
	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// maxHops bounds a chain: each hop is a connect and a handshake.
const maxHops = 16

// viaField is the via key of every options table that dials.
var viaField = field{"via", "string|string[]",
	"proxies to dial through, in order, each reached through the one before: socks5:// (the name is looked up here), socks5h:// (the proxy looks it up), socks4://, socks4a://, http:// and https:// (CONNECT), each with user:pass@ if needed; one URL or a list"}

// viaDoc is what the docs of the dialing functions say of via.
const viaDoc = " opts.via: a proxy URL, or a list of them dialed in order, each through the one before (a string is a list of one; {} is none): socks5:// (the name is looked up here), socks5h:// (the proxy looks it up), socks4:// (here, IPv4), socks4a:// (the proxy), http:// and https:// (CONNECT; https runs TLS to the proxy first, its certificate checked against the system's roots), each with user:pass@ (URL-escaped; Basic auth for CONNECT) if needed. opts.timeout covers the whole chain, and a cancel stops it at whatever hop it is. A hop that fails is named in the message, its password shown as *** (\"via socks5h://bob:***@127.0.0.1:1080: connect to host:80: username/password authentication failed\"): kind proxy when the proxy refused (credentials, the target) or broke its protocol, else the network's kind (refused, timeout, no_such_host...). The conn is the socket to the first proxy (remote_addr is the proxy's); the handshakes are not traced."

// fieldVia reads opts.via: a proxy URL or a list of them (an empty list
// is no proxy). A URL that does not parse raises an argument error that
// names it with its password hidden.
func fieldVia(L *lua.LState, n int, opts *lua.LTable) []proxydial.Hop {
	if opts == nil {
		return nil
	}
	var urls []string
	switch v := opts.RawGetString("via").(type) {
	case *lua.LNilType:
		return nil
	case lua.LString:
		urls = []string{string(v)}
	case *lua.LTable:
		count := v.Len()
		if count > maxHops {
			argError(L, n, "opts.via", "at most %d proxies, got %d", maxHops, count)
		}
		for i := 1; i <= count; i++ {
			s, ok := v.RawGetInt(i).(lua.LString)
			if !ok {
				argError(L, n, "opts.via", "proxy URL expected at [%d], got %s", i, typeName(v.RawGetInt(i)))
			}
			urls = append(urls, string(s))
		}
	default:
		argError(L, n, "opts.via", "proxy URL or list of them expected, got %s", typeName(v))
	}
	hops := make([]proxydial.Hop, 0, len(urls))
	for _, u := range urls {
		h, err := proxydial.ParseHop(u)
		if err != nil {
			argError(L, n, "opts.via", "%v", err)
		}
		hops = append(hops, h)
	}
	return hops
}

// noVia raises an argument error when opts (of a function that does not
// dial) sets via.
func noVia(L *lua.LState, n int, opts *lua.LTable, fn string) {
	if opts != nil && opts.RawGetString("via") != lua.LNil {
		argError(L, n, "opts.via", "%s does not dial: only net.dial (tcp) and tls.dial go through proxies", fn)
	}
}

// proxyChain is the dialer of a connect through hops: direct dials the
// first hop, resolver looks up a name for the socks5 and socks4 hops
// (nil: the system's).
func proxyChain(hops []proxydial.Hop, direct proxydial.ContextDialer, resolver *net.Resolver) *proxydial.Chain {
	return &proxydial.Chain{Hops: hops, Direct: direct, Resolver: resolver}
}

// dialVia dials address over network through hops, bounded by timeout
// (0: none) as a whole; a cancel of ctx stops it at whatever hop it is.
func dialVia(ctx context.Context, chain *proxydial.Chain, network, address string, timeout time.Duration) (net.Conn, error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	return chain.DialContext(ctx, network, address)
}
