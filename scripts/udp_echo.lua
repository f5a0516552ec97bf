-- udp_echo.lua: a UDP echo server.
--
--   gonetrepl scripts/udp_echo.lua [ADDR] [--drop PERCENT] [--quiet]
--
-- Listens on ADDR (default 127.0.0.1:9000) and sends every datagram back to
-- its sender, whole and binary-safe: one socket, one read_from/write_to
-- loop, any number of clients. Each datagram is logged to stderr. With
-- --drop, that share of the datagrams is dropped at random instead, to see
-- how a client copes with loss (udp_ping.lua reports it; exchange resends).
-- Ctrl-C stops the server.
--
-- Try it:  nc -u 127.0.0.1 9000    or    gonetrepl scripts/udp_ping.lua
local flags = require "flags"
local logf = require "logf"

local cli = flags.new("gonetrepl scripts/udp_echo.lua [ADDR] [options]",
  "A UDP echo server (default address 127.0.0.1:9000).")
cli:number("drop", 0, "drop PERCENT of the datagrams at random (0-100)", { min = 0, max = 100 })
cli:bool("quiet", false, "do not log each datagram")
cli:args(0, 1, "ADDR")
local opts, args = cli:parse(arg)
local addr = args[1] or "127.0.0.1:9000"

-- log writes a line to stderr, every string argument escaped (logf): it
-- may hold what a peer sent, which must not reach the operator's terminal raw.
local log = logf.new(nil, opts.quiet)

local pc, err = net.listen_packet("udp", addr)
if not pc then
  io.stderr:write("udp_echo: ", tostring(err), "\n")
  os.exit(1)
end
io.stderr:write("udp_echo: listening on ", tostring(pc:local_addr()), "\n")

while true do
  local data, from = pc:read_from()
  if not data then
    local rerr = from
    if rerr.kind == "closed" or rerr.kind == "canceled" then break end
    log("udp_echo: read failed: %s", tostring(rerr))
  elseif opts.drop > 0 and math.random() * 100 < opts.drop then
    log("udp_echo: %d bytes from %s dropped", #data, tostring(from))
  else
    local ok, werr = pc:write_to(data, from)
    if ok then
      log("udp_echo: %d bytes from %s echoed", #data, tostring(from))
    else
      log("udp_echo: reply to %s failed: %s", tostring(from), tostring(werr))
    end
  end
end
