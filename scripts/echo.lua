-- echo.lua: a concurrent TCP echo server.
--
--   gonetrepl scripts/echo.lua [ADDR] [--idle SECONDS] [--quiet]
--
-- Listens on ADDR (default 127.0.0.1:9000) and sends every byte each client
-- sends straight back, binary-safe, to any number of clients at once: one
-- task per connection, each a plain read/write loop. Connects and
-- disconnects are logged to stderr. With --idle, a client that sends
-- nothing for SECONDS is disconnected. Ctrl-C stops the server.
--
-- Try it:  nc 127.0.0.1 9000
local flags = require "flags"
local logf = require "logf"

local cli = flags.new("gonetrepl scripts/echo.lua [ADDR] [options]",
  "A concurrent TCP echo server (default address 127.0.0.1:9000).")
cli:seconds("idle", 0, "disconnect a client after SECONDS without data (0: never)")
cli:bool("quiet", false, "do not log connects and disconnects")
cli:args(0, 1, "ADDR")
local opts, args = cli:parse(arg)
local addr = args[1] or "127.0.0.1:9000"

-- log writes a line to stderr, every string argument escaped (logf): it
-- may hold what a peer sent, which must not reach the operator's terminal raw.
local log = logf.new(nil, opts.quiet)

local ln, err = net.listen("tcp", addr)
if not ln then
  io.stderr:write("echo: ", tostring(err), "\n")
  os.exit(1)
end
log("echo: listening on %s", tostring(ln:addr()))

ln:serve(function(c)
  local peer = tostring(c:remote_addr())
  log("echo: %s connected", peer)
  if opts.idle > 0 then c:set_timeout(opts.idle) end
  local total = 0
  while true do
    local data, rerr = c:read()
    if not data then
      local why = rerr.kind == "eof" and "closed by peer" or tostring(rerr)
      if rerr.kind == "timeout" then why = ("idle for %gs"):format(opts.idle) end
      log("echo: %s disconnected (%s), %d bytes echoed", peer, why, total)
      return
    end
    local ok, werr = c:write(data)
    if not ok then
      log("echo: %s write failed: %s", peer, tostring(werr))
      return
    end
    total = total + #data
  end
end)
