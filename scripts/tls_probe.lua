-- tls_probe.lua: what a TLS server presents.
--
--   gonetrepl scripts/tls_probe.lua HOST:PORT [--insecure] [--server-name NAME] [--ca FILE]
--                                             [--alpn LIST] [--timeout SECONDS]
--
-- Connects to HOST:PORT, runs a TLS handshake and prints the version, the
-- cipher suite, the application protocol (ALPN) agreed on, and the
-- certificate chain the server sent, its own certificate first:
--
--   version:  TLS 1.3
--   cipher:   TLS_AES_128_GCM_SHA256
--   alpn:     h2
--   verified: yes, for localhost
--   certificate 0
--     subject:  CN=localhost
--     issuer:   CN=Example CA
--     valid:    2025-01-01 00:00:00 UTC to 2026-01-01 00:00:00 UTC
--     dns:      localhost, www.example.test
--     ip:       127.0.0.1
--
-- The certificate is verified, for NAME (default: HOST) against the
-- system's CAs, or those in FILE with --ca; --insecure shows it without
-- verifying. A failed handshake prints the error on stderr and exits 1.
-- When it failed verification (an unknown CA, another name, expired), the
-- chain the server sent is still printed, from the error
-- (err.peer_certificates), each certificate marked unverified:
--
--   verified: NO (the chain below failed verification)
--   certificate 0 (unverified)
--     subject:  CN=localhost
--     ...
--
-- Everything the server sent is shown escaped (bin.escape).
local flags = require "flags"
local logf = require "logf"

local cli = flags.new("gonetrepl scripts/tls_probe.lua HOST:PORT [options]",
  "Runs a TLS handshake with HOST:PORT and prints the version, cipher, ALPN and certificate chain.")
cli:bool("insecure", false, "do not verify the certificate")
cli:string("server-name", nil, "the name to ask for (SNI) and verify (default: HOST)")
cli:string("ca", nil, "trust the CA certificates in this PEM FILE instead of the system's")
cli:string("alpn", nil, "offer these application protocols, comma-separated (h2,http/1.1)")
cli:seconds("timeout", 10, "give up after SECONDS (0: no limit)")
cli:args(1, 1, "HOST:PORT")
local opts, args = cli:parse(arg)
local address = args[1]

-- fail writes msg to stderr, escaped (a handshake error can quote the
-- server's certificate), and exits 1.
local log = logf.new("tls_probe: ")
local function fail(msg)
  log("%s", msg)
  os.exit(1)
end

-- show escapes what the server sent (certificate fields are its bytes:
-- a subject can hold ESC) before it reaches the terminal.
local function show(s) return bin.escape(s) end

local dial_opts = { insecure = opts.insecure, server_name = opts["server-name"], timeout = opts.timeout }
if opts.ca then
  local f, err = io.open(opts.ca)
  if not f then fail(tostring(err)) end
  dial_opts.ca = f:read("*a")
  f:close()
  if not dial_opts.ca:find("-----BEGIN CERTIFICATE-----", 1, true) then
    fail(opts.ca .. ": no PEM certificate in it")
  end
end
if opts.alpn then
  dial_opts.alpn = {}
  for proto in opts.alpn:gmatch("[^,]+") do dial_opts.alpn[#dial_opts.alpn + 1] = proto end
end

local function date(t) return os.date("!%Y-%m-%d %H:%M:%S UTC", t) end

-- print_chain prints certs, the server's own first; mark follows each
-- "certificate N" heading.
local function print_chain(certs, mark)
  for i, cert in ipairs(certs) do
    print(("certificate %d%s"):format(i - 1, mark))
    print("  subject:  " .. show(cert.subject))
    print("  issuer:   " .. show(cert.issuer))
    print("  valid:    " .. date(cert.not_before) .. " to " .. date(cert.not_after))
    if #cert.dns_names > 0 then print("  dns:      " .. show(table.concat(cert.dns_names, ", "))) end
    if #cert.ip_addresses > 0 then print("  ip:       " .. show(table.concat(cert.ip_addresses, ", "))) end
    if cert.is_ca then print("  ca:       yes") end
  end
end

local c, err = tls.dial(address, dial_opts)
if not c then
  -- A verification failure still shows what was refused.
  if err.peer_certificates then
    print("verified: NO (the chain below failed verification)")
    print_chain(err.peer_certificates, " (unverified)")
    io.stdout:flush()
  end
  fail(tostring(err))
end
local st, serr = c:tls_state()
if not st then fail(tostring(serr)) end
c:close()

print("version:  " .. st.version)
print("cipher:   " .. st.cipher)
print("alpn:     " .. (st.alpn and show(st.alpn) or "none"))
if st.verified then
  print("verified: yes, for " .. (st.server_name or "?"))
else
  print("verified: no (--insecure)")
end
print_chain(st.peer_certificates, st.verified and "" or " (unverified)")
