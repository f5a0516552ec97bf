-- proc.spawn: process tubes against real programs (cat, sh, sleep, python3;
-- their paths are globals set by proc_setup_test.go).

local th = require("testhelp")
local expect_error = th.expect_error

-- pseudo_random returns n bytes of every value, in no short period.
local function pseudo_random(n)
  local block = {}
  local x = 12345
  for i = 1, 4093 do -- a prime: the 10 MiB are no repeat of a 4 KiB page
    x = (x * 1103515245 + 12345) % 2147483648
    block[i] = string.char(math.floor(x / 65536) % 256)
  end
  block = table.concat(block)
  return string.rep(block, math.floor(n / #block) + 1):sub(1, n)
end

-- gone reports whether no process has the id pid any more: kill -0 fails
-- for a pid that was reaped (it succeeds for a zombie).
local function gone(pid)
  local k = assert(proc.spawn({ SH, "-c", "kill -0 " .. pid .. " 2>/dev/null" }))
  local code = k:wait(10)
  k:close()
  return code ~= 0
end

function TestProcCatRoundTrip10MiB(t)
  local data = pseudo_random(10 * 1024 * 1024)
  local p = assert(proc.spawn({ CAT }))
  p:set_timeout(20)
  -- one task writes while this one reads: cat's pipes hold 64 KiB
  local writer = task.spawn(function(p)
    assert(p:write(data))
    assert(p:close_write())
    return true
  end, p)
  local got = assert(p:read_all())
  assert(writer:wait())
  assert(#got == #data, "got " .. #got .. " bytes, want " .. #data)
  assert(got == data, "the bytes differ")
  assert(p:wait(10) == 0)
  assert(p:close())
end

function TestProcLinesAndExpect(t)
  local p = assert(proc.spawn({ CAT }))
  p:set_timeout(10)
  assert(p:send_line("hello"))
  assert(p:read_line() == "hello")
  assert(p:write("a prompt> "))
  local before = assert(p:send_after("> ", "x\n"))
  assert(before == "a prompt", before)
  local _, word = assert(p:expect("^(%a)\n", 5))
  assert(word == "x")
  local s = tostring(p)
  assert(s:find("^<proc conn pid %d+ %-> .*cat>$"), s)
  assert(p:local_addr().network == "proc")
  p:close()
  assert(tostring(p):find("(closed)", 1, true))
end

function TestProcReadTimeoutOnSilentChild(t)
  for _, pty in ipairs({ false, true }) do
    local p = assert(proc.spawn({ SLEEP, "30" }, { pty = pty }))
    local t0 = time.now()
    expect_error("timeout", p:read({ timeout = 0.2 }), select(2, p:read({ timeout = 0.2 })), "read, pty " .. tostring(pty))
    assert(time.now() - t0 < 5)
    expect_error("timeout", p:wait(0.05))
    t0 = time.now()
    p:close() -- sleep dies of SIGTERM: no grace period
    assert(time.now() - t0 < 1.5, "close took " .. (time.now() - t0))
    local code, sig = p:wait(1)
    -- closing a pty's master hangs its session up: SIGHUP may come first
    assert(code == nil and (sig == "SIGTERM" or pty and sig == "SIGHUP"), tostring(code) .. " " .. tostring(sig))
  end
end

function TestProcPtyPrompt(t)
  -- python3 prompts only when its stdin is a terminal: with pipes it runs
  -- what it reads as a script, silently
  local p = assert(proc.spawn({ PYTHON3, "-q" }))
  p:set_timeout(20)
  assert(p:write("print(6*7)\n"))
  assert(p:close_write())
  assert(p:read_all() == "42\n")
  assert(p:wait(10) == 0)

  p = assert(proc.spawn({ PYTHON3, "-q", "-i" }, { pty = true }))
  p:set_timeout(20)
  assert(p:expect(">>> ", 20))
  assert(p:send_line("print(6*7)"))
  assert(p:expect("42\r?\n", 20))
  assert(p:expect(">>> ", 20))
  expect_error("other", p:close_write())
  assert(p:send_line("exit()"))
  p:read_all() -- the echo, up to EOF: EIO on the master is a clean EOF
  local code = p:wait(10)
  assert(code == 0, tostring(code))
  expect_error("eof", p:read())

  local q = assert(proc.spawn({ PYTHON3, "-c", "import os; print(os.isatty(0), os.isatty(1), os.isatty(2))" }, { pty = true }))
  q:set_timeout(20)
  local line = assert(q:read_line())
  assert(line == "True True True\r" or line == "True True True", line)
  q:close()
end

function TestProcStderrAndStatus(t)
  local cmd = { SH, "-c", "echo out; echo x >&2; exit 3" }
  local p = assert(proc.spawn(cmd, { stderr = "pipe" }))
  p:set_timeout(10)
  local e = assert(p:stderr())
  assert(p:stderr() == e)
  assert(e:read_line() == "x")
  assert(p:read_all() == "out\n")
  expect_error("eof", e:read())
  assert(p:wait(10) == 3)
  assert(not e:write("y"))
  p:close()
  expect_error("closed", e:read())

  local m = assert(proc.spawn(cmd))
  m:set_timeout(10)
  local all = m:read_all()
  assert(all == "out\nx\n", all)
  assert(m:wait(10) == 3)
  expect_error("other", m:stderr())
  m:close()
end

function TestProcEnvAndCwd(t)
  local dir = t:tempdir()
  local p = assert(proc.spawn({ SH, "-c", 'echo "$GONETREPL_X|${HOME-unset}"; pwd -P' },
    { env = { GONETREPL_X = "y z", HOME = false }, cwd = dir }))
  p:set_timeout(10)
  assert(p:read_line() == "y z|unset")
  local wd = assert(p:read_line())
  assert(wd:sub(-#dir) == dir or wd:find(dir:match("[^/]+$"), 1, true), wd .. " vs " .. dir)
  assert(p:wait(10) == 0)
  p:close()
end

function TestProcKillAndTimeout(t)
  local p = assert(proc.spawn({ SLEEP, "30" }))
  assert(p:pid() > 0)
  assert(p:kill("int"))
  local code, sig = p:wait(10)
  assert(code == nil and sig == "SIGINT", tostring(sig))
  expect_error("other", p:kill(9))
  p:close()

  local t0 = time.now()
  local q = assert(proc.spawn({ SLEEP, "30" }, { timeout = 0.2 }))
  code, sig = q:wait(10)
  assert(code == nil and sig == "SIGTERM", tostring(sig))
  local took = time.now() - t0
  assert(took >= 0.2 and took < 2, "took " .. took)
  q:close()
end

function TestProcStoppedChildKilledAtOnce(t)
  -- a stopped child acts on SIGTERM once continued: close sends SIGCONT too
  local p = assert(proc.spawn({ SH, "-c", "echo ready; kill -STOP $$; exec " .. SLEEP .. " 30" }))
  p:set_timeout(10)
  assert(p:read_line() == "ready")
  time.sleep(0.1)
  local t0 = time.now()
  p:close()
  local took = time.now() - t0
  local code, sig = p:wait(1)
  assert(code == nil and sig == "SIGTERM", tostring(code) .. " " .. tostring(sig))
  assert(took < 1.5, "took " .. took)
end

function TestProcIgnoresTermKilledOnCancel(t)
  local p = assert(proc.spawn({ SH, "-c", 'trap "" TERM; echo ready; exec ' .. SLEEP .. " 30" }))
  p:set_timeout(10)
  assert(p:read_line() == "ready")
  local pid = p:pid()
  local started = task.chan(1)
  -- the task receives p, so owns it; canceled, it kills and reaps it
  local worker = task.spawn(function(p)
    started:send(true)
    p:set_timeout(0)
    local all = p:read_all() -- canceled here
    return all
  end, p)
  assert(started:recv(10))
  time.sleep(0.05)
  local t0 = time.now()
  worker:cancel()
  local ok, err = worker:wait()
  local took = time.now() - t0
  assert(not ok, tostring(ok) .. " " .. tostring(err))
  assert(worker:status() == "canceled", worker:status())
  -- SIGTERM is ignored: SIGKILL after the 2-second grace period
  assert(took >= 1.9 and took < 6, "took " .. took)
  local code, sig = p:wait(1)
  assert(code == nil and sig == "SIGKILL", tostring(code) .. " " .. tostring(sig))
  assert(gone(pid), "pid " .. pid .. " still exists")
end

function TestProcFailedTaskKillsAndReaps(t)
  t:allow_task_errors()
  local pids = task.chan(1)
  local worker = task.spawn(function()
    local p = assert(proc.spawn({ SLEEP, "30" }))
    pids:send(p:pid())
    error("the handler failed")
  end)
  local pid = assert(pids:recv(10))
  assert(not worker:wait())
  assert(worker:status() == "failed")
  assert(gone(pid), "pid " .. pid .. " still exists")
end

function TestProcNotFound(t)
  local err = expect_error("other", proc.spawn({ "gonetrepl-no-such-program" }))
  assert(tostring(err):find("not found", 1, true), tostring(err))
  expect_error("other", proc.spawn({ "/nonexistent/prog" }))
  expect_error("other", proc.spawn({ CAT }, { cwd = "/nonexistent" }))
end

function TestProcWrongArguments(t)
  local cases = {
    { "argv", {} },
    { "argv", "cat" },
    { "argv", { CAT, {} } },
    { "argv", { "" } },
    { "opts.stderr", { CAT }, { stderr = "null" } },
    { "opts.env", { CAT }, { env = { X = true } } },
    { "opts.env", { CAT }, { env = { "x" } } },
    { "opts.pty", { CAT }, { pty = "yes" } },
    { "opts.timeout", { CAT }, { timeout = -1 } },
    { "opts", { CAT }, { tty = true } },
  }
  for _, c in ipairs(cases) do
    local ok, err = pcall(proc.spawn, c[2], c[3])
    assert(not ok and tostring(err):find(c[1], 1, true), c[1] .. ": " .. tostring(err))
  end
  local p = assert(proc.spawn({ CAT }))
  local ok, err = pcall(p.kill, p, "SIGNOPE")
  assert(not ok and tostring(err):find("signal", 1, true), tostring(err))
  ok, err = pcall(p.wait, p, -1)
  assert(not ok and tostring(err):find("timeout", 1, true), tostring(err))
  p:close()
  -- the methods of a process tube, on another conn
  local a, b = net.pipe()
  for _, m in ipairs({ "pid", "wait", "kill", "stderr" }) do
    expect_error("other", a[m](a))
  end
  a:close()
  b:close()
end

function TestProcRelay(t)
  -- net.relay between a TCP conn and cat: the client's EOF closes cat's
  -- stdin, cat's exit ends the other direction
  local results = task.chan(2)
  local addr = th.serve_once(function(c)
    local p = assert(proc.spawn({ CAT }))
    results:send({ net.relay(c, p) })
    results:send({ p:wait(10) })
    p:close()
  end)
  local c = assert(net.dial("tcp", addr, { timeout = 10 }))
  c:set_timeout(10)
  local data = pseudo_random(1024 * 1024)
  task.spawn(function()
    assert(c:write(data))
    assert(c:close_write())
  end)
  assert(c:read_all() == data)
  local r = results:recv(10)
  assert(r[1] == #data and r[2] == #data, tostring(r[1]) .. " " .. tostring(r[2]) .. " " .. tostring(r[3]))
  assert(results:recv(10)[1] == 0)
  c:close()

  -- a child that exits while the client still has its side open
  addr = th.serve_once(function(c)
    local p = assert(proc.spawn({ SH, "-c", "echo bye" }))
    results:send({ net.relay(c, p) })
    p:close()
  end)
  c = assert(net.dial("tcp", addr, { timeout = 10 }))
  c:set_timeout(10)
  assert(c:read_all() == "bye\n")
  r = results:recv(10)
  assert(r[1] == 0 and r[2] == 4, tostring(r[1]) .. " " .. tostring(r[2]) .. " " .. tostring(r[3]))
  c:close()
end

function TestProcWriteAfterExit(t)
  local p = assert(proc.spawn({ TRUE }))
  assert(p:wait(10) == 0)
  expect_error("eof", p:read({ timeout = 10 }))
  expect_error("reset", p:write("x"))
  p:close()
  expect_error("closed", p:write("x"))
end
