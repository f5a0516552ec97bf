-- Error values whose __tostring raises, yields, loops or blocks (issue 14,
-- item 1). When a task fails, Go code turns its error value into the text
-- that is printed and that t:wait returns; that __tostring runs protected,
-- for half a second at most (bindings/text.go). It used to run unprotected:
-- one that raised was a Go panic that ended the process.

local function with_tostring(f) return setmetatable({}, { __tostring = f }) end

-- fails runs fn as a task that fails, and returns the text of its error as
-- t:wait gives it.
local function fails(fn)
  local tk = task.spawn(fn)
  local v, err = tk:wait(30)
  assert(v == nil and err, "the task did not fail")
  assert(tk:status() == "failed", tk:status())
  return tostring(err)
end

local function has(text, want)
  assert(text:find(want, 1, true), "want " .. want .. " in: " .. text)
end

function TestErrorToStringThatRaises(t)
  t:allow_task_errors()
  local err = fails(function() error(with_tostring(function() error("x") end)) end)
  has(err, "error object (__tostring failed: ")
  has(err, ": x)")
  -- error() with a non-string value, and an error object that raises
  -- another error object with a failing __tostring.
  has(fails(function() error(with_tostring(error)) end), "error object (__tostring failed: ")
  local mt = {}
  mt.__tostring = function() error(setmetatable({}, mt)) end
  has(fails(function() error(setmetatable({}, mt)) end), "error object (__tostring failed: table: ")
  -- A __tostring that calls tostring on itself: C stack overflow, caught.
  local self_ref = setmetatable({}, {})
  getmetatable(self_ref).__tostring = function(s) return tostring(s) end
  has(fails(function() error(self_ref) end), "C stack overflow")
  -- A class's metatable given to another userdata: its Go __tostring
  -- does not expect that value.
  local ln = assert(net.listen("tcp", "127.0.0.1:0"))
  local a, b = net.pipe()
  b:close()
  debug.setmetatable(a, getmetatable(ln))
  ln:close()
  has(fails(function() error(a) end), "error object (__tostring failed: ")
  -- One that returns no string.
  has(fails(function() error(with_tostring(function() return {} end)) end),
    "error object (__tostring returned a table, not a string)")
end

function TestErrorToStringThatYields(t)
  t:allow_task_errors()
  has(fails(function() error(with_tostring(function() coroutine.yield() end)) end),
    "error object (__tostring failed: ")
  -- Raised from inside a coroutine, described outside it.
  has(fails(function()
    local co = coroutine.wrap(function() error(with_tostring(function() coroutine.yield(1) return "y" end)) end)
    co()
  end), "error object (__tostring failed: ")
end

-- A __tostring that never returns holds the interpreter for half a second
-- at most; other tasks then run.
function TestErrorToStringThatLoops(t)
  t:allow_task_errors()
  local looping = task.spawn(function() error(with_tostring(function() while true do end end)) end)
  local other = task.spawn(function() time.sleep(0.01) return "ran" end)
  assert(other:wait(30) == "ran")
  local v, err = looping:wait(30)
  assert(v == nil)
  has(tostring(err), "error object (__tostring did not finish in 500ms)")
end

-- One blocked in a call: canceled when the budget runs out.
function TestErrorToStringThatBlocks(t)
  t:allow_task_errors()
  local begin = time.now()
  has(fails(function() error(with_tostring(function() time.sleep(1000) return "late" end)) end),
    "error object (__tostring did not finish in 500ms)")
  assert(time.since(begin) < 30, time.since(begin))
end

-- A __tostring that works is used, blocking calls and all.
function TestErrorToStringThatWorks(t)
  t:allow_task_errors()
  has(fails(function() error(with_tostring(function() return "custom message" end)) end), "custom message")
  has(fails(function() error(with_tostring(function() time.sleep(0.01) return "slept" end)) end), "slept")
  -- net errors are userdata with a Go __tostring.
  local ln = assert(net.listen("tcp", "127.0.0.1:0"))
  local addr = tostring(ln:addr())
  ln:close()
  has(fails(function() assert(net.dial("tcp", addr, { timeout = 5 })) end), "refused")
end
