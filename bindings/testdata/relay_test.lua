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
local function proxy(target, results, before, opts)
  local ln = listen()
  ln:serve(function(c)
    if before then before(c) end
    local up = assert(net.dial("tcp", tostring(target:addr()), { timeout = 10 }))
    local ab, ba, n1, n2 = net.relay(c, up, opts)
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
local function big_transfer(before, opts)
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
  local p = proxy(echo, results, before, opts)
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

-- resetting_target is a listener whose conns read 5 bytes, then reset.
local function resetting_target()
  local far = listen()
  far:serve(function(c)
    c:set_timeout(10)
    assert(c:read_full(5))
    c:set_linger(0) -- close sends a reset
  end)
  return far
end

function TestRelayError(t)
  -- The far end resets: relay returns nil, err and the counts so far.
  local far = resetting_target()
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

-- Hooks: net.relay(a, b, opts) as a man in the middle.

-- An echo server that answers each read at once, and ends when its client
-- half-closes.
local function echo_server()
  local ln = listen()
  ln:serve(function(c)
    c:set_timeout(10)
    while true do
      local data = c:read()
      if not data then break end
      assert(c:write(data))
    end
    c:close_write()
  end)
  return ln
end

-- With on_data every chunk passes through the relay's task; 1 MiB each
-- way, concurrently, is copied intact (no direction waits for the other).
function TestRelayHooksBigTransfer(t)
  local seen = { a2b = 0, b2a = 0 }
  big_transfer(nil, { on_data = function(dir, data)
    assert(#data <= 65536, #data)
    seen[dir] = seen[dir] + #data
  end })
  assert(seen.a2b == 1048576 and seen.b2a == 1048576, seen.a2b .. " " .. seen.b2a)
end

function TestRelayOnDataEdits(t)
  local server = answering_server()
  local results = task.chan(1)
  local p = proxy(server, results, nil, { on_data = function(dir, data)
    if dir == "a2b" then return (data:gsub("secret", "XXXXXX")) end
    return data:upper()
  end })
  local c = assert(net.dial("tcp", tostring(p:addr()), { timeout = 10 }))
  c:set_timeout(10)
  assert(c:write("the secret word"))
  assert(c:close_write())
  local answer = assert(c:read_all())
  assert(answer == "GOT 15 BYTES: THE XXXXXX WORD", answer)
  local r = assert(results:recv(10))
  assert(r[3] == nil, tostring(r[3]))
  assert(r[1] == 15 and r[2] == #answer, r[1] .. " " .. r[2])
  c:close()
  p:close()
  server:close()
end

-- A string of another length is forwarded as it is; the counts are of
-- the bytes written.
function TestRelayOnDataResizes(t)
  local server = answering_server()
  local results = task.chan(1)
  local p = proxy(server, results, nil, { on_data = function(dir, data)
    if dir == "a2b" then return data .. data end
  end })
  local c = assert(net.dial("tcp", tostring(p:addr()), { timeout = 10 }))
  c:set_timeout(10)
  assert(c:write("abc"))
  assert(c:close_write())
  assert(c:read_all() == "got 6 bytes: abcabc")
  local r = assert(results:recv(10))
  assert(r[1] == 6, tostring(r[1]))
  c:close()
  p:close()
  server:close()
end

-- false drops a chunk: here the whole b2a direction. The server still
-- gets the request; the client reads EOF with nothing before it.
function TestRelayDropDirection(t)
  local server = answering_server()
  local results = task.chan(1)
  local closes = {}
  local p = proxy(server, results, nil, {
    on_data = function(dir, data) if dir == "b2a" then return false end end,
    on_close = function(dir, err) closes[#closes + 1] = dir .. ":" .. tostring(err) end,
  })
  local c = assert(net.dial("tcp", tostring(p:addr()), { timeout = 10 }))
  c:set_timeout(10)
  assert(c:write("hello"))
  assert(c:close_write())
  local data, err = c:read()
  assert(data == nil and err.kind == "eof", tostring(data) .. " " .. tostring(err))
  local r = assert(results:recv(10))
  assert(r[3] == nil, tostring(r[3]))
  assert(r[1] == 5 and r[2] == 0, r[1] .. " " .. r[2])
  table.sort(closes)
  assert(#closes == 2 and closes[1] == "a2b:nil" and closes[2] == "b2a:nil", table.concat(closes, ","))
  c:close()
  p:close()
  server:close()
end

-- delay_secs, data: the chunk is written that long after it was read.
function TestRelayOnDataDelay(t)
  local server = echo_server()
  local results = task.chan(1)
  local p = proxy(server, results, nil, { on_data = function(dir, data)
    if dir == "a2b" then return 0.3, "[" .. data .. "]" end
  end })
  local c = assert(net.dial("tcp", tostring(p:addr()), { timeout = 10 }))
  c:set_timeout(10)
  local start = time.now()
  assert(c:write("x"))
  assert(c:read_full(3) == "[x]")
  local elapsed = time.now() - start
  assert(elapsed >= 0.29 and elapsed < 5, elapsed)
  c:close()
  assert(results:recv(10))
  p:close()
  server:close()
end

-- pace: 200 KB at 400 KB/s, measured where the bytes arrive: the rate
-- from the first read to the last is within 20 % of the pace.
function TestRelayPace(t)
  -- Paced at 400 kB/s, 200 kB arrive at 400 kB/s within 20 %. A loaded
  -- machine can stall the relay past its bucket (100 ms of bytes) and
  -- make it slower, never faster: a slow attempt is tried again (at most
  -- three), a fast one fails at once.
  local total, rate = 200000, 400000
  local sink = listen()
  local measured = task.chan(1)
  sink:serve(function(c)
    c:set_timeout(10)
    local first = assert(c:read())
    local t0, n = time.now(), 0
    while true do
      local data = c:read()
      if not data then break end
      n = n + #data
    end
    measured:send({ #first + n, n / (time.now() - t0) })
  end)
  local results = task.chan(1)
  local p = proxy(sink, results, nil, { pace = { a2b = rate } })
  local got = {}
  for _ = 1, 3 do
    local c = assert(net.dial("tcp", tostring(p:addr()), { timeout = 10 }))
    c:set_timeout(10)
    assert(c:write(string.rep("p", total)))
    assert(c:close_write())
    local m = assert(measured:recv(10))
    assert(m[1] == total, m[1])
    assert(results:recv(10))
    c:close()
    got[#got + 1] = ("%.0f"):format(m[2])
    assert(m[2] < rate * 1.2, ("paced at %d B/s, measured %.0f B/s: faster than the pace"):format(rate, m[2]))
    if m[2] > rate * 0.8 then break end
    t:log(("paced at %d B/s, measured %.0f B/s: slower (a loaded machine?), once more"):format(rate, m[2]))
  end
  local last = tonumber(got[#got])
  assert(last > rate * 0.8, ("paced at %d B/s, measured %s B/s in three tries"):format(rate, table.concat(got, ", ")))
  p:close()
  sink:close()
end

-- A hook that raises stops the relay: nil, err of kind other with the
-- message; the conns stay open.
function TestRelayHookRaises(t)
  local a1, a2 = net.pipe()
  local b1, b2 = net.pipe()
  local relay = task.spawn(function()
    return net.relay(a1, b1, { on_data = function(dir, data) error("bad chunk " .. data) end })
  end)
  a2:set_timeout(10)
  assert(a2:write("boom"))
  local r1, err = relay:wait(10)
  assert(r1 == nil and err.kind == "other", tostring(err))
  assert(tostring(err):find("on_data failed: .*bad chunk boom"), tostring(err))
  task.spawn(function() b2:write("still open") end)
  b1:set_timeout(10)
  assert(b1:read() == "still open")
end

function TestRelayHookWrongResult(t)
  for _, ret in ipairs({ "{}", "true", "-1, 'x'", "1, {}" }) do
    local a1, a2 = net.pipe()
    local b1, b2 = net.pipe()
    local hook = loadstring("return function() return " .. ret .. " end")()
    local relay = task.spawn(function() return net.relay(a1, b1, { on_data = hook }) end)
    a2:set_timeout(10)
    assert(a2:write("x"))
    local r1, err = relay:wait(10)
    assert(r1 == nil and err.kind == "other", ret .. ": " .. tostring(err))
    assert(tostring(err):find("on_data returned", 1, true), tostring(err))
    for _, c in ipairs({ a1, a2, b1, b2 }) do c:close() end
  end
end

-- on_close gets the error that ended a direction.
function TestRelayOnCloseError(t)
  local far = resetting_target()
  local results = task.chan(1)
  local closes = {}
  local p = proxy(far, results, nil, { on_close = function(dir, err)
    closes[#closes + 1] = { dir, err }
  end })
  local c = assert(net.dial("tcp", tostring(p:addr()), { timeout = 10 }))
  c:set_timeout(10)
  assert(c:write("hello"))
  local r = assert(results:recv(10))
  assert(r[3] and r[3].kind == "reset", tostring(r[3]))
  local kinds = {}
  for _, e in ipairs(closes) do if e[2] then kinds[#kinds + 1] = e[1] .. ":" .. e[2].kind end end
  assert(#closes == 2, #closes)
  assert(table.concat(kinds, ","):find("reset"), table.concat(kinds, ","))
  c:close()
  p:close()
  far:close()
end

function TestRelayHooksCancel(t)
  local a1, a2 = net.pipe()
  local b1, b2 = net.pipe()
  local started = task.chan(1)
  local relay = task.spawn(function()
    started:send(true)
    return net.relay(a1, b1, { on_data = function() end, pace = 1000 })
  end)
  started:recv(10)
  task.yield()
  relay:cancel()
  relay:wait(10)
  assert(relay:status() ~= "running")
  task.spawn(function() a2:write("still here") end)
  a1:set_timeout(10)
  assert(a1:read() == "still here")
end

function TestRelayOptions(t)
  local a, b = net.pipe()
  for _, case in ipairs({
    { { on_data = 1 }, "opts.on_data" }, { { on_close = "f" }, "opts.on_close" },
    { { pace = 0 }, "opts.pace" }, { { pace = -5 }, "opts.pace" }, { { pace = { a2b = "x" } }, "opts.pace.a2b" },
    { { pace = { up = 5 } }, "unknown direction" }, { { on_dat = print }, "unknown option" },
  }) do
    local ok, err = pcall(net.relay, a, b, case[1])
    assert(not ok and tostring(err):find("bad argument #3", 1, true) and tostring(err):find(case[2], 1, true), tostring(err))
  end
end

-- At a direction's EOF on_data gets "" once: what it returns goes before
-- the half-close. Here a2b holds every byte back until then.
function TestRelayOnDataLastWord(t)
  local server = answering_server()
  local results = task.chan(1)
  local held, calls = {}, {}
  local p = proxy(server, results, nil, { on_data = function(dir, data)
    if dir ~= "a2b" then return end
    calls[#calls + 1] = #data
    if data == "" then return table.concat(held):upper() end
    held[#held + 1] = data
    return false
  end })
  local c = assert(net.dial("tcp", tostring(p:addr()), { timeout = 10 }))
  c:set_timeout(10)
  assert(c:write("held "))
  time.sleep(0.05)
  assert(c:write("back"))
  assert(c:close_write())
  local answer = assert(c:read_all())
  assert(answer == "got 9 bytes: HELD BACK", answer)
  assert(calls[#calls] == 0 and #calls >= 2, table.concat(calls, ","))
  assert(results:recv(10))
  c:close()
  p:close()
  server:close()
end

-- A pace too high to matter paces nothing: 1e300 bytes per second does
-- not turn into one byte per write (int() of a float past int64).
function TestRelayHugePaceWritesWholePieces(t)
  local a1, a2 = net.pipe()
  local b1, b2 = net.pipe()
  local relay = task.spawn(function() return net.relay(a1, b1, { pace = 1e300 }) end)
  local data = ("p"):rep(4096)
  task.spawn(function() a2:write(data) end)
  b2:set_timeout(10)
  local first = assert(b2:read(65536))
  assert(#first > 1, "the relay wrote " .. #first .. " byte at a time")
  local rest = assert(b2:read_full(#data - #first))
  assert(first .. rest == data)
  a2:close(); b2:close()
  relay:wait(10)
end
