-- Dialing through proxies (opts.via) against real ones, started by
-- proxy_test.go on loopback: microsocks (MICROSOCKS; MICROSOCKS_AUTH asks
-- for PROXY_USER and PROXY_PASS), danted (DANTE: SOCKS5 and SOCKS4) and
-- tinyproxy (TINYPROXY; TINYPROXY_AUTH with Basic auth, PROXY_USER and
-- TINYPROXY_PASS), which allow
-- CONNECT only to ECHO (an echo server that half-closes after the
-- client does) and HTTP_PEER (Python's http.server). Names: "localhost"
-- only, looked up by the proxy (socks5h) or from /etc/hosts here.

local expect_error = require("testhelp").expect_error
local socks = require "socks"

-- esc URL-escapes a user name or password for a proxy URL.
local function esc(s)
  return (s:gsub("[^%w%-%._~]", function(ch) return ("%%%02X"):format(ch:byte()) end))
end

-- auth is the user:pass@ of microsocks's credentials (globals are set
-- only when a test runs, not when the file is loaded to list them).
local function auth() return esc(PROXY_USER) .. ":" .. esc(PROXY_PASS) .. "@" end

-- payload is n bytes of every value, not a repeat of a short pattern.
local function payload(n)
  local parts, x = {}, 7
  for i = 1, n do
    x = (x * 1103515245 + 12345) % 2147483648
    parts[i] = string.char(x % 256)
  end
  return table.concat(parts)
end

