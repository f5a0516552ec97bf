-- Growth tests: every parser of the stdlib fed its worst input at n and
-- 8n bytes. Its cost, counted by the test-only global work() (VM
-- instructions plus pattern-matching steps, over every task of the state:
-- the server's side of an exchange counts too), must grow about 8 times,
-- not 64: a peer's bytes never make a parser work more than linearly,
-- and one task cannot stall the others by sending them (issue 23).
-- Nothing here measures time.

local resp = require "resp"
local th = require "testhelp"

-- linear makes the input of each size with make(size) (not counted),
-- then counts the work of run(input), and fails unless 8 times the bytes
-- cost less than 12 times the work (linear gives about 8, quadratic 64).
-- The costs go to the test log (go test -v).
local function linear(t, what, n, make, run)
  local costs = {}
  for i, size in ipairs({ n, 8 * n }) do
    local input = make(size)
    local w0 = work()
    run(input)
    costs[i] = work() - w0
  end
  assert(costs[2] < 12 * costs[1], ("%s: %d units of work at n = %d, %d at 8n: not linear"):format(
    what, costs[1], n, costs[2]))
  t:log(("%s: %d at n = %d, %d at 8n (x%.1f)"):format(what, costs[1], n, costs[2], costs[2] / costs[1]))
end

local function blanks(n) return ("a" .. (" "):rep(n) .. "b") end

-- RESP ----------------------------------------------------------------------

-- A reply line of each type, its payload the worst for the type's
-- pattern: a long run the pattern accepts, then a byte it refuses.
local RESP_LINES = {
  { "integer of zeros", function(n) return ":" .. ("0"):rep(n) .. "x" end },
  { "negative integer of zeros", function(n) return ":-" .. ("0"):rep(n) .. "x" end },
  { "integer of digits", function(n) return ":" .. ("1"):rep(n) .. "x" end },
  { "double of digits", function(n) return "," .. ("1"):rep(n) .. "x" end },
  { "double of points", function(n) return "," .. ("."):rep(n) .. "x" end },
  { "double exponent", function(n) return ",1e" .. ("1"):rep(n) .. "x" end },
  { "big number", function(n) return "(" .. ("1"):rep(n) .. "x" end },
  { "bulk length", function(n) return "$" .. ("1"):rep(n) .. "x" end },
  { "array count", function(n) return "*-" .. ("1"):rep(n) .. "x" end },
  { "map count", function(n) return "%" .. ("0"):rep(n) .. "x" end },
}

-- pair_with returns the reading end of a loopback conn to which data has
-- been written, and the writing end, half-closed.
local function pair_with(data)
  local c, s = th.tcp_pair()
  assert(s:write(data))
  s:close_write()
  return { c = c, s = s }
end

function TestGrowthRESPReply(t)
  for _, case in ipairs(RESP_LINES) do
    local name, line = case[1], case[2]
    linear(t, "resp.read_reply, " .. name, 1000, function(n) return pair_with(line(n) .. "\r\n") end, function(p)
      local v, err = resp.read_reply(p.c)
      th.expect_error("other", v, err, name)
      p.c:close(); p.s:close()
    end)
  end
  -- Long numbers that are well formed still read.
  local v = assert(resp.read_reply(pair_with(":" .. ("0"):rep(5000) .. "42\r\n").c))
  assert(v == 42, v)
  v = assert(resp.read_reply(pair_with(",-" .. ("0"):rep(5000) .. "1.5e" .. ("0"):rep(3000) .. "1\r\n").c))
  assert(v == -15, v)
  v = assert(resp.read_reply(pair_with("(" .. ("9"):rep(5000) .. "\r\n").c))
  assert(v == ("9"):rep(5000), #v)
end

function TestGrowthRESPCommand(t)
  local lines = {
    { "inline words", function(n) return (" a"):rep(n / 2) end },
    { "inline blanks", function(n) return "a" .. (" "):rep(n) .. "b" end },
    { "count", function(n) return "*" .. ("1"):rep(n) .. "x" end },
  }
  for _, case in ipairs(lines) do
    local name, line = case[1], case[2]
    linear(t, "resp.read_command, " .. name, 2000, function(n) return pair_with(line(n) .. "\r\n") end, function(p)
      resp.read_command(p.c)
      p.c:close(); p.s:close()
    end)
  end
  -- An argument's length.
  linear(t, "resp.read_command, argument length", 2000, function(n)
    return pair_with("*1\r\n$" .. ("0"):rep(n) .. "x\r\n")
  end, function(p)
    th.expect_error("other", resp.read_command(p.c))
    p.c:close(); p.s:close()
  end)
end
