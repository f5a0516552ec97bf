-- UDP packet conns and connected UDP conns, Lua to Lua on loopback. The
-- tests against an independent Go peer are in udp_test.go.

local function listen_packet()
  return assert(net.listen_packet("udp", "127.0.0.1:0"))
end

-- closed_port returns "127.0.0.1:PORT" where nothing listens (a port that
-- was bound and closed).
local function closed_port()
  local pc = listen_packet()
  local addr = tostring(pc:local_addr())
  pc:close()
  return addr
end

function TestPacketConnBasics(t)
  local a, b = listen_packet(), listen_packet()
  local la = a:local_addr()
  assert(la.network == "udp" and la.ip == "127.0.0.1" and la.port > 0, tostring(la))
  assert(tostring(a) == "<udp packet conn " .. tostring(la) .. ">", tostring(a))
  assert(("" .. a):find("^<udp packet conn"))
  -- One datagram each way, with a string and with an addr value.
  assert(a:write_to("hello", tostring(b:local_addr())) == 5)
  local data, from, truncated = b:read_from()
  assert(data == "hello" and truncated == nil, tostring(data))
  assert(from == la and from.port == la.port, tostring(from))
  assert(b:write_to("back", from) == 4)
  data, from = a:read_from()
  assert(data == "back" and from == b:local_addr())
  -- Datagram boundaries are kept, and an empty datagram is one.
  assert(a:write_to("one", b:local_addr()))
  assert(a:write_to("", b:local_addr()))
  assert(a:write_to("three", b:local_addr()))
  assert(b:read_from() == "one")
  assert(b:read_from() == "")
  assert(b:read_from() == "three")
  assert(a:close())
  assert(tostring(a):find("(closed)", 1, true), tostring(a))
  local ok, err = a:close()
  assert(ok == nil and err.kind == "closed", tostring(err))
  data, err = a:read_from()
  assert(data == nil and err.kind == "closed", tostring(err))
  data, err = a:write_to("x", b:local_addr())
  assert(data == nil and err.kind == "closed", tostring(err))
  b:close()
end

function TestPacketConnArguments(t)
  local pc = listen_packet()
  -- Wrong kinds of network and address raise.
  local ok, err = pcall(net.listen_packet, "tcp", "127.0.0.1:0")
  assert(not ok and tostring(err):find("network: one of udp, udp4, udp6, unixgram expected", 1, true), tostring(err))
  ok, err = pcall(pc.write_to, pc, "x", 42)
  assert(not ok and tostring(err):find("addr: addr or string expected, got number", 1, true), tostring(err))
  local ln = assert(net.listen("unix", t:tempdir() .. "/s.sock"))
  ok, err = pcall(pc.write_to, pc, "x", ln:addr())
  assert(not ok and tostring(err):find("addr: udp address expected, got unix address", 1, true), tostring(err))
  ln:close()
  -- A tcp addr value names the same host and port.
  local tl = assert(net.listen("tcp", "127.0.0.1:0"))
  assert(pc:write_to("x", tl:addr()) == 1)
  tl:close()
  ok, err = pcall(pc.read_from, pc, 0)
  assert(not ok and tostring(err):find("max:", 1, true), tostring(err))
  for _, opts in ipairs({ { retries = -1 }, { retries = 1.5 }, { timeout = 0 }, { timeout = "1" }, { max = 0 } }) do
    ok, err = pcall(pc.exchange, pc, "x", "127.0.0.1:1", opts)
    assert(not ok and tostring(err):find("opts.", 1, true), tostring(err))
  end
  -- A bad host is an outcome, not an argument error.
  local n, werr = pc:write_to("x", "no port here")
  assert(n == nil and werr.kind == "other", tostring(werr))
  pc:close()
end

function TestPacketConnInUse(t)
  local pc = listen_packet()
  local other, err = net.listen_packet("udp", tostring(pc:local_addr()))
  assert(other == nil and err.kind == "addr_in_use", tostring(err))
  assert(err.op == "listen", tostring(err.op))
  pc:close()
end

