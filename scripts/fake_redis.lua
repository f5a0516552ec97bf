-- fake_redis.lua: a pretend Redis server, enough for redis-cli.
--
--   gonetrepl scripts/fake_redis.lua [ADDR] [--quiet]
--
-- Listens on ADDR (default 127.0.0.1:6380, beside a real Redis on 6379)
-- and answers RESP commands from an in-memory table shared by all
-- clients: PING [MSG], ECHO MSG, GET KEY, SET KEY VALUE, DEL KEY...,
-- INCR KEY, DECR KEY, INCRBY KEY N, DECRBY KEY N (64-bit, exact up to
-- 2^63-1 and answered as redis-server 7 answers, overflow and "not an
-- integer" errors included), HELLO [2|3] (RESP3 switches this client's nulls to _ and the
-- HELLO reply to a map), COMMAND (an empty list, for redis-cli's
-- interactive mode) and QUIT. Any other command gets Redis's
-- "-ERR unknown command ..." reply. Commands come as RESP arrays, as
-- redis-cli sends them, or inline, as typed into nc ("SET k v"). One task
-- serves each client (ln:serve), reading with resp.read_command and
-- answering with the resp.encode_* functions. Each client and each
-- command is logged to stderr, escaped (bin.escape), unless --quiet. A
-- client's argument quoted in an error reply has its CR and LF turned
-- into spaces, as Redis does. A client that breaks the
-- protocol gets "-ERR Protocol error: ..." and is disconnected, as Redis
-- does. Ctrl-C stops the server.
--
-- Try it:  gonetrepl scripts/fake_redis.lua &
--          redis-cli -p 6380 SET greeting hello
--          redis-cli -p 6380 GET greeting
local flags = require "flags"
local logf = require "logf"
local resp = require "resp"

local cli = flags.new("gonetrepl scripts/fake_redis.lua [ADDR] [options]",
  "A pretend Redis server (default address 127.0.0.1:6380): PING, ECHO, GET, SET, DEL, INCR, DECR, INCRBY, DECRBY, HELLO, COMMAND, QUIT.")
cli:bool("quiet", false, "do not log clients and their commands")
cli:args(0, 1, "ADDR")
local opts, args = cli:parse(arg)
local addr = args[1] or "127.0.0.1:6380"

-- log writes a line to stderr, every string argument escaped (logf): it
-- may hold what a peer sent, which must not reach the operator's terminal raw.
local log = logf.new("fake_redis: ", opts.quiet)

local store = {} -- key -> string value, shared by every client

