-- unix_echo.lua: an echo server on a Unix stream socket.
--
--   gonetrepl scripts/unix_echo.lua [PATH] [--quiet]
--
-- Listens on the Unix socket PATH (default /tmp/gonetrepl-echo.sock;
-- "@name" is Linux's abstract namespace, with no file) and sends every byte
-- each client sends straight back, to any number of clients at once. Connects
-- and disconnects are logged to stderr. The socket file is removed when the
-- server stops (Ctrl-C, SIGTERM). A file left by a server that was killed is
-- reported with the command that removes it.
--
-- Try it:  nc -U /tmp/gonetrepl-echo.sock
--     or:  socat - UNIX-CONNECT:/tmp/gonetrepl-echo.sock
local flags = require "flags"
local logf = require "logf"

local cli = flags.new("gonetrepl scripts/unix_echo.lua [PATH] [options]",
  "An echo server on a Unix stream socket (default path /tmp/gonetrepl-echo.sock).")
cli:bool("quiet", false, "do not log connects and disconnects")
cli:args(0, 1, "PATH")
local opts, args = cli:parse(arg)
local path = args[1] or "/tmp/gonetrepl-echo.sock"

-- log writes a line to stderr, every string argument escaped (logf): it
-- may hold what a peer sent, which must not reach the operator's terminal raw.
local log = logf.new(nil, opts.quiet)

local ln, err = net.listen("unix", path)
if not ln then
  io.stderr:write("unix_echo: ", tostring(err), "\n")
  os.exit(1)
end
log("unix_echo: listening on %s", tostring(ln:addr()))

local clients = 0
ln:serve(function(c)
  clients = clients + 1
  local id = clients
  log("unix_echo: client %d connected", id)
  local total = 0
  while true do
    local data, rerr = c:read()
    if not data then
      log("unix_echo: client %d disconnected (%s), %d bytes echoed", id,
        rerr.kind == "eof" and "closed by peer" or tostring(rerr), total)
      return
    end
    local ok, werr = c:write(data)
    if not ok then
      log("unix_echo: client %d write failed: %s", id, tostring(werr))
      return
    end
    total = total + #data
  end
end)