function TestPacketDeadlines(t)
  local pc = listen_packet()
  -- An absolute read deadline.
  pc:set_read_deadline(time.now() + 0.1)
  local t0 = time.now()
  local data, err = pc:read_from()
  assert(data == nil and err.kind == "timeout", tostring(err))
  assert(err.op == "read", tostring(err.op))
  assert(time.since(t0) < 5)
  -- Cleared, a datagram is read again.
  pc:set_read_deadline(0)
  assert(pc:write_to("self", pc:local_addr()))
  assert(pc:read_from() == "self")
  -- set_deadline covers reads too.
  pc:set_deadline(time.now() + 0.05)
  data, err = pc:read_from()
  assert(data == nil and err.kind == "timeout", tostring(err))
  pc:set_deadline(nil)
  -- A write deadline in the past fails the write.
  pc:set_write_deadline(time.now() - 1)
  data, err = pc:write_to("x", pc:local_addr())
  assert(data == nil and err.kind == "timeout", tostring(err))
  pc:set_write_deadline(0)
  -- The idle timeout, refreshed by each operation.
  pc:set_timeout(0.1)
  for i = 1, 3 do
    assert(pc:write_to("ping " .. i, pc:local_addr()))
    assert(pc:read_from() == "ping " .. i)
  end
  t0 = time.now()
  data, err = pc:read_from()
  assert(data == nil and err.kind == "timeout", tostring(err))
  assert(time.since(t0) < 5)
  pc:set_timeout(0)
  -- exchange stops at the socket's own deadline, without resending.
  local silent = listen_packet()
  pc:set_read_deadline(time.now() + 0.1)
  t0 = time.now()
  data, err = pc:exchange("x", silent:local_addr(), { timeout = 5, retries = 3 })
  assert(data == nil and err.kind == "timeout", tostring(err))
  assert(time.since(t0) < 4, "exchange waited past the read deadline")
  local n = 0
  silent:set_read_deadline(time.now() + 0.2)
  while silent:read_from() do n = n + 1 end
  assert(n == 1, "resent after the socket's deadline: " .. n)
  silent:close()
  pc:close()
end

function TestPacketCancelAndClose(t)
  local pc = listen_packet()
  local reader = task.spawn(function() return pc:read_from() end)
  time.sleep(0.05)
  reader:cancel()
  local data, err = reader:wait(5)
  assert(data == nil and err.kind == "canceled", tostring(err))
  -- The conn still works after a canceled read.
  assert(pc:write_to("after", pc:local_addr()))
  assert(pc:read_from() == "after")
  -- A canceled exchange too.
  local silent = listen_packet()
  local ex = task.spawn(function() return pc:exchange("x", silent:local_addr(), { timeout = 10 }) end)
  time.sleep(0.05)
  ex:cancel()
  data, err = ex:wait(5)
  assert(data == nil and err.kind == "canceled", tostring(err))
  -- A close ends a blocked read with "closed".
  reader = task.spawn(function() return pc:read_from() end)
  time.sleep(0.05)
  pc:close()
  data, err = reader:wait(5)
  assert(data == nil and err.kind == "closed", tostring(err))
  silent:close()
end

function TestExchangeBetweenPacketConns(t)
  local server = listen_packet()
  -- Answers every request; before each answer, a stranger sends noise,
  -- which exchange must skip.
  local stranger = listen_packet()
  task.spawn(function()
    for _ = 1, 20 do
      local data, from = server:read_from()
      if not data then return end
      stranger:write_to("noise", from)
      server:write_to("re:" .. data, from)
    end
  end)
  local client = listen_packet()
  for i = 1, 20 do
    local reply = assert(client:exchange("q" .. i, server:local_addr(), { timeout = 2 }))
    assert(reply == "re:q" .. i, reply)
  end
  client:close()
  server:close()
  stranger:close()
end

function TestConnectedUDP(t)
  local server = listen_packet()
  local c = assert(net.dial("udp", tostring(server:local_addr())))
  local la, ra = c:local_addr(), c:remote_addr()
  assert(ra == server:local_addr() and la.network == "udp")
  assert(tostring(c) == ("<udp conn %s -> %s>"):format(tostring(la), tostring(ra)), tostring(c))
  assert(c:write("abc") == 3)
  local data, from = server:read_from()
  assert(data == "abc" and from == la)
  server:write_to("first", from)
  server:write_to("second datagram", from)
  assert(c:read() == "first")
  -- max cuts a datagram; the rest of it is gone, and true says so.
  local part, truncated = c:read(6)
  assert(part == "second" and truncated == true, tostring(part))
  -- Stream reads are refused: datagram boundaries would be lost.
  for _, m in ipairs({ "read_line", "read_all", "read_full", "read_until" }) do
    local r, err = c[m](c, m == "read_until" and "x" or (m == "read_full" and 1 or nil))
    assert(r == nil and tostring(err):find("not supported by udp conns", 1, true), m .. ": " .. tostring(err))
  end
  local ok, err = pcall(c.lines, c)
  assert(not ok and tostring(err):find("not supported", 1, true), tostring(err))
  assert(c:buffered() == "")
  -- exchange on the connected conn.
  task.spawn(function()
    local q, f = server:read_from()
    server:write_to("answer to " .. q, f)
  end)
  assert(c:exchange("question") == "answer to question")
  -- Deadlines as on stream conns.
  c:set_timeout(0.05)
  data, err = c:read()
  assert(data == nil and err.kind == "timeout", tostring(err))
  c:close()
  server:close()
