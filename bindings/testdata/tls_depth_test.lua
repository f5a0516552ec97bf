-- TLS in depth against real, independent servers: "openssl s_server -rev"
-- (lines come back reversed), started by tls_depth_test.go, each with a
-- certificate for localhost and 127.0.0.1 that a test CA signed:
--   TLS_SERVER         plain
--   TLS_VERIFY_SERVER  -Verify 1: requires a client certificate the CA signed
--   TLS_SNI_SERVER     -servername other.test -cert2 (a certificate for
--                      other.test) -servername_fatal: the client's SNI picks
--                      the certificate, and any other name sent is refused
--   TLS_12_SERVER      -tls1_2
--   TLS_ALPN_SERVER    -alpn http/1.1
-- CA and CA_FILE (PEM text, file), CLIENT_CERT/KEY and CLIENT_CERT/KEY_FILE
-- (client.test, signed by the CA), and the pins openssl computes: PIN (the
-- servers' leaf), CA_PIN, OTHER_PIN (other.test's); TMP, a directory.
-- s_server serves one client at a time: every test closes its conns.

local expect_error = require("testhelp").expect_error

-- rev checks that the conn reaches an s_server -rev, and closes it.
local function rev(c, msg)
  c:set_timeout(20)
  assert(c:write(msg .. "\n"))
  local back = assert(c:read_line())
  assert(back == msg:reverse(), back)
  assert(c:close())
end

function TestALPNServerChooses(t)
  local c = assert(tls.dial(TLS_ALPN_SERVER, { ca = CA, alpn = { "h2", "http/1.1" }, timeout = 20 }))
  assert(c:tls_state().alpn == "http/1.1", tostring(c:tls_state().alpn))
  rev(c, "alpn")
end

-- -Verify 1: no certificate, a certificate the CA did not sign: refused
-- (TLS 1.3: the client learns it on its first read); the client
-- certificate as files or as PEM text: served.
function TestClientCertificateRequired(t)
  local c, err = tls.dial(TLS_VERIFY_SERVER, { ca = CA_FILE, timeout = 20 })
  if c then
    c:set_timeout(20)
    c:write("no certificate\n")
    c, err = c:read_line()
  end
  err = expect_error("tls", c, err, "without a client certificate")
  assert(tostring(err):find("certificate required", 1, true), tostring(err))

  local self_cert, self_key = tls.self_signed({ "client.test" })
  c, err = tls.dial(TLS_VERIFY_SERVER, { ca = CA, cert = self_cert, key = self_key, timeout = 20 })
  if c then
    c:set_timeout(20)
    c:write("self-signed\n")
    c, err = c:read_line()
  end
  expect_error("tls", c, err, "with a certificate the CA did not sign")

  rev(assert(tls.dial(TLS_VERIFY_SERVER, { ca = CA_FILE, cert = CLIENT_CERT_FILE, key = CLIENT_KEY_FILE, timeout = 20 })),
    "client certificate from files")
  rev(assert(tls.dial(TLS_VERIFY_SERVER, { ca = CA, cert = CLIENT_CERT, key = CLIENT_KEY, timeout = 20 })),
    "client certificate from PEM text")
end

