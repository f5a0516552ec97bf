-- Nesting limits (issue 14, item 2): what nests on the Go stack ends in a
-- catchable Lua error with bounded memory, never in Go's fatal "stack
-- overflow". The vendored gopher-lua's patches 7, 8 and 9
-- (third_party/gopher-lua/GONETREPL.md) set the limits: 200 calls from Go
-- into Lua and coroutine resumes, as Lua 5.1's LUAI_MAXCCALLS; a parser
-- stack of 2000 and 10000 compiler levels; 32 pattern captures.

local function expect_fail(pattern, ok, err)
  assert(not ok, "succeeded; want an error matching " .. pattern)
  assert(tostring(err):find(pattern), "want an error matching " .. pattern .. ", got " .. tostring(err))
end

-- Coroutines nested inside coroutines (each on a call stack of its own, so
-- the 6000-frame limit never saw them) reached 2.2 GB and a fatal error.
function TestNestedCoroutinesAreAnError(t)
  local deepest
  local function wrap()
    local ok, err = pcall(coroutine.wrap(wrap))
    if not ok and not deepest then deepest = err end
  end
  wrap()
  expect_fail("C stack overflow", false, deepest)

  local levels = 0
  local function resume()
    levels = levels + 1
    local ok, err = coroutine.resume(coroutine.create(resume))
    if not ok then error(err, 0) end
  end
  expect_fail("C stack overflow", pcall(resume))
  assert(levels < 300, levels)

  -- And in a task, which then fails with the message.
  local tk = task.spawn(function() wrap() return deepest end)
  expect_fail("C stack overflow", false, tk:wait(10))
end

-- Every other way Go calls back into Lua: metamethods, pcall, tostring,
-- sort comparators, gsub callbacks, iterators.
function TestGoCallNestingIsAnError(t)
  local idx = setmetatable({}, { __index = function(self, k) return self[k + 1] end })
  expect_fail("C stack overflow", pcall(function() return idx[1] end))

  local function pcalls() local ok, err = pcall(pcalls) if not ok then error(err, 0) end end
  expect_fail("C stack overflow", pcall(pcalls))

  local obj = setmetatable({}, {})
  getmetatable(obj).__tostring = function(self) return tostring(self) end
  expect_fail("C stack overflow", pcall(tostring, obj))

  local function sorter()
    table.sort({ 3, 2, 1 }, function(a, b) sorter() return a < b end)
  end
  expect_fail("C stack overflow", pcall(sorter))

  local function gsubber() return (string.gsub("x", "x", gsubber)) end
  expect_fail("C stack overflow", pcall(gsubber))

  local add = setmetatable({}, {})
  getmetatable(add).__add = function(a, b) return a + b end
  expect_fail("C stack overflow", pcall(function() return add + 1 end))

  local function iter() for _ in iter do end end
  expect_fail("C stack overflow", pcall(iter))

  -- Nesting within the limit still works, and so does deep recursion of
  -- Lua calling Lua (TestDeepRecursion), after the errors above.
  local function nest(n) if n == 0 then return "bottom" end return select(2, pcall(nest, n - 1)) end
  assert(nest(150) == "bottom")
  local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
  assert(depth(5000) == 5000)
end

