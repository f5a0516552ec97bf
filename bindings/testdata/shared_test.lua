-- Calls of several tasks on one socket: a timeout or a cancel belongs to
-- the one call it was for. Go has one deadline per direction per socket;
-- the others must neither fail nor lose bytes (deadline.go).

local th = require "testhelp"
local listen, tcp_pair, expect_error = th.listen, th.tcp_pair, th.expect_error

-- echo is a line echo handler for ln:serve.
local function echo(c)
  c:set_timeout(10)
  for line in c:lines() do c:write(line .. "\n") end
end

-- round_trip checks that the server at ln answers a line.
local function round_trip(ln, what)
  local c = assert(net.dial("tcp", tostring(ln:addr()), { timeout = 5 }))
  c:set_timeout(5)
  assert(c:write(what .. "\n"))
  local line, err = c:read_line()
  assert(line == what, what .. ": " .. tostring(err))
  c:close()
end

-- The task blocked in a call: time for it to get there (nothing to wait
-- on tells it has).
local function settle() time.sleep(0.05) end

-- small_buffers makes the kernel hold little of what c writes to s, so
-- that a write of a few MiB surely blocks until s reads (without them,
-- loopback TCP grows its buffers to several MiB).
local function small_buffers(c, s)
  assert(c:set_write_buffer(64 * 1024))
  assert(s:set_read_buffer(64 * 1024))
end

function TestTimedAcceptBesideServe(t)
  local ln = listen()
  local server = ln:serve(echo)
  settle()
  local c, err = ln:accept(0.1)
  expect_error("timeout", c, err, "timed accept")
  round_trip(ln, "after a timed accept")
  assert(server:status() == "running", server:status())
  ln:close()
  assert(server:wait(5) == nil)
end

function TestCanceledAcceptBesideServe(t)
  local ln = listen()
  local server = ln:serve(echo)
  local acceptor = task.spawn(function() return ln:accept() end)
  settle()
  acceptor:cancel()
  local _, err = acceptor:wait(5)
  assert(err.kind == "canceled", tostring(err))
  round_trip(ln, "after a canceled accept")
  assert(server:status() == "running", server:status())
  ln:close()
end

function TestTwoTimedAccepts(t)
  -- Each accept keeps its own timeout, the longer one too.
  local ln = listen()
  local long = task.spawn(function() return ln:accept(5) end)
  settle()
  local c, err = ln:accept(0.05)
  expect_error("timeout", c, err, "short accept")
  assert(long:status() == "running", long:status())
  local d = assert(net.dial("tcp", tostring(ln:addr()), { timeout = 5 }))
  local s = assert(long:wait(5))
  s:close(); d:close(); ln:close()
end

