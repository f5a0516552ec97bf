-- redis.lua: a Redis client like redis-cli, with the resp module.
--
--   gonetrepl scripts/redis.lua [--timeout SECONDS] [--resp3] ADDR [CMD [ARG...]]
--
-- Connects to the Redis server at ADDR (host:port, or a Unix socket path),
-- sends CMD with its ARGs as one RESP command and prints the reply the way
-- redis-cli does on a terminal: OK for a status, "quoted" strings (every
-- byte visible), (integer) 5, (nil), numbered lines for an array, and
-- RESP3's maps, sets, doubles and booleans (--resp3 sends HELLO 3 first,
-- like redis-cli -3). An error reply goes to stderr as "(error) ERR ..."
-- with exit status 1; so does a connection failure. Nothing the server
-- sent reaches the terminal raw: bulk strings are quoted, status lines,
-- errors and verbatim text are escaped (bin.escape; a verbatim string
-- keeps its line breaks). Everything from ADDR on is taken as it is, so
-- arguments may start with a dash (LRANGE list 0 -1); options go first.
--
-- Without CMD, commands are read from stdin a line at a time, as
-- redis-cli reads them when its stdin is a pipe (echo PING | redis-cli):
-- each line is split as redis-cli splits it (blanks between words;
-- "..." with \n \r \t \a \b \" \\ and \xHH; '...' with \'), sent, and
-- its reply printed on stdout, an error reply as "(error) ..." there too;
-- a line that does not split is "Invalid argument(s)". Blank lines are
-- skipped; EOF, quit or exit ends the run with status 0. On a terminal
-- each line follows a prompt, "127.0.0.1:6379> " (os.stdin_is_terminal).
--
-- SUBSCRIBE, PSUBSCRIBE and SSUBSCRIBE (as CMD or as a line) print their
-- replies and then every message pushed (1) "message" 2) "chan" 3)
-- "payload"), with no timeout, until Ctrl-C (status 130) or the server
-- closes the connection (status 1).
-- Exit status: 0 for a reply, 1 for an error reply or no reply, 2 for a
-- usage error.
--
-- Try it:  redis-server --port 6379 --save "" &
--          gonetrepl scripts/redis.lua 127.0.0.1:6379 SET greeting hello
--          gonetrepl scripts/redis.lua 127.0.0.1:6379 GET greeting
--          printf 'SET k "a b"\nGET k\n' | gonetrepl scripts/redis.lua 127.0.0.1:6379
local flags = require "flags"
local logf = require "logf"
local resp = require "resp"

local cli = flags.new("gonetrepl scripts/redis.lua [options] ADDR [CMD [ARG...]]",
  "Sends a command to the Redis server at ADDR (host:port or a socket path) and prints the reply as redis-cli does;\n" ..
  "without CMD, reads commands from stdin a line at a time (quotes as redis-cli: \"a b\\n\", 'a b'), until EOF, quit or exit.\n" ..
  "After SUBSCRIBE or PSUBSCRIBE, prints each message pushed until Ctrl-C.")
cli:seconds("timeout", 10, "seconds to wait for the connection and for the reply (0: no limit)")
cli:bool("resp3", false, "speak RESP3: send HELLO 3 first, as redis-cli -3")

