package bindings

import (
	"io"
	"testing"
)

// wsLeakLua serves WebSocket echo with websocket.serve and defines
// ws_cycles(n): n times connect, send a message, read its echo, and run
// the close handshake; then wait until only the serve task and the
// caller's are left.
const wsLeakLua = `
local ws = require "websocket"
ln = assert(ws.serve("127.0.0.1:0", function(s)
  while true do
    local data, kind = s:recv()
    if not data then return end
    assert(s:send(data, kind))
  end
end))
url = "ws://" .. tostring(ln:addr()) .. "/"

function ws_cycles(n)
  for i = 1, n do
    local s = assert(ws.connect(url, {timeout = 10}))
    assert(s:send("ping " .. i))
    assert(s:recv({timeout = 10}) == "ping " .. i)
    assert(s:close())
    assert(s.close_code == 1000, s.close_code)
  end
  local t0 = time.now()
  while #task.list() > 2 and time.since(t0) < 30 do time.sleep(0.01) end
  assert(#task.list() == 2, #task.list() .. " tasks still running")
end
`

// TestNoLeakWebSocketCycles: 1,000 WebSocket connect/echo/close cycles
// through websocket.serve leave descriptors, goroutines and the heap where
// they were.
func TestNoLeakWebSocketCycles(t *testing.T) {
	rt := New(Options{Stdout: &syncBuffer{}, Stderr: io.Discard})
	t.Cleanup(rt.Close)
	runLeakChunk(t, rt, wsLeakLua)
	runLeakChunk(t, rt, "ws_cycles(100)")
	before := measure(t)
	runLeakChunk(t, rt, "ws_cycles(1000)")
	checkBack(t, "1000 WebSocket connect/echo/close cycles", before, measure(t))
}
