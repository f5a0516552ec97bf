-- Fairness scenario for bench/fairness.sh (issue 23), written as a user would:
--   gonetrepl bench/lua/fairness.lua [BUSY_SECS [RUN [CANCEL_SECS [SCALE]]]]
-- One process holds an echo server (ln:serve), a ticker task, and, on cue, two
-- hostile tasks: (a) a pure-Lua loop for BUSY_SECS (default 3) and (b) a
-- backtracking pattern on 1 MiB: string.find(s, "[ \t]+$"), the trim of issue 23
-- item 1, on 1 MiB made of runs of RUN blanks (default 63) each followed by "x":
-- at every start it scans to the end of the run and fails, about n*RUN/2 steps
-- in all (seconds on the 2-vCPU VM of BENCHMARKS.md).
--
-- It talks to its driver (bench/tools/fairness) in lines:
--   stdout "LISTEN addr"  the echo server is up; the driver measures idle round trips
--   stdin  "go"           start (a) and (b); the driver measures round trips meanwhile
--   stdout "BUSY_DONE"    (a) and (b) have ended; the driver stops its round trips
--   stdin  "next"         the driver is done with the echo server; go on to the cancels
--   stdout "RESULT key value [note]" figures, then "DONE"
-- Every loop is bounded in count and time; everything is on 127.0.0.1.
local BUSY = tonumber(arg[1]) or 3
local RUN = tonumber(arg[2]) or 63
local CANCEL = tonumber(arg[3]) or BUSY -- how long the tasks to cancel would run
local SCALE = tonumber(arg[4]) or 1 -- of the long builtins' inputs (tests make them small)
assert(BUSY > 0 and BUSY <= 30, "BUSY_SECS: 0 < secs <= 30")
assert(RUN >= 1 and RUN < 2^20, "RUN: 1 <= blanks < 2^20")
assert(CANCEL > 0.2 and CANCEL <= 30, "CANCEL_SECS: 0.2 < secs <= 30")
assert(SCALE > 0 and SCALE <= 4, "SCALE: 0 < scale <= 4")

local function result(key, value, note)
  print(string.format("RESULT %s %s%s", key, value, note and (" " .. note) or ""))
end

-- (d) the echo server, as bench/lua/echo.lua serves each conn
local ln = assert(net.listen("tcp", "127.0.0.1:0"))
ln:serve(function(c)
  while true do
    local data = c:read(65536)
    if not data or not c:write(data) then break end
  end
end)

