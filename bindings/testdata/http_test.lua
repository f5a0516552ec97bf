-- stdlib/http.lua against a real HTTP/1.1 server: Python's http.server
-- running testdata/http_peer.py (started by http_test.go), whose address
-- is the global HTTP_PEER; against fake servers written here that send
-- what no real server would (huge chunk sizes, endless headers); and
-- http.serve answering http.get, both in Lua, over TCP and TLS.

local http = require "http"
local th = require "testhelp"
local expect_error = th.expect_error

local function peer(path) return "http://" .. HTTP_PEER .. path end

local OPTS = { timeout = 10 }

-- connections asks the peer how many TCP connections it has accepted.
local function connections(client)
  local r
  if client then r = assert(client:get(peer("/connections"))) else r = assert(http.get(peer("/connections"), OPTS)) end
  assert(r.status == 200, r.status)
  return assert(tonumber(r.body), r.body)
end

-- fake starts a server that reads one request head, sends raw and
-- half-closes, then waits for the client to hang up. It returns the base
-- URL.
local function fake(raw)
  return "http://" .. th.serve_once(function(c)
    assert(c:read_until("\r\n\r\n"))
    c:write(raw)
    c:close_write()
    c:read_all()
  end)
end

function TestGetContentLength(t)
  local r = assert(http.get(peer("/fixed"), OPTS))
  assert(r.status == 200 and r.reason == "OK" and r.version == "HTTP/1.1", r.status .. " " .. r.reason)
  assert(r.body == "hello, world\n", r.body)
  assert(r.headers["content-length"] == "13", r.headers["content-length"])
  assert(r.headers["content-type"] == "text/plain", r.headers["content-type"])
  assert(r.url == peer("/fixed") and r.redirects == 0)
  -- http.request is the general form.
  r = assert(http.request { method = "GET", url = peer("/fixed?x=1"), timeout = 10, headers = { Accept = "*/*" } })
  assert(r.body == "hello, world\n")
end

function TestHead(t)
  local r = assert(http.request { method = "HEAD", url = peer("/fixed"), timeout = 10 })
  assert(r.status == 200 and r.body == "", r.body)
  assert(r.headers["content-length"] == "13")
  -- No body after a HEAD even though the headers announce a chunked one;
  -- the connection stays in step for the next request.
  local client = http.client(OPTS)
  r = assert(client:request { method = "HEAD", url = peer("/chunked") })
  assert(r.body == "" and r.headers["transfer-encoding"] == "chunked")
  r = assert(client:get(peer("/fixed")))
  assert(r.body == "hello, world\n", r.body)
  client:close()
end

function TestChunked(t)
  local r = assert(http.get(peer("/chunked"), OPTS))
  assert(r.status == 200, r.status)
  assert(r.body == "alpha beta gamma\n", r.body)
  assert(r.headers["transfer-encoding"] == "chunked")
  assert(r.trailers and r.trailers["x-trailer"] == "done", "trailers")
end

function TestKeepAliveReuse(t)
  local client = http.client(OPTS)
  local n1 = connections(client)
  -- A chunked body and a Content-Length one in between, on the same conn.
  assert(client:get(peer("/chunked"))).body:len()
  assert(client:get(peer("/fixed")))
  local n2 = connections(client)
  assert(n2 == n1, ("two requests on one client: the server accepted %d connections, want %d"):format(n2, n1))
  -- A one-shot http.get opens a fresh connection each time.
  local n3 = connections()
  assert(n3 == n2 + 1, ("http.get: %d then %d"):format(n2, n3))
  local n4 = connections()
  assert(n4 == n3 + 1, ("http.get: %d then %d"):format(n3, n4))
  -- After close, the client dials again.
  client:close()
  local n5 = connections(client)
  assert(n5 == n4 + 1, ("after close: %d then %d"):format(n4, n5))
end

function TestUntilClose(t)
  local client = http.client(OPTS)
  local n1 = connections(client)
  local r = assert(client:get(peer("/close")))
  assert(r.body == "until the end\n", r.body)
  assert(r.headers["content-length"] == nil)
  -- That conn ended with the body: the next request needs a new one.
  local n2 = connections(client)
  assert(n2 == n1 + 1, ("%d then %d"):format(n1, n2))
  client:close()
end

function TestRedirect(t)
  -- Off by default: the 302 itself comes back.
  local r = assert(http.get(peer("/redirect"), OPTS))
  assert(r.status == 302 and r.headers.location == "/fixed" and r.body == "", r.status)
  -- Followed when asked.
  r = assert(http.get(peer("/redirect"), { timeout = 10, redirects = 1 }))
  assert(r.status == 200 and r.body == "hello, world\n", r.status)
  assert(r.url == peer("/fixed") and r.redirects == 1, r.url)
  -- Two hops with a budget of one: the second redirect comes back.
  r = assert(http.get(peer("/redirect2"), { timeout = 10, redirects = 1 }))
  assert(r.status == 302 and r.url == peer("/redirect"), r.status)
  r = assert(http.get(peer("/redirect2"), { timeout = 10, redirects = 5 }))
  assert(r.status == 200 and r.redirects == 2 and r.body == "hello, world\n", r.status)
end

function TestNoContent(t)
  local client = http.client(OPTS)
  local r = assert(client:get(peer("/nocontent")))
  assert(r.status == 204 and r.reason == "No Content" and r.body == "", r.status)
  -- No body was waited for: the conn is reused.
  local n1 = connections(client)
  assert(client:get(peer("/nocontent")))
  assert(connections(client) == n1)
  client:close()
end

