-- TCP conns and listeners against real loopback sockets.

local listen = require("testhelp").listen

-- serve_and_dial starts a server running handler for each connection and
-- returns its listener and a client conn to it.
local function serve_and_dial(handler)
  local ln = listen()
  ln:serve(handler)
  return ln, assert(net.dial("tcp", tostring(ln:addr())))
end

-- An echo server on ln: each connection's bytes come straight back.
local function echo_server(ln)
  return ln:serve(function(c)
    while true do
      local data = c:read()
      if not data then return end
      assert(c:write(data))
    end
  end)
end

function TestServeThousandClients(t)
  local ln = listen()
  echo_server(ln)
  local addr = tostring(ln:addr())
  local clients, rounds = 1000, 10
  local results = task.chan(clients)
  for i = 1, clients do
    task.spawn(function()
      local c = assert(net.dial("tcp", addr, { timeout = 10 }))
      c:set_timeout(30)
      for r = 1, rounds do
        local msg = ("client %d round %d\n"):format(i, r)
        assert(c:write(msg))
        local back = assert(c:read_line())
        assert(back .. "\n" == msg, "echo mismatch: " .. back)
      end
      c:close()
      results:send(i)
    end)
  end
  local seen = {}
  for _ = 1, clients do
    local i = assert(results:recv(60))
    seen[i] = true
  end
  for i = 1, clients do assert(seen[i], "client " .. i .. " missing") end
  ln:close()
end

function TestRefused(t)
  -- Bind a port, close it: nothing listens there now.
  local ln = listen()
  local addr = tostring(ln:addr())
  ln:close()
  local c, err = net.dial("tcp", addr)
  assert(c == nil)
  assert(err.kind == "refused", err.kind)
  assert(err.op == "dial", tostring(err.op))
  assert(err.addr == addr, tostring(err.addr))
  assert(tostring(err):find("connection refused"), tostring(err))
  assert(("x: " .. err):find("^x: dial tcp"), "concat")
end

function TestAddrInUse(t)
  local ln = listen()
  local other, err = net.listen("tcp", tostring(ln:addr()))
  assert(other == nil)
  assert(err.kind == "addr_in_use", err.kind)
  ln:close()
end

function TestTimeoutLeavesBytesBuffered(t)
  local got = task.chan(1)
  local ln, c = serve_and_dial(function(c)
    c:write("partial line without end")
    got:recv() -- hold the conn open until the client is done
  end)
  c:set_read_deadline(time.now() + 0.2)
  local line, err = c:read_line()
  assert(line == nil and err.kind == "timeout", tostring(err))
  assert(c:buffered() == "partial line without end", c:buffered())
  -- The bytes are still there for the next read.
  c:set_read_deadline(0)
  assert(c:read(100) == "partial line without end")
  got:send(true)
  c:close()
  ln:close()
end

-- set_deadline(5) is "in five seconds" to whoever types it; as a time since
-- the epoch it is 1970, and every later read would time out at once. Each
-- deadline setter refuses it with the fix in the message, and the conn
-- still reads after the refusal.
function TestRelativeDeadlineIsRefused(t)
  local ln, c = serve_and_dial(function(c) c:write("hello\n"); time.sleep(1) end)
  local pc = assert(net.listen_packet("udp", "127.0.0.1:0"))
  for _, set in ipairs({"set_deadline", "set_read_deadline", "set_write_deadline"}) do
    for _, v in ipairs({5, 0.5, 999999999}) do
      for _, obj in ipairs({c, pc}) do
        local ok, msg = pcall(obj[set], obj, v)
        assert(not ok, set .. "(" .. v .. ") was taken")
        msg = tostring(msg)
        assert(msg:find("(t: " .. v .. " looks like a number of seconds from now", 1, true), msg)
        assert(msg:find("time.now() + " .. v, 1, true), msg)
        assert(msg:find("set_timeout(" .. v .. ")", 1, true), msg)
      end
    end
  end
  -- Absolute times and the clearing values still work.
  assert(c:set_read_deadline(time.now() + 5))
  assert(c:set_read_deadline(1e9 + 1))          -- 2001: a deadline long past
  local data, err = c:read_line()
  assert(data == nil and err.kind == "timeout", tostring(err))
  assert(c:set_read_deadline(0) and c:set_read_deadline(nil) and c:set_deadline(0))
  assert(c:read_line() == "hello")
  pc:close()
  c:close()
  ln:close()
