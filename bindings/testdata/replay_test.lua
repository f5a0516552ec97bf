-- replay (stdlib/replay.lua): loading transcripts, diffing bytes, and
-- playing either side of a session over real loopback conns.

local replay = require "replay"
local tcp_pair = require("testhelp").tcp_pair

local HEADER = "# gonetrepl transcript 1\n"

local function write_file(path, text)
  local f = assert(io.open(path, "w"))
  assert(f:write(text))
  f:close()
end

-- A PING recorded by the client (dial) and a GET recorded by the server
-- (accept), with a UDP socket between them that replay leaves out.
local TRANSCRIPT = HEADER .. [[
1733366400.100000 1 open tcp 127.0.0.1:50312 127.0.0.1:6379 dial
1733366400.100100 1 send 14 "*1\r\n$4\r\nPING\r\n"
1733366400.100200 1 recv 7 "+PONG\r\n"
1733366400.100300 1 close
1733366400.200000 3 open udp 127.0.0.1:5353 -
1733366400.200100 3 sendto 127.0.0.1:53 2 "\x00\x01"
1733366400.300000 2 open tcp 127.0.0.1:8443 127.0.0.1:50400 accept tls version=1.3 alpn=http/1.1
1733366400.300100 2 recv 5 "GET /"
1733366400.300150 2 recv 2 "\r\n"
1733366400.300200 2 send 4 "ok\x00\xff"
# a comment
1733366400.300300 2 eof
]]