function TestRepeatedHeaders(t)
  local r = assert(http.get(peer("/multi"), OPTS))
  assert(r.headers["x-multi"] == "a, b", r.headers["x-multi"])
  local seen = {}
  for _, h in ipairs(r.header_list) do
    if h[1]:lower() == "x-multi" then seen[#seen + 1] = h[2] end
  end
  assert(#seen == 2 and seen[1] == "a" and seen[2] == "b")
end

function TestPost(t)
  local body = "binary\0\r\n\255 data"
  local r = assert(http.request { method = "POST", url = peer("/echo"), body = body, timeout = 10,
    headers = { ["Content-Type"] = "application/octet-stream" } })
  assert(r.status == 200 and r.body == body, r.status)
  assert(r.headers["x-method"] == "POST")
  -- An empty POST still says Content-Length: 0.
  r = assert(http.request { method = "POST", url = peer("/echo"), timeout = 10 })
  assert(r.status == 200 and r.body == "", r.status)
end

function TestBodyOverCap(t)
  local _, err = http.get(peer("/fixed"), { timeout = 10, max_body = 4 })
  expect_error("too_large", nil, err, "content-length over max_body")
  _, err = http.get(peer("/chunked"), { timeout = 10, max_body = 8 })
  expect_error("too_large", nil, err, "chunked over max_body")
  _, err = http.get(peer("/close"), { timeout = 10, max_body = 4 })
  expect_error("too_large", nil, err, "until-close over max_body")
end

function TestHugeChunkSize(t)
  local head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
  -- A size of 2^80 bytes: refused at once, nothing allocated.
  local url = fake(head .. "ffffffffffffffffffff\r\n")
  local _, err = http.get(url .. "/", OPTS)
  expect_error("too_large", nil, err, "huge chunk size")
  -- A size just over max_body.
  url = fake(head .. "5\r\nhello\r\n6\r\n")
  _, err = http.get(url .. "/", { timeout = 10, max_body = 10 })
  expect_error("too_large", nil, err, "chunks over max_body")
  -- A chunk-size line that never ends.
  url = fake(head .. "1" .. string.rep("0", 100000))
  _, err = http.get(url .. "/", OPTS)
  expect_error("too_large", nil, err, "endless chunk-size line")
  assert(tostring(err):find("chunk%-size line"), tostring(err))
  -- A Content-Length of petabytes.
  url = fake("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n")
  _, err = http.get(url .. "/", OPTS)
  expect_error("too_large", nil, err, "huge content-length")
end

function TestHeaderCaps(t)
  local url = fake("HTTP/1.1 200 OK\r\nX-Long: " .. string.rep("a", http.MAX_LINE + 10) .. "\r\n\r\n")
  local _, err = http.get(url .. "/", OPTS)
  expect_error("too_large", nil, err, "long header line")
  url = fake("HTTP/1.1 200 OK\r\n" .. string.rep("X-H: v\r\n", http.MAX_HEADERS + 1) .. "\r\n")
  _, err = http.get(url .. "/", OPTS)
  expect_error("too_large", nil, err, "too many headers")
  url = fake("HTTP/1.1 200 OK\r\n" .. string.rep("X-H: v\r\n", http.MAX_HEADERS) .. "Content-Length: 2\r\n\r\nok")
  -- MAX_HEADERS + 1 headers in all: over; exactly MAX_HEADERS is fine.
  _, err = http.get(url .. "/", OPTS)
  expect_error("too_large", nil, err, "one header over")
  url = fake("HTTP/1.1 200 OK\r\n" .. string.rep("X-H: v\r\n", http.MAX_HEADERS - 1) .. "Content-Length: 2\r\n\r\nok")
  local r = assert(http.get(url .. "/", OPTS))
  assert(r.body == "ok" and #r.header_list == http.MAX_HEADERS)
end

function TestMalformedResponse(t)
  local _, err = http.get(fake("SSH-2.0-OpenSSH\r\n") .. "/", OPTS)
  expect_error("other", nil, err, "not HTTP")
  assert(tostring(err):find("not an HTTP response"), tostring(err))
  assert(("x" .. err):find("not an HTTP response"), "concatenation")
  _, err = http.get(fake("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n") .. "/", OPTS)
  expect_error("other", nil, err, "bad header")
  _, err = http.get(fake("HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n") .. "/", OPTS)
  expect_error("other", nil, err, "bad content-length")
  _, err = http.get(fake("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") .. "/", OPTS)
  expect_error("other", nil, err, "bad chunk size")
  -- A redirect somewhere this client cannot go is an error, not a raise.
  _, err = http.get(fake("HTTP/1.1 302 Found\r\nLocation: ftp://example.com/\r\nContent-Length: 0\r\n\r\n") .. "/",
    { timeout = 10, redirects = 1 })
  expect_error("other", nil, err, "redirect to ftp")
  _, err = http.get(fake("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort") .. "/", { timeout = 10 })
  assert(err and err.kind == "eof", tostring(err))
end

-- A body the server ends before its length is kind eof and says how much
-- was missing, as curl does (issue 16): with Content-Length, in one read or
-- in pieces (a body over 1 MiB is read 1 MiB at a time), and in a chunk.
function TestShortBody(t)
  local _, err = http.get(fake("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" .. ("x"):rep(30)) .. "/", OPTS)
  expect_error("eof", nil, err, "30 of 100 bytes")
  assert(tostring(err) == "http: transfer closed with 70 bytes remaining", tostring(err))
  assert(err.op == "read" and err.addr, err.op)
  _, err = http.get(fake("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n") .. "/", OPTS)
  expect_error("eof", nil, err, "no body at all")
  assert(tostring(err) == "http: transfer closed with 10 bytes remaining", tostring(err))
  local big = 3 * 1024 * 1024
  _, err = http.get(fake("HTTP/1.1 200 OK\r\nContent-Length: " .. big .. "\r\n\r\n" .. ("y"):rep(big - 12345)) .. "/", OPTS)
  expect_error("eof", nil, err, "a big body in pieces")
  assert(tostring(err) == "http: transfer closed with 12345 bytes remaining", tostring(err))
  _, err = http.get(fake("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n40\r\n0123456789") .. "/", OPTS)
  expect_error("eof", nil, err, "a chunk cut short")
  assert(tostring(err) == "http: transfer closed with 54 bytes remaining", tostring(err))
  -- The whole body still works, and so does a server's own EOF elsewhere.
  local r = assert(http.get(fake("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello") .. "/", OPTS))
  assert(r.body == "hello", r.body)
end

function TestNetworkErrors(t)
  local _, err = http.get("http://127.0.0.1:1/", OPTS)
  expect_error("refused", nil, err, "nothing listens")
  -- A server that never answers: the request's timeout.
  local ln = th.listen()
  task.spawn(function() local c = ln:accept(10); if c then c:read_all(); c:close() end end)
  _, err = http.get("http://" .. tostring(ln:addr()) .. "/", { timeout = 0.3 })
  expect_error("timeout", nil, err, "silent server")
  ln:close()
  -- Bad URLs are argument errors.
  local ok, msg = pcall(http.get, "ftp://example.com/")
  assert(not ok and tostring(msg):find("unsupported scheme"), tostring(msg))
  ok, msg = pcall(http.get, "127.0.0.1:80")
  assert(not ok and tostring(msg):find("not an absolute"), tostring(msg))
  ok, msg = pcall(http.get, peer("/"), { headers = { ["X-Bad"] = "a\r\nInjected: 1" }, timeout = 10 })
  assert(not ok and tostring(msg):find("CR, LF"), tostring(msg))
end

function TestURLParsing(t)
  local u = assert(http.parse_url("http://[::1]:8080/a/b?q=1#frag"))
  assert(u.host == "::1" and u.port == 8080 and u.addr == "[::1]:8080" and u.target == "/a/b?q=1", u.target)
  u = assert(http.parse_url("https://example.com"))
  assert(u.port == 443 and u.target == "/" and u.host_header == "example.com")
  u = assert(http.parse_url("HTTP://h:80?x"))
  assert(u.scheme == "http" and u.target == "/?x" and u.host_header == "h")
  assert(http.parse_url("http://h:99999/") == nil)
end

function TestServeAndGet(t)
  local seen = {}
  local ln = assert(http.serve("127.0.0.1:0", function(req)
    seen[#seen + 1] = req
    if req.path == "/hello" then
      return 200, { ["Content-Type"] = "text/plain", ["X-Query"] = req.query or "" }, "hello " .. req.method .. "\n"
    elseif req.path == "/echo" then
      return { status = 201, headers = { ["X-Len"] = #req.body }, body = req.body }
    elseif req.path == "/empty" then
      return 204
    elseif req.path == "/string" then
      return "just a string"
    elseif req.path == "/fail" then
      error("handler broke")
    elseif req.path == "/multi" then
      return 200, { ["Set-Cookie"] = { "a=1", "b=2" } }, "cookies"
    end
  end))
  local base = "http://" .. tostring(ln:addr())
  local client = http.client(OPTS)
  local r = assert(client:get(base .. "/hello?x=1&y=2"))
  assert(r.status == 200 and r.body == "hello GET\n" and r.headers["x-query"] == "x=1&y=2", r.body)
  assert(r.headers["content-length"] == "10", r.headers["content-length"])
  assert(seen[1].method == "GET" and seen[1].path == "/hello" and seen[1].query == "x=1&y=2")
  assert(seen[1].headers.host == tostring(ln:addr()) and seen[1].headers["user-agent"] == http.USER_AGENT)
  local body = string.rep("\0\1\2 binary ", 1000)
  r = assert(client:request { method = "PUT", url = base .. "/echo", body = body })
  assert(r.status == 201 and r.reason == "Created" and r.body == body and r.headers["x-len"] == tostring(#body))
  r = assert(client:request { method = "HEAD", url = base .. "/hello" })
  assert(r.status == 200 and r.body == "" and r.headers["content-length"] == "11", r.headers["content-length"])
  r = assert(client:get(base .. "/empty"))
  assert(r.status == 204 and r.body == "")
  r = assert(client:get(base .. "/string"))
  assert(r.status == 200 and r.body == "just a string")
  r = assert(client:get(base .. "/nowhere"))
  assert(r.status == 404, r.status)
  r = assert(client:get(base .. "/multi"))
  assert(r.headers["set-cookie"] == "a=1, b=2" and #r.header_list >= 2, r.headers["set-cookie"])
  -- Every request so far came on one connection (keep-alive).
  for i = 2, #seen do
    assert(seen[i].remote_addr == seen[1].remote_addr, "request " .. i .. " came on another connection")
  end
  -- A failing handler gets a 500, and the connection is closed.
  r = assert(client:get(base .. "/fail"))
  assert(r.status == 500 and r.headers.connection == "close", r.status)
  r = assert(client:get(base .. "/hello"))
  assert(seen[#seen].remote_addr ~= seen[1].remote_addr, "a new connection after the 500")
  client:close()
  ln:close()
end

-- A handler that fails with an error object whose __tostring raises still
-- gets its client a 500: describing the error runs protected.
function TestServeHandlerErrorThatCannotBeDescribed(t)
  local ln = assert(http.serve("127.0.0.1:0", function(req)
    error(setmetatable({}, { __tostring = function() error("no text for you") end }))
  end))
  local client = http.client(OPTS)
  local r = assert(client:get("http://" .. tostring(ln:addr()) .. "/"))
  assert(r.status == 500, r.status)
  client:close()
  ln:close()
end

-- raw_server starts http.serve with handler (and opts) and returns the
-- listener and a function that sends request bytes on a new conn (or on
-- conn c) and reads one response: conn, status, body, head.
local function raw_server(handler, opts)
  local ln = assert(http.serve("127.0.0.1:0", handler, opts))
  local addr = tostring(ln:addr())
  local function raw(request, c)
    c = c or assert(net.dial("tcp", addr, { timeout = 10 }))
    c:set_timeout(10)
    assert(c:write(request))
    local head = assert(c:read_until("\r\n\r\n"))
    local status = tonumber(head:match("^HTTP/1%.1 (%d+)"))
    local len = tonumber(head:match("\r\nContent%-Length: (%d+)"))
    local data = len and assert(c:read_full(len)) or ""
    return c, status, data, head
  end
  return ln, raw
end

function TestServeRawRequests(t)
  local ln, raw = raw_server(function(req)
    return 200, {}, req.method .. " " .. req.body
  end, { max_body = 100 })
  local addr = tostring(ln:addr())
  -- A chunked request body, then a second request on the same conn.
  local c, status, data = raw("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
  assert(status == 200 and data == "POST abcde", data)
  assert(c:write("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
  local head = assert(c:read_until("\r\n\r\n"))
  assert(head:match("^HTTP/1%.1 200") and assert(c:read_full(4)) == "GET ")
  c:close()
  -- HTTP/1.0 without keep-alive: the server closes after the reply.
  c, status, data, head = raw("GET / HTTP/1.0\r\n\r\n")
  assert(status == 200 and head:find("Connection: close"), head)
  expect_error("eof", c:read())
  c:close()
  -- Over the caps: 413 for a body, 431 for a header line, 414 for the
  -- request line, 400 for garbage; each closes the connection.
  c, status = raw("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n")
  assert(status == 413, status)
  c:close()
  c, status = raw("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n")
  assert(status == 413, status)
  c:close()
  c, status = raw("GET / HTTP/1.1\r\nHost: x\r\nX: " .. string.rep("a", http.MAX_LINE) .. "\r\n\r\n")
  assert(status == 431, status)
  c:close()
  c, status = raw("GET /" .. string.rep("a", http.MAX_LINE) .. " HTTP/1.1\r\nHost: x\r\n\r\n")
  assert(status == 414, status)
  c:close()
  c, status = raw("HELLO\r\n\r\n")
  assert(status == 400, status)
  expect_error("eof", c:read())
  c:close()
  -- Expect: 100-continue gets its interim reply before the body is read.
  c = assert(net.dial("tcp", addr, { timeout = 10 }))
  c:set_timeout(10)
  assert(c:write("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n"))
  assert(c:read_until("\r\n\r\n") == "HTTP/1.1 100 Continue")
  assert(c:write("hi"))
  head = assert(c:read_until("\r\n\r\n"))
  assert(head:match("^HTTP/1%.1 200") and assert(c:read_full(6)) == "PUT hi")
  c:close()
  ln:close()
end

-- A server that closes a kept-alive connection between two requests: the
-- client notices on the reused conn and retries once on a fresh one.
function TestStaleConnRetried(t)
  local ln = th.listen()
  local accepted, closed = 0, task.chan(2)
  ln:serve(function(c)
    accepted = accepted + 1
    c:set_timeout(10)
    if c:read_until("\r\n\r\n") then c:write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") end
    c:close() -- without saying so
    closed:send(true)
  end)
  local client = http.client(OPTS)
  local url = "http://" .. tostring(ln:addr()) .. "/"
  assert(assert(client:get(url)).body == "ok")
  assert(closed:recv(10))
  assert(assert(client:get(url)).body == "ok")
  assert(accepted == 2, accepted)
  client:close()
  ln:close()
end

function TestHTTPS(t)
  local cert, key = tls.self_signed()
  local ln = assert(tls.listen("127.0.0.1:0", { cert = cert, key = key }))
  assert(http.serve(ln, function(req) return 200, {}, "secure " .. req.path end))
  local port = ln:addr().port
  local r = assert(http.get("https://127.0.0.1:" .. port .. "/x", { ca = cert, timeout = 10 }))
  assert(r.status == 200 and r.body == "secure /x", r.body)
  r = assert(http.get("https://localhost:" .. port .. "/y", { ca = cert, timeout = 10 }))
  assert(r.body == "secure /y", r.body)
  -- Verified by default: an unknown certificate is refused.
  local _, err = http.get("https://127.0.0.1:" .. port .. "/", OPTS)
  expect_error("tls", nil, err, "self-signed without ca")
  r = assert(http.get("https://127.0.0.1:" .. port .. "/z", { insecure = true, timeout = 10 }))
  assert(r.body == "secure /z")
  -- Keep-alive over TLS too.
  local client = http.client({ ca = cert, timeout = 10 })
  assert(client:get("https://127.0.0.1:" .. port .. "/a"))
  local n = 0
  for _, list in pairs(client.idle) do n = n + #list end
  assert(n == 1, n)
  assert(client:get("https://127.0.0.1:" .. port .. "/b"))
  client:close()
  ln:close()
end

-- https passes the TLS options through: a pin that matches, one that does
-- not (kind tls, naming the key seen), sni, min_version; a kept-alive conn
-- is reused only by a request with the same TLS options (a conn dialed
-- without a pin never serves a pinned request).
function TestHTTPSPinsAndReuse(t)
  local cert, key = tls.self_signed()
  local ln = assert(tls.listen("127.0.0.1:0", { cert = cert, key = key }))
  assert(http.serve(ln, function() return 200, {}, "ok" end))
  local base = "https://127.0.0.1:" .. ln:addr().port
  local c = assert(tls.dial(tostring(ln:addr()), { ca = cert, timeout = 10 }))
  local pin = c:tls_state().peer_certificates[1].spki_sha256
  c:close()
  local wrong = ("B"):rep(43) .. "="
  assert(http.get(base .. "/", { ca = cert, pin_sha256 = pin, min_version = "1.3", timeout = 10 }))
  local _, err = http.get(base .. "/", { insecure = true, pin_sha256 = wrong, timeout = 10 })
  err = expect_error("tls", nil, err, "a wrong pin")
  assert(tostring(err):find(pin, 1, true), tostring(err))

  local client = http.client({ ca = cert, timeout = 10 })
  assert(client:get(base .. "/a"))
  _, err = client:get(base .. "/b", { pin_sha256 = wrong })
  expect_error("tls", nil, err, "a pinned request on a kept-alive conn dialed without the pin")
  assert(client:get(base .. "/c", { pin_sha256 = pin }))
  assert(client:get(base .. "/d", { sni = "localhost", server_name = "127.0.0.1" }))
  client:close()
  ln:close()
end

function TestRequestHeaders(t)
  local got = task.chan(1)
  local ln = assert(http.serve("127.0.0.1:0", function(req) got:send(req.headers) return "ok" end))
  local client = http.client({ timeout = 10, headers = { ["X-Default"] = "d", ["X-Both"] = "client" } })
  local r = assert(client:request({ method = "get", url = "http://" .. tostring(ln:addr()) .. "/",
    headers = { ["X-List"] = { "1", "2" }, ["X-Both"] = "request", ["User-Agent"] = "mine" } }))
  assert(r.body == "ok")
  local h = assert(got:recv(10))
  assert(h["x-default"] == "d" and h["x-both"] == "request" and h["x-list"] == "1, 2", h["x-list"])
  assert(h["user-agent"] == "mine", h["user-agent"])
  local ok, msg = pcall(client.request, client, { method = "GET /x HTTP/1.1\r\n", url = "http://127.0.0.1:1/" })
  assert(not ok and tostring(msg):find("token expected"), tostring(msg))
  assert(tostring(client):find("1 idle conns"), tostring(client))
  client:close()
  assert(tostring(client):find("closed"), tostring(client))
  ln:close()
end

-- Request smuggling (RFC 9112, 6.3): a request with Transfer-Encoding and
-- Content-Length both is refused with 400 and the conn closed, so that
-- nothing after it is read as a request; codings are tokens, and any but
-- chunked is 501.
-- Blanks around a transfer coding are trimmed, however many: in one pass
-- (trim was gsub("[ \t]+$", ""), which rescans a run of blanks from each of
-- its bytes).
function TestServeTrimsLongBlanks(t)
  local ln, raw = raw_server(function(req) return 200, {}, req.body end)
  local c, status = raw("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \t chunked" .. (" \t"):rep(4000) .. "\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
  assert(status == 200, status)
  c:close()
  ln:close()
end

function TestServeRefusesAmbiguousFraming(t)
  local seen = {}
  local ln, raw = raw_server(function(req)
    seen[#seen + 1] = req.target
    return 200, {}, req.method .. " " .. req.body
  end)
  local smuggle = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
  local c, status, _, head = raw(smuggle)
  assert(status == 400 and head:find("Connection: close", 1, true), head)
  expect_error("eof", c:read())
  c:close()
  -- The same with the headers the other way round, and with the header
  -- names in another case.
  c, status = raw("POST / HTTP/1.1\r\nHost: x\r\ntransfer-encoding: chunked\r\ncontent-length: 3\r\n\r\n0\r\n\r\n")
  assert(status == 400, status)
  c:close()
  for te, want in pairs({
    ["xchunked"] = 501, ["notchunked"] = 501, ["gzip, chunked"] = 501, ["chunked;x=1"] = 501,
    ["identity"] = 501, ["chunked, chunked"] = 400, [","] = 400,
  }) do
    c, status = raw("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " .. te .. "\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n")
    assert(status == want, ("Transfer-Encoding: %s: got %s, want %d"):format(te, tostring(status), want))
    local d, e = c:read()
    expect_error("eof", d, e, te)
    c:close()
  end
  -- Two different Content-Length lines: 400.
  c, status = raw("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 30\r\n\r\nabc")
  assert(status == 400, status)
  c:close()
  assert(#seen == 0, "a refused request reached the handler: " .. tostring(seen[1]))
  -- What stays accepted: chunked in any case, with spaces; the same
  -- Content-Length twice.
  local data
  c, status, data = raw("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:  Chunked \r\n\r\n3\r\nabc\r\n0\r\n\r\n")
  assert(status == 200 and data == "POST abc", data)
  c, status, data = raw("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi", c)
  assert(status == 200 and data == "POST hi", data)
  c:close()
  ln:close()
end

-- The client refuses what the server refuses: a response with
-- Transfer-Encoding and Content-Length, or a coding it cannot undo.
function TestClientRefusesAmbiguousFraming(t)
  for _, raw in ipairs({
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nhi!",
  }) do
    local r, err = http.get(fake(raw) .. "/", OPTS)
    expect_error("other", r, err, raw:match("^[^\r]*\r\n([^\r]*)"))
  end
end

-- The body of a request is read only when the handler asks for req.body:
-- a handler that refuses a 32 MiB POST answers at once, without reading
-- it, and the conn is closed (a small unread body is skipped instead, and
-- the conn kept).
function TestServeReadsBodyOnlyWhenAsked(t)
  local ln, raw = raw_server(function(req)
    if req.path == "/read" then return 200, {}, "got " .. #req.body end
    return 405, {}, "no"
  end, { max_body = 64 * 1024 * 1024 })
  -- The head of a 32 MiB upload and 5 bytes of it: the answer comes
  -- without the rest (before, the server waited for 32 MiB).
  local c, status, data, head = raw("POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Length: 33554432\r\n\r\nhello")
  assert(status == 405 and data == "no" and head:find("Connection: close", 1, true), head)
  -- It lingers: what the client still sends is dropped, then EOF.
  assert(c:write(string.rep("x", 4096)))
  c:close_write()
  assert(c:read_all(1024 * 1024) == "", "nothing after the reply")
  c:close()
  -- A small unread body is skipped: the next request on the conn works.
  c, status = raw("POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
  assert(status == 405, status)
  c, status, data = raw("POST /read HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", c)
  assert(status == 200 and data == "got 3", data)
  -- Expect: 100-continue: no interim reply when the body is not wanted.
  c, status, data, head = raw("POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n", c)
  assert(status == 405 and head:find("Connection: close", 1, true), head)
  c:close()
  ln:close()
end

-- A body read inside the handler that goes over the cap ends the request
-- with 413, even from inside the handler.
function TestServeBodyOverCapWhenRead(t)
  local ln, raw = raw_server(function(req) return 200, {}, req.body end, { max_body = 10 })
  local c, status = raw("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\nworld!\r\n0\r\n\r\n")
  assert(status == 413, status)
  c:close()
  ln:close()
end

-- Chunked framing is bounded against the data: a body in 1-byte chunks
-- (six bytes on the wire and a Lua string each) is too_large long before
-- max_body, on both sides; chunks of ordinary size pass.
function TestChunkFramingCap(t)
  local tiny = {}
  for i = 1, 20000 do tiny[i] = "1\r\nx\r\n" end
  tiny = table.concat(tiny)
  local head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
  local r, err = http.get(fake(head .. tiny .. "0\r\n\r\n") .. "/", OPTS)
  err = expect_error("too_large", r, err, "1-byte chunks")
  assert(tostring(err):find("framing", 1, true), tostring(err))
  local ok = {}
  for i = 1, 2000 do ok[i] = "40\r\n" .. string.rep("y", 64) .. "\r\n" end
  r = assert(http.get(fake(head .. table.concat(ok) .. "0\r\n\r\n") .. "/", OPTS))
  assert(r.body == string.rep("y", 64 * 2000), #r.body)

  local ln, raw = raw_server(function(req) return 200, {}, "got " .. #req.body end)
  local c, status = raw("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" .. tiny .. "0\r\n\r\n")
  assert(status == 413, status)
  c:close()
  local data
  c, status, data = raw("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" .. table.concat(ok) .. "0\r\n\r\n")
  assert(status == 200 and data == "got " .. 64 * 2000, data)
  c:close()
  ln:close()
end

-- The header lines of one message are capped together, not only one by
-- one: 90 lines of 1000 bytes (each under MAX_LINE, fewer than
-- MAX_HEADERS) are over MAX_HEADER_BYTES.
function TestHeaderBytesCap(t)
  local lines = string.rep("X-Big: " .. string.rep("h", 1000) .. "\r\n", 90)
  local r, err = http.get(fake("HTTP/1.1 200 OK\r\n" .. lines .. "Content-Length: 0\r\n\r\n") .. "/", OPTS)
  expect_error("too_large", r, err, "header bytes")
  local ln, raw = raw_server(function() return 200, {}, "ok" end)
  local c, status = raw("GET / HTTP/1.1\r\nHost: x\r\n" .. lines .. "\r\n")
  assert(status == 431, status)
  c:close()
  ln:close()
end

-- Peer bytes quoted in an error message are escaped: no ESC reaches a
-- terminal that prints it.
function TestErrorsEscapePeerBytes(t)
  local r, err = http.get(fake("\27]0;pwned\7\27[2J HTTP/1.1 200 OK\r\n\r\n") .. "/", OPTS)
  err = expect_error("other", r, err, "escape in the status line")
  assert(not tostring(err):find("[\27\7]"), tostring(err))
  assert(tostring(err):find("\\27]0;pwned\\7", 1, true), tostring(err))
  r, err = http.get(fake("HTTP/1.1 200 OK\r\nbad\27[2J\r\n\r\n") .. "/", OPTS)
  err = expect_error("other", r, err, "escape in a header line")
  assert(not tostring(err):find("\27", 1, true), tostring(err))
end

-- http.file: a body that streams from a regular file; anything else is
-- nil, err.
function TestServeFileBody(t)
  local dir = t:tempdir()
  local path = dir .. "/f.bin"
  local f = assert(io.open(path, "wb"))
  local data = string.rep("0123456789abcdef", 100000)
  f:write(data)
  f:close()
  local ln = assert(http.serve("127.0.0.1:0", function(req)
    if req.path == "/dir" then return 200, {}, assert(http.file(dir)) end
    return 200, { ["Content-Type"] = "application/x-test" }, assert(http.file(path))
  end))
  local base = "http://" .. tostring(ln:addr())
  local r = assert(http.get(base .. "/", OPTS))
  assert(r.status == 200 and r.body == data and r.headers["content-length"] == tostring(#data), r.status)
  assert(r.headers["content-type"] == "application/x-test")
  r = assert(http.request { method = "HEAD", url = base .. "/", timeout = 10 })
  assert(r.body == "" and r.headers["content-length"] == tostring(#data))
  local b, err = http.file(dir)
  err = expect_error("other", b, err, "http.file of a directory")
  assert(tostring(err):find("not a regular file", 1, true), tostring(err))
  expect_error("other", http.file(dir .. "/missing"))
  ln:close()
end

-- http.file(path, offset, count): a slice of the file, sent with
-- c:send_file from its offset (a 206's body); count is clamped to the
-- end, an offset past it is nil, err, and a bad offset or count a Lua
-- error naming it (issue 24, item 4).
function TestServeFileSlice(t)
  local dir = t:tempdir()
  local path = dir .. "/f.bin"
  local data = string.rep("0123456789abcdef", 100000)
  local f = assert(io.open(path, "wb"))
  f:write(data)
  f:close()
  local ln = assert(http.serve("127.0.0.1:0", function(req)
    local offset, count = req.path:match("^/(%d+)/(%d+)$")
    return 206, {}, assert(http.file(path, tonumber(offset), tonumber(count)))
  end))
  local base = "http://" .. tostring(ln:addr())
  for _, c in ipairs({ { 0, 1 }, { 5, 10 }, { 1000001, 500000 }, { #data - 3, 100 }, { #data, 0 }, { 7, 0 } }) do
    local r = assert(http.get(("%s/%d/%d"):format(base, c[1], c[2]), OPTS))
    local want = data:sub(c[1] + 1, c[1] + c[2])
    assert(r.status == 206 and r.body == want and r.headers["content-length"] == tostring(#want),
      ("slice %d+%d: got %d, %d bytes"):format(c[1], c[2], r.status, #r.body))
  end
  local b = assert(http.file(path, 10))
  assert(b.offset == 10 and b.size == #data - 10, b.size)
  expect_error("other", http.file(path, #data + 1))
  for _, bad in ipairs({ -1, 1.5, "x" }) do
    local ok, err = pcall(http.file, path, bad)
    assert(not ok and err:find("bad argument #2 to http.file (offset", 1, true), tostring(err))
    ok, err = pcall(http.file, path, 0, bad)
    assert(not ok and err:find("bad argument #3 to http.file (count", 1, true), tostring(err))
  end
  -- st: the caller's os.stat, used as it is (its size, its kind).
  local st = assert(os.stat(path))
  b = assert(http.file(path, 10, nil, st))
  assert(b.size == #data - 10, b.size)
  st.size = 20 -- a stat made before the file grew: its size is what goes out
  b = assert(http.file(path, 5, nil, st))
  assert(b.size == 15, b.size)
  expect_error("other", http.file(path, nil, nil, { kind = "directory", size = 0 }))
  for _, bad in ipairs({ "x", 1, {}, { kind = "file" } }) do
    local ok, err = pcall(http.file, path, nil, nil, bad)
    assert(not ok and err:find("bad argument #4 to http.file (st", 1, true), tostring(err))
  end
  ln:close()
end

-- http.byte_range reads a Range value as nginx does (the same cases are
-- compared with a real nginx in scripts_http_download_test.go).
function TestByteRange(t)
  local cases = {
    { "bytes=0-0", 1000, 0, 0 }, { "bytes=10-19", 1000, 10, 19 }, { "bytes=990-", 1000, 990, 999 },
    { "bytes=990-5000", 1000, 990, 999 }, { "bytes=-10", 1000, 990, 999 }, { "bytes=-5000", 1000, 0, 999 },
    { "BYTES=1-2", 1000, 1, 2 }, { "bytes= 1 - 2 ", 1000, 1, 2 }, { "bytes=1000-,5-6", 1000, 5, 6 },
    { "bytes=1000-", 1000, nil, "unsatisfiable" }, { "bytes=-0", 1000, nil, "unsatisfiable" },
    { "bytes=20-10", 1000, nil, "unsatisfiable" }, { "bytes=abc", 1000, nil, "unsatisfiable" },
    { "bytes=1-2,", 1000, nil, "unsatisfiable" }, { "bytes=-", 1000, nil, "unsatisfiable" },
    { "bytes=1-2x", 1000, nil, "unsatisfiable" }, { "bytes=1x-2", 1000, nil, "unsatisfiable" },
    { "bytes=99999999999999999999-", 1000, nil, "unsatisfiable" },
    { "bytes=0-99999999999999999999", 1000, nil, "unsatisfiable" },
    { "bytes=0-1,5-6", 1000, nil, "ignore" }, { "items=1-2", 1000, nil, "ignore" }, { "bytes", 1000, nil, "ignore" },
    { "bytes=", 1000, nil, "ignore" }, { "bytes=0-", 0, nil, "ignore" }, { "bytes=-1", 0, nil, "ignore" },
    { "bytes=1-", 0, nil, "unsatisfiable" },
  }
  for _, c in ipairs(cases) do
    local a, b = http.byte_range(c[1], c[2])
    assert(a == c[3] and b == c[4], ("%q of %d: got %s, %s; want %s, %s"):format(c[1], c[2],
      tostring(a), tostring(b), tostring(c[3]), tostring(c[4])))
  end
  local ok, err = pcall(http.byte_range, nil, 1)
  assert(not ok and err:find("bad argument #1 to http.byte_range", 1, true), err)
  ok, err = pcall(http.byte_range, "bytes=0-", -1)
  assert(not ok and err:find("bad argument #2 to http.byte_range (size", 1, true), err)
end

-- A chunk size is hex digits and nothing else (spaces around it and
-- extensions after ";" aside): no sign, no point, no 0x, as the
-- lenient number parsers would take.
function TestChunkSizeStrict(t)
  local ln, raw = raw_server(function(req) return 200, {}, "got " .. req.body end)
  for _, size in ipairs({ "+3", "-0", "3.0", "0x3", "3 3", "" }) do
    local c, status = raw("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" .. size .. "\r\nabc\r\n0\r\n\r\n")
    assert(status == 400, ("chunk size %q: got %s, want 400"):format(size, tostring(status)))
    c:close()
  end
  for _, size in ipairs({ "3", " 3 ", "3;ext=1", "03", "0000000000000000003" }) do
    local c, status, data = raw("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" .. size .. "\r\nabc\r\n0\r\n\r\n")
    assert(status == 200 and data == "got abc", ("chunk size %q: got %s %s"):format(size, tostring(status), data))
    c:close()
  end
  ln:close()
end

-- A chunked body the server ends before its last chunk (size 0) and the
-- empty line after the trailers is an error, never a body (issue 24,
-- item 1): kind eof, in curl's words, wherever the cut falls between
-- chunks; inside a chunk it says how many bytes of the chunk are missing.
function TestChunkedWithoutLastChunk(t)
  local head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
  for _, cut in ipairs({ "", "3\r\nabc\r\n", "3\r\nabc", "3\r\nabc\r", "3\r\nabc\r\n0\r\n",
      "3\r\nabc\r\n0\r\nX-T: 1\r\n" }) do
    local r, err = http.get(fake(head .. cut) .. "/", OPTS)
    err = expect_error("eof", r, err, ("chunked body cut after %q"):format(cut))
    assert(tostring(err) == "http: transfer closed with outstanding read data remaining",
      ("cut after %q: %s"):format(cut, tostring(err)))
    assert(err.op == "read" and err.addr, err.op)
  end
  local r, err = http.get(fake(head .. "3\r\nabc\r\n5\r\nde") .. "/", OPTS)
  err = expect_error("eof", r, err, "a chunk cut short")
  assert(tostring(err) == "http: transfer closed with 3 bytes remaining", tostring(err))
  -- The whole body, its last chunk and the empty line included, is fine.
  r = assert(http.get(fake(head .. "3\r\nabc\r\n0\r\n\r\n") .. "/", OPTS))
  assert(r.body == "abc", r.body)
end

-- is_imf_fixdate reports whether s is an IMF-fixdate (RFC 9110, 5.6.7),
-- "Sun, 06 Nov 1994 08:49:37 GMT", with the right day of the week, within
-- 5 seconds of now.
local function is_imf_fixdate(s)
  local wd, d, mon, y, hh, mm, ss = (s or ""):match("^(%a%a%a), (%d%d) (%a%a%a) (%d%d%d%d) (%d%d):(%d%d):(%d%d) GMT$")
  if not wd then return false end
  local months = { Jan = 1, Feb = 2, Mar = 3, Apr = 4, May = 5, Jun = 6, Jul = 7, Aug = 8, Sep = 9, Oct = 10, Nov = 11, Dec = 12 }
  local m = months[mon]
  if not m then return false end
  -- Days since 1970-01-01 (a Thursday), by the civil-from-days inverse.
  local yy, mo = tonumber(y), m
  if mo <= 2 then yy = yy - 1 end
  local era = math.floor(yy / 400)
  local yoe = yy - era * 400
  local mp = (mo + 9) % 12
  local doy = math.floor((153 * mp + 2) / 5) + tonumber(d) - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  local days = era * 146097 + doe - 719468
  local names = { [0] = "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed" }
  if names[days % 7] ~= wd then return false end
  local t = days * 86400 + tonumber(hh) * 3600 + tonumber(mm) * 60 + tonumber(ss)
  return math.abs(t - time.now()) < 5
end

-- Every reply of http.serve carries Date (RFC 9110, 6.6.1), as an
-- IMF-fixdate: a handler's reply, a 404, an error reply the server makes
-- itself; a handler that sets its own Date keeps it, once.
function TestServeDate(t)
  -- The checker itself: a wrong day of the week, and a date long past.
  assert(not is_imf_fixdate(os.date("!Fri, %d Jan %Y %H:%M:%S GMT", 0)) and not is_imf_fixdate("Thu, 01 Jan 1970 00:00:00 GMT"))
  local ln, raw = raw_server(function(req)
    if req.path == "/own" then return 200, { Date = "Sun, 06 Nov 1994 08:49:37 GMT" }, "own" end
    if req.path == "/none" then return nil end
    return 200, {}, "ok"
  end)
  for _, case in ipairs({
    { "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 200 },
    { "GET /none HTTP/1.1\r\nHost: x\r\n\r\n", 404 },
    { "GET / HTTP/1.0\r\n\r\n", 200 },
    { "GET / HTTP/1.1\r\n\r\n", 400 },
    { "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505 },
  }) do
    local c, status, _, head = raw(case[1])
    assert(status == case[2], ("%q: got %s, want %d"):format(case[1], tostring(status), case[2]))
    local date = (head .. "\r\n"):match("\r\nDate: ([^\r\n]*)\r\n")
    assert(is_imf_fixdate(date), ("%q: Date %q"):format(case[1], tostring(date)))
    c:close()
  end
  local c, status, data, head = raw("GET /own HTTP/1.1\r\nHost: x\r\n\r\n")
  assert(status == 200 and data == "own", status)
  local _, n = head:gsub("\r\nDate: ", "")
  assert(n == 1 and head:find("\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT", 1, true), head)
  c:close()
  ln:close()
end

-- RFC 9112, 3.2: an HTTP/1.1 request without Host, any request with two,
-- or with a Host that is not host[:port], is a 400 and closes the
-- connection; HTTP/1.0 may leave Host out.
function TestServeHostRules(t)
  local seen = {}
  local ln, raw = raw_server(function(req)
    seen[#seen + 1] = req
    return 200, {}, "host " .. tostring(req.headers.host)
  end)
  for _, case in ipairs({
    { "GET / HTTP/1.1\r\n\r\n", 400 },
    { "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400 },
    { "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", 400 },
    { "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400 },
    { "GET / HTTP/1.1\r\nHost:\r\n\r\n", 400 },
    { "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400 },
    { "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400 },
    { "GET / HTTP/1.1\r\nHost: a@b\r\n\r\n", 400 },
    { "GET / HTTP/1.1\r\nHost: a:b\r\n\r\n", 400 },
    { "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400 },
    { "GET / HTTP/1.1\r\nHost: \27[2J\r\n\r\n", 400 },
  }) do
    local c, status, data = raw(case[1])
    assert(status == case[2], ("%q: got %s, want %d"):format(case[1], tostring(status), case[2]))
    assert(data:find("Host", 1, true) and not data:find("\27", 1, true), data)
    expect_error("eof", c:read())
    c:close()
  end
  assert(#seen == 0, "a refused request reached the handler")
  for _, case in ipairs({
    { "GET / HTTP/1.0\r\n\r\n", "host nil" },
    { "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", "host example.com" },
    { "GET / HTTP/1.1\r\nhOsT:  127.0.0.1:8080 \r\n\r\n", "host 127.0.0.1:8080" },
    { "GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", "host [::1]:80" },
    { "GET / HTTP/1.1\r\nHost: xn--bcher-kva.example:\r\n\r\n", "host xn--bcher-kva.example:" },
  }) do
    local c, status, data = raw(case[1])
    assert(status == 200 and data == case[2], ("%q: got %s %q, want 200 %q"):format(case[1], tostring(status), data, case[2]))
    c:close()
  end
  ln:close()
end

-- RFC 9112, 3.2.2: an absolute-form target is served as its path and
-- query, and its authority is the host (the Host header is ignored);
-- req.target stays as sent. A target with no host, a user name or
-- another scheme is a 400.
function TestServeAbsoluteForm(t)
  local seen
  local ln, raw = raw_server(function(req)
    seen = req
    return 200, {}, req.path .. " " .. tostring(req.query) .. " " .. req.headers.host
  end)
  for _, case in ipairs({
    { "http://127.0.0.1/a.txt", "/a.txt nil 127.0.0.1" },
    { "HTTP://127.0.0.1:99/a.txt?x=1", "/a.txt x=1 127.0.0.1:99" },
    { "https://[::1]:8443/dir/", "/dir/ nil [::1]:8443" },
    { "http://example.com", "/ nil example.com" },
    { "http://example.com?q", "/ q example.com" },
  }) do
    local c, status, data = raw("GET " .. case[1] .. " HTTP/1.1\r\nHost: other\r\n\r\n")
    assert(status == 200 and data == case[2], ("%s: got %s %q, want 200 %q"):format(case[1], tostring(status), data, case[2]))
    assert(seen.target == case[1], seen.target)
    c:close()
  end
  -- HTTP/1.0 needs no Host header, absolute-form or not.
  local c, status, data = raw("GET http://h:1/x HTTP/1.0\r\n\r\n")
  assert(status == 200 and data == "/x nil h:1", data)
  c:close()
  seen = nil
  for _, target in ipairs({ "http:///a.txt", "http://u@h/a.txt", "ftp://h/a.txt", "http://a b/" }) do
    c, status = raw("GET " .. target .. " HTTP/1.1\r\nHost: h\r\n\r\n")
    assert(status == 400, ("%s: got %s, want 400"):format(target, tostring(status)))
    c:close()
  end
  -- HTTP/1.1 still needs its Host header (as nginx has it).
  c, status = raw("GET http://h/a.txt HTTP/1.1\r\n\r\n")
  assert(status == 400, status)
  c:close()
  assert(seen == nil, "a refused request reached the handler")
  ln:close()
end

-- A handler gets the conn too; one that takes it over (req.taken) writes
-- what it likes, and http.serve adds no reply and ends the conn after it.
function TestServeHandlerTakesTheConn(t)
  local ln = assert(http.serve("127.0.0.1:0", function(req, c)
    if req.path ~= "/raw" then return 200, {}, "normal" end
    req.taken = true
    c:write("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-Raw: yes\r\n\r\nraw")
  end))
  local base = "http://" .. tostring(ln:addr())
  local r = assert(http.get(base .. "/raw", { timeout = 10 }))
  assert(r.body == "raw" and r.headers["x-raw"] == "yes", r.body)
  local c = assert(net.dial("tcp", tostring(ln:addr()), { timeout = 10 }))
  c:set_timeout(10)
  assert(c:write("GET /raw HTTP/1.1\r\nHost: x\r\n\r\nGET /again HTTP/1.1\r\nHost: x\r\n\r\n"))
  local all = assert(c:read_all())
  assert(all == "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-Raw: yes\r\n\r\nraw", all)
  assert(assert(http.get(base .. "/x", { timeout = 10 })).body == "normal")
end

-- The helpers websocket shares (http.read_headers, has_token, split_list,
-- new_error) as a protocol of one's own would use them.
function TestHeaderHelpers(t)
  assert(http.has_token("keep-alive, Upgrade", "upgrade") == true)
  assert(http.has_token(" \tUPGRADE\t ", "Upgrade") == true)
  assert(http.has_token("upgraded, x-upgrade", "upgrade") == false)
  assert(http.has_token(nil, "close") == false)
  local items = http.split_list(" chat ,, \t v2.json\t,")
  assert(#items == 2 and items[1] == "chat" and items[2] == "v2.json", table.concat(items, "|"))
  assert(#http.split_list(nil) == 0 and #http.split_list(" , ,") == 0)

  local err = http.new_error("eof", "read", "127.0.0.1:1", "myproto: cut short")
  assert(err.kind == "eof" and err.op == "read" and err.addr == "127.0.0.1:1", err.kind)
  assert(tostring(err) == "myproto: cut short" and "x: " .. err == "x: myproto: cut short")
  local bare = http.new_error("other", nil, nil, "no op")
  assert(bare.op == nil and bare.addr == nil and tostring(bare) == "no op")

  -- read_headers: repeats joined, folding, the list in order; the caps
  -- and a malformed line, with addr in the errors made here.
  local function head(text, addr)
    local a, b = net.pipe()
    local w = task.spawn(function() a:write(text); a:close() end)
    local h, list = http.read_headers(b, addr)
    b:close()
    w:wait(5)
    return h, list
  end
  local h, list = head("Host: x\r\nX-A: 1\r\nx-a:  2 \r\nX-B: one\r\n\ttwo\r\n\r\nbody")
  assert(h.host == "x" and h["x-a"] == "1, 2" and h["x-b"] == "one two", h["x-b"])
  assert(#list == 4 and list[3][1] == "x-a" and list[3][2] == "2" and list[4][2] == "one two", #list)
  local _, e = head(("X: y\r\n"):rep(http.MAX_HEADERS + 1) .. "\r\n", "peer:1")
  assert(e.kind == "too_large" and e.addr == "peer:1" and tostring(e):find("more than", 1, true), tostring(e))
  _, e = head("X: " .. ("a"):rep(http.MAX_LINE) .. "\r\n\r\n")
  assert(e.kind == "too_large" and tostring(e):find("header line longer", 1, true), tostring(e))
  _, e = head("no colon here\r\n\r\n", "peer:2")
  assert(e.kind == "other" and e.addr == "peer:2", tostring(e))
  _, e = head("Host: x\r\n")
  assert(e.kind == "eof", tostring(e))

  local function raises(pattern, f, ...)
    local ok, msg = pcall(f, ...)
    assert(not ok and tostring(msg):find(pattern), tostring(msg))
  end
  raises("bad argument #1 to has_token %(value", http.has_token, 7, "x")
  raises("bad argument #2 to has_token %(token", http.has_token, "x", nil)
  raises("bad argument #1 to split_list %(value", http.split_list, {})
  raises("bad argument #1 to new_error %(kind", http.new_error, nil, "op", nil, "m")
  raises("bad argument #2 to new_error %(op", http.new_error, "other", 1, nil, "m")
  raises("bad argument #3 to new_error %(addr", http.new_error, "other", "op", {}, "m")
  raises("bad argument #4 to new_error %(message", http.new_error, "other", "op", nil, nil)
  raises("bad argument #1 to read_headers %(conn", http.read_headers, "c")
  raises("bad argument #2 to read_headers %(addr", http.read_headers, (net.pipe()), 1)
end
