-- proxy.lua: a TCP relay that shows the traffic, like socat -x.
--
--   gonetrepl scripts/proxy.lua [LISTEN [TARGET]] [--text] [--quiet]
--
-- Listens on LISTEN (default 127.0.0.1:9001) and connects each client to
-- TARGET (default 127.0.0.1:9000, where scripts/echo.lua listens), copying
-- bytes both ways with net.relay; when one side half-closes, so does the
-- other, so request/response protocols that end with EOF work through it.
-- Every byte is shown on stderr as hexdump -C lines (with --text: as
-- escaped text), each block under a line naming the client's conn:
-- "<  ... read N bytes" came from the client, ">  ... wrote N bytes" went
-- back to it. Connects and totals are logged too. Ctrl-C stops it.
--
-- Try it:  gonetrepl scripts/echo.lua &  gonetrepl scripts/proxy.lua
--          then: echo hello | gonetrepl scripts/echo_client.lua 127.0.0.1:9001
local flags = require "flags"
local logf = require "logf"

local cli = flags.new("gonetrepl scripts/proxy.lua [LISTEN [TARGET]] [options]",
  "A TCP relay from LISTEN (default 127.0.0.1:9001) to TARGET (default 127.0.0.1:9000) that dumps the traffic.")
cli:bool("text", false, "show the bytes as escaped text instead of a hexdump")
cli:bool("quiet", false, "relay without showing the bytes")
cli:seconds("timeout", 10, "seconds to wait for the target to accept (0: no limit)")
cli:args(0, 2, "LISTEN and TARGET")
local opts, args = cli:parse(arg)
local listen_addr = args[1] or "127.0.0.1:9001"
local target = args[2] or "127.0.0.1:9000"

-- log writes a line to stderr, every string argument escaped (logf): it
-- may hold what a peer sent, which must not reach the operator's terminal raw.
local log = logf.new()

local ln, err = net.listen("tcp", listen_addr)
if not ln then
  log("proxy: %s", tostring(err))
  os.exit(1)
end
log("proxy: listening on %s, forwarding to %s", tostring(ln:addr()), target)

ln:serve(function(c)
  local peer = tostring(c:remote_addr())
  local up, derr = net.dial("tcp", target, { timeout = opts.timeout })
  if not up then
    log("proxy: %s: cannot reach %s: %s", peer, target, tostring(derr))
    return
  end
  log("proxy: %s connected, relaying to %s", peer, target)
  -- Only the client's side is traced: what it reads came from the client,
  -- what it writes goes back; tracing the other side too would show every
  -- byte twice.
  if not opts.quiet then c:trace(opts.text and "text" or "hex") end
  local up_bytes, down_bytes, n1, n2 = net.relay(c, up)
  if up_bytes then
    log("proxy: %s done: %d bytes to %s, %d bytes back", peer, up_bytes, target, down_bytes)
  else
    log("proxy: %s ended: %s (%d bytes to %s, %d bytes back)", peer, tostring(down_bytes), n1, target, n2)
  end
  up:close()
end)
