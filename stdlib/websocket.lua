-- websocket: WebSocket (RFC 6455), client and server, in Lua on top of
-- net, tls and http.
--
--   local ws = require "websocket"
--   local s = assert(ws.connect("ws://127.0.0.1:8765/", { timeout = 5 }))
--   s:send("hello")                       -- a text message
--   local data, kind = assert(s:recv())   -- "hello", "text"
--   s:close()                             -- the close handshake, then the conn
--
--   ws.serve("127.0.0.1:8765", function(s, req)
--     for data, kind in function() return s:recv() end do s:send(data, kind) end
--   end)
--
-- Framing is done here; Go does only what Lua cannot do well: masking
-- (bin.xor), UTF-8 validation (utf8.len), SHA-1 and random bytes for the
-- handshake (bin.sha1, bin.random), base64 (bin.b64). A frame is read as
-- its header first (2 bytes, then the extended length and the mask), and
-- a length that would take the message over the socket's max (default
-- ws.MAX_MESSAGE, 16 MiB) is refused with close code 1009 before a byte
-- of the payload is read; fragments are collected in a table and joined
-- once. A recv that times out (or is canceled) keeps what it had read of
-- a frame and a message: the next recv goes on from there.
--
-- A peer that breaks the protocol does not raise: the socket sends a
-- close frame with the code that says why (1002 protocol error: reserved
-- bits, an unknown opcode, a fragmented or oversized control frame, a
-- continuation with no message started, a new message inside one, an
-- unmasked frame from a client or a masked one from a server, a bad close
-- frame; 1007: a text message or close reason that is not UTF-8; 1009: a
-- message over max), ends the conn, and recv returns nil, err with
-- err.code set to that code. A close frame from the peer is answered and
-- recv returns nil, err of kind "closed" with the peer's err.code and
-- err.reason (also s.close_code, s.close_reason).
--
-- A server's socket has an idle timeout (opts.idle of serve and upgrade,
-- default ws.IDLE_TIMEOUT): a client that sends no frame for that long,
-- or does not take what we write to it for that long (one that pings
-- and never reads its pongs), is closed with 1001 going away, as Tomcat
-- closes an idle session (python3-websockets closes with 1011 when its
-- own keepalive ping goes unanswered). recv then returns nil, err of kind
-- "timeout" with err.code 1001.

local ws = {}

local _, internal = ...
local check_options = internal.check_options
local http = require "http"

ws.MAX_MESSAGE = 16 * 1024 * 1024 -- the largest message recv returns (opts.max)
ws.TIMEOUT = 30                   -- seconds for ws.connect's dial and handshake (opts.timeout)
ws.CLOSE_TIMEOUT = 2              -- seconds close waits for the peer's close frame, and a client for the server to end the conn
-- Seconds a server's socket may wait on its client (opts.idle of serve
-- and upgrade; 0: no limit): as http.serve's http.IDLE_TIMEOUT, so that a
-- silent client does not keep a task and a conn forever, and long enough
-- for clients that ping to stay (python3-websockets pings every 20 s).
ws.IDLE_TIMEOUT = 60

-- Close codes (RFC 6455, 7.4.1).
ws.NORMAL = 1000
ws.GOING_AWAY = 1001
ws.PROTOCOL_ERROR = 1002
ws.UNSUPPORTED_DATA = 1003
ws.NO_STATUS = 1005   -- received: the close frame had no code (never sent)
ws.ABNORMAL = 1006    -- the conn ended with no close frame (never sent)
ws.INVALID_DATA = 1007
ws.POLICY_VIOLATION = 1008
ws.TOO_BIG = 1009
ws.MANDATORY_EXTENSION = 1010
ws.INTERNAL_ERROR = 1011

local GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
local PIECE = 16 * 1024 * 1024 -- a payload is read in pieces of at most this (read_full takes 64 MiB)
local IDLE_PIECE = 1024 * 1024 -- the same with an idle timeout: each piece that comes is a sign of life
-- The largest opts.max accepted: the longest string Lua makes here. A
-- larger max let a message through that table.concat then could not join
-- (a Lua error out of recv, where nil, err is the contract).
local MAX_MAX = string.MAX_SIZE
local BATCH = 1024 -- fragments joined into one chunk at a time

local CONT, TEXT, BINARY, CLOSE, PING, PONG = 0, 1, 2, 8, 9, 10
local KIND_OP = { text = TEXT, binary = BINARY }

-- Errors made here are http's (http.new_error), which look like the net
-- error values the conns return: kind, op, addr, message; tostring and ..
-- give the message. A close adds code and reason.
local function new_error(kind, op, fmt, ...)
  return http.new_error(kind, op, nil, "websocket: " .. fmt:format(...))
end

