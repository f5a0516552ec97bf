-- tls.dial against a real, independent server: "openssl s_server -rev",
-- started by tls_test.go, which answers each line reversed. Globals:
-- TLS_SERVER and TLS_ALPN_SERVER (the same, offering ALPN h2 and
-- http/1.1), TLS_CA (the PEM of the CA that signed their certificate, for
-- localhost and 127.0.0.1) and TLS_CA_NAME (its common name).
-- s_server serves one client at a time: every test closes its conn.

local expect_error = require("testhelp").expect_error

function TestDialOpenSSL(t)
  local c = assert(tls.dial(TLS_SERVER, { ca = TLS_CA, timeout = 20 }))
  c:set_timeout(20)
  assert(c:write("hello, openssl\n"))
  assert(c:read_line() == "lssnepo ,olleh")
  -- Several lines in one write, read back one by one and mixed with read_full.
  assert(c:write("abc\n12345\nxyz\n"))
  assert(c:read_line() == "cba")
  assert(c:read_full(6) == "54321\n")
  assert(c:read_until("\n") == "zyx")

  local st = assert(c:tls_state())
  t:log(st.version, st.cipher)
  assert(st.version == "TLS 1.3", st.version)
  assert(st.cipher:find("^TLS_"), st.cipher)
  assert(st.verified == true)
  assert(st.alpn == nil)
  assert(st.server_name == "127.0.0.1", tostring(st.server_name))
  assert(#st.peer_certificates == 1, #st.peer_certificates)
  local leaf = st.peer_certificates[1]
  assert(leaf.subject == "CN=localhost", leaf.subject)
  assert(leaf.issuer == "CN=" .. TLS_CA_NAME, leaf.issuer)
  assert(leaf.dns_names[1] == "localhost")
  assert(leaf.ip_addresses[1] == "127.0.0.1")
  assert(leaf.is_ca == false)
  assert(leaf.serial == "02", leaf.serial)
  assert(leaf.not_after > time.now())
  assert(c:close())
end

function TestDialOpenSSLByName(t)
  local port = TLS_SERVER:match(":(%d+)$")
  local c = assert(tls.dial("localhost:" .. port, { ca = TLS_CA, timeout = 20 }))
  assert(c:tls_state().server_name == "localhost")
  assert(c:write("by name\n"))
  assert(c:read_line() == "eman yb")
  c:close()
end

function TestDialOpenSSLALPN(t)
  local c = assert(tls.dial(TLS_ALPN_SERVER, { ca = TLS_CA, alpn = { "h2" }, timeout = 20 }))
  assert(c:tls_state().alpn == "h2", tostring(c:tls_state().alpn))
  assert(c:write("alpn\n"))
  assert(c:read_line() == "npla")
  c:close()
end

function TestDialOpenSSLUnverified(t)
  -- The test CA is not one the system trusts.
  local err = expect_error("tls", tls.dial(TLS_SERVER, { timeout = 20 }))
  assert(tostring(err):find("unknown authority", 1, true), tostring(err))
  -- insecure = true goes on without verifying.
  local c = assert(tls.dial(TLS_SERVER, { insecure = true, timeout = 20 }))
  assert(c:tls_state().verified == false)
  assert(c:write("insecure\n"))
  assert(c:read_line() == "erucesni")
  c:close()
end

function TestDialOpenSSLWrongName(t)
  local err = expect_error("tls", tls.dial(TLS_SERVER, { ca = TLS_CA, server_name = "wrong.example", timeout = 20 }))
  assert(tostring(err):find("wrong.example", 1, true), tostring(err))
  assert(err.op == "handshake")
end

-- STARTTLS against OpenSSL: the plain part is a TCP conn to s_server, which
-- speaks TLS at once, so the "upgrade" is of a conn nothing was read from.
function TestClientUpgradeOpenSSL(t)
  local plain = assert(net.dial("tcp", TLS_SERVER))
  local c = assert(tls.client(plain, { ca = TLS_CA, server_name = "localhost", timeout = 20 }))
  assert(c:write("upgraded\n"))
  assert(c:read_line() == "dedargpu")
  c:close()
end