-- The server answers the name sent (SNI) with other.test's certificate,
-- and refuses any other name; sni = false sends none (the default
-- certificate, for localhost, comes back), while server_name still says
-- what the certificate must be for.
function TestSNI(t)
  local c = assert(tls.dial(TLS_SNI_SERVER, { ca = CA, sni = "other.test", timeout = 20 }))
  local st = c:tls_state()
  assert(st.peer_certificates[1].subject == "CN=other.test", st.peer_certificates[1].subject)
  assert(st.server_name == "other.test" and st.verified)
  assert(st.peer_certificates[1].spki_sha256 == OTHER_PIN)
  rev(c, "sni other.test")

  -- server_name alone is sent too.
  c = assert(tls.dial(TLS_SNI_SERVER, { ca = CA, server_name = "other.test", timeout = 20 }))
  assert(c:tls_state().peer_certificates[1].subject == "CN=other.test")
  rev(c, "server_name other.test")

  -- Another name: -servername_fatal refuses it.
  local err = expect_error("tls", tls.dial(TLS_SNI_SERVER, { ca = CA, sni = "localhost", timeout = 20 }))
  assert(tostring(err):find("unrecognized name", 1, true), tostring(err))
  expect_error("tls", tls.dial(TLS_SNI_SERVER, { ca = CA, server_name = "localhost", timeout = 20 }))

  -- None: served (had "localhost" been sent, refused), and the certificate
  -- is verified for server_name all the same.
  local port = TLS_SNI_SERVER:match(":(%d+)$")
  c = assert(tls.dial("localhost:" .. port, { ca = CA, sni = false, timeout = 20 }))
  st = c:tls_state()
  assert(st.peer_certificates[1].subject == "CN=localhost", st.peer_certificates[1].subject)
  assert(st.verified == true and st.server_name == "localhost", tostring(st.server_name))
  rev(c, "no sni")
  -- ... so a certificate for another name is refused, and shown.
  err = expect_error("tls", tls.dial(TLS_SNI_SERVER, { ca = CA, sni = false, server_name = "other.test", timeout = 20 }))
  assert(tostring(err):find("other.test", 1, true), tostring(err))
  assert(err.peer_certificates[1].subject == "CN=localhost")
  -- Sent one name, checked for another: other.test's certificate is not
  -- for localhost.
  err = expect_error("tls", tls.dial(TLS_SNI_SERVER, { ca = CA, sni = "other.test", server_name = "localhost", timeout = 20 }))
  assert(err.peer_certificates[1].subject == "CN=other.test")
  -- Unverified, with a name sent.
  c = assert(tls.dial(TLS_SNI_SERVER, { insecure = true, sni = "other.test", timeout = 20 }))
  assert(c:tls_state().verified == false and c:tls_state().peer_certificates[1].subject == "CN=other.test")
  rev(c, "insecure sni")
  -- STARTTLS sends it too.
  local raw = assert(net.dial("tcp", TLS_SNI_SERVER))
  c = assert(tls.client(raw, { ca = CA, sni = "other.test", timeout = 20 }))
  assert(c:tls_state().peer_certificates[1].subject == "CN=other.test")
  rev(c, "upgrade sni")
end

-- The pin openssl computes from the certificate matches; another does not,
-- with insecure = true too; the CA's key does not pin its leaf (curl pins
-- the leaf only).
function TestPins(t)
  local c = assert(tls.dial(TLS_SERVER, { ca = CA, pin_sha256 = PIN, timeout = 20 }))
  assert(c:tls_state().peer_certificates[1].spki_sha256 == PIN)
  assert(c:tls_state().verified == true)
  rev(c, "pinned")
  c = assert(tls.dial(TLS_SERVER, { insecure = true, pin_sha256 = PIN, timeout = 20 }))
  assert(c:tls_state().verified == false)
  rev(c, "pinned, insecure")
  c = assert(tls.dial(TLS_SERVER, { ca = CA, pin_sha256 = { OTHER_PIN, "sha256//" .. PIN }, timeout = 20 }))
  rev(c, "one of two pins")

  for _, opts in ipairs({
    { ca = CA, pin_sha256 = OTHER_PIN },
    { insecure = true, pin_sha256 = OTHER_PIN },
    { insecure = true, pin_sha256 = { OTHER_PIN, CA_PIN } },
    { ca = CA, pin_sha256 = CA_PIN },
  }) do
    opts.timeout = 20
    local err = expect_error("tls", tls.dial(TLS_SERVER, opts))
    assert(err.op == "handshake", tostring(err.op))
    assert(tostring(err):find("pin mismatch", 1, true), tostring(err))
    -- The message gives the pin seen, as openssl computes it.
    assert(tostring(err):find(PIN, 1, true), tostring(err))
    assert(err.peer_certificates[1].spki_sha256 == PIN)
  end

  -- STARTTLS and http pin too.
  local raw = assert(net.dial("tcp", TLS_SERVER))
  expect_error("tls", tls.client(raw, { insecure = true, pin_sha256 = OTHER_PIN, timeout = 20 }))
  local err = expect_error("tls", require("http").get("https://" .. TLS_SERVER .. "/", { ca = CA, pin_sha256 = OTHER_PIN, timeout = 20 }))
  assert(tostring(err):find(PIN, 1, true), tostring(err))
end

-- An s_server that speaks TLS 1.2 at most: min_version = "1.3" refuses it.
function TestMinVersion(t)
  local err = expect_error("tls", tls.dial(TLS_12_SERVER, { ca = CA, min_version = "1.3", timeout = 20 }))
  assert(tostring(err):find("version", 1, true), tostring(err))
  local c = assert(tls.dial(TLS_12_SERVER, { ca = CA, min_version = "1.2", timeout = 20 }))
  assert(c:tls_state().version == "TLS 1.2", c:tls_state().version)
  rev(c, "tls 1.2")
  c = assert(tls.dial(TLS_SERVER, { ca = CA, min_version = "1.3", timeout = 20 }))
  assert(c:tls_state().version == "TLS 1.3")
  rev(c, "tls 1.3")
end
