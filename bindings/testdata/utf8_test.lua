-- The utf8 library and table.pack/unpack beyond what utf8_test.go
-- compares with lua5.3: work on big strings is charged to the task, so a
-- scan of 100 MB hands the interpreter to the others every time slice,
-- grows linearly, and stops at a cancel.

local MB100 = 100 * 2 ^ 20

-- ranDuring runs fn and reports whether another task ran during the call
-- itself: back from time.sleep(0) the task has a fresh time slice, so the
-- interpreter cannot pass on between reading ticks and the call.
local function ticker()
  local state = {ticks = 0, stop = false}
  state.task = task.spawn(function()
    while not state.stop do time.sleep(0.001); state.ticks = state.ticks + 1 end
  end)
  return state
end

local function ranDuring(tk, fn)
  time.sleep(0)
  local before = tk.ticks
  local r = fn()
  return tk.ticks > before, r
end

function TestScansOf100MBLetOthersRun(t)
  local tk = ticker()
  local function check(cases)
    for name, c in pairs(cases) do
      local during, r = ranDuring(tk, c[1])
      assert(during, name .. ": the ticker never ran during the call")
      assert(r == c[2], name .. ": " .. tostring(r))
    end
  end
  -- One 100 MB string at a time: the Lua tests run side by side.
  local s = ("\195\169"):rep(MB100 / 2) -- "é" 50 million times
  check{
    len = {function() return utf8.len(s) end, MB100 / 2},
    offset = {function() return utf8.offset(s, MB100 / 2) end, MB100 - 1},
    offset_back = {function() return utf8.offset(s, -(MB100 / 2)) end, 1},
  }
  s = nil
  collectgarbage()
  local cont = "a" .. ("\128"):rep(MB100) -- one character, then continuation bytes
  check{
    offset_zero = {function() return utf8.offset(cont, 0, -1) end, 1},
    codes_step = {function() return select("#", utf8.codes(cont)(cont, 1)) end, 0},
  }
  tk.stop = true
  tk.task:wait()
end

function TestCancelStopsALongScan(t)
  local s = ("\195\169"):rep(2 ^ 23) -- 16 MiB
  local started = task.chan(1)
  local worker = task.spawn(function()
    started:send(true)
    while true do utf8.len(s) end
  end)
  started:recv()
  time.sleep(0.05)
  worker:cancel()
  local ok, err = worker:wait(10)
  assert(not ok and worker:status() == "canceled", tostring(err))
end

-- Work (instructions plus charges, counted, not timed) grows linearly:
-- at 8 times the bytes, less than 12 times the work.
function TestScansGrowLinearly(t)
  local function cost(fn)
    local w0 = work()
    fn()
    return work() - w0
  end
  for name, mk in pairs{
    len = function(n) local s = ("\226\130\172"):rep(n); return function() assert(utf8.len(s) == n) end end,
    offset = function(n) local s = ("\226\130\172"):rep(n); return function() assert(utf8.offset(s, -n) == 1) end end,
    codes = function(n)
      local s = "a" .. ("\128"):rep(3 * n)
      return function() assert(select("#", utf8.codes(s)(s, 1)) == 0) end
    end,
  } do
    local small, big = cost(mk(2 ^ 18)), cost(mk(2 ^ 21))
    assert(small > 0 and big < 12 * small, name .. ": work " .. small .. " then " .. big)
    assert(big > 4 * small, name .. ": the scan is not charged (" .. small .. " then " .. big .. ")")
  end
end

function TestCodepointIsCapped(t)
  -- At most 100,000 bytes a call (Lua 5.3: its stack, a million), checked
  -- before decoding anything; codes has no cap.
  local s = ("x"):rep(100001)
  local ok, err = pcall(utf8.codepoint, s, 1, -1)
  assert(not ok and err:find("string slice too long", 1, true), tostring(err))
  assert(select("#", utf8.codepoint(s, 2, -1)) == 100000)
  local n = 0
  for _ in utf8.codes(s) do n = n + 1 end
  assert(n == 100001)
end

function TestCharpatternAndHabits(t)
  local parts = {}
  for c in ("h\195\169\226\130\172\240\159\152\128"):gmatch(utf8.charpattern) do parts[#parts + 1] = c end
  assert(#parts == 4 and parts[4] == "\240\159\152\128", #parts)
  assert(utf8.char() == "" and utf8.char(0x20AC) == "\226\130\172")
  assert(utf8.char(0xD800) == "\237\160\128", "surrogates encode, as in Lua 5.3")
  local p = table.pack(1, nil, 3)
  assert(p.n == 3 and p[1] == 1 and p[2] == nil and p[3] == 3)
  assert(table.unpack == unpack and select("#", table.unpack({1, 2, 3}, 2)) == 2)
  assert(require("utf8") == utf8 and require("bit") == bit)
end
