-- socks_proxy.lua: a SOCKS5 proxy server, with optional user/password.
--
--   gonetrepl scripts/socks_proxy.lua [ADDR] [--user U --pass P] [--loopback-only] [--quiet]
--
-- Listens on ADDR (default 127.0.0.1:1080) and serves SOCKS5 clients with
-- the stdlib socks module: CONNECT to an IPv4 or IPv6 address or to a
-- name, which it looks up itself (so curl --socks5-hostname and socks5h://
-- work); with --user and --pass, only a client that gives them (RFC 1929).
-- A target it cannot reach gets the proper reply code (refused, host or
-- network unreachable), and with --loopback-only every target outside
-- loopback gets "not allowed". The bytes go both ways with net.relay. Each
-- client is logged with its target and byte counts. Ctrl-C stops it.
--
-- Try it:  gonetrepl scripts/socks_proxy.lua --user me --pass secret &
--          curl --socks5-hostname me:secret@127.0.0.1:1080 http://127.0.0.1:8000/
--          or at the prompt: net.dial("tcp", "127.0.0.1:9000", {via = "socks5h://me:secret@127.0.0.1:1080"})
local flags = require "flags"
local logf = require "logf"
local socks = require "socks"

local cli = flags.new("gonetrepl scripts/socks_proxy.lua [ADDR] [options]",
  "A SOCKS5 proxy server on ADDR (default 127.0.0.1:1080).")
cli:string("user", nil, "the user name clients must give (with --pass)")
cli:string("pass", nil, "the password clients must give (with --user)")
cli:bool("loopback-only", false, "refuse targets outside loopback (reply: not allowed)")
cli:bool("quiet", false, "do not log clients")
cli:args(0, 1, "ADDR")
local opts, args = cli:parse(arg)
local addr = args[1] or "127.0.0.1:1080"
-- usage_error ends the script with status 2, as flags does for a bad option.
local function usage_error(msg)
  io.stderr:write(msg, "\n", cli:help_text(), "\n")
  os.exit(2)
end
if (opts.user == nil) ~= (opts.pass == nil) then usage_error("--user and --pass go together") end
for _, k in ipairs({ "user", "pass" }) do
  if opts[k] and (#opts[k] == 0 or #opts[k] > 255) then usage_error("--" .. k .. " takes 1 to 255 bytes") end
end

-- log writes a line to stderr, every string argument escaped (logf): it
-- may hold what a peer sent, which must not reach the operator's terminal raw.
local log = logf.new(nil, opts.quiet)

-- loopback says whether host (an address, or a name looked up here) is on
-- loopback, every address of it.
local function loopback(host)
  local ip = net.parse_ip(host)
  if ip then return ip:is_loopback() end
  local addrs = net.lookup_host(host, { timeout = socks.DIAL_TIMEOUT })
  if not addrs or #addrs == 0 then return false end
  for _, a in ipairs(addrs) do
    local parsed = net.parse_ip(a)
    if not (parsed and parsed:is_loopback()) then return false end
  end
  return true
end

local serve_opts = { user = opts.user, pass = opts.pass }
if opts["loopback-only"] then serve_opts.allow = function(host) return loopback(host) end end

local ln, err = net.listen("tcp", addr)
if not ln then
  log("socks_proxy: %s", tostring(err))
  os.exit(1)
end
log("socks_proxy: listening on %s%s", tostring(ln:addr()), opts.user and " (user/password required)" or "")

ln:serve(function(c)
  local peer = tostring(c:remote_addr())
  local up, down = socks.serve_client(c, serve_opts)
  if up then
    log("socks_proxy: %s done: %d bytes up, %d bytes down", peer, up, down)
  else
    log("socks_proxy: %s: %s", peer, tostring(down))
  end
end)