-- round_trip sends data through c to the echo server and checks that the
-- same bytes come back. With half_close, it then half-closes and checks
-- that EOF comes back: not every proxy carries a half-close across
-- (microsocks and tinyproxy end both directions at the first EOF).
local function round_trip(c, data, what, half_close)
  c:set_timeout(20)
  task.spawn(function() assert(c:write(data)) end)
  local back = assert(c:read_full(#data))
  assert(back == data, what .. ": the bytes back differ from the " .. #data .. " sent")
  if half_close then
    assert(c:close_write())
    local rest, err = c:read()
    assert(rest == nil and err.kind == "eof", what .. ": want eof after the half-close, got " .. tostring(rest or err))
  end
  c:close()
end

local function port_of(addr) return addr:match(":(%d+)$") end

-- silent listens and accepts clients that get no answer: a proxy that
-- never replies. It returns its address and the listener.
local function silent()
  local ln = assert(net.listen("tcp", "127.0.0.1:0"))
  local held = {}
  task.spawn(function()
    while true do
      local c = ln:accept()
      if not c then return end
      held[#held + 1] = c
    end
  end)
  return tostring(ln:addr()), ln
end

-- closed_port is an address where nothing listens.
local function closed_port()
  local ln = assert(net.listen("tcp", "127.0.0.1:0"))
  local addr = tostring(ln:addr())
  ln:close()
  return addr
end

function TestMicrosocks(t)
  local data = payload(100000)
  round_trip(assert(net.dial("tcp", ECHO, { via = "socks5://" .. MICROSOCKS, timeout = 20 })), data, "socks5")
  -- socks5h: the proxy looks the name up; socks5: it is looked up here.
  round_trip(assert(net.dial("tcp", "localhost:" .. port_of(ECHO), { via = { "socks5h://" .. MICROSOCKS }, timeout = 20 })), data, "socks5h")
  round_trip(assert(net.dial("tcp", "localhost:" .. port_of(ECHO), { via = "socks5://" .. MICROSOCKS, timeout = 20 })), data, "socks5 by name")
  -- The conn is the socket to the proxy, with what a TCP conn has.
  local c = assert(net.dial("tcp", ECHO, { via = "socks5://" .. MICROSOCKS }))
  assert(tostring(c:remote_addr()) == MICROSOCKS, tostring(c:remote_addr()))
  assert(c:set_nodelay(true))
  c:close()
end

-- socks5 and socks4 send an address: the name is looked up here, with
-- opts.server as net.dial's own lookup; the proxy never sees the name.
function TestLocalLookupUsesServer(t)
  local target = "local.gonetrepl.test:" .. port_of(ECHO)
  round_trip(assert(net.dial("tcp", target, { via = "socks5://" .. MICROSOCKS, server = DNS_SERVER, timeout = 20 })), "by name", "socks5, server")
  round_trip(assert(net.dial("tcp", target, { via = { "socks5://" .. MICROSOCKS, "socks4://" .. DANTE }, server = DNS_SERVER, timeout = 20 })), "by name", "socks4, server")
  -- A name the server does not know: no_such_host, the hop named.
  local v, err = net.dial("tcp", "nothing.gonetrepl.test:80", { via = "socks5://" .. MICROSOCKS, server = DNS_SERVER, timeout = 20 })
  expect_error("no_such_host", v, err, "unknown name")
  assert(tostring(err):find("via socks5://" .. MICROSOCKS, 1, true), tostring(err))
end

function TestMicrosocksAuth(t)
  local data = payload(5000)
  round_trip(assert(net.dial("tcp", ECHO, { via = "socks5h://" .. auth() .. MICROSOCKS_AUTH, timeout = 20 })), data, "user/pass")
  -- A wrong password: kind proxy, the hop named, the password hidden.
  local v, err = net.dial("tcp", ECHO, { via = "socks5h://" .. esc(PROXY_USER) .. ":wrong-secret@" .. MICROSOCKS_AUTH, timeout = 20 })
  expect_error("proxy", v, err, "wrong password")
  local msg = tostring(err)
  assert(msg:find("via socks5h://" .. PROXY_USER .. ":***@" .. MICROSOCKS_AUTH .. ": ", 1, true), msg)
  assert(msg:find("authentication failed", 1, true), msg)
  assert(not msg:find("wrong-secret", 1, true), msg)
  assert(err.op == "dial" and err.addr == ECHO, tostring(err.op) .. " " .. tostring(err.addr))
  -- No credentials where they are needed.
  expect_error("proxy", net.dial("tcp", ECHO, { via = "socks5://" .. MICROSOCKS_AUTH, timeout = 20 }))
end

function TestDante(t)
  local data = payload(50000)
  round_trip(assert(net.dial("tcp", ECHO, { via = "socks5://" .. DANTE, timeout = 20 })), data, "dante socks5", true)
  round_trip(assert(net.dial("tcp", "localhost:" .. port_of(ECHO), { via = "socks5h://" .. DANTE, timeout = 20 })), data, "dante socks5h")
  round_trip(assert(net.dial("tcp", ECHO, { via = "socks4://" .. DANTE, timeout = 20 })), data, "dante socks4")
  -- Dante's rules allow loopback targets only: another is refused by the proxy.
  local v, err = net.dial("tcp", "192.0.2.1:80", { via = "socks5://" .. DANTE, timeout = 20 })
  expect_error("proxy", v, err, "a target dante does not allow")
  assert(tostring(err):find("via socks5://" .. DANTE .. ": connect to 192.0.2.1:80: ", 1, true), tostring(err))
end

function TestTinyproxy(t)
  local data = payload(50000)
  round_trip(assert(net.dial("tcp", ECHO, { via = "http://" .. TINYPROXY, timeout = 20 })), data, "CONNECT")
  round_trip(assert(net.dial("tcp", ECHO, { via = "http://" .. PROXY_USER .. ":" .. TINYPROXY_PASS .. "@" .. TINYPROXY_AUTH, timeout = 20 })), data, "CONNECT with Basic auth")
  -- A port its ConnectPort lines do not list: 403.
  local v, err = net.dial("tcp", MICROSOCKS, { via = "http://" .. TINYPROXY, timeout = 20 })
  expect_error("proxy", v, err, "a port tinyproxy refuses")
  assert(tostring(err):find("via http://" .. TINYPROXY .. ": connect to " .. MICROSOCKS .. ": CONNECT refused: 403", 1, true), tostring(err))
  -- No or wrong credentials: 401 (tinyproxy's answer), the password hidden.
  v, err = net.dial("tcp", ECHO, { via = "http://" .. esc(PROXY_USER) .. ":wrong-secret@" .. TINYPROXY_AUTH, timeout = 20 })
  expect_error("proxy", v, err, "wrong Basic auth")
  assert(tostring(err):find("CONNECT refused: 40[17]"), tostring(err))
  assert(tostring(err):find("http://" .. PROXY_USER .. ":***@", 1, true), tostring(err))
  assert(not tostring(err):find("wrong-secret", 1, true), tostring(err))
end

function TestChainOfTwo(t)
  -- SOCKS5 then CONNECT: microsocks reaches tinyproxy, which reaches the echo server.
  local data = payload(100000)
  local via = { "socks5h://" .. auth() .. MICROSOCKS_AUTH, "http://" .. TINYPROXY }
  round_trip(assert(net.dial("tcp", ECHO, { via = via, timeout = 20 })), data, "socks5h then CONNECT")
  -- Three: SOCKS5, SOCKS4, CONNECT.
  via = { "socks5://" .. MICROSOCKS, "socks4://" .. DANTE, "http://" .. TINYPROXY }
  round_trip(assert(net.dial("tcp", ECHO, { via = via, timeout = 20 })), data, "three hops")
  -- The second hop fails: its error names it, not the first.
  local v, err = net.dial("tcp", ECHO, { via = { "socks5://" .. MICROSOCKS, "socks5h://" .. esc(PROXY_USER) .. ":nope@" .. MICROSOCKS_AUTH }, timeout = 20 })
  expect_error("proxy", v, err, "second hop's wrong password")
  assert(tostring(err):find("^via socks5h://" .. PROXY_USER .. ":%*%*%*@" .. MICROSOCKS_AUTH:gsub("%.", "%%.") .. ": "), tostring(err))
  -- The first cannot reach the second: the first says so.
  local gone = closed_port()
  v, err = net.dial("tcp", ECHO, { via = { "socks5://" .. MICROSOCKS, "http://" .. gone }, timeout = 20 })
  expect_error("proxy", v, err, "second hop not listening")
  assert(tostring(err):find("via socks5://" .. MICROSOCKS .. ": connect to " .. gone .. ": ", 1, true), tostring(err))
  assert(tostring(err):find("refused"), tostring(err))
end

function TestHTTPAndTLSVia(t)
  local http = require "http"
  local direct = assert(http.get("http://" .. HTTP_PEER .. "/fixed", { timeout = 20 }))
  local r = assert(http.get("http://" .. HTTP_PEER .. "/fixed", { timeout = 20, via = { "socks5://" .. MICROSOCKS, "http://" .. TINYPROXY } }))
  assert(r.status == 200 and r.body == direct.body, r.status .. " " .. #r.body)
  local client = http.client({ via = "socks5h://" .. auth() .. MICROSOCKS_AUTH, timeout = 20 })
  r = assert(client:get("http://" .. HTTP_PEER .. "/fixed"))
  assert(r.body == direct.body)
  client:close()
  -- tls.dial: the handshake runs end to end, through the proxy.
  local cert, key = tls.self_signed()
  local ln = assert(tls.listen("127.0.0.1:0", { cert = cert, key = key }))
  ln:serve(function(c) c:write("hello " .. c:read_line() .. "\n") end)
  local c = assert(tls.dial(tostring(ln:addr()), { ca = cert, via = { "socks5://" .. DANTE }, timeout = 20 }))
  c:set_timeout(20)
  assert(c:write("tls\n"))
  assert(c:read_line() == "hello tls")
  assert(c:tls_state().verified)
  c:close()
  ln:close()
end

-- socks.serve_client (stdlib/socks.lua) as a hop of net.dial's via: our
-- client and our server together, and a chain of it and a real proxy.
function TestSocksModuleAsHop(t)
  local ln = assert(net.listen("tcp", "127.0.0.1:0"))
  local refused = closed_port()
  ln:serve(function(c)
    socks.serve_client(c, { user = "u", pass = "p w", allow = function(host, port) return tonumber(port) ~= 9 end })
  end)
  local hop = "socks5h://u:p%20w@" .. tostring(ln:addr())
  local data = payload(70000)
  round_trip(assert(net.dial("tcp", ECHO, { via = hop, timeout = 20 })), data, "socks.lua", true)
  round_trip(assert(net.dial("tcp", "localhost:" .. port_of(ECHO), { via = hop, timeout = 20 })), data, "socks.lua by name")
  round_trip(assert(net.dial("tcp", "[::ffff:127.0.0.1]:" .. port_of(ECHO), { via = hop, timeout = 20 })), data, "socks.lua IPv6 address")
  round_trip(assert(net.dial("tcp", ECHO, { via = { hop, "socks5://" .. MICROSOCKS }, timeout = 20 })), data, "socks.lua then microsocks")
  -- Reply codes, as the client reports them.
  local v, err = net.dial("tcp", refused, { via = hop, timeout = 20 })
  expect_error("proxy", v, err, "target refused")
  assert(tostring(err):find("connection refused"), tostring(err))
  v, err = net.dial("tcp", "127.0.0.1:9", { via = hop, timeout = 20 })
  expect_error("proxy", v, err, "target not allowed")
  assert(tostring(err):find("not allowed"), tostring(err))
  expect_error("proxy", net.dial("tcp", ECHO, { via = "socks5h://u:bad@" .. tostring(ln:addr()), timeout = 20 }))
  expect_error("proxy", net.dial("tcp", ECHO, { via = "socks5h://" .. tostring(ln:addr()), timeout = 20 }))
  ln:close()
end

function TestViaTimeoutCoversTheChain(t)
  local addr, ln = silent()
  local start = time.now()
  local v, err = net.dial("tcp", ECHO, { via = { "socks5://" .. MICROSOCKS, "http://" .. addr }, timeout = 0.5 })
  expect_error("timeout", v, err, "a proxy that never answers")
  assert(time.since(start) < 5, time.since(start))
  assert(tostring(err):find("via http://" .. addr, 1, true), tostring(err))
  -- A cancel stops it too, at whatever hop it is.
  local tk = task.spawn(function() return net.dial("tcp", ECHO, { via = "socks4a://" .. addr }) end)
  time.sleep(0.2)
  tk:cancel()
  local _, werr = tk:wait(5)
  assert(werr and werr.kind == "canceled", tostring(werr))
  ln:close()
end

function TestViaFirstHopRefused(t)
  local gone = closed_port()
  local v, err = net.dial("tcp", ECHO, { via = "socks5://" .. auth() .. gone, timeout = 20 })
  expect_error("refused", v, err, "first hop not listening")
  assert(tostring(err):find("via socks5://" .. PROXY_USER .. ":***@" .. gone .. ": ", 1, true), tostring(err))
  assert(not tostring(err):find(PROXY_PASS, 1, true) and not tostring(err):find(esc(PROXY_PASS), 1, true), tostring(err))
end

function TestViaArguments(t)
  local function raises(pattern, f, ...)
    local ok, msg = pcall(f, ...)
    assert(not ok, "no error")
    assert(tostring(msg):find(pattern), tostring(msg))
    return tostring(msg)
  end
  raises("opts.via", net.dial, "tcp", ECHO, { via = 5 })
  raises("opts.via.*%[2%]", net.dial, "tcp", ECHO, { via = { "socks5://127.0.0.1:1", true } })
  raises("unknown proxy scheme", net.dial, "tcp", ECHO, { via = "ftp://127.0.0.1:21" })
  raises("tcp only", net.dial, "udp", ECHO, { via = "socks5://127.0.0.1:1" })
  local msg = raises("opts.via", net.dial, "tcp", ECHO, { via = "socks5://u:top-secret@127.0.0.1:1/path" })
  assert(not msg:find("top-secret", 1, true), msg)
  raises("does not dial", tls.listen, "127.0.0.1:0", { self_signed = true, via = "socks5://127.0.0.1:1" })
  -- An empty list is no proxy.
  round_trip(assert(net.dial("tcp", ECHO, { via = {}, timeout = 20 })), "direct", "no hops", true)
end

-- Every wrong shape of opts.via, on every function that takes it: an
-- argument error naming opts.via (or the stdlib function's argument), or
-- nil, err; never a crash. A live proxy (microsocks) sits behind each
-- URL-shaped string, so that the ones that parse are dialed.
function TestViaWrongShapes(t)
  local http, resp = require "http", require "resp"
  local long = "socks5://" .. string.rep("a", 10000) .. "@" .. MICROSOCKS
  local shapes = { false, true, 0, 0 / 0, 1e308, -1, "", "x.onion", string.rep("x", 10000), {}, { 1 }, { {} },
    { "socks5://" .. MICROSOCKS, 2 }, function() end, coroutine.create(function() end), long,
    "socks5://" .. MICROSOCKS .. "#frag", "socks5://[::1", "http://%zz@" .. MICROSOCKS, "socks5://" .. MICROSOCKS .. ":99999" }
  local many = {}
  for i = 1, 17 do many[i] = "socks5://" .. MICROSOCKS end
  shapes[#shapes + 1] = many
  local calls = {
    function(v) return net.dial("tcp", ECHO, { via = v, timeout = 5 }) end,
    function(v) return tls.dial(ECHO, { via = v, timeout = 5 }) end,
    function(v) return http.get("http://" .. ECHO .. "/", { via = v, timeout = 5 }) end,
    function(v) return resp.connect(ECHO, { via = v, timeout = 5 }) end,
  }
  for i, call in ipairs(calls) do
    for j, v in ipairs(shapes) do
      local ok, r1, r2 = pcall(call, v)
      if ok then
        -- A result only for {} (no proxy); anything else is nil, err.
        assert(r2 ~= nil or (type(v) == "table" and #v == 0), ("call %d, shape %d: want nil, err; got %s"):format(i, j, tostring(r1)))
        if r1 ~= nil and r1.close then r1:close() end
      else
        local msg = tostring(r1)
        assert(msg:find("opts.via", 1, true) or msg:find("bad argument", 1, true), ("call %d, shape %d: %s"):format(i, j, msg))
        assert(not msg:find("internal error", 1, true) and not msg:find("runtime error", 1, true), msg)
      end
    end
  end
end

-- resp.connect passes via on: a RESP server (written here on resp's
-- server side) reached through socks.serve_client and microsocks.
function TestRESPVia(t)
  local resp = require "resp"
  local server = assert(net.listen("tcp", "127.0.0.1:0"))
  server:serve(function(c)
    while true do
      local cmd = resp.read_command(c)
      if not cmd then return end
      c:write(resp.encode_bulk("pong " .. table.concat(cmd, " ")))
    end
  end)
  local hop = assert(net.listen("tcp", "127.0.0.1:0"))
  hop:serve(function(c) socks.serve_client(c) end)
  local r = assert(resp.connect(tostring(server:addr()), { via = { "socks5://" .. tostring(hop:addr()), "socks5h://" .. MICROSOCKS }, timeout = 20 }))
  assert(r:call("PING", "x") == "pong PING x")
  r:close()
  server:close()
  hop:close()
end
