-- stdlib/websocket.lua against python3-websockets (started by
-- websocket_setup_test.go): testdata/ws_peer.py serves at WS_PEER (plain)
-- and WSS_PEER (TLS, certificate from the CA in the file WS_CA), and
-- testdata/ws_client.py, run with PYTHON, talks to servers started here.
-- Bad frames are crafted with raw conns, in both directions: the close
-- frame that comes back is read off the wire and its code checked.

local ws = require "websocket"
local http = require "http"
local th = require "testhelp"
local expect_error = th.expect_error

local function peer(path) return "ws://" .. WS_PEER .. path end
local OPTS = { timeout = 10 }

-- run_client runs ws_client.py against url and returns its output.
local function run_client(url, scenario)
  local p = assert(proc.spawn({ PYTHON, WS_CLIENT, url, scenario, WS_CA }))
  local out = assert(p:read_all({ timeout = 30 }))
  assert(p:wait(10) == 0, "ws_client.py " .. scenario .. " failed:\n" .. out)
  return out
end

-- echo_server serves WebSocket echo on a free port with opts; the
-- handler's results go to results (a channel) when it ends. It returns
-- the ws:// base URL and the listener.
local function echo_server(opts, results)
  local ln = assert(ws.serve("127.0.0.1:0", function(s)
    while true do
      local data, kind = s:recv()
      if not data then
        if results then results:send(kind) end
        return
      end
      assert(s:send(data, kind))
    end
  end, opts))
  return "ws://" .. tostring(ln:addr()), ln
end

-- Frames, crafted by hand -----------------------------------------------

-- raw_frame is one frame with first byte b1 (FIN, RSV, opcode) and
-- payload, masked with a fixed key unless unmasked; len overrides the
-- length written (for a header that lies).
local function raw_frame(b1, payload, unmasked, len)
  len = len or #payload
  local b2 = unmasked and 0 or 128
  local head
  if len < 126 then
    head = string.char(b1, b2 + len)
  elseif len < 65536 then
    head = string.char(b1, b2 + 126) .. string.pack(">I2", len)
  else
    head = string.char(b1, b2 + 127) .. string.pack(">I4I4", math.floor(len / 2 ^ 32), len % 2 ^ 32)
  end
  if unmasked then return head .. payload end
  local key = "\1\2\3\4"
  return head .. key .. (payload == "" and "" or bin.xor(payload, key))
end

-- read_raw_frame reads one frame off c: fin, opcode, payload (unmasked).
local function read_raw_frame(c)
  local h = assert(c:read_full(2, { timeout = 10 }))
  local b1, b2 = h:byte(1, 2)
  local len = b2 % 128
  if len == 126 then len = string.unpack(">I2", assert(c:read_full(2))) end
  if len == 127 then
    local hi, lo = string.unpack(">I4I4", assert(c:read_full(8)))
    len = hi * 2 ^ 32 + lo
  end
  local key = b2 >= 128 and assert(c:read_full(4)) or nil
  local payload = assert(c:read_full(len, { timeout = 10 }))
  if key and len > 0 then payload = bin.xor(payload, key) end
  return b1 >= 128, b1 % 16, payload
end

-- read_close_code reads frames off c up to a close frame and returns its
-- code, and whether that frame came masked (from a client).
local function read_close_code(c)
  for _ = 1, 20 do
    local _, op, payload = read_raw_frame(c)
    if op == 8 then return #payload >= 2 and string.unpack(">I2", payload) or 1005 end
  end
  error("no close frame")
end

