-- http_get.lua: an HTTP/1.0 GET written by hand over a plain TCP conn.
--
--   gonetrepl scripts/http_get.lua [URL] [--head] [--timeout SECONDS]
--
-- Fetches URL (http:// only; default http://127.0.0.1:8000/, where
-- `python3 -m http.server` listens) and prints the status line, the
-- headers, a blank line and the body. The status line and the headers
-- are escaped (bin.escape: control bytes as \27, so a server cannot
-- retitle or clear the terminal); the body is written as it came, byte
-- for byte, as curl does, to be piped or saved. The
-- request is the whole HTTP/1.0 exchange in a few lines of Lua: write the
-- request, half-close the conn (close_write: the server reads EOF after
-- it), read the status line with c:expect, the headers with c:read_line
-- up to the empty line, and the body with c:read_all until the server
-- closes. --head sends HEAD instead and prints no body. Exit status: 0
-- when a response came, 1 when none did, 2 for a bad URL.
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
-- HTTP/1.0: one request per connection. Half-closing tells the server
-- that nothing more is coming; the answer still comes back on this conn.
c:close_write()

local status_line, code = c:expect("^HTTP/%d%.%d (%d%d%d)[^\n]*\n")
if not status_line then
  local got = c:buffered()
  if code.kind == "timeout" or got == "" then fail(1, "no response: %s", tostring(code)) end
  fail(1, 'not an HTTP response: "%s"', got:sub(1, 60))
end
print(bin.escape((status_line:gsub("\r?\n$", ""))))

while true do
  local line, herr = c:read_line()
  if not line then fail(1, "reading the headers: %s", tostring(herr)) end
  if line == "" then break end
  print(bin.escape(line))
end
print()

if not opts.head then
  local body, berr = c:read_all()
  if not body then fail(1, "reading the body: %s", tostring(berr)) end
  io.write(body)
end
c:close()
