-- c:expect(pattern [, timeout [, max]]) over loopback TCP and pipes.

local tcp_pair = require("testhelp").tcp_pair
local turns_during = require("testhelp").turns_during

function TestExpectCaptures(t)
  local c, s = tcp_pair()
  assert(c:write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"))
  local data, minor, code, reason = s:expect("^HTTP/1%.(%d) (%d+) ([^\r]*)\r\n")
  assert(data == "HTTP/1.1 200 OK\r\n", data)
  assert(minor == "1" and code == "200" and reason == "OK", tostring(minor) .. tostring(code) .. tostring(reason))
  -- A position capture counts from 1 in the returned data.
  local head, pos, len = s:expect("()Content%-Length: (%d+)\r\n\r\n")
  assert(head == "Content-Length: 5\r\n\r\n" and pos == 1 and len == "5", head)
  assert(s:buffered() == "hello")
  assert(s:read_full(5) == "hello")
  -- Without captures: just the data, up to the end of the match.
  assert(c:write("noise before the prompt\n> rest"))
  local n = select("#", s:expect("> "))
  assert(n == 1)
  assert(s:buffered() == "rest")
  c:close()
  s:close()
end

function TestExpectAcrossWrites(t)
  -- A pipe hands each write over whole to one read, so expect sees the
  -- pieces one at a time and must keep reading until they match.
  local a, b = net.pipe()
  task.spawn(function()
    for _, piece in ipairs({ "Welcome\nlo", "g", "in", ": ", "after" }) do
      assert(a:write(piece))
    end
    a:close()
  end)
  b:set_timeout(10)
  local data = assert(b:expect("login: "))
  assert(data == "Welcome\nlogin: ", data)
  assert(b:read_all() == "after")
end

function TestExpectTimeoutLeavesBytesBuffered(t)
  local c, s = tcp_pair()
  assert(c:write("partial"))
  local t0 = time.now()
  local data, err = s:expect("END", 0.2)
  assert(data == nil and err.kind == "timeout", tostring(err))
  assert(time.since(t0) < 5)
  assert(s:buffered() == "partial", s:buffered())
  -- The conn's own deadline (none beyond set_timeout's 10 s) applies to the
  -- next read again: a read that waits a little succeeds.
  task.spawn(function() time.sleep(0.3) c:write("END\n") end)
  assert(s:expect("END") == "partialEND")
  assert(s:read_line() == "")
  -- A timeout later than the conn's own deadline does not extend it.
  s:set_read_deadline(time.now() + 0.2)
  t0 = time.now()
  data, err = s:expect("never", 30)
  assert(data == nil and err.kind == "timeout", tostring(err))
  assert(time.since(t0) < 5)
  s:set_read_deadline(0)
  c:close()
  s:close()
end

