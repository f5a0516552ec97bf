-- Unix sockets: stream and datagram, paths and the abstract namespace. The
-- stale-file tests, which need a socket file no process serves, are in
-- unix_test.go.

-- exists reports whether path names a file (io.open cannot open a
-- socket file; renaming it to itself succeeds only if it is there).
local function exists(path)
  return os.rename(path, path) == true
end

-- abstract returns a fresh name in Linux's abstract namespace.
local function abstract(t)
  return ("@gonetrepl-test-%s-%d-%d"):format(t:name():gsub("%W", "-"), math.floor(time.now() * 1e6), math.random(1e9))
end

-- stream_both_ways checks a unix stream listener at address: the client
-- writes first, then the server, several rounds.
local function stream_both_ways(address)
  local ln = assert(net.listen("unix", address))
  local served = task.chan(1)
  ln:serve(function(c)
    for i = 1, 3 do
      assert(c:read_line() == "client " .. i)
      assert(c:write("server " .. i .. "\n"))
    end
    assert(c:write("bye\n"))
    served:send(true)
  end)
  local c = assert(net.dial("unix", address))
  assert(tostring(c):find("^<unix conn "), tostring(c))
  for i = 1, 3 do
    assert(c:write("client " .. i .. "\n"))
    assert(c:read_line() == "server " .. i)
  end
  assert(c:read_line() == "bye")
  assert(served:recv(5))
  assert(c:read() == nil)
  c:close()
  return ln
end

function TestUnixStreamBothWays(t)
  local path = t:tempdir() .. "/stream.sock"
  local ln = stream_both_ways(path)
  assert(exists(path))
  assert(ln:addr().name == path and ln:addr().network == "unix")
  ln:close()
  assert(not exists(path), "socket file left after ln:close()")
end

