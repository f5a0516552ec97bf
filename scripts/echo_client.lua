-- echo_client.lua: a netcat-like client, stdin to a conn and the conn to stdout.
--
--   gonetrepl scripts/echo_client.lua [ADDR] [--udp] [--timeout SECONDS]
--
-- Connects to ADDR (default 127.0.0.1:9000, where scripts/echo.lua listens)
-- and runs two tasks at once: one copies stdin to the conn, the other the
-- conn to stdout, byte for byte. When stdin ends, the conn is half-closed
-- (close_write: the peer reads EOF and can still answer); the script ends
-- when both directions have ended, that is once the peer has closed too.
--
-- With --udp it dials a connected UDP socket instead: each line of stdin
-- (without its newline) is sent as one datagram, and each datagram that
-- comes back is printed on a line of its own. UDP has no end of stream:
-- after stdin ends, replies are printed until none has come for --timeout
-- seconds (1 if --timeout is 0).
--
-- --timeout bounds the connect (default 10 s) and is an idle timeout:
-- nothing received for SECONDS ends the session with an error.
--
-- Exit status: 0 when both directions ended cleanly; 1 when the connect
-- failed (refused, timeout...), the conn failed (reset, idle timeout) or
-- a UDP reply said nothing listens there; 2 for a usage error.
--
-- Reading stdin: io.read lets the other tasks run while it waits for
-- input, so what the peer sends shows at once, even while nobody types.
--
-- Try it:  gonetrepl scripts/echo.lua &
--          printf 'hello\nworld\n' | gonetrepl scripts/echo_client.lua
--          gonetrepl scripts/udp_echo.lua 127.0.0.1:9009 &
--          printf 'one\ntwo\n' | gonetrepl scripts/echo_client.lua --udp 127.0.0.1:9009
local flags = require "flags"

local cli = flags.new("gonetrepl scripts/echo_client.lua [ADDR] [options]",
  "Copies stdin to a conn to ADDR (default 127.0.0.1:9000) and the conn to stdout, like nc.")
cli:bool("udp", false, "use a connected UDP socket: one datagram per stdin line, one line per reply")
cli:seconds("timeout", 0, "seconds to connect and idle timeout (0: 10 s to connect, no idle timeout)")
cli:args(0, 1, "ADDR")
local opts, args = cli:parse(arg)
local addr = args[1] or "127.0.0.1:9000"

local function usage_error(msg)
  io.stderr:write("echo_client: ", msg, "\n", cli:help_text(), "\n")
  os.exit(2)
end
if #args > 1 then usage_error("one ADDR expected, got " .. #args .. " arguments") end

local function fail(fmt, ...)
  io.stderr:write("echo_client: ", fmt:format(...), "\n")
  os.exit(1)
end

local c, err = net.dial(opts.udp and "udp" or "tcp", addr, { timeout = opts.timeout > 0 and opts.timeout or 10 })
if not c then fail("%s", tostring(err)) end

-- The one place that reads stdin. A chunk ends at a newline (so a typed
-- line goes out at once) or after CHUNK bytes; io.read(1) returns as soon
-- as a byte is there, so nothing waits for a full chunk, and every byte,
-- \r and a missing last newline included, goes out as it came.
local CHUNK = 4096
local function read_stdin()
  local bytes = {}
  for i = 1, CHUNK do
    local b = io.read(1)
    if not b then break end
    bytes[i] = b
    if b == "\n" then break end
  end
  if #bytes == 0 then return nil end
  return table.concat(bytes)
end

-- why describes a failed read: an idle timeout says how long.
local function why(e)
  if e.kind == "timeout" then return ("nothing received for %gs"):format(opts.timeout) end
  if e.kind == "refused" then return ("nothing listens on %s (%s)"):format(addr, tostring(e)) end
  return tostring(e)
end

if not opts.udp then
  if opts.timeout > 0 then c:set_timeout(opts.timeout) end

  -- The conn to stdout, until the peer closes: true, or nil and an error.
  local receiver = task.spawn(function()
    while true do
      local data, rerr = c:read()
      if not data then
        if rerr.kind == "eof" then return true end
        return nil, "read: " .. why(rerr)
      end
      io.write(data)
      io.stdout:flush()
    end
  end)
  -- Stdin to the conn, then close_write: the peer reads EOF.
  local sender = task.spawn(function()
    while true do
      local data = read_stdin()
      if not data then break end
      local ok, werr = c:write(data)
      if not ok then return nil, "write: " .. tostring(werr) end
      task.yield() -- let the receiver show what came meanwhile
    end
    local ok, cerr = c:close_write()
    if not ok then return nil, "close_write: " .. tostring(cerr) end
    return true
  end)

  -- A failed receive ends the session at once (the sender may be waiting
  -- for stdin); a clean EOF waits for stdin to end too.
  local ok, rerr = receiver:wait()
  if not ok then fail("%s", tostring(rerr)) end
  local sent, serr = sender:wait()
  if not sent then fail("%s", tostring(serr)) end
  c:close()
  return
end

-- UDP: lines out as datagrams, datagrams back as lines.
local grace = opts.timeout > 0 and opts.timeout or 1
local last = time.now() -- when the last reply came (or stdin ended)
local receiver = task.spawn(function()
  while true do
    local data, rerr = c:read()
    if not data then
      if rerr.kind == "canceled" then return true end
      return nil, "read: " .. why(rerr)
    end
    last = time.now()
    print(data)
  end
end)
while true do
  local line = io.read("*l")
  if not line then break end
  local ok, werr = c:write(line)
  if not ok then fail("write: %s", tostring(werr)) end
  task.yield() -- let the receiver show what came meanwhile
end

-- Stdin has ended: wait until no reply has come for grace seconds.
last = time.now()
while true do
  local left = last + grace - time.now()
  if left <= 0 then break end
  local ok, rerr = receiver:wait(left)
  if ok then break end
  if type(rerr) == "string" then fail("%s", rerr) end -- the receiver failed
  -- else the wait timed out: look at last again
end
receiver:cancel()
c:close()
