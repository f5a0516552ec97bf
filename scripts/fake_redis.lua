-- fake_redis.lua: a pretend Redis server, enough for redis-cli and redis-py.
--
--   gonetrepl scripts/fake_redis.lua [ADDR] [--quiet] [--max-outbox BYTES]
--                                    [--max-channels N] [--max-queued N]
--
-- Listens on ADDR (default 127.0.0.1:6380, beside a real Redis on 6379)
-- and answers RESP2 and RESP3 commands from an in-memory table of string
-- keys shared by all clients, each reply as redis-server 7.0 answers it
-- (compared byte for byte with one in the tests, errors included):
--
--   strings   GET, SET [NX|XX] [GET] [EX s|PX ms|EXAT t|PXAT t|KEEPTTL],
--             MGET, MSET, DEL, EXISTS; INCR, DECR, INCRBY, DECRBY (64-bit,
--             exact up to 2^63-1, Redis's overflow and "not an integer"
--             errors)
--   expiry    EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (NX|XX|GT|LT), TTL, PTTL,
--             EXPIRETIME, PEXPIRETIME, PERSIST: a key past its time is
--             gone when next touched (lazily, as Redis does on access)
--   MULTI     MULTI, EXEC, DISCARD, WATCH, UNWATCH: commands queued
--             (+QUEUED) and run together by EXEC; an unknown command or a
--             wrong number of arguments while queuing makes EXEC answer
--             EXECABORT; WATCH as Redis: a watched key that any client
--             writes (SET, DEL, INCR..., EXPIRE, PERSIST) before EXEC, or
--             that is found expired at EXEC, makes EXEC answer a null array
--   pub/sub   SUBSCRIBE, UNSUBSCRIBE, PUBLISH (the number of receivers);
--             a subscriber gets "message" pushes (RESP3 type > after
--             HELLO 3); in RESP2 a subscribed client may only send
--             SUBSCRIBE, UNSUBSCRIBE, PING, QUIT and RESET, as in Redis.
--             No pattern subscriptions (PSUBSCRIBE is unknown here).
--   other     PING [MSG], ECHO MSG, HELLO [2|3] [AUTH default PASS]
--             [SETNAME NAME] (RESP3 switches this client's nulls to _,
--             the HELLO reply to a map, pushes to >), INFO [server |
--             clients | keyspace ...] (redis_version 7.0.0), RESET, QUIT,
--             COMMAND (an empty list, for redis-cli's interactive mode)
--
-- Any other command gets Redis's "-ERR unknown command ..." reply.
-- Commands come as RESP arrays, as redis-cli sends them, or inline, as
-- typed into nc, split as Redis splits them (resp.read_command:
-- SET k "a b\n"; unbalanced quotes are a protocol error).
--
-- Tasks: one per client (ln:serve), reading with resp.read_command and
-- answering with the resp.encode_* functions. A client that subscribes
-- gets a writer task too, draining its outbox: from then on its replies
-- and the messages PUBLISH puts there go out in order, and a slow
-- subscriber never holds up a publisher. Caps: a subscriber more than
-- 32 MiB behind (--max-outbox; Redis's pubsub output buffer hard limit)
-- is disconnected; at most 10,000 channels per client (--max-channels);
-- a MULTI queue of at most 100,000 commands (--max-queued) or 128 MiB of
-- arguments (past either, the transaction is discarded and EXEC answers
-- EXECABORT).
--
-- Each client and each command is logged to stderr, escaped (bin.escape),
-- unless --quiet. An argument quoted in an error reply has its CR and LF
-- turned into spaces, as Redis does. A client that breaks the protocol
-- gets "-ERR Protocol error: ..." and is disconnected, as Redis does.
-- Ctrl-C stops the server.
--
-- Where it differs from Redis on purpose: HELLO's server, version and id
-- fields, INFO's contents (a few fields), no keyspace events, no
-- PSUBSCRIBE, and the caps above where Redis has none.
--
-- Try it:  gonetrepl scripts/fake_redis.lua &
--          redis-cli -p 6380 SET greeting hello EX 60
--          redis-cli -p 6380 TTL greeting
local flags = require "flags"
local logf = require "logf"
local resp = require "resp"

local cli = flags.new("gonetrepl scripts/fake_redis.lua [ADDR] [options]",
  "A pretend Redis server (default address 127.0.0.1:6380), answering as redis-server 7.0: "
  .. "GET, SET (NX XX GET EX PX EXAT PXAT KEEPTTL), MGET, MSET, DEL, EXISTS, INCR, DECR, INCRBY, DECRBY, "
  .. "EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST, "
  .. "MULTI, EXEC, DISCARD, WATCH, UNWATCH, SUBSCRIBE, UNSUBSCRIBE, PUBLISH, "
  .. "PING, ECHO, HELLO, INFO, RESET, COMMAND, QUIT; inline commands split as Redis splits them.")
cli:bool("quiet", false, "do not log clients and their commands")
cli:number("max-outbox", 32 * 1024 * 1024, "disconnect a subscriber BYTES behind (as Redis's pubsub output buffer limit)",
  { min = 1, max = 1024 * 1024 * 1024, whole = true })
cli:number("max-channels", 10000, "subscribe a client to N channels at most", { min = 1, max = 1000000, whole = true })
cli:number("max-queued", 100000, "queue N commands at most in a transaction", { min = 1, max = 10000000, whole = true })
cli:args(0, 1, "ADDR")
local opts, args = cli:parse(arg)
local addr = args[1] or "127.0.0.1:6380"

local OUTBOX_BYTES = opts["max-outbox"]     -- a subscriber this far behind is disconnected
local MAX_CHANNELS = opts["max-channels"]   -- channels one client may subscribe to
local MAX_QUEUED = opts["max-queued"]       -- commands in one MULTI
local MAX_QUEUED_BYTES = 128 * 1024 * 1024 -- bytes of their arguments

-- log writes a line to stderr, every string argument escaped (logf): it
-- may hold what a peer sent, which must not reach the operator's terminal raw.
local log = logf.new("fake_redis: ", opts.quiet)

-- The keys: key -> entry {v = value, exp = when it expires (resp's
-- integer: Unix milliseconds; nil for never)}, shared by every client.
local store = {}
-- watchers: key -> {client -> true}, the clients that WATCH it.
local watchers = {}
-- channels: channel -> {client -> true}, its subscribers.
local channels = {}
local clients = 0 -- connected, for INFO

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

-- cstr is s as C's "%.*s" prints it: its first n bytes (all without n),
-- up to a NUL. Redis formats its error messages so.
local function cstr(s, n)
  if n then s = s:sub(1, n) end
  local z = s:find("\0", 1, true)
  if z then s = s:sub(1, z - 1) end
  return s
end

-- error_reply encodes an error reply as Redis's addReplyErrorFormat
-- does: CR and LF at the end trimmed, the others turned into spaces (an
-- argument quoted in the message cannot end the reply early;
-- resp.encode_error refuses them).
local function error_reply(msg)
  local n = #msg
  while n > 0 and (msg:byte(n) == 13 or msg:byte(n) == 10) do n = n - 1 end
  return resp.encode_error((msg:sub(1, n):gsub("[\r\n]", " ")))
end

local OK = resp.encode_simple("OK")
local ZERO, ONE = resp.encode_integer(0), resp.encode_integer(1)
local NOT_INTEGER = "ERR value is not an integer or out of range"
local SYNTAX = "ERR syntax error"

----------------------------------------------------------------------------
-- 64-bit integers (resp's: a number up to 2^53, else a decimal string)

-- decimal is an integer's digits.
local function decimal(n)
  if type(n) == "number" then return ("%.0f"):format(n) end
  return n
end

-- compare tells whether a < b (-1), a == b (0) or a > b (1), exactly.
local function compare(a, b)
  if type(a) == "number" and type(b) == "number" then
    return a < b and -1 or (a > b and 1 or 0)
  end
  a, b = decimal(a), decimal(b)
  local na, nb = a:sub(1, 1) == "-", b:sub(1, 1) == "-"
  if na ~= nb then return na and -1 or 1 end
  if na then
    -- For negatives, the larger magnitude is less. (Two statements: the
    -- interpreter assigned a before reading it in "a, b = b:sub(2), a:sub(2)".)
    local ma = a:sub(2)
    a = b:sub(2)
    b = ma
  end
  if a == b then return 0 end
  if #a ~= #b then return #a < #b and -1 or 1 end
  return a < b and -1 or 1
end

-- times1000 is n * 1000 (n within +-LLONG_MAX/1000: no overflow).
local function times1000(n)
  if type(n) == "number" and math.abs(n) < 2 ^ 43 then return n * 1000 end
  return resp.parse_integer(decimal(n) .. "000")
end

-- div1000 is (n + 500) / 1000 for an integer n >= 0, whole: TTL's
-- rounding of milliseconds to seconds. Done on the digits, as n + 500 may
-- be past int64 (Redis's EXPIRETIME of 2^63-1 ms is 9223372036854776).
local function div1000(n)
  local digits = decimal(n)
  local q = resp.parse_integer(digits:sub(1, -4)) or 0 -- "" for n < 1000
  if tonumber(digits:sub(-3)) >= 500 then q = resp.add_integers(q, 1) end
  return q
end

-- LLONG_MAX / 1000 and LLONG_MIN / 1000, as C divides: strings, being
-- past 2^53 (as numbers they would round to ...776).
local LLONG_MAX_S = "9223372036854775"
local LLONG_MIN_S = "-9223372036854775"

-- now_ms is the time as Redis keeps expiries: Unix milliseconds.
local function now_ms() return math.floor(time.now() * 1000) end

----------------------------------------------------------------------------
-- Keys

-- touch tells the clients watching key that it changed (Redis's
-- touchWatchedKey): their EXEC will fail.
local function touch(key)
  local w = watchers[key]
  if w then
    for client in pairs(w) do client.dirty = true end
  end
end

-- expired tells whether an entry is past its time.
local function expired(e, now)
  return e.exp ~= nil and compare(e.exp, now or now_ms()) <= 0
end

-- lookup returns key's entry, or nil; a key past its time is deleted
-- first, as Redis does when a key is touched. (As in Redis, deleting an
-- expired key is no write for WATCH; EXEC checks expiry apart.)
local function lookup(key)
  local e = store[key]
  if e and expired(e) then
    store[key] = nil
    return nil
  end
  return e
end

-- set_key gives key a value and an expiry (nil: none).
local function set_key(key, value, exp)
  store[key] = { v = value, exp = exp }
  touch(key)
end

----------------------------------------------------------------------------
-- Commands
--
-- Each command: its name in lower case (for error messages), the number
-- of arguments it takes after its name (min, max; nil for any), a
-- function of the arguments and the client returning the encoded reply,
-- and flags: pubsub (allowed to a RESP2 subscriber), now (run at once
-- inside MULTI, not queued).

local commands = {}

local function command(name, min, max, fn, flags)
  local c = { name = name:lower(), min = min, max = max, fn = fn }
  for k, v in pairs(flags or {}) do c[k] = v end
  commands[name] = c
end

local function wrong_args(name)
  return error_reply(("ERR wrong number of arguments for '%s' command"):format(name))
end

-- bulk_or_null is a value as a bulk string, or this client's null.
local function bulk_or_null(e, client)
  if e == nil then return client.null end
  return resp.encode_bulk(e.v)
end

-- PING checks its arguments itself, as in Redis: inside MULTI, PING a b
-- is queued and fails at EXEC.
command("PING", 0, nil, function(a, client)
  if #a > 2 then return wrong_args("ping") end
  -- A RESP2 subscriber's PING answers ["pong", MSG].
  if client.nsubs > 0 and client.proto == 2 then
    return "*2\r\n$4\r\npong\r\n" .. resp.encode_bulk(a[2] or "")
  end
  if a[2] then return resp.encode_bulk(a[2]) end
  return resp.encode_simple("PONG")
end, { pubsub = true })

command("ECHO", 1, 1, function(a) return resp.encode_bulk(a[2]) end)

command("GET", 1, 1, function(a, client) return bulk_or_null(lookup(a[2]), client) end)

-- expire_time reads SET's EX, PX, EXAT or PXAT argument as Redis does
-- (getExpireMillisecondsOrReply): the expiry in Unix milliseconds, or
-- nil and the error reply.
local function expire_time(arg, unit, name)
  local invalid = ("ERR invalid expire time in '%s' command"):format(name)
  local n = resp.parse_integer(arg)
  if n == nil then return nil, error_reply(NOT_INTEGER) end
  local seconds = unit == "EX" or unit == "EXAT"
  if compare(n, 0) <= 0 or (seconds and compare(n, LLONG_MAX_S) > 0) then return nil, error_reply(invalid) end
  if seconds then n = times1000(n) end
  if unit == "EX" or unit == "PX" then
    n = resp.add_integers(n, now_ms())
    if n == nil then return nil, error_reply(invalid) end
  end
  return n
end

-- SET's options, as Redis parses them: each may come again, but NX and XX
-- exclude each other, and so do KEEPTTL and the four expiries.
local EXPIRIES = { EX = true, PX = true, EXAT = true, PXAT = true }

command("SET", 2, nil, function(a, client)
  local key, value = a[2], a[3]
  local f, expiry, unit = {}, nil, nil
  local i = 4
  while i <= #a do
    local opt = #a[i] <= 7 and a[i]:upper() or ""
    if opt == "NX" and not f.XX or opt == "XX" and not f.NX or opt == "GET" then
      f[opt] = true
    elseif opt == "KEEPTTL" and not unit then
      f.KEEPTTL = true
    elseif EXPIRIES[opt] and not f.KEEPTTL and (unit == nil or unit == opt) and a[i + 1] then
      unit, expiry = opt, a[i + 1]
      i = i + 1
    else
      return error_reply(SYNTAX)
    end
    i = i + 1
  end
  local exp
  if unit then
    local err
    exp, err = expire_time(expiry, unit, "set")
    if not exp then return err end
  end
  local e = lookup(key)
  local old = f.GET and bulk_or_null(e, client)
  if f.NX and e or f.XX and not e then return old or client.null end
  if f.KEEPTTL and e and not exp then exp = e.exp end
  set_key(key, value, exp)
  return old or OK
end)

command("MGET", 1, nil, function(a, client)
  local out = { "*" .. (#a - 1) .. "\r\n" }
  for i = 2, #a do out[i] = bulk_or_null(lookup(a[i]), client) end
  return table.concat(out)
end)

command("MSET", 2, nil, function(a)
  if #a % 2 == 0 then return wrong_args("mset") end
  for i = 2, #a, 2 do set_key(a[i], a[i + 1]) end
  return OK
end)

command("DEL", 1, nil, function(a)
  local n = 0
  for i = 2, #a do
    if lookup(a[i]) then
      store[a[i]] = nil
      touch(a[i])
      n = n + 1
    end
  end
  return resp.encode_integer(n)
end)

command("EXISTS", 1, nil, function(a)
  local n = 0
  for i = 2, #a do
    if lookup(a[i]) then n = n + 1 end
  end
  return resp.encode_integer(n)
end)

-- incr_by adds incr (resp's integer) to the value at key, exactly in 64
-- bits as Redis does: the value must read as Redis reads an integer
-- (resp.parse_integer: no blanks, no plus, no leading zero, within
-- int64), and a sum past int64 is Redis's overflow error. The key keeps
-- its expiry.
local function incr_by(key, incr)
  local e = lookup(key)
  local n = 0
  if e then
    n = resp.parse_integer(e.v) -- at most 20 bytes looked at: a value may be 64 MiB
    if n == nil then return error_reply(NOT_INTEGER) end
  end
  local sum = resp.add_integers(n, incr)
  if sum == nil then return error_reply("ERR increment or decrement would overflow") end
  local reply = resp.encode_integer(sum)
  set_key(key, reply:sub(2, -3), e and e.exp) -- its decimal digits, as Redis keeps a counter
  return reply
end

-- negate turns resp's integer into its opposite (not -2^63: see DECRBY).
local function negate(n)
  if type(n) == "number" then return -n end
  if n:sub(1, 1) == "-" then return n:sub(2) end
  return "-" .. n
end

command("INCR", 1, 1, function(a) return incr_by(a[2], 1) end)
command("DECR", 1, 1, function(a) return incr_by(a[2], -1) end)

command("INCRBY", 2, 2, function(a)
  local incr = resp.parse_integer(a[3])
  if incr == nil then return error_reply(NOT_INTEGER) end
  return incr_by(a[2], incr)
end)

command("DECRBY", 2, 2, function(a)
  local incr = resp.parse_integer(a[3])
  if incr == nil then return error_reply(NOT_INTEGER) end
  -- -2^63 has no opposite in int64: Redis refuses it before the value.
  if incr == "-9223372036854775808" then return error_reply("ERR decrement would overflow") end
  return incr_by(a[2], negate(incr))
end)

-- expire_generic is Redis's expireGenericCommand: EXPIRE and its kin set
-- key's expiry to basetime + the argument (in seconds or milliseconds),
-- with the options NX, XX, GT and LT; a time already past deletes the key.
local function expire_generic(a, basetime, seconds, name)
  local o = {}
  for i = 4, #a do
    local opt = #a[i] == 2 and a[i]:upper() or ""
    if opt ~= "NX" and opt ~= "XX" and opt ~= "GT" and opt ~= "LT" then
      return error_reply("ERR Unsupported option " .. cstr(a[i]))
    end
    o[opt] = true
  end
  if o.NX and (o.XX or o.GT or o.LT) then
    return error_reply("ERR NX and XX, GT or LT options at the same time are not compatible")
  end
  if o.GT and o.LT then return error_reply("ERR GT and LT options at the same time are not compatible") end
  local when = resp.parse_integer(a[3])
  if when == nil then return error_reply(NOT_INTEGER) end
  local invalid = error_reply(("ERR invalid expire time in '%s' command"):format(name))
  if seconds then
    if compare(when, LLONG_MAX_S) > 0 or compare(when, LLONG_MIN_S) < 0 then return invalid end
    when = times1000(when)
  end
  when = resp.add_integers(when, basetime)
  if when == nil then return invalid end
  local e = lookup(a[2])
  if not e then return ZERO end
  local cur = e.exp
  if o.NX and cur or o.XX and not cur or o.GT and (not cur or compare(when, cur) <= 0)
      or o.LT and cur and compare(when, cur) >= 0 then
    return ZERO
  end
  if compare(when, now_ms()) <= 0 then
    store[a[2]] = nil
  else
    e.exp = when
  end
  touch(a[2])
  return ONE
end

command("EXPIRE", 2, nil, function(a) return expire_generic(a, now_ms(), true, "expire") end)
command("PEXPIRE", 2, nil, function(a) return expire_generic(a, now_ms(), false, "pexpire") end)
command("EXPIREAT", 2, nil, function(a) return expire_generic(a, 0, true, "expireat") end)
command("PEXPIREAT", 2, nil, function(a) return expire_generic(a, 0, false, "pexpireat") end)

-- ttl_generic is Redis's ttlGenericCommand: -2 for no key, -1 for no
-- expiry, else the time left (or the expiry itself, absolute) in
-- milliseconds or in seconds rounded.
local function ttl_generic(a, ms, absolute)
  local e = lookup(a[2])
  if not e then return resp.encode_integer(-2) end
  if not e.exp then return resp.encode_integer(-1) end
  local ttl = e.exp
  if not absolute then ttl = resp.add_integers(ttl, -now_ms()) end
  if compare(ttl, 0) < 0 then ttl = 0 end
  if not ms then ttl = div1000(ttl) end
  return resp.encode_integer(ttl)
end

command("TTL", 1, 1, function(a) return ttl_generic(a, false, false) end)
command("PTTL", 1, 1, function(a) return ttl_generic(a, true, false) end)
command("EXPIRETIME", 1, 1, function(a) return ttl_generic(a, false, true) end)
command("PEXPIRETIME", 1, 1, function(a) return ttl_generic(a, true, true) end)

command("PERSIST", 1, 1, function(a)
  local e = lookup(a[2])
  if not e or not e.exp then return ZERO end
  e.exp = nil
  touch(a[2])
  return ONE
end)

command("COMMAND", 0, nil, function() return resp.encode_array({}) end)

----------------------------------------------------------------------------
-- Transactions

-- unwatch forgets the keys client watches.
local function unwatch(client)
  if not client.watching then return end
  for key in pairs(client.watching) do
    local w = watchers[key]
    w[client] = nil
    if next(w) == nil then watchers[key] = nil end
  end
  client.watching, client.dirty = nil, false
end

command("MULTI", 0, 0, function(_, client)
  if client.multi then return error_reply("ERR MULTI calls can not be nested") end
  client.multi = { n = 0, bytes = 0 }
  return OK
end, { now = true })

command("DISCARD", 0, 0, function(_, client)
  if not client.multi then return error_reply("ERR DISCARD without MULTI") end
  client.multi = nil
  unwatch(client)
  return OK
end, { now = true })

command("WATCH", 1, nil, function(a, client)
  if client.multi then return error_reply("ERR WATCH inside MULTI is not allowed") end
  client.watching = client.watching or {}
  local now = now_ms()
  for i = 2, #a do
    local key = a[i]
    if client.watching[key] == nil then
      -- Whether it had expired already: one that expires only later
      -- fails the EXEC (Redis's isWatchedKeyExpired).
      local e = store[key]
      client.watching[key] = e ~= nil and expired(e, now)
      watchers[key] = watchers[key] or {}
      watchers[key][client] = true
    end
  end
  return OK
end, { now = true })

command("UNWATCH", 0, 0, function(_, client)
  unwatch(client)
  return OK
end)

-- watch_failed tells whether a key client watches has changed, or has
-- expired since it was watched.
local function watch_failed(client)
  if client.dirty then return true end
  local now = now_ms()
  for key, was_expired in pairs(client.watching or {}) do
    local e = store[key]
    if not was_expired and e and expired(e, now) then return true end
  end
  return false
end

command("EXEC", 0, 0, function(_, client)
  local m = client.multi
  if not m then return error_reply("ERR EXEC without MULTI") end
  client.multi = nil
  if m.failed then
    unwatch(client)
    return error_reply("EXECABORT Transaction discarded because of previous errors.")
  end
  if watch_failed(client) then
    unwatch(client)
    return client.proto == 3 and "_\r\n" or "*-1\r\n"
  end
  unwatch(client)
  local out = { "*" .. m.n .. "\r\n" }
  for i = 1, m.n do
    local q = m[i]
    out[#out + 1] = q.cmd.fn(q.args, client)
  end
  return table.concat(out)
end, { now = true })

----------------------------------------------------------------------------
-- Pub/sub

-- An outbox is what a subscribed client has waiting to be written, in
-- order: its replies and the messages published to it. Its writer task
-- drains it; wake tells the writer there is more (or that it closes).

-- writer writes client's outbox to its conn until the outbox closes
-- (the client left) or a write fails; then it closes the conn.
local function writer(client)
  local c, out = client.conn, client.out
  while true do
    if out.n > 0 then
      local data = table.concat(out.q, "", 1, out.n)
      out.q, out.n = {}, 0
      local ok, werr = c:write(data)
      out.bytes = out.bytes - #data
      if not ok then
        log("%s: %s", client.peer, tostring(werr))
        break
      end
    elseif out.closing then
      break
    else
      out.wake:recv()
    end
  end
  c:close()
end

local unsubscribe_all -- below

-- drop disconnects a subscriber whose outbox is over its cap, as Redis
-- disconnects a client past its output buffer limit.
local function drop(client)
  log("%s: more than %d bytes waiting; disconnecting", client.peer, OUTBOX_BYTES)
  unsubscribe_all(client)
  local out = client.out
  out.q, out.n, out.closing = {}, 0, true
  out.wake:send(true, 0)
  client.conn:close()
end

-- deliver puts data in client's outbox, without waiting.
local function deliver(client, data)
  local out = client.out
  if out.closing then return end
  if out.bytes + #data > OUTBOX_BYTES then return drop(client) end
  out.n = out.n + 1
  out.q[out.n] = data
  out.bytes = out.bytes + #data
  out.wake:send(true, 0) -- a wake-up already waiting is enough
end

-- reply sends client a reply: through its outbox once it has one.
local function reply(client, data)
  if client.out then
    deliver(client, data)
    return true
  end
  return client.conn:write(data)
end

-- push encodes a pub/sub message or confirmation: an array in RESP2, a
-- push (>) in RESP3.
local function push(client, kind, channel, last)
  local head = (client.proto == 3 and ">" or "*") .. "3\r\n"
  local name = channel and resp.encode_bulk(channel) or client.null
  return head .. resp.encode_bulk(kind) .. name .. last
end

command("SUBSCRIBE", 1, nil, function(a, client)
  local new = 0
  for i = 2, #a do
    if not client.subs[a[i]] then new = new + 1 end
  end
  if client.nsubs + new > MAX_CHANNELS then
    return error_reply(("ERR fake_redis: at most %d channels per client"):format(MAX_CHANNELS))
  end
  if not client.out then
    client.out = { q = {}, n = 0, bytes = 0, wake = task.chan(1) }
    client.writer = task.spawn(writer, client)
  end
  local out = {}
  for i = 2, #a do
    local ch = a[i]
    if not client.subs[ch] then
      client.subs[ch] = true
      client.nsubs = client.nsubs + 1
      channels[ch] = channels[ch] or {}
      channels[ch][client] = true
    end
    out[#out + 1] = push(client, "subscribe", ch, resp.encode_integer(client.nsubs))
  end
  return table.concat(out)
end, { pubsub = true })

-- unsubscribe takes client off channel ch, and returns the confirmation.
local function unsubscribe(client, ch)
  if client.subs[ch] then
    client.subs[ch] = nil
    client.nsubs = client.nsubs - 1
    local subs = channels[ch]
    subs[client] = nil
    if next(subs) == nil then channels[ch] = nil end
  end
  return push(client, "unsubscribe", ch, resp.encode_integer(client.nsubs))
end

-- unsubscribe_all takes client off every channel, in their sorted order,
-- and returns the confirmations.
function unsubscribe_all(client)
  local list = {}
  for ch in pairs(client.subs) do list[#list + 1] = ch end
  table.sort(list)
  local out = {}
  for i, ch in ipairs(list) do out[i] = unsubscribe(client, ch) end
  return out
end

command("UNSUBSCRIBE", 0, nil, function(a, client)
  if #a == 1 then
    local out = unsubscribe_all(client)
    if #out == 0 then return push(client, "unsubscribe", nil, ZERO) end
    return table.concat(out)
  end
  local out = {}
  for i = 2, #a do out[#out + 1] = unsubscribe(client, a[i]) end
  return table.concat(out)
end, { pubsub = true })

command("PUBLISH", 2, 2, function(a)
  local subs = channels[a[2]]
  if not subs then return ZERO end
  local list = {} -- deliver may drop a subscriber, changing subs
  for client in pairs(subs) do list[#list + 1] = client end
  -- One message string per protocol, shared by every outbox.
  local tail = resp.encode_bulk("message") .. resp.encode_bulk(a[2]) .. resp.encode_bulk(a[3])
  local msg = { [2] = "*3\r\n" .. tail, [3] = ">3\r\n" .. tail }
  for _, client in ipairs(list) do deliver(client, msg[client.proto]) end
  return resp.encode_integer(#list)
end)

----------------------------------------------------------------------------
-- Connection

command("HELLO", 0, nil, function(a, client)
  local proto, name = client.proto, nil
  local j = 2
  if a[2] then
    local ver = resp.parse_integer(a[2])
    if ver == nil then return error_reply("ERR Protocol version is not an integer or out of range") end
    if ver ~= 2 and ver ~= 3 then return error_reply("NOPROTO unsupported protocol version") end
    proto, j = ver, 3
  end
  local user
  while j <= #a do
    local opt, more = #a[j] <= 7 and a[j]:upper() or "", #a - j
    if opt == "AUTH" and more >= 2 then
      user, j = a[j + 1], j + 3
    elseif opt == "SETNAME" and more >= 1 then
      name, j = a[j + 1], j + 2
    else
      return error_reply("ERR Syntax error in HELLO option '" .. cstr(a[j]) .. "'")
    end
  end
  -- The default user has no password, as a Redis without requirepass.
  if user and user ~= "default" then
    return error_reply("WRONGPASS invalid username-password pair or user is disabled.")
  end
  if name and name:find("[^!-~]") then
    return error_reply("ERR Client names cannot contain spaces, newlines or special characters.")
  end
  client.proto = proto
  client.null = proto == 3 and "_\r\n" or resp.encode_bulk(nil)
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
end)

local started = time.now()

-- info_sections makes INFO's sections, each a list of lines.
local info_sections = {
  { "server", function()
    return { "# Server", "redis_version:7.0.0", "redis_mode:standalone", "arch_bits:64",
      "tcp_port:" .. (addr:match(":(%d+)$") or ""), ("uptime_in_seconds:%d"):format(math.floor(time.now() - started)) }
  end },
  { "clients", function() return { "# Clients", "connected_clients:" .. clients } end },
  { "keyspace", function()
    local keys, expires, now = 0, 0, now_ms()
    for _, e in pairs(store) do
      if not expired(e, now) then
        keys = keys + 1
        if e.exp then expires = expires + 1 end
      end
    end
    local lines = { "# Keyspace" }
    if keys > 0 then lines[2] = ("db0:keys=%d,expires=%d,avg_ttl=0"):format(keys, expires) end
    return lines
  end },
}

-- INFO [section ...]: "all", "everything" and "default" (or none) give
-- every section; unknown ones give nothing, as in Redis.
command("INFO", 0, nil, function(a)
  local want, every = {}, #a == 1
  for i = 2, #a do
    local s = a[i]:lower()
    if s == "all" or s == "everything" or s == "default" then every = true end
    want[s] = true
  end
  local parts = {}
  for _, sec in ipairs(info_sections) do
    if every or want[sec[1]] then parts[#parts + 1] = table.concat(sec[2](), "\r\n") .. "\r\n" end
  end
  return resp.encode_bulk(table.concat(parts, "\r\n"))
end)

command("RESET", 0, 0, function(_, client)
  client.multi = nil
  unwatch(client)
  unsubscribe_all(client)
  client.proto, client.null = 2, resp.encode_bulk(nil)
  return resp.encode_simple("RESET")
end, { pubsub = true, now = true })

command("QUIT", 0, nil, function(_, client)
  client.quit = true
  return OK
end, { pubsub = true, now = true })

----------------------------------------------------------------------------
-- Serving

-- unknown is Redis's reply to an unknown command: the arguments quoted
-- until 128 bytes of them are shown.
local function unknown(a)
  local shown = ""
  for i = 2, #a do
    if #shown >= 128 then break end
    shown = shown .. "'" .. cstr(a[i], 128 - #shown) .. "' "
  end
  return error_reply(("ERR unknown command '%s', with args beginning with: %s"):format(cstr(a[1], 128), shown))
end

-- queue adds a command to client's transaction; past the caps the
-- transaction is discarded (EXEC will answer EXECABORT).
local function queue(client, cmd, a)
  local m = client.multi
  if m.failed then return resp.encode_simple("QUEUED") end
  local bytes = 0
  for i = 1, #a do bytes = bytes + #a[i] end
  if m.n >= MAX_QUEUED or m.bytes + bytes > MAX_QUEUED_BYTES then
    client.multi = { n = 0, bytes = 0, failed = true }
    return error_reply(("ERR fake_redis: a transaction holds at most %d commands and %d bytes"):format(MAX_QUEUED, MAX_QUEUED_BYTES))
  end
  m.n, m.bytes = m.n + 1, m.bytes + bytes
  m[m.n] = { cmd = cmd, args = a }
  return resp.encode_simple("QUEUED")
end

-- answer returns the encoded reply to one command, checked as Redis's
-- processCommand checks it: an unknown command or a wrong number of
-- arguments (which also fail a transaction being queued), a RESP2
-- subscriber's command out of its context; inside MULTI, queued.
local function answer(a, client)
  local cmd = #a[1] <= 16 and commands[a[1]:upper()]
  if not cmd then
    if client.multi then client.multi.failed = true end
    return unknown(a)
  end
  local why -- why the command is rejected
  if #a - 1 < cmd.min or (cmd.max and #a - 1 > cmd.max) then
    why = ("wrong number of arguments for '%s' command"):format(cmd.name)
  elseif client.nsubs > 0 and client.proto == 2 and not cmd.pubsub then
    why = ("Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
      :format(cmd.name)
  end
  if why then
    -- A rejected EXEC discards the transaction, saying why.
    if cmd.name == "exec" then
      client.multi = nil
      unwatch(client)
      return error_reply("EXECABORT Transaction discarded because of: " .. why)
    end
    if client.multi then client.multi.failed = true end
    return error_reply("ERR " .. why)
  end
  if client.multi and not cmd.now then return queue(client, cmd, a) end
  return cmd.fn(a, client)
end

local ln, err = net.listen("tcp", addr)
if not ln then
  io.stderr:write("fake_redis: ", tostring(err), "\n")
  os.exit(1)
end
addr = tostring(ln:addr())
-- Always shown, --quiet or not: scripts and tests wait for this line.
io.stderr:write("fake_redis: listening on ", addr, "\n")

local next_id = 0
ln:serve(function(c)
  next_id = next_id + 1
  clients = clients + 1
  local client = {
    id = next_id, proto = 2, null = resp.encode_bulk(nil), conn = c,
    peer = tostring(c:remote_addr()), subs = {}, nsubs = 0,
  }
  local peer = client.peer
  log("%s connected", peer)
  while not client.quit do
    local a, rerr = resp.read_command(c)
    if not a then
      if rerr.kind == "other" or rerr.kind == "too_large" then
        log("%s: %s; closing", peer, tostring(rerr))
        reply(client, error_reply("ERR Protocol error: " .. rerr.message:gsub("^resp: ", "")))
      elseif rerr.kind ~= "eof" and not (client.out and client.out.closing) then
        log("%s: %s", peer, tostring(rerr))
      end
      break
    end
    if not opts.quiet then log("%s: %s", peer, show(a)) end -- show costs a match per argument
    local ok, werr = reply(client, answer(a, client))
    if not ok then
      log("%s: %s", peer, tostring(werr))
      break
    end
  end
  clients = clients - 1
  unwatch(client)
  unsubscribe_all(client)
  if client.out then
    -- The writer sends what is queued (QUIT's +OK), then closes the conn.
    client.out.closing = true
    client.out.wake:send(true, 0)
    client.writer:wait()
  end
  log("%s disconnected", peer)
end)
