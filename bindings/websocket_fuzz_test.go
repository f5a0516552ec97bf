package bindings

import (
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// FuzzWebSocketFrames feeds any bytes, as a peer, to the frame reader of
// stdlib/websocket.lua: a socket (websocket.wrap, as a client or as a
// server, with a max from the input) on one end of a net.pipe, the bytes
// written into the other in pieces whose sizes come from the input, and
// what the socket writes back read and dropped. recv runs until it
// fails; the messages it returned and how it ended must be what
// refWebSocketFrames, a reader written from RFC 6455 apart from the Lua
// code, makes of the same bytes: no Lua error escapes (a recv that raised
// fails the task), nothing panics, no message is over max, and every
// violation ends with its close code (1002, 1007, 1009).

// wsFuzzLua is loaded once into the fuzz runtime: fuzz_ws(data, splits,
// server, max) returns the outcome as "kind:data" entries joined with
// "|" lengths (a netlist), then the end: "close:CODE" (we closed for a
// violation), "peer:CODE" (the peer's close frame) or "end:KIND" (the
// pipe ended).
const wsFuzzLua = `
local ws = require "websocket"
function fuzz_ws(data, splits, server, max)
  local a, b = net.pipe()
  a:set_timeout(20)
  b:set_timeout(20)
  local writer = task.spawn(function()
    local i, k, ns = 1, 0, #splits
    while i <= #data do
      local n = #data
      if ns > 0 then n = splits:byte(k % ns + 1) + 1; k = k + 1 end
      if not b:write(data:sub(i, i + n - 1)) then break end
      i = i + n
    end
    b:close()
  end)
  local reader = task.spawn(function()
    while b:read(65536) do end
  end)
  local s = ws.wrap(a, { server = server == "1", max = tonumber(max) })
  local out = {}
  for _ = 1, 100000 do
    local msg, kind = s:recv()
    if not msg then
      local err = kind
      if err.code and err.kind ~= "closed" then
        out[#out + 1] = "close:" .. err.code
      elseif err.kind == "closed" then
        out[#out + 1] = "peer:" .. err.code
      else
        out[#out + 1] = "end:" .. err.kind
      end
      break
    end
    if #msg > tonumber(max) then error("message of " .. #msg .. " bytes over max " .. max) end
    out[#out + 1] = #msg + #kind + 1 .. ":" .. kind .. ":" .. msg
  end
  a:close()
  b:close()
  writer:wait(30)
  reader:wait(30)
  return table.concat(out, "")
end
`

var (
	wsFuzzOnce sync.Once
	wsFuzzRT   *Runtime
	wsFuzzOut  *syncBuffer
	wsFuzzFn   *lua.LFunction
	wsFuzzErr  error
)

// refWebSocketFrames reads data as the frames a peer sent to a client
// (server false) or a server, the checks in the order the Lua reader makes
// them, and returns fuzz_ws's outcome.
func refWebSocketFrames(data []byte, server bool, max int) string {
	var out strings.Builder
	pos := 0
	take := func(n int) ([]byte, bool) {
		if pos+n > len(data) {
			return nil, false
		}
		b := data[pos : pos+n]
		pos += n
		return b, true
	}
	inMsg, msgKind, total := false, "", 0
	var msg []byte
	for {
		h, ok := take(2)
		if !ok {
			out.WriteString("end:eof")
			return out.String()
		}
		fin, op := h[0]&0x80 != 0, int(h[0]&0x0f)
		masked, n := h[1]&0x80 != 0, int(h[1]&0x7f)
		switch {
		case h[0]&0x70 != 0, op > 2 && op < 8, op > 10:
			return out.String() + "close:1002"
		case op >= 8 && (!fin || n > 125):
			return out.String() + "close:1002"
		case masked != server:
			return out.String() + "close:1002"
		}
		ext := map[int]int{126: 2, 127: 8}[n]
		if masked {
			ext += 4
		}
		rest, ok := take(ext)
		if !ok {
			out.WriteString("end:eof")
			return out.String()
		}
		length := uint64(n)
		switch n {
		case 126:
			length = uint64(binary.BigEndian.Uint16(rest))
		case 127:
			length = binary.BigEndian.Uint64(rest)
			if length>>63 != 0 {
				return out.String() + "close:1002"
			}
		}
		var key []byte
		if masked {
			key = rest[len(rest)-4:]
		}
		if op < 8 {
			if op == 0 && !inMsg || op != 0 && inMsg {
				return out.String() + "close:1002"
			}
			if uint64(total)+length > uint64(max) {
				return out.String() + "close:1009"
			}
		}
		if length > uint64(len(data)-pos) {
			out.WriteString("end:eof")
			return out.String()
		}
		payload, _ := take(int(length))
		payload = append([]byte(nil), payload...)
		if key != nil {
			for i := range payload {
				payload[i] ^= key[i%4]
			}
		}
		switch op {
		case 9, 10:
			continue
		case 8:
			if len(payload) == 1 {
				return out.String() + "close:1002"
			}
			if len(payload) == 0 {
				return out.String() + "peer:1005"
			}
			code := int(binary.BigEndian.Uint16(payload))
			if !(code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006 || code >= 3000 && code <= 4999) {
				return out.String() + "close:1002"
			}
			if !utf8.Valid(payload[2:]) {
				return out.String() + "close:1007"
			}
			return out.String() + fmt.Sprintf("peer:%d", code)
		}
		if op != 0 {
			inMsg, msgKind, total, msg = true, map[int]string{1: "text", 2: "binary"}[op], 0, nil
		}
		msg = append(msg, payload...)
		total += len(payload)
		if fin {
			if msgKind == "text" && !utf8.Valid(msg) {
				return out.String() + "close:1007"
			}
			fmt.Fprintf(&out, "%d:%s:%s", len(msg)+len(msgKind)+1, msgKind, msg)
			inMsg, total, msg = false, 0, nil
		}
	}
}

// wsFrame is a frame for the seeds: masked (with a fixed key) when to a
// server.
func wsFrame(b0 byte, payload string, masked bool) string {
	var h []byte
	h = append(h, b0)
	m := byte(0)
	if masked {
		m = 0x80
	}
	switch n := len(payload); {
	case n < 126:
		h = append(h, m|byte(n))
	case n < 65536:
		h = append(h, m|126, byte(n>>8), byte(n))
	default:
		h = append(h, m|127)
		h = binary.BigEndian.AppendUint64(h, uint64(n))
	}
	if !masked {
		return string(h) + payload
	}
	key := []byte{0x37, 0xfa, 0x21, 0x3d}
	p := []byte(payload)
	for i := range p {
		p[i] ^= key[i%4]
	}
	return string(h) + string(key) + string(p)
}

func FuzzWebSocketFrames(f *testing.F) {
	for _, server := range []bool{false, true} {
		fr := func(b0 byte, p string) string { return wsFrame(b0, p, server) }
		for _, s := range []string{
			fr(0x81, "hello") + fr(0x82, "\x00\xff") + fr(0x88, "\x03\xe8bye"),
			fr(0x01, "frag") + fr(0x89, "ping") + fr(0x00, "men") + fr(0x80, "ted") + fr(0x8a, ""),
			fr(0x81, strings.Repeat("x", 300)) + fr(0x82, strings.Repeat("y", 7000)),
			fr(0x81, "caf\xe9"), fr(0x81, "\xed\xa0\x80"), fr(0x88, "\x03"), fr(0x88, "\x03\xed"),
			fr(0x88, "\x0f\xa0\xff"), fr(0x88, ""), fr(0xc1, "x"), fr(0x83, ""), fr(0x09, ""),
			fr(0x80, "x"), fr(0x01, "a") + fr(0x81, "b"), fr(0x89, strings.Repeat("p", 126)),
			wsFrame(0x81, "wrong mask", !server),
			"\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x01mask", "\x82\xff\x00\x00\x01\x00\x00\x00\x00\x00mask",
			"\x81", "",
		} {
			f.Add([]byte(s), []byte(nil), server, uint16(0))
			f.Add([]byte(s), []byte{0, 3, 1}, server, uint16(100))
		}
	}
	f.Fuzz(func(t *testing.T, data, splits []byte, server bool, maxSel uint16) {
		// Frames of any length come from a few header bytes; 8 KiB of input
		// is enough for many frames and keeps minimizing an input quick.
		if len(data) > 8<<10 {
			return
		}
		if len(splits) > 64 {
			splits = splits[:64]
		}
		max := int(maxSel)
		if maxSel == 0 {
			max = 16 << 20
		}
		want := refWebSocketFrames(data, server, max)
		wsFuzzOnce.Do(func() {
			wsFuzzOut = &syncBuffer{}
			wsFuzzRT = New(Options{Stdout: wsFuzzOut, Stderr: wsFuzzOut})
			fn, err := wsFuzzRT.Load(strings.NewReader(wsFuzzLua), "ws_fuzz.lua")
			if err != nil {
				wsFuzzErr = err
				return
			}
			task := wsFuzzRT.Start("ws fuzz setup", fn)
			<-task.Done()
			if task.Status() != statusDone {
				wsFuzzErr = fmt.Errorf("setup: %s", task.Err())
				return
			}
			wsFuzzFn, wsFuzzErr = wsFuzzRT.Load(strings.NewReader("return fuzz_ws(...)"), "fuzz_ws")
		})
		if wsFuzzErr != nil {
			t.Fatal(wsFuzzErr)
		}
		srv := "0"
		if server {
			srv = "1"
		}
		task := wsFuzzRT.Start("fuzz_ws", wsFuzzFn, string(data), string(splits), srv, fmt.Sprint(max))
		select {
		case <-task.Done():
		case <-time.After(time.Minute):
			task.Cancel()
			t.Fatalf("fuzz_ws still running after a minute")
		}
		printed := wsFuzzOut.Take()
		if task.Status() != statusDone {
			t.Fatalf("fuzz_ws(%q, server %v, max %d): %s\n%s", data, server, max, task.Err(), printed)
		}
		if printed != "" {
			t.Fatalf("fuzz_ws printed:\n%s", printed)
		}
		got := string(task.results[0].(lua.LString))
		if got != want {
			t.Fatalf("fuzz_ws(%q, server %v, max %d):\n got %.300q\nwant %.300q", data, server, max, got, want)
		}
	})
}
