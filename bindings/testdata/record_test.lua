-- net.record, c:record, pc:record: transcripts of tcp, udp, unix, tls and
-- process tube sessions, read back and checked line by line with Lua
-- patterns (DIR is a temporary directory, CAT the cat program).

local testhelp = require("testhelp")

local n = 0
local function path(name)
  n = n + 1
  return DIR .. "/" .. n .. "-" .. name
end

local function lines(p)
  local f = assert(io.open(p, "rb"))
  local t = {}
  for line in f:lines() do t[#t + 1] = line end
  f:close()
  return t
end

-- find returns the first line matching pat (after index from), and its index.
local function find(t, pat, from)
  for i = from or 1, #t do
    if t[i]:find(pat) then return t[i], i end
  end
  error("no line matches " .. pat .. " in:\n" .. table.concat(t, "\n"), 2)
end

local T = "^%d+%.%d%d%d%d%d%d "

function TestRecordTCP()
  local p = path("tcp.txt")
  local ln = assert(net.listen("tcp", "127.0.0.1:0"))
  ln:serve(function(c)
    local line = c:read_line()
    c:write("<" .. line .. ">\r\n")
    assert(c:read_all() == "")
    c:close()
  end)
  assert(net.record(p) == true)
  local c = assert(net.dial("tcp", tostring(ln:addr())))
  c:set_timeout(10)
  local msg = "hello\0\255 \"q\"\\\t"
  c:send_line(msg)
  assert(c:read_line() == "<" .. msg .. ">")
  c:close_write()
  assert(c:read_all() == "")
  c:close()
  ln:close()
  time.sleep(0.05) -- the handler's close
  local counts = net.record(false)
  assert(counts.path == p and counts.sessions == 2, tostring(counts.sessions))
  assert(counts.events == 11, counts.events)
  assert(net.record(false) == nil)
  local t = lines(p)
  assert(t[1] == "# gonetrepl transcript 1", t[1])
  local caddr, saddr = tostring(c:local_addr()):gsub("%.", "%%."), tostring(ln:addr()):gsub("%.", "%%.")
  -- Session ids follow the order the recorder saw the sockets first,
  -- which between two sockets of one conn is a race: look them up.
  local open, i = find(t, T .. "%d open tcp " .. caddr .. " " .. saddr .. " dial$")
  local c1 = open:match(T .. "(%d) ")
  local s1 = c1 == "1" and "2" or "1"
  find(t, T .. c1 .. " send 14 \"hello\\x00\\xff \\\"q\\\"\\\\\\t\\n\"$", i)
  find(t, T .. c1 .. " recv 17 \"<hello\\x00\\xff \\\"q\\\"\\\\\\t>\\r\\n\"$", i)
  local _, sh = find(t, T .. c1 .. " shutdown$")
  local _, eof = find(t, T .. c1 .. " eof$")
  local _, cl = find(t, T .. c1 .. " close$")
  assert(sh < eof and eof < cl)
  find(t, T .. s1 .. " open tcp " .. saddr .. " " .. caddr .. " accept$")
  find(t, T .. s1 .. " recv 14 ")
  find(t, T .. s1 .. " eof$")
  find(t, T .. s1 .. " close$")
  -- The file is the owner's alone.
  local st = assert(os.stat(p))
  if st.mode then assert(st.mode % 512 == 384, ("mode %o"):format(st.mode)) end
end

function TestRecordSplitsBigWrites()
  local p = path("big.txt")
  local a, b = testhelp.tcp_pair()
  assert(a:record(p))
  local data = string.rep("x", 10000)
  task.spawn(function() a:write(data) end)
  assert(b:read_full(10000) == data)
  assert(a:record(false).bytes == 10000)
  local t = lines(p)
  local sizes = {}
  for _, l in ipairs(t) do
    local size = l:match(T .. "1 send (%d+) ")
    if size then sizes[#sizes + 1] = tonumber(size) end
  end
  assert(#sizes == 3 and sizes[1] == 4096 and sizes[2] == 4096 and sizes[3] == 1808, table.concat(sizes, ","))
  a:close(); b:close()
end

function TestRecordUDP()
  local p = path("udp.txt")
  local a = assert(net.listen_packet("udp", "127.0.0.1:0"))
  local b = assert(net.listen_packet("udp", "127.0.0.1:0"))
  assert(a:record(p))
  local to = tostring(b:local_addr())
  a:write_to("one\0", to)
  a:write_to("", to)
  assert(b:read_from() == "one\0")
  assert(b:read_from() == "")
  b:write_to("back", tostring(a:local_addr()))
  assert(a:read_from() == "back")
  a:close()
  b:close()
  local t = lines(p)
  local esc = to:gsub("%.", "%%.")
  find(t, T .. "1 open udp " .. tostring(a:local_addr()):gsub("%.", "%%.") .. " %-$")
  local _, i = find(t, T .. "1 sendto " .. esc .. " 4 \"one\\x00\"$")
  find(t, T .. "1 sendto " .. esc .. " 0 \"\"$", i + 1)
  find(t, T .. "1 recvfrom " .. esc .. " 4 \"back\"$")
  find(t, T .. "1 close$")
  for _, l in ipairs(t) do assert(not l:find(" 2 "), "b was not recorded: " .. l) end
end

-- A recorded datagram read waits (at most 100 ms) for writes begun just
-- before it (writeorder.go), without the interpreter lock: other tasks
-- run meanwhile, for both read_from and a datagram conn's read.
function TestRecordedDatagramReadWaitsWithoutTheLock()
  local p = path("udp-wait.txt")
  assert(net.record(p))
  local a = assert(net.listen_packet("udp", "127.0.0.1:0"))
  local b = assert(net.listen_packet("udp", "127.0.0.1:0"))
  local d = assert(net.dial("udp", tostring(a:local_addr())))
  local w, r = testhelp.tcp_pair() -- r never reads: w's big write stays in flight
  local big = string.rep("x", 32 * 1024 * 1024)
  for _, read in ipairs({
    function() return a:read_from() end,
    function() return d:read() end,
  }) do
    assert(b:write_to("hi", tostring(a:local_addr())))
    assert(a:write_to("hi", tostring(d:local_addr())))
    time.sleep(0.05) -- both datagrams are queued
    local writer = task.spawn(function() return w:write(big, { timeout = 0.5 }) end)
    time.sleep(0.005) -- the write has begun
    local turns, got = testhelp.turns_during(read)
    assert(got == "hi", tostring(got))
    assert(turns > 0, "the ticker never ran while the read waited for the write")
    writer:wait()
  end
  net.record(false)
  a:close(); b:close(); d:close(); w:close(); r:close()
end

function TestRecordUnix()
  if not net.unix_supported or not net.unix_supported() then return end
  local p = path("unix.txt")
  local sock = path("s.sock")
  local ln = assert(net.listen("unix", sock))
  ln:serve(function(c) c:write(c:read_line() .. "!\n"); c:close() end)
  local c = assert(net.dial("unix", sock))
  assert(c:record(p))
  c:send_line("hi")
  assert(c:read_line() == "hi!")
  c:close()
  ln:close()
  local t = lines(p)
  find(t, T .. "1 open unix %S+ " .. sock:gsub("[%.%-]", "%%%0") .. " dial$")
  find(t, T .. "1 send 3 \"hi\\n\"$")
  find(t, T .. "1 recv 4 \"hi!\\n\"$")
  find(t, T .. "1 close$")
end

function TestRecordTLS()
  local p = path("tls.txt")
  local ln = assert(tls.listen("127.0.0.1:0", { self_signed = true, alpn = { "gnr/1" } }))
  ln:serve(function(c) c:write(c:read_line() .. "\n"); c:close() end)
  net.record(p)
  local c = assert(tls.dial(tostring(ln:addr()), { insecure = true, server_name = "example.test", alpn = { "gnr/1" }, timeout = 10 }))
  c:send_line("secret")
  assert(c:read_line() == "secret")
  c:close()
  ln:close()
  time.sleep(0.05)
  net.record(false)
  local t = lines(p)
  local open = find(t, T .. "%d open tcp %S+ %S+ dial tls alpn=gnr/1 sni=example%.test version=1%.[23]$")
  find(t, T .. open:match(T .. "(%d) ") .. " send 7 \"secret\\n\"$") -- the plaintext
  find(t, T .. "%d open tcp %S+ %S+ accept tls alpn=gnr/1 sni=example%.test version=1%.[23]$")
  for _, l in ipairs(t) do assert(not l:find("\\x16\\x03"), "a TLS record in the transcript: " .. l) end
end

function TestRecordProc()
  if CAT == "" then return end
  local p = path("proc.txt")
  net.record(p)
  local c = assert(proc.spawn({ CAT }))
  c:send_line("meow")
  assert(c:read_line() == "meow")
  c:close_write()
  assert(c:read_all() == "")
  c:close()
  net.record(false)
  local t = lines(p)
  find(t, T .. "1 open proc pid_%d+ %S+ dial$")
  find(t, T .. "1 send 5 \"meow\\n\"$")
  find(t, T .. "1 recv 5 \"meow\\n\"$")
  find(t, T .. "1 shutdown$")
  find(t, T .. "1 eof$")
  find(t, T .. "1 close$")
end

-- Grep-ability: every line is printable ASCII, fields split on single
-- spaces, and one session's lines are found by their id.
function TestRecordGreppable()
  local p = path("grep.txt")
  local a, b = testhelp.tcp_pair()
  assert(a:record(p))
  local all = {}
  for i = 0, 255 do all[#all + 1] = string.char(i) end
  all = table.concat(all)
  a:write(all)
  assert(b:read_full(256) == all)
  a:close(); b:close()
  for _, l in ipairs(lines(p)) do
    assert(not l:find("[^\32-\126]"), "not printable ASCII: " .. l)
    assert(not l:find("  "), "two spaces: " .. l)
  end
  local f = io.popen and io.popen("grep -c ' 1 send ' " .. p)
  if f then
    local out = f:read("*a"); f:close()
    if out ~= "" then assert(tonumber(out) == 1, out) end
  end
end

function TestRecordMaxBytes()
  local p = path("max.txt")
  local a, b = testhelp.tcp_pair()
  assert(a:record(p, { max_bytes = 300 }))
  for i = 1, 10 do
    a:write(string.rep("y", 50))
    assert(b:read_full(50))
  end
  a:close(); b:close()
  local t = lines(p)
  assert(t[#t] == "# recording stopped: max_bytes 300 reached", t[#t])
  local size = #table.concat(t, "\n")
  assert(size < 300 + 200, size)
end

function TestRecordAppend()
  local p = path("append.txt")
  for i = 1, 2 do
    local a, b = testhelp.tcp_pair()
    assert(a:record(p, { append = true }))
    a:write("round " .. i)
    assert(b:read_full(7))
    a:close(); b:close()
  end
  local t = lines(p)
  local headers = 0
  for _, l in ipairs(t) do if l == "# gonetrepl transcript 1" then headers = headers + 1 end end
  assert(headers == 1, headers)
  find(t, "send 7 \"round 1\"$")
  find(t, "send 7 \"round 2\"$")
end

function TestRecordFullDisk()
  local f = io.open("/dev/full", "w")
  if not f then return end
  f:close()
  local a, b = testhelp.tcp_pair()
  assert(a:record("/dev/full"))
  a:write("still works")
  assert(b:read_full(11) == "still works")
  a:write("twice")
  assert(b:read_full(5) == "twice")
  local counts = a:record(false)
  assert(counts.events == 0, counts.events)
  a:close(); b:close()
end

function TestRecordWrongArgs()
  local a, b = testhelp.tcp_pair()
  local ok, err = pcall(net.record, 42)
  assert(not ok and tostring(err):find("path"), tostring(err))
  ok, err = pcall(net.record, DIR .. "/x", { max_bytes = -1 })
  assert(not ok and tostring(err):find("opts.max_bytes"), tostring(err))
  ok, err = pcall(a.record, a, DIR .. "/x", { maxbytes = 1 })
  assert(not ok and tostring(err):find("opts"), tostring(err))
  local r, e = net.record(DIR .. "/no/such/dir/x")
  assert(r == nil and e.kind == "other", tostring(e))
  a:close(); b:close()
end

-- A relay between two recorded conns takes the watched path (not splice):
-- every relayed byte is in the transcript, both ways.
function TestRecordRelay()
  local p = path("relay.txt")
  local a1, a2 = testhelp.tcp_pair()
  local b1, b2 = testhelp.tcp_pair()
  local done = task.chan(1)
  assert(a2:record(p))
  task.spawn(function() done:send({ net.relay(a2, b1) }) end)
  local big = string.rep("r", 100000)
  a1:write(big)
  assert(b2:read_full(#big) == big)
  b2:write("back")
  assert(a1:read_full(4) == "back")
  a1:close_write()
  assert(b2:read_all() == "")
  b2:close()
  local r = done:recv(10)
  assert(r[1] == #big and r[2] == 4, tostring(r[1]))
  local counts = a2:record(false)
  assert(counts.bytes == #big + 4, counts.bytes)
  local t = lines(p)
  local got = 0
  for _, l in ipairs(t) do
    local n = l:match(T .. "1 recv (%d+) ")
    if n then got = got + tonumber(n) end
  end
  assert(got == #big, got)
  find(t, T .. "1 send 4 \"back\"$")
  find(t, T .. "1 eof$")
  a1:close(); a2:close(); b1:close()
end

-- The recorder writes through a buffer: what it holds reaches the file
-- within recFlushDelay (50 ms) while recording goes on (tail -f works),
-- and everything at once when it stops: net.record(false) right after
-- the last event loses none of them. Both for a transcript and a capture.
-- A recording started again on the file it writes replaces it cleanly:
-- the old one's buffered events do not land in the new file.
function TestRecordRestartedOnItsOwnFile()
  local a, b = testhelp.tcp_pair()
  local p = path("restarted.txt")
  for _, record in ipairs({ function(...) return net.record(...) end, function(...) return a:record(...) end }) do
    assert(record(p))
    for i = 1, 50 do assert(a:write("old " .. i .. "\n")) end
    assert(record(p))
    assert(a:write("new 1\n"))
    local counts = record(false)
    local t = lines(p)
    assert(t[1] == "# gonetrepl transcript 1", t[1])
    assert(#t == 3 and counts.events == 2, #t .. " lines:\n" .. table.concat(t, "\n"))
    assert(t[3]:find(T .. "%d+ send 6 \"new 1\\n\"$"), t[3])
  end
  assert(b:read(1000) ~= nil)
  a:close(); b:close()
end

function TestRecordBufferLosesNothing()
  local a, b = testhelp.tcp_pair()
  local p, cp = path("buffered.txt"), path("buffered.pcapng")
  assert(a:record(p))
  assert(a:capture(cp))
  for i = 1, 500 do
    assert(a:write("ping " .. i .. "\n"))
    assert(b:read_line() == "ping " .. i)
  end
  -- not stopped: the file catches up by itself
  local last = T .. "1 send %d+ \"ping 500\\n\"$"
  local t = lines(p)
  for _ = 1, 200 do
    if #t > 0 and t[#t]:find(last) then break end
    time.sleep(0.01)
    t = lines(p)
  end
  assert(#t > 0 and t[#t]:find(last), "the transcript's last line after 2 s: " .. tostring(t[#t]))
  local sends = #t - 2 -- the header, the open
  -- stopped right after more events: all of them are in the file
  for i = 501, 1000 do assert(a:write("ping " .. i .. "\n")) end
  local counts = a:record(false)
  local ccounts = a:capture(false)
  t = lines(p)
  assert(counts.events == 1001 and #t == 1002, counts.events .. " events, " .. #t .. " lines")
  assert(t[#t]:find(T .. "1 send %d+ \"ping 1000\\n\"$"), t[#t])
  assert(sends == 500, sends)
  -- the capture: every byte a wrote, in its one stream
  local cap = assert(pcap.open(cp))
  local s = cap:streams()
  local want = {}
  for i = 1, 1000 do want[i] = "ping " .. i .. "\n" end
  assert(#s == 1 and s[1].client_bytes == table.concat(want), #s)
  assert(ccounts.events == 1001, ccounts.events)
  for i = 1, 500 do assert(b:read_line() == "ping " .. (500 + i)) end
  a:close(); b:close()
end