end

function TestSetTimeoutIsIdle(t)
  local ln, c = serve_and_dial(function(c) time.sleep(5) end)
  c:set_timeout(0.1)
  local t0 = time.now()
  local data, err = c:read()
  assert(err.kind == "timeout", tostring(err))
  assert(time.since(t0) < 3)
  c:close()
  ln:close()
end

function TestEOF(t)
  local ln, c = serve_and_dial(function(c) c:write("last words") end) -- closed when the handler returns
  -- read_full asks for more than the peer sends: eof, nothing consumed.
  local data, err = c:read_full(100)
  assert(data == nil and err.kind == "eof", tostring(err))
  assert(c:buffered() == "last words")
  assert(c:read_all() == "last words")
  data, err = c:read()
  assert(data == nil and err.kind == "eof")
  c:close()
  ln:close()
end

function TestClosed(t)
  local ln, c = serve_and_dial(function(c) time.sleep(5) end)
  -- A read blocked in another task returns "closed" when the conn closes.
  local reader = task.spawn(function() return c:read() end)
  task.yield()
  time.sleep(0.05)
  assert(c:close())
  local data, err = reader:wait(5)
  assert(data == nil, "read returned data")
  assert(err.kind == "closed", tostring(err))
  data, err = c:write("x")
  assert(data == nil and err.kind == "closed", tostring(err))
  assert(tostring(c):find("closed"))
  -- A closed listener: accept says closed.
  local ln2 = listen()
  local acceptor = task.spawn(function() return ln2:accept() end)
  time.sleep(0.05)
  ln2:close()
  local conn, aerr = acceptor:wait(5)
  assert(conn == nil and aerr.kind == "closed", tostring(aerr))
  ln:close()
end

function TestCanceledRead(t)
  local ln, c = serve_and_dial(function(c) time.sleep(5) end)
  local kind = task.chan(1)
  local reader = task.spawn(function()
    -- The read returns canceled; the task then stops at its next instruction.
    local data, err = c:read()
    kind:send(err and err.kind)
  end)
  time.sleep(0.05)
  reader:cancel()
  local r, err = reader:wait(5)
  assert(r == nil and err.kind == "canceled", tostring(err))
  assert(reader:status() == "canceled")
  -- The conn still works for another task.
  c:close()
  ln:close()
end

function TestCancelSleepAndAccept(t)
  local ln = listen()
  local acceptor = task.spawn(function() return ln:accept() end)
  local sleeper = task.spawn(function() time.sleep(60) end)
  time.sleep(0.05)
  acceptor:cancel()
  sleeper:cancel()
  local _, e1 = acceptor:wait(5)
  local _, e2 = sleeper:wait(5)
  assert(e1.kind == "canceled" and e2.kind == "canceled")
  -- The listener is still usable after a canceled accept.
  local dialer = task.spawn(function() return net.dial("tcp", tostring(ln:addr())) end)
  local c = assert(ln:accept(5))
  assert(dialer:wait(5))
  c:close()
  ln:close()
end

function TestAcceptTimeout(t)
  local ln = listen()
  local c, err = ln:accept(0.05)
  assert(c == nil and err.kind == "timeout", tostring(err))
  ln:close()
end

function TestReadLineTooLarge(t)
  local ln, c = serve_and_dial(function(c)
    c:write(("x"):rep(100) .. "\nshort\n")
    time.sleep(1)
  end)
  local line, err = c:read_line(50)
  assert(line == nil and err.kind == "too_large", tostring(err))
  -- Nothing consumed: a bigger cap reads the line.
  assert(c:read_line(200) == ("x"):rep(100))
  assert(c:read_line(5) == "short")
  c:close()
  ln:close()
end

