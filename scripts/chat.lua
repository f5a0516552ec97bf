-- chat.lua: a multi-client line chat server, built with tasks and channels.
--
--   gonetrepl scripts/chat.lua [ADDR] [--quiet]
--
-- Listens on ADDR (default 127.0.0.1:9003). Each client is named
-- "client N" (N counts from 1) until it sends "/nick NAME". Every line a
-- client sends reaches all the other clients as "NAME: line"; joins, leaves
-- and renames are announced to the others as lines starting with "* "
-- ("* client 2 joined", "* client 2 left", "* client 2 is now ann"). A new
-- client is first told its name: "* you are client N; ...".
--
-- The lesson is the shape: one broadcaster task owns the list of clients,
-- and every other task talks to it through one channel (events). Each
-- connection has a reader (its ln:serve task: lines in, events out) and a
-- writer task draining the connection's own outbox, so a client that
-- reads slowly never holds up the others: when its outbox is full (256
-- lines or 64 KiB waiting), the broadcaster drops it ("* NAME left (too
-- slow)"). A broadcast line is made once and the same string goes to
-- every outbox, so a thousand silent clients cost a thousand references
-- to it, not a thousand copies. The only table two tasks share is an
-- outbox's byte count (the broadcaster adds, the writer subtracts; one
-- task runs Lua at a time, so no lock is needed); everything else goes
-- through channels.
--
-- Joins, leaves and messages are logged to stderr, unless --quiet, with
-- everything a client sent escaped (bin.escape), so a client cannot
-- retitle or clear the operator's terminal; the "listening on" line is
-- always printed. Ctrl-C stops the server (status 130); a taken ADDR
-- exits 1, a usage error 2.
--
-- Try it:  gonetrepl scripts/chat.lua &
--          nc 127.0.0.1 9003        (in two or more terminals)
local flags = require "flags"
local logf = require "logf"

local cli = flags.new("gonetrepl scripts/chat.lua [ADDR] [options]",
  "A multi-client line chat server (default address 127.0.0.1:9003); /nick NAME renames a client.")
