-- TLS between gonetrepl peers on loopback: listen and dial, verification,
-- STARTTLS upgrades, ALPN, client certificates, timeouts and cancellation.
-- (Against OpenSSL: tls_openssl_test.lua and tls_test.go.)

local expect_error = require("testhelp").expect_error

-- echo_tls serves ln, answering every line with "echo: " and the line.
local function echo_tls(ln)
  return ln:serve(function(c)
    for line in c:lines() do
      assert(c:write("echo: " .. line .. "\n"))
    end
  end)
end

local function round_trip(c, msg)
  assert(c:write(msg .. "\n"))
  local back = assert(c:read_line())
  assert(back == "echo: " .. msg, back)
end

function TestSelfSignedNeedsInsecureOrCA(t)
  local ln = assert(tls.listen("127.0.0.1:0", { self_signed = true }))
  assert(tostring(ln):find("^<tls listener 127%.0%.0%.1:%d+>$"), tostring(ln))
  t:allow_task_errors() -- the handlers of the refused clients fail their handshakes
  echo_tls(ln)
  local addr = tostring(ln:addr())

  -- Verified by default: an unknown self-signed certificate is refused.
  local err = expect_error("tls", tls.dial(addr))
  assert(err.op == "handshake", tostring(err.op))
  assert(err.addr == addr, tostring(err.addr))
  assert(tostring(err):find("certificate", 1, true), tostring(err))

  -- insecure = true skips verification.
  local c = assert(tls.dial(addr, { insecure = true, timeout = 10 }))
  assert(tostring(c):find("^<tls conn 127%.0%.0%.1:%d+ %-> " .. addr:gsub("%.", "%%.") .. ">$"), tostring(c))
  round_trip(c, "hello")
  local st = assert(c:tls_state())
  assert(st.version == "TLS 1.3", st.version)
  assert(st.cipher:find("^TLS_"), st.cipher)
  assert(st.verified == false)
  assert(st.alpn == nil)
  assert(st.server_name == "127.0.0.1", tostring(st.server_name))
  local leaf = st.peer_certificates[1]
  assert(#st.peer_certificates == 1)
  assert(leaf.subject:find("CN=localhost", 1, true), leaf.subject)
  assert(leaf.subject == leaf.issuer, "self-signed: " .. leaf.issuer)
  assert(leaf.dns_names[1] == "localhost")
  assert(leaf.ip_addresses[1] == "127.0.0.1" and leaf.ip_addresses[2] == "::1")
  assert(leaf.not_before < time.now() and leaf.not_after > time.now() + 86400)
  assert(c:close())
  assert(tostring(c):find("(closed)", 1, true))
  ln:close()
end

function TestCertKeyAndCA(t)
  local cert, key = tls.self_signed()
  assert(cert:find("^%-%-%-%-%-BEGIN CERTIFICATE%-%-%-%-%-\n"), cert)
  assert(key:find("^%-%-%-%-%-BEGIN PRIVATE KEY%-%-%-%-%-\n"), key)
  local ln = assert(tls.listen("127.0.0.1:0", { cert = cert, key = key }))
  t:allow_task_errors()
  echo_tls(ln)
  local port = ln:addr().port

  local c = assert(tls.dial("127.0.0.1:" .. port, { ca = cert }))
  round_trip(c, "verified")
  local st = assert(c:tls_state())
  assert(st.verified == true)
  c:close()

  -- By name: localhost is in the certificate.
  c = assert(tls.dial("localhost:" .. port, { ca = cert }))
  assert(c:tls_state().server_name == "localhost")
  round_trip(c, "by name")
  c:close()

  -- A name the certificate is not for.
  local err = expect_error("tls", tls.dial("127.0.0.1:" .. port, { ca = cert, server_name = "wrong.example" }))
  assert(tostring(err):find("wrong.example", 1, true), tostring(err))

  -- Another CA's certificate does not vouch for this one.
  local other = tls.self_signed({ "localhost" })
  expect_error("tls", tls.dial("127.0.0.1:" .. port, { ca = other }))

  -- A certificate for other hosts only.
  local cert2, key2 = tls.self_signed({ "example.test", "192.0.2.1" })
  local ln2 = assert(tls.listen("127.0.0.1:0", { cert = cert2, key = key2 }))
  echo_tls(ln2)
  local err2 = expect_error("tls", tls.dial(tostring(ln2:addr()), { ca = cert2 }))
  assert(tostring(err2):find("127.0.0.1", 1, true), tostring(err2))
  c = assert(tls.dial(tostring(ln2:addr()), { ca = cert2, server_name = "example.test" }))
  round_trip(c, "example")
  c:close()
  ln:close()
  ln2:close()
end

function TestALPN(t)
  local ln = assert(tls.listen("127.0.0.1:0", { self_signed = true, alpn = { "h2", "http/1.1" } }))
  local server_alpn = task.chan(1)
  ln:serve(function(c)
    local st = assert(c:tls_state())
    server_alpn:send(st.alpn or "none")
    c:write("hi\n")
  end)
  local c = assert(tls.dial(tostring(ln:addr()), { insecure = true, alpn = { "http/1.1" } }))
  assert(c:read_line() == "hi")
  assert(c:tls_state().alpn == "http/1.1")
  assert(server_alpn:recv(10) == "http/1.1")
  c:close()
  ln:close()
end

-- The plain part of a STARTTLS conversation, then TLS on the same conns.
function TestStartTLS(t)
  local cert, key = tls.self_signed()
  local ln = assert(net.listen("tcp", "127.0.0.1:0"))
  local server = task.spawn(function()
    local c = assert(ln:accept(10))
    c:set_timeout(10)
    assert(c:read_line() == "STARTTLS")
    assert(c:write("OK\n"))
    local s = assert(tls.server(c, { cert = cert, key = key }))
    assert(tostring(s):find("^<tls conn "), tostring(s))
    local line = assert(s:read_line())
    assert(s:write("secret received: " .. line .. "\n"))
    -- The old conn gave its socket away: closed, and says where it went.
    local data, err = c:read()
    expect_error("closed", data, err, "read on the old server conn")
    assert(tostring(err):find("tls.server", 1, true), tostring(err))
    assert(tostring(c):find("(closed)", 1, true), tostring(c))
    assert(c:close()) -- closing it does nothing to the TLS conn
    assert(s:write("still here\n"))
    s:close()
    return true
  end)
  local c = assert(net.dial("tcp", tostring(ln:addr())))
  c:set_timeout(10)
  assert(c:write("STARTTLS\n"))
  assert(c:read_line() == "OK")
  local s = assert(tls.client(c, { ca = cert }))
  assert(s:write("the password\n"))
  assert(s:read_line() == "secret received: the password")
  assert(s:read_line() == "still here")
  local _, err = s:read()
  expect_error("eof", _, err, "read after the server closed")
  local _, werr = c:write("plain again?")
  expect_error("closed", _, werr, "write on the old client conn")
  assert(tostring(werr):find("tls.client", 1, true), tostring(werr))
  assert(c:tls_state() == nil)
  assert(s:tls_state().verified)
  assert(server:wait(10))
  s:close()
  ln:close()
end

-- The client does not wait for the server's answer: its ClientHello leaves
-- in the same write as the command, so the server's read of the command
-- line buffers (part of) the ClientHello, which tls.server must take over.
-- The client's TLS runs over a pipe; a relay joins the pipe to the TCP conn
-- and puts the command in front of the first flight.
function TestStartTLSPipelined(t)
  local cert, key = tls.self_signed()
  local ln = assert(net.listen("tcp", "127.0.0.1:0"))
  local server = task.spawn(function()
    local c = assert(ln:accept(10))
    c:set_timeout(10)
    assert(c:read_line() == "STARTTLS")
    local early = #c:buffered()
    assert(early > 0, "the ClientHello is not in the read buffer")
    assert(c:write("OK\n"))
    local s = assert(tls.server(c, { cert = cert, key = key }))
    assert(s:write("hello over tls\n"))
    assert(s:read_line() == "bye")
    s:close()
    return early
  end)

  local tcp = assert(net.dial("tcp", tostring(ln:addr())))
  tcp:set_timeout(10)
  local mine, relay_end = net.pipe()
  task.spawn(function() -- up: the first flight behind the command, then a copy
    local first = assert(relay_end:read())
    assert(tcp:write("STARTTLS\n" .. first))
    while true do
      local data = relay_end:read()
      if not data then return end
      if not tcp:write(data) then return end
    end
  end)
  task.spawn(function() -- down: the server's answer, then a copy
    assert(tcp:read_line() == "OK")
    while true do
      local data = tcp:read()
      if not data then relay_end:close() return end
      if not relay_end:write(data) then return end
    end
  end)
  local s = assert(tls.client(mine, { ca = cert, server_name = "localhost", timeout = 10 }))
  assert(s:read_line() == "hello over tls")
  assert(s:write("bye\n"))
  local early = assert(server:wait(10))
  t:log("ClientHello bytes buffered with the command:", early)
  s:close()
  tcp:close()
  ln:close()
end

-- Without server_name or insecure, a conn whose peer has no IP address
-- (a pipe) cannot be verified.
function TestUpgradeNeedsName(t)
  local a, b = net.pipe()
  local err = expect_error("tls", tls.client(a, { timeout = 5 }))
  assert(tostring(err):find("ServerName", 1, true), tostring(err))
  b:close()
  -- The old conn is closed now, and an upgrade of it fails.
  expect_error("closed", tls.client(a, { insecure = true }))
end

function TestClientCertificates(t)
  local ca_cert, ca_key = tls.self_signed({ "localhost", "127.0.0.1" })
  local client_cert, client_key = tls.self_signed({ "client.test" })
  local ln = assert(tls.listen("127.0.0.1:0", { cert = ca_cert, key = ca_key, ca = client_cert }))
  local results = task.chan(2)
  ln:serve(function(c)
    local st, err = c:tls_state()
    results:send(st and st.peer_certificates[1].dns_names[1] or err.kind)
  end)
  local addr = tostring(ln:addr())
  -- Without a certificate: the server refuses (the client may see that
  -- only on its first read, TLS 1.3 being what it is).
  local c, err = tls.dial(addr, { ca = ca_cert })
  if c then c, err = c:read() end
  expect_error("tls", c, err, "dial without a client certificate")
  assert(results:recv(10) == "tls")
  c = assert(tls.dial(addr, { ca = ca_cert, cert = client_cert, key = client_key }))
  assert(results:recv(10) == "client.test")
  c:close()
  ln:close()
end

-- client_auth = "request": a client may come without a certificate; one
-- it sends is verified with client_ca if given (verified = true), else
-- taken as it is (verified = false), and shown in tls_state either way.
function TestClientCertificateRequested(t)
  local ca_cert, ca_key = tls.self_signed({ "localhost", "127.0.0.1" })
  local client_cert, client_key = tls.self_signed({ "client.test" })
  local stranger_cert, stranger_key = tls.self_signed({ "stranger.test" })
  local states = task.chan(4)
  local function serve(ln)
    ln:serve(function(c)
      local st, err = c:tls_state()
      states:send(st or err)
      c:write("hello\n")
    end)
  end
  local verifying = assert(tls.listen("127.0.0.1:0", { cert = ca_cert, key = ca_key, client_ca = client_cert, client_auth = "request" }))
  local taking = assert(tls.listen("127.0.0.1:0", { cert = ca_cert, key = ca_key, client_auth = "request" }))
  serve(verifying)
  serve(taking)
  local function visit(ln, opts)
    opts.ca, opts.timeout = ca_cert, 10
    local c = assert(tls.dial(tostring(ln:addr()), opts))
    c:set_timeout(10)
    assert(c:read_line() == "hello")
    c:close()
    return assert(states:recv(10))
  end
  local st = visit(verifying, {})
  assert(#st.peer_certificates == 0 and st.verified == false)
  st = visit(verifying, { cert = client_cert, key = client_key })
  assert(st.verified == true and st.peer_certificates[1].dns_names[1] == "client.test")
  st = visit(taking, { cert = stranger_cert, key = stranger_key })
  assert(st.verified == false and st.peer_certificates[1].dns_names[1] == "stranger.test")
  -- A certificate that no CA the server names signed is not sent
  -- (crypto/tls's client): the verifying server sees none.
  st = visit(verifying, { cert = stranger_cert, key = stranger_key })
  assert(#st.peer_certificates == 0 and st.verified == false)
  verifying:close()
  taking:close()
end

-- keylog appends the session secrets in the NSS key log format, one line
-- per secret, on both sides; a second session adds its lines after the
-- first one's.
function TestKeyLog(t)
  local dir = assert(os.tmpname())
  os.remove(dir)
  local path = dir .. ".keylog"
  local ln = assert(tls.listen("127.0.0.1:0", { self_signed = true, keylog = path .. ".server" }))
  echo_tls(ln)
  local function session()
    local c = assert(tls.dial(tostring(ln:addr()), { insecure = true, keylog = path, timeout = 10 }))
    c:set_timeout(10)
    round_trip(c, "secret")
    c:close()
  end
  local function lines(p)
    local out = {}
    for line in io.lines(p) do out[#out + 1] = line end
    return out
  end
  session()
  local first = lines(path)
  -- TLS 1.3: four secrets, each "LABEL <client random, 64 hex> <secret, hex>".
  assert(#first == 4, #first)
  local labels = {}
  for _, line in ipairs(first) do
    local label, random, secret = line:match("^([A-Z_0-9]+) (%x+) (%x+)$")
    assert(label and #random == 64 and (#secret == 64 or #secret == 96), line)
    labels[label] = random
  end
  for _, l in ipairs({ "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0" }) do
    assert(labels[l], "no " .. l)
  end
  session()
  local both = lines(path)
  assert(#both == 8, #both)
  for i = 1, 4 do assert(both[i] == first[i]) end
  assert(both[5]:match(" (%x+) ") ~= first[1]:match(" (%x+) "), "the second session logged the first one's random")
  -- The server logged the same secrets.
  local server = lines(path .. ".server")
  assert(#server == 8, #server)
  local set = {}
  for _, line in ipairs(both) do set[line] = true end
  for _, line in ipairs(server) do assert(set[line], "the server logged " .. line) end
  ln:close()
  os.remove(path)
  os.remove(path .. ".server")
end

function TestPlainClientOnTLSListener(t)
  local ln = assert(tls.listen("127.0.0.1:0", { self_signed = true }))
  local kinds = task.chan(1)
  ln:serve(function(c)
    local data, err = c:read()
    kinds:send(err and err.kind or "data")
  end)
  local c = assert(net.dial("tcp", tostring(ln:addr())))
  assert(c:write("GET / HTTP/1.0\r\n\r\n"))
  assert(kinds:recv(10) == "tls")
  c:close()
  ln:close()
end

-- A client that connects and says nothing: the handshake runs in the
-- handler's task, bounded by opts.timeout; accept does not wait for it.
function TestHandshakeTimeout(t)
  local ln = assert(tls.listen("127.0.0.1:0", { self_signed = true, timeout = 0.2 }))
  local silent = assert(net.dial("tcp", tostring(ln:addr())))
  local c = assert(ln:accept(10)) -- returns at once, before any handshake
  assert(tostring(c):find("^<tls conn "))
  local t0 = time.now()
  local ok, err = c:handshake()
  expect_error("timeout", ok, err, "handshake with a silent client")
  assert(time.since(t0) < 5)
  c:close()
  silent:close()

  -- tls.dial's timeout covers the handshake too.
  local plain = assert(net.listen("tcp", "127.0.0.1:0"))
  local held = task.chan(1)
  plain:serve(function(pc) held:recv(10) end)
  expect_error("timeout", tls.dial(tostring(plain:addr()), { timeout = 0.2 }))
  held:send(true)
  plain:close()
  ln:close()
end

function TestCanceledHandshake(t)
  local plain = assert(net.listen("tcp", "127.0.0.1:0"))
  local held = task.chan(1)
  plain:serve(function(pc) held:recv(10) end)
  local dialer = task.spawn(function() return tls.dial(tostring(plain:addr()), { insecure = true }) end)
  time.sleep(0.05)
  dialer:cancel()
  local c, err = dialer:wait(5)
  expect_error("canceled", c, err, "canceled dial")
  held:send(true)
  plain:close()
end

function TestNotTLS(t)
  local a, b = net.pipe()
  expect_error("other", a:tls_state())
  expect_error("other", a:handshake())
  a:close()
  b:close()
end

function TestBadOptionsRaise(t)
  local cases = {
    { function() return tls.listen("127.0.0.1:0") end, "opts: cert and key" },
    { function() return tls.listen("127.0.0.1:0", {}) end, "opts: cert and key" },
    { function() return tls.listen("127.0.0.1:0", { cert = "x" }) end, "opts.key" },
    { function() return tls.listen("127.0.0.1:0", { cert = "x", key = "y" }) end, "opts.cert" },
    { function() return tls.dial("127.0.0.1:1", { ca = "not pem" }) end, "opts.ca" },
    { function() return tls.dial("127.0.0.1:1", { insecure = "yes" }) end, "opts.insecure" },
    { function() return tls.dial("127.0.0.1:1", { alpn = { 1 } }) end, "opts.alpn" },
    { function() return tls.dial("127.0.0.1:1", { self_signed = true }) end, "opts.self_signed" },
    { function() return tls.dial("127.0.0.1:1", { timeout = -1 }) end, "opts.timeout" },
    { function() return tls.client("not a conn") end, "conn:" },
    { function() return tls.self_signed({}) end, "hosts" },
    { function() return tls.self_signed(42) end, "hosts" },
    -- TLS in depth.
    { function() return tls.dial("127.0.0.1:1", { pin_sha256 = "not base64!" }) end, "opts.pin_sha256: base64" },
    { function() return tls.dial("127.0.0.1:1", { pin_sha256 = "YWJj" }) end, "opts.pin_sha256: base64 of a 32-byte" },
    { function() return tls.dial("127.0.0.1:1", { pin_sha256 = {} }) end, "opts.pin_sha256: at least one" },
    { function() return tls.dial("127.0.0.1:1", { pin_sha256 = 42 }) end, "opts.pin_sha256" },
    { function() return tls.dial("127.0.0.1:1", { min_version = "1.4" }) end, "opts.min_version: \"1.0\", \"1.1\", \"1.2\" or \"1.3\" expected, got \"1.4\"" },
    { function() return tls.dial("127.0.0.1:1", { min_version = 1.2 }) end, "opts.min_version" },
    { function() return tls.dial("127.0.0.1:1", { sni = true }) end, "opts.sni: string or false" },
    { function() return tls.dial("127.0.0.1:1", { sni = "" }) end, "opts.sni" },
    { function() return tls.dial("127.0.0.1:1", { client_ca = "/nonexistent/ca.pem" }) end, "opts.client_ca" },
    { function() return tls.dial("127.0.0.1:1", { client_auth = "request" }) end, "opts.client_auth: only servers" },
    { function() return tls.dial("127.0.0.1:1", { ca = "/nonexistent/ca.pem" }) end, "opts.ca: PEM text or the path of a PEM file expected: stat /nonexistent/ca.pem" },
    { function() return tls.dial("127.0.0.1:1", { ca = "." }) end, "not a regular file (a directory)" },
    { function() return tls.dial("127.0.0.1:1", { ca = "testdata/tls_test.lua" }) end, "opts.ca: no PEM found in the file" },
    { function() return tls.dial("127.0.0.1:1", { keylog = "." }) end, "opts.keylog" },
    { function() return tls.dial("127.0.0.1:1", { keylog = "/nonexistent/keys.log" }) end, "opts.keylog" },
    { function() return tls.listen("127.0.0.1:0", { self_signed = true, sni = "x" }) end, "opts.sni: only clients" },
    { function() return tls.listen("127.0.0.1:0", { self_signed = true, pin_sha256 = ("A"):rep(43) .. "=" }) end, "opts.pin_sha256: only clients" },
    { function() return tls.listen("127.0.0.1:0", { self_signed = true, client_auth = "always" }) end, "opts.client_auth: \"request\" or \"require\"" },
    { function() return tls.listen("127.0.0.1:0", { self_signed = true, client_auth = "require" }) end, "opts.client_auth: \"require\" needs opts.client_ca" },
    { function() local c = tls.self_signed() return tls.listen("127.0.0.1:0", { self_signed = true, ca = c, client_ca = c }) end, "opts.ca: cannot go with opts.client_ca" },
    { function() return tls.listen("127.0.0.1:0", { cert = "/nonexistent/cert.pem", key = "/nonexistent/key.pem" }) end, "opts.cert" },
  }
  for i, case in ipairs(cases) do
    local ok, err = pcall(case[1])
    assert(not ok, "case " .. i .. " did not raise")
    assert(tostring(err):find(case[2], 1, true), "case " .. i .. ": " .. tostring(err))
  end
end

-- The socket options of a TLS conn reach the TCP conn under it.
function TestSocketOptionsOnTLSConn(t)
  local ln = assert(tls.listen("127.0.0.1:0", { self_signed = true }))
  echo_tls(ln)
  local c = assert(tls.dial(tostring(ln:addr()), { insecure = true, timeout = 10 }))
  assert(c:set_nodelay(false))
  assert(c:set_keepalive(15))
  assert(c:set_read_buffer(64 * 1024))
  assert(c:set_write_buffer(64 * 1024))
  round_trip(c, "options set")
  assert(c:set_linger(0))
  c:close()
  ln:close()
end

-- close_write on a TLS conn sends an alert, which waits behind a write
-- blocked in another task: it must wait without holding up every task.
function TestTLSCloseWriteWaitsAlone(t)
  local ln = assert(tls.listen("127.0.0.1:0", { self_signed = true }))
  local release = task.chan(1)
  ln:serve(function(c)
    assert(c:handshake())
    release:recv(30) -- reads nothing more: the client's write fills the buffers
  end)
  local c = assert(tls.dial(tostring(ln:addr()), { insecure = true, timeout = 10 }))
  local big = string.rep("x", 64 * 1024 * 1024) -- before: building it takes a while
  local writer = task.spawn(function() return c:write(big) end)
  time.sleep(0.3) -- the write blocks
  local closer = task.spawn(function() return c:close_write() end)
  local ticks = 0
  for _ = 1, 5 do
    time.sleep(0.02) -- would never return if close_write held the lock
    ticks = ticks + 1
  end
  assert(ticks == 5)
  assert(closer:status() == "running", closer:status())
  closer:cancel()
  writer:cancel()
  assert(closer:wait(10) == nil and writer:wait(10) == nil)
  release:send(true)
  c:close()
  ln:close()
end

-- After close_write on a TLS conn (a close_notify alert), a write is
-- refused as closed, like TCP's, not crypto/tls's "protocol is shutdown"
-- as kind other; the peer's reply still arrives.
function TestTLSWriteAfterCloseWriteIsClosed(t)
  local ln = assert(tls.listen("127.0.0.1:0", { self_signed = true }))
  ln:serve(function(c)
    local request = assert(c:read_all())
    assert(c:write("got " .. request))
  end)
  local c = assert(tls.dial(tostring(ln:addr()), { insecure = true, timeout = 10 }))
  assert(c:write("hello"))
  assert(c:close_write())
  expect_error("closed", c:write("more"))
  expect_error("closed", c:write_frame("more"))
  assert(c:read_all() == "got hello")
  c:close()
  ln:close()
end

-- A verification failure carries the chain the server sent, unverified
-- (err.peer_certificates); every other error has none.
function TestVerifyFailureCarriesChain(t)
  local cert, key = tls.self_signed({ "example.test", "192.0.2.1" })
  local ln = assert(tls.listen("127.0.0.1:0", { cert = cert, key = key }))
  t:allow_task_errors()
  echo_tls(ln)
  local addr = tostring(ln:addr())

  -- Unknown authority.
  local err = expect_error("tls", tls.dial(addr, { timeout = 10 }))
  local chain = err.peer_certificates
  assert(type(chain) == "table" and #chain == 1, "an unknown CA: the chain is on the error: " .. tostring(chain))
  assert(chain[1].subject:find("CN=example.test", 1, true), chain[1].subject)
  assert(chain[1].dns_names[1] == "example.test" and chain[1].ip_addresses[1] == "192.0.2.1")
  -- Trusted, but for another name.
  err = expect_error("tls", tls.dial(addr, { ca = cert, timeout = 10 }))
  assert(err.peer_certificates and err.peer_certificates[1].dns_names[1] == "example.test",
    "a name mismatch: the chain is on the error")
  -- Verified: no error; not TLS or refused: no chain.
  local c = assert(tls.dial(addr, { ca = cert, server_name = "example.test", timeout = 10 }))
  c:close()
  ln:close()
  err = expect_error("refused", tls.dial(addr, { timeout = 10 }))
  assert(err.peer_certificates == nil)
end
