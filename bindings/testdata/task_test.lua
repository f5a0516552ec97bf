-- Tasks, channels, time, and blocking calls in every place Lua allows a call.

function TestSpawnWait(t)
  local tk = task.spawn(function(a, b) time.sleep(0.01) return a + b, "done" end, 2, 3)
  assert(tk:status() == "running")
  local sum, word = tk:wait(5)
  assert(sum == 5 and word == "done")
  assert(tk:status() == "done")
  -- Waiting again returns the same results.
  assert(tk:wait() == 5)
  assert(tostring(tk):find("^<task %d+ .* done>$"), tostring(tk))
end

function TestWaitTimeout(t)
  local tk = task.spawn(function() time.sleep(10) end)
  local r, err = tk:wait(0.05)
  assert(r == nil and err.kind == "timeout", tostring(err))
  tk:cancel()
  local _, cerr = tk:wait(5)
  assert(cerr.kind == "canceled")
end

function TestFailedTaskKeepsErrorValue(t)
  t:allow_task_errors()
  local tk = task.spawn(function()
    local c = assert(net.dial("tcp", "127.0.0.1:1"))
  end)
  local r, err = tk:wait(5)
  assert(r == nil)
  -- assert raised the error value itself; wait hands it back, kind and all.
  assert(err.kind == "refused", tostring(err))
  assert(tk:status() == "failed")
  -- A string error comes back as kind "other" with the message.
  local tk2 = task.spawn(function() error("plain") end)
  local _, err2 = tk2:wait(5)
  assert(err2.kind == "other" and tostring(err2):find("plain"), tostring(err2))
end

