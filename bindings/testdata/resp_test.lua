-- stdlib/resp.lua: the Redis protocol. Most tests talk to a real
-- redis-server started by resp_test.go on loopback, at the global
-- REDIS_ADDR; the caps, the protocol errors and the server side are
-- tested against peers written here, on loopback too.

local resp = require "resp"
local testhelp = require "testhelp"

-- connect dials the real server; key makes a key of this test's own, so
-- that tests do not see each other's data.
local function connect(opts)
  opts = opts or {}
  opts.timeout = opts.timeout or 10
  return assert(resp.connect(REDIS_ADDR, opts))
end

local function key(t, name)
  return t:name() .. ":" .. name
end

local fake_server = testhelp.serve_once

-- reply_of feeds data to resp.read_reply through a loopback conn and
-- returns what it gives.
local function reply_of(data, opts)
  local c, s = testhelp.tcp_pair()
  assert(s:write(data))
  s:close_write()
  local v, t, x = resp.read_reply(c, opts)
  c:close(); s:close()
  return v, t, x
end

function TestSetGetIncr(t)
  local r = connect()
  local k = key(t, "k")
  local v, ty = r:call("SET", k, "hello world")
  assert(v == "OK" and ty == "simple", tostring(v))
  v, ty = r:call("GET", k)
  assert(v == "hello world" and ty == "bulk", tostring(v))
  -- Binary-safe, both ways.
  local bin = "a\r\nb\0c" .. string.rep("\255", 300)
  assert(r:call("SET", k, bin) == "OK")
  assert(r:call("GET", k) == bin)
  -- Numbers go out in decimal; INCR's replies are integers.
  local n = key(t, "n")
  assert(r:call("SET", n, 41) == "OK")
  v, ty = r:call("INCR", n)
  assert(v == 42 and ty == "integer", tostring(v))
  assert(r:call({ "INCRBY", n, 8 }) == 50, "a table of arguments works too")
  assert(r:call("DEL", k, n) == 2)
  assert(tostring(r):find("resp client"))
  assert(r:close())
  local gone, err = r:call("PING")
  testhelp.expect_error("closed", gone, err, "call after close")
end

