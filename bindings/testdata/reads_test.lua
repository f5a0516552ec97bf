-- pwntools-grade reading and writing: the trailing options table of every
-- read method, timeout messages, send_line and set_newline, read_until
-- with a list and keep, send_after and send_line_after, clean, and
-- expect's plain; and the cases docs/API.md ("Reading from a conn")
-- compares with pwntools' tubes.

local th = require("testhelp")
local tcp_pair, expect_error = th.tcp_pair, th.expect_error

-- timed runs fn and returns the seconds it took and its results.
local function timed(fn, ...)
  local t0 = time.now()
  local r = table.pack(fn(...))
  return time.since(t0), table.unpack(r, 1, r.n)
end

-- contains asserts that s contains want literally.
local function contains(s, want, what)
  assert(string.find(s, want, 1, true), (what or "text") .. ": " .. s .. "\n  lacks: " .. want)
end

function TestEveryReadMethodTakesATimeout(t)
  local c, s = tcp_pair()
  assert(c:write("partial"))
  assert(s:read_full(1) == "p")
  -- Each times out by its own opts.timeout (the conn's idle timeout is
  -- 10 s), and consumes nothing.
  local calls = {
    { "read_line", function() return s:read_line({ timeout = 0.1 }) end },
    { "read_line max", function() return s:read_line(100, { timeout = 0.1 }) end },
    { "read_full", function() return s:read_full(50, { timeout = 0.1 }) end },
    { "read_until", function() return s:read_until("END", { timeout = 0.1 }) end },
    { "read_until max", function() return s:read_until("END", 100, { timeout = 0.1 }) end },
    { "read_until list", function() return s:read_until({ "END", "FIN" }, { timeout = 0.1 }) end },
    { "read_all", function() return s:read_all({ timeout = 0.1 }) end },
    { "read_frame", function() return s:read_frame({ size = 1, timeout = 0.1 }) end },
    { "expect", function() return s:expect("END", { timeout = 0.1 }) end },
    { "expect plain", function() return s:expect("E.D", { timeout = 0.1, plain = true }) end },
    { "expect positional", function() return s:expect("END", 0.1) end },
    { "send_after", function() return s:send_after("END", "x", { timeout = 0.1 }) end },
    { "send_line_after", function() return s:send_line_after("END", "x", { timeout = 0.1 }) end },
  }
  for _, call in ipairs(calls) do
    local secs, v, err = timed(call[2])
    expect_error("timeout", v, err, call[1])
    assert(secs >= 0.09 and secs < 5, call[1] .. " took " .. secs)
    assert(s:buffered() == "artial", call[1] .. " consumed: " .. s:buffered())
  end
  -- lines raises the timeout of a line.
  local ok, err = pcall(function() for _ in s:lines({ timeout = 0.1 }) do end end)
  assert(not ok and err.kind == "timeout", tostring(err))
  -- A plain read has data: it returns at once.
  assert(s:read({ timeout = 0.1 }) == "artial")
  local secs, v, rerr = timed(s.read, s, { timeout = 0.1 })
  expect_error("timeout", v, rerr, "read")
  assert(secs >= 0.09 and secs < 5)
  -- timeout = 0: only what is buffered, at once.
  assert(c:write("now"))
  assert(s:read_full(3, { timeout = 5 }) == "now")
  secs, v, rerr = timed(s.read_line, s, { timeout = 0 })
  expect_error("timeout", v, rerr, "read_line timeout 0")
  assert(secs < 1)
  -- The peer's sends do not go unseen to c's side either: the sends above
  -- sent nothing on timeout.
  expect_error("timeout", c:read({ timeout = 0.1 }))
  c:close()
  s:close()
end