-- A coroutine cannot yield from inside a call from Go (a metamethod,
-- pcall, a sort comparator): that Go call would go on as if it had
-- returned. Lua 5.1 refuses it; gopher-lua printed garbage and then
-- dereferenced nil.
function TestYieldAcrossGoCallIsAnError(t)
  local obj = setmetatable({}, { __tostring = function() coroutine.yield(1) return "x" end })
  local co = coroutine.create(function() return tostring(obj) end)
  expect_fail("attempt to yield across metamethod/C%-call boundary", coroutine.resume(co))
  co = coroutine.create(function() return pcall(coroutine.yield, 1) end)
  local ok, inner, err = coroutine.resume(co)
  assert(ok and inner == false, tostring(inner))
  expect_fail("attempt to yield across", inner, err)
  -- Yielding from the coroutine's own code still works, in a for loop too.
  local got = {}
  for v in coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end) do got[#got + 1] = v end
  assert(table.concat(got, ",") == "1,2,3")
end

-- A chunk nested a million levels deep: Lua's "chunk has too many syntax
-- levels", from the parser (nested constructs) or the compiler (long
-- chains that make a deep tree).
function TestDeepSyntaxIsAnError(t)
  local n = 1000000
  local deep = {
    parens = "return " .. ("("):rep(n) .. "1" .. (")"):rep(n),
    tables = "return " .. ("{"):rep(n) .. ("}"):rep(n),
    blocks = ("do "):rep(n) .. ("end "):rep(n),
    functions = ("function f() "):rep(n) .. ("end "):rep(n),
    concat = "return " .. ("a .. "):rep(n) .. "a",
    minus = "return " .. ("- "):rep(n) .. "1",
    nots = "return " .. ("not "):rep(n) .. "1",
    -- Chains the parser reduces as it goes still make a deep tree for the
    -- compiler: past its 10000 levels (20000 is enough to show it, and
    -- quicker than a million).
    sum = "return " .. ("a + "):rep(20000) .. "a",
    fields = "return a" .. (".b"):rep(20000),
    calls = "return f" .. ("()"):rep(20000),
    ors = "if " .. ("a or "):rep(20000) .. "a then end",
    elseifs = "if a then " .. ("elseif a then "):rep(20000) .. "end",
  }
  for name, src in pairs(deep) do
    local fn, err = loadstring(src)
    assert(fn == nil, name .. ": compiled")
    assert(tostring(err):find("too many syntax levels"), name .. ": " .. tostring(err))
  end
  -- Lua 5.1's own limit is 200 levels; they still compile, and so do long
  -- flat chains.
  local fine = {
    parens = "return " .. ("("):rep(200) .. "1" .. (")"):rep(200),
    whiles = ("while a do "):rep(200) .. ("end "):rep(200),
    functions = "return " .. ("function() return "):rep(200) .. "1" .. (" end"):rep(200),
    sum = "return " .. ("1 + "):rep(5000) .. "1",
    elseifs = "local a = 2 if a == 1 then " .. ("elseif a == 1 then "):rep(5000) .. "elseif a == 2 then return 'two' end",
  }
  for name, src in pairs(fine) do
    assert(loadstring(src), name .. ": does not compile")
  end
  assert(loadstring(fine.sum)() == 5001)
  assert(loadstring(fine.elseifs)() == "two")
end

-- Lua patterns: at most 32 captures (LUA_MAXCAPTURES); 400,000 nested
-- parentheses were a fatal error. Greedy repeats match a long subject
-- without recursing per byte ("a*" on a megabyte of a's took 424 MB).
function TestDeepPatternIsAnError(t)
  local open = ("("):rep(400000) .. "x" .. (")"):rep(400000)
  expect_fail("too many captures", pcall(string.find, "x", open))
  expect_fail("too many captures", pcall(string.match, "x", ("()"):rep(33)))
  assert(select("#", string.match("x", ("()"):rep(32))) == 32)

  local big = ("a"):rep(1000000)
  assert(select(2, big:find("a*")) == #big)
  assert(select(2, big:find("^a+$")) == #big)
  assert(select(2, (big .. "b"):find(".*b")) == #big + 1)
  assert(big:match("(a-)a$") == big:sub(2))
  -- Backtracking as before.
  assert(("aaab"):match("^(a*)(a)b$") == "aa")
  assert(("key = value"):match("^(%w+)%s*=%s*(%w+)$") == "key")
  assert(("  x  "):match("^%s*(.-)%s*$") == "x")
  assert(("xaaay"):find("a+") == 2)
  assert(("ab"):match("^a*b*c*$") == "ab")
  assert(("aaa"):match("^a+a+a+$") == "aaa")
  assert(("aa"):match("^a+a+a+$") == nil)
end