cli:bool("quiet", false, "do not log joins, leaves and messages")
cli:args(0, 1, "ADDR")
local opts, args = cli:parse(arg)
if #args > 1 then
  io.stderr:write("chat: one ADDR expected, got ", #args, " arguments\n", cli:help_text(), "\n")
  os.exit(2)
end
local addr = args[1] or "127.0.0.1:9003"

local OUTBOX = 256             -- lines waiting for a slow client before it is dropped
local OUTBOX_BYTES = 64 * 1024 -- bytes waiting for a slow client before it is dropped
local MAX_LINE = 4096          -- longest line a client may send
local WRITE_TIMEOUT = 10       -- seconds a write to a client may block

-- log writes a line to stderr, every string argument escaped (logf): it
-- may hold what a peer sent, which must not reach the operator's terminal raw.
local log = logf.new("chat: ", opts.quiet)

local ln, err = net.listen("tcp", addr)
if not ln then
  io.stderr:write("chat: ", tostring(err), "\n")
  os.exit(1)
end
io.stderr:write("chat: listening on ", tostring(ln:addr()), "\n")

-- Events to the broadcaster, each a table with a kind:
--   {kind = "join", out = outbox, addr = "ip:port"}
--   {kind = "line", out = outbox, text = "..."}
--   {kind = "leave", out = outbox, why = "..."}
-- A client is known by its outbox, {ch = a channel of lines, bytes = the
-- bytes queued in it and not yet written}: unique, and what the
-- broadcaster sends its lines to.
local events = task.chan(64)

-- The broadcaster: the only task that sees the list of clients.
task.spawn(function()
  local clients = {} -- outbox -> {name = ..., addr = ...}
  local count = 0

  -- put puts a line (with its newline) in one client's outbox without
  -- waiting; it reports whether there was room, in lines and in bytes.
  local function put(out, line)
    if out.bytes + #line > OUTBOX_BYTES or out.ch:send(line, 0) == nil then return false end
    out.bytes = out.bytes + #line
    return true
  end

  -- send tells one client one line.
  local function send(out, text) return put(out, text .. "\n") end

  local drop -- drop(out, why), below: removes a client, tells the others

  -- others sends text to every client but the one whose outbox is from
  -- (nil: to all); clients with a full outbox are dropped afterwards.
  local function others(from, text)
    local line, slow = text .. "\n", {} -- one string, shared by every outbox
    for out in pairs(clients) do
      if out ~= from and not put(out, line) then slow[#slow + 1] = out end
    end
    for _, out in ipairs(slow) do drop(out, "too slow") end
  end

  function drop(out, why)
    local cl = clients[out]
    if not cl then return end -- dropped already
    clients[out] = nil
    out.ch:close() -- its writer sends what is queued, then closes the conn
    log("%s (%s) left: %s", cl.name, cl.addr, why)
    others(nil, why == "too slow" and ("* %s left (too slow)"):format(cl.name) or ("* %s left"):format(cl.name))
  end

  local function named(name)
    for _, cl in pairs(clients) do
      if cl.name == name then return true end
    end
    return false
  end

  local function nick(out, cl, name)
    if not name:match("^[%w_.-]+$") or #name > 32 then
      send(out, "* a name is 1 to 32 letters, digits, '_', '.' or '-'")
    elseif name == cl.name then
      send(out, ("* you are %s already"):format(name))
    elseif named(name) then
      send(out, ("* the name %s is taken"):format(name))
    else
      local old = cl.name
      cl.name = name
      log("%s (%s) is now %s", old, cl.addr, name)
      send(out, ("* you are now %s"):format(name))
      others(out, ("* %s is now %s"):format(old, name))
    end
  end

  while true do
    local ev = events:recv()
    local cl = clients[ev.out]
    if ev.kind == "join" then
      count = count + 1
      local n = 0
      for _ in pairs(clients) do n = n + 1 end
      cl = { name = "client " .. count, addr = ev.addr }
      clients[ev.out] = cl
      log("%s (%s) joined", cl.name, cl.addr)
      send(ev.out, ("* you are %s; %d other%s here; /nick NAME to change your name")
        :format(cl.name, n, n == 1 and " is" or "s are"))
      others(ev.out, ("* %s joined"):format(cl.name))
    elseif ev.kind == "leave" then
      drop(ev.out, ev.why)
    elseif cl and ev.kind == "line" then
      if ev.text == "/nick" or ev.text:match("^/nick%s") then
        local name = ev.text:match("^/nick%s+(%S+)%s*$")
        if name then nick(ev.out, cl, name) else send(ev.out, "* usage: /nick NAME") end
      elseif ev.text:match("^/") then
        send(ev.out, "* unknown command; /nick NAME is the one there is")
      else
        log("%s: %s", cl.name, ev.text)
        others(ev.out, cl.name .. ": " .. ev.text)
      end
    end
  end
end)

-- writer sends a client's outbox to its conn, until the broadcaster closes
-- the outbox (the client left or was dropped) or a write fails; then it
-- closes the conn, which ends the reader if it still runs.
local function writer(c, out)
  while true do
    local line, ok = out.ch:recv()
    if not ok then break end
    c:set_write_deadline(time.now() + WRITE_TIMEOUT)
    local written = c:write(line)
    out.bytes = out.bytes - #line
    if not written then break end
  end
  c:close()
end

-- Each conn: a writer task, then lines to events until the client goes.
ln:serve(function(c)
  local out = { ch = task.chan(OUTBOX), bytes = 0 }
  local w = task.spawn(writer, c, out)
  events:send({ kind = "join", out = out, addr = tostring(c:remote_addr()) })
  local why
  while true do
    local line, rerr = c:read_line(MAX_LINE)
    if not line then
      if rerr.kind == "eof" or rerr.kind == "closed" then why = "closed"
      elseif rerr.kind == "too_large" then why = ("a line over %d bytes"):format(MAX_LINE)
      else why = tostring(rerr) end
      break
    end
    events:send({ kind = "line", out = out, text = line })
  end
  events:send({ kind = "leave", out = out, why = why })
  w:wait()
end)