function TestExpectCap(t)
  local c, s = tcp_pair()
  assert(c:write(string.rep("x", 100)))
  local data, err = s:expect("Z", 5, 50)
  assert(data == nil and err.kind == "too_large", tostring(err))
  assert(#s:buffered() >= 50)
  -- A match within the cap is found even with more bytes buffered.
  assert(c:write("Z"))
  data, err = s:expect("Z", 5, 50)
  assert(data == nil and err.kind == "too_large", "match beyond max accepted")
  assert(s:expect("Z", 5, 200) == string.rep("x", 100) .. "Z")

  -- The default cap is 64 KiB: an endless stream without a match stops.
  task.spawn(function()
    for _ = 1, 20 do
      if not c:write(string.rep("y", 8192)) then return end
    end
  end)
  data, err = s:expect("no such thing")
  assert(data == nil and err.kind == "too_large", tostring(err))
  assert(#s:buffered() >= 65536, #s:buffered())
  c:close()
  s:close()
end

function TestExpectEOF(t)
  local c, s = tcp_pair()
  assert(c:write("abc"))
  assert(c:close_write())
  local data, err = s:expect("Z")
  assert(data == nil and err.kind == "eof", tostring(err))
  assert(s:buffered() == "abc")
  -- A match that the bytes before EOF give is still found.
  assert(s:expect("b") == "ab")
  assert(s:read_all() == "c")
  c:close()
  s:close()
end

function TestExpectBuffered(t)
  -- Bytes already buffered by an earlier read match without waiting.
  local a, b = net.pipe()
  task.spawn(function() a:write("one\ntwo three\n") end)
  assert(b:read_line() == "one")
  assert(b:expect("(%a+)\n") == "two three\n")
  -- An empty pattern matches at once.
  assert(b:expect("") == "")
  a:close()
end

function TestExpectBadPattern(t)
  local a = net.pipe()
  for _, p in ipairs({ "[a", "(", "%1" }) do
    local ok, err = pcall(a.expect, a, p)
    assert(not ok and tostring(err):find("pattern:", 1, true), p .. ": " .. tostring(err))
  end
  local ok, err = pcall(a.expect, a, "x", -1)
  assert(not ok and tostring(err):find("timeout:", 1, true), tostring(err))
  ok, err = pcall(a.expect, a, "x", 1, 0)
  assert(not ok and tostring(err):find("max:", 1, true), tostring(err))
  -- A mistake the matcher finds only on data is raised when data comes.
  local b
  a, b = net.pipe()
  task.spawn(function() a:write("abc") end)
  ok, err = pcall(b.expect, b, "a%1", 10)
  assert(not ok and tostring(err):find("invalid capture index", 1, true), tostring(err))
  assert(b:buffered() == "abc")
end

function TestExpectCanceled(t)
  local a, b = net.pipe()
  local started = task.chan(1)
  local waiter = task.spawn(function()
    started:send(true)
    return b:expect("never")
  end)
  started:recv(10)
  task.yield()
  waiter:cancel()
  local r1, r2 = waiter:wait(10)
  if waiter:status() == "done" then -- expect returned nil, err before the task stopped
    assert(r1 == nil and r2.kind == "canceled", tostring(r2))
  else
    assert(waiter:status() == "canceled", waiter:status())
  end
  local _, err = b:expect("never", 0.05)
  assert(err.kind == "timeout", tostring(err)) -- the conn is still usable
  a:close()
end

-- A backtracking pattern on what a peer chose to send takes time quadratic
-- in the bytes; expect caps that work (256 steps per byte of max) and
-- returns too_large, consuming nothing, rather than matching for minutes.
function TestExpectCapsMatchingWork(t)
  local c, s = tcp_pair()
  local letters = string.rep("a", 16384)
  assert(c:write(letters))
  -- Without the cap this would match until the conn's idle timeout
  -- (kind timeout); with it, the work runs out first.
  local data, err = s:expect("(%w+)\n")
  assert(data == nil and err.kind == "too_large", tostring(err))
  assert(tostring(err):find("matching steps", 1, true), tostring(err))
  local kept = s:buffered()
  assert(#kept > 0 and kept == letters:sub(1, #kept), "bytes consumed")
  -- Nothing was consumed: the bytes are all there for the next read.
  assert(c:write("\n"))
  assert(s:read_line() == letters)
end

-- A pattern that fails fast at each position stays within the work cap even
-- when 60 KB trickle in before the match, matched again at every arrival.
function TestExpectLongBannerTrickles(t)
  local c, s = tcp_pair()
  task.spawn(function()
    for i = 1, 60 do
      assert(c:write(string.rep("x", 1023) .. "\n"))
      time.sleep(0.001)
    end
    assert(c:write("login> "))
  end)
  local data = assert(s:expect("login> ", 10))
  assert(#data == 60 * 1024 + 7, #data)
end

-- trickle writes s to conn a one byte per write, then closes it. Over a
-- pipe each write is one read of the other end.
local function trickle(a, s, pause)
  task.spawn(function()
    for i = 1, #s do
      if not a:write(s:sub(i, i)) then return end
      if pause then time.sleep(pause) end
    end
  end)
end

-- A slow, honest peer sends a byte per write (a serial console, a telnet
-- daemon): every arrival is matched again, and a pattern that is linear on
-- one search must stay within the work cap over the whole call.
function TestExpectOneByteAtATime(t)
  local line = string.rep("x", 20000)
  local a, b = net.pipe()
  b:set_timeout(60)
  trickle(a, line .. "\nrest")
  local data, err = b:expect("\n")
  assert(data == line .. "\n", tostring(err))

  -- An anchored status line with a long reason phrase, with captures.
  local reason = string.rep("r", 20000)
  a, b = net.pipe()
  b:set_timeout(60)
  trickle(a, "HTTP/1.1 200 " .. reason .. "\r\nServer: x\r\n")
  local code, got
  data, code, got = b:expect("^HTTP/1%.%d (%d+) ([^\r\n]*)\r\n")
  assert(data, tostring(code))
  assert(code == "200" and got == reason, tostring(code))
  -- Lazy and %b items resume too; results are string.find's.
  a, b = net.pipe()
  b:set_timeout(60)
  local body = "(" .. string.rep("(y)", 5000) .. ")"
  trickle(a, "hdr " .. body .. " tail\n")
  local hdr, pos, braces
  data, hdr, pos, braces = b:expect("^(.-) ()(%b())")
  assert(data == "hdr " .. body and hdr == "hdr" and pos == 5 and braces == body, tostring(pos))
  assert(b:expect("\n") == " tail\n")
end

-- The same from a real slow peer over loopback TCP (expect_peer_test.go:
-- a byte per write, a pause after each).
function TestExpectOneByteAtATimeTCP(t)
  local c = assert(net.dial("tcp", TRICKLE_ADDR))
  c:set_timeout(60)
  assert(c:write("20000\n"))
  local data, err = c:expect("\n")
  assert(data == string.rep("z", 20000) .. "\n", tostring(err))
  local code
  data, code = c:expect("^HTTP/1%.%d (%d+)[^\n]*\n")
  assert(data == "HTTP/1.0 204 " .. string.rep("r", 20000) .. "\r\n", tostring(code))
  assert(code == "204")
  c:close()
end

-- expect's matching work (counted in work(), as string.find's) over bytes
-- arriving one at a time grows linearly with them.
function TestExpectWorkGrowsLinearly(t)
  local function cost(pattern, text)
    local a, b = net.pipe()
    b:set_timeout(60)
    local w0 = work()
    trickle(a, text)
    local data, err = b:expect(pattern)
    assert(data == text, tostring(err))
    return work() - w0
  end
  for _, c in ipairs({
    { "\n", function(n) return string.rep("x", n) .. "\n" end },
    { "^HTTP/1%.%d (%d+)[^\n]*\n", function(n) return "HTTP/1.1 200 " .. string.rep("r", n) .. "\n" end },
    { "login: ", function(n) return string.rep("x", n) .. "login: " end },
  }) do
    local small, large = cost(c[1], c[2](2000)), cost(c[1], c[2](16000))
    assert(large / small < 12, string.format("%q: work %d for 2000 bytes, %d for 16000", c[1], small, large))
  end
end

-- A search of bytes already buffered runs with the interpreter lock held;
-- a backtracking one takes its whole step budget (a third of a second for
-- a max of 64 KiB, 0.1 s for 16 KiB) and ticks as string.find does, so
-- other tasks run meanwhile.
function TestExpectBufferedSearchLetsOthersRun(t)
  local c, s = tcp_pair()
  assert(c:write(string.rep("a", 16384)))
  local data, err = s:expect("never", 0.3) -- buffers the letters
  assert(err.kind == "timeout" and #s:buffered() == 16384, #s:buffered())
  local turns = turns_during(function()
    data, err = s:expect("(%w+)\n", nil, 16384) -- 4 million steps
  end)
  assert(data == nil and err.kind == "too_large", tostring(err))
  assert(turns > 0, "the ticker never ran during the search")
  c:close()
  s:close()
end

-- A search of bytes as they arrive runs with the interpreter lock released
-- and may take its whole budget (seconds for a large max): a cancel or the
-- call's timeout stops it there.
function TestExpectLongSearchStops(t)
  local c, s = tcp_pair()
  local letters = string.rep("a", 256 * 1024)
  local max = 4 * 2 ^ 20 -- a budget of a billion steps
  local started = task.chan(1)
  local waiter = task.spawn(function()
    started:send(true)
    return s:expect("(%w+)\n", 60, max)
  end)
  started:recv(10)
  assert(c:write(letters))
  time.sleep(1) -- into a search over 10,000 letters or more: a second or more
  local t0 = time.now()
  waiter:cancel()
  waiter:wait(30)
  -- The search has stopped and let the conn go: another read gets it.
  assert(s:expect("^a", 10) == "a")
  assert(time.since(t0) < 0.5, "cancel took " .. time.since(t0) .. " s")

  -- The timeout bounds a search of buffered bytes too: kind timeout,
  -- nothing consumed.
  -- Buffer what has come with a literal search (bytes.Index: fast under
  -- any load), not expect: a pattern search of the growing buffer could
  -- itself outlast a short timeout on a loaded machine, never read more,
  -- and spin here. Bounded in time.
  local _, err
  local until_t = time.now() + 30
  while #s:buffered() < #letters - 1 and time.now() < until_t do
    _, err = s:read_until("never", { timeout = 0.1, max = max })
    assert(err.kind == "timeout", tostring(err))
  end
  assert(#s:buffered() == #letters - 1, "only " .. #s:buffered() .. " bytes came in 30 s")
  t0 = time.now()
  local data
  data, err = s:expect("(%w+)\n", 0.3, max)
  assert(data == nil and err.kind == "timeout", tostring(err))
  assert(time.since(t0) < 2, "timeout took " .. time.since(t0) .. " s")
  assert(#s:buffered() >= 1)
  c:close()
  s:close()
end