-- (c) the ticker: sleeps 5 ms in a loop and notes each wake-up. gap(from, to) is
-- the longest time without a wake-up within [from, to] (about 5 ms when nothing
-- stalls it); a stall that began before `from` counts from `from`.
local ticking = true
local wakes = {time.now()}
local ticker = task.spawn(function()
  for _ = 1, 1e5 do -- bounded: stops when told, or after 1e5 ticks (over 8 minutes)
    if not ticking then break end
    time.sleep(0.005)
    wakes[#wakes + 1] = time.now()
  end
end)
local function gap(from, to)
  local g, n = 0, 0
  for i = 1, #wakes do
    local a, b = wakes[i], wakes[i + 1] or to -- the last gap is still open at `to`
    a, b = math.max(a, from), math.min(b, to)
    if b > a then g = math.max(g, b - a) end
    if wakes[i] > from and wakes[i] <= to then n = n + 1 end
  end
  return string.format("%.1f", g * 1000), "wakeups=" .. n
end

-- (a) a pure-Lua loop: no call but a clock check every 2^16 iterations
local function lua_loop(secs)
  local stop = time.now() + secs
  local x = 0
  for i = 1, 2^40 do
    x = x + i
    if i % 65536 == 0 and time.now() > stop then return i end
  end
  return x
end

-- (b) the backtracking pattern on 1 MiB
local subject = ((" "):rep(RUN) .. "x"):rep(math.floor(2^20 / (RUN + 1)))
local function pattern()
  return (subject:find("[ \t]+$")) -- no match: every start fails at "x"
end

local idle0 = time.now()
print("LISTEN " .. tostring(ln:addr()))
local cue = io.read("*l")
assert(cue == "go", "expected go on stdin, got " .. tostring(cue))

-- Both hostile tasks at once, the ticker and the echo server beside them.
local t0 = time.now()
local ta = task.spawn(function() lua_loop(BUSY); return time.now() - t0 end)
local tb = task.spawn(function() pattern(); return time.now() - t0 end)
local da, db = assert(ta:wait()), assert(tb:wait())
local t1 = time.now()
print("BUSY_DONE")
cue = io.read("*l") -- the driver has finished the round trips the busy phase delayed
assert(cue == "next", "expected next on stdin, got " .. tostring(cue))
result("loop_s", string.format("%.2f", da))
result("pattern_s", string.format("%.2f", db))
result("ticker_gap_idle_ms", gap(idle0, t0))
result("ticker_gap_busy_ms", gap(t0, t1))

-- t:cancel() of a busy task 200 ms after it started. The figure is the time from
-- the moment the canceller meant to cancel (its sleep's end) to the end of
-- t:wait(): a canceller that cannot run until the busy task is over cancels late,
-- and that lateness counts. The note says what the task's status was then and
-- how late the cancel was called.
local function cancel(key, fn)
  local t = task.spawn(fn)
  local want = time.now() + 0.2
  time.sleep(0.2)
  local late = time.now() - want
  t:cancel()
  t:wait(30)
  local took = time.now() - want
  result(key, string.format("%.1f", took * 1000),
    string.format("status=%s cancel_called_late_ms=%.1f", t:status(), late * 1000))
end
local c0 = time.now()
cancel("cancel_loop_ms", function() return lua_loop(CANCEL) end)
cancel("cancel_pattern_ms", function() -- the pattern again and again, for CANCEL seconds
  local stop = time.now() + CANCEL
  for _ = 1, 1e4 do
    pattern()
    if time.now() > stop then break end
  end
end)
result("ticker_gap_cancel_ms", gap(c0, time.now()))

-- Long Go builtins (issue 23 item 5's list), one at a time in a task of their own,
-- on inputs built beforehand: the ticker's longest gap while each runs, and how long
-- it ran. A builtin that holds the interpreter lock throughout stalls the ticker
-- for all of it.
local function numbers(n)
  local t = {}
  for i = 1, n do t[i] = (i * 7919) % 1000003 end
  return t
end
local function pow2(n) -- "2^19" for 524288
  local k = math.floor(math.log(n) / math.log(2) + 0.5)
  return 2^k == n and ("2^" .. k) or tostring(n)
end
local function bytes(n)
  if n >= 2^20 then return string.format("%.3g MiB", n / 2^20) end
  return string.format("%.3g KiB", n / 2^10)
end
local function size(n) return math.max(1, math.floor(n * SCALE)) end
local rep, sorted, sortedcmp, subj, hexed, pieces, big, dumped =
  size(2^24), size(2^19), size(2^17), size(2^20), size(2^23 / 5) * 5, size(2^20), size(2^24), size(2^22 / 5) * 5
local function text(n) return ("\1\2abc"):rep(n / 5) end -- n a multiple of 5
big = big - big % 5
local builtins = {
  {"string.rep", bytes(2 * rep), function() return ("ab"):rep(rep) end},
  {"table.sort", pow2(sorted) .. " numbers", function(t) table.sort(t) end, function() return numbers(sorted) end},
  {"table.sort", pow2(sortedcmp) .. ", Lua comparator", function(t) table.sort(t, function(a, b) return a < b end) end,
    function() return numbers(sortedcmp) end},
  {"string.gsub", bytes(subj) .. ", " .. pow2(subj) .. " replacements", function(s) return (s:gsub("a", "bc")) end,
    function() return ("a"):rep(subj) end},
  {"string.gsub", bytes(subj) .. ", a Lua function", function(s) return (s:gsub("a", function() return "b" end)) end,
    function() return ("a"):rep(subj) end},
  {"bin.hex", bytes(hexed), function(s) return bin.hex(s) end, function() return text(hexed) end},
  {"string.rep", bytes(big) .. " piece, twice", function(s) return s:rep(2) end, function() return text(big) end},
  {"string.upper", bytes(big), function(s) return s:upper() end, function() return text(big) end},
  {"string.reverse", bytes(big), function(s) return s:reverse() end, function() return text(big) end},
  {"string.format", '"%s", ' .. bytes(big), function(s) return string.format("%s", s) end, function() return text(big) end},
  {"bin.hexdump", bytes(dumped), function(s) return bin.hexdump(s) end, function() return text(dumped) end},
  {"table.concat", pow2(pieces) .. " pieces", function(t) return table.concat(t) end, function()
    local t = {}
    for i = 1, pieces do t[i] = "x" end
    return t
  end},
}
for i, b in ipairs(builtins) do
  local input = b[4] and b[4]()
  local t0 = time.now()
  local t = task.spawn(b[3], input)
  t:wait(60)
  local t1 = time.now()
  local g, wakeups = gap(t0, t1)
  result("builtin" .. i .. "_gap_ms", g, string.format("took_ms=%.1f %s call=%s(%s)", (t1 - t0) * 1000,
    wakeups, b[1], (b[2]:gsub(" ", "_"))))
  input = nil
  collectgarbage()
end

ticking = false
ticker:wait(5)
ln:close()
print("DONE")