-- show renders a command for the log: its words, long ones cut, words
-- with spaces or other bytes quoted. The caller's log escapes the result.
local function show(args)
  local words = {}
  for i, a in ipairs(args) do
    if i > 8 then
      words[#words + 1] = ("... (%d more)"):format(#args - 8)
      break
    end
    if #a > 40 then a = a:sub(1, 40) .. "..." end
    words[#words + 1] = a:find("[^%w%p]") and ('"' .. a .. '"') or a
  end
  return table.concat(words, " ")
end

-- quoted is a client's argument as an error reply may quote it: its first
-- 128 bytes, as Redis does.
local function quoted(s) return s:sub(1, 128) end

-- error_reply encodes an error reply. As in Redis, CR and LF become
-- spaces: an argument quoted in the message cannot end the reply early
-- (resp.encode_error refuses them).
local function error_reply(msg)
  return resp.encode_error((msg:gsub("[\r\n]", " ")))
end

local function wrong_args(name)
  return error_reply(("ERR wrong number of arguments for '%s' command"):format(name:lower()))
end

-- Each command: the number of arguments it takes after its name (min,
-- max; nil for any) and a function of the arguments and the client's
-- state returning the encoded reply.
local commands = {}

commands.PING = { 0, 1, function(a)
  if a[2] then return resp.encode_bulk(a[2]) end
  return resp.encode_simple("PONG")
end }

commands.ECHO = { 1, 1, function(a) return resp.encode_bulk(a[2]) end }

commands.GET = { 1, 1, function(a, client)
  local v = store[a[2]]
  if v == nil then return client.null end
  return resp.encode_bulk(v)
end }

commands.SET = { 2, nil, function(a)
  if #a > 3 then return error_reply("ERR syntax error") end
  store[a[2]] = a[3]
  return resp.encode_simple("OK")
end }

commands.DEL = { 1, nil, function(a)
  local n = 0
  for i = 2, #a do
    if store[a[i]] ~= nil then
      store[a[i]] = nil
      n = n + 1
    end
  end
  return resp.encode_integer(n)
end }

-- incr_by adds incr (resp's integer: a number, or a decimal string past
-- 2^53) to the value at key, exactly in 64 bits as Redis does: the value
-- must read as Redis reads an integer (resp.parse_integer: no blanks, no
-- plus, no leading zero, within int64), and a sum past int64 is Redis's
-- overflow error.
local function incr_by(key, incr)
  local old = store[key]
  local n = 0
  if old ~= nil then
    n = resp.parse_integer(old) -- at most 20 bytes looked at: a value may be 64 MiB
    if n == nil then return error_reply("ERR value is not an integer or out of range") end
  end
  local sum = resp.add_integers(n, incr)
  if sum == nil then return error_reply("ERR increment or decrement would overflow") end
  local reply = resp.encode_integer(sum)
  store[key] = reply:sub(2, -3) -- its decimal digits, as Redis keeps a counter
  return reply
end

-- negate turns resp's integer into its opposite (not -2^63: see DECRBY).
local function negate(n)
  if type(n) == "number" then return -n end
  if n:sub(1, 1) == "-" then return n:sub(2) end
  return "-" .. n
end

commands.INCR = { 1, 1, function(a) return incr_by(a[2], 1) end }
commands.DECR = { 1, 1, function(a) return incr_by(a[2], -1) end }

commands.INCRBY = { 2, 2, function(a)
  local incr = resp.parse_integer(a[3])
  if incr == nil then return error_reply("ERR value is not an integer or out of range") end
  return incr_by(a[2], incr)
end }

commands.DECRBY = { 2, 2, function(a)
  local incr = resp.parse_integer(a[3])
  if incr == nil then return error_reply("ERR value is not an integer or out of range") end
  -- -2^63 has no opposite in int64: Redis refuses it before the value.
  if incr == "-9223372036854775808" then return error_reply("ERR decrement would overflow") end
  return incr_by(a[2], negate(incr))
end }

commands.COMMAND = { 0, nil, function() return resp.encode_array({}) end }

commands.HELLO = { 0, nil, function(a, client)
  local proto = a[2] and a[2]:match("^[23]$") and tonumber(a[2])
  if a[2] and not proto then
    return error_reply("NOPROTO unsupported protocol version")
  end
  if #a > 2 then return error_reply("ERR Syntax error in HELLO option '" .. quoted(a[3]) .. "'") end
  if proto then
    client.proto = proto
    client.null = proto == 3 and "_\r\n" or resp.encode_bulk(nil)
  end
  local info = {
    server = "fake_redis", version = "7.0.0", proto = client.proto, id = client.id,
    mode = "standalone", role = "master", modules = {},
  }
  if client.proto == 3 then return resp.encode_map(info) end
  local flat = {}
  for _, k in ipairs({ "server", "version", "proto", "id", "mode", "role", "modules" }) do
    flat[#flat + 1] = k
    flat[#flat + 1] = info[k]
  end
  return resp.encode_array(flat)
end }

commands.QUIT = { 0, nil, function(_, client)
  client.quit = true
  return resp.encode_simple("OK")
end }

-- answer returns the encoded reply to one command.
local function answer(a, client)
  local name = a[1]:upper()
  local cmd = commands[name]
  if not cmd then
    local shown = {}
    for i = 2, math.min(#a, 11) do shown[#shown + 1] = "'" .. quoted(a[i]) .. "' " end
    return error_reply(("ERR unknown command '%s', with args beginning with: %s")
      :format(quoted(a[1]), table.concat(shown)))
  end
  local n = #a - 1
  if n < cmd[1] or (cmd[2] and n > cmd[2]) then return wrong_args(name) end
  return cmd[3](a, client)
end

local ln, err = net.listen("tcp", addr)
if not ln then
  io.stderr:write("fake_redis: ", tostring(err), "\n")
  os.exit(1)
end
-- Always shown, --quiet or not: scripts and tests wait for this line.
io.stderr:write("fake_redis: listening on ", tostring(ln:addr()), "\n")

local next_id = 0
ln:serve(function(c)
  next_id = next_id + 1
  local client = { id = next_id, proto = 2, null = resp.encode_bulk(nil) }
  local peer = tostring(c:remote_addr())
  log("%s connected", peer)
  while not client.quit do
    local a, rerr = resp.read_command(c)
    if not a then
      if rerr.kind == "other" or rerr.kind == "too_large" then
        log("%s: %s; closing", peer, tostring(rerr))
        c:write(error_reply("ERR Protocol error: " .. rerr.message:gsub("^resp: ", "")))
      elseif rerr.kind ~= "eof" then
        log("%s: %s", peer, tostring(rerr))
      end
      break
    end
    if not opts.quiet then log("%s: %s", peer, show(a)) end -- show costs a match per argument
    local ok, werr = c:write(answer(a, client))
    if not ok then
      log("%s: %s", peer, tostring(werr))
      break
    end
  end
  log("%s disconnected", peer)
end)