-- Options come before ADDR; from ADDR on, every word is the command's,
-- even one that starts with a dash.
local function command_line(argv)
  local i = 1
  while argv[i] ~= nil do
    local a = argv[i]
    if a == "--" or a:sub(1, 1) ~= "-" or a == "-" then break end
    if a == "--timeout" or a == "-timeout" then i = i + 1 end
    i = i + 1
  end
  if argv[i] == "--" then return argv end
  local out = {}
  for j = 1, i - 1 do out[#out + 1] = argv[j] end
  out[#out + 1] = "--"
  local j = i
  while argv[j] ~= nil do
    out[#out + 1] = argv[j]
    j = j + 1
  end
  return out
end

cli:args(0, nil, "ADDR [CMD]") -- every word from ADDR on; ADDR is checked below
local opts, args = cli:parse(command_line(arg))
if #args < 1 then
  io.stderr:write("missing ADDR", "\n", cli:help_text(), "\n")
  os.exit(2)
end
local addr = table.remove(args, 1)

-- quote shows a string as redis-cli does: in double quotes, with \n, \r,
-- \t, \", \\ escaped and other unprintable bytes as \xHH.
local escapes = { ["\\"] = "\\\\", ['"'] = '\\"', ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t",
  ["\a"] = "\\a", ["\b"] = "\\b" }
local function quote(s)
  return '"' .. s:gsub('[%c\\"\128-\255]', function(ch)
    return escapes[ch] or ("\\x%02x"):format(ch:byte())
  end) .. '"'
end

-- text shows what the server sent as text: escaped, line breaks kept,
-- each line after the first starting with indent.
local function text(s, indent)
  s = s:gsub("[^\n]+", bin.escape)
  if indent and indent ~= "" then s = s:gsub("\n", "\n" .. indent) end
  return s
end

local function number(n)
  if n == math.floor(n) and math.abs(n) < 2 ^ 63 then return ("%.0f"):format(n) end
  if n ~= n then return "nan" end
  if n == math.huge then return "inf" end
  if n == -math.huge then return "-inf" end
  return ("%.17g"):format(n)
end

-- format renders a reply; t is its RESP type when known (the top-level
-- reply), nil inside an aggregate. indent is the blanks that start each of
-- its lines after the first: the column where the value is shown. Every
-- line is indented once, where it is made; indenting an aggregate's lines
-- again at each level above it (a gsub of its whole text per level) was
-- work in the square of the depth.
local format
local function format_items(v, kind, indent)
  local keys, n = nil, #v
  if kind == "map" then
    keys = resp.sorted_keys(v)
    n = #keys
  end
  if n == 0 then return "(empty " .. kind .. ")" end
  local mark = ({ array = ")", push = ")", set = "~", map = "#" })[kind]
  local width = #tostring(n)
  local inner = indent .. (" "):rep(width + 2) -- where each element is shown, after its "NN) "
  local lines = {}
  for i = 1, n do
    local prefix = ("%" .. width .. "d%s "):format(i, mark)
    local body
    if keys then
      body = format(keys[i], nil, inner) .. " => " .. format(v[keys[i]], nil, inner)
    else
      body = format(v[i], nil, inner)
    end
    lines[#lines + 1] = prefix .. body
  end
  return table.concat(lines, "\n" .. indent)
end

function format(v, t, indent)
  indent = indent or ""
  if v == resp.null then return "(nil)" end
  if resp.is_error(v) then return "(error) " .. text(v.message, indent) end
  local kind = resp.type(v)
  if kind == "array" or kind == "map" or kind == "set" or kind == "push" then return format_items(v, kind, indent) end
  if type(v) == "string" then
    if t == "simple" or t == "verbatim" then return text(v, indent) end
    if t == "big_number" then return "(big number) " .. text(v, indent) end
    -- resp gives an integer past +-2^53 as its digits, every one kept.
    if t == "integer" then return "(integer) " .. text(v, indent) end
    return quote(v)
  elseif type(v) == "number" then
    if t == "double" or (t == nil and v ~= math.floor(v)) then return "(double) " .. number(v) end
    return "(integer) " .. number(v)
  elseif type(v) == "boolean" then
    return v and "(true)" or "(false)"
  end
  return tostring(v)
end

-- log writes a line to stderr, every string argument escaped (logf).
local log = logf.new("redis: ")

-- split cuts a line into words as redis-cli does: resp.split_args is
-- Redis's sdssplitargs, the function redis-cli calls too. nil when the
-- line does not split (an open quote).
local split = resp.split_args

local client, err = resp.connect(addr, { timeout = opts.timeout, protocol = opts.resp3 and 3 or nil })
if not client then
  log("%s", tostring(err))
  os.exit(1)
end

local subscribing = { subscribe = true, psubscribe = true, ssubscribe = true }

-- show prints a reply as redis-cli does, or its error reply; a failure
-- of the connection itself ends the script with status 1.
local function show(v, t)
  if v == nil then
    if t.kind ~= "redis" then
      log("%s", tostring(t))
      os.exit(1)
    end
    print("(error) " .. text(t.message))
  else
    print(format(v, t))
  end
  io.stdout:flush()
end

-- listen prints what a subscribed connection receives, with no timeout,
-- until Ctrl-C ends the process or the server closes the connection.
local function listen()
  client.conn:set_timeout(0)
  while true do
    show(client:receive())
  end
end

-- subscribe sends a SUBSCRIBE-like command: its replies (one per channel)
-- are read by listen along with the messages, as redis-cli prints them.
local function subscribe(words)
  local ok, serr = client:send(words)
  if not ok then
    log("%s", tostring(serr))
    os.exit(1)
  end
  print("Reading messages... (press Ctrl-C to quit)")
  listen()
end

if #args >= 1 then
  if subscribing[args[1]:lower()] then subscribe(args) end
  local reply, t = client:call(args)
  client:close()
  if reply == nil then
    if t.kind == "redis" then
      io.stderr:write("(error) ", text(t.message), "\n")
    else
      log("%s", tostring(t))
    end
    os.exit(1)
  end
  print(format(reply, t))
  os.exit(0)
end

-- Commands from stdin, one a line, after a prompt on a terminal (none on
-- a pipe), as redis-cli does.
local prompt = (addr:match("^[/@]") and "redis " .. addr or addr) .. "> "
local interactive = os.stdin_is_terminal()
while true do
  if interactive then
    io.write(prompt)
    io.flush()
  end
  local line = io.read("*l")
  if line == nil then break end
  local words = split(line)
  if words == nil then
    print("Invalid argument(s)")
  elseif #words > 0 then
    local name = words[1]:lower()
    if name == "quit" or name == "exit" then break end
    if subscribing[name] then subscribe(words) end
    show(client:call(words))
  end
end
client:close()
