-- http: an HTTP/1.1 client and a tiny server, in Lua on top of net and tls.
--
--   local http = require "http"
--   local r = assert(http.get("http://127.0.0.1:8000/"))
--   print(r.status, r.reason, r.headers["content-type"], #r.body)
--
--   local client = http.client({ timeout = 5 })      -- keeps connections alive
--   local a = assert(client:get("http://127.0.0.1:8000/a"))
--   local b = assert(client:get("http://127.0.0.1:8000/b")) -- same connection
--   client:close()
--
--   local ln = assert(http.serve("127.0.0.1:0", function(req)
--     return 200, { ["content-type"] = "text/plain" }, "you asked for " .. req.path
--   end))
--
-- A response is a table {status, reason, version, headers, header_list,
-- body, url, trailers}. headers maps each lowercased name to its value; a
-- header that comes more than once has its values joined with ", " (RFC
-- 9110, 5.3), and header_list keeps every {name, value} as received, in
-- order (for set-cookie, say). Failures return nil, err where err has the
-- fields of a net error value (kind, op, addr, message; tostring and ..
-- work): a network error from the conn as it came, or one made here: kind
-- "too_large" for anything over a cap (a status or header line, the number
-- of headers, a chunk-size line, the body), "other" for a malformed
-- response, "eof" with "transfer closed with N bytes remaining" for a body
-- the server ended before its length (N of the body, or of the chunk), and
-- with "transfer closed with outstanding read data remaining" for a
-- chunked body it ended before its last chunk.
--
-- Every read is capped, so that one message as a whole is bounded: a line
-- at http.MAX_LINE bytes, http.MAX_HEADERS headers of at most
-- http.MAX_HEADER_BYTES together, a body at opts.max_body (default
-- http.MAX_BODY for a client, http.MAX_REQUEST_BODY for a server), and a
-- chunked body's framing (size lines, extensions, CRLFs) at
-- http.MAX_CHUNK_OVERHEAD bytes beyond half its data. A Content-Length or
-- a chunk size over the cap is refused before anything is read or
-- allocated. A server reads a request's body only when the handler asks
-- for req.body: a request it refuses costs nothing but its head.
--
-- Framing is strict (RFC 9112, 6): Transfer-Encoding is a list of tokens,
-- of which only "chunked" is known; a request with another coding is
-- refused with 501, one with Transfer-Encoding and Content-Length both
-- (a smuggling attempt) with 400, and the connection is closed. A client
-- refuses such a response as kind "other".
--
-- Peer bytes quoted in an error message or a log line go through
-- bin.escape: they cannot reach a terminal as control sequences.

local http = {}

-- check_options(opts, class) is a Go helper given to the stdlib modules:
-- nil, or what is wrong with opts' keys, judged by the options shape of
-- class that the type stubs declare (bindings/apidoc_http.go).
local _, internal = ...
local check_options = internal.check_options

-- check_opts raises "bad argument #n to f (what: unknown option 'x' (did
-- you mean 'y'?))" at the caller's caller when opts has a key the shape
-- of class does not list.
local function check_opts(opts, class, n, f, what)
  local problem = check_options(opts, class)
  if problem then error(("bad argument #%d to %s (%s: %s)"):format(n, f, what, problem), 3) end
end