function TestDefaultLineCap(t)
  local ln, c = serve_and_dial(function(c)
    c:write(("y"):rep(70000))
    time.sleep(1)
  end)
  local line, err = c:read_line()
  assert(line == nil and err.kind == "too_large", tostring(err))
  assert(tostring(err):find("65536"), tostring(err))
  c:close()
  ln:close()
end

-- A read_full count off the wire (a 4 GiB length header) is too_large, a
-- network outcome, however huge; only a count no header can give (negative,
-- fractional) is a mistake in the script.
function TestReadFullHugeCount(t)
  local ln, c = serve_and_dial(function(c)
    c:write(string.pack(">I4", 0xffffffff) .. "body")
    time.sleep(1)
  end)
  local n = string.unpack(">I4", assert(c:read_full(4)))
  for _, count in ipairs({ n, 2^53, 2^64, 2^1023, 64 * 1024 * 1024 + 1 }) do
    local data, err = c:read_full(count)
    assert(data == nil and err.kind == "too_large", tostring(count) .. ": " .. tostring(err))
  end
  assert(c:read_full(4) == "body") -- nothing consumed
  for _, bad in ipairs({ -1, 1.5, 0/0, math.huge }) do
    local ok, msg = pcall(c.read_full, c, bad)
    assert(not ok and tostring(msg):find("n:", 1, true), tostring(msg))
  end
  c:close()
  ln:close()
end

