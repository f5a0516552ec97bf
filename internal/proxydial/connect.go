package proxydial

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// Caps of an HTTP CONNECT reply: its status line and headers together,
// and the number of header lines. A proxy that sends more is refused.
const (
	MaxConnectReply   = 16 << 10
	MaxConnectHeaders = 100
)

var (
	noDeadline   = time.Time{}
	aLongTimeAgo = time.Unix(1, 0)
)

// dialConnect connects to target through an HTTP proxy with CONNECT; an
// https hop runs TLS to the proxy first. user:pass goes as Basic auth.
func dialConnect(ctx context.Context, forward ContextDialer, h Hop, target string, tlsConfig func(string) *tls.Config) (net.Conn, error) {
	conn, err := forward.DialContext(ctx, "tcp", h.Addr)
	if err != nil {
		return nil, err
	}
	if h.Scheme == "https" {
		host, _, _ := net.SplitHostPort(h.Addr)
		var cfg *tls.Config
		if tlsConfig != nil {
			cfg = tlsConfig(host)
		}
		if cfg == nil {
			cfg = &tls.Config{}
		}
		if cfg.ServerName == "" {
			cfg = cfg.Clone()
			cfg.ServerName = host
		}
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, err
		}
		conn = tc
	}
	var rest []byte
	err = exchange(ctx, conn, func() error {
		req := "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n"
		if h.User != "" {
			req += "Proxy-Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(h.User+":"+h.Password)) + "\r\n"
		}
		if _, err := io.WriteString(conn, req+"\r\n"); err != nil {
			return err
		}
		var err error
		rest, err = ReadConnectReply(conn)
		return err
	})
	if err != nil {
		conn.Close()
		return nil, err
	}
	if len(rest) > 0 {
		return &prefixConn{Conn: conn, prefix: rest}, nil
	}
	return conn, nil
}

// ReadConnectReply reads a CONNECT reply's status line and headers from
// r, at most MaxConnectReply bytes and MaxConnectHeaders lines, and checks
// for a 2xx status. It returns the bytes read past the headers (the
// target's first bytes, if the proxy sent them in the same segment).
func ReadConnectReply(r io.Reader) (rest []byte, err error) {
	br := bufio.NewReaderSize(io.LimitReader(r, MaxConnectReply), 4096)
	var head bytes.Buffer
	for lines := 0; ; lines++ {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			return nil, errorf("CONNECT reply: a line longer than %d bytes", br.Size())
		}
		if err != nil {
			if head.Len()+len(line) >= MaxConnectReply {
				return nil, errorf("CONNECT reply: longer than %d bytes", MaxConnectReply)
			}
			if err == io.EOF {
				if head.Len()+len(line) == 0 {
					return nil, errorf("proxy closed the connection without a reply")
				}
				return nil, errorf("CONNECT reply cut short")
			}
			return nil, err
		}
		if lines > MaxConnectHeaders {
			return nil, errorf("CONNECT reply: more than %d header lines", MaxConnectHeaders)
		}
		head.Write(line)
		if (string(line) == "\r\n" || string(line) == "\n") && lines > 0 {
			break
		}
	}
	if err := ParseConnectStatus(head.Bytes()); err != nil {
		return nil, err
	}
	if n := br.Buffered(); n > 0 {
		rest, _ = br.Peek(n)
		rest = bytes.Clone(rest)
	}
	return rest, nil
}

// ParseConnectStatus checks the status line at the start of head:
// "HTTP/1.x NNN reason", with NNN 2xx for success. A failure shows the
// status and reason (printable ASCII only, at most 80 bytes).
func ParseConnectStatus(head []byte) error {
	line, _, _ := bytes.Cut(head, []byte("\n"))
	line = bytes.TrimRight(line, "\r")
	proto, rest, ok := bytes.Cut(line, []byte(" "))
	if !ok || !bytes.HasPrefix(proto, []byte("HTTP/1.")) || len(proto) != 8 {
		return errorf("not an HTTP reply to CONNECT: %s", printable(line))
	}
	code, reason, _ := bytes.Cut(rest, []byte(" "))
	n, err := strconv.Atoi(string(code))
	if err != nil || len(code) != 3 || n < 100 {
		return errorf("bad status in the reply to CONNECT: %s", printable(line))
	}
	if n/100 != 2 {
		return errorf("CONNECT refused: %d %s", n, printable(reason))
	}
	return nil
}

// printable is b for an error message: at most 80 bytes, anything but
// printable ASCII shown as \xNN, so that a proxy cannot drive a terminal.
func printable(b []byte) string {
	cut := len(b) > 80
	if cut {
		b = b[:80]
	}
	var s strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7f {
			s.WriteByte(c)
		} else {
			s.WriteString(`\x`)
			s.WriteString(strconv.FormatUint(uint64(c)|0x100, 16)[1:])
		}
	}
	if cut {
		s.WriteString("...")
	}
	return s.String()
}

// prefixConn is a conn whose first reads return prefix: bytes of the
// target read along with the proxy's reply.
type prefixConn struct {
	net.Conn
	prefix []byte
}

func (c *prefixConn) Read(p []byte) (int, error) {
	if len(c.prefix) > 0 {
		n := copy(p, c.prefix)
		c.prefix = c.prefix[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// CloseWrite half-closes the conn underneath when it can.
func (c *prefixConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return &net.OpError{Op: "close_write", Net: "tcp", Err: errors.ErrUnsupported}
}