-- raw_client does a client's handshake by hand on a fresh conn to base.
local function raw_client(base)
  local u = ws.parse_url(base .. "/")
  local c = assert(net.dial("tcp", u.addr, OPTS))
  c:set_timeout(10)
  assert(c:write("GET / HTTP/1.1\r\nHost: " .. u.host_header .. "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" ..
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"))
  local head = assert(c:read_until("\r\n\r\n"))
  assert(head:find("^HTTP/1.1 101 "), head)
  -- RFC 6455, 1.3's example key and its accept.
  assert(head:find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", 1, true), head)
  return c
end

-- raw_server answers one client's handshake by hand, then runs
-- handler(c). head, when given, replaces the 101 reply (accept is
-- substituted for %ACCEPT%). It returns the ws:// base URL.
local function raw_server(handler, head)
  return "ws://" .. th.serve_once(function(c)
    local req = assert(c:read_until("\r\n\r\n"))
    local key = req:match("\r\n[Ss]ec%-[Ww]eb[Ss]ocket%-[Kk]ey: ([^\r]+)")
    local accept = bin.b64(bin.sha1(key .. "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
    head = head or "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %ACCEPT%\r\n\r\n"
    assert(c:write((head:gsub("%%ACCEPT%%", accept))))
    if handler then handler(c) end
  end)
end

-- Against python3-websockets' server -------------------------------------

function TestPythonServerTextAndBinary(t)
  local s = assert(ws.connect(peer("/echo"), OPTS))
  assert(s:send("héllo wörld"))
  local data, kind = assert(s:recv(OPTS))
  assert(data == "héllo wörld" and kind == "text", data)
  assert(s:send("\0\1\255", "binary"))
  data, kind = assert(s:recv(OPTS))
  assert(data == "\0\1\255" and kind == "binary", bin.hex(data))
  assert(s:send(""))
  data, kind = assert(s:recv(OPTS))
  assert(data == "" and kind == "text")
  assert(s:close() == true)
  assert(s.close_code == 1000, s.close_code)
  expect_error("closed", s:recv())
  expect_error("closed", s:send("late"))
end

function TestPythonServerTenMiB(t)
  local s = assert(ws.connect(peer("/echo"), OPTS))
  local big = bin.random(1024 * 1024):rep(10)
  assert(s:send(big, "binary"))
  local data, kind = assert(s:recv(OPTS))
  assert(kind == "binary" and #data == #big and data == big, #data)
  local text = ("héllo "):rep(10 * 1024 * 1024 / 7)
  assert(s:send(text))
  data, kind = assert(s:recv(OPTS))
  assert(kind == "text" and data == text, #data)
  s:close()
end

function TestPythonServerFragments(t)
  local s = assert(ws.connect(peer("/fragments"), OPTS))
  local data, kind = assert(s:recv(OPTS))
  assert(data == "fragmented" and kind == "text", data)
  data, kind = assert(s:recv(OPTS))
  assert(data == "\0\1\255" and kind == "binary", bin.hex(data))
  s:close()
end

function TestPythonServerPingPong(t)
  -- The server pings us: recv answers with a pong, which the server
  -- reports with its payload.
  local s = assert(ws.connect(peer("/ping"), OPTS))
  local data = assert(s:recv(OPTS))
  assert(data == "pong:are you there", data)
  s:close()
  -- We ping the server: its pong is counted while recv waits.
  s = assert(ws.connect(peer("/echo"), OPTS))
  assert(s:ping("hello?"))
  assert(s:send("after"))
  assert(s:recv(OPTS) == "after")
  assert(s.pongs == 1, s.pongs)
  s:close()
end

function TestPythonServerCloseCodes(t)
  for _, code in ipairs({ 1000, 1001, 1011, 4001 }) do
    local s = assert(ws.connect(peer("/close/" .. code), OPTS))
    local err = expect_error("closed", s:recv(OPTS))
    assert(err.code == code and err.reason == "bye", tostring(err))
    assert(s.close_code == code and s.close_reason == "bye")
    err = expect_error("closed", s:recv())
    assert(err.code == code)
  end
  -- Our close with a code: the server echoes it.
  local s = assert(ws.connect(peer("/echo"), OPTS))
  assert(s:close(4000, "going"))
  assert(s.close_code == 4000, s.close_code)
end

function TestPythonServerTooBig(t)
  -- The server's cap is 1 KiB here: it closes with 1009.
  local s = assert(ws.connect(peer("/max"), OPTS))
  assert(s:send(("y"):rep(2000)))
  local err = expect_error("closed", s:recv(OPTS))
  assert(err.code == 1009, tostring(err))
  -- Our cap: a 2000-byte message over max 1000 is closed with 1009 by us,
  -- and the server sees it.
  s = assert(ws.connect(peer("/echo"), { timeout = 10, max = 1000 }))
  assert(s:send(("z"):rep(2000)))
  err = expect_error("too_large", s:recv(OPTS))
  assert(err.code == 1009, tostring(err))
  assert(s.close_code == 1009)
end

function TestPythonServerSubprotocol(t)
  local s = assert(ws.connect(peer("/subprotocol"), { timeout = 10, protocols = { "chat", "other" } }))
  assert(s.protocol == "chat", tostring(s.protocol))
  assert(s:recv(OPTS) == "chat")
  s:close()
  s = assert(ws.connect(peer("/subprotocol"), OPTS))
  assert(s.protocol == nil)
  assert(s:recv(OPTS) == "none")
  s:close()
end

function TestPythonServerHeaders(t)
  local s = assert(ws.connect(peer("/headers"), { timeout = 10, headers = { ["X-Test"] = "yes" } }))
  assert(s:recv(OPTS) == "yes")
  s:close()
end

function TestPythonServerWss(t)
  local s = assert(ws.connect("wss://" .. WSS_PEER .. "/echo", { timeout = 10, ca = WS_CA }))
  assert(s:conn():tls_state().verified)
  local big = bin.random(1024 * 1024):rep(3) .. "!"
  assert(s:send(big, "binary"))
  assert(s:recv(OPTS) == big)
  s:close()
  assert(s.close_code == 1000)
  -- Without the CA the certificate is refused.
  local _, err = ws.connect("wss://" .. WSS_PEER .. "/echo", OPTS)
  assert(err and err.kind == "tls", tostring(err))
end

-- python3-websockets' client against our server ---------------------------

function TestPythonClientEcho(t)
  local results = task.chan(1)
  local base = echo_server(nil, results)
  local out = run_client(base .. "/", "echo")
  local want = "text héllo\nbinary 00ff\nbig 10485760 True\ntext fragmented\nbinary 010203\npong\nclose 1000 done\n"
  assert(out == want, out)
  local err = results:recv(10)
  assert(err.kind == "closed" and err.code == 1000 and err.reason == "done", tostring(err))
end

function TestPythonClientSubprotocol(t)
  local base = echo_server({ protocols = { "chat" } })
  assert(run_client(base .. "/", "subprotocol") == "subprotocol chat\ntext which\n")
end

function TestPythonClientTooBig(t)
  local results = task.chan(1)
  local base = echo_server({ max = 1024 }, results)
  local out = run_client(base .. "/", "toobig")
  assert(out == "closed 1009\n", out)
  local err = results:recv(10)
  assert(err.kind == "too_large" and err.code == 1009, tostring(err))
end

function TestPythonClientServerCloses(t)
  local pongs = task.chan(1)
  local ln = assert(ws.serve("127.0.0.1:0", function(s)
    assert(s:send("one"))
    assert(s:send("\1\2", "binary"))
    assert(s:ping("p"))
    assert(s:close(4002, "done"))
    pongs:send(s.pongs)
  end))
  local out = run_client("ws://" .. tostring(ln:addr()) .. "/", "wait")
  assert(out == "text one\nbinary 0102\nclosed 4002 done\n", out)
  assert(pongs:recv(10) == 1)
end

function TestPythonClientWss(t)
  local tln = assert(tls.listen("127.0.0.1:0", { cert = WS_CERT, key = WS_KEY }))
  local ln = assert(ws.serve(tln, function(s)
    while true do
      local d, k = s:recv()
      if not d then return end
      s:send(d, k)
    end
  end))
  local out = run_client("wss://localhost:" .. ln:addr().port .. "/", "echo")
  assert(out:find("big 10485760 True\n", 1, true) and out:find("close 1000 done\n", 1, true), out)
end

-- Bad input to our server ---------------------------------------------------

-- Each: the raw bytes a client sends after the handshake, and the close
-- code our server must answer with (and recv return as err.code).
local BAD_TO_SERVER = {
  { "reserved bit", raw_frame(0x80 + 0x40 + 1, "hi"), 1002 },
  { "unknown opcode 3", raw_frame(0x83, "hi"), 1002 },
  { "unknown opcode 11", raw_frame(0x8B, ""), 1002 },
  { "fragmented ping", raw_frame(0x09, "p"), 1002 },
  { "ping over 125 bytes", raw_frame(0x89, ("p"):rep(126)), 1002 },
  { "continuation first", raw_frame(0x80, "x"), 1002 },
  { "new message inside one", raw_frame(0x01, "a") .. raw_frame(0x81, "b"), 1002 },
  { "unmasked frame", raw_frame(0x81, "hi", true), 1002 },
  { "bad UTF-8", raw_frame(0x81, "caf\233"), 1007 },
  { "surrogate", raw_frame(0x81, "\237\160\128"), 1007 },
  { "bad UTF-8 across fragments", raw_frame(0x01, "ok \195") .. raw_frame(0x80, "("), 1007 },
  { "close reason not UTF-8", raw_frame(0x88, "\3\232\255"), 1007 },
  { "close with 1 byte", raw_frame(0x88, "\3"), 1002 },
  { "close code 1005", raw_frame(0x88, "\3\237"), 1002 },
  { "close code 2000", raw_frame(0x88, "\7\208"), 1002 },
  { "64-bit length with its top bit", string.char(0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1) .. "mask", 1002 },
  { "over max", raw_frame(0x82, "", false, 1025), 1009 },
  { "over max in fragments", raw_frame(0x02, ("a"):rep(1000)) .. raw_frame(0x80, ("a"):rep(25)), 1009 },
  -- A header announcing 1 TiB: refused from the header, nothing more read.
  { "1 TiB header", string.char(0x82, 0xFF, 0, 0, 1, 0, 0, 0, 0, 0) .. "mask", 1009 },
}

function TestBadFramesToServer(t)
  local results = task.chan(1)
  local base = echo_server({ max = 1024 }, results)
  for _, case in ipairs(BAD_TO_SERVER) do
    local name, bytes, code = case[1], case[2], case[3]
    t:log(name)
    local c = raw_client(base)
    assert(c:write(bytes))
    local got = read_close_code(c)
    assert(got == code, name .. ": closed with " .. got .. ", want " .. code)
    -- Then the server ends its side, and waits for ours to end.
    expect_error("eof", c:read({ timeout = 10 }))
    c:close()
    local err = results:recv(10)
    assert(err.code == code, name .. ": recv's err.code " .. tostring(err.code))
    assert(err.kind == (code == 1009 and "too_large" or "other"), name .. ": kind " .. tostring(err.kind))
  end
end

function TestValidControlFramesToServer(t)
  -- A ping between fragments is answered; a close with code 1005-free
  -- empty body is echoed empty; a 125-byte ping is fine.
  local results = task.chan(1)
  local base = echo_server(nil, results)
  local c = raw_client(base)
  assert(c:write(raw_frame(0x01, "frag") .. raw_frame(0x89, ("p"):rep(125)) .. raw_frame(0x80, "ment")))
  local _, op, payload = read_raw_frame(c)
  assert(op == 10 and payload == ("p"):rep(125), op)
  _, op, payload = read_raw_frame(c)
  assert(op == 1 and payload == "fragment", payload)
  assert(c:write(raw_frame(0x88, "")))
  _, op, payload = read_raw_frame(c)
  assert(op == 8 and payload == "", bin.hex(payload))
  local err = results:recv(10)
  assert(err.kind == "closed" and err.code == 1005, tostring(err))
  c:close()
end

-- Bad input to our client ---------------------------------------------------

local BAD_TO_CLIENT = {
  { "masked frame from a server", raw_frame(0x81, "hi"), 1002 },
  { "reserved bits", raw_frame(0x80 + 0x20 + 2, "x", true), 1002 },
  { "unknown opcode", raw_frame(0x87, "", true), 1002 },
  { "fragmented pong", raw_frame(0x0A, "", true), 1002 },
  { "continuation first", raw_frame(0x80, "x", true), 1002 },
  { "bad UTF-8", raw_frame(0x81, "\192\128", true), 1007 },
  { "over max", raw_frame(0x82, "", true, 70000), 1009 },
  { "1 TiB header", string.char(0x82, 0x7F, 0, 0, 1, 0, 0, 0, 0, 0), 1009 },
}

function TestBadFramesToClient(t)
  for _, case in ipairs(BAD_TO_CLIENT) do
    local name, bytes, code = case[1], case[2], case[3]
    local got = task.chan(1)
    local base = raw_server(function(c)
      assert(c:write(bytes))
      got:send(read_close_code(c))
    end)
    local s = assert(ws.connect(base .. "/", { timeout = 10, max = 65536 }))
    local data, err = s:recv(OPTS)
    assert(data == nil and err.code == code, name .. ": " .. tostring(err))
    assert(got:recv(10) == code, name)
    expect_error("closed", s:recv())
  end
end

function TestClientCloseMasked(t)
  -- Our client's frames are masked, with a fresh key each: the server
  -- sees the right payload after unmasking.
  local got = task.chan(1)
  local base = raw_server(function(c)
    local h = assert(c:read_full(2))
    assert(h:byte(2) >= 128, "unmasked")
    local key = assert(c:read_full(4))
    local payload = bin.xor(assert(c:read_full(h:byte(2) - 128)), key)
    assert(c:write(raw_frame(0x88, "\3\232", true)))
    got:send(payload)
    read_close_code(c)
  end)
  local s = assert(ws.connect(base .. "/", OPTS))
  assert(s:send("masked?"))
  assert(got:recv(10) == "masked?")
  expect_error("closed", s:recv(OPTS))
end

-- The handshake -------------------------------------------------------------

function TestClientHandshakeChecks(t)
  local cases = {
    { "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "200 OK, not 101" },
    { "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %ACCEPT%\r\n\r\n", "Upgrade is" },
    { "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: %ACCEPT%\r\n\r\n", "Connection is" },
    { "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: nope\r\n\r\n", "Sec-WebSocket-Accept is \"nope\"" },
    { "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %ACCEPT%\r\nSec-WebSocket-Protocol: evil\r\n\r\n", "subprotocol \"evil\" we did not offer" },
    { "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %ACCEPT%\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n", "extensions" },
    { "SSH-2.0-OpenSSH\r\n\r\n", "malformed status line" },
  }
  for _, case in ipairs(cases) do
    local base = raw_server(nil, case[1])
    local _, err = ws.connect(base .. "/", { timeout = 10, protocols = { "chat" } })
    assert(err and err.kind == "other", case[2] .. ": " .. tostring(err))
    assert(tostring(err):find(case[2], 1, true), tostring(err))
  end
  local _, err = ws.connect(raw_server(nil, "HTTP/1.1 403 Forbidden\r\n\r\n") .. "/", OPTS)
  assert(err.status == 403, tostring(err))
  -- An endless header line is capped as http caps it.
  local base = raw_server(nil, "HTTP/1.1 101 Switching Protocols\r\nX: " .. ("a"):rep(http.MAX_LINE + 10) .. "\r\n\r\n")
  expect_error("too_large", ws.connect(base .. "/", OPTS))
  -- The server ends the conn in the middle of its reply.
  expect_error("eof", ws.connect(raw_server(nil, "HTTP/1.1 101 Swi") .. "/", OPTS))
  -- Header lines are counted as http counts them: MAX_HEADERS (with the
  -- four the handshake needs) pass, one more does not.
  local function reply(extra)
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" ..
      "Sec-WebSocket-Accept: %ACCEPT%\r\n" .. ("X-Pad: 1\r\n"):rep(extra) .. "\r\n"
  end
  local s = assert(ws.connect(raw_server(function(c) c:read(16) end, reply(http.MAX_HEADERS - 3)) .. "/", OPTS))
  s:conn():close()
  expect_error("too_large", ws.connect(raw_server(nil, reply(http.MAX_HEADERS - 2)) .. "/", OPTS))
  -- Headers longer than MAX_HEADER_BYTES together are refused too.
  local long = ("X-Long: " .. ("b"):rep(8000) .. "\r\n"):rep(9)
  expect_error("too_large", ws.connect(raw_server(nil, "HTTP/1.1 101 Switching Protocols\r\n" .. long .. "\r\n") .. "/", OPTS))
end

function TestServerRefusesPlainRequests(t)
  local base = echo_server()
  local r = assert(http.get(base:gsub("^ws", "http") .. "/", OPTS))
  assert(r.status == 426 and r.headers["sec-websocket-version"] == "13", r.status)
  r = assert(http.request({ method = "POST", url = base:gsub("^ws", "http") .. "/", body = "x", timeout = 10 }))
  assert(r.status == 405, r.status)
end

function TestUpgradeInsideHTTPServe(t)
  local ln = assert(http.serve("127.0.0.1:0", function(req, c)
    if req.path ~= "/ws" then return 200, {}, "plain " .. req.path end
    local s = assert(ws.upgrade(req, c, { protocols = { "v2" } }))
    local data = assert(s:recv())
    s:send(data .. " from " .. s.protocol)
    s:close()
  end))
  local base = tostring(ln:addr())
  local r = assert(http.get("http://" .. base .. "/x", OPTS))
  assert(r.body == "plain /x", r.body)
  local s = assert(ws.connect("ws://" .. base .. "/ws", { timeout = 10, protocols = { "v1", "v2" } }))
  assert(s.protocol == "v2")
  s:send("hi")
  assert(s:recv(OPTS) == "hi from v2")
  expect_error("closed", s:recv(OPTS))
  assert(s.close_code == 1000)
end

-- Timeouts, concurrency, arguments -------------------------------------------

function TestRecvTimeoutResumes(t)
  -- Half a frame, a timeout, then the rest: the next recv completes it.
  local go = task.chan(1)
  local base = raw_server(function(c)
    local frame = raw_frame(0x01, "abc", true) .. raw_frame(0x80, "defghij", true)
    assert(c:write(frame:sub(1, 8)))
    go:recv(10)
    assert(c:write(frame:sub(9)))
    read_close_code(c)
  end)
  local s = assert(ws.connect(base .. "/", OPTS))
  expect_error("timeout", s:recv({ timeout = 0.1 }))
  expect_error("timeout", s:recv({ timeout = 0 }))
  go:send(true)
  local data, kind = assert(s:recv(OPTS))
  assert(data == "abcdefghij" and kind == "text", data)
  s:close()
end

function TestCloseWhileAnotherTaskReceives(t)
  local base = echo_server()
  local s = assert(ws.connect(base .. "/", OPTS))
  local done = task.chan(1)
  task.spawn(function() done:send({ s:recv() }) end)
  task.yield()
  time.sleep(0.05)
  assert(s:close(1000, "bye"))
  local r = done:recv(10)
  assert(r[1] == nil and r[2].kind == "closed" and r[2].code == 1000, tostring(r[2]))
end

function TestWrongArguments(t)
  local base = echo_server()
  local s = assert(ws.connect(base .. "/", OPTS))
  local function raises(pattern, f, ...)
    local ok, err = pcall(f, ...)
    assert(not ok, "no error, want " .. pattern)
    assert(tostring(err):find(pattern), tostring(err))
  end
  raises("bad argument #1 to connect %(url", ws.connect, nil)
  raises("bad argument #1 to connect %(url: ws:// or wss://", ws.connect, "http://x/")
  raises("bad argument #2 to connect %(opts: unknown option 'timout'", ws.connect, base, { timout = 1 })
  raises("opts.max", ws.connect, base, { max = -1 })
  -- A message can be no longer than the longest string: a larger max
  -- would let one through that could not be joined.
  raises("opts.max", ws.connect, base, { max = string.MAX_SIZE + 1 })
  raises("opts.max", ws.serve, "127.0.0.1:0", function() end, { max = string.MAX_SIZE + 1 })
  raises("opts.protocols", ws.connect, base, { protocols = { "a b" } })
  raises("opts.headers", ws.connect, base, { headers = { ["X"] = "a\r\nb" } })
  raises("bad argument #2 to serve %(handler", ws.serve, "127.0.0.1:0", nil)
  raises("bad argument #1 to serve", ws.serve, nil, function() end)
  raises("bad argument #1 to upgrade %(req", ws.upgrade, nil)
  raises("bad argument #2 to upgrade %(conn", ws.upgrade, {}, "x")
  raises("bad argument #1 to wrap %(conn", ws.wrap, {})
  raises("bad argument #3 to serve %(opts.idle: seconds from 0", ws.serve, "127.0.0.1:0", function() end, { idle = -1 })
  raises("opts.idle", ws.serve, "127.0.0.1:0", function() end, { idle = "60" })
  raises("opts.idle", ws.serve, "127.0.0.1:0", function() end, { idle = 0 / 0 })
  raises("opts.idle", ws.serve, "127.0.0.1:0", function() end, { idle = 1e10 })
  raises("bad argument #2 to wrap %(opts.idle", ws.wrap, s:conn(), { idle = -0.5 })
  raises("bad argument #1 to send %(websocket", s.send, {}, "x")
  raises("bad argument #1 to send %(data", s.send, s, {})
  raises("bad argument #2 to send %(kind", s.send, s, "x", "utf8")
  raises("bad argument #1 to recv %(opts: unknown option", s.recv, s, { max = 1 })
  raises("bad argument #1 to recv %(opts.timeout", s.recv, s, { timeout = "x" })
  raises("bad argument #1 to ping %(data: at most 125", s.ping, s, ("x"):rep(126))
  raises("bad argument #1 to close %(code", s.close, s, 1005)
  raises("bad argument #1 to close %(code", s.close, s, 999.5)
  raises("bad argument #2 to close %(reason: at most 123", s.close, s, 1000, ("r"):rep(124))
  raises("bad argument #2 to close %(reason: UTF%-8", s.close, s, 1000, "\255")
  raises("bad argument #1 to conn", s.conn, nil)
  -- After all that the socket still works.
  assert(s:send("still here"))
  assert(s:recv(OPTS) == "still here")
  s:close()
  assert(s:close() == true) -- twice: nothing more
  assert(ws.parse_url("http://x/") == nil and ws.parse_url(7) == nil)
  local u = ws.parse_url("wss://[::1]/a?b")
  assert(u.addr == "[::1]:443" and u.target == "/a?b", u.addr)
end

-- Growth: the work of reading a message in n tiny fragments (1-byte and
-- empty ones, pings between them) grows as n, not n*n, counted by work()
-- as growth_test.lua counts it.
function TestGrowthFragments(t)
  local costs = {}
  for i, n in ipairs({ 2000, 16000 }) do
    local parts = { "\1\1x" }
    for k = 2, n do
      parts[#parts + 1] = k % 3 == 0 and "\0\0" or k % 7 == 0 and "\137\0" or "\0\1x"
    end
    parts[#parts + 1] = "\128\0"
    local input = table.concat(parts)
    local a, b = net.pipe()
    local s = ws.wrap(a, { max = 1024 * 1024 })
    local drain = task.spawn(function() while b:read(65536) do end end)
    local w0 = work()
    local feeder = task.spawn(function() b:write(input) end)
    local data = assert(s:recv(OPTS))
    costs[i] = work() - w0
    assert(#data == #input:gsub("[^x]", ""), #data)
    feeder:wait(10)
    a:close()
    b:close()
    drain:wait(10)
  end
  assert(costs[2] < 12 * costs[1], ("%d units of work at n, %d at 8n: not linear"):format(costs[1], costs[2]))
  t:log(("fragments: %d at n = 2000, %d at 8n (x%.1f)"):format(costs[1], costs[2], costs[2] / costs[1]))
end

-- ws:// and wss:// through a proxy (opts.via, as net.dial and tls.dial
-- take it): a SOCKS5 server of the socks module in front of the peer.
function TestViaSOCKS5(t)
  local socks = require "socks"
  local pln = th.listen()
  local served = 0
  pln:serve(function(c)
    served = served + 1
    socks.serve_client(c)
  end)
  local via = "socks5h://" .. tostring(pln:addr())
  local s = assert(ws.connect(peer("/echo"), { timeout = 10, via = via }))
  assert(tostring(s:conn():remote_addr()) == tostring(pln:addr()))
  assert(s:send("through a proxy"))
  assert(s:recv(OPTS) == "through a proxy")
  s:close()
  s = assert(ws.connect("wss://localhost:" .. WSS_PEER:match(":(%d+)$") .. "/echo", { timeout = 10, via = { via }, ca = WS_CA }))
  assert(s:send("secure, through a proxy"))
  assert(s:recv(OPTS) == "secure, through a proxy")
  s:close()
  assert(served == 2, served)
  pln:close()
end

function TestPingFloodFromAPeerThatNeverReads(t)
  -- A server that sends pings and never reads our pongs: once the socket
  -- buffers are full, answering waits for room. recv's timeout bounds
  -- that wait too, and the socket is then closed (a pong may be cut).
  local batch = raw_frame(0x89, ("p"):rep(125), true):rep(1000) -- 127 KB
  local base = raw_server(function(c)
    c:set_timeout(20)
    for _ = 1, 160 do -- at most 20 MB of pings
      if not c:write(batch) then break end
    end
    c:close()
  end)
  local s = assert(ws.connect(base .. "/", OPTS))
  -- Each recv answers pings until its second is up: on a slow machine
  -- the buffers fill only after several. None may wait much longer, and
  -- the one whose pong found no room ends the socket.
  for i = 1, 60 do
    local t0 = time.now()
    local data, err = s:recv({ timeout = 1 })
    local took = time.now() - t0
    assert(data == nil and err.kind == "timeout", tostring(err))
    assert(took < 8, ("recv %d took %.1f s with a 1 s timeout"):format(i, took))
    if s.state == "closed" then break end
  end
  assert(s.state == "closed", s.state)
  s:close()
end

function TestGrowthHandshakeBlanks(t)
  -- A server's 101 whose header values are runs of blanks with a letter
  -- after them: trimming them, and the token lists, stays linear (a
  -- pattern like "^(.-)[ \t]*$" rescans the run from each of its bytes).
  local costs = {}
  for i, n in ipairs({ 500, 4000 }) do
    local blanks = (" \t"):rep(n) .. "x"
    local head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" ..
      "Sec-WebSocket-Accept: %ACCEPT%\r\nX-A: " .. blanks .. "\r\nX-B:" .. blanks .. " \r\n" ..
      "Sec-WebSocket-Extensions: ," .. blanks .. ", \r\n\r\n"
    local base = raw_server(function(c) c:read(16) end, head)
    local w0 = work()
    local s, err = ws.connect(base .. "/", OPTS)
    costs[i] = work() - w0
    assert(s == nil and err.kind == "other", tostring(err)) -- no extension was offered
  end
  assert(costs[2] < 12 * costs[1], ("%d units of work at n, %d at 8n: not linear"):format(costs[1], costs[2]))
  t:log(("handshake blanks: %d at n = 500, %d at 8n (x%.1f)"):format(costs[1], costs[2], costs[2] / costs[1]))
end

function TestHandlerErrorWhoseTostringRaises(t)
  -- The handler fails with an error object whose __tostring raises: the
  -- failure is still reported and the peer still gets 1011.
  local ln = assert(ws.serve("127.0.0.1:0", function(s)
    s:recv()
    error(setmetatable({}, { __tostring = function() error("no text for you") end }))
  end))
  local s = assert(ws.connect("ws://" .. tostring(ln:addr()) .. "/", OPTS))
  assert(s:send("go"))
  local data, err = s:recv(OPTS)
  assert(data == nil and err.kind == "closed" and err.code == 1011, tostring(err))
  s:close()
  ln:close()
end

-- Idle time -----------------------------------------------------------------

-- idle_server serves WebSocket echo with opts.idle = idle; each handler
-- sends what ended it to results. Without setup, it starts with a recv
-- whose timeout is below idle, which must keep the socket open; setup(s)
-- replaces that.
local function idle_server(idle, results, setup)
  local ln = assert(ws.serve("127.0.0.1:0", function(s)
    local data, err
    if setup then
      setup(s)
    else
      data, err = s:recv({ timeout = idle / 4 })
      if data then
        assert(s:send(data))
      else
        assert(err.kind == "timeout" and err.code == nil and s.state == "open", tostring(err))
      end
    end
    while true do
      local t0 = time.now()
      data, err = s:recv()
      if not data then
        results:send({ err = err, waited = time.now() - t0, state = s.state, code = s.close_code })
        return
      end
      local ok, serr = s:send(data)
      if not ok then
        results:send({ err = serr, state = s.state, code = s.close_code, sent = true })
        return
      end
    end
  end, { idle = idle }))
  return "ws://" .. tostring(ln:addr()), ln
end

function TestIdleClientIsClosedWithGoingAway(t)
  -- A client that upgrades and sends nothing: after idle seconds the
  -- server sends a close frame with 1001, recv returns kind timeout with
  -- err.code 1001, and the conn ends.
  local results = task.chan(4)
  local base, ln = idle_server(0.2, results)
  local c = raw_client(base)
  local t0 = time.now()
  local code = read_close_code(c)
  local after = time.now() - t0
  assert(code == 1001, code)
  assert(after >= 0.19, ("closed after %.3f s, before the idle time"):format(after))
  -- The server has ended its side; it waits for ours (up to
  -- ws.CLOSE_TIMEOUT) before it closes the conn.
  expect_error("eof", c:read({ timeout = 10 }))
  assert(c:write(raw_frame(0x88, "\3\233")))
  c:close()
  local r = results:recv(10)
  assert(r.err.kind == "timeout" and r.err.code == 1001 and r.state == "closed" and r.code == 1001, tostring(r.err))
  assert(tostring(r.err):find("idle", 1, true), tostring(r.err))
  ln:close()
end

function TestActiveClientsAreNotIdle(t)
  -- Clients that send messages, or only pings, every 0.05 s stay for
  -- more than twice idle (0.5 s: a slow machine may pause them a while),
  -- then close normally.
  local results = task.chan(4)
  local base, ln = idle_server(0.5, results)
  local talker = assert(ws.connect(base .. "/", OPTS))
  local pinger = assert(ws.connect(base .. "/", OPTS))
  local pongs = task.spawn(function() return pinger:recv(OPTS) end) -- reads pongs until the close
  local t0 = time.now()
  local n = 0
  while time.now() - t0 < 1.2 do
    n = n + 1
    assert(talker:send("tick " .. n))
    assert(talker:recv(OPTS) == "tick " .. n)
    assert(pinger:ping("tock"))
    time.sleep(0.05)
  end
  assert(talker.state == "open" and pinger.state == "open")
  talker:close(1000, "done")
  pinger:close(1000, "done")
  for _ = 1, 2 do
    local r = results:recv(10)
    assert(r.err.kind == "closed" and r.err.code == 1000, tostring(r.err))
  end
  local _, err = pongs:wait(10)
  assert(err.kind == "closed" and pinger.pongs > 0, tostring(err))
  t:log(("%d messages and pings in %.2f s with idle 0.5 s; %d pongs"):format(n, time.now() - t0, pinger.pongs))
  ln:close()
end

function TestBusyHandlerDoesNotMakeItsClientIdle(t)
  -- Idle time is time a recv waits: a handler busy for twice idle between
  -- recvs still gets what its client sent meanwhile, pings and then a
  -- message, and a client that said nothing for idle while recv waited
  -- after the work is closed.
  for _, case in ipairs({ { "pings then hello", true }, { "silent", false } }) do
    local results = task.chan(1)
    local ln = assert(ws.serve("127.0.0.1:0", function(s)
      time.sleep(0.8) -- busy, idle 0.4
      local t0 = time.now()
      local data, err = s:recv()
      results:send({ data = data, err = err, waited = time.now() - t0 })
    end, { idle = 0.4 }))
    local c = assert(ws.connect("ws://" .. tostring(ln:addr()) .. "/", OPTS))
    if case[2] then
      for _ = 1, 6 do
        assert(c:ping("p"))
        time.sleep(0.1)
      end
      assert(c:send("hello"))
    end
    local reader = task.spawn(function() return c:recv(OPTS) end) -- answers the server's close
    local r = results:recv(10)
    if case[2] then
      assert(r.data == "hello", case[1] .. ": " .. tostring(r.err))
    else
      assert(r.data == nil and r.err.kind == "timeout" and r.err.code == 1001, case[1] .. ": " .. tostring(r.err))
      assert(r.waited > 0.2, case[1] .. ": closed after " .. r.waited .. " s of recv, idle 0.4")
    end
    reader:wait(10)
    c:conn():close()
    ln:close()
  end
end

function TestIdlePingerThatNeverReads(t)
  -- A client that keeps pinging, or sending messages, and never reads:
  -- its pongs (echoes) fill the buffers, and a write that cannot go out
  -- for idle seconds ends the conn (kind timeout, code 1006), though
  -- frames keep coming.
  for _, case in ipairs({ { "pings", 0x89 }, { "messages", 0x82 } }) do
    local results = task.chan(4)
    local base, ln = idle_server(0.2, results, function(s) s:conn():set_write_buffer(4096) end)
    local c = raw_client(base)
    c:set_read_buffer(4096)
    local frame = raw_frame(case[2], ("p"):rep(125))
    local batch = frame:rep(64)
    local feeder = task.spawn(function()
      for _ = 1, 20000 do -- 21 MB at most
        if not c:write(batch, { timeout = 10 }) then return end
      end
    end)
    local r = results:recv(20)
    assert(r, case[1] .. ": the server never gave up")
    assert(r.err.kind == "timeout" and r.state == "closed" and r.code == 1006,
      case[1] .. ": " .. tostring(r.err) .. " " .. tostring(r.code))
    c:close()
    feeder:wait(10)
    ln:close()
  end
end

function TestCloseToAPeerThatNeverReads(t)
  -- A server that never reads: once the buffers are full, our close
  -- frame cannot go out; close gives up within ws.CLOSE_TIMEOUT instead
  -- of waiting for room for ever.
  local release = task.chan(1)
  local base = raw_server(function(c) release:recv(30) end)
  local s = assert(ws.connect(base .. "/", OPTS))
  local c = s:conn()
  c:set_write_buffer(4096)
  local chunk = ("x"):rep(65536)
  for _ = 1, 4096 do -- 256 MiB at most
    if not c:write(chunk, { timeout = 0.2 }) then break end
  end
  local saved = ws.CLOSE_TIMEOUT
  ws.CLOSE_TIMEOUT = 0.2
  local closer = task.spawn(function() return s:close() end)
  local ok, err = closer:wait(10)
  ws.CLOSE_TIMEOUT = saved
  release:send(true)
  assert(ok == true, "close still waiting for room after 10 s: " .. tostring(err))
  assert(s.state == "closed", s.state)
end
