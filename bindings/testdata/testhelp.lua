-- testhelp: helpers shared by the Lua tests (testdata/*_test.lua), which
-- the harness (lua_test.go) makes available as require "testhelp".

local M = {}

-- listen returns a TCP listener on a free loopback port.
function M.listen()
  return assert(net.listen("tcp", "127.0.0.1:0"))
end

-- tcp_pair returns both ends of a loopback TCP connection, each with a
-- 10-second idle timeout so that a test that goes wrong fails, not hangs.
function M.tcp_pair()
  local ln = M.listen()
  local accepted = task.chan(1)
  task.spawn(function() accepted:send(assert(ln:accept(10))) end)
  local c = assert(net.dial("tcp", tostring(ln:addr()), { timeout = 10 }))
  local s = assert(accepted:recv(10))
  ln:close()
  c:set_timeout(10)
  s:set_timeout(10)
  return c, s
end

-- serve_once listens on a free loopback port and, in a task, accepts one
-- client (within 10 seconds), closes the listener, runs handler(c) with a
-- 10-second idle timeout on the conn, and closes it: a fake server for one
-- exchange. It returns the address to dial.
function M.serve_once(handler)
  local ln = M.listen()
  task.spawn(function()
    local c = assert(ln:accept(10))
    ln:close()
    c:set_timeout(10)
    handler(c)
    c:close()
  end)
  return tostring(ln:addr())
end

-- expect_error checks that a call returned nil, err with err.kind == kind,
-- and returns err; what names the call in the failure message.
function M.expect_error(kind, v, err, what)
  what = what or "call"
  assert(v == nil, what .. ": succeeded (" .. tostring(v) .. "), want kind " .. kind)
  assert(err.kind == kind, what .. ": want kind " .. kind .. ", got " .. tostring(err.kind) .. ": " .. tostring(err))
  return err
end

-- turns_during calls f, which holds the interpreter (a Go builtin that
-- runs long without blocking), while a ticker task wakes every
-- millisecond; it returns how many times the ticker ran while f ran, then
-- f's result. 0 means f stalled every other task for its whole run.
function M.turns_during(f)
  local turns, stop = 0, false
  local ticker = task.spawn(function()
    while not stop do
      time.sleep(0.001)
      turns = turns + 1
    end
  end)
  time.sleep(0.01) -- the ticker is running
  local before = turns
  local result = f()
  local during = turns - before
  stop = true
  ticker:wait(10)
  return during, result
end

return M