function TestTimeoutCoversTheWholeCall(t)
  -- A peer trickling a byte every 50 ms keeps an idle timeout alive
  -- forever; a call's timeout bounds the whole call.
  local c, s = tcp_pair()
  local stop, sent = false, 0
  local trickle = task.spawn(function()
    while not stop do
      if not c:write("x") then return end
      sent = sent + 1
      time.sleep(0.05)
    end
  end)
  local secs, v, err = timed(s.read_line, s, { timeout = 0.4 })
  expect_error("timeout", v, err, "read_line")
  assert(secs >= 0.39 and secs < 3, "took " .. secs)
  assert(#s:buffered() >= 1, "the trickled bytes stay buffered: " .. #s:buffered())
  secs, v, err = timed(s.expect, s, "y", { timeout = 0.3 })
  expect_error("timeout", v, err, "expect")
  assert(secs < 3)
  stop = true
  trickle:wait(5)
  -- The timed-out calls consumed nothing: every byte sent is still there
  -- (counted, not timed: on a loaded machine the trickle runs less often).
  assert(s:read_full(sent, { timeout = 5 }) == string.rep("x", sent), "bytes were lost")
  c:close()
  s:close()
end

function TestOldPositionalFormsKeepWorking(t)
  local c, s = tcp_pair()
  assert(c:write("abcdef\nline two\nrest|more"))
  assert(s:read(3) == "abc")
  assert(s:read_line(10) == "def")
  expect_error("too_large", s:read_line(3))
  assert(s:read_line(nil, { max = 8 }) == "line two")
  assert(s:read_until("|", 10) == "rest")
  assert(s:read_full(2) == "mo")
  assert(s:expect("r", 5, 10) == "r")
  c:close()
  assert(s:read_all(10) == "e")
  s:close()
end

function TestOptsMax(t)
  local c, s = tcp_pair()
  assert(c:write("0123456789\n"))
  assert(s:read({ max = 3 }) == "012")
  expect_error("too_large", s:read_line({ max = 3 }))
  expect_error("too_large", s:read_until("\n", { max = 3 }))
  expect_error("too_large", s:expect("\n", { max = 3 }))
  -- read_full's max caps n: a length off the wire over it is too_large.
  expect_error("too_large", s:read_full(5, { max = 4 }))
  assert(s:read_full(4, { max = 4 }) == "3456")
  -- Given twice, or of the wrong type, it is an error naming opts.max.
  local ok, err = pcall(s.read, s, 3, { max = 3 })
  assert(not ok and tostring(err):find("opts.max", 1, true), tostring(err))
  ok, err = pcall(s.read_line, s, { max = "x" })
  assert(not ok and tostring(err):find("opts.max", 1, true), tostring(err))
  ok, err = pcall(s.read_line, s, { timeout = -1 })
  assert(not ok and tostring(err):find("opts.timeout", 1, true), tostring(err))
  ok, err = pcall(s.expect, s, "x", 1, { timeout = 1 })
  assert(not ok and tostring(err):find("opts.timeout", 1, true), tostring(err))
  ok, err = pcall(s.read_all, s, { max = 2 ^ 40 })
  assert(not ok and tostring(err):find("not enough memory", 1, true), tostring(err))
  assert(s:read_line({ max = 10 }) == "789")
  c:close()
  s:close()
end

function TestTimeoutSaysWhatItAwaited(t)
  local c, s = tcp_pair()
  assert(c:write("Username: admin\r\n"))
  local v, err = s:expect("Password: ", { plain = true, timeout = 0.1 })
  expect_error("timeout", v, err, "expect plain")
  contains(tostring(err), 'timeout waiting for "Password: " (got 17 bytes: "Username: admin\\r\\n")')
  contains(tostring(err), "read tcp 127.0.0.1:")
  assert(err.op == "read", tostring(err.op))
  -- What each method waits for.
  local cases = {
    { function() return s:read_full(100, { timeout = 0.05 }) end, "timeout waiting for 100 bytes (got 17 bytes" },
    { function() return s:read_until("$ ", { timeout = 0.05 }) end, 'timeout waiting for "$ " (got 17' },
    { function() return s:read_until({ "$ ", "# ", "> " }, { timeout = 0.05 }) end, 'timeout waiting for "$ ", "# " or "> " (got' },
    { function() return s:read_all({ timeout = 0.05 }) end, "timeout waiting for EOF (got 17" },
    { function() return s:read_frame({ size = 1, timeout = 0.05 }) end, "timeout waiting for a frame (got 17" },
    { function() return s:expect("^(%d+)\n", 0.05) end, 'timeout waiting for a match of "^(%d+)\\n" (got 17' },
    { function() return s:send_after("Password: ", "x", { timeout = 0.05 }) end, 'timeout waiting for "Password: " (got 17' },
  }
  for i, case in ipairs(cases) do
    local v2, err2 = case[1]()
    expect_error("timeout", v2, err2, "case " .. i)
    contains(tostring(err2), case[2], "case " .. i)
  end
  assert(s:read_line() == "Username: admin")
  -- Nothing arrived; and a timeout of the conn's own deadline says it too.
  s:set_read_deadline(time.now() + 0.05)
  v, err = s:read_line()
  expect_error("timeout", v, err)
  contains(tostring(err), "timeout waiting for a line (got 0 bytes)")
  s:set_read_deadline(0)
  -- Control bytes are escaped: a peer cannot drive the terminal that
  -- shows the error.
  assert(c:write("x\27[2Jy"))
  assert(s:expect("y", { plain = true, timeout = 5 }) == "x\27[2Jy")
  assert(c:write("x\27[2Jy"))
  v, err = s:read_line({ timeout = 0.5 })
  expect_error("timeout", v, err)
  contains(tostring(err), '(got 6 bytes: "x\\27[2Jy")')
  assert(not tostring(err):find("\27", 1, true))
  assert(s:read_full(6) == "x\27[2Jy")
  -- More than 64 bytes: the count, and the last 64.
  assert(c:write(string.rep("d", 10) .. "\27]0;pwned\7" .. string.rep("e", 60)))
  assert(s:expect("eeeeeeeeee$", 5))
  assert(c:write(string.rep("d", 10) .. "\27]0;pwned\7" .. string.rep("e", 60)))
  v, err = s:read_line({ timeout = 0.5 })
  expect_error("timeout", v, err)
  local msg = tostring(err)
  contains(msg, '(got 80 bytes, the last 64: "ned\\7' .. string.rep("e", 60) .. '")')
  assert(not msg:find("\27", 1, true) and not msg:find("\7", 1, true), "control bytes reach the message: " .. msg)
  c:close()
  s:close()
end

function TestSendLineAndNewline(t)
  local c, s = tcp_pair()
  assert(c:send_line("hello") == 6)
  assert(s:read_full(6) == "hello\n")
  assert(c:set_newline("\r\n") == true)
  assert(c:send_line("USER x") == 8)
  assert(s:read_full(8) == "USER x\r\n")
  assert(c:send_line(42) == 4)
  assert(s:read_full(4) == "42\r\n")
  -- read_line still ends a line at \n or \r\n.
  assert(s:send_line("back"))
  assert(c:read_line() == "back")
  local ok, err = pcall(c.set_newline, c, "")
  assert(not ok and tostring(err):find("#2", 1, true), tostring(err))
  ok, err = pcall(c.send_line, c, {})
  assert(not ok and tostring(err):find("data", 1, true), tostring(err))
  -- send_line after close_write: closed, as write.
  c:close_write()
  expect_error("closed", c:send_line("late"))
  c:close()
  s:close()
end

function TestReadUntilList(t)
  local c, s = tcp_pair()
  -- The earliest match wins, whichever comes first in the list.
  assert(c:write("login: name# rest$ "))
  assert(s:expect("rest%$ ", 5))
  assert(c:write("aaa# bbb$ ccc"))
  local data, delim = s:read_until({ "$ ", "# " })
  assert(data == "aaa" and delim == "# ", tostring(data) .. "|" .. tostring(delim))
  data, delim = s:read_until({ "$ ", "# " }, { keep = true })
  assert(data == "bbb$ " and delim == "$ ", tostring(data))
  assert(s:buffered() == "ccc")
  -- Two starting at one place: the first listed.
  assert(c:write("\r\nX"))
  data, delim = s:read_until({ "\r", "\r\n" })
  assert(data == "ccc" and delim == "\r", tostring(delim))
  assert(s:read_full(1) == "\n")
  assert(c:write("\r\nY"))
  data, delim = s:read_until({ "\r\n", "\r" }, { keep = true })
  assert(data == "X\r\n" and delim == "\r\n", tostring(data))
  -- A longer delimiter that starts earlier beats a shorter one inside it.
  assert(c:write("--END--Z"))
  data, delim = s:read_until({ "END", "--END--" })
  assert(data == "Y" and delim == "--END--", tostring(delim))
  -- Across writes, split anywhere (a pipe hands each write to one read).
  local a, b = net.pipe()
  task.spawn(function()
    for _, piece in ipairs({ "one tw", "o thr", "ee", " fo", "ur" }) do assert(a:write(piece)) end
    a:close()
  end)
  b:set_timeout(10)
  data, delim = b:read_until({ "four", "three", "zzz" })
  assert(data == "one two " and delim == "three", tostring(data) .. "|" .. tostring(delim))
  data, delim = b:read_until({ "four" })
  assert(data == " " and delim == "four")
  -- EOF: eof, and what came stays.
  local a2, b2 = net.pipe()
  task.spawn(function() a2:write("no delim"); a2:close() end)
  b2:set_timeout(10)
  expect_error("eof", b2:read_until({ "x", "y" }))
  assert(b2:buffered() == "no delim", b2:buffered())
  -- Over max: too_large.
  assert(c:write(string.rep("q", 20)))
  expect_error("too_large", s:read_until({ "!", "?" }, 10))
  -- A single string keeps its one result; keep works with it.
  assert(c:write("!"))
  assert(select("#", s:read_until("Z")) == 1)
  data = s:read_until("!", { keep = true })
  assert(data == string.rep("q", 20) .. "!", data)
  -- Wrong lists are argument errors.
  for _, bad in ipairs({ {}, { "a", 1 }, { "" }, { "a", {} } }) do
    local ok, err = pcall(s.read_until, s, bad)
    assert(not ok and tostring(err):find("delim", 1, true), tostring(err))
  end
  local ok, err = pcall(s.read_until, s, "x", { keep = "yes" })
  assert(not ok and tostring(err):find("opts.keep", 1, true), tostring(err))
  c:close()
  s:close()
end

function TestSendAfter(t)
  local c, s = tcp_pair()
  task.spawn(function()
    assert(s:write("Welcome\nlogin: "))
    assert(s:read_line() == "admin")
    assert(s:write("Password: "))
    assert(s:read_full(8) == "hunter2\n")
    assert(s:write("$ "))
  end)
  local got = assert(c:send_line_after("login: ", "admin", { timeout = 5 }))
  assert(got == "Welcome\n", got)
  got = assert(c:send_after("Password: ", "hunter2\n"))
  assert(got == "", got)
  assert(c:expect("$ ", 5) == "$ ")
  -- On timeout nothing is sent, and what came stays buffered.
  assert(s:write("Username: "))
  local v, err = c:send_line_after("Password: ", "secret", { timeout = 0.1 })
  expect_error("timeout", v, err)
  assert(c:buffered() == "Username: ")
  expect_error("timeout", s:read({ timeout = 0.2 }))
  -- EOF in the middle of the delimiter: eof, nothing sent, data kept.
  assert(s:write("Passw"))
  s:close_write()
  v, err = c:send_after("Password: ", "secret")
  expect_error("eof", v, err)
  assert(c:buffered() == "Username: Passw", c:buffered())
  expect_error("timeout", s:read({ timeout = 0.2 }))
  -- Over max before delim: too_large, nothing sent.
  expect_error("too_large", c:send_after("zzz", "x", { max = 5 }))
  expect_error("timeout", s:read({ timeout = 0.2 }))
  c:close()
  s:close()
end

function TestClean(t)
  local c, s = tcp_pair()
  -- A banner in pieces less than the quiet time apart comes whole.
  task.spawn(function()
    for i = 1, 5 do
      c:write("banner " .. i .. "\n")
      time.sleep(0.02)
    end
  end)
  time.sleep(0.01)
  local secs, data = timed(s.clean, s, 0.2)
  assert(data == "banner 1\nbanner 2\nbanner 3\nbanner 4\nbanner 5\n", data)
  assert(secs >= 0.2 and secs < 3, "took " .. secs)
  -- Quiet: "" after secs.
  secs, data = timed(s.clean, s, 0.05)
  assert(data == "" and secs >= 0.05, tostring(data))
  -- clean(0): only what is buffered, not what waits in the socket.
  assert(c:write("abc"))
  assert(s:read_full(1) == "a")
  assert(c:write("later"))
  time.sleep(0.1)
  assert(s:clean(0) == "bc")
  assert(s:clean(0) == "")
  -- The default quiet time (0.05 s) takes what the socket has.
  assert(s:clean() == "later")
  -- EOF ends it and is no error; what came before is returned.
  assert(c:write("last words"))
  c:close()
  assert(s:clean(5) == "last words")
  assert(s:clean() == "")
  expect_error("eof", s:read())
  s:close()
  local a, b = net.pipe()
  b:close()
  local ok, err = pcall(a.clean, a, -1)
  assert(not ok and tostring(err):find("secs", 1, true), tostring(err))
  a:close()
end

function TestCleanIsCanceled(t)
  -- A peer that never goes quiet: clean stops at its cap; a canceled one
  -- consumes nothing.
  local c, s = tcp_pair()
  local flood = task.spawn(function()
    local chunk = string.rep("f", 4096)
    while c:write(chunk) do end
  end)
  local data = assert(s:clean(0.2))
  assert(#data == 1024 * 1024, #data)
  flood:cancel()
  c:close()
  s:close()
  c, s = tcp_pair()
  assert(c:write("some"))
  local waiter = task.spawn(function(conn) return conn:clean(10) end, s)
  time.sleep(0.1)
  waiter:cancel()
  local v, err = waiter:wait(5)
  assert(v == nil and err.kind == "canceled", "a canceled clean returned " .. tostring(v))
  c:close()
end

function TestExpectPlain(t)
  local c, s = tcp_pair()
  assert(c:write("costs $5.00 (approx) [x]% done\n"))
  -- Pattern magic is literal.
  local data = s:expect("$5.00 (", { plain = true })
  assert(data == "costs $5.00 (", data)
  assert(select("#", s:expect("[x]%", { plain = true })) == 1)
  assert(s:buffered() == " done\n")
  -- The same pattern as a Lua pattern is an error or something else.
  local ok = pcall(s.expect, s, "[x", 1)
  assert(not ok)
  -- Across writes.
  local a, b = net.pipe()
  task.spawn(function()
    for _, piece in ipairs({ "ab", "c.", "*d", "ef" }) do assert(a:write(piece)) end
    a:close()
  end)
  b:set_timeout(10)
  assert(b:expect(".*d", { plain = true }) == "abc.*d")
  expect_error("eof", b:expect("zz", { plain = true }))
  assert(b:buffered() == "ef")
  -- max: a match must end within it.
  assert(c:write(string.rep("-", 20) .. "MARK"))
  expect_error("too_large", s:expect("MARK", { plain = true, max = 10 }))
  assert(s:expect("MARK", { plain = true, max = 40 }) == " done\n" .. string.rep("-", 20) .. "MARK")
  local ok2, err = pcall(s.expect, s, "", { plain = true })
  assert(not ok2 and tostring(err):find("pattern", 1, true), tostring(err))
  c:close()
  s:close()
end

-- The comparisons with pwntools that docs/API.md states, a case each.

function TestPwntoolsRecvuntilTimeoutKeepsData(t)
  -- pwntools: recvuntil on timeout returns b'' and keeps what came.
  -- Here: nil, err (timeout), and what came stays buffered.
  local c, s = tcp_pair()
  assert(c:write("half a li"))
  expect_error("timeout", s:read_until("\n", { timeout = 0.05 }))
  assert(s:buffered() == "half a li")
  assert(c:write("ne\n"))
  assert(s:read_until("\n") == "half a line")
  c:close()
  s:close()
end

function TestPwntoolsEOFMidDelimiter(t)
  -- pwntools: EOF in the middle of recvuntil's delimiter raises EOFError
  -- and keeps the data. Here: nil, err (eof), the data kept.
  local c, s = tcp_pair()
  assert(c:write("data then \r"))
  c:close()
  expect_error("eof", s:read_until("\r\n"))
  assert(s:buffered() == "data then \r")
  -- recvn likewise: read_full at EOF is eof and keeps the partial data.
  expect_error("eof", s:read_full(100))
  assert(s:read_all() == "data then \r")
  s:close()
end

function TestPwntoolsDropAndKeep(t)
  -- pwntools: recvuntil keeps the delimiter (drop=False) and recvline
  -- keeps the newline (keepends=True). Here read_until drops it unless
  -- keep = true, and read_line drops it (recvline(keepends=False)).
  local c, s = tcp_pair()
  assert(c:write("a;b;line\r\n"))
  assert(s:read_until(";") == "a")
  assert(s:read_until(";", { keep = true }) == "b;")
  assert(s:read_line() == "line")
  c:close()
  s:close()
end

function TestPwntoolsSendlineafterTimeoutSendsNothing(t)
  -- pwntools: sendlineafter on a timeout sends the line anyway. Here
  -- nothing is sent (see TestSendAfter), and the result is nil, err.
  local c, s = tcp_pair()
  assert(s:write("wrong prompt> "))
  expect_error("timeout", c:send_line_after("login: ", "root", { timeout = 0.05 }))
  expect_error("timeout", s:read({ timeout = 0.2 }))
  -- pwntools' sendafter returns what came, delimiter included; here what
  -- came before it.
  assert(s:write("login: "))
  assert(c:send_line_after("login: ", "root") == "wrong prompt> ")
  assert(s:read_line() == "root")
  c:close()
  s:close()
end

function TestPwntoolsNewlineAndClean(t)
  -- pwntools: tube.newline (b'\n') ends sendline's line; clean(0) clears
  -- only what is cached. Here set_newline and clean(0) do the same.
  local c, s = tcp_pair()
  c:send_line("x")
  assert(s:read_full(2) == "x\n")
  assert(c:write("cached"))
  assert(s:read_full(1) == "c")
  assert(s:clean(0) == "ached")
  c:close()
  s:close()
end

function TestCallTimeoutIsThatCallsOnly(t)
  -- A read's opts.timeout ends that read only: another task's read queued
  -- behind it on the same conn goes on waiting, with no timeout of its own.
  local c, s = tcp_pair()
  local timed_out = task.spawn(function() return s:read_until("X", { timeout = 0.1 }) end)
  local waiting = task.spawn(function() return s:read_line() end)
  local v, err = timed_out:wait(5)
  expect_error("timeout", v, err, "the timed read")
  time.sleep(0.2)
  assert(waiting:status() == "running", "the other read ended with the timed one: " .. waiting:status())
  assert(c:write("late line\n"))
  assert(waiting:wait(5) == "late line")
  c:close()
  s:close()
end
