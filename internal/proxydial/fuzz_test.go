package proxydial

import (
	"bytes"
	"strconv"
	"testing"
)

// FuzzConnectReply reads any bytes as a proxy's reply to CONNECT: no
// panic, never more than MaxConnectReply bytes read, success only for a
// 2xx status line ending in an empty line, and what is left over the
// bytes that followed it.
func FuzzConnectReply(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 Connection established\r\n\r\n",
		"HTTP/1.0 200 OK\r\nProxy-Agent: tinyproxy/1.11.1\r\n\r\nSSH-2.0-x\r\n",
		"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"x\"\r\n\r\n",
		"HTTP/1.1 200\r\n\r\n", "HTTP/1.1 200 OK\n\n", "\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		rest, err := ReadConnectReply(r)
		read := len(data) - r.Len()
		if read > MaxConnectReply {
			t.Fatalf("read %d bytes, over the cap", read)
		}
		if err != nil {
			return
		}
		head := data[:read-len(rest)]
		if !bytes.Equal(data[read-len(rest):read], rest) {
			t.Fatalf("rest %q is not what followed the head", rest)
		}
		if !bytes.HasSuffix(head, []byte("\n\n")) && !bytes.HasSuffix(head, []byte("\n\r\n")) {
			t.Fatalf("accepted a head that does not end with an empty line: %q", head)
		}
		code, err2 := strconv.Atoi(string(head[9:12]))
		if !bytes.HasPrefix(head, []byte("HTTP/1.")) || head[8] != ' ' || err2 != nil || code/100 != 2 {
			t.Fatalf("accepted %q", head)
		}
	})
}

// FuzzSOCKS4Reply checks any bytes as a SOCKS4 reply: accepted exactly
// when they are 8 bytes, version 0 or 4, code 0x5a.
func FuzzSOCKS4Reply(f *testing.F) {
	f.Add([]byte{0, 0x5a, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{4, 0x5b, 1, 2, 3, 4, 5, 6})
	f.Add([]byte{0, 0x5a})
	f.Fuzz(func(t *testing.T, b []byte) {
		want := len(b) == 8 && (b[0] == 0 || b[0] == 4) && b[1] == 0x5a
		if err := ParseSOCKS4Reply(b); (err == nil) != want {
			t.Fatalf("%q: %v", b, err)
		}
	})
}