-- Defaults, as module fields (LuaSocket's style): change them to change
-- every later call.
http.MAX_LINE = 8192            -- a status, request or header line, in bytes
http.MAX_HEADERS = 100          -- header (or trailer) lines in one message
http.MAX_HEADER_BYTES = 64 * 1024 -- all header (or trailer) lines of one message together
http.MAX_BODY = 16 * 1024 * 1024 -- a response body a client reads, in bytes (opts.max_body)
http.MAX_REQUEST_BODY = 1024 * 1024 -- a request body http.serve reads (its opts.max_body)
http.MAX_CHUNK_LINE = 1024      -- a chunk-size line, extensions included
http.MAX_CHUNK_OVERHEAD = 16 * 1024 -- chunk framing allowed beyond half the data it carries
http.DRAIN = 64 * 1024          -- a request body the handler left unread, up to this, is skipped to keep the conn
http.TIMEOUT = 30               -- seconds for a whole request (opts.timeout)
http.IDLE_TIMEOUT = 60          -- seconds a server conn may wait for a request
http.MAX_IDLE = 2               -- idle conns a client keeps per host:port
http.USER_AGENT = "gonetrepl-http"

local READ_PIECE = 1024 * 1024 -- bodies are read in pieces of at most this

http.REASONS = {
  [100] = "Continue", [101] = "Switching Protocols",
  [200] = "OK", [201] = "Created", [202] = "Accepted", [204] = "No Content", [206] = "Partial Content",
  [301] = "Moved Permanently", [302] = "Found", [303] = "See Other", [304] = "Not Modified",
  [307] = "Temporary Redirect", [308] = "Permanent Redirect",
  [400] = "Bad Request", [401] = "Unauthorized", [403] = "Forbidden", [404] = "Not Found",
  [405] = "Method Not Allowed", [408] = "Request Timeout", [411] = "Length Required",
  [413] = "Content Too Large", [414] = "URI Too Long", [417] = "Expectation Failed",
  [431] = "Request Header Fields Too Large",
  [500] = "Internal Server Error", [501] = "Not Implemented", [502] = "Bad Gateway",
  [503] = "Service Unavailable", [505] = "HTTP Version Not Supported",
}

-- Errors made here look like the net error values the conns return:
-- kind, op, addr, message; tostring and .. give the message.
local Error = {}
Error.__index = Error
Error.__tostring = function(e) return e.message end
Error.__concat = function(a, b) return tostring(a) .. tostring(b) end

local function new_error(kind, op, addr, fmt, ...)
  return setmetatable({ kind = kind, op = op, addr = addr, message = "http: " .. fmt:format(...) }, Error)
end

-- http.new_error makes such an error value with the whole message given:
-- for the protocols built on this module (websocket's errors are these).
function http.new_error(kind, op, addr, message)
  if type(kind) ~= "string" then error("bad argument #1 to new_error (kind: string expected, got " .. type(kind) .. ")", 2) end
  if op ~= nil and type(op) ~= "string" then error("bad argument #2 to new_error (op: string or nil expected, got " .. type(op) .. ")", 2) end
  if addr ~= nil and type(addr) ~= "string" then error("bad argument #3 to new_error (addr: string or nil expected, got " .. type(addr) .. ")", 2) end
  if type(message) ~= "string" then error("bad argument #4 to new_error (message: string expected, got " .. type(message) .. ")", 2) end
  return setmetatable({ kind = kind, op = op, addr = addr, message = message }, Error)
end

-- too_large turns a conn's too_large error into one that says what was
-- too long; other errors pass unchanged.
local function relabel(err, what, limit)
  if type(err) ~= "string" and err.kind == "too_large" then
    return new_error("too_large", err.op or "read", err.addr, "%s longer than %d bytes", what, limit)
  end
  return err
end

local function lower(s) return s:lower() end

-- show makes peer bytes safe to quote in a message: escaped, and cut.
local function show(s, max) return bin.escape(s, max or 60) end

-- trim strips spaces and tabs at both ends, in one pass over each end:
-- gsub("[ \t]+$", "") would rescan a run of blanks from each of its bytes
-- (quadratic on what a peer sent; codings() trims every part of a
-- Transfer-Encoding value).
local function trim(s)
  local first, last = s:byte(1), s:byte(-1)
  if first ~= 32 and first ~= 9 and last ~= 32 and last ~= 9 then return s end -- nothing to strip (or empty)
  local i, j = 1, #s
  while i <= j do
    local c = s:byte(i)
    if c ~= 32 and c ~= 9 then break end
    i = i + 1
  end
  while j > i do
    local c = s:byte(j)
    if c ~= 32 and c ~= 9 then break end
    j = j - 1
  end
  return s:sub(i, j)
end

-- has_token reports whether a comma-separated header value lists token
-- (lowercased).
local function has_token(value, token)
  if not value then return false end
  if not value:find(",", 1, true) then return lower(trim(value)) == token end
  for part in value:gmatch("[^,]+") do
    if lower(trim(part)) == token then return true end
  end
  return false
end

-- http.has_token is has_token for any token: compared without case.
function http.has_token(value, token)
  if value ~= nil and type(value) ~= "string" then error("bad argument #1 to has_token (value: string or nil expected, got " .. type(value) .. ")", 2) end
  if type(token) ~= "string" then error("bad argument #2 to has_token (token: string expected, got " .. type(token) .. ")", 2) end
  return has_token(value, lower(token))
end

-- split_list lists the items of a comma-separated header value (RFC
-- 9110, 5.6.1), trimmed, empty ones left out.
local function split_list(value)
  local list = {}
  for part in (value .. ","):gmatch("([^,]*),") do
    local item = trim(part)
    if item ~= "" then list[#list + 1] = item end
  end
  return list
end

-- http.split_list is split_list of a header that may be absent (nil).
function http.split_list(value)
  if value == nil then return {} end
  if type(value) ~= "string" then error("bad argument #1 to split_list (value: string or nil expected, got " .. type(value) .. ")", 2) end
  return split_list(value)
end

-- read_headers reads header lines up to the empty one: the map of
-- lowercased names (repeats joined with ", ") and the list as received.
local function read_headers(c, addr)
  local headers, list, bytes = {}, {}, 0
  for _ = 1, http.MAX_HEADERS + 1 do
    local line, err = c:read_line(http.MAX_LINE)
    if not line then return nil, relabel(err, "header line", http.MAX_LINE) end
    if line == "" then return headers, list end
    if #list == http.MAX_HEADERS then break end
    bytes = bytes + #line + 2
    if bytes > http.MAX_HEADER_BYTES then
      return nil, new_error("too_large", "read", addr, "header lines longer than %d bytes together", http.MAX_HEADER_BYTES)
    end
    local first = line:byte(1)
    if first == 32 or first == 9 then
      -- Obsolete line folding: a continuation of the previous value.
      local last = list[#list]
      if not last then return nil, new_error("other", "read", addr, "malformed header line \"%s\"", show(line)) end
      last[2] = last[2] .. " " .. trim(line)
      local name = lower(last[1])
      headers[name] = headers[name] .. " " .. trim(line)
    else
      -- "^([^:%s]+):(.*)$" without its captures: the name ends at the
      -- first colon, and has no blank.
      local colon = line:find(":", 1, true)
      local name = colon and colon > 1 and line:sub(1, colon - 1)
      if not name or name:find("%s") then
        return nil, new_error("other", "read", addr, "malformed header line \"%s\"", show(line))
      end
      local value = trim(line:sub(colon + 1))
      list[#list + 1] = { name, value }
      local key = lower(name)
      if headers[key] then headers[key] = headers[key] .. ", " .. value else headers[key] = value end
    end
  end
  return nil, new_error("too_large", "read", addr, "more than %d header lines", http.MAX_HEADERS)
end

-- http.read_headers is read_headers for the protocols that read an
-- HTTP-like head themselves (websocket's client reads the 101 reply so).
function http.read_headers(c, addr)
  if type(c) ~= "userdata" then error("bad argument #1 to read_headers (conn expected, got " .. type(c) .. ")", 2) end
  if addr ~= nil and type(addr) ~= "string" then error("bad argument #2 to read_headers (addr: string or nil expected, got " .. type(addr) .. ")", 2) end
  return read_headers(c, addr)
end

-- short_body is the error of a body the peer ended before its length
-- (kind eof, as curl words it): "transfer closed with N bytes remaining".
-- A read_full cut short by EOF consumed nothing: what did come is still
-- buffered.
local function short_body(c, err, left, addr)
  if type(err) == "string" or err.kind ~= "eof" then return err end
  left = left - #c:buffered()
  return new_error("eof", "read", addr or err.addr, "transfer closed with %d bytes remaining", left)
end

-- unfinished is the error of a chunked body the peer ended between its
-- chunks, before the last chunk (size 0) and the empty line after the
-- trailers: kind eof, in curl's words, "transfer closed with outstanding
-- read data remaining". Other errors pass unchanged.
local function unfinished(err, addr)
  if type(err) == "string" or err.kind ~= "eof" or getmetatable(err) == Error then return err end
  return new_error("eof", "read", addr ~= "" and addr or err.addr, "transfer closed with outstanding read data remaining")
end

-- read_exact reads n bytes in pieces (read_full takes at most 64 MiB).
local function read_exact(c, n, addr)
  if n == 0 then return "" end
  if n <= READ_PIECE then
    local data, err = c:read_full(n)
    if not data then return nil, short_body(c, err, n, addr) end
    return data
  end
  local parts = {}
  while n > 0 do
    local piece, err = c:read_full(math.min(n, READ_PIECE))
    if not piece then return nil, short_body(c, err, n, addr) end
    parts[#parts + 1] = piece
    n = n - #piece
  end
  return table.concat(parts)
end

-- content_length parses a Content-Length value ("5" or "5, 5"); nil, err
-- for anything else.
local function content_length(value, addr)
  local n
  for part in value:gmatch("[^,]+") do
    local digits = trim(part)
    if not digits:match("^%d+$") then
      return nil, new_error("other", "read", addr, "bad Content-Length \"%s\"", show(value, 40))
    end
    digits = digits:gsub("^0+(%d)", "%1")
    local v = #digits > 15 and math.huge or tonumber(digits)
    if n and v ~= n then return nil, new_error("other", "read", addr, "conflicting Content-Length \"%s\"", show(value, 40)) end
    n = v
  end
  if not n then return nil, new_error("other", "read", addr, "empty Content-Length") end
  return n
end

-- chunk_size parses a chunk-size line (extensions after ";" ignored): the
-- size, math.huge for more than 13 hex digits, or nil. The common case
-- takes no pattern (gopher-lua compiles one at every call, which was most
-- of the cost of a body in small chunks).
local function chunk_size(line)
  local semi = line:find(";", 1, true)
  local hex = semi and line:sub(1, semi - 1) or line
  if #hex <= 13 and not hex:find(".", 1, true) and not hex:find("+", 1, true) and not hex:find("-", 1, true) then
    local n = tonumber(hex, 16) -- spaces and tabs around it are trimmed
    if n then return n end
  end
  hex = trim(hex)
  if not hex:match("^%x+$") then return nil end
  hex = hex:gsub("^0+(%x)", "%1")
  return #hex > 13 and math.huge or tonumber(hex, 16)
end

-- read_chunked decodes a chunked body of at most max bytes, and returns it
-- with the trailers. A chunk-size line over http.MAX_CHUNK_LINE, or a size
-- that would take the body over max, is kind too_large before any of the
-- chunk is read; so is framing (size lines and CRLFs) that outgrows half
-- the data by http.MAX_CHUNK_OVERHEAD: a body in 1-byte chunks costs six
-- times its size on the wire and a Lua string per byte. The pieces are
-- joined in groups as they come, so the work is linear in the body.
local function read_chunked(c, max, addr)
  local parts, groups, total, framing = {}, {}, 0, 0
  while true do
    local line, err = c:read_line(http.MAX_CHUNK_LINE)
    if not line then return nil, unfinished(relabel(err, "chunk-size line", http.MAX_CHUNK_LINE), addr) end
    local size = chunk_size(line)
    if not size then
      return nil, new_error("other", "read", addr, "bad chunk-size line \"%s\"", show(line, 40))
    end
    if size > max - total then
      return nil, new_error("too_large", "read", addr, "chunked body longer than %d bytes", max)
    end
    framing = framing + #line + 4
    if framing > http.MAX_CHUNK_OVERHEAD + total / 2 then
      return nil, new_error("too_large", "read", addr, "chunked body with %d bytes of framing for %d of data", framing, total)
    end
    if size == 0 then break end
    local data, derr = read_exact(c, size, addr)
    if not data then return nil, derr end
    parts[#parts + 1] = data
    total = total + size
    if #parts == 64 then
      groups[#groups + 1] = table.concat(parts)
      parts = {}
    end
    -- CRLF ends the chunk; anything else is malformed, not too large.
    local crlf, cerr = c:read_full(2)
    if not crlf then return nil, unfinished(relabel(cerr, "chunk end", 2), addr) end
    if crlf ~= "\r\n" then return nil, new_error("other", "read", addr, "chunk not followed by CRLF") end
  end
  local trailers, terr = read_headers(c, addr)
  if not trailers then return nil, unfinished(terr, addr) end
  groups[#groups + 1] = table.concat(parts)
  return table.concat(groups), trailers
end

-- codings lists the transfer codings of a Transfer-Encoding value, as
-- lowercased tokens (parameters included: "chunked;x=1" is not chunked).
local function codings(value)
  local list = split_list(value)
  for i, token in ipairs(list) do list[i] = lower(token) end
  return list
end

-- framing decides how a message's body is delimited (RFC 9112, 6.3):
-- "chunked"; "length", n; or "none" (no Transfer-Encoding nor
-- Content-Length). A message it refuses gives nil, status, message:
-- status 400 for Transfer-Encoding with Content-Length, a coding listed
-- twice or none, 501 for a coding other than chunked.
local function framing(headers, addr)
  local te, cl = headers["transfer-encoding"], headers["content-length"]
  if te then
    if cl then return nil, 400, "both Transfer-Encoding and Content-Length" end
    local list = codings(te)
    for _, coding in ipairs(list) do
      if coding ~= "chunked" then return nil, 501, ("unsupported transfer-coding \"%s\""):format(show(coding, 40)) end
    end
    if #list ~= 1 then return nil, 400, ("bad Transfer-Encoding \"%s\""):format(show(te, 40)) end
    return "chunked"
  end
  if cl then
    local n, err = content_length(cl, addr)
    if not n then return nil, 400, (err.message:gsub("^http: ", "")) end
    return "length", n
  end
  return "none"
end

-- URL parsing ----------------------------------------------------------

-- split_authority splits "host[:port]" or "[v6 address][:port]" into the
-- host and the port's digits ("" for none), or returns nil. The host is
-- matched whole first, then what follows it: "^([^:]+):?(%d*)$" tried
-- every shorter host, each time scanning the digits after it again, so a
-- redirect to "http://" .. 8,000 digits .. ":x" was quadratic work.
local function split_authority(authority)
  local host, rest = authority:match("^%[([^%]]+)%](.*)$")
  if not (host and rest:find("^:?%d*$")) then
    host, rest = authority:match("^([^:]+)(.*)$")
    if not (host and rest:find("^:?%d*$")) then return nil end
  end
  return host, rest:sub(1, 1) == ":" and rest:sub(2) or rest
end

-- parse_url splits an http:// or https:// URL into scheme, host (without
-- brackets), port, the host:port to dial, the Host header and the target
-- (path and query). nil, message when it is not one.
local function parse_url(url)
  if type(url) ~= "string" then return nil, "URL string expected, got " .. type(url) end
  if url:find("[%s%c]") then return nil, "URL with a space or a control character: \"" .. show(url, 200) .. "\"" end
  local scheme, rest = url:match("^(%a[%w+.-]*)://(.*)$")
  if not scheme then return nil, "not an absolute http:// or https:// URL: " .. url end
  scheme = lower(scheme)
  if scheme ~= "http" and scheme ~= "https" then return nil, "unsupported scheme " .. scheme .. " in " .. url end
  local authority, target = rest:match("^([^/?#]*)([^#]*)")
  if authority:find("@", 1, true) then authority = authority:match("@([^@]*)$") end
  local host, port = split_authority(authority)
  if not host or host == "" then return nil, "bad host in " .. url end
  local default = scheme == "https" and 443 or 80
  port = tonumber(port) or default
  if port < 1 or port > 65535 then return nil, "bad port in " .. url end
  if target == "" then target = "/" end
  if target:sub(1, 1) == "?" then target = "/" .. target end
  local bracketed = host:find(":", 1, true) and "[" .. host .. "]" or host
  local host_header = port == default and bracketed or bracketed .. ":" .. port
  return {
    scheme = scheme, host = host, port = port, target = target,
    addr = bracketed .. ":" .. port, host_header = host_header,
  }
end
http.parse_url = parse_url

-- resolve returns the URL a Location header points to, from base.
local function resolve(base, location)
  if location:match("^%a[%w+.-]*://") then return location end
  local u = assert(parse_url(base))
  local origin = u.scheme .. "://" .. u.host_header
  if location:sub(1, 2) == "//" then return u.scheme .. ":" .. location end
  if location:sub(1, 1) == "/" then return origin .. location end
  local dir = u.target:gsub("[?#].*$", ""):match("^(.*/)") or "/"
  return origin .. dir .. location
end

-- Requests -------------------------------------------------------------

-- good_names remembers the header names check_header has passed: a
-- server sends the same few on every reply. Emptied past 256 names.
local good_names, good_count = {}, 0

local function check_header(name, value)
  if not good_names[name] then
    if type(name) ~= "string" or not name:match("^[!#$%%&'*+.^_`|~%w-]+$") then
      error("http: bad header name " .. tostring(name), 0)
    end
    if good_count == 256 then good_names, good_count = {}, 0 end
    good_names[name], good_count = true, good_count + 1
  end
  value = tostring(value)
  if value:find("\r", 1, true) or value:find("\n", 1, true) or value:find("\0", 1, true) then error("http: header " .. name .. " has CR, LF or NUL in its value", 0) end
  return value
end

-- header_lines appends "Name: value" lines for a table of headers: name ->
-- value, or name -> list of values (sent as repeated lines). Names in
-- skip (lowercased) are left out. It returns the set of lowercased names
-- written.
local function by_name(a, b)
  if type(a) == "string" and type(b) == "string" then return a < b end
  return tostring(a) < tostring(b)
end

local function header_lines(out, headers, skip)
  local seen = {}
  local names = {}
  for name in pairs(headers or {}) do names[#names + 1] = name end
  if #names > 1 then table.sort(names, by_name) end
  for _, name in ipairs(names) do
    local v = headers[name]
    local key = type(name) == "string" and lower(name) or name
    if not (skip and skip[key]) and v ~= false then
      if type(v) == "table" then
        for _, one in ipairs(v) do out[#out + 1] = name .. ": " .. check_header(name, one) end
      else
        out[#out + 1] = name .. ": " .. check_header(name, v)
      end
      seen[key] = true
    end
  end
  return seen
end

local function get_header(headers, name)
  for k, v in pairs(headers or {}) do
    if type(k) == "string" and #k == #name and lower(k) == name then
      if type(v) == "table" then return table.concat(v, ", ") end
      return v and tostring(v) or nil
    end
  end
end

-- The client ----------------------------------------------------------

-- Client holds the methods; the metatable is apart (LuaSocket's way), so
-- that only methods show up in Client.
local Client = {}
local client_mt = {
  __index = Client,
  __tostring = function(cl)
    local n = 0
    for _, list in pairs(cl.idle) do n = n + #list end
    return ("<http client: %d idle conns%s>"):format(n, cl.closed and ", closed" or "")
  end,
}

local function pick(field, req, defaults)
  local v = req[field]
  if v == nil then v = defaults[field] end
  return v
end

-- http.client([opts]) makes a client that keeps connections alive: up to
-- opts.max_idle (default http.MAX_IDLE) idle conns per scheme, host and
-- port, reused by later requests. opts are defaults for its requests.
function http.client(opts)
  if opts ~= nil and type(opts) ~= "table" then error("bad argument #1 to http.client (table expected)", 2) end
  check_opts(opts, "gonetrepl.http_client_opts", 1, "http.client", "opts")
  return setmetatable({ opts = opts or {}, idle = {}, closed = false, keep_alive = true }, client_mt)
end

-- take returns an idle conn for key, or nil.
local function take(self, key)
  local list = self.idle[key]
  while list and #list > 0 do
    local entry = table.remove(list)
    -- A conn with unread bytes (or one idle too long) is not reused.
    if entry.c:buffered() == "" and time.since(entry.at) < http.IDLE_TIMEOUT then return entry.c end
    entry.c:close()
  end
end

-- put gives a conn back for reuse, closing it when the pool is full.
local function put(self, key, c, max_idle)
  if self.closed or not self.keep_alive then c:close() return end
  local list = self.idle[key] or {}
  self.idle[key] = list
  if #list >= max_idle then c:close() return end
  c:set_deadline(0)
  list[#list + 1] = { c = c, at = time.now() }
end

-- close closes every idle conn; the client can still be used, without
-- keeping conns any more.
function Client:close()
  self.closed = true
  for key, list in pairs(self.idle) do
    for _, entry in ipairs(list) do entry.c:close() end
    self.idle[key] = nil
  end
  return true
end

-- tls_key describes the TLS options of a request, for the pool's key: a
-- conn is reused only by a request that would have dialed it with the same
-- checks (a pinned request never gets a conn dialed without its pin).
local function tls_key(o)
  local pins = o.pin_sha256
  if type(pins) == "table" then pins = table.concat(pins, ",") end
  local parts = {}
  for i, v in ipairs({ o.insecure or false, o.ca or "", o.cert or "", o.key or "", o.server_name or "",
    o.sni == nil and "" or o.sni, pins or "", o.min_version or "", o.keylog or "" }) do
    parts[i] = tostring(v)
  end
  return "|" .. table.concat(parts, "|")
end

-- dial opens a conn to u (TLS for https), through the proxies of o.via
-- if any.
local function dial(u, o, timeout)
  if u.scheme == "https" then
    return tls.dial(u.addr, {
      timeout = timeout, server_name = o.server_name or u.host, insecure = o.insecure,
      ca = o.ca, cert = o.cert, key = o.key, alpn = { "http/1.1" },
      sni = o.sni, pin_sha256 = o.pin_sha256, min_version = o.min_version, keylog = o.keylog, via = o.via,
    })
  end
  return net.dial("tcp", u.addr, { timeout = timeout, via = o.via })
end

-- route names the proxies of via (a URL, a list of them or nil),
-- so that the pool keeps conns of different routes apart. A via of the
-- wrong type is left to net.dial to refuse.
local function route(via)
  if type(via) ~= "table" then return tostring(via) end
  local parts = {}
  for i = 1, #via do parts[i] = tostring(via[i]) end
  return table.concat(parts, " ")
end

-- exchange sends one request on c and reads the response. It returns the
-- response, whether c can be reused, and on failure nil, err, and whether
-- nothing of a response had arrived (so a retry on a fresh conn is safe).
local function exchange(c, u, method, headers, body, o, keep_alive)
  local lines = { ("%s %s HTTP/1.1"):format(method, u.target) }
  local seen = header_lines(lines, headers, { ["content-length"] = true, ["transfer-encoding"] = true })
  if not seen.host then table.insert(lines, 2, "Host: " .. u.host_header) end
  if not seen["user-agent"] then lines[#lines + 1] = "User-Agent: " .. http.USER_AGENT end
  if not keep_alive and not seen.connection then lines[#lines + 1] = "Connection: close" end
  if body ~= "" or method == "POST" or method == "PUT" or method == "PATCH" then
    lines[#lines + 1] = "Content-Length: " .. #body
  end
  lines[#lines + 1] = ""
  lines[#lines + 1] = ""
  local ok, err = c:write(table.concat(lines, "\r\n") .. body)
  if not ok then return nil, err, true end

  local addr = u.addr
  local status, reason, version, rheaders, list
  for _ = 1, 10 do -- interim 1xx responses (100 Continue) are skipped
    local line, lerr = c:read_line(http.MAX_LINE)
    if not line then return nil, relabel(lerr, "status line", http.MAX_LINE), c:buffered() == "" end
    local major, minor, code, why = line:match("^HTTP/(%d)%.(%d) (%d%d%d) ?(.*)$")
    if not major then return nil, new_error("other", "read", addr, "not an HTTP response: \"%s\"", show(line)) end
    version, status, reason = ("HTTP/%s.%s"):format(major, minor), tonumber(code), why
    rheaders, list = read_headers(c, addr)
    if not rheaders then return nil, list end
    if status >= 200 or status == 101 then break end
    status = nil
  end
  if not status then return nil, new_error("other", "read", addr, "too many interim responses") end

  local resp = { status = status, reason = reason, version = version, headers = rheaders, header_list = list }
  local reusable = keep_alive
  if version == "HTTP/1.0" then
    reusable = reusable and has_token(rheaders.connection, "keep-alive")
  end
  if has_token(rheaders.connection, "close") then reusable = false end

  local max = o.max_body
  local how, n, why
  if method == "HEAD" or status < 200 or status == 204 or status == 304 then
    how = "bodyless"
  else
    how, n, why = framing(rheaders, addr)
    -- A response with both Transfer-Encoding and Content-Length, or with
    -- a coding this module cannot undo, is refused rather than guessed.
    if not how then return nil, new_error("other", "read", addr, "%s", why) end
  end
  if how == "bodyless" then
    resp.body = ""
  elseif how == "chunked" then
    local data, trailers = read_chunked(c, max, addr)
    if not data then return nil, trailers end
    resp.body, resp.trailers = data, trailers
  elseif how == "length" then
    if n > max then return nil, new_error("too_large", "read", addr, "body of %s bytes is over the cap of %d", show(rheaders["content-length"], 30), max) end
    local data, derr = read_exact(c, n, addr)
    if not data then return nil, derr end
    resp.body = data
  else
    -- No length: the body runs until the server closes (HTTP/1.0 style).
    local data, derr = c:read_all(max)
    if not data then return nil, relabel(derr, "body", max) end
    resp.body = data
    reusable = false
  end
  if status == 101 then reusable = false end
  return resp, reusable
end

local idempotent = { GET = true, HEAD = true, OPTIONS = true, TRACE = true, PUT = true, DELETE = true }

-- request: see http.request.
function Client:request(req)
  if type(req) ~= "table" then error("bad argument #1 to request (table expected, got " .. type(req) .. ")", 2) end
  check_opts(req, "gonetrepl.http_request", 1, "request", "req")
  local o = {}
  for _, f in ipairs({ "timeout", "max_body", "redirects", "insecure", "ca", "cert", "key", "server_name", "max_idle",
    "sni", "pin_sha256", "min_version", "keylog", "via" }) do
    o[f] = pick(f, req, self.opts)
  end
  o.timeout = o.timeout or http.TIMEOUT
  o.max_body = o.max_body or http.MAX_BODY
  o.redirects = o.redirects or 0
  o.max_idle = o.max_idle or http.MAX_IDLE
  local method = req.method or "GET"
  if type(method) ~= "string" or not method:match("^[!#$%%&'*+.^_`|~%w-]+$") then
    error("bad argument #1 to request (method: a token expected, got " .. tostring(method) .. ")", 2)
  end
  method = method:upper()
  local body = req.body or ""
  if type(body) ~= "string" then error("bad argument #1 to request (body: string expected, got " .. type(body) .. ")", 2) end
  local headers = {}
  for k, v in pairs(self.opts.headers or {}) do headers[k] = v end
  for k, v in pairs(req.headers or {}) do headers[k] = v end
  header_lines({}, headers) -- bad names or values raise now, before a conn is open
  local url = req.url
  local deadline = time.now() + o.timeout

  local hops = 0
  while true do
    local u, perr = parse_url(url)
    if not u then error("http: " .. perr, 2) end
    local key = u.scheme .. "://" .. u.addr .. " " .. route(o.via)
    if u.scheme == "https" then key = key .. tls_key(o) end
    local resp, reusable, err, fresh
    for attempt = 1, 2 do
      local c = attempt == 1 and take(self, key) or nil -- the retry dials
      fresh = c == nil
      if fresh then
        local left = deadline - time.now()
        if left <= 0 then return nil, new_error("timeout", "dial", u.addr, "request to %s timed out", url) end
        local derr
        c, derr = dial(u, o, left)
        if not c then return nil, derr end
      end
      c:set_deadline(deadline)
      local nothing
      resp, err, nothing = exchange(c, u, method, headers, body, o, self.keep_alive)
      if resp then
        reusable = err
        if reusable then put(self, key, c, o.max_idle) else c:close() end
        break
      end
      c:close()
      -- A reused conn the server had closed meanwhile: try once more on a
      -- fresh one, when nothing of a response came and the method allows.
      local retry = not fresh and nothing and idempotent[method] and type(err) ~= "string"
        and (err.kind == "eof" or err.kind == "reset" or err.kind == "closed")
      if not retry then return nil, err end
    end
    resp.url = url
    resp.redirects = hops
    local location = resp.headers.location
    local redirect = ({ [301] = true, [302] = true, [303] = true, [307] = true, [308] = true })[resp.status]
    if not (redirect and location and hops < o.redirects) then return resp end
    hops = hops + 1
    local next_url = resolve(url, location)
    if resp.status == 303 or ((resp.status == 301 or resp.status == 302) and method == "POST") then
      if method ~= "HEAD" then method = "GET" end
      body = ""
    end
    local from, to, why = parse_url(url), parse_url(next_url)
    if not to then return nil, new_error("other", "redirect", from.addr, "bad redirect: %s", why) end
    if from.scheme ~= to.scheme or from.addr ~= to.addr then
      for k in pairs(headers) do
        local lk = type(k) == "string" and lower(k)
        if lk == "authorization" or lk == "cookie" or lk == "host" then headers[k] = nil end
      end
    end
    url = next_url
  end
end

function Client:get(url, opts)
  if opts ~= nil and type(opts) ~= "table" then error("bad argument #2 to get (table expected, got " .. type(opts) .. ")", 2) end
  check_opts(opts, "gonetrepl.http_opts", 2, "get", "opts")
  local req = {}
  for k, v in pairs(opts or {}) do req[k] = v end
  req.method, req.url = req.method or "GET", url
  return self:request(req)
end

-- http.request(req) makes one request on a fresh connection, closed after
-- it (the request says Connection: close). Use http.client() to keep
-- connections alive between requests.
function http.request(req)
  if type(req) ~= "table" then error("bad argument #1 to http.request (table expected, got " .. type(req) .. ")", 2) end
  check_opts(req, "gonetrepl.http_request", 1, "http.request", "req")
  local cl = http.client()
  cl.keep_alive = false
  local resp, err = cl:request(req)
  cl:close()
  return resp, err
end

function http.get(url, opts)
  if opts ~= nil and type(opts) ~= "table" then error("bad argument #2 to http.get (table expected, got " .. type(opts) .. ")", 2) end
  check_opts(opts, "gonetrepl.http_opts", 2, "http.get", "opts")
  local req = {}
  for k, v in pairs(opts or {}) do req[k] = v end
  req.method, req.url = req.method or "GET", url
  return http.request(req)
end

-- The server ----------------------------------------------------------

-- FileBody is the metatable of http.file's bodies.
local FileBody = {}
FileBody.__index = FileBody
FileBody.__tostring = function(b) return ("<http file %s, %d bytes>"):format(b.path, b.size) end

-- http.file(path [, offset [, count [, st]]]) is a body that reply streams from
-- a regular file with c:send_file, its Content-Length from os.stat (or
-- count): nil, err when path is not a regular file (a directory, FIFO,
-- device) or cannot be read. offset and count make it a slice (a 206's
-- body), clamped to the file's end; an offset past the end is nil, err.
-- st, the os.stat(path) the caller has just made, spares a second look:
-- a server stats a file for its validators first.
function http.file(path, offset, count, st)
  if type(path) ~= "string" then error("bad argument #1 to http.file (string expected, got " .. type(path) .. ")", 2) end
  if offset ~= nil and (type(offset) ~= "number" or offset < 0 or offset % 1 ~= 0) then
    error("bad argument #2 to http.file (offset: a whole number >= 0 expected, got " .. tostring(offset) .. ")", 2)
  end
  if count ~= nil and (type(count) ~= "number" or count < 0 or count % 1 ~= 0) then
    error("bad argument #3 to http.file (count: a whole number >= 0 expected, got " .. tostring(count) .. ")", 2)
  end
  if st ~= nil and (type(st) ~= "table" or type(st.kind) ~= "string" or type(st.size) ~= "number") then
    error("bad argument #4 to http.file (st: os.stat's table expected, got " .. type(st) .. ")", 2)
  end
  if st == nil then
    local err
    st, err = os.stat(path)
    if not st then return nil, err end
  end
  if st.kind ~= "file" then
    return nil, new_error("other", "stat", path, "%s is a %s, not a regular file", show(path, 200), st.kind)
  end
  offset = offset or 0
  if offset > st.size then
    return nil, new_error("other", "stat", path, "offset %d is past the end of %s (%d bytes)", offset, show(path, 200), st.size)
  end
  local size = st.size - offset
  if count and count < size then size = count end
  return setmetatable({ path = path, offset = offset, size = size }, FileBody)
end

-- range_number is the value of a run of digits of a Range header, or nil
-- past 18 digits (nginx refuses what overflows its off_t: so do we).
local function range_number(digits)
  if #digits > 18 then return nil end
  return tonumber(digits)
end

-- http.byte_range(value, size) reads a Range header's value for a
-- representation of size bytes as nginx does: first, last (0-based,
-- inclusive) for one satisfiable range; nil, "ignore" when the whole
-- representation is to be sent with 200 (not a "bytes=" unit, several
-- ranges, or a range from 0 of an empty one); nil, "unsatisfiable" for
-- a 416 (no range overlaps, or a malformed range set).
function http.byte_range(value, size)
  if type(value) ~= "string" then error("bad argument #1 to http.byte_range (string expected, got " .. type(value) .. ")", 2) end
  if type(size) ~= "number" or size < 0 or size % 1 ~= 0 then
    error("bad argument #2 to http.byte_range (size: a whole number >= 0 expected, got " .. tostring(size) .. ")", 2)
  end
  if #value < 7 or value:sub(1, 6):lower() ~= "bytes=" then return nil, "ignore" end
  local pos, first, last, count = 7, nil, nil, 0
  while true do
    local start, stop
    local _, e, a = value:find("^ *(%d*)", pos)
    pos = e + 1
    if a ~= "" then
      start = range_number(a)
      if not start then return nil, "unsatisfiable" end
      _, e = value:find("^ *%- *", pos)
      if not e then return nil, "unsatisfiable" end
      pos = e + 1
      local ch = value:sub(pos, pos)
      if ch == "," or ch == "" then stop = size end
    elseif value:sub(pos, pos) == "-" then
      pos = pos + 1
    else
      return nil, "unsatisfiable"
    end
    if not stop then
      local _, e2, b = value:find("^(%d+) *", pos)
      if not e2 then return nil, "unsatisfiable" end
      pos = e2 + 1
      local ch = value:sub(pos, pos)
      if ch ~= "," and ch ~= "" then return nil, "unsatisfiable" end
      b = range_number(b)
      if not b then return nil, "unsatisfiable" end
      if not start then -- a suffix: the last b bytes
        start = b < size and size - b or 0
        b = size - 1
      end
      stop = b >= size and size or b + 1
    end
    -- [start, stop) is the range; an empty one from 0 means the whole
    -- (empty) representation.
    if start < stop then
      count = count + 1
      first, last = start, stop - 1
    elseif start == 0 then
      return nil, "ignore"
    end
    if value:sub(pos, pos) ~= "," then break end
    pos = pos + 1
  end
  if count == 0 then return nil, "unsatisfiable" end
  if count > 1 then return nil, "ignore" end
  return first, last
end

local date_at, date_text

-- http_date is the Date header's value for now, an IMF-fixdate (RFC 9110,
-- 5.6.7) such as "Sun, 06 Nov 1994 08:49:37 GMT": os.date is C's strftime
-- in the C locale, so its day and month names are English whatever the
-- user's locale. Made once a second (as nginx does): replies in the same
-- second share it.
local function http_date()
  local now = os.time()
  if now ~= date_at then
    date_text = os.date("!%a, %d %b %Y %H:%M:%S GMT", now)
    date_at = now
  end
  return date_text
end

-- MORE is c:write's options for a head a file follows.
local MORE = { more = true }

-- reply writes a response. It returns whether it went out whole.
local function reply(c, status, headers, body, head_only, close, keep_alive_10)
  if type(status) ~= "number" or status % 1 ~= 0 or status < 100 or status > 999 then
    error("http.serve: bad status " .. tostring(status), 0)
  end
  local file = getmetatable(body) == FileBody and body or nil
  local lines = { ("HTTP/1.1 %d %s"):format(status, http.REASONS[status] or "Status " .. status) }
  local seen = header_lines(lines, headers, { ["content-length"] = true, ["transfer-encoding"] = true, connection = true })
  -- RFC 9110, 6.6.1: an origin server with a clock sends Date (unless
  -- the handler set its own).
  if not seen.date then lines[#lines + 1] = "Date: " .. http_date() end
  local bodyless = status < 200 or status == 204 or status == 304
  local size = file and file.size or #body
  if not bodyless then
    if not seen["content-type"] and size > 0 then
      lines[#lines + 1] = "Content-Type: " .. (file and "application/octet-stream" or "text/plain; charset=utf-8")
    end
    lines[#lines + 1] = "Content-Length: " .. size
  end
  if close then
    lines[#lines + 1] = "Connection: close"
  elseif keep_alive_10 then
    lines[#lines + 1] = "Connection: keep-alive"
  end
  lines[#lines + 1] = ""
  lines[#lines + 1] = ""
  local out = table.concat(lines, "\r\n")
  local send = not bodyless and not head_only
  if send and not file then out = out .. body end
  local streams = send and file and size > 0
  -- The head is held for the file (more): a small file goes out with it
  -- in one system call.
  if not c:write(out, streams and MORE or nil) then return false end
  if streams then
    -- The file streams from the kernel; one that shrank meanwhile leaves
    -- the response short, and the conn is closed.
    local n, err = c:send_file(file.path, file.offset or 0, size)
    if n ~= size then
      if err and err.op == "send_file" and err.kind == "other" then
        io.stderr:write("http.serve: ", bin.escape(tostring(err), 300), "\n")
      end
      return false
    end
  end
  return true
end

local function error_reply(c, status, text)
  reply(c, status, {}, text .. "\n", false, true)
end

-- normalize turns what a handler returned into status, headers, body.
local function normalize(a, b, c)
  if type(a) == "table" then return a.status or 200, a.headers or {}, a.body or "" end
  if type(a) == "string" then return 200, {}, a end
  if a == nil then return 404, {}, "not found\n" end
  return tonumber(a) or error("http.serve: handler returned a bad status " .. tostring(a)), b or {}, c or ""
end

-- BodyFailure is the error raised by req.body when the body cannot be
-- read: status (nil: the conn just failed) and text for the error reply.
local BodyFailure = {}
BodyFailure.__tostring = function(f) return "http.serve: request body: " .. f.text end

-- lazy_body makes req.body read the body on first use, and returns the
-- state serve_conn checks after the handler: read (it was asked for, or
-- may no longer be), failed, and the framing: how, n, expect (a 100
-- Continue is due before it).
local function lazy_body(req, c, o, how, n, expect)
  local state = { read = false, failed = false, how = how, n = n, expect = expect }
  setmetatable(req, { __index = function(t, key)
    if key ~= "body" or state.read then return nil end
    state.read = true
    if expect then c:write("HTTP/1.1 100 Continue\r\n\r\n") end
    local body, extra
    if how == "chunked" then
      body, extra = read_chunked(c, o.max_body, "")
    else
      body, extra = read_exact(c, n)
    end
    if not body then
      state.failed = true
      local status = extra.kind == "too_large" and 413 or extra.kind == "other" and 400 or nil
      error(setmetatable({ status = status, text = tostring(extra):gsub("^http: ", "") }, BodyFailure), 0)
    end
    rawset(t, "body", body)
    if how == "chunked" then rawset(t, "trailers", extra) end
    return body
  end })
  return state
end

-- valid_host reports whether value is a Host header's uri-host [":" port]
-- (RFC 9110, 7.2; RFC 3986, 3.2.2): an [IP-literal] or a reg-name (an
-- IPv4 address is one), not empty, then digits after a colon.
local function valid_host(value)
  local host, port = value:match("^(%[[%w.:%-]+%])(.*)$")
  if not host then host, port = value:match("^([%w%-%._~%%!$&'()*+,;=]+)(.*)$") end
  return host ~= nil and (port == "" or port:find("^:%d*$") ~= nil)
end

-- request_host checks a request's Host lines (RFC 9112, 3.2): the value,
-- or nil when there is none (allowed in HTTP/1.0 only: required says
-- HTTP/1.1), or nil, why for a 400: none in HTTP/1.1, two or more, or one
-- that is not a host[:port].
local function request_host(list, required)
  local value
  for _, h in ipairs(list) do
    local name = h[1]
    if #name == 4 and lower(name) == "host" then
      if value then return nil, "more than one Host header" end
      value = h[2]
    end
  end
  if not value then
    if required then return nil, "HTTP/1.1 request without a Host header" end
    return nil
  end
  if not valid_host(value) then return nil, ("bad Host header \"%s\""):format(show(value, 40)) end
  return value
end

-- absolute_form splits an absolute-form target ("http://h:8080/a?b")
-- into its authority and the rest ("/a?b", "/" at least). A target that
-- is not one gives nil; an http(s) one with no host, a user name or
-- another scheme gives nil, why (RFC 9110, 4.2: an http URI without a
-- host is invalid, and one with userinfo is treated as an error).
local function absolute_form(target)
  local scheme, authority, rest = target:match("^(%a[%w+.-]*)://([^/?#]*)(.*)$")
  if not scheme then return nil end
  scheme = lower(scheme)
  if scheme ~= "http" and scheme ~= "https" then
    return nil, ("unsupported scheme \"%s\" in the request target"):format(show(scheme, 20))
  end
  if authority:find("@", 1, true) then return nil, "user information in the request target" end
  if not valid_host(authority) then return nil, "bad host in the request target" end
  if rest:sub(1, 1) ~= "/" then rest = "/" .. rest end
  return authority, rest
end

-- read_request reads one request's head from c: the req table and the
-- state of its lazy body, or nil, status, text for an error reply
-- (status nil: just close).
local function read_request(c, o, remote)
  local line, err = c:read_line(http.MAX_LINE)
  if not line then
    if err.kind == "too_large" then return nil, 414, "request line too long" end
    return nil
  end
  -- Robustness (RFC 9112, 2.2): empty lines before a request are ignored.
  local blanks = 0
  while line == "" and blanks < 4 do
    blanks = blanks + 1
    line, err = c:read_line(http.MAX_LINE)
    if not line then return nil end
  end
  local method, target, major, minor = line:match("^(%u+) (%S+) HTTP/(%d)%.(%d)$")
  if not method then return nil, 400, "malformed request line" end
  if major ~= "1" then return nil, 505, "HTTP/1.x only" end
  local headers, list = read_headers(c, "")
  if not headers then
    if list.kind == "too_large" then return nil, 431, tostring(list) end
    if list.kind == "other" then return nil, 400, tostring(list) end
    return nil
  end
  local host, herr = request_host(list, minor ~= "0")
  if not host and herr then return nil, 400, herr end
  local req = {
    method = method, target = target, version = "HTTP/" .. major .. "." .. minor,
    headers = headers, header_list = list, remote_addr = remote,
  }
  local origin = target
  if not target:find("^/") then
    -- Absolute-form (RFC 9112, 3.2.2): the target's authority replaces
    -- the Host header, and what follows it is served as the path.
    local authority, rest = absolute_form(target)
    if authority then
      headers.host, origin = authority, rest
    elseif rest then
      return nil, 400, rest
    end
  end
  req.path, req.query = origin:match("^([^?]*)%?(.*)$")
  if not req.path then req.path = origin end
  local how, n, why = framing(headers, "")
  if not how then return nil, n, why end
  if how == "length" and n > o.max_body then return nil, 413, "body over " .. o.max_body .. " bytes" end
  if how == "none" or (how == "length" and n == 0) then
    req.body = ""
    return req, { read = true, failed = false }
  end
  local expect = has_token(headers.expect, "100-continue") and req.version == "HTTP/1.1"
  return req, lazy_body(req, c, o, how, n, expect)
end

-- linger ends a conn whose request body was left unread: it stops
-- writing, then reads and drops what the client still sends (up to 256
-- KiB, for a second at most), so that closing with bytes unread does not
-- reset the conn before the client has read the reply.
local function linger(c)
  c:close_write()
  c:set_deadline(time.now() + 1)
  local left = 256 * 1024
  while left > 0 do
    local data = c:read(math.min(left, 65536))
    if not data then return end
    left = left - #data
  end
end

-- answer runs the handler, in serve_conn's pcall.
local function answer(handler, req, c) return normalize(handler(req, c)) end

-- serve_conn answers requests on c until the client or a reply closes it.
-- report_failure prints a handler's error on stderr. The error may carry
-- a __tostring that raises: it is described protected, so the conn is
-- still answered (a 500) or ended.
local function report_failure(err)
  local shown, text = pcall(tostring, err)
  if not shown then text = "error object (__tostring failed: " .. (type(text) == "string" and text or type(text)) .. ")" end
  io.stderr:write("http.serve: handler failed: ", bin.escape(text, 2000), "\n")
end

local function serve_conn(c, handler, o)
  c:set_timeout(o.timeout)
  local remote = tostring(c:remote_addr())
  while true do
    local req, state, text = read_request(c, o, remote)
    if not req then
      if state then error_reply(c, state, text) end
      return
    end
    local http10 = req.version == "HTTP/1.0"
    local close = has_token(req.headers.connection, "close")
      or (http10 and not has_token(req.headers.connection, "keep-alive"))
      -- RFC 9112, 6.1: Transfer-Encoding in HTTP/1.0 is faulty framing:
      -- the request is answered, then the conn closed.
      or (http10 and state.how == "chunked")
    local ok, st, hd, bd = pcall(answer, handler, req, c)
    local unread = not state.read
    state.read = true -- req.body reads nothing after the handler
    if rawget(req, "taken") then
      -- The handler took the conn over (ws.upgrade does): no reply; the
      -- conn ends when the handler has returned.
      if not ok then report_failure(st) end
      return
    end
    if not ok then
      if getmetatable(st) == BodyFailure then
        if st.status then error_reply(c, st.status, st.text) end
        return
      end
      report_failure(st)
      error_reply(c, 500, "internal server error")
      return
    end
    if state.failed then close = true end -- the handler caught it: the stream is out of step
    if type(bd) ~= "string" and getmetatable(bd) ~= FileBody then bd = tostring(bd) end
    if has_token(get_header(hd, "connection"), "close") then close = true end
    local must_linger = false
    if unread then
      -- The handler did not want the body: skip a small one, else close.
      if state.how == "length" and state.n <= http.DRAIN and not state.expect then
        if not read_exact(c, state.n) then close = true end
      else
        close, must_linger = true, not state.expect
      end
    end
    local sent_ok, rerr = pcall(reply, c, st, hd, bd, req.method == "HEAD", close, http10 and not close)
    if not sent_ok then
      io.stderr:write("http.serve: bad reply: ", bin.escape(tostring(rerr), 2000), "\n")
      error_reply(c, 500, "internal server error")
      return
    end
    if must_linger and rerr then linger(c) end
    if not rerr or close then return end
  end
end

-- http.serve(addr_or_listener, handler [, opts]) answers HTTP/1.1 on a
-- listener (made with net.listen("tcp", addr) when given a string or an addr
-- value): a task
-- per connection (ln:serve), keep-alive, Content-Length and Date on every
-- reply. handler(req, c) gets the conn too: a handler that takes it over
-- for another protocol (ws.upgrade does) sets req.taken = true, and then
-- no reply is sent and the conn ends when the handler returns. Requests follow RFC 9112, 3.2: an HTTP/1.1 one needs one Host
-- (none, or two in any version, is 400), and an absolute-form target is
-- served as its path, its authority taking the Host header's place.
-- It returns the listener and the serve task.
function http.serve(where, handler, opts)
  if type(handler) ~= "function" then error("bad argument #2 to http.serve (function expected, got " .. type(handler) .. ")", 2) end
  if opts ~= nil and type(opts) ~= "table" then error("bad argument #3 to http.serve (table expected)", 2) end
  check_opts(opts, "gonetrepl.http_serve_opts", 3, "http.serve", "opts")
  opts = opts or {}
  local o = { timeout = opts.timeout or http.IDLE_TIMEOUT, max_body = opts.max_body or http.MAX_REQUEST_BODY }
  local ln = where
  if type(where) == "string" or type(where) == "userdata" and (getmetatable(where) or {}).__name == "net.addr" then
    local err
    ln, err = net.listen("tcp", where)
    if not ln then return nil, err end
  elseif where == nil then
    error("bad argument #1 to http.serve (address or listener expected, got nil)", 2)
  end
  local t = ln:serve(function(c) serve_conn(c, handler, o) end)
  return ln, t
end

return http
