-- Writes held while input waits (heldwrite.go; docs/API.md "Writes held
-- while input waits"): a write made while the peer's next input waits
-- unread in the conn's buffer is held, and goes out before anything else
-- is written on the conn, in the order it was written.

local th = require "testhelp"

-- pipelined returns a pair whose server end s has read "a" and still has
-- "b\n" waiting unread: a write on s now is held.
local function pipelined()
  local c, s = th.tcp_pair()
  assert(c:write("a\nb\n"))
  time.sleep(0.05) -- both lines in s's socket, read in one go below
  assert(s:read_line() == "a")
  assert(s:buffered() == "b\n")
  return c, s
end

function TestHeldWriteReturnsItsLength(t)
  local c, s = pipelined()
  assert(s:write("A\n") == 2)
  assert(s:send_line("B") == 2)
  assert(c:read_full(4) == "A\nB\n")
end

function TestHeldBytesGoBeforeAFrame(t)
  local c, s = pipelined()
  assert(s:write("1"))
  assert(s:write_frame("xyz", { size = 1 }))
  assert(c:read_full(5) == "1\3xyz")
end

function TestHeldBytesGoBeforeAFile(t)
  local c, s = pipelined()
  local path = t:tempdir() .. "/f"
  local f = assert(io.open(path, "wb"))
  f:write("file")
  f:close()
  assert(s:write("head:"))
  assert(s:send_file(path) == 4)
  assert(c:read_full(9) == "head:file")
end

function TestHeldBytesGoBeforeCloseWrite(t)
  local c, s = pipelined()
  assert(s:write("last"))
  assert(s:close_write())
  assert(c:read_all() == "last")
end

function TestHeldBytesGoBeforeClose(t)
  local c, s = pipelined()
  assert(s:write("bye"))
  assert(s:close())
  assert(c:read_all() == "bye")
end

function TestWritesOfTwoTasksKeepTheirOrder(t)
  local c, s = pipelined()
  assert(s:write("1"))
  -- Another task's write while s holds bytes: after them, not before.
  local other = task.spawn(function() return s:write("2") end)
  assert(s:write("3"))
  assert(other:wait())
  local got = c:read_full(3)
  assert(got == "132" or got == "123", got)
  assert(got:sub(1, 1) == "1", "the held byte first")
end

function TestHeldWriteFailureComesWithTheNextWrite(t)
  local c, s = pipelined()
  assert(s:write("A")) -- held
  assert(c:set_linger(0))
  assert(c:close()) -- a reset
  time.sleep(0.1) -- a wait: the held byte is written, to a reset socket
  local err
  for _ = 1, 20 do -- the reset may make a write or two succeed first
    local ok, e = s:write("more")
    if not ok then err = e break end
    time.sleep(0.01)
  end
  assert(err, "a write to a reset conn fails")
  assert(err.kind == "reset" or err.kind == "closed", tostring(err))
end

function TestFlushWithNothingHeld(t)
  local c, s = th.tcp_pair()
  assert(s:flush() == true)
  assert(s:write("x"))
  assert(s:flush() == true)
  assert(c:read_full(1) == "x")
end

-- c:write(data, {more = true}): held with no input waiting, for what
-- follows at once.
local function file_of(t, data)
  local path = t:tempdir() .. "/f"
  local f = assert(io.open(path, "wb"))
  f:write(data)
  f:close()
  return path
end

function TestMoreHoldsForASmallFile(t)
  local c, s = th.tcp_pair()
  local path = file_of(t, "body")
  assert(s:write("head:", { more = true }) == 5)
  assert(s:send_file(path) == 4, "send_file counts the file's bytes")
  assert(c:read_full(9) == "head:body")
end

function TestMoreHoldsForABigFile(t)
  local c, s = th.tcp_pair()
  local data = ("0123456789abcdef"):rep(4096) -- 64 KiB: sendfile(2)
  local path = file_of(t, data)
  local got = task.spawn(function() return c:read_full(5 + #data) end)
  assert(s:write("head:", { more = true }))
  assert(s:send_file(path) == #data)
  assert(got:wait() == "head:" .. data)
end

function TestMoreHeadGoesOutWhenTheFileFails(t)
  local c, s = th.tcp_pair()
  assert(s:write("head:", { more = true }))
  local n, err = s:send_file(t:tempdir() .. "/missing")
  assert(n == nil and err.kind == "other", tostring(err))
  assert(c:read_full(5) == "head:")
end

function TestMoreHeldUntilTheTaskWaits(t)
  local c, s = th.tcp_pair()
  assert(s:write("a", { more = true }))
  assert(s:write("b", { more = true }))
  assert(c:read_full(2) == "ab") -- this read waits: what s holds goes out
end

function TestMoreRefusesOtherKeys(t)
  local _, s = th.tcp_pair()
  local ok, err = pcall(s.write, s, "x", { mroe = true })
  assert(not ok and tostring(err):find("unknown option 'mroe'", 1, true), tostring(err))
  ok, err = pcall(s.write, s, "x", { more = "yes" })
  assert(not ok and tostring(err):find("more", 1, true), tostring(err))
end

