-- A server for hardening_wire_test.go: one TCP listener per read method of
-- a conn, each on a free loopback port, and one UDP socket read with
-- pc:read_from. Each prints "METHOD listening on ADDR" on stderr; then
-- "stats listening on ADDR" names a listener that answers every connection
-- with the counters below and closes it.
--
-- Every handler is the plain code a script would have: it loops reading
-- with its method, echoes what it read back in a form a client can check,
-- and returns at the first read or write error (ln:serve then closes the
-- conn). Nothing is printed per connection: the handler's end is counted
-- instead, by error kind ("eof", "reset", "too_large"...), "clean" for a
-- handler that returned no error, "raised" for a Lua error that escaped it
-- (with the last message kept), so that the test can tell what the server
-- saw and the output stays bounded whatever the test throws at it.
--
-- The protocols (what a well-behaved client sends, and gets back):
--   read        any bytes; echoed as they come
--   read_full   records: a 4-byte big-endian length, then that many bytes
--               (c:read_full(4), then c:read_full(n)); echoed whole
--   read_line   lines; each echoed with "\n"
--   lines       the same, through for line in c:lines()
--   read_until  messages ended by "\r\n\r\n"; echoed with it
--   read_all    everything up to the client's half-close; echoed, then closed
--   read_frame  frames with read_frame's default 4-byte header (1 MiB cap);
--               each echoed with write_frame
--   expect      "PING WORD\n" -> "PONG WORD\n" (c:expect with a capture)
--   expect_scan any text; each last word before a "\n" echoed with "\n"
--               (c:expect("(%w+)\n"): an unanchored pattern, which
--               backtracks)
--   read_from   UDP datagrams, each echoed to its sender

local order = {"read", "read_full", "read_line", "lines", "read_until", "read_all",
  "read_frame", "expect", "expect_scan", "read_from"}
local stats = {}
for _, m in ipairs(order) do stats[m] = {accepted = 0, active = 0} end

local function count(method, key)
  local s = stats[method]
  s[key] = (s[key] or 0) + 1
end

-- write sends data and returns nil, or the write's error.
local function write(c, data)
  local n, err = c:write(data)
  if not n then return err end
end

local handlers = {}

function handlers.read(c)
  while true do
    local data, err = c:read()
    if not data then return err end
    err = write(c, data)
    if err then return err end
  end
end

function handlers.read_full(c)
  while true do
    local header, err = c:read_full(4)
    if not header then return err end
    local n = string.unpack(">I4", header)
    local body
    body, err = c:read_full(n)
    if not body then return err end
    err = write(c, header .. body)
    if err then return err end
  end
end

function handlers.read_line(c)
  while true do
    local line, err = c:read_line()
    if not line then return err end
    err = write(c, line .. "\n")
    if err then return err end
  end
end

function handlers.lines(c)
  for line in c:lines() do -- raises any error but EOF: counted by its kind below
    local err = write(c, line .. "\n")
    if err then return err end
  end
end

function handlers.read_until(c)
  while true do
    local data, err = c:read_until("\r\n\r\n")
    if not data then return err end
    err = write(c, data .. "\r\n\r\n")
    if err then return err end
  end
end

function handlers.read_all(c)
  local data, err = c:read_all()
  if not data then return err end
  return write(c, data)
end

function handlers.read_frame(c)
  while true do
    local data, err = c:read_frame()
    if not data then return err end
    local n
    n, err = c:write_frame(data)
    if not n then return err end
  end
end

function handlers.expect(c)
  while true do
    local data, word = c:expect("^PING (%w+)\n")
    if not data then return word end -- nil, err: word is the error
    local err = write(c, "PONG " .. word .. "\n")
    if err then return err end
  end
end

function handlers.expect_scan(c)
  while true do
    local data, word = c:expect("(%w+)\n")
    if not data then return word end
    local err = write(c, word .. "\n")
    if err then return err end
  end
end

-- ended counts how a handler ended: pcall's results.
local function ended(method, ok, err)
  if not ok then
    if type(err) == "userdata" and err.kind then
      count(method, err.kind) -- an error value raised (c:lines does)
    else
      count(method, "raised")
      stats[method].last_raise = tostring(err):gsub("%s+", " ")
    end
  elseif err then
    count(method, err.kind)
  else
    count(method, "clean")
  end
end

for _, method in ipairs(order) do
  local handler = handlers[method]
  if handler then
    local ln = assert(net.listen("tcp", "127.0.0.1:0"))
    local s = stats[method]
    ln:serve(function(c)
      s.accepted = s.accepted + 1
      s.active = s.active + 1
      local ok, err = pcall(handler, c)
      s.active = s.active - 1
      ended(method, ok, err)
    end)
    io.stderr:write(method .. " listening on " .. tostring(ln:addr()) .. "\n")
  end
end

local pc = assert(net.listen_packet("udp", "127.0.0.1:0"))
task.spawn(function()
  local s = stats.read_from
  while true do
    local data, from = pc:read_from()
    if data then
      s.accepted = s.accepted + 1
      local n, err = pc:write_to(data, from)
      if not n then count("read_from", err.kind) end
    else
      count("read_from", from.kind) -- from is the error
      if from.kind == "closed" then return end
    end
  end
end)
io.stderr:write("read_from listening on " .. tostring(pc:local_addr()) .. "\n")

-- The stats: one line per method, "METHOD key=value ..." (keys sorted),
-- then "| last raised message" if a Lua error escaped a handler; "end" last.
local ctl = assert(net.listen("tcp", "127.0.0.1:0"))
ctl:serve(function(c)
  local out = {}
  for _, m in ipairs(order) do
    local s, keys = stats[m], {}
    for k, v in pairs(s) do
      if type(v) == "number" then keys[#keys + 1] = k end
    end
    table.sort(keys)
    local line = {m}
    for _, k in ipairs(keys) do line[#line + 1] = k .. "=" .. s[k] end
    local text = table.concat(line, " ")
    if s.last_raise then text = text .. " | " .. s.last_raise end
    out[#out + 1] = text .. "\n"
  end
  out[#out + 1] = "end\n"
  c:write(table.concat(out))
end)
io.stderr:write("stats listening on " .. tostring(ctl:addr()) .. "\n")
