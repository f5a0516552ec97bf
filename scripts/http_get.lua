-- http_get.lua: an HTTP/1.0 GET written by hand over a plain TCP conn.
--
--   gonetrepl scripts/http_get.lua [URL] [--head] [--timeout SECONDS]
--
-- Fetches URL (http:// only; default http://127.0.0.1:8000/, where
-- `python3 -m http.server` listens) and prints the status line, the
-- headers, a blank line and the body. The status line and the headers
-- are escaped (bin.escape: control bytes as \27, so a server cannot
-- retitle or clear the terminal); the body is written as it came, byte
-- for byte, as curl does, to be piped or saved. The request is the whole
-- HTTP/1.0 exchange in a few lines of Lua: write the request, read the
-- status line with c:expect, the headers with c:read_line up to the empty
-- line, and the body as the headers frame it: Content-Length bytes, a
-- chunked body decoded (a server should not send one to HTTP/1.0, but
-- some do), or else everything until the server closes. The body is
-- copied to stdout as it arrives, so its size is not limited by memory.
-- The conn is not half-closed after the request (curl does not either):
-- a server may take the client's EOF for a client that gave up, and
-- nginx then stops sending a large file part-way. --head sends HEAD
-- instead and prints no body. Exit status: 0 when a whole response came;
-- 1 when none did, or when the body was cut short (fewer bytes than its
-- Content-Length, or a chunked body without its last chunk: what did
-- come is written, then "transfer closed with ..." on stderr, as curl
-- says); 2 for a bad URL.
--
-- Try it:  python3 -m http.server --bind 127.0.0.1 8000 &
--          gonetrepl scripts/http_get.lua http://127.0.0.1:8000/
local flags = require "flags"
local logf = require "logf"

local cli = flags.new("gonetrepl scripts/http_get.lua [URL] [options]",
  "An HTTP/1.0 GET over a plain TCP conn (default URL http://127.0.0.1:8000/).")
cli:bool("head", false, "send HEAD instead of GET: status line and headers only")
cli:seconds("timeout", 10, "seconds to wait for the connection and for each read (0: no limit)")
cli:args(0, 1, "URL")
local opts, args = cli:parse(arg)
local url = args[1] or "http://127.0.0.1:8000/"

-- fail writes a message to stderr and exits; string arguments are escaped
-- (logf: they may hold what the server sent).
local log = logf.new("http_get: ")
local function fail(status, fmt, ...)
  log(fmt, ...)
  os.exit(status)
end

-- parse splits an http:// URL into the address to dial, the Host header
-- and the path.
local function parse(u)
  if u:match("^https://") then return nil, "only http:// URLs: this script speaks plain TCP, not TLS" end
  local hostport, path = u:match("^http://([^/?#]+)([^#]*)")
  if not hostport then return nil, "not an http:// URL: " .. u end
  if path == "" then path = "/" end
  if path:sub(1, 1) == "?" then path = "/" .. path end
  local addr = hostport
  if hostport:match("^%[[^%]]+%]$") or not hostport:find(":", 1, true) then
    addr = hostport .. ":80" -- a bare host name, IPv4 address or [IPv6] address
  elseif not (hostport:match("^%[[^%]]+%]:%d+$") or hostport:match("^[^:]+:%d+$")) then
    return nil, "bad host or port in " .. u
  end
  return addr, hostport, path
end

local addr, host, path = parse(url)
if not addr then fail(2, "%s", host) end

local c, err = net.dial("tcp", addr, { timeout = opts.timeout })
if not c then fail(1, "%s", tostring(err)) end
c:set_timeout(opts.timeout)

local method = opts.head and "HEAD" or "GET"
local request = table.concat({
  ("%s %s HTTP/1.0"):format(method, path),
  "Host: " .. host,
  "User-Agent: gonetrepl-http_get",
  "Accept: */*",
  "", "",
}, "\r\n")
local ok, werr = c:write(request)
if not ok then fail(1, "%s", tostring(werr)) end
-- HTTP/1.0: one request per connection; the server closes it after the
-- response. The conn is not half-closed (see the top of this file).

