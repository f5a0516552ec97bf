-- pcap.open on testdata/pcap/http.pcap (tcpdump -i lo of curl fetching /
-- from python3 -m http.server on port 18765), and on files that are not
-- captures, are cut short or pass a limit. Captures made during the test
-- are read in pcap_capture_linux_test.go.

local th = require "testhelp"
local expect_error = th.expect_error

local FIXTURE = "testdata/pcap/http.pcap"

local function read_file(path)
  local f = assert(io.open(path, "rb"))
  local data = f:read("*a")
  f:close()
  return data
end

local function write_file(dir, name, data)
  local path = dir .. "/" .. name
  local f = assert(io.open(path, "wb"))
  assert(f:write(data))
  f:close()
  return path
end

function TestPcapFixture(t)
  local cap = assert(pcap.open(FIXTURE))
  assert(tostring(cap) == "<pcap capture http.pcap (pcap): 12 packets, 1 streams>", tostring(cap))
  local streams = cap:streams()
  assert(#streams == 1, #streams)
  local s = streams[1]
  assert(s.protocol == "tcp" and s.server == "127.0.0.1:18765" and s.client:match("^127%.0%.0%.1:%d+$"), s.client)
  assert(s.client_bytes:sub(1, 16) == "GET / HTTP/1.1\r\n", s.client_bytes)
  assert(s.server_bytes:sub(1, 17) == "HTTP/1.0 200 OK\r\n", s.server_bytes)
  assert(s.server_bytes:sub(-30) == "<h1>hello from a capture</h1>\n", s.server_bytes)
  assert(s.complete == true and s.missing == 0 and s.reset == false)
  local flags = {}
  for pkt in cap:packets() do flags[#flags + 1] = pkt.flags end
  assert(#flags == 12)
  assert(flags[1] == "S" and flags[2] == "SA" and flags[3] == "A", table.concat(flags, " "))
  -- a new list each call
  assert(cap:streams() ~= streams and cap:streams()[1].client_bytes == s.client_bytes)
end

function TestPcapClosed(t)
  local cap = assert(pcap.open(FIXTURE))
  local it = cap:packets()
  assert(it().number == 1)
  assert(cap:close() == true)
  assert(cap:close() == true, "closing again")
  assert(tostring(cap) == "<pcap capture http.pcap closed>", tostring(cap))
  expect_error("closed", cap:streams())
  local ok, err = pcall(it)
  assert(not ok and err.kind == "closed", tostring(err))
  ok, err = pcall(cap.packets, cap)
  assert(not ok and err.kind == "closed", tostring(err))
end

function TestPcapNotCaptures(t)
  local dir = t:tempdir()
  local err = expect_error("other", pcap.open(dir .. "/none.pcap"))
  assert(tostring(err):find("no such file", 1, true), tostring(err))
  err = expect_error("other", pcap.open(dir))
  assert(tostring(err):find("not a regular file", 1, true), tostring(err))
  err = expect_error("other", pcap.open(write_file(dir, "text", "GET / HTTP/1.1\r\n\r\n")))
  assert(tostring(err):find("not a pcap or pcapng file", 1, true), tostring(err))
  err = expect_error("other", pcap.open(write_file(dir, "empty", "")))
  -- cut short inside the last packet: its number and offset are named
  local data = read_file(FIXTURE)
  err = expect_error("other", pcap.open(write_file(dir, "cut.pcap", data:sub(1, -5))))
  assert(tostring(err):find("pcap: packet 12 at offset %d+: "), tostring(err))
end

function TestPcapLimits(t)
  local err = expect_error("too_large", pcap.open(FIXTURE, {max_bytes = 100}))
  assert(tostring(err):find("max_bytes 100", 1, true), tostring(err))
  err = expect_error("too_large", pcap.open(FIXTURE, {max_packets = 11}))
  assert(tostring(err):find("max_packets 11", 1, true), tostring(err))
  err = expect_error("too_large", pcap.open(FIXTURE, {max_payload = 100}))
  assert(tostring(err):find("max_payload 100", 1, true), tostring(err))
  assert(pcap.open(FIXTURE, {max_packets = 12, max_streams = 1, max_bytes = 2000, max_payload = 1000}))
  -- a packet whose header claims 2 GiB is refused before anything is allocated
  local data = read_file(FIXTURE)
  local bad = data:sub(1, 24 + 8) .. string.pack("<I4", 0x7fffffff) .. data:sub(24 + 13)
  err = expect_error("other", pcap.open(write_file(t:tempdir(), "huge.pcap", bad)))
  assert(tostring(err):find("packet 1 at offset 24", 1, true), tostring(err))
end

function TestPcapBadOptionsRaise(t)
  for _, opts in ipairs({{max_bytes = 0}, {max_packets = -1}, {max_streams = 1.5}, {max_payload = "x"}, {maxbytes = 1}}) do
    local ok, err = pcall(pcap.open, FIXTURE, opts)
    assert(not ok and tostring(err):find("bad argument #2 to", 1, true) and tostring(err):find("opts", 1, true), tostring(err))
  end
  local ok, err = pcall(pcap.open, 42)
  assert(not ok and tostring(err):find("bad argument #1", 1, true), tostring(err))
end

-- raw_udp_capture writes a classic pcap of raw IPv4 frames (link type
-- 101): n datagrams from 10.0.0.1:5000 to 10.0.0.2:53, each "datagram i",
-- padded to size bytes; every fifth is the answer, the other way.
local function raw_udp_capture(dir, n, size)
  local parts = {string.pack("<I4I2I2i4I4I4I4", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101)}
  for i = 1, n do
    local payload = ("datagram %d"):format(i)
    payload = payload .. ("."):rep(size - #payload)
    local src, dst, sport, dport = 0x0a000001, 0x0a000002, 5000, 53
    if i % 5 == 0 then src, dst, sport, dport = dst, src, dport, sport end
    local frame = string.pack(">BBI2I2I2BBI2I4I4", 0x45, 0, 28 + #payload, i % 65536, 0, 64, 17, 0, src, dst)
      .. string.pack(">I2I2I2I2", sport, dport, 8 + #payload, 0) .. payload
    parts[#parts + 1] = string.pack("<I4I4I4I4", 1700000000 + i, 0, #frame, #frame) .. frame
  end
  return write_file(dir, "udp.pcap", table.concat(parts))
end

function TestPcapRawIPUDP(t)
  local cap = assert(pcap.open(raw_udp_capture(t:tempdir(), 10, 20)))
  local s = cap:streams()
  assert(#s == 1 and s[1].protocol == "udp" and s[1].client == "10.0.0.1:5000" and s[1].server == "10.0.0.2:53")
  assert(#s[1].chunks == 10 and s[1].complete == false and s[1].missing == 0)
  local sent = {c2s = {}, s2c = {}}
  for i, ch in ipairs(s[1].chunks) do
    assert(ch.data:match("^datagram (%d+)") == tostring(i) and #ch.data == 20)
    assert(ch.dir == (i % 5 == 0 and "s2c" or "c2s") and ch.time == 1700000000 + i)
    table.insert(sent[ch.dir], ch.data)
  end
  -- each side's bytes are its chunks joined (the chunks' data are cut from them)
  assert(s[1].client_bytes == table.concat(sent.c2s) and #s[1].client_bytes == 8 * 20)
  assert(s[1].server_bytes == table.concat(sent.s2c) and #s[1].server_bytes == 2 * 20)
  local pkt = cap:packets()()
  assert(pkt.protocol == "udp" and pkt.src == "10.0.0.1:5000" and pkt.dst == "10.0.0.2:53" and pkt.flags == nil
    and pkt.length == 48 and pkt.time == 1700000001 and pkt.payload:sub(1, 10) == "datagram 1")
end

-- pcap.open reads with the interpreter lock released: another task runs
-- all the while (50,000 datagrams take a while to decode).
function TestPcapOpenLetsOthersRun(t)
  local path = raw_udp_capture(t:tempdir(), 50000, 16)
  local done, cap = false, nil
  local opener = task.spawn(function() cap = assert(pcap.open(path, {max_packets = 50000})); done = true end)
  local turns = 0
  while not done do
    turns = turns + 1
    time.sleep(0.001)
  end
  opener:wait(60)
  assert(opener:status() == "done", opener:status())
  assert(#cap:streams()[1].chunks == 50000)
  assert(turns >= 5, "the other task ran only " .. turns .. " times while the capture was read")
  -- and a cancel stops the read
  local started = time.now()
  local t2 = task.spawn(function() return pcap.open(path, {max_packets = 50000}) end)
  time.sleep(0.005)
  t2:cancel()
  local v, err = t2:wait(60)
  assert(v == nil and t2:status() == "canceled", t2:status())
  assert(time.since(started) < 5)
end

-- same_udp_capture writes a classic pcap of raw IPv4 frames (link type
-- 101): n datagrams of payload from 10.0.0.1:5000 to 10.0.0.2:53, all
-- alike, so that a big one is quick to make.
local function same_udp_capture(dir, n, payload)
  local frame = string.pack(">BBI2I2I2BBI2I4I4", 0x45, 0, 28 + #payload, 1, 0, 64, 17, 0, 0x0a000001, 0x0a000002)
    .. string.pack(">I2I2I2I2", 5000, 53, 8 + #payload, 0) .. payload
  local record = string.pack("<I4I4I4I4", 1700000000, 0, #frame, #frame) .. frame
  return write_file(dir, "same.pcap", string.pack("<I4I2I2i4I4I4I4", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101) .. record:rep(n))
end

-- cap:streams() hands the interpreter on while it builds its tables (one
-- per chunk: 50,000 datagrams here), as a long Go builtin does at a tick;
-- it used to hold it for the whole list, and the ticker got no turn. A
-- capture closed by a task that ran meanwhile does not spoil the list
-- being built: it is made of what the capture held when the call began.
function TestPcapStreamsLetOthersRun(t)
  local n, payload = 50000, "a datagram"
  local cap = assert(pcap.open(same_udp_capture(t:tempdir(), n, payload), {max_packets = n}))
  local turns, streams = th.turns_during(function() return cap:streams() end)
  t:log("the ticker ran " .. turns .. " times while cap:streams() built its tables")
  assert(turns >= 2, "the ticker ran " .. turns .. " times while cap:streams() built its tables")
  local function check(streams)
    local s = streams[1]
    assert(#streams == 1 and #s.chunks == n, #s.chunks)
    assert(s.client_bytes == payload:rep(n) and s.server_bytes == "")
    for _, i in ipairs({1, 2, n / 2, n}) do
      assert(s.chunks[i].data == payload and s.chunks[i].dir == "c2s", i)
    end
  end
  check(streams)
  local closed = false
  local closer = task.spawn(function()
    time.sleep(0.001)
    cap:close()
    closed = true
  end)
  check(assert(cap:streams()))
  assert(closed, "the closer did not run while cap:streams() built its tables")
  closer:wait(10)
  th.expect_error("closed", cap:streams())
end
