-- c:send_file and os.stat: a regular file streams to a conn (sendfile(2)
-- on TCP, a bounded copy on a pipe); a FIFO, a device, a directory are
-- refused at once, without blocking the runtime.

local th = require "testhelp"
local expect_error = th.expect_error

-- write_file makes a file of data under dir and returns its path.
local function write_file(dir, name, data)
  local path = dir .. "/" .. name
  local f = assert(io.open(path, "wb"))
  assert(f:write(data))
  f:close()
  return path
end

local function sh(cmd)
  local ok = os.execute(cmd)
  assert(ok == 0 or ok == true, cmd .. ": failed")
end

-- pattern is n bytes of varied content.
local function pattern(n)
  local parts = {}
  for i = 1, math.ceil(n / 256) do parts[i] = string.char(i % 256) .. ("%0255d"):format(i) end
  return table.concat(parts):sub(1, n)
end

function TestSendFileTCP(t)
  local dir = t:tempdir()
  local data = pattern(3 * 1024 * 1024 + 17)
  local path = write_file(dir, "big.bin", data)
  local c, s = th.tcp_pair()
  local got = task.spawn(function() return c:read_full(#data) end)
  assert(s:send_file(path) == #data)
  assert(got:wait() == data, "the whole file, byte for byte")
  -- offset and count
  got = task.spawn(function() return c:read_full(100) end)
  assert(s:send_file(path, 1000, 100) == 100)
  assert(got:wait() == data:sub(1001, 1100))
  -- count past the end: what there is
  got = task.spawn(function() return c:read_full(7) end)
  assert(s:send_file(path, #data - 7, 1000) == 7)
  assert(got:wait() == data:sub(-7))
  -- offset at or past the end: nothing
  assert(s:send_file(path, #data + 5) == 0)
  c:close(); s:close()
end

function TestSendFileFallbackCopy(t)
  -- A pipe has no sendfile: the bounded copy, and a trace sees the bytes.
  local path = write_file(t:tempdir(), "f.txt", pattern(100 * 1024))
  local a, b = net.pipe()
  local got = task.spawn(function() return b:read_full(100 * 1024) end)
  assert(a:send_file(path) == 100 * 1024)
  assert(got:wait() == pattern(100 * 1024))
  a:close(); b:close()
end

function TestSendFileRefusesSpecialFiles(t)
  local dir = t:tempdir()
  sh("mkfifo " .. dir .. "/fifo")
  sh("ln -s /dev/zero " .. dir .. "/zero")
  sh("ln -s " .. dir .. "/fifo " .. dir .. "/fifolink")
  local c, s = th.tcp_pair()
  for _, name in ipairs({ "fifo", "fifolink", "zero", "." , "missing" }) do
    local n, e = s:send_file(dir .. "/" .. name)
    local err = expect_error("other", n, e, "send_file " .. name)
    if name ~= "missing" then
      assert(tostring(err):find("not a regular file", 1, true), tostring(err))
    end
    assert(err.op == "send_file" and err.addr == dir .. "/" .. name, tostring(err.op) .. " " .. tostring(err.addr))
  end
  -- Nothing was sent, and the conn still works.
  assert(s:write("ok\n"))
  assert(c:read_line() == "ok")
  c:close(); s:close()
end

function TestSendFileArgs(t)
  local c, s = th.tcp_pair()
  for _, bad in ipairs({
    function() s:send_file() end,
    function() s:send_file("x", -1) end,
    function() s:send_file("x", 1.5) end,
    function() s:send_file("x", 0, -3) end,
  }) do
    local ok, err = pcall(bad)
    assert(not ok and tostring(err):find("bad argument", 1, true), tostring(err))
  end
  c:close(); s:close()
end

function TestSendFileCanceled(t)
  -- A peer that never reads: the send blocks (the lock released: this
  -- test's other tasks run), and a cancel ends it.
  local path = t:tempdir() .. "/sparse.bin"
  sh("truncate -s 256M " .. path) -- more than any socket buffer holds
  local c, s = th.tcp_pair()
  s:set_timeout(0)
  local started = task.chan(1)
  local sender = task.spawn(function()
    started:send(true)
    return s:send_file(path)
  end)
  assert(started:recv(10))
  -- The first bytes arrive while the sender is blocked on the full
  -- buffer (256 MiB cannot fit in it): the lock was released.
  assert(#assert(c:read(1)) == 1)
  sender:cancel()
  local n, err = sender:wait(10)
  assert(n == nil and err.kind == "canceled", tostring(err))
  c:close()
end

function TestStat(t)
  local dir = t:tempdir()
  local path = write_file(dir, "a.txt", "hello")
  sh("mkfifo " .. dir .. "/fifo")
  sh("ln -s /dev/zero " .. dir .. "/zero")
  local st = assert(os.stat(path))
  assert(st.kind == "file" and st.size == 5, st.kind .. " " .. st.size)
  assert(type(st.mode) == "number" and math.abs(st.mtime - time.now()) < 3600)
  assert(os.stat(dir).kind == "directory")
  assert(os.stat(dir .. "/fifo").kind == "fifo")
  assert(os.stat(dir .. "/zero").kind == "device")
  local st2, e = os.stat(dir .. "/missing")
  local err = expect_error("other", st2, e, "stat missing")
  assert(err.op == "stat" and tostring(err):find("no such file", 1, true), tostring(err))
end

function TestSendFileTLSAndTrace(t)
  -- Through TLS (no sendfile: the bounded copy), and on a traced TCP conn.
  local data = pattern(200 * 1024 + 3)
  local path = write_file(t:tempdir(), "f.bin", data)
  local ln = assert(tls.listen("127.0.0.1:0", { self_signed = true }))
  local served = task.spawn(function()
    local s = assert(ln:accept(10))
    s:set_timeout(10)
    local n, err = s:send_file(path)
    s:close()
    return n, err
  end)
  local c = assert(tls.dial(tostring(ln:addr()), { insecure = true, timeout = 10 }))
  c:set_timeout(10)
  assert(c:read_full(#data) == data)
  assert(served:wait(10) == #data)
  c:close(); ln:close()

  local a, b = th.tcp_pair()
  a:trace("hex")
  local got = task.spawn(function() return b:read_full(100) end)
  assert(a:send_file(path, 5, 100) == 100)
  assert(got:wait() == data:sub(6, 105))
  a:close(); b:close()
end

-- The readers and writers of captures and transcripts refuse a FIFO
-- (with no writer, or no reader) instead of waiting in open with the
-- interpreter held: the rest of the runtime goes on.
function TestCaptureAndTranscriptFilesRefuseFIFOs(t)
  local dir = t:tempdir()
  sh("mkfifo " .. dir .. "/fifo")
  local fifo = dir .. "/fifo"
  local ticks, stop = 0, false
  task.spawn(function() while not stop do time.sleep(0.01); ticks = ticks + 1 end end)
  local cap, err = pcap.open(fifo)
  assert(cap == nil and tostring(err):find("not a regular file", 1, true), tostring(err))
  local replay = require "replay"
  local session
  session, err = replay.load(fifo)
  assert(session == nil and tostring(err):find("not a regular file", 1, true), tostring(err))
  local rec
  rec, err = net.record(fifo)
  assert(rec == nil and err ~= nil, "net.record of a FIFO without a reader: " .. tostring(rec))
  rec, err = net.capture(fifo)
  assert(rec == nil and err ~= nil, "net.capture of a FIFO without a reader: " .. tostring(rec))
  time.sleep(0.05)
  stop = true
  assert(ticks > 0, "the other task never ran")
end