function TestCancelReaderKeepsWriter(t)
  -- A reader and a writer on one conn; canceling the reader must not cut
  -- the write short: every byte arrives, in order.
  local c, s = tcp_pair()
  small_buffers(c, s)
  local big = string.rep("0123456789abcdef", 524288) -- 8 MiB: more than the socket buffers hold
  local reader = task.spawn(function() return c:read() end)
  local writer = task.spawn(function() return c:write(big) end)
  settle()
  reader:cancel()
  local _, rerr = reader:wait(5)
  assert(rerr.kind == "canceled", tostring(rerr))
  local got = assert(s:read_full(#big))
  assert(got == big, "the stream changed")
  local n, werr = writer:wait(5)
  assert(n == #big, tostring(werr))
  c:close(); s:close()
end

function TestCancelWriterKeepsReader(t)
  local c, s = tcp_pair()
  small_buffers(c, s)
  local big = string.rep("x", 8 * 1024 * 1024)
  local reader = task.spawn(function() return c:read() end)
  local writer = task.spawn(function() return c:write(big) end)
  settle()
  writer:cancel()
  local _, werr = writer:wait(5)
  assert(werr.kind == "canceled", tostring(werr))
  assert(s:write("still reading"))
  local data, err = reader:wait(5)
  assert(data == "still reading", tostring(err))
  c:close(); s:close()
end

function TestCancelOneOfTwoReaders(t)
  local c, s = tcp_pair()
  local first = task.spawn(function() return c:read() end)
  settle()
  local second = task.spawn(function() return c:read() end)
  settle()
  -- The second waits behind the first: canceling it ends it at once...
  second:cancel()
  local _, err = second:wait(5)
  assert(err.kind == "canceled", tostring(err))
  -- ...and the first still reads.
  assert(s:write("one"))
  local data, ferr = first:wait(5)
  assert(data == "one", tostring(ferr))
  -- Now cancel the one in the socket read: the one behind it reads.
  first = task.spawn(function() return c:read() end)
  settle()
  second = task.spawn(function() return c:read() end)
  settle()
  first:cancel()
  _, err = first:wait(5)
  assert(err.kind == "canceled", tostring(err))
  assert(s:write("two"))
  data, err = second:wait(5)
  assert(data == "two", tostring(err))
  c:close(); s:close()
end

function TestExpectTimeoutBesideReader(t)
  -- expect's own timeout ends expect only, even while it waits behind
  -- another task's read.
  local c, s = tcp_pair()
  local reader = task.spawn(function() return c:read_line() end)
  settle()
  local m, err = c:expect("never", 0.1)
  expect_error("timeout", m, err, "expect")
  assert(s:write("line\n"))
  local line, rerr = reader:wait(5)
  assert(line == "line", tostring(rerr))
  c:close(); s:close()
end

function TestDeadlineSurvivesOtherCancel(t)
  -- The deadline a script set stays in force for its read when another
  -- task's call on the conn is canceled: neither sooner nor never.
  local c, s = tcp_pair()
  small_buffers(c, s)
  c:set_read_deadline(time.now() + 0.5)
  local start = time.now()
  local reader = task.spawn(function() local d, err = c:read(); return d, err, time.now() end)
  local writer = task.spawn(function() return c:write(string.rep("x", 8 * 1024 * 1024)) end)
  settle()
  writer:cancel()
  writer:wait(5)
  local d, err, ended = reader:wait(5)
  expect_error("timeout", d, err, "read")
  assert(ended - start >= 0.45, ("the read ended after %.2fs, before its deadline"):format(ended - start))
  c:close(); s:close()
end

function TestRelayCancelKeepsOtherWriter(t)
  -- Canceling a relay stops the relay's reads and writes, not those of
  -- another task on the same conns.
  local a1, a2 = tcp_pair()
  small_buffers(a1, a2)
  local b1, b2 = tcp_pair()
  local relay = task.spawn(function() return net.relay(a1, b1) end)
  local big = string.rep("r", 8 * 1024 * 1024)
  local writer = task.spawn(function() return a1:write(big) end)
  settle()
  relay:cancel()
  relay:wait(5)
  local got = assert(a2:read_full(#big))
  assert(got == big, "the stream changed")
  local n, err = writer:wait(5)
  assert(n == #big, tostring(err))
  a1:close(); a2:close(); b1:close(); b2:close()
end

function TestPacketCancelOneReader(t)
  local pc = assert(net.listen_packet("udp", "127.0.0.1:0"))
  pc:set_timeout(10)
  local r1 = task.spawn(function() return pc:read_from() end)
  local r2 = task.spawn(function() return pc:read_from() end)
  settle()
  r1:cancel()
  local _, err = r1:wait(5)
  assert(err.kind == "canceled", tostring(err))
  local sender = assert(net.listen_packet("udp", "127.0.0.1:0"))
  assert(sender:write_to("ping", pc:local_addr()))
  local data, rerr = r2:wait(5)
  assert(data == "ping", tostring(rerr))
  pc:close(); sender:close()
end

function TestPacketExchangeBesideReader(t)
  -- An exchange's wait for a reply times out for the exchange only.
  local pc = assert(net.listen_packet("udp", "127.0.0.1:0"))
  local silent = assert(net.listen_packet("udp", "127.0.0.1:0"))
  pc:set_timeout(10)
  local reader = task.spawn(function() return pc:read_from() end)
  settle()
  local r, err = pc:exchange("hello?", silent:local_addr(), { timeout = 0.1, retries = 0 })
  expect_error("timeout", r, err, "exchange")
  assert(reader:status() == "running", reader:status())
  assert(silent:write_to("late", pc:local_addr()))
  local data, rerr = reader:wait(5)
  assert(data == "late", tostring(rerr))
  pc:close(); silent:close()
end

function TestUpgradeRefusedDuringWrite(t)
  -- TLS cannot take the socket over while another task writes to it: the
  -- write would go on into the TLS stream.
  local c, s = tcp_pair()
  small_buffers(c, s)
  local big = string.rep("w", 8 * 1024 * 1024)
  local started = task.chan(1)
  local writer = task.spawn(function()
    started:send(true)
    return c:write(big)
  end)
  assert(started:recv(5))
  settle()
  local tc, err = tls.client(c, { insecure = true })
  assert(tc == nil and tostring(err):find("a write is in progress", 1, true), tostring(err))
  writer:cancel()
  writer:wait(5)
  c:close(); s:close()
end
