-- ws_echo.lua: a WebSocket echo server.
--
--   gonetrepl scripts/ws_echo.lua [ADDR] [--max BYTES] [--idle SECONDS]
--
-- Listens on ADDR (default 127.0.0.1:8765) and sends every message each
-- client sends straight back, text as text and binary as binary, to any
-- number of clients at once: one task per connection, a plain recv/send
-- loop (websocket.serve). Pings are answered, a client's close is
-- answered and ends its connection; a message over --max bytes (default
-- 16 MiB) is refused with close code 1009. A client that sends no frame
-- for --idle SECONDS (default 60, websocket.IDLE_TIMEOUT; 0: never), or
-- does not read what is sent to it for that long, is closed with 1001
-- going away. Ctrl-C stops the server.
--
-- Try it:  gonetrepl scripts/ws_echo.lua &
--          echo hello | gonetrepl scripts/ws.lua ws://127.0.0.1:8765/
local flags = require "flags"
local ws = require "websocket"

local cli = flags.new("gonetrepl scripts/ws_echo.lua [ADDR] [options]",
  "A WebSocket echo server (default address 127.0.0.1:8765).")
cli:number("max", ws.MAX_MESSAGE, "the largest message echoed, in BYTES", { min = 0, max = string.MAX_SIZE, whole = true })
cli:seconds("idle", ws.IDLE_TIMEOUT, "close a client after SECONDS without a frame from it (0: never)")
cli:args(0, 1, "ADDR")
local opts, args = cli:parse(arg)
local addr = args[1] or "127.0.0.1:8765"

local ln, err = ws.serve(addr, function(s)
  while true do
    local data, kind = s:recv()
    if not data or not s:send(data, kind) then return end
  end
end, { max = opts.max, idle = opts.idle })
if not ln then
  io.stderr:write("ws_echo: ", tostring(err), "\n")
  os.exit(1)
end
io.stderr:write("ws_echo: listening on ", tostring(ln:addr()), "\n")
