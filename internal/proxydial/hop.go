// Package proxydial dials TCP through a chain of proxies: SOCKS5 (through
// golang.org/x/net/proxy), SOCKS4a and HTTP CONNECT (plain or over TLS),
// each hop dialed through the one before. It is the Go side of the via
// option of net.dial, tls.dial and the stdlib clients.
//
// Errors name the hop that failed, with its password redacted
// ("via socks5h://user:***@127.0.0.1:1080: ..."). An *Error whose Proxy
// field is true is the proxy's own failure (it refused the credentials or
// the target, or broke the protocol); otherwise the cause is the network
// (the proxy could not be reached, a timeout, a cancel) and keeps its own
// kind.
package proxydial

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
)

// Schemes are the proxy URL schemes a hop may have.
var Schemes = []string{"socks5", "socks5h", "socks4", "socks4a", "http", "https"}

// defaultPorts are the ports a hop URL without one gets.
var defaultPorts = map[string]string{
	"socks5": "1080", "socks5h": "1080", "socks4": "1080", "socks4a": "1080",
	"http": "8080", "https": "443",
}

// A Hop is one proxy of a chain, parsed from its URL.
type Hop struct {
	Scheme   string // one of Schemes
	Addr     string // "host:port" of the proxy
	User     string // "" for none
	Password string
	HasPass  bool
}

// ParseHop parses a proxy URL: scheme://[user[:pass]@]host[:port], user
// and password URL-escaped. Its errors never show the password.
func ParseHop(s string) (Hop, error) {
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" {
		return Hop{}, fmt.Errorf("proxy URL expected (scheme://[user:pass@]host:port), got %q", redactRaw(s))
	}
	h := Hop{Scheme: strings.ToLower(u.Scheme)}
	port, ok := defaultPorts[h.Scheme]
	if !ok {
		return Hop{}, fmt.Errorf("unknown proxy scheme %q in %q (schemes: %s)", u.Scheme, redactRaw(s), strings.Join(Schemes, ", "))
	}
	if u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return Hop{}, fmt.Errorf("proxy URL expected (scheme://[user:pass@]host:port), got %q", redactRaw(s))
	}
	if u.Port() != "" {
		port = u.Port()
	}
	h.Addr = net.JoinHostPort(u.Hostname(), port)
	if u.User != nil {
		h.User = u.User.Username()
		h.Password, h.HasPass = u.User.Password()
	}
	if h.User != "" || h.HasPass {
		switch {
		case h.Scheme == "socks4" || h.Scheme == "socks4a":
			if h.HasPass {
				return Hop{}, fmt.Errorf("a socks4 proxy takes a user id, not a password: %s", h)
			}
		case len(h.User) > 255 || len(h.Password) > 255:
			return Hop{}, fmt.Errorf("user and password are at most 255 bytes each: %s", h)
		case h.User == "":
			return Hop{}, fmt.Errorf("a password needs a user name: %s", h)
		}
	}
	return h, nil
}

// String is the hop's URL with the password shown as ***.
func (h Hop) String() string {
	var b strings.Builder
	b.WriteString(h.Scheme)
	b.WriteString("://")
	if h.User != "" || h.HasPass {
		b.WriteString(url.PathEscape(h.User))
		if h.HasPass {
			b.WriteString(":***")
		}
		b.WriteString("@")
	}
	b.WriteString(h.Addr)
	return b.String()
}

// redactRaw hides what may be a password in a URL that did not parse:
// everything between "://" and the last "@" but the user name.
func redactRaw(s string) string {
	start := strings.Index(s, "://")
	at := strings.LastIndex(s, "@")
	if start < 0 || at < start {
		return s
	}
	userinfo := s[start+3 : at]
	if i := strings.IndexByte(userinfo, ':'); i >= 0 {
		return s[:start+3] + userinfo[:i] + ":***" + s[at:]
	}
	return s
}

// Error is the failure of one hop of a chain.
type Error struct {
	Hop    string // the hop's URL, password redacted
	Target string // the address the hop was asked to connect to, or "" when it was not reached
	Proxy  bool   // the proxy failed (refused, broke the protocol), not the network
	Err    error
}

func (e *Error) Error() string {
	if e.Target != "" {
		return fmt.Sprintf("via %s: connect to %s: %v", e.Hop, e.Target, e.Err)
	}
	return fmt.Sprintf("via %s: %v", e.Hop, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// ProtocolError is a proxy's reply this package does not accept.
type ProtocolError struct{ Msg string }

func (e *ProtocolError) Error() string { return e.Msg }

// errorf makes a ProtocolError.
func errorf(format string, args ...any) error {
	return &ProtocolError{Msg: fmt.Sprintf(format, args...)}
}

// isProxyFailure says whether err, met in a hop's handshake, is the
// proxy's doing: a reply refused or malformed, or the proxy closing the
// connection, rather than a timeout, a cancel or a socket error.
func isProxyFailure(err error) bool {
	var ne net.Error
	var opErr *net.OpError
	var sysErr *os.SyscallError
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return false
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	case errors.As(err, &opErr), errors.As(err, &sysErr):
		return false // a read or write of the socket failed
	}
	return true
}
