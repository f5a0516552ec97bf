-- ws.lua: a WebSocket client for the terminal, like websocat.
--
--   gonetrepl scripts/ws.lua URL [--binary] [--header "Name: value"]...
--                                [--protocol P] [--insecure] [--ca FILE] [--timeout SECONDS]
--                                [--linger SECONDS]
--
-- Connects to URL (ws:// or wss://) and runs two tasks at once: one sends
-- each line of stdin (without its newline) as a message, text or, with
-- --binary, binary; the other prints each message that comes: a text
-- message and a newline, a binary one as its bytes. When stdin ends and
-- no message has come for --linger seconds (default 1: the replies to the
-- last lines are still printed), the close handshake runs (code 1000) and
-- the script ends once the server has answered; when the server closes
-- first, the script ends then, its code and reason on stderr unless 1000.
--
-- --header adds a request header (may be given several times);
-- --protocol offers subprotocols (comma-separated; the chosen one is shown
-- on stderr); --insecure and --ca FILE are for wss://; --timeout bounds
-- the connect and the handshake (default 10 s).
--
-- Exit status: 0 after a close handshake; 1 when the connect or handshake
-- failed, or the connection ended without one (a reset, a protocol
-- error: its close code is on stderr); 2 for a usage error.
--
-- Try it:  gonetrepl scripts/ws_echo.lua &
--          printf 'hello\nworld\n' | gonetrepl scripts/ws.lua ws://127.0.0.1:8765/
local flags = require "flags"
local ws = require "websocket"

local cli = flags.new("gonetrepl scripts/ws.lua URL [options]",
  "Sends stdin lines as WebSocket messages to URL and prints the messages that come, like websocat.")
cli:bool("binary", false, "send each line as a binary message (default: text)")
cli:list("header", "add the request header \"NAME: value\"")
cli:string("protocol", nil, "subprotocols to offer, comma-separated (PROTOCOLS)")
cli:bool("insecure", false, "wss: do not verify the server's certificate")
cli:string("ca", nil, "wss: PEM FILE of the CAs to trust instead of the system's")
cli:seconds("timeout", 10, "seconds for the connect and the handshake", { above = 0 })
cli:seconds("linger", 1, "after stdin ends, wait until no message has come for SECONDS before closing (0: close at once)")
cli:args(1, 1, "URL")

local opts, args = cli:parse(arg)
local headers, usage_error = {}, nil
for _, value in ipairs(opts.header) do
  local name, v = value:match("^([^:%s]+):[ \t]*(.*)$")
  if not name then
    usage_error = usage_error or "--header needs \"Name: value\""
  else
    local list = headers[name] or {}
    list[#list + 1] = v
    headers[name] = list
  end
end
local url = args[1]
if not usage_error and not ws.parse_url(url) then usage_error = "URL must be ws:// or wss://, got " .. bin.escape(url, 200) end
if usage_error then
  io.stderr:write("ws: ", usage_error, "\n", cli:help_text(), "\n")
  os.exit(2)
end

local protocols = {}
for p in (opts.protocol or ""):gmatch("[^,%s]+") do protocols[#protocols + 1] = p end

local ok, s, err = pcall(ws.connect, url, {
  timeout = opts.timeout, headers = headers, protocols = protocols,
  insecure = opts.insecure or nil, ca = opts.ca,
})
if not ok then
  -- A header or protocol connect refuses (CR/LF in a value, a protocol
  -- that is no token) is a usage error.
  io.stderr:write("ws: ", tostring(s):gsub("^.-bad argument #%d+ to connect ", ""), "\n")
  os.exit(2)
end
if not s then
  io.stderr:write("ws: ", bin.escape(tostring(err), 500), "\n")
  os.exit(1)
end
if s.protocol then io.stderr:write("ws: subprotocol ", s.protocol, "\n") end

-- last is when the last message came: after stdin ends, the close
-- waits until none has come for --linger seconds, so that the replies to
-- the last lines are not cut off by the close (a server answers nothing
-- after it has read a close frame).
local last = time.now()
local kind = opts.binary and "binary" or "text"
task.spawn(function()
  while true do
    local line = io.read("*l")
    if not line or not s:send(line, kind) then break end
  end
  last = math.max(last, time.now())
  while true do
    local left = last + opts.linger - time.now()
    if left <= 0 then break end
    time.sleep(left)
  end
  s:close()
end)

while true do
  local data, k = s:recv()
  if not data then
    local e = k
    if e.kind == "closed" then
      if e.code ~= 1000 and e.code ~= 1005 then
        io.stderr:write(("ws: closed by the server: code %d%s\n"):format(e.code,
          e.reason ~= "" and ", reason \"" .. bin.escape(e.reason, 200) .. "\"" or ""))
      end
      io.stdout:flush()
      os.exit(0)
    end
    io.stderr:write("ws: ", bin.escape(tostring(e), 500), e.code and (" (sent close code " .. e.code .. ")") or "", "\n")
    io.stdout:flush()
    os.exit(1)
  end
  last = time.now()
  if k == "text" then io.write(data, "\n") else io.write(data) end
end