end

function TestConnectedUDPRefused(t)
  local c = assert(net.dial("udp", closed_port()))
  c:set_read_deadline(time.now() + 5)
  -- The write goes out; the ICMP port unreachable that comes back fails
  -- the next read.
  assert(c:write("anyone?"))
  local data, err = c:read()
  assert(data == nil and err.kind == "refused", tostring(err))
  assert(tostring(err):find("connection refused", 1, true), tostring(err))
  -- exchange gives up at once on refused, without waiting out its retries.
  local t0 = time.now()
  data, err = c:exchange("anyone?", { timeout = 2, retries = 3 })
  assert(data == nil and err.kind == "refused", tostring(err))
  assert(time.since(t0) < 2, "exchange retried after refused")
  c:close()
end

function TestExchangeOnStreamConn(t)
  local a, b = net.pipe()
  local r, err = a:exchange("x")
  assert(r == nil and tostring(err):find("not supported by pipe conns", 1, true), tostring(err))
  a:close()
  b:close()
end

function TestDatagramTooLarge(t)
  local pc = listen_packet()
  local n, err = pc:write_to(("x"):rep(70000), pc:local_addr())
  assert(n == nil and err.kind == "too_large", tostring(err))
  -- The biggest IPv4 UDP datagram goes through whole with the default cap.
  local big = ("y"):rep(65507)
  assert(pc:write_to(big, pc:local_addr()) == #big)
  local data, _, truncated = pc:read_from()
  assert(data == big and truncated == nil, #data)
  pc:close()
end

function TestManyTasksOnePacketConn(t)
  -- An echo server task and 50 clients exchanging at once.
  local server = listen_packet()
  task.spawn(function()
    while true do
      local data, from = server:read_from()
      if not data then return end
      server:write_to(data, from)
    end
  end)
  local done = task.chan(50)
  for i = 1, 50 do
    task.spawn(function()
      local c = assert(net.dial("udp", tostring(server:local_addr())))
      for r = 1, 5 do
        local msg = ("client %d round %d"):format(i, r)
        assert(c:exchange(msg, { timeout = 2 }) == msg)
      end
      c:close()
      done:send(i)
    end)
  end
  for _ = 1, 50 do assert(done:recv(30)) end
  server:close()
end

function TestWriteToAddrValueEveryFamily(t)
  -- A datagram to an addr value goes out at once (sendNow): from an IPv4
  -- socket, from an IPv6 one, and from a dual-stack wildcard socket to an
  -- IPv4 peer (IPv4-mapped); each arrives whole, with the sender's address.
  -- Past its write deadline, write_to times out and sends nothing.
  local pairs_ = {
    { "udp", "127.0.0.1:0", "udp", "127.0.0.1:0" },
    { "udp6", "[::1]:0", "udp6", "[::1]:0" },
    { "udp", ":0", "udp4", "127.0.0.1:0" },
  }
  for _, p in ipairs(pairs_) do
    local a = assert(net.listen_packet(p[1], p[2]))
    local b = assert(net.listen_packet(p[3], p[4]))
    local to = b:local_addr()
    if p[2] == ":0" then to = net.resolve_addr("udp", "127.0.0.1:" .. to.port) end
    for i = 1, 20 do
      local msg = string.rep(string.char(i), i * 50)
      assert(a:write_to(msg, to) == #msg, p[2] .. ": short write")
      b:set_read_deadline(time.now() + 5)
      local got, from = b:read_from()
      assert(got == msg, p[2] .. ": datagram " .. i .. " changed")
      assert(from.port == a:local_addr().port, p[2] .. ": from port " .. tostring(from))
    end
    a:set_write_deadline(time.now() - 1)
    local n, err = a:write_to("late", to)
    assert(n == nil and err.kind == "timeout", p[2] .. ": past the deadline: " .. tostring(n or err))
    b:set_read_deadline(time.now() + 0.2)
    local got = b:read_from()
    assert(got == nil, p[2] .. ": a write past its deadline was sent")
    a:close()
    b:close()
  end
end
