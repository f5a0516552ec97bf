-- socks: the server side of SOCKS5 (RFC 1928) with user/password
-- authentication (RFC 1929), in Lua on top of net: what
-- scripts/socks_proxy.lua serves, and what a test double of a proxy needs.
-- (The client side is net.dial's via option, in Go.)
--
--   local socks = require "socks"
--   ln:serve(function(c) socks.serve_client(c, { user = "u", pass = "p" }) end)
--
--   local req, reply = socks.parse("\5\1\0\5\1\0\1\127\0\0\1\0\80")
--   --> {cmd = 1, atyp = "ipv4", host = "127.0.0.1", port = 80}, "\5\0"
--
-- Only CONNECT is served (BIND and UDP ASSOCIATE get "command not
-- supported"). Targets may be IPv4, IPv6 or a name, which the server looks
-- up (so clients may use socks5h). Every read of the handshake is sized by
-- the byte before it, at most 255 bytes, so a client can make the server
-- hold no more than 515 bytes; the whole handshake must be done within
-- socks.HANDSHAKE_TIMEOUT seconds. The handshake's parsing is one function
-- over a reader, run by serve_client on the conn and by socks.parse on a
-- string, which the Go fuzz target FuzzSOCKSHandshake runs on any bytes.

local socks = {}

-- check_options(opts, class) is a Go helper given to the stdlib modules:
-- nil, or what is wrong with opts' keys, judged by the options shape of
-- class that the type stubs declare (bindings/apidoc_socks.go).
local _, internal = ...
local check_options = internal.check_options

socks.HANDSHAKE_TIMEOUT = 10 -- seconds for the client's greeting, auth and request
socks.DIAL_TIMEOUT = 10      -- seconds for the connect to the target

-- Reply codes (RFC 1928, 6), the second byte of a reply.
socks.SUCCEEDED = 0             -- connected: the reply carries the address the server bound
socks.GENERAL_FAILURE = 1       -- any other failure
socks.NOT_ALLOWED = 2           -- the server's rules refuse the target
socks.NETWORK_UNREACHABLE = 3   -- no route to the target's network
socks.HOST_UNREACHABLE = 4      -- no such host, or no answer from it
socks.CONNECTION_REFUSED = 5    -- the target refused the connection
socks.TTL_EXPIRED = 6           -- the connect timed out (RFC 1928's name)
socks.COMMAND_NOT_SUPPORTED = 7 -- a command other than CONNECT
socks.ADDRESS_NOT_SUPPORTED = 8 -- an address type other than IPv4, IPv6 and a name

local NO_AUTH, USER_PASS, NO_METHOD = 0, 2, 255

-- Errors made here look like the net error values the conns return:
-- kind, op, addr, message; tostring and .. give the message.
local Error = {}
Error.__index = Error
Error.__tostring = function(e) return e.message end
Error.__concat = function(a, b) return tostring(a) .. tostring(b) end

local function new_error(kind, fmt, ...)
  return setmetatable({ kind = kind, op = "socks", message = "socks: " .. fmt:format(...) }, Error)
end

-- The kind of a failed dial, as the reply code a client gets.
local REPLY_OF_KIND = {
  refused = socks.CONNECTION_REFUSED,
  unreachable = socks.NETWORK_UNREACHABLE,
  no_such_host = socks.HOST_UNREACHABLE,
  timeout = socks.HOST_UNREACHABLE,
}

-- handshake reads a client's greeting, its credentials if opts.user is
-- set, and its request, with read(n) (exactly n bytes, or nil, err) and
-- answering with write(data). It returns the request {cmd, atyp, host,
-- port}, or nil, err, and the reply code to send (nil when a reply went
-- out already or none is due).
local function handshake(read, write, opts)
  local b, err = read(2)
  if not b then return nil, err end
  local ver, nmethods = b:byte(1, 2)
  if ver ~= 5 then return nil, new_error("other", "not SOCKS5 (version byte %d)", ver) end
  if nmethods == 0 then return nil, new_error("other", "no authentication methods offered") end
  local methods
  methods, err = read(nmethods)
  if not methods then return nil, err end
  local want = opts.user and USER_PASS or NO_AUTH
  if not methods:find(string.char(want), 1, true) then
    write(string.char(5, NO_METHOD))
    return nil, new_error("other", "the client offers no acceptable authentication method")
  end
  write(string.char(5, want))
  if want == USER_PASS then
    b, err = read(2)
    if not b then return nil, err end
    local aver, ulen = b:byte(1, 2)
    if aver ~= 1 then return nil, new_error("other", "bad user/password version %d", aver) end
    local user, pass
    user, err = read(ulen)
    if not user then return nil, err end
    b, err = read(1)
    if not b then return nil, err end
    pass, err = read(b:byte())
    if not pass then return nil, err end
    if user ~= opts.user or pass ~= opts.pass then
      write(string.char(1, 1))
      return nil, new_error("other", "authentication failed")
    end
    write(string.char(1, 0))
  end
  b, err = read(4)
  if not b then return nil, err end
  local rver, cmd, _, atyp = b:byte(1, 4)
  if rver ~= 5 then return nil, new_error("other", "not SOCKS5 (request version byte %d)", rver) end
  local req = { cmd = cmd }
  if atyp == 1 then
    b, err = read(4)
    if not b then return nil, err end
    req.atyp, req.host = "ipv4", ("%d.%d.%d.%d"):format(b:byte(1, 4))
  elseif atyp == 4 then
    b, err = read(16)
    if not b then return nil, err end
    local groups = {}
    for i = 1, 16, 2 do groups[#groups + 1] = ("%x"):format(b:byte(i) * 256 + b:byte(i + 1)) end
    req.atyp = "ipv6"
    req.host = tostring(net.parse_ip(table.concat(groups, ":")))
  elseif atyp == 3 then
    b, err = read(1)
    if not b then return nil, err end
    if b:byte() == 0 then return nil, new_error("other", "empty host name"), socks.GENERAL_FAILURE end
    b, err = read(b:byte())
    if not b then return nil, err end
    req.atyp, req.host = "domain", b
  else
    return nil, new_error("other", "address type %d not supported", atyp), socks.ADDRESS_NOT_SUPPORTED
  end
  b, err = read(2)
  if not b then return nil, err end
  req.port = b:byte(1) * 256 + b:byte(2)
  if cmd ~= 1 then
    return nil, new_error("other", "command %d not supported (CONNECT only)", cmd), socks.COMMAND_NOT_SUPPORTED
  end
  return req
end

-- check_opts raises for a bad opts of f (argument n).
local function check_opts(opts, n, f)
  if opts == nil then return {} end
  if type(opts) ~= "table" then error(("bad argument #%d to %s (table expected, got %s)"):format(n, f, type(opts)), 3) end
  local problem = check_options(opts, "gonetrepl.socks_opts")
  if problem then error(("bad argument #%d to %s (opts: %s)"):format(n, f, problem), 3) end
  if (opts.user == nil) ~= (opts.pass == nil) then
    error(("bad argument #%d to %s (opts: user and pass go together)"):format(n, f), 3)
  end
  for _, k in ipairs({ "user", "pass" }) do
    local v = opts[k]
    if v ~= nil and (type(v) ~= "string" or #v == 0 or #v > 255) then
      error(("bad argument #%d to %s (opts.%s: a string of 1 to 255 bytes expected)"):format(n, f, k), 3)
    end
  end
  if opts.allow ~= nil and type(opts.allow) ~= "function" then
    error(("bad argument #%d to %s (opts.allow: function expected, got %s)"):format(n, f, type(opts.allow)), 3)
  end
  if opts.timeout ~= nil and (type(opts.timeout) ~= "number" or opts.timeout <= 0) then
    error(("bad argument #%d to %s (opts.timeout: seconds above 0 expected)"):format(n, f), 3)
  end
  return opts
end

-- socks.parse runs the server's handshake on data, a client's bytes.
function socks.parse(data, opts)
  if type(data) ~= "string" then error("bad argument #1 to parse (string expected, got " .. type(data) .. ")", 2) end
  opts = check_opts(opts, 2, "parse")
  local pos, out = 1, {}
  local function read(n)
    if pos + n - 1 > #data then return nil, new_error("eof", "handshake cut short") end
    local s = data:sub(pos, pos + n - 1)
    pos = pos + n
    return s
  end
  local function write(s) out[#out + 1] = s end
  local req, err, code = handshake(read, write, opts)
  if code then out[#out + 1] = socks.reply(code) end
  if not req then return nil, err, table.concat(out) end
  return req, table.concat(out)
end

-- ip_bytes is the IP address in text (IPv4 or IPv6) as 4 or 16 bytes,
-- or nil when it is none.
local function ip_bytes(text)
  local ip = net.parse_ip(text)
  if not ip then return nil end
  local v4 = ip:to4()
  if v4 then
    local a, b, c, d = tostring(v4):match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
    return string.char(tonumber(a), tonumber(b), tonumber(c), tonumber(d))
  end
  local s = tostring(ip):gsub("%%.*$", "") -- no zone
  local head, tail = s, ""
  local cut = s:find("::", 1, true)
  if cut then head, tail = s:sub(1, cut - 1), s:sub(cut + 2) end
  local function groups(part)
    local out = {}
    for g in part:gmatch("[^:]+") do out[#out + 1] = tonumber(g, 16) end
    return out
  end
  local h, t = groups(head), groups(tail)
  local all = {}
  for _, g in ipairs(h) do all[#all + 1] = g end
  for _ = 1, 8 - #h - #t do all[#all + 1] = 0 end
  for _, g in ipairs(t) do all[#all + 1] = g end
  local out = {}
  for _, g in ipairs(all) do out[#out + 1] = string.char(math.floor(g / 256), g % 256) end
  return table.concat(out)
end

-- socks.reply is a reply to a request: code, and the address the server
-- bound (an addr value, or "ip:port"; default 0.0.0.0:0).
function socks.reply(code, bound)
  if type(code) ~= "number" or code < 0 or code > 255 or code % 1 ~= 0 then
    error("bad argument #1 to reply (a code from 0 to 255 expected)", 2)
  end
  local ip, port = "0.0.0.0", 0
  if bound ~= nil then
    local host, p = net.split_host_port(tostring(bound))
    if not host then error("bad argument #2 to reply (address \"ip:port\" expected)", 2) end
    ip, port = host, tonumber(p) or 0
  end
  local packed = ip_bytes(ip)
  if not packed then error("bad argument #2 to reply (an IP address expected, got \"" .. bin.escape(ip) .. "\")", 2) end
  local head = string.char(5, code, 0, #packed == 4 and 1 or 4) .. packed
  return head .. string.char(math.floor(port / 256), port % 256)
end

-- socks.serve_client serves one client on conn c: the handshake, the
-- connect to its target, then the bytes both ways with net.relay.
function socks.serve_client(c, opts)
  opts = check_opts(opts, 2, "serve_client")
  c:set_deadline(time.now() + (opts.timeout or socks.HANDSHAKE_TIMEOUT))
  local function read(n)
    if n == 0 then return "" end
    return c:read_full(n)
  end
  local function write(s) return c:write(s) end
  local req, err, code = handshake(read, write, opts)
  if not req then
    if code then c:write(socks.reply(code)) end
    return nil, err
  end
  local target = net.join_host_port(req.host, req.port)
  if opts.allow and not opts.allow(req.host, req.port) then
    c:write(socks.reply(socks.NOT_ALLOWED))
    return nil, new_error("other", "connection to %s not allowed", bin.escape(target))
  end
  local up, derr = net.dial("tcp", target, { timeout = socks.DIAL_TIMEOUT })
  if not up then
    c:write(socks.reply(REPLY_OF_KIND[derr.kind] or socks.GENERAL_FAILURE))
    return nil, derr
  end
  local ok, werr = c:write(socks.reply(socks.SUCCEEDED, up:local_addr()))
  if not ok then
    up:close()
    return nil, werr
  end
  c:set_deadline(0)
  local ab, ba = net.relay(c, up)
  up:close()
  return ab, ba
end

return socks
