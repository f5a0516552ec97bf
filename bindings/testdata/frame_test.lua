-- Length-prefixed frames: c:read_frame and c:write_frame over loopback TCP.

local tcp_pair = require("testhelp").tcp_pair

-- header encodes n in size bytes, as a frame header in order.
local function header(n, size, order)
  local bytes = {}
  for i = size, 1, -1 do
    bytes[i] = string.char(n % 256)
    n = math.floor(n / 256)
  end
  local h = table.concat(bytes)
  if order == "little" then h = h:reverse() end
  return h
end

local block = {}
for i = 1, 256 do block[i] = string.char((i * 7) % 256) end
block = table.concat(block)

-- binary returns n bytes of every value, in an order that repeats every 256.
local function binary(n)
  return block:rep(math.ceil(n / 256)):sub(1, n)
end

function TestFrameRoundTrips(t)
  local c, s = tcp_pair()
  for _, size in ipairs({ 1, 2, 4, 8 }) do
    for _, order in ipairs({ "big", "little" }) do
      local o = { size = size, order = order }
      local msgs = { "", "x", binary(255) }
      if size >= 2 then msgs[#msgs + 1] = binary(300) end
      if size >= 4 then msgs[#msgs + 1] = binary(70000) end
      for _, msg in ipairs(msgs) do
        local what = ("size %d %s, %d bytes"):format(size, order, #msg)
        -- write_frame puts the header as described, then the data.
        assert(c:write_frame(msg, o) == size + #msg, what)
        local raw = assert(s:read_full(size + #msg))
        assert(raw == header(#msg, size, order) .. msg, what .. ": wire format")
        -- read_frame decodes a header written by hand.
        assert(c:write(raw))
        assert(s:read_frame(o) == msg, what .. ": read_frame of raw bytes")
        -- and its own.
        assert(s:write_frame(msg, o))
        assert(c:read_frame(o) == msg, what .. ": round trip")
      end
    end
  end
  -- Defaults: 4 bytes, big-endian.
  assert(c:write_frame("abc") == 7)
  assert(s:read_full(7) == "\0\0\0\3abc")
  assert(c:buffered() == "" and s:buffered() == "")
  c:close()
  s:close()
end

function TestFrameTooLarge(t)
  local c, s = tcp_pair()
  -- A header claiming 2000 bytes with max 1000: too_large at once, before
  -- the data has even been sent, and nothing consumed.
  assert(c:write(header(2000, 4) .. "abc"))
  local t0 = time.now()
  local data, err = s:read_frame({ max = 1000 })
  assert(data == nil and err.kind == "too_large", tostring(err))
  assert(time.since(t0) < 5)
  assert(tostring(err):find("2000", 1, true) and tostring(err):find("1000", 1, true), tostring(err))
  assert(s:buffered():sub(1, 4) == header(2000, 4), "header not left buffered")
  -- Again: the same answer, still nothing consumed.
  data, err = s:read_frame({ max = 1000 })
  assert(data == nil and err.kind == "too_large")
  -- The caller may skip the frame: its header, then its data.
  assert(c:write(string.rep("y", 1997)))
  assert(c:write_frame("next"))
  assert(s:read_full(4) == header(2000, 4))
  assert(s:read_full(2000) == "abc" .. string.rep("y", 1997))
  assert(s:read_frame({ max = 1000 }) == "next")

  -- The largest 8-byte length, and a 1-byte one just over max.
  assert(c:write(string.rep("\255", 8)))
  data, err = s:read_frame({ size = 8 })
  assert(data == nil and err.kind == "too_large", tostring(err))
  assert(s:read_full(8) == string.rep("\255", 8))
  assert(c:write("\11" .. string.rep("z", 11)))
  data, err = s:read_frame({ size = 1, max = 10 })
  assert(data == nil and err.kind == "too_large")
  assert(s:read_frame({ size = 1, max = 11 }) == string.rep("z", 11))
  -- max = 0 accepts only empty frames.
  assert(c:write_frame(""))
  assert(s:read_frame({ max = 0 }) == "")
  c:close()
  s:close()
end

function TestFrameEOFMidFrame(t)
  local c, s = tcp_pair()
  assert(c:write(header(10, 4) .. "abc"))
  assert(c:close_write())
  local data, err = s:read_frame()
  assert(data == nil and err.kind == "eof", tostring(err))
  assert(s:buffered() == header(10, 4) .. "abc", "partial frame not left buffered")
  assert(s:read_all() == header(10, 4) .. "abc")
  -- At EOF with nothing buffered: eof too.
  data, err = s:read_frame()
  assert(data == nil and err.kind == "eof", tostring(err))
  c:close()
  s:close()

  -- EOF in the middle of the header.
  c, s = tcp_pair()
  assert(c:write("\0\0"))
  assert(c:close_write())
  data, err = s:read_frame()
  assert(data == nil and err.kind == "eof", tostring(err))
  assert(s:buffered() == "\0\0")
  c:close()
  s:close()
end

function TestFrameMixesWithReadLine(t)
  local a, b = net.pipe()
  local stream = "HELLO\r\n" .. header(3, 2, "little") .. "abc" .. "BYE\n" .. header(0, 4) .. "tail"
  task.spawn(function()
    -- In pieces of 1 to 4 bytes, so every boundary falls somewhere.
    local i = 1
    while i <= #stream do
      local n = (i % 4) + 1
      a:write(stream:sub(i, i + n - 1))
      i = i + n
    end
    a:close()
  end)
  b:set_timeout(10)
  assert(b:read_line() == "HELLO")
  assert(b:read_frame({ size = 2, order = "little" }) == "abc")
  assert(b:read_line() == "BYE")
  assert(b:read_frame() == "")
  assert(b:read_all() == "tail")
end

function TestFrameManyFramesInOneWrite(t)
  local c, s = tcp_pair()
  local parts = {}
  for i = 1, 100 do parts[i] = header(#tostring(i), 2) .. tostring(i) end
  assert(c:write(table.concat(parts)))
  for i = 1, 100 do assert(s:read_frame({ size = 2 }) == tostring(i)) end
  c:close()
  s:close()
end

function TestWriteFrameTooLong(t)
  local a, b = net.pipe()
  local ok, err = pcall(a.write_frame, a, string.rep("x", 256), { size = 1 })
  assert(not ok and tostring(err):find("bad argument #2", 1, true) and tostring(err):find("data:", 1, true), tostring(err))
  ok, err = pcall(a.write_frame, a, string.rep("x", 65536), { size = 2 })
  assert(not ok and tostring(err):find("65535", 1, true), tostring(err))
  -- The largest that fits is fine.
  task.spawn(function() assert(a:write_frame(string.rep("x", 255), { size = 1 }) == 256) end)
  assert(#b:read_frame({ size = 1 }) == 255)
end

function TestFrameBadOptions(t)
  local a = net.pipe()
  for _, case in ipairs({
    { { size = 3 }, "opts.size" },
    { { size = 16 }, "opts.size" },
    { { order = "middle" }, "opts.order" },
    { { max = 2 ^ 27 }, "opts.max" },
    { { max = -1 }, "opts.max" },
    { "big", "opts" },
  }) do
    local ok, err = pcall(a.read_frame, a, case[1])
    assert(not ok and tostring(err):find(case[2] .. ":", 1, true), tostring(err))
    ok, err = pcall(a.write_frame, a, "x", case[1])
    assert(not ok and tostring(err):find(case[2] .. ":", 1, true), tostring(err))
  end
end

function TestFrameDatagramConn(t)
  local pc = assert(net.listen_packet("udp", "127.0.0.1:0"))
  local c = assert(net.dial("udp", tostring(pc:local_addr())))
  local data, err = c:read_frame()
  assert(data == nil and tostring(err):find("not supported"), tostring(err))
  data, err = c:write_frame("x")
  assert(data == nil and tostring(err):find("not supported"), tostring(err))
  c:close()
  pc:close()
end
