-- Fairness: a task that runs long without blocking hands the interpreter
-- to the others every time slice (bindings/gil.go: TimeSlice), at a tick
-- of the VM or of a long Go builtin; a cancel stops it there.

local T = require "testhelp"

-- busyUntil runs step() until flag() is true or a lot of CPU time has
-- passed, and reports whether flag() came true. Before preemption the
-- ticker could not run while step() looped: flag() stayed false.
local function busyUntil(flag, step)
  local t0 = os.clock()
  while not flag() do
    step()
    if os.clock() - t0 > 20 then return false end
  end
  return true
end

-- A ticker that counts its wake-ups.
local function ticker()
  local state = {ticks = 0, stop = false}
  state.task = task.spawn(function()
    while not state.stop do
      time.sleep(0.001)
      state.ticks = state.ticks + 1
    end
  end)
  return state
end

function TestLoopLetsOthersRun()
  local tk = ticker()
  time.sleep(0.01)
  local seen = tk.ticks
  local x = 0
  assert(busyUntil(function() return tk.ticks >= seen + 3 end,
    function() for i = 1, 100 do x = x + i end end),
    "the ticker never ran while a loop held the interpreter")
  tk.stop = true
  tk.task:wait()
end

function TestBuiltinsLetOthersRun()
  local tk = ticker()
  time.sleep(0.01)
  -- Each of these runs long in one Go call: a backtracking pattern, a
  -- sort of a million numbers, a 128 MiB string.rep, a big concat, a big
  -- os.date.
  local work = {
    find = function() return string.find(("a"):rep(2000), "(a*)b") end,
    gsub = function() return (("a"):rep(2000)):gsub("a*b", "") end,
    sort = function()
      local t = {}
      for i = 1, 1e5 do t[i] = (i * 7919) % 1000003 end
      local seen = tk.ticks
      table.sort(t)
      return tk.ticks > seen
    end,
    rep = function() return #string.rep("abc", 40e6) end,
    -- os.date of a 16 MiB format, 64 MiB of dates, works without the
    -- interpreter lock.
    date = function()
      local format = string.rep("%D", 2 ^ 23)
      time.sleep(0.01)
      local seen = tk.ticks
      assert(#os.date(format, 0) == 2 ^ 26)
      return tk.ticks > seen
    end,
    -- bin.* on 1 MiB or more works without the interpreter lock.
    hexdump = function()
      local chunk = {}
      for i = 0, 255 do chunk[#chunk + 1] = string.char(i) end
      local data = string.rep(table.concat(chunk), 2 ^ 15) -- 8 MiB
      time.sleep(0.01)
      local seen = tk.ticks
      bin.hexdump(data)
      return tk.ticks > seen
    end,
  }
  for name, fn in pairs(work) do
    local before = tk.ticks
    local ok, r = fn()
    assert(tk.ticks > before, name .. ": the ticker never ran during it")
    if name == "sort" or name == "hexdump" or name == "date" then
      assert(ok, name .. ": the ticker never ran during the call itself")
    end
  end
  tk.stop = true
  tk.task:wait()
end

function TestCancelStopsABuiltin()
  -- string.find with a backtracking pattern on 200,000 bytes: minutes of
  -- matching; a cancel stops it at its next tick.
  for _, fn in ipairs{
    function() return string.find(("a"):rep(200000), "(a*)b") end,
    function() return (("a"):rep(200000)):gsub("a*b", "") end,
    function() for _ in (("a"):rep(200000)):gmatch("a*b") do end end,
    function() while true do pcall(string.find, ("a"):rep(200000), "(a*)b") end end,
  } do
    local t = task.spawn(fn)
    time.sleep(0.05)
    t:cancel()
    local ok, err = t:wait()
    assert(not ok and t:status() == "canceled", tostring(err))
  end
end

function TestCanceledReadStopsTheTask()
  -- A read that returns canceled ends its task at the next instruction,
  -- even when only a few instructions are left.
  local ln = assert(net.listen("tcp", "127.0.0.1:0"))
  local t = task.spawn(function()
    local c = assert(net.dial("tcp", tostring(ln:addr())))
    c:read()
    return "went on"
  end)
  local peer = assert(ln:accept())
  time.sleep(0.05)
  t:cancel()
  local ok, err = t:wait()
  assert(not ok and t:status() == "canceled", tostring(err))
  peer:close()
  ln:close()
end

function TestWorkCountsInstructionsAndSteps()
  local w0 = work()
  local x = 0
  for i = 1, 10000 do x = x + i end
  local loop = work() - w0
  assert(loop >= 20000 and loop < 40000, "a 10,000-turn loop cost " .. loop)
  w0 = work()
  string.find(("a"):rep(1000), "(a*)b")
  local steps = work() - w0
  assert(steps > 500000, "a quadratic match cost " .. steps)
end

function TestLongBuiltinsStayExact()
  -- string.rep and .. copy in pieces (under 1 MiB, charged as they go)
  -- or without the interpreter lock (from 1 MiB): the result is the same.
  local pieces = {"x", "abc", ("0123456789"):rep(7001) .. "!"} -- the last over 64 KiB
  for _, s in ipairs(pieces) do
    for _, n in ipairs{1, 2, 3, 7, 100, 1000, 25000, 200001} do
      if #s * n <= 32 * 2 ^ 20 then
        local r = string.rep(s, n)
        assert(#r == #s * n, "rep length")
        for _, i in ipairs{0, 1, math.floor(n / 2), n - 2, n - 1} do
          if i >= 0 and i < n then
            assert(r:sub(i * #s + 1, (i + 1) * #s) == s, ("rep(%d bytes, %d): copy %d differs"):format(#s, n, i))
          end
        end
        local c = r .. s .. r
        assert(#c == 2 * #r + #s and c:sub(#r + 1, #r + #s) == s and c:sub(-#r) == r, "concat")
        assert(table.concat({r, s, r}, "-") == r .. "-" .. s .. "-" .. r, "table.concat")
      end
    end
  end
  local big = ("aBc!"):rep(2 ^ 19) -- 2 MiB: upper, lower and reverse without the lock
  assert(big:upper() == ("ABC!"):rep(2 ^ 19) and big:lower() == ("abc!"):rep(2 ^ 19))
  assert(big:reverse() == ("!cBa"):rep(2 ^ 19))
  big = ("aBc\200"):rep(2 ^ 19)
  assert(bin.unhex(bin.hex(big)) == big and bin.unb64(bin.b64(big)) == big)
end

function TestBackReferenceToAnOpenCapture()
  -- Was a Go "slice bounds out of range" raised as an internal error.
  local ok, err = pcall(string.find, "0", "(()%1%b())")
  assert(not ok and tostring(err):find("invalid capture index", 1, true), tostring(err))
end

function TestCanceledBeforeItBlocksStopsAtOnce()
  -- Canceled before it runs or blocks: its blocking calls return canceled
  -- and it stops at the next instruction, as when the VM looked at the
  -- context at every instruction; nothing after them runs.
  local ran = 0
  for _ = 1, 20 do
    local tk = task.spawn(function()
      time.sleep(0)
      ran = ran + 1
      time.sleep(60)
      ran = ran + 1
    end)
    tk:cancel()
    tk:wait(5)
    assert(tk:status() == "canceled", tk:status())
  end
  assert(ran == 0, ran .. " statements ran after a cancel")
end
