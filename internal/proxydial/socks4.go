package proxydial

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"strconv"
)

// SOCKS4 reply codes (the second byte of the 8-byte reply).
const (
	socks4Granted      = 0x5a
	socks4Rejected     = 0x5b
	socks4NoIdentd     = 0x5c
	socks4IdentdDiffer = 0x5d
)

// Socks4ReplyLen is the size of a SOCKS4 reply: fixed.
const Socks4ReplyLen = 8

// dialSOCKS4 connects to target through a SOCKS4 (target an IPv4
// address) or SOCKS4a (a name the proxy resolves) hop.
func dialSOCKS4(ctx context.Context, forward ContextDialer, h Hop, target string) (net.Conn, error) {
	req, err := socks4Request(h, target)
	if err != nil {
		return nil, err
	}
	conn, err := forward.DialContext(ctx, "tcp", h.Addr)
	if err != nil {
		return nil, err
	}
	if err := exchange(ctx, conn, func() error {
		if _, err := conn.Write(req); err != nil {
			return err
		}
		var reply [Socks4ReplyLen]byte
		if _, err := io.ReadFull(conn, reply[:]); err != nil {
			return err
		}
		return ParseSOCKS4Reply(reply[:])
	}); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// socks4Request is the CONNECT request to target: its IPv4 address, or
// for socks4a 0.0.0.1 and the name after the user id.
func socks4Request(h Hop, target string) ([]byte, error) {
	host, portStr, err := net.SplitHostPort(target)
	if err != nil {
		return nil, err
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, errorf("bad port %q", portStr)
	}
	req := []byte{4, 1, 0, 0}
	binary.BigEndian.PutUint16(req[2:], uint16(port))
	ip := net.ParseIP(host)
	switch {
	case ip != nil && ip.To4() != nil:
		req = append(req, ip.To4()...)
	case ip != nil:
		return nil, errorf("socks4 carries IPv4 addresses only, not %s", host)
	case h.Scheme == "socks4":
		return nil, errorf("socks4 needs an address, not the name %q (socks4a sends names)", host)
	case len(host) > 255:
		return nil, errorf("name longer than 255 bytes")
	default:
		req = append(req, 0, 0, 0, 1)
	}
	req = append(req, h.User...)
	req = append(req, 0)
	if ip == nil {
		req = append(req, host...)
		req = append(req, 0)
	}
	return req, nil
}

// ParseSOCKS4Reply checks a SOCKS4 reply: 8 bytes, version 0 (some
// servers send 4), code 0x5a for granted.
func ParseSOCKS4Reply(b []byte) error {
	if len(b) != Socks4ReplyLen {
		return errorf("socks4 reply of %d bytes, want %d", len(b), Socks4ReplyLen)
	}
	if b[0] != 0 && b[0] != 4 {
		return errorf("not a socks4 reply (version byte %d)", b[0])
	}
	switch b[1] {
	case socks4Granted:
		return nil
	case socks4Rejected:
		return errorf("request rejected or failed")
	case socks4NoIdentd:
		return errorf("request rejected: the proxy cannot reach identd on the client")
	case socks4IdentdDiffer:
		return errorf("request rejected: identd reports a different user id")
	}
	return errorf("unknown socks4 reply code 0x%02x", b[1])
}

// exchange runs a handshake on conn bounded by ctx: its deadline becomes
// the conn's, and its end (a cancel) interrupts the reads and writes. The
// conn's deadline is cleared after.
func exchange(ctx context.Context, conn net.Conn, fn func() error) error {
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(aLongTimeAgo) })
	err := fn()
	if !stop() || ctx.Err() != nil {
		if cerr := ctx.Err(); cerr != nil {
			err = cerr
		}
	}
	conn.SetDeadline(noDeadline)
	return err
}