-- Header values are read as http reads them.
local has_token, split_list = http.has_token, http.split_list

-- valid_utf8 reports whether s is UTF-8 as RFC 3629 has it: utf8.len's
-- Lua 5.3 rules, less the surrogates (U+D800-U+DFFF, \237\160-\237\191)
-- it lets through.
local function valid_utf8(s)
  if not utf8.len(s) then return false end
  return not (s:find("\237", 1, true) and s:find("\237[\160-\191]"))
end


-- accept_of is the Sec-WebSocket-Accept that answers key.
local function accept_of(key) return bin.b64(bin.sha1(key .. GUID)) end

-- The socket -------------------------------------------------------------

-- Socket holds the methods; the metatable is apart (LuaSocket's way).
local Socket = {}
local socket_mt = {
  __index = Socket,
  __tostring = function(s)
    return ("<websocket %s: %s>"):format(s.server and "server" or "client", s.state)
  end,
}

-- frame builds one frame: a client's is masked with 4 random bytes.
local function frame(s, op, payload, fin)
  local n = #payload
  local b1 = (fin == false and 0 or 128) + op
  local b2 = s.server and 0 or 128
  local head
  if n < 126 then
    head = string.char(b1, b2 + n)
  elseif n < 65536 then
    head = string.char(b1, b2 + 126, math.floor(n / 256), n % 256)
  else
    head = string.char(b1, b2 + 127) .. string.pack(">I4I4", math.floor(n / 4294967296), n % 4294967296)
  end
  if s.server then return head .. payload end
  local mask = bin.random(4)
  if n == 0 then return head .. mask end
  return head .. mask .. bin.xor(payload, mask)
end

-- write sends one frame in one write, so that frames from two tasks never
-- interleave. It waits until deadline (time.now() seconds) at most, and
-- with an idle timeout no longer than s.idle: a peer that does not read
-- cannot hold a writer forever. A write cut short by its deadline may
-- leave half a frame sent.
local function write(s, op, payload, fin, deadline)
  if s.idle then
    local limit = time.now() + s.idle
    if not deadline or limit < deadline then deadline = limit end
  end
  local opts = deadline and { timeout = math.max(deadline - time.now(), 0) } or nil
  local n, err = s.c:write(frame(s, op, payload, fin), opts)
  if not n then return nil, err end
  return true
end

-- idle_at is when a socket with an idle timeout has waited too long on
-- its peer: s.idle seconds after the last bytes of a frame came; nil
-- without one.
local function idle_at(s)
  return s.idle and s.heard + s.idle
end

-- read reads exactly n bytes from the conn, before deadline (time.now()
-- seconds) if one is set, and before idle_at: nil, err consumes nothing.
-- What comes is a sign of life: it starts the idle time again.
local function read(s, n, deadline)
  if n == 0 then return "" end
  local limit = idle_at(s)
  if limit and (not deadline or limit < deadline) then deadline = limit end
  local data, err
  if deadline then
    data, err = s.c:read_full(n, { timeout = math.max(deadline - time.now(), 0) })
  else
    data, err = s.c:read_full(n)
  end
  if data and s.idle then s.heard = time.now() end
  return data, err
end

-- Protocol errors: what next_frame returns for bad input, as nil, err
-- with err.code, the close code it calls for.
local function violation(code, fmt, ...)
  local kind = code == ws.TOO_BIG and "too_large" or "other"
  local e = new_error(kind, "recv", fmt, ...)
  e.code = code
  return e
end

-- next_frame reads the next frame: fin, op, payload; or nil, err (a
-- conn's error, or a violation with err.code). A conn error leaves what
-- was read of the frame in s.h (the first two bytes) and s.f (the header
-- and the pieces of payload), for the next call to go on with.
local function next_frame(s, deadline)
  local f = s.f
  if not f then
    if not s.h then
      local h, err = read(s, 2, deadline)
      if not h then return nil, err end
      s.h = h
    end
    local b1, b2 = s.h:byte(1, 2)
    local fin, op = b1 >= 128, b1 % 16
    if b1 % 128 >= 16 then return nil, violation(1002, "reserved bits set (%d) with no extension negotiated", math.floor(b1 % 128 / 16)) end
    if op > BINARY and op < CLOSE or op > PONG then return nil, violation(1002, "unknown opcode %d", op) end
    local masked, len = b2 >= 128, b2 % 128
    if op >= CLOSE then
      if not fin then return nil, violation(1002, "fragmented control frame (opcode %d)", op) end
      if len > 125 then return nil, violation(1002, "control frame longer than 125 bytes (opcode %d)", op) end
    end
    if s.server and not masked then return nil, violation(1002, "unmasked frame from a client") end
    if not s.server and masked then return nil, violation(1002, "masked frame from a server") end
    local ext = len == 126 and 2 or len == 127 and 8 or 0
    local rest = ""
    if ext + (masked and 4 or 0) > 0 then
      local err
      rest, err = read(s, ext + (masked and 4 or 0), deadline)
      if not rest then return nil, err end
    end
    if ext == 2 then
      len = rest:byte(1) * 256 + rest:byte(2)
    elseif ext == 8 then
      local hi, lo = string.unpack(">I4I4", rest)
      if hi >= 2147483648 then return nil, violation(1002, "frame length with its top bit set") end
      len = hi * 4294967296 + lo
    end
    if op < CLOSE then
      if op == CONT and not s.msg then return nil, violation(1002, "continuation frame with no message started") end
      if op ~= CONT and s.msg then return nil, violation(1002, "new message (opcode %d) before the last one ended", op) end
      local total = (s.msg and s.msg.total or 0) + len
      if total > s.max then return nil, violation(1009, "message of %d bytes or more, over max %d", total, s.max) end
    end
    f = { fin = fin, op = op, left = len, parts = {}, mask = masked and rest:sub(ext + 1) or nil }
    s.h, s.f = nil, f
  end
  local size = s.idle and IDLE_PIECE or PIECE
  while f.left > 0 do
    local piece, err = read(s, math.min(f.left, size), deadline)
    if not piece then return nil, err end
    f.parts[#f.parts + 1] = piece
    f.left = f.left - #piece
  end
  s.f = nil
  local payload = #f.parts == 1 and f.parts[1] or table.concat(f.parts)
  -- Pieces are multiples of 4 bytes long: the mask lines up across them.
  if f.mask and payload ~= "" then payload = bin.xor(payload, f.mask) end
  return f.fin, f.op, payload
end

-- valid_close_code reports whether a close frame may carry code (RFC
-- 6455, 7.4: the defined codes that can be sent, the registered ones to
-- 1014, and 3000-4999 for libraries and applications).
local function valid_close_code(code)
  return (code >= 1000 and code <= 1014 and code ~= 1004 and code ~= 1005 and code ~= 1006)
    or (code >= 3000 and code <= 4999)
end

-- close_payload is a close frame's body: code and reason, or nothing.
local function close_payload(code, reason)
  if not code then return "" end
  return string.char(math.floor(code / 256), code % 256) .. (reason or "")
end

-- finish ends the conn: after a close handshake (wait), a client first
-- waits (ws.CLOSE_TIMEOUT at most) for the server to end it, as RFC 6455,
-- 7.1.1 asks.
local function finish(s, wait)
  s.state = "closed"
  s.h, s.f, s.msg = nil, nil, nil
  if wait and not s.server then
    s.c:set_read_deadline(time.now() + ws.CLOSE_TIMEOUT)
    for _ = 1, 64 do
      if not s.c:read(65536) then break end
    end
  end
  s.c:close()
end

-- wait_close reads frames until the peer's close frame, the conn's end
-- or deadline, dropping data: the second half of a close handshake.
local function wait_close(s, deadline)
  if s.idle then s.heard = time.now() end -- bounded by deadline, not by idle time past
  while true do
    local fin, op, payload = next_frame(s, deadline)
    if fin == nil then return end
    if op == CLOSE then
      if #payload >= 2 then
        s.close_code, s.close_reason = string.unpack(">I2", payload), payload:sub(3)
      else
        s.close_code, s.close_reason = ws.NO_STATUS, ""
      end
      return
    elseif op == PONG then
      s.pongs = s.pongs + 1
    elseif op == TEXT or op == BINARY then
      s.msg = not fin and { total = #payload } or nil
    elseif op == CONT then
      if fin then s.msg = nil else s.msg.total = s.msg.total + #payload end
    end
  end
end

-- fail sends a close frame with err.code, waits briefly for the peer's
-- close, ends the conn, and returns nil, err.
local function fail(s, err)
  s.close_code, s.close_reason = err.code, ""
  if s.state == "open" then
    s.state = "closing"
    if write(s, CLOSE, close_payload(err.code, err.message:sub(12, 134):gsub("[\128-\255]", "?")), nil, time.now() + ws.CLOSE_TIMEOUT) then
      -- Our side is done (the peer sees the close frame, then the end);
      -- what the peer sends after a bad frame is not framed for us: drop
      -- its bytes until it ends the conn, at most 1 MiB or
      -- ws.CLOSE_TIMEOUT, so that closing with bytes unread does not
      -- reset the conn before the peer has read the close frame.
      s.c:close_write()
      s.c:set_read_deadline(time.now() + ws.CLOSE_TIMEOUT)
      local left = 1024 * 1024
      while left > 0 do
        local data = s.c:read(65536)
        if not data then break end
        left = left - #data
      end
    end
  end
  s.state = "closed"
  s.h, s.f, s.msg = nil, nil, nil
  s.c:close()
  return nil, err
end

-- closed_error is what recv returns once the socket is closed.
local function closed_error(s)
  local e = new_error("closed", "recv", "closed (code %s%s)", tostring(s.close_code or ws.ABNORMAL),
    (s.close_reason or "") ~= "" and ", reason \"" .. bin.escape(s.close_reason, 123) .. "\"" or "")
  e.code, e.reason = s.close_code or ws.ABNORMAL, s.close_reason or ""
  return e
end

-- on_close handles the peer's close frame: it checks it, answers it with
-- the same code (unless we sent ours first), and ends the conn.
local function on_close(s, payload)
  local code, reason = ws.NO_STATUS, ""
  if #payload == 1 then return fail(s, violation(1002, "close frame with a 1-byte body")) end
  if #payload >= 2 then
    code, reason = string.unpack(">I2", payload), payload:sub(3)
    if not valid_close_code(code) then return fail(s, violation(1002, "close frame with code %d", code)) end
    if not valid_utf8(reason) then return fail(s, violation(1007, "close reason that is not UTF-8")) end
  end
  s.close_code, s.close_reason = code, reason
  if s.state == "open" then
    write(s, CLOSE, close_payload(code ~= ws.NO_STATUS and code or nil, reason), nil, time.now() + ws.CLOSE_TIMEOUT)
  end
  finish(s, true)
  return nil, closed_error(s)
end

-- failed turns next_frame's error into recv's result: a violation fails
-- the socket; a timeout or a cancel leaves it as it was, unless cut (a
-- write that failed may have left a frame half sent); the conn's end
-- (kind eof, reset...) closes it with code 1006.
local function failed(self, err, cut)
  if type(err) == "table" and err.code then return fail(self, err) end
  local kind = type(err) ~= "string" and err.kind
  if not cut and (kind == "timeout" or kind == "canceled") then
    if self.state == "closing" then
      finish(self, false)
      return nil, closed_error(self)
    end
    return nil, err
  end
  self.state = "closed"
  self.close_code, self.close_reason = self.close_code or ws.ABNORMAL, self.close_reason or ""
  self.c:close()
  return nil, err
end

-- went_idle closes a socket whose peer has sent nothing for s.idle
-- seconds with 1001 going away, and returns nil, err of kind timeout with
-- err.code 1001.
local function went_idle(s)
  local e = new_error("timeout", "recv", "idle: no frame from the peer for %g s", s.idle)
  e.code = ws.GOING_AWAY
  return fail(s, e)
end

-- receive reads frames until a message is whole, answering control
-- frames, or until it fails.
local function receive(self, deadline)
  while true do
    local fin, op, payload = next_frame(self, deadline)
    if fin == nil then
      local limit = idle_at(self)
      -- The conn's timeout: the idle time's, unless the caller's came
      -- first.
      if limit and self.state == "open" and type(op) ~= "string" and op.kind == "timeout" and not op.code
        and (not deadline or limit <= deadline) then
        return went_idle(self)
      end
      return failed(self, op)
    end
    if op == PING then
      -- A peer that pings and never reads fills the socket buffers: the
      -- pong then waits for room, no longer than this recv may wait. A
      -- pong that timed out (or was canceled) may be cut short, so the
      -- stream is over. A conn the peer has closed fails the pong too;
      -- what it sent before still comes, and then its end.
      if self.state == "open" then
        local ok, err = write(self, PONG, payload, nil, deadline)
        if not ok and (err.kind == "timeout" or err.kind == "canceled") then return failed(self, err, true) end
      end
    elseif op == PONG then
      self.pongs = self.pongs + 1
    elseif op == CLOSE then
      return on_close(self, payload)
    else
      local msg = self.msg
      if op ~= CONT then
        msg = { kind = op == TEXT and "text" or "binary", parts = {}, chunks = {}, total = 0 }
        self.msg = msg
      end
      -- Fragments are joined once, at the end; every BATCH of them is
      -- joined into a chunk on the way, so that a message in tiny
      -- fragments holds a table slot per BATCH fragments, not per byte
      -- (empty ones take none).
      local parts = msg.parts
      if payload ~= "" then parts[#parts + 1] = payload end
      if #parts == BATCH then
        msg.chunks[#msg.chunks + 1] = table.concat(parts)
        msg.parts = {}
      end
      msg.total = msg.total + #payload
      if fin then
        self.msg = nil
        local chunks = msg.chunks
        if #msg.parts > 0 then chunks[#chunks + 1] = table.concat(msg.parts) end
        local data = #chunks == 1 and chunks[1] or table.concat(chunks)
        if msg.kind == "text" and not valid_utf8(data) then
          return fail(self, violation(1007, "text message that is not UTF-8"))
        end
        -- Also while closing (close() was called while this recv
        -- waited): messages the peer sent before its close frame still
        -- come.
        return data, msg.kind
      end
    end
  end
end

-- Socket:recv reads the next message: data and "text" or "binary".
function Socket:recv(opts)
  if getmetatable(self) ~= socket_mt then error("bad argument #1 to recv (websocket expected, got " .. type(self) .. ")", 2) end
  if opts ~= nil then
    if type(opts) ~= "table" then error("bad argument #1 to recv (opts: table expected, got " .. type(opts) .. ")", 2) end
    local problem = check_options(opts, "gonetrepl.websocket_recv_opts")
    if problem then error("bad argument #1 to recv (opts: " .. problem .. ")", 2) end
    if opts.timeout ~= nil and (type(opts.timeout) ~= "number" or opts.timeout < 0) then
      error("bad argument #1 to recv (opts.timeout: seconds >= 0 expected)", 2)
    end
  end
  if self.state == "closed" then return nil, closed_error(self) end
  local deadline = opts and opts.timeout and time.now() + opts.timeout
  if self.idle and self.left then
    -- Idle time is time a recv waits: the handler's work since the last
    -- recv returned does not count (what the peer sent meanwhile waits
    -- in the buffers, unread).
    self.heard, self.left = self.heard + (time.now() - self.left), nil
  end
  self.reading = true
  local data, kind = receive(self, deadline)
  self.reading = false
  if self.idle then self.left = time.now() end
  return data, kind
end

-- send_frame writes a frame for send or ping. A write that waited the
-- idle time for the peer to take it (a peer that does not read) may be
-- cut short: the stream is over, and the conn is closed with no close
-- frame (code 1006).
local function send_frame(self, op, data)
  local ok, err = write(self, op, data)
  if not ok and self.idle and type(err) ~= "string" and err.kind == "timeout" then
    self.h, self.f, self.msg = nil, nil, nil
    return failed(self, err, true)
  end
  return ok, err
end

-- Socket:send sends data as one message, text (the default) or binary.
function Socket:send(data, kind)
  if getmetatable(self) ~= socket_mt then error("bad argument #1 to send (websocket expected, got " .. type(self) .. ")", 2) end
  if type(data) ~= "string" then
    if type(data) ~= "number" then error("bad argument #1 to send (data: string expected, got " .. type(data) .. ")", 2) end
    data = tostring(data)
  end
  local op = KIND_OP[kind or "text"]
  if not op then error("bad argument #2 to send (kind: \"text\" or \"binary\" expected, got " .. tostring(kind) .. ")", 2) end
  if self.state ~= "open" then return nil, closed_error(self) end
  return send_frame(self, op, data)
end

-- Socket:ping sends a ping; the pong comes back through recv, which
-- counts it in s.pongs.
function Socket:ping(data)
  if getmetatable(self) ~= socket_mt then error("bad argument #1 to ping (websocket expected, got " .. type(self) .. ")", 2) end
  data = data or ""
  if type(data) ~= "string" then error("bad argument #1 to ping (data: string expected, got " .. type(data) .. ")", 2) end
  if #data > 125 then error("bad argument #1 to ping (data: at most 125 bytes, got " .. #data .. ")", 2) end
  if self.state ~= "open" then return nil, closed_error(self) end
  return send_frame(self, PING, data)
end

-- Socket:close runs the close handshake: it sends a close frame, waits up
-- to ws.CLOSE_TIMEOUT for the peer's, then ends the conn. When another
-- task is in recv, that recv goes on returning the messages the peer sent
-- before its close frame, sees that frame and ends the conn; close
-- returns at once.
function Socket:close(code, reason)
  if getmetatable(self) ~= socket_mt then error("bad argument #1 to close (websocket expected, got " .. type(self) .. ")", 2) end
  if code ~= nil and (type(code) ~= "number" or code % 1 ~= 0 or not valid_close_code(code)) then
    error("bad argument #1 to close (code: 1000-1003, 1007-1014 or 3000-4999 expected, got " .. tostring(code) .. ")", 2)
  end
  if reason ~= nil then
    if type(reason) ~= "string" then error("bad argument #2 to close (reason: string expected, got " .. type(reason) .. ")", 2) end
    if #reason > 123 then error("bad argument #2 to close (reason: at most 123 bytes, got " .. #reason .. ")", 2) end
    if not valid_utf8(reason) then error("bad argument #2 to close (reason: UTF-8 expected)", 2) end
    code = code or ws.NORMAL
  end
  if self.state ~= "open" then return true end
  self.state = "closing"
  local ok = write(self, CLOSE, close_payload(code or ws.NORMAL, reason), nil, time.now() + ws.CLOSE_TIMEOUT)
  if self.reading then
    -- The task in recv reads the peer's close frame and ends the conn;
    -- the deadline makes sure it does.
    self.c:set_read_deadline(time.now() + ws.CLOSE_TIMEOUT)
    return true
  end
  if ok then wait_close(self, time.now() + ws.CLOSE_TIMEOUT) end
  finish(self, ok)
  return true
end

-- Socket:conn is the conn the socket runs on.
function Socket:conn()
  if getmetatable(self) ~= socket_mt then error("bad argument #1 to conn (websocket expected, got " .. type(self) .. ")", 2) end
  return self.c
end

-- check_max is opts.max, checked, or the default.
local function check_max(opts, n, f)
  local max = opts and opts.max
  if max == nil then return ws.MAX_MESSAGE end
  if type(max) ~= "number" or max % 1 ~= 0 or max < 0 or max > MAX_MAX then
    error(("bad argument #%d to %s (opts.max: a whole number of bytes from 0 to %d expected)"):format(n, f, MAX_MAX), 3)
  end
  return max
end

-- MAX_IDLE is the longest idle time accepted: the longest timeout the
-- conns take (flags.MAX_SECONDS, about 285 years).
local MAX_IDLE = 9e9

-- check_idle is opts.idle, checked, or default: seconds, or nil for no
-- idle timeout (0).
local function check_idle(opts, n, f, default)
  local idle = opts.idle
  if idle == nil then idle = default end
  if type(idle) ~= "number" or idle ~= idle or idle < 0 or idle > MAX_IDLE then
    error(("bad argument #%d to %s (opts.idle: seconds from 0 to %g expected, got %s)"):format(n, f, MAX_IDLE, tostring(idle)), 3)
  end
  if idle == 0 then return nil end
  return idle
end

-- check_opts raises for a bad options table of f (argument n), judged by
-- the shape class that the type stubs declare.
local function check_opts(opts, class, n, f)
  if opts == nil then return {} end
  if type(opts) ~= "table" then error(("bad argument #%d to %s (table expected, got %s)"):format(n, f, type(opts)), 3) end
  local problem = check_options(opts, class)
  if problem then error(("bad argument #%d to %s (opts: %s)"):format(n, f, problem), 3) end
  if opts.protocols ~= nil then
    if type(opts.protocols) ~= "table" then error(("bad argument #%d to %s (opts.protocols: list of strings expected)"):format(n, f), 3) end
    for _, p in ipairs(opts.protocols) do
      if type(p) ~= "string" or not p:match("^[!#$%%&'*+.^_`|~%w-]+$") then
        error(("bad argument #%d to %s (opts.protocols: %s is not a token)"):format(n, f, tostring(p)), 3)
      end
    end
  end
  if opts.timeout ~= nil and (type(opts.timeout) ~= "number" or opts.timeout <= 0) then
    error(("bad argument #%d to %s (opts.timeout: seconds above 0 expected)"):format(n, f), 3)
  end
  return opts
end

-- ws.wrap makes a socket of a conn on which the handshake is done.
function ws.wrap(c, opts)
  if type(c) ~= "userdata" then error("bad argument #1 to wrap (conn expected, got " .. type(c) .. ")", 2) end
  opts = check_opts(opts, "gonetrepl.websocket_wrap_opts", 2, "wrap")
  local max = check_max(opts, 2, "wrap")
  local idle = check_idle(opts, 2, "wrap", 0)
  return setmetatable({
    c = c, server = opts.server == true, max = max, state = "open", protocol = opts.protocol,
    pongs = 0, reading = false, idle = idle, heard = idle and time.now(), left = idle and time.now(),
  }, socket_mt)
end

-- The client -------------------------------------------------------------

-- parse_url splits a ws:// or wss:// URL, as http.parse_url does an
-- http:// one.
local function parse_url(url)
  if type(url) ~= "string" then return nil end
  local scheme, rest = url:match("^(%a[%w+.-]*)(://.*)$")
  if not scheme then return nil end
  scheme = scheme:lower()
  if scheme ~= "ws" and scheme ~= "wss" then return nil end
  local u = http.parse_url((scheme == "wss" and "https" or "http") .. rest)
  if u then u.scheme = scheme end
  return u
end
ws.parse_url = parse_url

-- read_head reads the status line and the headers of the server's
-- answer before deadline, capped as http's are (http.read_headers).
local function read_head(c, deadline, addr)
  c:set_read_deadline(deadline)
  local status, err = c:read_line(http.MAX_LINE)
  if not status then
    if err.kind == "too_large" then
      return nil, new_error("too_large", "connect", "status line longer than %d bytes", http.MAX_LINE)
    end
    return nil, err
  end
  local headers, herr = http.read_headers(c, addr)
  if not headers then return nil, herr end
  c:set_read_deadline(0)
  return status, headers
end

local TLS_KEYS = { "insecure", "ca", "cert", "key", "server_name", "sni", "pin_sha256", "min_version", "keylog" }

-- ws.connect dials url and runs the client's handshake.
function ws.connect(url, opts)
  if type(url) ~= "string" then error("bad argument #1 to connect (url: string expected, got " .. type(url) .. ")", 2) end
  opts = check_opts(opts, "gonetrepl.websocket_opts", 2, "connect")
  local max = check_max(opts, 2, "connect")
  local u = parse_url(url)
  if not u then error("bad argument #1 to connect (url: ws:// or wss:// URL expected, got \"" .. bin.escape(url, 100) .. "\")", 2) end
  local lines = {
    "GET " .. u.target .. " HTTP/1.1",
    "Host: " .. u.host_header,
    "Upgrade: websocket",
    "Connection: Upgrade",
  }
  local key = bin.b64(bin.random(16))
  lines[#lines + 1] = "Sec-WebSocket-Key: " .. key
  lines[#lines + 1] = "Sec-WebSocket-Version: 13"
  local offered = {}
  if opts.protocols and #opts.protocols > 0 then
    lines[#lines + 1] = "Sec-WebSocket-Protocol: " .. table.concat(opts.protocols, ", ")
    for _, p in ipairs(opts.protocols) do offered[p] = true end
  end
  if opts.headers ~= nil then
    if type(opts.headers) ~= "table" then error("bad argument #2 to connect (opts.headers: table expected)", 2) end
    local names = {}
    for name in pairs(opts.headers) do names[#names + 1] = name end
    table.sort(names, function(a, b) return tostring(a) < tostring(b) end)
    for _, name in ipairs(names) do
      local v = opts.headers[name]
      if type(name) ~= "string" or not name:match("^[!#$%%&'*+.^_`|~%w-]+$") then
        error("bad argument #2 to connect (opts.headers: bad header name " .. tostring(name) .. ")", 2)
      end
      for _, value in ipairs(type(v) == "table" and v or { v }) do
        value = tostring(value)
        if value:find("[\r\n%z]") then
          error("bad argument #2 to connect (opts.headers: " .. name .. " has CR, LF or NUL in its value)", 2)
        end
        lines[#lines + 1] = name .. ": " .. value
      end
    end
  end
  lines[#lines + 1] = ""
  lines[#lines + 1] = ""

  local timeout = opts.timeout or ws.TIMEOUT
  local deadline = time.now() + timeout
  local c, err
  if u.scheme == "wss" then
    local t = { timeout = timeout, via = opts.via, alpn = { "http/1.1" } }
    for _, k in ipairs(TLS_KEYS) do t[k] = opts[k] end
    if t.server_name == nil then t.server_name = u.host end
    c, err = tls.dial(u.addr, t)
  else
    c, err = net.dial("tcp", u.addr, { timeout = timeout, via = opts.via })
  end
  if not c then return nil, err end
  local function refuse(e)
    c:close()
    if type(e) == "table" then e.addr = e.addr or u.addr end
    return nil, e
  end
  local ok, werr = c:write(table.concat(lines, "\r\n"))
  if not ok then return refuse(werr) end
  local status, headers = read_head(c, deadline, u.addr)
  if not status then return refuse(headers) end
  local code, reason = status:match("^HTTP/1%.%d (%d%d%d) ?(.*)$")
  if not code then return refuse(new_error("other", "connect", "malformed status line \"%s\"", bin.escape(status, 60))) end
  if code ~= "101" then
    local e = new_error("other", "connect", "the server answered %s %s, not 101 Switching Protocols", code, bin.escape(reason, 60))
    e.status = tonumber(code)
    return refuse(e)
  end
  if not has_token(headers.upgrade, "websocket") then
    return refuse(new_error("other", "connect", "the 101 reply's Upgrade is \"%s\", not websocket", bin.escape(headers.upgrade or "", 60)))
  end
  if not has_token(headers.connection, "upgrade") then
    return refuse(new_error("other", "connect", "the 101 reply's Connection is \"%s\", not Upgrade", bin.escape(headers.connection or "", 60)))
  end
  if headers["sec-websocket-accept"] ~= accept_of(key) then
    return refuse(new_error("other", "connect", "the 101 reply's Sec-WebSocket-Accept is \"%s\", not \"%s\"",
      bin.escape(headers["sec-websocket-accept"] or "", 60), accept_of(key)))
  end
  if headers["sec-websocket-extensions"] then
    return refuse(new_error("other", "connect", "the server chose extensions \"%s\" we did not offer", bin.escape(headers["sec-websocket-extensions"], 60)))
  end
  local protocol = headers["sec-websocket-protocol"]
  if protocol and not offered[protocol] then
    return refuse(new_error("other", "connect", "the server chose subprotocol \"%s\" we did not offer", bin.escape(protocol, 60)))
  end
  return ws.wrap(c, { max = max, protocol = protocol })
end

-- The server -------------------------------------------------------------

-- handshake_error is ws.upgrade's error for a request that is no
-- WebSocket handshake, with the status a handler should answer.
local function handshake_error(status, fmt, ...)
  local e = new_error("other", "upgrade", fmt, ...)
  e.status = status
  return e
end

-- ws.upgrade answers a WebSocket handshake inside an http.serve handler.
function ws.upgrade(req, c, opts)
  if type(req) ~= "table" then error("bad argument #1 to upgrade (req: table expected, got " .. type(req) .. ")", 2) end
  if type(c) ~= "userdata" then error("bad argument #2 to upgrade (conn expected, got " .. type(c) .. ")", 2) end
  opts = check_opts(opts, "gonetrepl.websocket_upgrade_opts", 3, "upgrade")
  local max = check_max(opts, 3, "upgrade")
  local idle = check_idle(opts, 3, "upgrade", ws.IDLE_TIMEOUT)
  local h = req.headers or {}
  if req.method ~= "GET" then return nil, handshake_error(405, "a WebSocket handshake is a GET, not %s", bin.escape(tostring(req.method), 60)) end
  if req.version ~= "HTTP/1.1" then return nil, handshake_error(400, "a WebSocket handshake needs HTTP/1.1") end
  if not has_token(h.upgrade, "websocket") then return nil, handshake_error(426, "no Upgrade: websocket in the request") end
  if not has_token(h.connection, "upgrade") then return nil, handshake_error(400, "no Connection: Upgrade in the request") end
  if h["sec-websocket-version"] ~= "13" then return nil, handshake_error(426, "Sec-WebSocket-Version is not 13") end
  local key = h["sec-websocket-key"]
  local raw = key and bin.unb64(key)
  if not raw or #raw ~= 16 then return nil, handshake_error(400, "bad Sec-WebSocket-Key") end
  local protocol
  if opts.protocols then
    local ours = {}
    for _, p in ipairs(opts.protocols) do ours[p] = true end
    for _, p in ipairs(split_list(h["sec-websocket-protocol"])) do
      if ours[p] then protocol = p break end
    end
  end
  local lines = {
    "HTTP/1.1 101 Switching Protocols",
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Accept: " .. accept_of(key),
  }
  if protocol then lines[#lines + 1] = "Sec-WebSocket-Protocol: " .. protocol end
  lines[#lines + 1] = ""
  lines[#lines + 1] = ""
  -- From here on the conn is the socket's: http.serve sends no reply,
  -- and its idle timeout gives way to the socket's (opts.idle).
  rawset(req, "taken", true)
  c:set_timeout(0)
  local ok, err = c:write(table.concat(lines, "\r\n"))
  if not ok then return nil, err end
  return ws.wrap(c, { server = true, max = max, protocol = protocol, idle = idle or 0 })
end

-- ws.serve serves WebSocket on addr: handler(s, req) per connection.
function ws.serve(where, handler, opts)
  if type(handler) ~= "function" then error("bad argument #2 to serve (handler: function expected, got " .. type(handler) .. ")", 2) end
  opts = check_opts(opts, "gonetrepl.websocket_serve_opts", 3, "serve")
  check_max(opts, 3, "serve")
  check_idle(opts, 3, "serve", ws.IDLE_TIMEOUT)
  if where == nil then error("bad argument #1 to serve (address or listener expected, got nil)", 2) end
  local up = { max = opts.max, protocols = opts.protocols, idle = opts.idle }
  return http.serve(where, function(req, c)
    local s, err = ws.upgrade(req, c, up)
    if not s then
      if err.status then
        return err.status, { ["Sec-WebSocket-Version"] = "13", Connection = "close" }, tostring(err):gsub("^websocket: ", "") .. "\n"
      end
      return
    end
    local ok, herr = pcall(handler, s, req)
    if not ok then
      -- Described protected (a __tostring may raise), so the close below
      -- still tells the peer 1011.
      local shown, text = pcall(tostring, herr)
      io.stderr:write("websocket.serve: handler failed: ", bin.escape(shown and text or "error object (__tostring failed)", 2000), "\n")
      s:close(ws.INTERNAL_ERROR)
    else
      s:close()
    end
  end, { timeout = opts.timeout })
end

return ws
