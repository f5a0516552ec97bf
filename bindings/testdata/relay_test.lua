-- net.relay: copying both ways between two conns, with half-close.

local listen = require("testhelp").listen

-- A server that reads its whole request (to EOF), then answers on the same
-- conn: it works only if the half-close reaches it.
local function answering_server()
  local ln = listen()
  ln:serve(function(c)
    c:set_timeout(10)
    local request = assert(c:read_all())
    assert(c:write("got " .. #request .. " bytes: " .. request))
  end)
  return ln
end

-- A proxy on a new listener in front of target; each relay's results go to
-- results as {n_ab, n_ba, err}.
local function proxy(target, results, before)
  local ln = listen()
  ln:serve(function(c)
    if before then before(c) end
    local up = assert(net.dial("tcp", tostring(target:addr()), { timeout = 10 }))
    local ab, ba, n1, n2 = net.relay(c, up)
    if ab then
      results:send({ ab, ba })
    else
      results:send({ n1, n2, ba })
    end
    up:close()
  end)
  return ln
end

function TestRelayHalfClose(t)
  local server = answering_server()
  local results = task.chan(1)
  local p = proxy(server, results)
  local c = assert(net.dial("tcp", tostring(p:addr()), { timeout = 10 }))
  c:set_timeout(10)
  local sent = 0
  for i = 1, 50 do
    local piece = ("piece %d;"):format(i)
    assert(c:write(piece))
    sent = sent + #piece
  end
  -- The client half-closes; the server reads EOF through the relay and
  -- still answers; the client reads the answer, then EOF.
  assert(c:close_write())
  local answer = assert(c:read_all())
  assert(answer:find("^got " .. sent .. " bytes: piece 1;piece 2;"), answer:sub(1, 60))
  local r = assert(results:recv(10))
  assert(r[3] == nil, tostring(r[3]))
  assert(r[1] == sent and r[2] == #answer, ("counts %s, %s; sent %d, answer %d"):format(r[1], r[2], sent, #answer))
  c:close()
  p:close()
  server:close()
end

function TestRelayBufferedBytesFirst(t)
  local server = answering_server()
  local results = task.chan(1)
  local header = task.chan(1)
  -- The proxy reads a line itself first; the bytes that came with it in
  -- the same packet are buffered and must reach the server first.
  local p = proxy(server, results, function(c) header:send(assert(c:read_line())) end)
  local c = assert(net.dial("tcp", tostring(p:addr()), { timeout = 10 }))
  c:set_timeout(10)
  assert(c:write("HEADER\nbody that was buffered"))
  assert(header:recv(10) == "HEADER")
  assert(c:write(" and more"))
  assert(c:close_write())
  assert(c:read_all() == "got 31 bytes: body that was buffered and more")
  local r = assert(results:recv(10))
  assert(r[1] == 31, tostring(r[1]))
  c:close()
  p:close()
  server:close()
end

-- An echo server behind the proxy; 1 MiB each way, concurrently. before
-- runs on the proxy's accepted conn before the relay.
local function big_transfer(before)
  local echo = listen()
  echo:serve(function(c)
    c:set_timeout(30)
    while true do
      local data = c:read()
      if not data then break end
      assert(c:write(data))
    end
    c:close_write()
  end)
  local results = task.chan(1)
  local p = proxy(echo, results, before)
  local c = assert(net.dial("tcp", tostring(p:addr()), { timeout = 10 }))
  c:set_timeout(30)
  local chunk = string.rep("0123456789abcdef", 4096) -- 64 KiB
  local writer = task.spawn(function()
    for _ = 1, 16 do assert(c:write(chunk)) end
    return c:close_write()
  end)
  local got = assert(c:read_all())
  assert(#got == 16 * #chunk and got == string.rep(chunk, 16), #got)
  assert(writer:wait(30))
  local r = assert(results:recv(30))
  assert(r[1] == 16 * #chunk and r[2] == 16 * #chunk, tostring(r[1]) .. " " .. tostring(r[2]))
  c:close()
  p:close()
  echo:close()
end

-- Without idle timeouts or tracing, the relay hands the sockets to io.Copy
-- (splice) once buffered bytes are out.
function TestRelayBigTransfer(t)
  big_transfer()
end

-- With an idle timeout on a conn, every chunk goes through its buffer, so
-- that the timeout is refreshed per read and write.
function TestRelayBigTransferIdleTimeout(t)
  big_transfer(function(c) c:set_timeout(30) end)
end

function TestRelayPipes(t)
  -- Pipes cannot half-close: at one side's EOF the other is closed.
  local a1, a2 = net.pipe()
  local b1, b2 = net.pipe()
  local relay = task.spawn(function() return net.relay(a1, b1) end)
  a2:set_timeout(10)
  b2:set_timeout(10)
  assert(a2:write("ping"))
  assert(b2:read_full(4) == "ping")
  assert(b2:write("pong!"))
  assert(a2:read_full(5) == "pong!")
  a2:close()
  local data, err = b2:read()
  assert(data == nil and err.kind == "eof", tostring(err))
  local ab, ba = relay:wait(10)
  assert(ab == 4 and ba == 5, tostring(ab) .. " " .. tostring(ba))
end

function TestRelayError(t)
  -- The far end resets: relay returns nil, err and the counts so far.
  local far = listen()
  far:serve(function(c)
    c:set_timeout(10)
    assert(c:read_full(5))
    c:set_linger(0) -- close sends a reset
  end)
  local results = task.chan(1)
  local p = proxy(far, results)
  local c = assert(net.dial("tcp", tostring(p:addr()), { timeout = 10 }))
  c:set_timeout(10)
  assert(c:write("hello"))
  local r = assert(results:recv(10))
  assert(r[3] and r[3].kind == "reset", tostring(r[3]))
  assert(r[1] == 5, tostring(r[1]))
  c:close()
  p:close()
  far:close()
end

function TestRelayCancel(t)
  local a1, a2 = net.pipe()
  local b1, b2 = net.pipe()
  local started = task.chan(1)
  local relay = task.spawn(function()
    started:send(true)
    return net.relay(a1, b1)
  end)
  started:recv(10)
  task.yield()
  relay:cancel()
  local r1, r2 = relay:wait(10)
  assert(relay:status() ~= "running")
  if relay:status() == "done" then
    assert(r1 == nil and r2.kind == "canceled", tostring(r2))
  end
  -- Both conns are usable afterwards.
  task.spawn(function() a2:write("still here") end)
  a1:set_timeout(10)
  assert(a1:read() == "still here")
end

function TestRelayArguments(t)
  local a, b = net.pipe()
  local ok, err = pcall(net.relay, a, a)
  assert(not ok and tostring(err):find("b:", 1, true), tostring(err))
  ok, err = pcall(net.relay, a, "b")
  assert(not ok and tostring(err):find("bad argument #2", 1, true), tostring(err))
  local pc = assert(net.listen_packet("udp", "127.0.0.1:0"))
  local u = assert(net.dial("udp", tostring(pc:local_addr())))
  ok, err = pcall(net.relay, u, b)
  assert(not ok and tostring(err):find("stream conn expected", 1, true), tostring(err))
  u:close()
  pc:close()
end