-- unixgram_both_ways checks a unixgram packet conn at address against a
-- dialed unixgram conn and against a second packet conn.
local function unixgram_both_ways(t, address, peer_address)
  local pc = assert(net.listen_packet("unixgram", address))
  assert(tostring(pc) == "<unixgram packet conn " .. address .. ">", tostring(pc))
  assert(pc:local_addr().name == address)
  -- A dialed conn: it is bound to an automatic abstract name, so that
  -- replies reach it.
  local c = assert(net.dial("unixgram", address))
  assert(c:local_addr().name:find("^@"), tostring(c:local_addr()))
  assert(c:write("from the client") == 15)
  local data, from = pc:read_from()
  assert(data == "from the client", tostring(data))
  assert(from == c:local_addr(), tostring(from))
  assert(pc:write_to("to the client", from))
  assert(c:read() == "to the client")
  -- exchange over the connected conn.
  task.spawn(function()
    local q, f = pc:read_from()
    pc:write_to("re: " .. q, f)
  end)
  assert(c:exchange("question", { timeout = 2 }) == "re: question")
  c:close()
  -- Two packet conns, addressing each other by path strings.
  local peer = assert(net.listen_packet("unixgram", peer_address))
  assert(peer:write_to("peer to pc", address) == 10)
  data, from = pc:read_from()
  assert(data == "peer to pc" and from.name == peer_address, tostring(from))
  assert(pc:write_to("pc to peer", peer_address))
  assert(peer:read_from() == "pc to peer")
  -- Truncation is reported as for udp.
  assert(peer:write_to(("z"):rep(100), address))
  local part, _, truncated = pc:read_from(10)
  assert(part == ("z"):rep(10) and truncated == true)
  -- A datagram bigger than the default cap arrives whole with a bigger one.
  local big = ("b"):rep(100000)
  local sent, serr = peer:write_to(big, address)
  if not sent then
    t:log("100000-byte unixgram datagram not sent (small socket buffer?): " .. tostring(serr))
  else
    data, _, truncated = pc:read_from()
    assert(#data == 65535 and truncated == true, #data)
    assert(peer:write_to(big, address))
    data, _, truncated = pc:read_from(200000)
    assert(data == big and truncated == nil)
  end
  peer:close()
  return pc
end

function TestUnixgramBothWays(t)
  local dir = t:tempdir()
  local path = dir .. "/dgram.sock"
  local pc = unixgram_both_ways(t, path, dir .. "/peer.sock")
  assert(exists(path))
  assert(pc:close())
  assert(not exists(path), "socket file left after pc:close()")
  assert(not exists(dir .. "/peer.sock"), "peer's socket file left after close")
  -- Closing twice is harmless.
  local ok, err = pc:close()
  assert(ok == nil and err.kind == "closed", tostring(err))
end

function TestUnixgramDialLocalAddr(t)
  local dir = t:tempdir()
  local server = assert(net.listen_packet("unixgram", dir .. "/server.sock"))
  local c = assert(net.dial("unixgram", dir .. "/server.sock", { local_addr = dir .. "/client.sock" }))
  assert(c:local_addr().name == dir .. "/client.sock")
  assert(c:write("hi"))
  local data, from = server:read_from()
  assert(data == "hi" and from.name == dir .. "/client.sock")
  assert(exists(dir .. "/client.sock"))
  c:close()
  assert(not exists(dir .. "/client.sock"), "the dialed conn's socket file left after close")
  -- A dial that fails leaves no file behind either.
  local c2, err = net.dial("unixgram", dir .. "/nobody.sock", { local_addr = dir .. "/client2.sock" })
  assert(c2 == nil, "dialed nobody")
  assert(not exists(dir .. "/client2.sock"), "failed dial left its socket file: " .. tostring(err))
  server:close()
end

function TestUnixAbstract(t)
  local name = abstract(t)
  local ln = stream_both_ways(name)
  assert(ln:addr().name == name, tostring(ln:addr()))
  ln:close()
  local pc = unixgram_both_ways(t, abstract(t), abstract(t))
  assert(tostring(pc:local_addr()):find("^@gonetrepl%-test"), tostring(pc:local_addr()))
  pc:close()
end

function TestUnixPathLimit(t)
  local long = t:tempdir() .. "/" .. ("x"):rep(120)
  local cases = {
    function() return net.listen("unix", long) end,
    function() return net.listen_packet("unixgram", long) end,
    function() return net.dial("unix", long) end,
    function() return net.dial("unixgram", long) end,
  }
  for i, f in ipairs(cases) do
    local r, err = f()
    assert(r == nil, "case " .. i .. " succeeded")
    assert(tostring(err):find("socket path is " .. #long .. " bytes, over the kernel's limit of 107", 1, true),
      "case " .. i .. ": " .. tostring(err))
    assert(err.addr == long, tostring(err.addr))
  end
  local pc = assert(net.listen_packet("unixgram", t:tempdir() .. "/p.sock"))
  local n, err = pc:write_to("x", long)
  assert(n == nil and tostring(err):find("limit of 107", 1, true), tostring(err))
  pc:close()
  -- An abstract name has no terminating NUL: one byte more.
  local name = "@" .. ("a"):rep(120)
  local r, aerr = net.listen_packet("unixgram", name)
  assert(r == nil and tostring(aerr):find("abstract socket name is 121 bytes, over the kernel's limit of 108", 1, true), tostring(aerr))
  -- Exactly at the limit works.
  local fits = abstract(t):sub(1, 60)
  fits = fits .. ("b"):rep(108 - #fits)
  local ok = assert(net.listen_packet("unixgram", fits))
  ok:close()
end

function TestUnixAddrInUse(t)
  local path = t:tempdir() .. "/busy.sock"
  local ln = assert(net.listen("unix", path))
  -- Served by a live listener: plain addr_in_use, and the file stays.
  local other, err = net.listen("unix", path)
  assert(other == nil and err.kind == "addr_in_use", tostring(err))
  assert(not tostring(err):find("stale"), tostring(err))
  assert(exists(path))
  ln:close()
  local pc = assert(net.listen_packet("unixgram", path))
  other, err = net.listen_packet("unixgram", path)
  assert(other == nil and err.kind == "addr_in_use" and not tostring(err):find("stale"), tostring(err))
  pc:close()
end
