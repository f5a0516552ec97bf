package proxydial

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"golang.org/x/net/proxy"
)

// A ContextDialer dials like net.Dialer.DialContext.
type ContextDialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// Chain dials through its hops in order: the first is dialed with Direct,
// each next one through the one before, and the target through the last.
type Chain struct {
	Hops []Hop
	// Direct dials the first hop (a net.Dialer with its own options).
	Direct ContextDialer
	// Resolver looks up a target's name for the hops that send an
	// address (socks5, socks4); nil is net.DefaultResolver.
	Resolver *net.Resolver
	// TLSConfig is the configuration of an https hop's TLS, given its
	// host; nil verifies its certificate with the system's roots.
	TLSConfig func(host string) *tls.Config
}

// DialContext connects to address through the chain. The context bounds
// the whole of it: every hop's connect and handshake.
func (c *Chain) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	var d ContextDialer = c.Direct
	if d == nil {
		d = &net.Dialer{}
	}
	for _, h := range c.Hops {
		d = c.hopDialer(h, d)
	}
	return d.DialContext(ctx, network, address)
}

// hopDialer is the dialer that reaches its targets through h, reaching h
// through forward.
func (c *Chain) hopDialer(h Hop, forward ContextDialer) ContextDialer {
	return &hopDialer{hop: h, forward: forward, chain: c}
}

type hopDialer struct {
	hop     Hop
	forward ContextDialer
	chain   *Chain
}

func (d *hopDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, &Error{Hop: d.hop.String(), Proxy: true, Err: errors.New("a proxy carries only tcp, not " + network)}
	}
	target := address
	if d.hop.Scheme == "socks5" || d.hop.Scheme == "socks4" {
		var err error
		if target, err = d.resolve(ctx, network, address); err != nil {
			return nil, &Error{Hop: d.hop.String(), Err: err}
		}
	}
	// The hop itself, through the hops before it: their errors name them.
	forward := &reachDialer{hop: d.hop, forward: d.forward}
	var conn net.Conn
	var err error
	switch d.hop.Scheme {
	case "socks5", "socks5h":
		conn, err = d.socks5(ctx, forward, network, target)
	case "socks4", "socks4a":
		conn, err = dialSOCKS4(ctx, forward, d.hop, target)
	case "http", "https":
		conn, err = dialConnect(ctx, forward, d.hop, target, d.chain.TLSConfig)
	}
	if err != nil {
		var hopErr *Error
		if errors.As(err, &hopErr) {
			return nil, hopErr // a hop before this one, or reaching this one
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("the proxy closed the connection in the handshake (%w)", err)
		}
		return nil, &Error{Hop: d.hop.String(), Target: address, Proxy: isProxyFailure(err), Err: err}
	}
	return conn, nil
}

// socks5 connects through a SOCKS5 hop with golang.org/x/net/proxy. It
// returns the conn to the hop itself, not x/net's wrapper of it (which
// adds only the address the proxy bound), so that the conn keeps what
// the socket underneath can do: half-close, socket options.
func (d *hopDialer) socks5(ctx context.Context, forward *reachDialer, network, target string) (net.Conn, error) {
	var auth *proxy.Auth
	if d.hop.User != "" {
		auth = &proxy.Auth{User: d.hop.User, Password: d.hop.Password}
	}
	pd, err := proxy.SOCKS5("tcp", d.hop.Addr, auth, forward)
	if err != nil {
		return nil, err
	}
	_, err = pd.(proxy.ContextDialer).DialContext(ctx, network, target)
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "socks connect" {
		err = opErr.Err // it names the proxy and the target; so does Error
		// x/net words a refusal from the proxy "unknown error connection
		// refused" (its reply code's name after "unknown error").
		if msg, ok := strings.CutPrefix(err.Error(), "unknown error "); ok {
			err = &ProtocolError{Msg: "the proxy answers: " + msg}
		}
	}
	if err != nil {
		if forward.conn != nil {
			forward.conn.Close() // x/net closes it too; a second close does no harm
		}
		return nil, err
	}
	return forward.conn, nil
}

// resolve looks up the host of address for a hop that sends an address,
// not a name: an IPv4 one first (socks4 has only those).
func (d *hopDialer) resolve(ctx context.Context, network, address string) (string, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return "", err
	}
	if net.ParseIP(host) != nil {
		return address, nil
	}
	r := d.chain.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	ips, err := r.LookupIPAddr(ctx, host)
	if err != nil {
		return "", err
	}
	var pick net.IP
	for _, ip := range ips {
		v4 := ip.IP.To4() != nil
		switch {
		case network == "tcp4" && !v4, network == "tcp6" && v4, d.hop.Scheme == "socks4" && !v4:
			continue
		}
		if pick == nil || (v4 && pick.To4() == nil && network == "tcp") {
			pick = ip.IP
		}
	}
	if pick == nil {
		return "", &net.DNSError{Err: "no suitable address", Name: host, IsNotFound: true}
	}
	return net.JoinHostPort(pick.String(), port), nil
}

// reachDialer dials a hop's own address through forward; a failure that
// no earlier hop claimed is this hop's, not reached.
type reachDialer struct {
	hop     Hop
	forward ContextDialer
	conn    net.Conn // the last conn it dialed
}

func (r *reachDialer) DialContext(ctx context.Context, network, _ string) (net.Conn, error) {
	conn, err := r.forward.DialContext(ctx, network, r.hop.Addr)
	if err != nil {
		var hopErr *Error
		if errors.As(err, &hopErr) {
			return nil, hopErr
		}
		return nil, &Error{Hop: r.hop.String(), Err: err}
	}
	r.conn = conn
	return conn, nil
}

// Dial makes reachDialer a proxy.Dialer, as proxy.SOCKS5 wants its
// forward dialer; DialContext is what it calls.
func (r *reachDialer) Dial(network, address string) (net.Conn, error) {
	return r.DialContext(context.Background(), network, address)
}
