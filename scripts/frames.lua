-- frames.lua: length-prefixed messages, a server and a client in one script.
--
--   gonetrepl scripts/frames.lua --serve ADDR [options]       a frame server
--   gonetrepl scripts/frames.lua --send ADDR MSG... [options]  a client
--   gonetrepl scripts/frames.lua [MSG...] [options]            a demo of both
--
-- Each message travels as a frame: a header of --size bytes (1, 2, 4 or 8;
-- default 4, --order big or little) holding the length, then that many
-- bytes. The server answers every frame with a frame "ok " .. message. It
-- refuses a frame longer than --max (default 1024) as soon as the header
-- arrives, before reading or storing the data: it answers "error: ..."
-- and closes the conn, because it cannot tell where the next frame starts
-- without reading the refused one. The client sends each MSG as a frame
-- and prints "> MSG" and the reply "< ...". The demo starts a server on a
-- free loopback port, sends MSGs (default "hello" and "length-prefixed
-- world") and then one frame of --max + 1 bytes, to show it refused.
--
-- Try it:  gonetrepl scripts/frames.lua --serve 127.0.0.1:9002 &
--          gonetrepl scripts/frames.lua --send 127.0.0.1:9002 one two
local flags = require "flags"
local logf = require "logf"

local cli = flags.new("gonetrepl scripts/frames.lua [--serve ADDR | --send ADDR] [MSG...] [options]",
  "Length-prefixed frames: a server (--serve), a client (--send), or a demo of both with neither.")
cli:string("serve", nil, "run a frame server on ADDR (port 0: any free port)")
cli:string("send", nil, "send each MSG as a frame to the server at ADDR and print the replies")
cli:number("size", 4, "bytes of the length header: 1, 2, 4 or 8", { min = 1, max = 8, whole = true })
cli:string("order", "big", "byte order of the header: big or little")
cli:number("max", 1024, "the longest message the server accepts", { min = 0, max = 64 * 1024 * 1024, whole = true })
cli:args(0, nil, "MSG")
local opts, msgs = cli:parse(arg)

local function usage_error(msg)
  io.stderr:write(msg, "\n", cli:help_text(), "\n")
  os.exit(2)
end
if opts.size ~= 1 and opts.size ~= 2 and opts.size ~= 4 and opts.size ~= 8 then
  usage_error("--size: 1, 2, 4 or 8 expected, got " .. tostring(opts.size))
end
if opts.order ~= "big" and opts.order ~= "little" then
  usage_error("--order: big or little expected, got " .. opts.order)
end
if opts.serve and opts.send then usage_error("--serve and --send: one or the other") end

local frame = { size = opts.size, order = opts.order, max = opts.max }
-- Replies are a little longer than the messages ("ok " .. msg, or an error).
local reply_frame = { size = opts.size, order = opts.order, max = math.min(opts.max + 4096, 64 * 1024 * 1024) }

-- log writes a line to stderr, every string argument escaped (logf): it
-- may hold what a peer sent, which must not reach the operator's terminal raw.
local log = logf.new("frames: ")

-- serve answers the frames of each client until it closes, or sends one
-- that is too large.
local function serve(addr)
  local ln, err = net.listen("tcp", addr)
  if not ln then
    log("%s", tostring(err))
    os.exit(1)
  end
  log("listening on %s (%d-byte %s-endian headers, max %d bytes)", tostring(ln:addr()), opts.size, opts.order, opts.max)
  ln:serve(function(c)
    local peer = tostring(c:remote_addr())
    c:set_timeout(60)
    local count = 0
    while true do
      local msg, rerr = c:read_frame(frame)
      if not msg then
        if rerr.kind == "too_large" then
          log("%s: %s; closing", peer, tostring(rerr))
          c:write_frame("error: " .. tostring(rerr), frame)
          -- A lingering close: closing with the refused bytes unread would
          -- reset the conn, and the client might lose the error frame.
          c:close_write()
          c:set_timeout(1)
          repeat until not c:read()
        elseif rerr.kind ~= "eof" then
          log("%s: %s", peer, tostring(rerr))
        end
        log("%s: %d frames answered", peer, count)
        return
      end
      count = count + 1
      local reply = "ok " .. msg
      if #reply >= 256 ^ opts.size then reply = "ok" end
      if not c:write_frame(reply, frame) then return end
    end
  end)
  return ln
end

-- show describes a message for the terminal, escaped (bin.escape: the
-- server's replies are a peer's bytes); long ones are summarised.
local function show(msg)
  if #msg > 120 then
    return ('(%d bytes: "%s"...)'):format(#msg, bin.escape(msg:sub(1, 20)))
  end
  return bin.escape(msg)
end

-- send sends each message as a frame and prints the replies; false if the
-- server went away before answering all of them.
local function send(addr, list)
  local c, err = net.dial("tcp", addr, { timeout = 10 })
  if not c then
    log("%s", tostring(err))
    return false
  end
  c:set_timeout(30)
  for _, msg in ipairs(list) do
    if #msg >= 256 ^ opts.size then
      log("%d bytes do not fit a %d-byte header; not sent", #msg, opts.size)
      c:close()
      return false
    end
    print("> " .. show(msg))
    local ok, werr = c:write_frame(msg, frame)
    local reply, rerr = c:read_frame(reply_frame)
    if not reply then
      print(("connection ended: %s"):format(bin.escape(tostring(rerr or werr))))
      c:close()
      return false
    end
    print("< " .. show(reply))
    if reply:sub(1, 6) == "error:" then
      local _, eof = c:read_frame(reply_frame)
      print("the server closed the connection: " .. (eof and eof.kind or "?"))
      c:close()
      return false
    end
    if not ok then break end
  end
  c:close()
  return true
end

if opts.serve then
  serve(opts.serve)
elseif opts.send then
  if #msgs == 0 then usage_error("--send: no MSG to send") end
  if not send(opts.send, msgs) then os.exit(1) end
else
  if #msgs == 0 then msgs = { "hello", "length-prefixed world" } end
  local ln = serve("127.0.0.1:0")
  local too_long = string.rep("x", opts.max + 1)
  if #too_long < 256 ^ opts.size then msgs[#msgs + 1] = too_long end
  send(tostring(ln:addr()), msgs)
  ln:close()
end
