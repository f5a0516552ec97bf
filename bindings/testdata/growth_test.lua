-- Growth tests: every parser of the stdlib fed its worst input at n and
-- 8n bytes. Its cost, counted by the test-only global work() (VM
-- instructions plus pattern-matching steps, over every task of the state:
-- the server's side of an exchange counts too), must grow about 8 times,
-- not 64: a peer's bytes never make a parser work more than linearly,
-- and one task cannot stall the others by sending them (issue 23).
-- Nothing here measures time.

local http = require "http"
local resp = require "resp"
local th = require "testhelp"

-- linear makes the input of each size with make(size) (not counted),
-- then counts the work of run(input), and fails unless 8 times the bytes
-- cost less than 12 times the work (linear gives about 8, quadratic 64).
-- The costs go to the test log (go test -v).
local function linear(t, what, n, make, run)
  local costs = {}
  for i, size in ipairs({ n, 8 * n }) do
    local input = make(size)
    local w0 = work()
    run(input)
    costs[i] = work() - w0
  end
  assert(costs[2] < 12 * costs[1], ("%s: %d units of work at n = %d, %d at 8n: not linear"):format(
    what, costs[1], n, costs[2]))
  t:log(("%s: %d at n = %d, %d at 8n (x%.1f)"):format(what, costs[1], n, costs[2], costs[2] / costs[1]))
end

local function blanks(n) return ("a" .. (" "):rep(n) .. "b") end

-- RESP ----------------------------------------------------------------------

-- A reply line of each type, its payload the worst for the type's
-- pattern: a long run the pattern accepts, then a byte it refuses.
local RESP_LINES = {
  { "integer of zeros", function(n) return ":" .. ("0"):rep(n) .. "x" end },
  { "negative integer of zeros", function(n) return ":-" .. ("0"):rep(n) .. "x" end },
  { "integer of digits", function(n) return ":" .. ("1"):rep(n) .. "x" end },
  { "double of digits", function(n) return "," .. ("1"):rep(n) .. "x" end },
  { "double of points", function(n) return "," .. ("."):rep(n) .. "x" end },
  { "double exponent", function(n) return ",1e" .. ("1"):rep(n) .. "x" end },
  { "big number", function(n) return "(" .. ("1"):rep(n) .. "x" end },
  { "bulk length", function(n) return "$" .. ("1"):rep(n) .. "x" end },
  { "array count", function(n) return "*-" .. ("1"):rep(n) .. "x" end },
  { "map count", function(n) return "%" .. ("0"):rep(n) .. "x" end },
}

-- pair_with returns the reading end of a loopback conn to which data has
-- been written, and the writing end, half-closed.
local function pair_with(data)
  local c, s = th.tcp_pair()
  assert(s:write(data))
  s:close_write()
  return { c = c, s = s }
end

function TestGrowthRESPReply(t)
  for _, case in ipairs(RESP_LINES) do
    local name, line = case[1], case[2]
    linear(t, "resp.read_reply, " .. name, 1000, function(n) return pair_with(line(n) .. "\r\n") end, function(p)
      local v, err = resp.read_reply(p.c)
      th.expect_error("other", v, err, name)
      p.c:close(); p.s:close()
    end)
  end
  -- An error reply's code is its first word; a simple string is the line.
  linear(t, "resp.read_reply, error reply", 1000, function(n)
    return pair_with("-" .. ("E"):rep(n) .. (" "):rep(n) .. "x\r\n")
  end, function(p)
    local v, err = resp.read_reply(p.c)
    assert(v == nil and err.kind == "redis" and #err.code * 2 + 1 == #err.message, #tostring(err))
    p.c:close(); p.s:close()
  end)
  -- Long numbers that are well formed still read.
  local v = assert(resp.read_reply(pair_with(":" .. ("0"):rep(5000) .. "42\r\n").c))
  assert(v == 42, v)
  v = assert(resp.read_reply(pair_with(",-" .. ("0"):rep(5000) .. "1.5e" .. ("0"):rep(3000) .. "1\r\n").c))
  assert(v == -15, v)
  v = assert(resp.read_reply(pair_with("(" .. ("9"):rep(5000) .. "\r\n").c))
  assert(v == ("9"):rep(5000), #v)
end

function TestGrowthRESPCommand(t)
  local lines = {
    { "inline words", function(n) return (" a"):rep(n / 2) end },
    { "inline blanks", function(n) return "a" .. (" "):rep(n) .. "b" end },
    -- Quoted words (resp.split_args): escapes one byte each, a quote
    -- never closed, quotes opening inside words, a backslash run.
    { "inline escapes", function(n) return 'SET k "' .. ("\\x41\\n"):rep(n / 6) .. '"' end },
    { "inline open quote", function(n) return 'SET k "' .. ("a"):rep(n) end },
    { "inline open single quote", function(n) return "SET k '" .. ("\\'"):rep(n / 2) end },
    { "inline quotes in words", function(n) return ('a"b" '):rep(n / 5) end },
    { "inline backslashes", function(n) return '"' .. ("\\"):rep(n) end },
    { "count", function(n) return "*" .. ("1"):rep(n) .. "x" end },
  }
  for _, case in ipairs(lines) do
    local name, line = case[1], case[2]
    linear(t, "resp.read_command, " .. name, 2000, function(n) return pair_with(line(n) .. "\r\n") end, function(p)
      resp.read_command(p.c)
      p.c:close(); p.s:close()
    end)
  end
  -- An argument's length.
  linear(t, "resp.read_command, argument length", 2000, function(n)
    return pair_with("*1\r\n$" .. ("0"):rep(n) .. "x\r\n")
  end, function(p)
    th.expect_error("other", resp.read_command(p.c))
    p.c:close(); p.s:close()
  end)
end

-- HTTP ----------------------------------------------------------------------

-- A request whose every header is the worst for trim and has_token: a
-- word, n blanks, a word; twice for Connection (its values are joined and
-- split again), and as an obsolete folded line.
local function hostile_request(n)
  return table.concat({
    "GET /" .. ("a"):rep(n) .. " HTTP/1.1",
    "Host: x",
    "X-Blank: " .. blanks(n),
    "Connection: " .. blanks(n),
    "Connection: " .. blanks(n),
    "X-Folded: a",
    " \t" .. blanks(n) .. " \t",
    "Expect: " .. blanks(n),
    "Content-Length: 0" .. (" "):rep(n),
    "", "",
  }, "\r\n")
end

function TestGrowthHTTPServerHead(t)
  local ln = assert(http.serve("127.0.0.1:0", function(req)
    local h = req.headers
    return 200, {}, h["x-blank"] and #h["x-blank"] .. " " .. #h["x-folded"] or req.body
  end))
  local addr = tostring(ln:addr())
  linear(t, "http.serve, request head", 1000, function(n)
    local c = assert(net.dial("tcp", addr, { timeout = 10 }))
    c:set_timeout(10)
    return { c = c, request = hostile_request(n), n = n }
  end, function(p)
    assert(p.c:write(p.request))
    local head = assert(p.c:read_until("\r\n\r\n"))
    assert(head:match("^HTTP/1%.1 200 "), head)
    local body = assert(p.c:read_full(tonumber(head:match("Content%-Length: (%d+)"))))
    assert(body == (p.n + 2) .. " " .. (p.n + 4), body)
    p.c:close()
  end)
  -- Transfer-Encoding: its codings are trimmed one by one; and the
  -- chunk-size line (at most http.MAX_CHUNK_LINE bytes).
  linear(t, "http.serve, Transfer-Encoding and chunk-size line", 50, function(n)
    local c = assert(net.dial("tcp", addr, { timeout = 10 }))
    c:set_timeout(10)
    local te = (" "):rep(n) .. "chunked" .. (" \t"):rep(n)
    return { c = c, request = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:" .. te .. "\r\n\r\n"
      .. ("0"):rep(n) .. "3" .. (" "):rep(n) .. "\r\nabc\r\n0\r\n\r\n" }
  end, function(p)
    assert(p.c:write(p.request))
    local head = assert(p.c:read_until("\r\n\r\n"))
    assert(head:match("^HTTP/1%.1 200 "), head)
    p.c:close()
  end)
  -- The Host header and an absolute-form target (RFC 9112, 3.2): an
  -- authority of n bytes, and a Host that is an unclosed "[" and n bytes.
  linear(t, "http.serve, Host and absolute-form target", 300, function(n)
    local c = assert(net.dial("tcp", addr, { timeout = 10 }))
    c:set_timeout(10)
    return { c = c, request = "GET HTTP://" .. ("a"):rep(n) .. ":" .. ("1"):rep(n) .. "?" .. ("q"):rep(n)
      .. " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
      .. "GET / HTTP/1.1\r\nHost: [" .. ("a"):rep(n) .. "::" .. ("1"):rep(n) .. "\r\n\r\n" }
  end, function(p)
    assert(p.c:write(p.request))
    local head = assert(p.c:read_until("\r\n\r\n"))
    assert(head:match("^HTTP/1%.1 200 "), head)
    assert(p.c:read_full(tonumber(head:match("Content%-Length: (%d+)"))))
    head = assert(p.c:read_until("\r\n\r\n"))
    assert(head:match("^HTTP/1%.1 400 "), head)
    p.c:close()
  end)
  ln:close()
end

-- fake_response serves one raw response and returns the URL to get.
local function fake_response(raw)
  return "http://" .. th.serve_once(function(c)
    assert(c:read_until("\r\n\r\n"))
    c:write(raw)
    c:close_write()
    c:read_all()
  end) .. "/"
end

function TestGrowthHTTPClientHead(t)
  linear(t, "http.get, response head", 1000, function(n)
    return fake_response(table.concat({
      "HTTP/1.1 200 " .. blanks(n),
      "Connection: " .. blanks(n),
      "Connection: " .. blanks(n),
      "X-Blank: " .. blanks(n),
      "X-Folded: a",
      "\t" .. blanks(n),
      "Content-Length: 2" .. (" \t"):rep(n / 2),
      "", "ok",
    }, "\r\n"))
  end, function(url)
    local r = assert(http.get(url, { timeout = 2 }))
    assert(r.status == 200 and r.body == "ok", r.body)
  end)
  linear(t, "http.get, chunked response", 50, function(n)
    return fake_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: " .. (" "):rep(n) .. "chunked" .. (" "):rep(n)
      .. "\r\n\r\n" .. ("0"):rep(n) .. "2" .. (" \t"):rep(n / 2) .. "\r\nok\r\n0\r\n\r\n")
  end, function(url)
    local r = assert(http.get(url, { timeout = 2 }))
    assert(r.body == "ok", r.body)
  end)
end

-- serve_responses answers the requests of one conn after another, each
-- with the next of the raw responses, and returns the base URL.
local function serve_responses(raws)
  local ln = th.listen()
  task.spawn(function()
    for _, raw in ipairs(raws) do
      local c = assert(ln:accept(10))
      c:set_timeout(10)
      assert(c:read_until("\r\n\r\n"))
      c:write(raw)
      c:close()
    end
    ln:close()
  end)
  return "http://" .. tostring(ln:addr()) .. "/"
end

-- URLs: a redirect's Location is the peer's, parsed by parse_url (and
-- resolve). The worst: a long run the host and port patterns accept, then
-- a byte they refuse.
function TestGrowthHTTPURL(t)
  local urls = {
    { "digits then a colon", function(n) return "http://" .. ("1"):rep(n) .. ":x/" end },
    { "colons", function(n) return "http://a" .. (":"):rep(n) .. "x/" end },
    { "bracketed", function(n) return "http://[" .. ("1"):rep(n) .. "]:" .. ("1"):rep(n) .. "x/" end },
    { "at signs", function(n) return "http://" .. ("@a"):rep(n / 2) .. ":x/" end },
    { "scheme", function(n) return "h" .. ("t"):rep(n) .. "x:/" end },
  }
  for _, case in ipairs(urls) do
    local name, url = case[1], case[2]
    linear(t, "http.parse_url, " .. name, 2000, url, function(u)
      local parsed, why = http.parse_url(u)
      assert(parsed == nil and why, name)
    end)
  end
  -- The same through a redirect.
  linear(t, "http.get, redirect Location", 1000, function(n)
    return fake_response("HTTP/1.1 302 Found\r\nLocation: http://" .. ("1"):rep(n) .. ":x/\r\nContent-Length: 0\r\n\r\n")
  end, function(url)
    th.expect_error("other", http.get(url, { timeout = 2, redirects = 1 }))
  end)
  -- A relative Location is resolved against the URL it came from: a
  -- second redirect resolves against a long first one.
  linear(t, "http.get, relative redirects", 1000, function(n)
    local target = "/" .. ("a/"):rep(n / 4) .. "?" .. ("#?/"):rep(n / 6)
    return serve_responses({
      "HTTP/1.1 302 Found\r\nLocation: " .. target .. "\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 302 Found\r\nLocation: " .. ("b/"):rep(n / 2) .. "\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    })
  end, function(url)
    local r = assert(http.get(url, { timeout = 2, redirects = 2 }))
    assert(r.body == "ok" and r.redirects == 2, r.body)
  end)
end

-- replay ---------------------------------------------------------------------

local replay = require "replay"

-- replay.diff: two sides of n bytes, a masked field every few bytes (of
-- other lengths on each side) and a difference at the very end; and
-- without masks, equal up to the last byte.
function TestGrowthReplayDiff(t)
  linear(t, "diff, masked", 2048, function(n)
    return { ("id=1234;"):rep(math.floor(n / 8)) .. "x", ("id=9;"):rep(math.floor(n / 8)) .. "y" }
  end, function(in_)
    local d = assert(replay.diff(in_[1], in_[2], { ignore = { "id=%d+", "%d%d%d%d%d" } }))
    assert(d.expected == "x" and d.got == "y")
  end)
  linear(t, "diff, plain", 4096, function(n) return { ("a"):rep(n) .. "x", ("a"):rep(n) .. "y" } end,
    function(in_) assert(replay.diff(in_[1], in_[2]).offset == #in_[1] - 1) end)
end

-- replay.serve_session: the client's n bytes come in one-byte writes, so
-- in many small reads; each piece is compared once, where it belongs.
function TestGrowthReplayServe(t)
  for _, ignore in ipairs({ false, true }) do
    linear(t, ignore and "serve_session, masked" or "serve_session", 1024, function(n)
      local c, s = th.tcp_pair()
      return { c = c, s = s, n = n }
    end, function(in_)
      local want = ("a"):rep(in_.n)
      local session = { chunks = { { dir = "c2s", data = want }, { dir = "s2c", data = "ok" } } }
      task.spawn(function()
        for i = 1, in_.n do in_.c:write("a") end
      end)
      local ok, d = replay.serve_session(in_.s, session, { ignore = ignore and "b+" or nil, settle = 0.05, timeout = 5 })
      assert(ok, d and replay.format(d))
      assert(in_.c:read_full(2) == "ok")
      in_.c:close(); in_.s:close()
    end)
  end
end