function TestNullBulk(t)
  local r = connect()
  local v, ty = r:call("GET", key(t, "missing"))
  assert(v == resp.null and ty == "null", tostring(v))
  assert(resp.type(v) == "null" and tostring(v) == "null")
  -- A null inside an array keeps its place: no holes.
  assert(r:call("SET", key(t, "a"), "1") == "OK")
  local list = r:call("MGET", key(t, "missing"), key(t, "a"), key(t, "missing2"))
  assert(resp.type(list) == "array" and #list == 3, resp.type(list))
  assert(list[1] == resp.null and list[2] == "1" and list[3] == resp.null)
  local empty = r:call("LRANGE", key(t, "nolist"), 0, -1)
  assert(resp.type(empty) == "array" and #empty == 0)
  r:close()
end

function TestPipelineThousand(t)
  local r = connect()
  local n = key(t, "n")
  local replies = assert(r:pipeline(function(p)
    for _ = 1, 1000 do p:call("INCR", n) end
  end))
  assert(#replies == 1000, #replies)
  for i = 1, 1000 do assert(replies[i] == i, ("reply %d is %s"):format(i, tostring(replies[i]))) end

  -- By hand: 1000 sends, then 1000 receives, in order.
  for i = 1, 1000 do assert(r:send("ECHO", "m" .. i)) end
  for i = 1, 1000 do
    local v = assert(r:receive())
    assert(v == "m" .. i, ("reply %d is %s"):format(i, tostring(v)))
  end

  -- Mixed replies, errors in place.
  replies = assert(r:pipeline(function(p)
    p:call("SET", key(t, "s"), "text")
    p:call("INCR", key(t, "s"))
    p:call("GET", key(t, "none"))
    p:call("PING")
  end))
  assert(#replies == 4)
  assert(replies[1] == "OK" and resp.is_error(replies[2]) and replies[3] == resp.null and replies[4] == "PONG")
  assert(replies[2].kind == "redis" and replies[2].code == "ERR")
  assert(#assert(r:pipeline(function() end)) == 0, "an empty pipeline")
  r:close()
end

-- A pipeline over 64 KiB is written by a task of its own while the
-- replies are read.
function TestPipelineLarge(t)
  local r = connect()
  local big = string.rep("0123456789abcdef", 16 * 1024) -- 256 KiB
  local replies = assert(r:pipeline(function(p)
    for i = 1, 40 do p:call("SET", key(t, i), big .. i) end
    for i = 1, 40 do p:call("GET", key(t, i)) end
  end))
  assert(#replies == 80)
  for i = 1, 40 do
    assert(replies[i] == "OK")
    assert(replies[40 + i] == big .. i, "GET " .. i)
  end
  r:close()
end

function TestErrorReply(t)
  local r = connect()
  local k = key(t, "text")
  assert(r:call("SET", k, "not a number") == "OK")
  local v, err = r:call("INCR", k)
  assert(v == nil and err.kind == "redis", tostring(err))
  assert(err.message:find("^ERR") and err.code == "ERR", err.message)
  assert(tostring(err) == err.message and ("x: " .. err):find("^x: ERR"))
  assert(resp.is_error(err) and resp.type(err) == "error")
  -- The client is still usable after an error reply.
  assert(r:call("PING") == "PONG")
  local l = key(t, "list")
  assert(r:call("RPUSH", l, "a") == 1)
  v, err = r:call("GET", l)
  assert(v == nil and err.kind == "redis" and err.code == "WRONGTYPE", tostring(err))
  assert(err.message:find("^WRONGTYPE"))
  -- assert raises the error value itself.
  local ok, raised = pcall(function() return assert(r:call("NOSUCHCOMMAND")) end)
  assert(not ok and raised.kind == "redis" and tostring(raised):find("unknown command"), tostring(raised))
  r:close()
end

function TestRESP3(t)
  local r = connect()
  local hello, ty = r:call("HELLO", "3")
  assert(ty == "map" and resp.type(hello) == "map", tostring(ty))
  assert(hello.server == "redis" and hello.proto == 3, tostring(hello.server))
  assert(resp.type(hello.modules) == "array")
  -- RESP3's null is _.
  local v
  v, ty = r:call("GET", key(t, "missing"))
  assert(v == resp.null and ty == "null")
  local h = key(t, "h")
  assert(r:call("HSET", h, "a", "1", "b", "2") == 2)
  local m = r:call("HGETALL", h)
  assert(resp.type(m) == "map" and m.a == "1" and m.b == "2")
  assert(r:call("SADD", key(t, "s"), "x", "y") == 2)
  local s = r:call("SMEMBERS", key(t, "s"))
  assert(resp.type(s) == "set" and #s == 2)
  r:close()

  -- Every RESP3 type, from DEBUG PROTOCOL, on a client made with
  -- protocol = 3 (HELLO 3 at connect).
  r = connect({ protocol = 3 })
  local function debug(what) return r:call("DEBUG", "PROTOCOL", what) end
  v, ty = debug("double")
  assert(ty == "double" and math.abs(v - 3.141) < 1e-9, tostring(v))
  v, ty = debug("bignum")
  assert(ty == "big_number" and v == "1234567999999999999999999999999999999", tostring(v))
  v, ty = debug("true")
  assert(v == true and ty == "boolean")
  v, ty = debug("false")
  assert(v == false and ty == "boolean")
  v, ty = debug("verbatim")
  assert(ty == "verbatim" and v == "This is a verbatim\nstring", tostring(v))
  local attr
  v, ty, attr = debug("attrib")
  assert(ty == "bulk" and v:find("following the attribute") and resp.type(attr) == "map", tostring(v))
  v, ty = debug("map")
  assert(ty == "map" and v[0] == false and v[1] == true)
  -- A push message before the reply is set aside; receive returns it.
  v, ty = debug("push")
  assert(ty == "bulk" and v:find("following the push"), tostring(v))
  v, ty = r:receive()
  assert(ty == "push" and resp.type(v) == "push" and v[1] == "server-cpu-usage", tostring(v))
  assert(r:call("PING") == "PONG")
  r:close()
end

-- Pub/sub with send and receive: in RESP3 the messages are pushes.
function TestSubscribe(t)
  local sub = connect({ protocol = 3 })
  local ch = key(t, "ch")
  assert(sub:send("SUBSCRIBE", ch))
  local v, ty = sub:receive()
  assert(ty == "push" and v[1] == "subscribe" and v[2] == ch, tostring(v))
  local pub = connect()
  assert(pub:call("PUBLISH", ch, "hello") == 1)
  v, ty = sub:receive()
  assert(ty == "push" and v[1] == "message" and v[2] == ch and v[3] == "hello", tostring(v))
  pub:close(); sub:close()
end

-- A bulk length over the cap is too_large at once: the server below
-- never sends the 999999999999 bytes, so a client that tried to read
-- them would time out instead.
function TestCapBulk(t)
  local addr = fake_server(function(c)
    resp.read_command(c)
    c:write("$999999999999\r\n")
    c:read() -- wait for the client to hang up
  end)
  local r = assert(resp.connect(addr, { timeout = 10 }))
  local t0 = time.now()
  local v, err = r:call("GET", "k")
  testhelp.expect_error("too_large", v, err, "GET of a huge bulk")
  assert(err.message:find("999999999999") and time.since(t0) < 5, err.message)
  -- The stream is out of step now: the client closed itself.
  v, err = r:call("PING")
  testhelp.expect_error("closed", v, err, "call after too_large")
end

function TestCapsAndProtocolErrors(t)
  local function expect(kind, data, opts)
    local v, err = reply_of(data, opts)
    testhelp.expect_error(kind, v, err, ("%q"):format(data))
  end
  expect("too_large", "$999999999999\r\n")
  expect("too_large", "$99999999999999999999999999\r\n")
  expect("too_large", "!999999999999\r\n")
  expect("too_large", "=999999999999\r\n")
  expect("too_large", "$11\r\nhello world\r\n", { max_bulk = 10 })
  expect("too_large", "*1000001\r\n", { max_items = 1000000 })
  expect("too_large", "%99999999999999\r\n")
  expect("too_large", string.rep("*1\r\n", 40) .. ":1\r\n")
  expect("too_large", string.rep("*1\r\n", 5) .. ":1\r\n", { max_depth = 4 })
  expect("too_large", "+" .. string.rep("x", 100) .. "\r\n", { max_line = 50 })
  expect("other", "?what\r\n")
  expect("other", "$abc\r\n")
  expect("other", "$-2\r\n")
  expect("other", ":12x\r\n")
  expect("other", "#x\r\n")
  expect("other", ",1.2.3\r\n")
  expect("other", "$3\r\nabcde\r\n")
  expect("other", "(12a\r\n")
  expect("other", "=-1\r\n")
  expect("eof", "$10\r\nabc")
  expect("eof", "*3\r\n:1\r\n")
  expect("eof", "")
  -- Within the caps, the same shapes decode.
  local v = reply_of(string.rep("*1\r\n", 5) .. ":7\r\n", { max_depth = 6 })
  assert(v[1][1][1][1][1] == 7)
  assert(reply_of("$10\r\nhello worl\r\n", { max_bulk = 10 }) == "hello worl")
  assert(reply_of("$0\r\n\r\n") == "")
  assert(reply_of("*-1\r\n") == resp.null)
  assert(reply_of(",inf\r\n") == math.huge and reply_of(",-inf\r\n") == -math.huge)
  local nan = reply_of(",nan\r\n")
  assert(nan ~= nan)
  local m = reply_of("%2\r\n,nan\r\n:1\r\n_\r\n:2\r\n")
  assert(m.nan == 1 and m[resp.null] == 2, "a NaN key becomes \"nan\"")
  local err
  v, err = reply_of("-ERR bad thing\r\n")
  assert(v == nil and err.kind == "redis" and err.code == "ERR" and err.message == "ERR bad thing")
  v, err = reply_of("!21\r\nSYNTAX invalid syntax\r\n")
  assert(v == nil and err.kind == "redis" and err.code == "SYNTAX")
  v = reply_of("*2\r\n-ERR inner\r\n:1\r\n")
  assert(resp.is_error(v[1]) and v[1].message == "ERR inner" and v[2] == 1)
end

-- Random bytes, and random cuts of valid replies, never raise a Lua
-- error: each is a value or nil, err.
function TestGarbageNeverRaises(t)
  math.randomseed(7)
  local valid = "*4\r\n$3\r\nabc\r\n:12\r\n%1\r\n+k\r\n~2\r\n#t\r\n,1.5\r\n|1\r\n+a\r\n_\r\n"
  local alphabet = "*$%~>|!=:+-_#,(0123456789\r\n-abc"
  for i = 1, 300 do
    local data
    if i % 2 == 0 then
      data = valid:sub(1, math.random(#valid))
    else
      local b = {}
      for j = 1, math.random(1, 40) do
        local k = math.random(#alphabet)
        b[j] = alphabet:sub(k, k)
      end
      data = table.concat(b)
    end
    local c, s = testhelp.tcp_pair()
    assert(s:write(data))
    s:close_write()
    local ok, perr = pcall(function()
      for _ = 1, 50 do
        local v, err = resp.read_reply(c, { max_bulk = 1000, max_items = 100 })
        if v == nil then
          assert(err and err.kind, "an error value")
          if err.kind ~= "redis" then return end
        end
      end
    end)
    c:close(); s:close()
    assert(ok, ("input %q raised %s"):format(data, tostring(perr)))
  end
end

-- Inline commands are split as Redis splits them (sdssplitargs): quotes,
-- escapes, and unbalanced quotes as a protocol error after which the
-- conn is out of step (Redis closes it). More cases: FuzzRESPSplitArgs
-- against a port of sdssplitargs; scripts_redis_py_test.go against
-- redis-server.
function TestReadCommandInlineQuotes(t)
  local c, s = testhelp.tcp_pair()
  assert(c:write('SET k "a b\\x21\\n" \'it\\\'s\' x"y z"\r\n' .. 'GET "k"\r\n' .. '""\r\n' .. "SET k 'open\r\n"))
  local a = assert(resp.read_command(s))
  assert(#a == 5 and a[3] == "a b!\n" and a[4] == "it's" and a[5] == "xy z", table.concat(a, "|"))
  a = assert(resp.read_command(s))
  assert(#a == 2 and a[1] == "GET" and a[2] == "k")
  a = assert(resp.read_command(s))
  assert(#a == 1 and a[1] == "", "an empty quoted word is a word")
  local none, err = resp.read_command(s)
  assert(none == nil and err.kind == "other" and err.message == "resp: unbalanced quotes in request", tostring(err))
  assert(#resp.split_args("  ") == 0 and resp.split_args('"a"b') == nil and resp.split_args("a\0b c")[1] == "a")
  assert(not pcall(resp.split_args, 1))
  c:close(); s:close()
end

-- The server side: read_command and the encoders, against resp's own
-- client and by the bytes.
function TestServerSide(t)
  local c, s = testhelp.tcp_pair()
  assert(c:write(resp.encode_command("SET", "k", "a\r\nb", 42, 1.5)))
  assert(c:write("PING hello  world\r\n\r\n*0\r\n"))
  assert(c:write(resp.encode_command({ "GET", "k" })))
  local a = assert(resp.read_command(s))
  assert(#a == 5 and a[1] == "SET" and a[2] == "k" and a[3] == "a\r\nb" and a[4] == "42" and a[5] == "1.5", table.concat(a, "|"))
  a = assert(resp.read_command(s))
  assert(#a == 3 and a[1] == "PING" and a[2] == "hello" and a[3] == "world", "an inline command")
  a = assert(resp.read_command(s))
  assert(#a == 2 and a[1] == "GET" and a[2] == "k")

  assert(s:write(resp.encode_simple("OK") .. resp.encode_error("ERR x") .. resp.encode_integer(-42) ..
    resp.encode_bulk(nil) .. resp.encode_bulk("v\0") .. resp.encode_bulk(7) ..
    resp.encode_array({ "a", 1, resp.null, { "n", true }, resp.error("ERR in"), n = 6 }) ..
    resp.encode_array(nil) .. resp.encode_map({ b = 2, a = "x" })))
  local v, ty = resp.read_reply(c)
  assert(v == "OK" and ty == "simple")
  local err
  v, err = resp.read_reply(c)
  assert(v == nil and err.kind == "redis" and err.message == "ERR x")
  assert(resp.read_reply(c) == -42)
  assert(resp.read_reply(c) == resp.null)
  assert(resp.read_reply(c) == "v\0")
  assert(resp.read_reply(c) == "7")
  v, ty = resp.read_reply(c)
  assert(ty == "array" and #v == 6 and v[1] == "a" and v[2] == 1 and v[3] == resp.null)
  assert(v[4][1] == "n" and v[4][2] == 1 and resp.is_error(v[5]) and v[6] == resp.null)
  assert(resp.read_reply(c) == resp.null)
  v, ty = resp.read_reply(c)
  assert(ty == "map" and v.a == "x" and v.b == 2)
  assert(resp.encode_map({ b = 2, a = "x" }) == "%2\r\n$1\r\na\r\n$1\r\nx\r\n$1\r\nb\r\n:2\r\n")
  assert(resp.encode_command("SET", "k", 42) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n42\r\n")

  -- Caps and protocol errors on the server side.
  assert(c:write("*2\r\n$99999999999\r\n"))
  v, err = resp.read_command(s)
  testhelp.expect_error("too_large", v, err, "a huge argument")
  c:close(); s:close()
  c, s = testhelp.tcp_pair()
  assert(c:write("*1\r\n:1\r\n"))
  v, err = resp.read_command(s)
  testhelp.expect_error("other", v, err, "an integer in a command")
  assert(c:write("*99999999\r\n"))
  v, err = resp.read_command(s, { max_items = 1000 })
  testhelp.expect_error("too_large", v, err, "too many arguments")
  c:close()
  v, err = resp.read_command(s)
  testhelp.expect_error("eof", v, err, "the end")
  s:close()

  -- Bad arguments raise.
  assert(not pcall(resp.encode_simple, "a\r\nb"))
  assert(not pcall(resp.encode_error, "x\n"))
  assert(not pcall(resp.encode_integer, 1.5))
  assert(not pcall(resp.encode_bulk, {}))
  assert(not pcall(resp.encode_command))
  assert(not pcall(resp.encode_command, "GET", {}))
end

-- A whole pretend Redis in a few lines: ln:serve, read_command, the
-- encoders; resp's client talks to it.
function TestFakeServerRoundTrip(t)
  local ln = testhelp.listen()
  local store = {}
  ln:serve(function(c)
    c:set_timeout(10)
    while true do
      local a = resp.read_command(c)
      if not a then return end
      local cmd = a[1]:upper()
      if cmd == "SET" then
        store[a[2]] = a[3]
        c:write(resp.encode_simple("OK"))
      elseif cmd == "GET" then
        c:write(resp.encode_bulk(store[a[2]]))
      else
        c:write(resp.encode_error("ERR unknown command '" .. a[1] .. "'"))
      end
    end
  end)
  local r = assert(resp.connect(tostring(ln:addr()), { timeout = 10 }))
  assert(r:call("SET", "k", "v") == "OK")
  assert(r:call("GET", "k") == "v")
  assert(r:call("GET", "nope") == resp.null)
  local v, err = r:call("FLY")
  assert(v == nil and err.kind == "redis" and err.message == "ERR unknown command 'FLY'")
  local replies = assert(r:pipeline(function(p)
    for i = 1, 100 do p:call("SET", "k" .. i, i) end
    for i = 1, 100 do p:call("GET", "k" .. i) end
  end))
  for i = 1, 100 do assert(replies[i] == "OK" and replies[100 + i] == tostring(i)) end
  r:close()
  ln:close()
end

-- A client over a conn made elsewhere (resp.new), and a server that dies
-- mid-reply.
function TestNewAndEOF(t)
  local addr = fake_server(function(c)
    resp.read_command(c)
    c:write("$10\r\nabc")
  end)
  local conn = assert(net.dial("tcp", addr, { timeout = 10 }))
  conn:set_timeout(10)
  local r = resp.new(conn)
  local v, err = r:call("GET", "k")
  testhelp.expect_error("eof", v, err, "a reply cut short")
  v, err = r:call("GET", "k")
  testhelp.expect_error("closed", v, err, "after eof")
  v, err = resp.connect("127.0.0.1:1", { timeout = 5 })
  testhelp.expect_error("refused", v, err, "connect to a closed port")
end

-- command_of feeds data to resp.read_command through a loopback conn.
local function command_of(data, opts)
  local c, s = testhelp.tcp_pair()
  assert(s:write(data))
  s:close_write()
  local v, err = resp.read_command(c, opts)
  c:close(); s:close()
  return v, err
end

-- A whole reply is bounded in elements, every level together, an
-- aggregate counting as resp.AGGREGATE_WEIGHT: "*1048576" of "*0" (a
-- million tables from 4 MB) is refused on its first line, before a table
-- is made; the element cap and the byte cap are options too.
function TestReplyMessageBudget(t)
  assert(resp.MAX_ELEMENTS == 1048576 and resp.MAX_MESSAGE == 128 * 1024 * 1024 and resp.AGGREGATE_WEIGHT == 8)
  local v, err = reply_of("*1048576\r\n" .. string.rep("*0\r\n", 1000))
  err = testhelp.expect_error("too_large", v, err, "a million nested arrays")
  assert(tostring(err):find("elements", 1, true), tostring(err))
  -- What fits: a thousand empty arrays in one.
  v = assert(reply_of("*1000\r\n" .. string.rep("*0\r\n", 1000)))
  assert(#v == 1000)
  -- Nested: 100 arrays of 100 strings is 100 * 8 + 10,000 elements.
  local inner = "*100\r\n" .. string.rep("+x\r\n", 100)
  local data = "*100\r\n" .. string.rep(inner, 100)
  v = assert(reply_of(data))
  assert(#v == 100 and #v[100] == 100)
  v, err = reply_of(data, { max_elements = 5000 })
  testhelp.expect_error("too_large", v, err, "over max_elements, nested")
  -- Bytes: a reply of three 400-byte strings against a 1000-byte cap.
  local bulk = "$400\r\n" .. string.rep("b", 400) .. "\r\n"
  v, err = reply_of("*3\r\n" .. bulk:rep(3), { max_message = 1000 })
  err = testhelp.expect_error("too_large", v, err, "over max_message")
  assert(tostring(err):find("1000 bytes", 1, true), tostring(err))
  assert(#assert(reply_of("*2\r\n" .. bulk:rep(2), { max_message = 1000 })) == 2)
end

-- A command is bounded as a whole, not only each argument: the argument
-- that takes it over max_message is refused before it is read (24
-- arguments of 64 MiB were 1.7 GB in fake_redis.lua).
function TestCommandMessageBudget(t)
  local bulk = "$400\r\n" .. string.rep("a", 400) .. "\r\n"
  local v, err = command_of("*3\r\n" .. bulk:rep(3), { max_message = 1000 })
  testhelp.expect_error("too_large", v, err, "command over max_message")
  v = assert(command_of("*2\r\n" .. bulk:rep(2), { max_message = 1000 }))
  assert(#v == 2 and #v[2] == 400)
  -- The header says more arguments than the element budget: at once.
  v, err = command_of("*5\r\n", { max_elements = 4 })
  testhelp.expect_error("too_large", v, err, "command over max_elements")
  -- The default is documented as a module field.
  local c, s = testhelp.tcp_pair()
  assert(s:write("*2\r\n$67108864\r\n"))
  -- 64 MiB, and a second one that would take the command over 128 MiB:
  -- refused at its header, nothing of it read.
  local big = string.rep("z", 1024 * 1024)
  task.spawn(function()
    for _ = 1, 64 do s:write(big) end
    s:write("\r\n$67108864\r\n")
  end)
  local got
  got, err = resp.read_command(c)
  testhelp.expect_error("too_large", got, err, "two arguments of 64 MiB")
  c:close(); s:close()
end

-- Peer bytes in a protocol error are escaped.
function TestProtocolErrorsEscape(t)
  local v, err = reply_of("\27]0;pwned\7\r\n")
  err = testhelp.expect_error("other", v, err, "a type byte ESC")
  assert(not tostring(err):find("[\27\7]"), tostring(err))
  assert(tostring(err):find("\\27", 1, true), tostring(err))
  v, err = command_of("*1\r\n\27[2J\r\n")
  err = testhelp.expect_error("other", v, err, "ESC in a command")
  assert(not tostring(err):find("\27", 1, true), tostring(err))
end

-- math.huge is infinity (gopher-lua patch 12): an infinite integer is
-- refused, not written as ":+Inf", and RESP3's inf reads as 1/0.
function TestInfinity(t)
  assert(math.huge == 1 / 0 and -math.huge == -1 / 0, "math.huge is not infinity")
  for _, n in ipairs({ 1 / 0, -1 / 0 }) do
    local ok, err = pcall(resp.encode_integer, n)
    assert(not ok and tostring(err):find("whole number or integer string expected"), tostring(err))
  end
  local v, ty = reply_of(",inf\r\n")
  assert(v == 1 / 0 and ty == "double", tostring(v))
  v = reply_of(",-inf\r\n")
  assert(v == -1 / 0, tostring(v))
end

-- Redis's integers are 64-bit (issue 24, item 2): an integer reply beyond
-- ±2^53 comes back as its decimal string, every digit kept; before, the
-- float64 rounded :123456789012345678 to ...680.
function TestIntegersPast2To53(t)
  local r = connect()
  local k = key(t, "n")
  assert(r:call("SET", k, "123456789012345678") == "OK")
  local v, ty = r:call("INCR", k)
  assert(v == "123456789012345679" and ty == "integer", tostring(v))
  v, ty = r:call("DECRBY", k, "123456789012345679")
  assert(v == 0 and ty == "integer", tostring(v))
  -- Across 2^53: a number up to it, the digits past it, both ways.
  assert(r:call("SET", k, "9007199254740991") == "OK")
  v = r:call("INCR", k)
  assert(v == 9007199254740992 and type(v) == "number", tostring(v))
  v = r:call("INCR", k)
  assert(v == "9007199254740993", tostring(v))
  assert(r:call("SET", k, "-9007199254740994") == "OK")
  v = r:call("INCR", k)
  assert(v == "-9007199254740993", tostring(v))
  v = r:call("INCR", k)
  assert(v == -9007199254740992 and type(v) == "number", tostring(v))
  -- int64's ends; the string goes back out as an argument, unchanged.
  v = r:call("INCRBY", k, "-9223372036854775807")
  assert(v == nil, "past int64: an error reply")
  assert(r:call("SET", k, "-9223372036854775807") == "OK")
  v = r:call("DECR", k)
  assert(v == "-9223372036854775808", tostring(v))
  v = r:call("INCRBY", k, "9223372036854775807")
  assert(v == -1, tostring(v))
  v = r:call("INCRBY", k, "9223372036854775807")
  assert(v == "9223372036854775806", tostring(v))
  -- What add_integers gives, Redis gives.
  local sum = assert(resp.add_integers(v, 1))
  assert(r:call("INCR", k) == sum and sum == "9223372036854775807", tostring(sum))
  r:close()
end

-- The same from peers written here: signs and leading zeros as RESP
-- allows them, inside aggregates and as map keys, RESP3 big numbers as
-- they came.
function TestIntegerRepliesExact(t)
  local cases = {
    { ":123456789012345678\r\n", "123456789012345678" },
    { ":-123456789012345678\r\n", "-123456789012345678" },
    { ":+0009007199254740993\r\n", "9007199254740993" },
    { ":-009007199254740993\r\n", "-9007199254740993" },
    { ":9007199254740992\r\n", 9007199254740992 },
    { ":-9007199254740992\r\n", -9007199254740992 },
    { ":+00000000000000000000000000012\r\n", 12 },
    { ":-0\r\n", 0 },
    { ":9223372036854775807\r\n", "9223372036854775807" },
    { ":-9223372036854775808\r\n", "-9223372036854775808" },
  }
  for _, c in ipairs(cases) do
    local v, ty = reply_of(c[1])
    assert(v == c[2] and ty == "integer", ("%q: got %s"):format(c[1], tostring(v)))
    -- Encoded back, it reads back the same.
    local back = reply_of(resp.encode_integer(v))
    assert(back == v, ("%q: encoded back as %q"):format(c[1], resp.encode_integer(v)))
  end
  for _, bad in ipairs({ ":9223372036854775808\r\n", ":-9223372036854775809\r\n", ":1e3\r\n" }) do
    local v, err = reply_of(bad)
    testhelp.expect_error("other", v, err, bad)
  end
  local list = reply_of("*3\r\n:9007199254740993\r\n:1\r\n*1\r\n:-9223372036854775808\r\n")
  assert(list[1] == "9007199254740993" and list[2] == 1 and list[3][1] == "-9223372036854775808")
  local m = reply_of("%1\r\n:123456789012345678\r\n:-123456789012345678\r\n")
  assert(m["123456789012345678"] == "-123456789012345678")
  local v, ty = reply_of("(-0001234567999999999999999999999\r\n")
  assert(v == "-0001234567999999999999999999999" and ty == "big_number", tostring(v))
  v, ty = reply_of(",9007199254740993\r\n")
  assert(v == 9007199254740992 and ty == "double", "doubles stay numbers")
end

-- resp.parse_integer reads as Redis's string2ll; add_integers is exact
-- in int64; encode_integer takes both forms.
function TestIntegerHelpers(t)
  local yes = {
    ["0"] = 0, ["1"] = 1, ["-1"] = -1, ["9007199254740992"] = 9007199254740992,
    ["9007199254740993"] = "9007199254740993", ["-9007199254740993"] = "-9007199254740993",
    ["9223372036854775807"] = "9223372036854775807", ["-9223372036854775808"] = "-9223372036854775808",
  }
  for s, want in pairs(yes) do
    local got = resp.parse_integer(s)
    assert(got == want, ("parse_integer(%q) = %s"):format(s, tostring(got)))
    assert(resp.encode_integer(s) == ":" .. s .. "\r\n")
  end
  local no = { "", "-", "-0", "01", "+1", " 1", "1 ", "1.0", "1e3", "0x10", "12345678901234567890",
    "9223372036854775808", "-9223372036854775809", "000000000000000000001", string.rep("9", 1e6) }
  for _, s in ipairs(no) do
    assert(resp.parse_integer(s) == nil, ("parse_integer(%q) is not nil"):format(s:sub(1, 30)))
    assert(not pcall(resp.encode_integer, s), s:sub(1, 30))
  end
  assert(not pcall(resp.parse_integer, 1), "a number is not a string")

  local sums = {
    { 1, 2, 3 }, { 9007199254740991, 1, 9007199254740992 }, { 9007199254740992, 1, "9007199254740993" },
    { -9007199254740992, -1, "-9007199254740993" }, { "9007199254740993", -1, 9007199254740992 },
    { "9223372036854775806", 1, "9223372036854775807" }, { "-9223372036854775807", -1, "-9223372036854775808" },
    { "9223372036854775807", "-9223372036854775808", -1 }, { "-5000000000", "5000000001", 1 },
    { "123456789012345678", "-123456789012345678", 0 }, { 2 ^ 62, 2 ^ 62 - 2 ^ 10, "9223372036854774784" },
    { "4999999999", "5000000001", 10000000000 }, { "-19999999999", "9999999999", -10000000000 },
    { "9999999999999999", "1", "10000000000000000" },
  }
  for _, c in ipairs(sums) do
    for _, pair in ipairs({ { c[1], c[2] }, { c[2], c[1] } }) do
      local got, err = resp.add_integers(pair[1], pair[2])
      assert(got == c[3], ("%s + %s = %s (%s)"):format(tostring(pair[1]), tostring(pair[2]), tostring(got), tostring(err)))
    end
  end
  for _, c in ipairs({ { "9223372036854775807", 1 }, { "-9223372036854775808", -1 },
    { "9223372036854775807", "9223372036854775807" }, { 2 ^ 62, 2 ^ 62 } }) do
    local got, err = resp.add_integers(c[1], c[2])
    testhelp.expect_error("too_large", got, err, "overflow")
    assert(tostring(err):find("integer overflow"), tostring(err))
  end
  for _, bad in ipairs({ 0.5, 1 / 0, 0 / 0, 2 ^ 63, -2 ^ 64, "01", " 1", "x", {}, true }) do
    local ok, err = pcall(resp.add_integers, 1, bad)
    assert(not ok and tostring(err):find("bad argument #2 to 'add_integers'"), tostring(err))
    ok, err = pcall(resp.add_integers, bad, 1)
    assert(not ok and tostring(err):find("bad argument #1 to 'add_integers'"), tostring(err))
  end
  assert(resp.add_integers(-2 ^ 63, 0) == "-9223372036854775808", "-2^63 as a number is in range")
end
