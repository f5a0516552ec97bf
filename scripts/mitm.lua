-- mitm.lua: a TCP (or TLS) relay that shows the traffic and edits it in
-- flight: a scriptable man in the middle.
--
--   gonetrepl scripts/mitm.lua LISTEN TARGET [--replace FROM=TO]... [--delay MS]
--            [--drop PCT] [--pace BPS] [--tls CERT KEY [--ca FILE | --insecure]]
--            [--text] [--quiet]
--
-- Listens on LISTEN and connects each client to TARGET with net.relay and
-- its hooks. The traffic is shown on stderr as proxy.lua shows it (the
-- client's conn traced: "<" lines came from the client, ">" lines went
-- back to it, after the edits).
--
--   --replace FROM=TO  replaces every FROM with TO, as plain bytes (no
--       pattern), in both directions; give it again for more pairs, applied
--       in order. A FROM cut across two reads is replaced all the same: the
--       end of a chunk that could begin a FROM (at most len(FROM)-1 bytes)
--       is held back until the next chunk, or the end of that direction.
--       Held-back bytes wait for more data: a peer that waits for them
--       before sending more stalls until the other side closes. It edits
--       bytes, not a protocol: an HTTP body edited to another length keeps
--       its old Content-Length, so replace with a TO of the same length (or
--       edit the header too, with a second --replace).
--   --delay MS         forwards each chunk MS milliseconds after it was read
--                      (order is kept: a latency, not a reordering).
--   --drop PCT         drops whole chunks, PCT percent of them at random.
--   --pace BPS         at most BPS bytes per second in each direction.
--   --tls CERT KEY     terminates TLS toward the client with that certificate
--       and key (PEM files), and re-originates TLS to TARGET (tls.dial: its
--       certificate verified with the system's CAs, or --ca FILE, or not at
--       all with --insecure; the name checked is TARGET's host, or
--       --server-name).
--
-- Try it:  gonetrepl scripts/http_server.lua 127.0.0.1:8080 --reply "hello world" &
--          gonetrepl scripts/mitm.lua 127.0.0.1:8081 127.0.0.1:8080 --replace world=WORLD &
--          curl http://127.0.0.1:8081/
local flags = require "flags"
local logf = require "logf"

local cli = flags.new("gonetrepl scripts/mitm.lua LISTEN TARGET [options]",
  "A relay from LISTEN to TARGET that shows the traffic and edits it: replaces bytes, delays, drops, paces; with --tls it intercepts TLS.")
cli:list("replace", "replace FROM=TO (plain bytes, both directions), applied in order")
cli:number("delay", 0, "forward each chunk MS milliseconds after it was read", { min = 0, max = 1e9 })
cli:number("drop", 0, "drop PCT percent of the chunks, at random", { min = 0, max = 100 })
cli:number("pace", nil, "at most BPS bytes per second in each direction", { above = 0 })
cli:list("tls", "CERT KEY: terminate TLS toward clients with this certificate and key (PEM files), re-originate it to TARGET", 2)
cli:string("ca", nil, "with --tls: verify TARGET's certificate with the CAs in FILE instead of the system's")
cli:bool("insecure", false, "with --tls: do not verify TARGET's certificate")
cli:string("server-name", nil, "with --tls: the NAME TARGET's certificate must be for (default its host)")
cli:bool("text", false, "show the bytes as escaped text instead of a hexdump")
cli:bool("quiet", false, "relay without showing the bytes")
cli:seconds("timeout", 10, "seconds to wait for the target to accept (0: no limit)")
cli:args(2, 2, "LISTEN and TARGET")

local opts, args = cli:parse(arg)
local function usage_error(msg)
  io.stderr:write(msg, "\n", cli:help_text(), "\n")
  os.exit(2)
end
local replaces = {}
for _, value in ipairs(opts.replace) do
  local from, to = value:match("^(.-)=(.*)$")
  if not from or from == "" then usage_error("--replace needs FROM=TO with a FROM that is not empty") end
  replaces[#replaces + 1] = { from = from, to = to }
end
if #opts.tls > 1 then usage_error("--tls is given more than once") end
local cert, key = nil, nil
if opts.tls[1] then cert, key = opts.tls[1][1], opts.tls[1][2] end
local listen_addr, target = args[1], args[2]

local log = logf.new()

-- replacer returns an on_data edit for one direction of one conn: each
-- FROM replaced, in order, with the end that could begin a FROM held back.
local function replacer()
  local carry = ""
  return function(data)
    local buf = carry .. data
    local at_end = data == ""
    for _, r in ipairs(replaces) do
      local out, pos = {}, 1
      while true do
        local s, e = buf:find(r.from, pos, true)
        if not s then break end
        out[#out + 1] = buf:sub(pos, s - 1)
        out[#out + 1] = r.to
        pos = e + 1
      end
      out[#out + 1] = buf:sub(pos)
      buf = table.concat(out)
    end
    carry = ""
    if not at_end then
      -- The longest end of buf that is the start of some FROM waits.
      local keep = 0
      for _, r in ipairs(replaces) do
        for n = math.min(#r.from - 1, #buf), keep + 1, -1 do
          if buf:sub(-n) == r.from:sub(1, n) then
            keep = n
            break
          end
        end
      end
      if keep > 0 then
        carry = buf:sub(-keep)
        buf = buf:sub(1, -keep - 1)
      end
    end
    return buf
  end
end

local function hooks()
  local hook = {}
  if opts.pace then hook.pace = opts.pace end
  if #replaces == 0 and opts.delay == 0 and opts.drop == 0 then return hook end
  local edit = { a2b = replacer(), b2a = replacer() }
  hook.on_data = function(dir, data)
    if data ~= "" and opts.drop > 0 and math.random() * 100 < opts.drop then return false end
    local out = data
    if #replaces > 0 then out = edit[dir](data) end
    if opts.delay > 0 then return opts.delay / 1000, out end
    return out
  end
  return hook
end

local ln, err
if cert then
  ln, err = tls.listen(listen_addr, { cert = cert, key = key })
else
  ln, err = net.listen("tcp", listen_addr)
end
if not ln then
  log("mitm: %s", tostring(err))
  os.exit(1)
end
log("mitm: listening on %s%s, forwarding to %s", tostring(ln:addr()), cert and " (TLS)" or "", target)

ln:serve(function(c)
  local peer = tostring(c:remote_addr())
  local up, derr
  if cert then
    local ok, herr = c:handshake()
    if not ok then
      log("mitm: %s: TLS handshake: %s", peer, tostring(herr))
      return
    end
    up, derr = tls.dial(target, { timeout = opts.timeout, ca = opts.ca, insecure = opts.insecure or nil,
      server_name = opts["server-name"] })
  else
    up, derr = net.dial("tcp", target, { timeout = opts.timeout })
  end
  if not up then
    log("mitm: %s: cannot reach %s: %s", peer, target, tostring(derr))
    return
  end
  log("mitm: %s connected, relaying to %s", peer, target)
  if not opts.quiet then c:trace(opts.text and "text" or "hex") end
  local up_bytes, down_bytes, n1, n2 = net.relay(c, up, hooks())
  if up_bytes then
    log("mitm: %s done: %d bytes to %s, %d bytes back", peer, up_bytes, target, down_bytes)
  else
    log("mitm: %s ended: %s (%d bytes to %s, %d bytes back)", peer, tostring(down_bytes), n1, target, n2)
  end
  up:close()
end)
