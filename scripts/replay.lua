-- replay.lua: play back one side of a recorded session and diff the other.
--
--   gonetrepl scripts/replay.lua FILE --serve ADDR [--clients N] [options]
--   gonetrepl scripts/replay.lua FILE --to ADDR [--ignore PATTERN]... [options]
--
-- FILE is a transcript (gonetrepl --record, net.record; docs/TRANSCRIPT.md).
-- Its session --session N (the id on its lines; default the first TCP or
-- Unix stream session) is played with the replay module:
--
--   --serve ADDR  a mock server: listens on ADDR and plays the recorded
--                 server to each client, waiting for the client's bytes
--                 before each reply and comparing them; --clients N
--                 stops after N clients (default 0: serve until Ctrl-C).
--   --to ADDR     a client: dials ADDR, plays the recorded client and
--                 compares the server's answers with the recorded ones.
--
-- --ignore PATTERN (a Lua pattern, as often as needed) masks its matches
-- on both sides before comparing: dates, ids, anything that always
-- changes. The first divergence is printed on stdout as a byte diff:
-- who differs, the offset, then the expected and got bytes, escaped as
-- the transcript does. Exit status: 0 no divergence, 1 a divergence (or
-- a conn or file that failed), 2 usage.
--
-- Try it:  gonetrepl --record redis.transcript scripts/redis.lua 127.0.0.1:6379 PING
--          gonetrepl scripts/replay.lua redis.transcript --serve 127.0.0.1:6390 &
--          redis-cli -p 6390 PING
local flags = require "flags"
local logf = require "logf"
local replay = require "replay"

local cli = flags.new("gonetrepl scripts/replay.lua FILE (--serve ADDR | --to ADDR) [options]",
  "Plays the server side of a recorded session to clients (--serve) or its client side to a server (--to), and shows the first divergence as a byte diff.")
cli:string("serve", nil, "listen on ADDR and play the recorded server to each client")
cli:string("to", nil, "dial ADDR and play the recorded client to it")
cli:number("session", 0, "play session N of FILE, the id on its lines (0: the first stream session)", { min = 0, whole = true })
cli:list("ignore", "mask the matches of the Lua PATTERN on both sides (dates, ids)")
cli:number("clients", 0, "--serve: stop after N clients (0: never)", { min = 0, whole = true })
cli:seconds("timeout", replay.TIMEOUT, "wait at most SECONDS for the peer's next bytes", { above = 0 })
cli:args(1, 1, "FILE")

local opts, args = cli:parse(arg)
local ignore = opts.ignore

local function usage(msg)
  io.stderr:write(msg, "\n", cli:help_text(), "\n")
  os.exit(2)
end
if (opts.serve == nil) == (opts.to == nil) then usage("give one of --serve ADDR and --to ADDR") end
for _, p in ipairs(ignore) do
  local ok, err = pcall(string.find, "x", p)
  if p == "" or not ok then usage(("--ignore: bad pattern \"%s\": %s"):format(bin.escape(p, 40), tostring(err))) end
end

local log = logf.new()

local sessions, err = replay.load(args[1])
if not sessions then
  log("replay: %s", tostring(err))
  os.exit(1)
end
local session
for _, s in ipairs(sessions) do
  if opts.session == 0 or s.id == opts.session then
    session = s
    break
  end
end
if not session then
  log("replay: %s has no stream session%s", args[1], opts.session == 0 and "" or (" " .. opts.session))
  os.exit(1)
end
local play_opts = { ignore = ignore, timeout = opts.timeout }

-- report prints the outcome of one play and returns whether it matched.
local function report(who, ok, d)
  if ok then
    print(("%s: no divergence (session %s, %d chunks)"):format(who, tostring(session.id), #session.chunks))
    return true
  elseif ok == false then
    print(("%s: divergence"):format(who))
    print(replay.format(d))
  else
    print(("%s: %s"):format(who, tostring(d)))
  end
  return false
end

if opts.to then
  local c, derr = net.dial("tcp", opts.to, { timeout = opts.timeout })
  if not c then
    log("replay: %s", tostring(derr))
    os.exit(1)
  end
  local matched = report(opts.to, replay.client_session(c, session, play_opts))
  c:close()
  os.exit(matched and 0 or 1)
end

local ln, lerr = net.listen("tcp", opts.serve)
if not ln then
  log("replay: %s", tostring(lerr))
  os.exit(1)
end
log("replay: listening on %s (session %s of %s, recorded from %s)", tostring(ln:addr()),
  tostring(session.id), args[1], tostring(session.server))
local served, failed = 0, false
while opts.clients == 0 or served < opts.clients do
  local c, aerr = ln:accept()
  if not c then
    log("replay: %s", tostring(aerr))
    os.exit(1)
  end
  served = served + 1
  if opts.clients == 0 then
    -- Serving for ever: each client in its own task.
    task.spawn(function()
      report(tostring(c:remote_addr()), replay.serve_session(c, session, play_opts))
      c:close()
    end)
  else
    -- A counted run: one client after the other, so the status is theirs.
    if not report(tostring(c:remote_addr()), replay.serve_session(c, session, play_opts)) then failed = true end
    c:close()
  end
end
ln:close()
os.exit(failed and 1 or 0)