function TestMixedReadsLoseNothing(t)
  local ln = listen()
  local payload = {}
  for i = 0, 255 do payload[#payload + 1] = string.char(i) end
  payload = table.concat(payload)
  local stream = "line one\r\nline two\n" .. payload .. "HEADER|rest of it\nEND"
  ln:serve(function(c)
    -- Dribble the stream out in awkward pieces.
    local i = 1
    local sizes = { 1, 3, 7, 2, 50, 1, 200, 5 }
    local k = 1
    while i <= #stream do
      local n = sizes[k]; k = k % #sizes + 1
      c:write(stream:sub(i, i + n - 1))
      i = i + n
      time.sleep(0.001)
    end
  end)
  local c = assert(net.dial("tcp", tostring(ln:addr())))
  assert(c:read_line() == "line one")
  assert(c:read_line() == "line two")
  assert(c:read_full(256) == payload)
  assert(c:read_until("|") == "HEADER")
  assert(c:read(4) == "rest")
  assert(c:read_line() == " of it")
  assert(c:read_all() == "END")
  c:close()
  ln:close()
end

function TestLastLineWithoutNewline(t)
  local a, b = net.pipe()
  task.spawn(function() a:write("one\ntwo") a:close() end)
  local lines = {}
  for line in b:lines() do lines[#lines + 1] = line end
  assert(#lines == 2 and lines[1] == "one" and lines[2] == "two", table.concat(lines, ","))
end

function TestCloseWriteHalfClose(t)
  local ln, c = serve_and_dial(function(c)
    -- Read the whole request (to EOF), then reply on the same conn.
    local request = assert(c:read_all())
    assert(c:write("got " .. #request .. " bytes: " .. request))
  end)
  assert(c:write("hello"))
  assert(c:close_write())
  assert(c:read_all() == "got 5 bytes: hello")
  c:close()
  ln:close()
end

-- After this side's own close_write, a write is refused as closed: the OS
-- says EPIPE ("broken pipe"), which read as the peer's reset. Nothing goes
-- out, and the read side still works: the peer's reply arrives.
function TestWriteAfterCloseWriteIsClosed(t)
  local path = os.tmpname()
  local f = assert(io.open(path, "w")); f:write("file bytes"); f:close()
  local sock = os.tmpname(); os.remove(sock)
  local uln = assert(net.listen("unix", sock))
  for _, ln in ipairs({listen(), uln}) do
    ln:serve(function(c)
      local request = assert(c:read_all())
      assert(c:write("got " .. request))
    end)
    local c = assert(net.dial(ln:addr().network, tostring(ln:addr())))
    assert(c:write("hello"))
    assert(c:close_write())
    for name, write in pairs({
      write = function() return c:write("more") end,
      write_frame = function() return c:write_frame("more") end,
      send_file = function() return c:send_file(path) end,
    }) do
      local n, err = write()
      assert(n == nil and err.kind == "closed", name .. ": " .. tostring(n) .. " " .. tostring(err))
      assert(tostring(err):find("close_write", 1, true), tostring(err))
    end
    assert(c:read_all() == "got hello")  -- none of the refused bytes went out
    c:close()
    ln:close()
  end
  os.remove(path)
end

-- Canceling ln:serve's task stops accepting and closes the listener: a new
-- dial is refused rather than left in the backlog, and a Unix listener's
-- socket file is gone. Handlers already running go on.
function TestCancelServeClosesListener(t)
  local sock = os.tmpname(); os.remove(sock)
  for _, ln in ipairs({listen(), assert(net.listen("unix", sock))}) do
    local addr = ln:addr()
    local server = ln:serve(function(c)
      for line in c:lines() do c:write("echo " .. line .. "\n") end
    end)
    local c = assert(net.dial(addr.network, tostring(addr)))
    assert(c:write("one\n") and c:read_line() == "echo one")
    server:cancel()
    local ok, err = server:wait(5)
    assert(ok == nil and err.kind == "canceled", tostring(err))
    assert(server:status() == "canceled", server:status())
    local nc, derr = net.dial(addr.network, tostring(addr), {timeout = 2})
    assert(nc == nil, tostring(nc))
    if addr.network == "unix" then -- the file is gone
      assert(tostring(derr):find("no such file", 1, true), tostring(derr))
    else
      assert(derr.kind == "refused", tostring(derr))
    end
    local a, aerr = ln:accept(0.1)
    assert(a == nil and aerr.kind == "closed", tostring(aerr))
    assert(c:write("two\n") and c:read_line() == "echo two") -- the running handler goes on
    c:close()
  end
  assert(io.open(sock) == nil, "the socket file is still there")
end

function TestAddrs(t)
  local accepted = task.chan(1)
  local ln, c = serve_and_dial(function(c) accepted:send(c:remote_addr()) time.sleep(0.5) end)
  local la, ra = c:local_addr(), c:remote_addr()
  assert(ra.ip == "127.0.0.1" and ra.port == ln:addr().port)
  assert(ra.network == "tcp")
  local seen = accepted:recv()
  assert(seen == la, tostring(seen) .. " ~= " .. tostring(la))
  assert(tostring(c) == ("<tcp conn %s -> %s>"):format(tostring(la), tostring(ra)), tostring(c))
  assert(c:set_nodelay(true))
  assert(c:set_keepalive(10))
  assert(c:set_keepalive(false))
  assert(c:set_linger(1))
  assert(c:set_read_buffer(65536))
  assert(c:set_write_buffer(65536))
  c:close()
  ln:close()
end

function TestDialOptions(t)
  local ln = listen()
  local accepted = task.chan(1)
  ln:serve(function(c) accepted:send(c:remote_addr().port) end)
  -- local_addr pins the client's source port.
  local probe = listen()
  local port = probe:addr().port
  probe:close()
  local c = assert(net.dial("tcp", tostring(ln:addr()), { timeout = 2, keepalive = false, local_addr = "127.0.0.1:" .. port }))
  assert(accepted:recv(5) == port)
  assert(c:local_addr().port == port)
  c:close()
  ln:close()
end

function TestPipe(t)
  local a, b = net.pipe()
  task.spawn(function()
    a:write("ping\n")
    assert(a:read_line() == "pong")
    a:close()
  end)
  assert(b:read_line() == "ping")
  b:write("pong\n")
  local data, err = b:read()
  assert(data == nil and err.kind == "eof", tostring(err))
  local ok, cerr = b:close_write()
  assert(ok == nil and tostring(cerr):find("not supported"), tostring(cerr))
end

function TestUnixStream(t)
  local path = t:tempdir() .. "/echo.sock"
  local ln = assert(net.listen("unix", path))
  echo_server(ln)
  local c = assert(net.dial("unix", path))
  c:write("over unix\n")
  assert(c:read_line() == "over unix")
  assert(c:close_write())
  assert(c:read() == nil)
  c:close()
  ln:close()
  -- The socket file is gone with the listener.
  assert(io.open(path) == nil, "socket file left behind")
  local long = t:tempdir() .. "/" .. ("x"):rep(120)
  local l2, err = net.listen("unix", long)
  assert(l2 == nil and tostring(err):find("limit of 107"), tostring(err))
end

function TestCloseRead(t)
  local got = task.chan(1)
  local ln, c = serve_and_dial(function(c) got:send(c:read_all()) end)
  assert(c:close_read())
  local data, err = c:read()
  assert(data == nil and err.kind == "eof", tostring(err))
  -- Writing still works after closing the reading side.
  assert(c:write("still writing"))
  c:close_write()
  assert(got:recv(5) == "still writing")
  c:close()
  ln:close()
end

function TestWriteDeadline(t)
  local release = task.chan(1)
  local ln, c = serve_and_dial(function(c) release:recv(10) end) -- never reads
  c:set_write_buffer(4096)
  c:set_write_deadline(time.now() + 0.2)
  local chunk = ("z"):rep(65536)
  local err
  for _ = 1, 2000 do -- at most 128 MiB: the kernel's buffers fill long before
    local n
    n, err = c:write(chunk)
    if not n then break end
  end
  assert(err and err.kind == "timeout", tostring(err))
  assert(err.op == "write", tostring(err.op))
  release:send(true)
  c:close()
  ln:close()
end

function TestWriteTimeoutOption(t)
  -- c:write(data, {timeout = secs}) waits at most secs for room, on its
  -- own, leaving the conn's deadlines as they were.
  local release = task.chan(1)
  local ln, c = serve_and_dial(function(c) release:recv(10) end) -- never reads
  c:set_write_buffer(4096)
  local chunk = ("z"):rep(65536)
  local n, err
  local t0 = time.now()
  for _ = 1, 2000 do -- at most 128 MiB: the kernel's buffers fill long before
    n, err = c:write(chunk, { timeout = 0.2 })
    if not n then break end
  end
  assert(err and err.kind == "timeout" and err.op == "write", tostring(err))
  assert(time.now() - t0 < 10, "the write waited far past its timeout")
  -- The next write without the option has no deadline: it waits until
  -- the peer reads.
  local wrote = task.chan(1)
  task.spawn(function() wrote:send((c:write("after"))) end)
  assert(wrote:recv(0.3) == nil, "a write without a timeout gave up")
  release:send(true)
  c:close()
  ln:close()
  local ok, e = pcall(c.write, c, "x", { timeout = -1 })
  assert(not ok and tostring(e):find("opts.timeout"), tostring(e))
end

function TestReset(t)
  local closed = task.chan(1)
  local ln, c = serve_and_dial(function(c)
    c:read_line()      -- wait for the client's request
    c:set_linger(0)    -- close with RST instead of FIN
    c:close()
    closed:send(true)
  end)
  assert(c:write("request\n"))
  assert(closed:recv(5))
  local data, err = c:read()
  assert(data == nil and err.kind == "reset", tostring(err))
  assert(tostring(err):find("connection reset"), tostring(err))
  c:close()
  ln:close()
end

-- An address without a host listens on loopback, not on every interface;
-- every interface must be asked for by name.
function TestListenWithoutHostIsLoopback(t)
  local cases = {
    { open = function() return net.listen("tcp", ":0") end, ip = "127.0.0.1" },
    { open = function() return net.listen("tcp4", ":0") end, ip = "127.0.0.1" },
    { open = function() return net.listen("tcp6", ":0") end, ip = "::1" },
    { open = function() return net.listen_packet("udp", ":0") end, ip = "127.0.0.1" },
    { open = function() return net.listen_packet("udp6", ":0") end, ip = "::1" },
    { open = function() return tls.listen(":0", { self_signed = true }) end, ip = "127.0.0.1" },
    { open = function() return net.listen("tcp4", "0.0.0.0:0") end, ip = "0.0.0.0" },
    { open = function() return net.listen("tcp", "[::]:0") end, ip = "::" },
  }
  for i, case in ipairs(cases) do
    local s = assert(case.open())
    local a = s.addr and s:addr() or s:local_addr()
    assert(a.ip == case.ip, ("case %d: listening on %s, want host %s"):format(i, tostring(a), case.ip))
    assert(a.port > 0)
    s:close()
  end
  -- And the loopback one serves.
  local ln = assert(net.listen("tcp", ":0"))
  local port = ln:addr().port
  ln:serve(function(c) c:write("hello\n") end)
  local c = assert(net.dial("tcp", "127.0.0.1:" .. port, { timeout = 5 }))
  c:set_timeout(5)
  assert(c:read_line() == "hello")
  ln:close()
end

function TestBulkReadsGrowPastTheFirstBuffer(t)
  -- A conn's read buffer starts at 1 KiB and is handed back while the conn
  -- waits (bindings/rawread_unix.go); a read that fills it keeps it and
  -- lets it grow, so a bulk transfer is read in large pieces, not 1 KiB
  -- at a time.
  local th = require("testhelp")
  local c, s = th.tcp_pair()
  local payload = string.rep("0123456789abcdef", 16384) -- 256 KiB
  local writer = task.spawn(function() assert(c:write(payload)); c:close_write() end)
  time.sleep(0.05)
  local got, largest, pieces = {}, 0, 0
  while true do
    local d, err = s:read(65536)
    if not d then
      assert(err.kind == "eof", tostring(err))
      break
    end
    got[#got + 1] = d
    largest = math.max(largest, #d)
    pieces = pieces + 1
  end
  assert(table.concat(got) == payload, "the bytes came back changed")
  assert(largest > 1024, "every piece was at most 1 KiB: " .. pieces .. " pieces")
  writer:wait(5)
  c:close()
  s:close()
end

function TestSmallReadsAfterABulkOneLoseNothing(t)
  -- Interleaved sizes: a full first buffer, then short messages that drain
  -- it (the buffer goes back), then a line split across two arrivals.
  local th = require("testhelp")
  local c, s = th.tcp_pair()
  assert(c:write(string.rep("x", 1024)))
  assert(s:read_full(1024) == string.rep("x", 1024))
  for i = 1, 50 do
    assert(c:write("ping " .. i .. "\n"))
    assert(s:read_line() == "ping " .. i)
  end
  assert(c:write("half a "))
  local line = task.spawn(function() return s:read_line() end)
  time.sleep(0.02)
  assert(c:write("line\nrest"))
  assert(line:wait(5) == "half a line")
  assert(s:read(4) == "rest")
  c:close()
  s:close()
end

function TestWriteLargerThanTheSocketTakes(t)
  -- A write is written at once as far as the socket takes it (with the
  -- interpreter lock held), and the rest waits: 8 MiB to a peer that starts
  -- reading later arrives whole and in order, and a small write after it
  -- comes after it.
  local th = require("testhelp")
  local c, s = th.tcp_pair()
  local parts = {}
  for i = 1, 8 * 1024 do parts[i] = string.format("%08d", i) .. string.rep(".", 1016) end
  local big = table.concat(parts)
  local writer = task.spawn(function()
    assert(c:write(big) == #big)
    assert(c:write("tail\n") == 5)
    c:close_write()
  end)
  time.sleep(0.1)
  assert(writer:status() == "running", "8 MiB fitted in the socket at once: " .. writer:status())
  local got = assert(s:read_all({ max = 16 * 1024 * 1024 }))
  assert(#got == #big + 5, "got " .. #got .. " bytes")
  assert(got == big .. "tail\n", "the bytes came out of order or changed")
  writer:wait(5)
  c:close()
  s:close()
end

function TestWriteAfterItsDeadlineTimesOut(t)
  -- A write whose deadline has passed is not written, however much room
  -- the socket has.
  local th = require("testhelp")
  local c, s = th.tcp_pair()
  c:set_write_deadline(time.now() - 1)
  local n, err = c:write("late")
  th.expect_error("timeout", n, err, "write past its deadline")
  c:set_write_deadline(0)
  assert(c:write("on time") == 7)
  assert(s:read_full(7) == "on time")
  c:close()
  s:close()
end