function TestLoadTranscript(t)
  local path = t:tempdir() .. "/s.transcript"
  write_file(path, TRANSCRIPT)
  local sessions = assert(replay.load(path))
  assert(#sessions == 2, "two stream sessions, got " .. #sessions)
  local a, b = sessions[1], sessions[2]
  assert(a.id == 1 and a.role == "dial" and a.client == "127.0.0.1:50312" and a.server == "127.0.0.1:6379")
  assert(#a.chunks == 2 and a.chunks[1].dir == "c2s" and a.chunks[1].data == "*1\r\n$4\r\nPING\r\n")
  assert(a.chunks[2].dir == "s2c" and a.chunks[2].data == "+PONG\r\n")
  assert(math.abs(a.chunks[1].time - 1733366400.1001) < 1e-5, "time " .. a.chunks[1].time)
  -- Recorded by the server: its recvs are the client's bytes.
  assert(b.id == 2 and b.role == "accept" and b.client == "127.0.0.1:50400" and b.server == "127.0.0.1:8443")
  assert(b.tls and b.tls_facts.version == "1.3" and b.tls_facts.alpn == "http/1.1" and b.tls_facts.sni == nil)
  assert(#b.chunks == 3 and b.chunks[1].dir == "c2s" and b.chunks[2].dir == "c2s")
  assert(b.chunks[3].dir == "s2c" and b.chunks[3].data == "ok\0\255")
end

function TestLoadRefusesNamingTheLine(t)
  local dir = t:tempdir()
  write_file(dir .. "/bad", HEADER .. "1.0 1 open tcp a b dial\n1.0 1 send 3 \"ab\"\n")
  local s, err = replay.load(dir .. "/bad")
  assert(s == nil and err.kind == "other", tostring(err))
  assert(tostring(err):find("line 3: send: count 3 but the data has 2 bytes", 1, true), tostring(err))
  write_file(dir .. "/many", TRANSCRIPT)
  s, err = replay.load(dir .. "/many", { max_events = 4 })
  assert(s == nil and err.kind == "too_large", tostring(err))
  assert(tostring(err):find("line 6: more than 4 events", 1, true), tostring(err))
  s, err = replay.load(dir .. "/many", { max_bytes = 20 })
  assert(s == nil and err.kind == "too_large" and tostring(err):find("line 4: more than 20 bytes", 1, true), tostring(err))
  s, err = replay.load(dir .. "/missing")
  assert(s == nil and err.kind == "other" and tostring(err):find("missing", 1, true), tostring(err))
  write_file(dir .. "/notes", "hello\n")
  s, err = replay.load(dir .. "/notes")
  assert(s == nil and tostring(err):find("line 1: not a gonetrepl transcript", 1, true), tostring(err))
end

function TestDiffFindsTheFirstDifference(t)
  assert(replay.diff("", "") == nil)
  assert(replay.diff("+PONG\r\n", "+PONG\r\n") == nil)
  local d = assert(replay.diff("+PONG\r\n", "+PANG\r\n"))
  assert(d.offset == 2 and d.got_offset == 2, d.offset)
  assert(d.expected == "ONG\\r\\n" and d.got == "ANG\\r\\n" and d.before == "+P", d.expected .. " " .. d.got)
  -- One side ends first.
  d = assert(replay.diff("abc", "abcdef"))
  assert(d.offset == 3 and d.expected == "" and d.got == "def")
  d = assert(replay.diff("abc\0\255\"", "ab"))
  assert(d.offset == 2 and d.expected == "c\\x00\\xff\\\"" and d.got == "", d.expected)
  -- context bounds the excerpts.
  d = assert(replay.diff(string.rep("a", 100) .. "x" .. string.rep("b", 100), string.rep("a", 100) .. "y" .. string.rep("b", 100), { context = 4 }))
  assert(d.offset == 100 and d.expected == "xbbb" and d.got == "ybbb" and d.before == "aaaa")
  assert(replay.format(d) == 'data bytes differ at offset 100\n  expected: "xbbb"\n  got:      "ybbb"', replay.format(d))
end

function TestDiffIgnoreMasksFieldsOnBothSides(t)
  local a = "HTTP/1.1 200 OK\r\nDate: Sat, 05 Dec 2026 02:00:00 GMT\r\nX-Id: 17\r\n\r\nhello"
  local b = "HTTP/1.1 200 OK\r\nDate: Sun, 06 Dec 2026 03:10:59 GMT\r\nX-Id: 123456\r\n\r\nhello"
  assert(replay.diff(a, b), "they differ unmasked")
  assert(replay.diff(a, b, { ignore = { "Date: [^\r]*", "X%-Id: %d+" } }) == nil)
  -- A difference after a masked field of another length is placed on
  -- each side.
  local d = assert(replay.diff(a, b:gsub("hello", "hellO"), { ignore = { "Date: [^\r]*", "X%-Id: %d+" } }))
  assert(d.offset == #a - 1 and d.got_offset == #b - 1 and d.expected == "o" and d.got == "O", d.offset)
  -- A field masked on one side only is a difference.
  d = assert(replay.diff("id=12;", "id=;", { ignore = "%d+" }))
  assert(d.offset == 3 and d.got == ";", d.offset)
  -- An empty match masks nothing and moves on.
  assert(replay.diff("abc", "abc", { ignore = "x*" }) == nil)
end

function TestWrongArgumentsRaise(t)
  local function raises(want, f, ...)
    local ok, err = pcall(f, ...)
    assert(not ok and tostring(err):find(want, 1, true), want .. ": " .. tostring(err))
  end
  raises("bad argument #1 to diff (expected: string expected, got number)", replay.diff, 1, "")
  raises("bad argument #2 to diff (got: string expected, got nil)", replay.diff, "")
  raises("bad argument #3 to diff (opts: unknown option 'ignored' (did you mean 'ignore'?))", replay.diff, "", "", { ignored = "x" })
  raises("bad argument #3 to diff (opts.ignore[1]:", replay.diff, "", "", { ignore = "[a" })
  raises("bad argument #3 to diff (opts.context:", replay.diff, "", "", { context = 0 })
  raises("bad argument #1 to load (path: string expected", replay.load)
  raises("bad argument #2 to load (opts.max_events: a whole number above 0 expected)", replay.load, "x", { max_events = 0.5 })
  local c, s = tcp_pair()
  raises("bad argument #2 to serve_session (session: table expected, got nil)", replay.serve_session, c)
  raises("bad argument #2 to client_session (session.chunks[1]: {dir", replay.client_session, c, { chunks = { { dir = "up", data = "" } } })
  raises("bad argument #3 to serve_session (opts.timeout: seconds above 0 expected)", replay.serve_session, c, { chunks = {} }, { timeout = -1 })
  raises("bad argument #1 to format", replay.format, {})
  c:close(); s:close()
end

-- A session in the shape a capture's stream has: the player needs no
-- transcript.
local function session(chunks)
  local s = { client = "127.0.0.1:1", server = "127.0.0.1:2", chunks = {} }
  for i, ch in ipairs(chunks) do s.chunks[i] = { time = i, dir = ch[1], data = ch[2] } end
  return s
end

local REDIS = session({
  { "c2s", "*1\r\n$4\r\nPING\r\n" }, { "s2c", "+PONG\r\n" },
  { "c2s", "*3\r\n$3\r\nSET\r\n" }, { "c2s", "$1\r\nk\r\n$1\r\nv\r\n" }, { "s2c", "+OK" }, { "s2c", "\r\n" },
})

function TestServeSessionPlaysTheServer(t)
  local c, s = tcp_pair()
  local done = task.chan(1)
  task.spawn(function() done:send({ replay.serve_session(s, REDIS, { timeout = 5 }) }) end)
  -- The client's bytes come split anywhere: one byte, then the rest.
  assert(c:write("*"))
  time.sleep(0.05)
  assert(c:write("1\r\n$4\r\nPING\r\n"))
  assert(c:read_full(7) == "+PONG\r\n")
  -- Two commands' bytes in one write: the second run is awaited whole.
  assert(c:write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"))
  assert(c:read_full(5) == "+OK\r\n")
  local r = done:recv(10)
  assert(r[1] == true, tostring(r[2]))
  c:close(); s:close()
end

function TestServeSessionReportsTheFirstDivergence(t)
  local c, s = tcp_pair()
  local done = task.chan(1)
  task.spawn(function() done:send({ replay.serve_session(s, REDIS, { timeout = 5 }) }) end)
  assert(c:write("*1\r\n$4\r\nPONG\r\n"))
  local r = done:recv(10)
  local d = r[2]
  assert(r[1] == false and d.offset == 9 and d.run == 1 and d.dir == "c2s", tostring(d and d.offset))
  assert(d.expected == "ING\\r\\n" and d.got == "ONG\\r\\n" and d.err == nil)
  assert(replay.format(d) == 'client bytes differ at offset 9 of run 1\n  expected: "ING\\r\\n"\n  got:      "ONG\\r\\n"', replay.format(d))
  -- Nothing of the server's side was sent.
  assert(c:read({ timeout = 0.1 }) == nil)
  c:close(); s:close()
end

function TestServeSessionClientEndsEarly(t)
  local c, s = tcp_pair()
  local done = task.chan(1)
  task.spawn(function() done:send({ replay.serve_session(s, REDIS, { timeout = 5 }) }) end)
  assert(c:write("*1\r\n$4\r\nPI"))
  c:close_write()
  local r = done:recv(10)
  local d = r[2]
  assert(r[1] == false and d.offset == 10 and d.err.kind == "eof" and d.got == "" and d.expected == "NG\\r\\n", tostring(d and d.err))
  assert(replay.format(d):find("offset 10 of run 1 (eof)", 1, true), replay.format(d))
  c:close(); s:close()
end

function TestServeSessionExtraClientBytes(t)
  local c, s = tcp_pair()
  local done = task.chan(1)
  task.spawn(function() done:send({ replay.serve_session(s, session({ { "c2s", "hi\n" }, { "s2c", "yo\n" } }), { timeout = 5 }) }) end)
  assert(c:write("hi\nmore"))
  local r = done:recv(10)
  assert(r[1] == false and r[2].offset == 0 and r[2].got == "more" and r[2].run == 3, tostring(r[2] and r[2].got))
  c:close(); s:close()
end

-- A server that answers each line with its length, and a word after it
-- that changes, to check client_session against a live peer.
local function line_server(c, word)
  while true do
    local line = c:read_line()
    if not line then return end
    -- From 500000 to 999999: never a first digit 4, so the number differs
    -- from the recorded 4242 at its first byte.
    c:write(("%d %s %d\n"):format(#line, word, math.random(5e5, 1e6 - 1)))
  end
end

function TestClientSessionDiffsTheServersAnswers(t)
  local recorded = session({
    { "c2s", "hello\n" }, { "s2c", "5 ok 4242\n" }, { "c2s", "ab\n" }, { "s2c", "2 ok 17\n" },
  })
  local ignore = { ignore = "%d+\n", timeout = 5, settle = 0.1 }
  for _, case in ipairs({ { "ok", true }, { "KO", false } }) do
    local c, s = tcp_pair()
    task.spawn(function() line_server(s, case[1]) end)
    local ok, d = replay.client_session(c, recorded, ignore)
    assert(ok == case[2], case[1] .. ": " .. tostring(ok))
    if not ok then
      assert(d.run == 2 and d.dir == "s2c" and d.offset == 2 and d.expected == "ok 4242\\n", d.expected)
      assert(d.got:find("^KO %d+\\n$"), d.got)
    end
    c:close(); s:close()
  end
  -- Without ignore, the random number is a difference.
  local c, s = tcp_pair()
  task.spawn(function() line_server(s, "ok") end)
  local ok, d = replay.client_session(c, recorded, { timeout = 5 })
  assert(ok == false and d.run == 2 and d.offset == 5, tostring(ok))
  c:close(); s:close()
end

function TestClientSessionServerCloses(t)
  local c, s = tcp_pair()
  task.spawn(function() s:read_line(); s:write("5 "); s:close() end)
  local ok, d = replay.client_session(c, session({ { "c2s", "hello\n" }, { "s2c", "5 ok\n" } }), { timeout = 5 })
  assert(ok == false and d.offset == 2 and d.err.kind == "eof" and d.expected == "ok\\n", tostring(ok))
  c:close()
end

-- With ignore, a run whose masked field came shorter than recorded ends at
-- the peer's pause, not at the timeout.
function TestClientSessionShorterMaskedField(t)
  local c, s = tcp_pair()
  task.spawn(function()
    while s:read_line() do s:write("5 ok 7\n") end
  end)
  local start = time.now()
  local recorded = session({ { "c2s", "hello\n" }, { "s2c", "5 ok 4242\n" }, { "c2s", "again\n" }, { "s2c", "5 ok 123456\n" } })
  local ok, d = replay.client_session(c, recorded, { ignore = "%d+\n", timeout = 5, settle = 0.1 })
  assert(ok == true, d and replay.format(d))
  assert(time.now() - start < 2, "took " .. (time.now() - start) .. " s")
  c:close(); s:close()
end

function TestServeSessionIgnoreBoundsAClientThatNeverPauses(t)
  -- With ignore a run ends at a pause; a client that never pauses is cut
  -- off after a bounded number of bytes and reported as a divergence.
  local c, s = tcp_pair()
  local done = task.chan(1)
  task.spawn(function() done:send({ replay.serve_session(s, REDIS, { timeout = 5, settle = 0.5, ignore = "%d+" }) }) end)
  local written = 0
  local writer = task.spawn(function()
    local chunk = ("x"):rep(65536)
    for _ = 1, 1600 do -- at most 100 MiB, never pausing for settle
      if not c:write(chunk) then return end
      written = written + #chunk
    end
  end)
  local r = done:recv(20)
  assert(r, "serve_session still reading after 20 s")
  assert(r[1] == false and r[2].run == 1 and r[2].offset == 0, tostring(r[2] and r[2].offset))
  -- What it took is bounded: the rest waits in the socket buffers.
  assert(written < 32 * 2 ^ 20, ("the client wrote %d bytes before the cut"):format(written))
  c:close(); s:close()
  writer:wait(10)
end
