package bindings

import (
	"fmt"
	"net/netip"
	"strconv"
	"sync"
	"testing"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// refSOCKSHandshake is the server's side of a SOCKS5 handshake (RFC 1928
// and, with user set, RFC 1929) over data, written from the RFCs apart
// from stdlib/socks.lua: the request as "cmd atyp host port", or "fail";
// and the bytes the server writes (the method choice, the auth status,
// and for a request it refuses by its content the reply code, as
// socks.parse gives them).
func refSOCKSHandshake(data []byte, user, pass string) (result string, written string) {
	pos := 0
	read := func(n int) ([]byte, bool) {
		if pos+n > len(data) {
			return nil, false
		}
		b := data[pos : pos+n]
		pos += n
		return b, true
	}
	reply := func(code byte) string { return string([]byte{5, code, 0, 1, 0, 0, 0, 0, 0, 0}) }
	b, ok := read(2)
	if !ok || b[0] != 5 || b[1] == 0 {
		return "fail", ""
	}
	methods, ok := read(int(b[1]))
	if !ok {
		return "fail", ""
	}
	want := byte(0)
	if user != "" {
		want = 2
	}
	found := false
	for _, m := range methods {
		found = found || m == want
	}
	if !found {
		return "fail", "\x05\xff"
	}
	written = string([]byte{5, want})
	if want == 2 {
		b, ok := read(2)
		if !ok || b[0] != 1 {
			return "fail", written
		}
		u, ok := read(int(b[1]))
		if !ok {
			return "fail", written
		}
		l, ok := read(1)
		if !ok {
			return "fail", written
		}
		p, ok := read(int(l[0]))
		if !ok {
			return "fail", written
		}
		if string(u) != user || string(p) != pass {
			return "fail", written + "\x01\x01"
		}
		written += "\x01\x00"
	}
	b, ok = read(4)
	if !ok || b[0] != 5 {
		return "fail", written
	}
	cmd, atyp := b[1], b[3]
	var host, kind string
	switch atyp {
	case 1:
		a, ok := read(4)
		if !ok {
			return "fail", written
		}
		host, kind = netip.AddrFrom4([4]byte(a)).String(), "ipv4"
	case 4:
		a, ok := read(16)
		if !ok {
			return "fail", written
		}
		host, kind = netip.AddrFrom16([16]byte(a)).String(), "ipv6"
	case 3:
		l, ok := read(1)
		if !ok {
			return "fail", written
		}
		if l[0] == 0 {
			return "fail", written + reply(1)
		}
		name, ok := read(int(l[0]))
		if !ok {
			return "fail", written
		}
		host, kind = string(name), "domain"
	default:
		return "fail", written + reply(8)
	}
	p, ok := read(2)
	if !ok {
		return "fail", written
	}
	if cmd != 1 {
		return "fail", written + reply(7)
	}
	return fmt.Sprintf("%d %s %s %d", cmd, kind, host, int(p[0])<<8|int(p[1])), written
}

// socksParseLua runs socks.parse and gives its outcome in
// refSOCKSHandshake's words.
const socksParseLua = `
local socks = require "socks"
return function(data, user, pass)
  local opts
  if user ~= "" then opts = { user = user, pass = pass } end
  local req, a, b = socks.parse(data, opts)
  if req == nil then return "fail", b end
  return ("%d %s %s %d"):format(req.cmd, req.atyp, req.host, req.port), a
end
`

var (
	socksParseOnce sync.Once
	socksParseFn   lua.LValue
)

// FuzzSOCKSHandshake runs the SOCKS5 server's handshake of stdlib/socks.lua
// (socks.parse, which serve_client runs on a conn) on any bytes, without
// and with user/password, and compares what it reads and writes with
// refSOCKSHandshake's. An IPv6 target is compared as netip prints it,
// which is how net.parse_ip's tostring prints it too (both are Go's).
func FuzzSOCKSHandshake(f *testing.F) {
	for _, s := range []string{
		"\x05\x01\x00\x05\x01\x00\x01\x7f\x00\x00\x01\x00\x50",
		"\x05\x01\x00\x05\x01\x00\x03\x09localhost\x1f\x90",
		"\x05\x02\x00\x02\x05\x01\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x16",
		"\x05\x01\x02\x01\x03bob\x03pwd\x05\x01\x00\x01\x0a\x00\x00\x01\x00\x50",
		"\x05\x01\x02\x01\x03bob\x03bad",
		"\x05\x01\x00\x05\x02\x00\x01\x7f\x00\x00\x01\x00\x50",
		"\x05\x01\x00\x05\x01\x00\x09", "\x05\x01\x00\x05\x01\x00\x03\x00", "\x04\x01\x00\x50",
		"\x05\x01\x00\x05\x01\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x7f\x00\x00\x01\x00\x16",
		"\x05\x00", "\x05\xff" + string(make([]byte, 255)), "",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, auth bool) {
		if len(data) > 2048 {
			return
		}
		user, pass := "", ""
		if auth {
			user, pass = "bob", "pwd"
		}
		want, wantOut := refSOCKSHandshake(data, user, pass)
		rt := fuzzRuntime()
		rt.gil.Lock()
		defer rt.gil.Unlock()
		L := rt.L
		socksParseOnce.Do(func() {
			if err := L.DoString(socksParseLua); err != nil {
				t.Fatal(err)
			}
			socksParseFn = L.Get(-1)
			L.Pop(1)
		})
		if socksParseFn == nil {
			t.Fatal("the helper did not load")
		}
		top := L.GetTop()
		if err := L.CallByParam(lua.P{Fn: socksParseFn, NRet: 2, Protect: true}, lua.LString(data), lua.LString(user), lua.LString(pass)); err != nil {
			t.Fatalf("%q: %v", data, err)
		}
		got, gotOut := L.Get(-2).String(), L.Get(-1).String()
		L.SetTop(top)
		if got != want || gotOut != wantOut {
			t.Fatalf("socks.parse(%s, auth %v) = %q, writes %q; want %q, writes %q",
				strconv.Quote(string(data)), auth, got, gotOut, want, wantOut)
		}
	})
}