function TestOthersRunWhileOneBlocks(t)
  local ch = task.chan()
  local order = {}
  task.spawn(function() ch:recv() order[#order + 1] = "receiver" end)
  task.spawn(function() order[#order + 1] = "other" ch:send(1) end)
  local tasks = task.list()
  assert(#tasks >= 1)
  time.sleep(0.05)
  assert(order[1] == "other" and order[2] == "receiver", table.concat(order, ","))
end

function TestYield(t)
  local ticks = 0
  local ticker = task.spawn(function()
    for _ = 1, 100 do ticks = ticks + 1 task.yield() end
  end)
  -- A busy loop that yields lets the other task run.
  local spins = 0
  while ticker:status() == "running" and spins < 1e6 do
    spins = spins + 1
    task.yield()
  end
  assert(ticks == 100, ticks)
end

function TestChannels(t)
  local ch = task.chan(2)
  assert(ch:send("a"))
  assert(ch:send("b"))
  -- Full: a send with a timeout gives up.
  local ok, err = ch:send("c", 0.02)
  assert(ok == nil and err.kind == "timeout")
  local v, more = ch:recv()
  assert(v == "a" and more == true)
  ch:close()
  -- Closed: what was sent is still received, then nil, false.
  v, more = ch:recv()
  assert(v == "b" and more == true)
  v, more = ch:recv()
  assert(v == nil and more == false)
  ok, err = ch:send("d")
  assert(ok == nil and err.kind == "closed")
  -- Unbuffered: send waits for a receiver; values keep their type.
  local u = task.chan()
  local tbl = { 1, 2, 3 }
  task.spawn(function() u:send(tbl) end)
  assert(u:recv() == tbl)
  local r, rmore, rerr = u:recv(0.02)
  assert(r == nil and rmore == false and rerr.kind == "timeout")
end

function TestTimeFunctions(t)
  local t0 = time.now()
  assert(math.abs(t0 - os.time()) < 5)
  time.sleep(0.05)
  local dt = time.since(t0)
  assert(dt >= 0.04 and dt < 5, dt)
end

-- A server that answers each line with its length, for the blocking tests.
local function length_server()
  local ln = assert(net.listen("tcp", "127.0.0.1:0"))
  ln:serve(function(c)
    for line in c:lines() do c:write(#line .. "\n") end
  end)
  local c = assert(net.dial("tcp", tostring(ln:addr())))
  local function ask(s)
    assert(c:write(s .. "\n"))
    return tonumber(assert(c:read_line()))
  end
  return ask, function() c:close() ln:close() end
end

function TestBlockingInsidePcall(t)
  local ask, close = length_server()
  local ok, n = pcall(ask, "abc")
  assert(ok and n == 3, tostring(n))
  local ok2, n2 = xpcall(function() return ask("abcd") end, debug.traceback)
  assert(ok2 and n2 == 4, tostring(n2))
  -- An error after a blocking call inside pcall is caught as usual.
  local ok3, msg = pcall(function() ask("x") error("after") end)
  assert(not ok3 and msg:find("after"))
  -- Nested pcalls around a sleep.
  assert(pcall(pcall, time.sleep, 0.01))
  close()
end

function TestBlockingInsideMetamethods(t)
  local ask, close = length_server()
  local proxy = setmetatable({}, {
    __index = function(_, k) return ask(k) end,
    __add = function(a, b) return ask("add") end,
    __call = function(_, s) return ask(s) end,
    __concat = function(a, b) return ask("xy") end,
    __eq = nil,
  })
  assert(proxy.hello == 5)
  assert(proxy + 1 == 3)
  assert(proxy("four") == 4)
  assert(proxy .. "z" == 2)
  local lt = setmetatable({}, { __lt = function() return ask("a") == 1 end })
  assert(lt < setmetatable({}, getmetatable(lt)))
  close()
end

function TestBlockingInsideSortAndGsub(t)
  local ask, close = length_server()
  local words = { "ccc", "a", "bb", "dddd" }
  table.sort(words, function(x, y) return ask(x) < ask(y) end)
  assert(table.concat(words, " ") == "a bb ccc dddd")
  local out = ("one two three"):gsub("%a+", function(w) return tostring(ask(w)) end)
  assert(out == "3 3 5", out)
  close()
end

function TestBlockingInsideIterators(t)
  local ask, close = length_server()
  local function counter(n)
    local i = 0
    return function()
      i = i + 1
      if i > n then return nil end
      return ask(("x"):rep(i))
    end
  end
  local got = {}
  for v in counter(3) do got[#got + 1] = v end
  assert(table.concat(got, ",") == "1,2,3")
  -- And the conn's own line iterator, fed by another task.
  local a, b = net.pipe()
  task.spawn(function()
    for i = 1, 3 do a:write("line " .. i .. "\n") time.sleep(0.005) end
    a:close()
  end)
  local lines = {}
  for line in b:lines() do lines[#lines + 1] = line end
  assert(#lines == 3 and lines[3] == "line 3")
  close()
end

function TestBlockingInsideCoroutines(t)
  local ask, close = length_server()
  local co = coroutine.wrap(function()
    coroutine.yield(ask("ab"))
    coroutine.yield(ask("abc"))
  end)
  assert(co() == 2)
  time.sleep(0.001)
  assert(co() == 3)
  assert(coroutine.running() ~= nil)
  close()
end

function TestTaskErrorDoesNotStopOthers(t)
  t:allow_task_errors()
  local ch = task.chan(1)
  local bad = task.spawn(function() local x = nil; return x.field end)
  local good = task.spawn(function() time.sleep(0.02) ch:send("still here") end)
  assert(ch:recv(5) == "still here")
  local _, err = bad:wait(5)
  assert(err.kind == "other" and tostring(err):find("attempt to index local 'x' (a nil value)", 1, true), tostring(err))
  good:wait(5)
  assert(bad:status() == "failed" and good:status() == "done")
end

function TestDeepRecursion(t)
  local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
  assert(depth(5000) == 5000)
  local tk = task.spawn(depth, 4000)
  assert(tk:wait(5) == 4000)
end

-- Past the call stack's 6000 frames, recursion is a Lua error, in the main
-- thread and in a task, and the stack is usable again after it.
function TestRecursionOverflowIsAnError(t)
  local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
  local ok, err = pcall(depth, 7000)
  assert(not ok and tostring(err):find("overflow"), tostring(err))
  local tok, terr = task.spawn(function() return pcall(depth, 7000) end):wait(30)
  assert(tok == false and tostring(terr):find("overflow"), tostring(terr))
  assert(depth(5000) == 5000)
end

local testhelp = require "testhelp"

-- The ownership rule (owner.go): a task that fails or is canceled closes the
-- sockets it holds; the peer sees them end.
local function peer_sees_close(c)
  local data, err = c:read()
  return data == nil and (err.kind == "eof" or err.kind == "reset"), data or tostring(err)
end

function TestFailedTaskClosesItsSockets(t)
  t:allow_task_errors()
  local ln = testhelp.listen()
  local c, s = testhelp.tcp_pair()
  local path = t:tempdir() .. "/owned.sock"
  local tk = task.spawn(function(given)
    mine = assert(net.dial("tcp", tostring(ln:addr()))) -- a global: still closed
    unix_ln = assert(net.listen("unix", path))
    udp = assert(net.listen_packet("udp", "127.0.0.1:0"))
    assert(given:write("from the task\n"))
    error("boom")
  end, s)
  local _, err = tk:wait(5)
  assert(tostring(err):find("boom"), tostring(err))
  assert(c:read_line() == "from the task")
  assert(peer_sees_close(c)) -- the conn it was given
  local accepted = assert(ln:accept(5))
  accepted:set_timeout(5)
  assert(peer_sees_close(accepted)) -- the conn it dialed
  assert(tostring(mine):find("(closed)", 1, true), tostring(mine))
  assert(os.rename(path, path) ~= true, "Unix socket file left behind")
  local _, uerr = udp:read_from()
  assert(uerr.kind == "closed", tostring(uerr))
end

function TestCanceledTaskClosesItsSockets(t)
  local c, s = testhelp.tcp_pair()
  local tk = task.spawn(function(given) given:read() time.sleep(60) end, s)
  task.yield()
  tk:cancel()
  tk:wait(5)
  assert(peer_sees_close(c))
end

-- A task whose last act is the call that was canceled (a tail return:
-- no instruction is left to stop at) is canceled all the same: it does
-- not end "done" with the canceled call's nil, err as its results, and
-- its sockets are closed.
function TestTaskCanceledInItsTailCallIsCanceled(t)
  local c, s = testhelp.tcp_pair()
  local tk = task.spawn(function(given) return given:read_all() end, s)
  task.yield()
  tk:cancel()
  local v, err = tk:wait(5)
  assert(v == nil and err.kind == "canceled", tostring(err))
  assert(tk:status() == "canceled", tk:status())
  assert(peer_sees_close(c))
end

function TestTaskThatReturnsKeepsItsSockets(t)
  local c, s = testhelp.tcp_pair()
  local tk = task.spawn(function(given) return given end, s)
  local back = assert(tk:wait(5))
  assert(back == s)
  assert(s:write("still open\n"))
  assert(c:read_line() == "still open")
end

function TestSocketPassedOnBelongsToItsReceiver(t)
  t:allow_task_errors()
  local c, s = testhelp.tcp_pair()
  local ch = task.chan(1)
  -- The opener hands the conn over and then fails: the conn lives on.
  local opener = task.spawn(function(given) ch:send(given) error("after handing over") end, s)
  opener:wait(5)
  local got = assert(ch:recv(5))
  local receiver = task.spawn(function(conn)
    assert(conn:write("passed on\n"))
    error("the receiver fails")
  end, got)
  assert(c:read_line() == "passed on")
  receiver:wait(5)
  assert(peer_sees_close(c))
end

function TestClosedSocketLeavesItsOwner(t)
  local ln = testhelp.listen()
  local tk = task.spawn(function()
    for i = 1, 100 do assert(net.dial("tcp", tostring(ln:addr()))):close() end
    return "done"
  end)
  assert(tk:wait(10) == "done")
end

-- A canceled call says "canceled", the kind's word, never Go's "context
-- canceled". A task that cancels itself stops, even inside a pcall (it
-- went on before, with the pcall's error saying "context canceled").
function TestCanceledSaysCanceled(t)
  local handle = task.chan(1)
  local after = false
  local self_cancel = task.spawn(function()
    local me = handle:recv()
    pcall(function() me:cancel() end)
    after = true
  end)
  handle:send(self_cancel)
  local _, werr = self_cancel:wait(5)
  assert(werr and werr.kind == "canceled" and not tostring(werr):find("context", 1, true), tostring(werr))
  assert(self_cancel:status() == "canceled" and not after, "the task went on after canceling itself")
  -- A serve loop canceled while it accepts.
  local ln = assert(net.listen("tcp", "127.0.0.1:0"))
  local server = ln:serve(function(c) c:read() end)
  server:cancel()
  local _, serr = server:wait(5)
  assert(serr.kind == "canceled" and not tostring(serr):find("context", 1, true), tostring(serr))
end
