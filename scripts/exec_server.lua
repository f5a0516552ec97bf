-- exec_server.lua: ncat --exec in Lua, a program per connection.
--
--   gonetrepl scripts/exec_server.lua ADDR [--pty] [--quiet] -- CMD [ARG...]
--
-- Listens on ADDR and, for each client, runs CMD with its ARGs (proc.spawn)
-- and joins the two with net.relay: what the client sends is the program's
-- stdin, its stdout (and stderr) goes back. The client's EOF closes the
-- program's stdin; the program's exit ends the connection; a client that
-- goes away first has its program killed (SIGTERM, then SIGKILL 2 s later),
-- as is every program when the server stops. --pty runs the program on a
-- pseudo-terminal, so that a shell or python prompts as on a terminal.
-- Connects and exit statuses are logged to stderr. "--" keeps CMD's own
-- options from being read as the script's. Exits 1 if ADDR cannot be
-- listened on, 2 on a usage error; Ctrl-C stops it.
--
-- Try it:  gonetrepl scripts/exec_server.lua 127.0.0.1:9004 -- sh -c 'echo hi; exec cat'
--          then: nc 127.0.0.1 9004
local flags = require "flags"
local logf = require "logf"

local cli = flags.new("gonetrepl scripts/exec_server.lua ADDR [options] -- CMD [ARG...]",
  "Runs CMD for each client that connects to ADDR, its stdin and stdout joined to the connection (ncat --exec).")
cli:bool("pty", false, "run CMD on a pseudo-terminal instead of pipes")
cli:bool("quiet", false, "do not log connects and exits")
cli:args(2, nil, "ADDR and CMD")
local opts, args = cli:parse(arg)
local addr, argv = args[1], { unpack(args, 2) }
local log = logf.new(nil, opts.quiet)

local ln, err = net.listen("tcp", addr)
if not ln then
  log("exec_server: %s", tostring(err))
  os.exit(1)
end
log("exec_server: listening on %s", tostring(ln:addr()))

ln:serve(function(c)
  local peer = tostring(c:remote_addr())
  local p, perr = proc.spawn(argv, { pty = opts.pty })
  if not p then
    log("exec_server: %s: %s", peer, tostring(perr))
    return
  end
  log("exec_server: %s connected, pid %d", peer, p:pid())
  local sent, back, n1, n2 = net.relay(c, p)
  p:close() -- kills the program if it still runs
  local code, sig = p:wait()
  log("exec_server: %s done, %s bytes in, %s out, exit %s", peer, tostring(sent or n1), tostring(back or n2), tostring(code or sig))
end)