local status_line, code = c:expect("^HTTP/%d%.%d (%d%d%d)[^\n]*\n")
if not status_line then
  local got = c:buffered()
  if code.kind == "timeout" or got == "" then fail(1, "no response: %s", tostring(code)) end
  fail(1, 'not an HTTP response: "%s"', got:sub(1, 60))
end
print(bin.escape((status_line:gsub("\r?\n$", ""))))

-- A server's header (and trailer) lines, at most: a response that goes on
-- sending them is not a response (curl stops at its own limit too). The
-- http module's http.MAX_HEADERS is the same number.
local MAX_HEADERS = 100

-- The headers that frame the body: Transfer-Encoding and Content-Length.
local te, length
for n = 1, MAX_HEADERS + 1 do
  local line, herr = c:read_line()
  if not line then fail(1, "reading the headers: %s", tostring(herr)) end
  if line == "" then break end
  if n > MAX_HEADERS then fail(1, "more than %d header lines", MAX_HEADERS) end
  print(bin.escape(line))
  -- The value trimmed in two linear steps: "[ \t]*(.-)[ \t]*$" would
  -- rescan a run of blanks a server sends from each of its bytes.
  local name, value = line:match("^([^:]+):(.*)$")
  if value then
    local first = value:find("[^ \t]")
    value = first and value:match("^.*[^ \t]", first) or ""
  end
  name = name and name:lower()
  if name == "transfer-encoding" then
    te = value:lower()
  elseif name == "content-length" then
    -- "5" or "5, 5"; two different lengths are no length at all.
    for part in value:gmatch("[^,]+") do
      local digits = part:match("^[ \t]*(%d+)[ \t]*$")
      if not digits or #digits > 15 or (length and length ~= tonumber(digits)) then
        fail(1, 'bad Content-Length "%s"', value:sub(1, 40))
      end
      length = tonumber(digits)
    end
  end
end
print()

-- copy writes n bytes of the body to stdout as they arrive (all of it
-- until the server closes when n is nil); a body cut short exits 1.
local function copy(n)
  while n == nil or n > 0 do
    local data, rerr = c:read(n and math.min(n, 65536) or 65536)
    if not data then
      if rerr.kind == "eof" and n == nil then return end
      io.stdout:flush()
      if rerr.kind == "eof" then fail(1, "transfer closed with %d bytes remaining", n) end
      fail(1, "reading the body: %s", tostring(rerr))
    end
    io.write(data)
    if n then n = n - #data end
  end
end

-- chunked decodes a chunked body (RFC 9112, 7.1) to stdout: chunks up to
-- the last one (size 0), then the trailers up to an empty line.
local function chunked()
  while true do
    local line, lerr = c:read_line()
    if not line then
      if lerr.kind == "eof" then fail(1, "transfer closed with outstanding read data remaining") end
      fail(1, "reading the body: %s", tostring(lerr))
    end
    local hex = line:match("^[ \t]*(%x+)[ \t]*;?")
    if not hex or #hex > 15 then fail(1, 'bad chunk-size line "%s"', line:sub(1, 40)) end
    local size = tonumber(hex, 16)
    if size == 0 then break end
    copy(size)
    local crlf, cerr = c:read_full(2)
    if not crlf then
      if cerr.kind == "eof" then fail(1, "transfer closed with outstanding read data remaining") end
      fail(1, "reading the body: %s", tostring(cerr))
    end
    if crlf ~= "\r\n" then fail(1, "a chunk not followed by CRLF") end
  end
  for n = 1, MAX_HEADERS + 1 do
    local line, terr = c:read_line()
    if not line then
      if terr.kind == "eof" then fail(1, "transfer closed with outstanding read data remaining") end
      fail(1, "reading the trailers: %s", tostring(terr))
    end
    if line == "" then return end
    if n > MAX_HEADERS then fail(1, "more than %d trailer lines", MAX_HEADERS) end
  end
end

local status = tonumber(code)
if not (opts.head or status < 200 or status == 204 or status == 304) then
  -- RFC 9112, 6.3: Transfer-Encoding overrides Content-Length.
  if te and te:match("chunked$") then
    chunked()
  elseif te then
    copy(nil)
  else
    copy(length)
  end
end
c:close()
