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
