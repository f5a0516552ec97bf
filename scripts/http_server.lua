-- http_server.lua: a small HTTP/1.1 server, built on require "http".
--
--   gonetrepl scripts/http_server.lua [ADDR] [--dir PATH [--max-list N]] [--reply TEXT] [--quiet]
--
-- Listens on ADDR (default 127.0.0.1:8080; port 0 picks a free one) and
-- answers every request with a fixed text (--reply TEXT, or a greeting
-- when neither option is given), or serves the files under a directory
-- (--dir PATH): GET and HEAD of a file give its bytes exactly, with a
-- Content-Type from its extension; a path ending in / gives its
-- index.html; a directory without the / is redirected to it (a Location
-- on this server: "//sub" goes to "/sub/", never to a host "sub"); a
-- missing file is 404; a path with a ".." segment (even %-encoded) is
-- refused with 400, so nothing outside PATH is served (symbolic links
-- inside it are followed). Only regular files are served: a FIFO, a
-- socket or a device (a link to /dev/zero, say) is 403, looked at with
-- os.stat and never opened. A file streams from the kernel with
-- c:send_file (http.file), so a client that does not read holds no copy
-- of it in memory (one of up to 16 KiB goes out with the response head,
-- in one write). What download tools rely on is
-- there, as nginx does it: Last-Modified and ETag ("mtime-size" in hex)
-- on every file, so wget -N skips what it has; 304 for If-None-Match
-- naming the ETag or, without it, If-Modified-Since equal to
-- Last-Modified (If-Match and If-Unmodified-Since are not looked at);
-- one byte range (Range: bytes=a-b, a-, -n) is 206 with
-- Content-Range, sent with c:send_file from its offset, so curl -C -
-- resumes; an unsatisfiable or malformed one is 416 (Content-Range:
-- bytes */SIZE); several ranges, or an If-Range that matches neither
-- validator, get the whole file with 200. A directory (path ending in /)
-- without an index.html gives an HTML listing of its names (os.list_dir,
-- directories ending in /), each name HTML-escaped and its link
-- %-encoded, control bytes shown as \xNN; the listing is bounded: at most
-- 1000 names (--max-list N, up to 100000), and a note says when there were more.
-- Requests are answered as RFC 9110/9112 require, as nginx answers them
-- (http.serve does it): a Date on every reply; 400 for an HTTP/1.1
-- request without Host, or any with two; an absolute-form target
-- ("GET http://127.0.0.1/a.txt") served as its path.
-- Connections are kept alive (HTTP/1.1), one task each; every request is
-- logged to stderr unless --quiet, what the client sent escaped with
-- bin.escape (no terminal control sequence gets through). The first line
-- on stderr is always
-- "http_server: listening on ADDR". Exit status: 1 when it cannot listen,
-- 2 for a usage error.
--
-- Try it:  gonetrepl scripts/http_server.lua --dir .
--          curl -v http://127.0.0.1:8080/README.md http://127.0.0.1:8080/go.mod
local flags = require "flags"
local http = require "http"

local cli = flags.new("gonetrepl scripts/http_server.lua [ADDR] [options]",
  "A small HTTP/1.1 server: a fixed reply, or the files of a directory (default address 127.0.0.1:8080).")
cli:string("dir", nil, "serve the files under PATH (GET and HEAD; no path outside it)")
cli:string("reply", nil, "answer every request with TEXT (the default, with a greeting, when no --dir)")
cli:bool("quiet", false, "do not log requests")
cli:number("max-list", 1000, "list at most N names of a directory without index.html",
  { min = 1, max = 100000, whole = true })
cli:args(0, 1, "ADDR")
local opts, args = cli:parse(arg)
local addr = args[1] or "127.0.0.1:8080"

local function usage_error(msg)
  io.stderr:write("http_server: ", msg, "\n", cli:help_text(), "\n")
  os.exit(2)
end
if opts.dir and opts.reply then usage_error("--dir and --reply cannot go together") end
if #args > 1 then usage_error("one ADDR at most") end

local TYPES = {
  html = "text/html; charset=utf-8", htm = "text/html; charset=utf-8", txt = "text/plain; charset=utf-8",
  md = "text/markdown; charset=utf-8", lua = "text/plain; charset=utf-8", go = "text/plain; charset=utf-8",
  css = "text/css", js = "text/javascript", json = "application/json", xml = "application/xml",
  png = "image/png", jpg = "image/jpeg", jpeg = "image/jpeg", gif = "image/gif", svg = "image/svg+xml",
  ico = "image/x-icon", pdf = "application/pdf", wasm = "application/wasm",
}

-- html_escape makes s safe as HTML text or a quoted attribute value; a
-- control byte (or a byte of invalid UTF-8) is shown as \xNN.
local HTML = { ["<"] = "&lt;", [">"] = "&gt;", ["&"] = "&amp;", ['"'] = "&quot;", ["'"] = "&#39;" }
local function html_escape(s)
  s = s:gsub("[%z\1-\31\127]", function(c) return ("\\x%02X"):format(c:byte()) end)
  if not utf8.len(s) then
    s = s:gsub("[\128-\255]", function(c) return ("\\x%02X"):format(c:byte()) end)
  end
  return (s:gsub("[<>&\"']", HTML))
end

-- url_escape %-encodes every byte of a path segment but the unreserved ones.
local function url_escape(s)
  return (s:gsub("[^%w%-%._~]", function(c) return ("%%%02X"):format(c:byte()) end))
end

-- listing is the HTML page of the directory dir, shown as path.
local function listing(dir, path, max)
  local names, more = os.list_dir(dir, max)
  if not names then return nil end
  local out = { "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of ",
    html_escape(path), "</title></head>\n<body><h1>Index of ", html_escape(path), "</h1>\n<ul>\n" }
  if path ~= "/" then out[#out + 1] = "<li><a href=\"../\">../</a></li>\n" end
  for _, name in ipairs(names) do
    local slash = name:sub(-1) == "/" and "/" or ""
    local bare = slash == "/" and name:sub(1, -2) or name
    out[#out + 1] = ('<li><a href="./%s%s">%s</a></li>\n'):format(url_escape(bare), slash, html_escape(name))
  end
  out[#out + 1] = "</ul>\n"
  if more then
    out[#out + 1] = ("<p>Only %d names are listed: the directory holds more.</p>\n"):format(#names)
  end
  out[#out + 1] = "</body></html>\n"
  return table.concat(out)
end

local function unescape(s)
  return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

-- validators are the Last-Modified and ETag of a file of os.stat st, as
-- nginx makes them: its mtime as an IMF-fixdate, and "mtime-size" in hex.
local dated_at, dated -- the last mtime formatted: most requests are for files that did not change
local function validators(st)
  local mtime = math.floor(st.mtime)
  if mtime ~= dated_at then
    dated_at, dated = mtime, os.date("!%a, %d %b %Y %H:%M:%S GMT", mtime)
  end
  return dated, ('"%x-%x"'):format(mtime, st.size)
end

-- etag_listed says whether an If-None-Match value names etag ("*", or a
-- list of tags compared weakly: W/ is ignored).
local function etag_listed(value, etag)
  if value:match("^%s*%*%s*$") then return true end
  for tag in value:gmatch("[^,]+") do
    -- A tag has no blanks inside (an ETag is a quoted run of visible
    -- characters): one anchored match trims it in linear time, where
    -- "^%s*(.-)%s*$" rescans a run of blanks from each of its bytes.
    tag = tag:match("^%s*(%S+)%s*$")
    if tag and tag:gsub("^W/", "") == etag then return true end
  end
  return false
end

-- file_reply answers a GET or HEAD of the regular file at path (os.stat
-- st) as nginx does: 304 when If-None-Match names its ETag or, without
-- If-None-Match, If-Modified-Since is exactly its Last-Modified (the
-- order of RFC 9110, 13.2.2; nginx also wants the date to match when
-- both are sent); 206 with
-- Content-Range for one byte range (If-Range, when sent, must be its ETag
-- or Last-Modified), 416 for an unsatisfiable one; else 200 whole. Several
-- ranges get 200 with the whole file (RFC 9110 allows it; nginx sends a
-- multipart/byteranges 206).
local function file_reply(req, path, st)
  local last_modified, etag = validators(st)
  local ext = path:match("%.([%w]+)$")
  local headers = {
    ["Content-Type"] = TYPES[ext and ext:lower() or ""] or "application/octet-stream",
    ["Last-Modified"] = last_modified,
    ETag = etag,
    ["Accept-Ranges"] = "bytes",
  }
  local inm, ims = req.headers["if-none-match"], req.headers["if-modified-since"]
  if (inm and etag_listed(inm, etag)) or (not inm and ims == last_modified) then
    return 304, { ["Last-Modified"] = last_modified, ETag = etag }, ""
  end
  local range, if_range = req.headers.range, req.headers["if-range"]
  if range and (not if_range or if_range == etag or if_range == last_modified) then
    local first, last = http.byte_range(range, st.size)
    if first then
      local body = http.file(path, first, last - first + 1, st)
      if not body then return 404, {}, "not found\n" end
      headers["Content-Range"] = ("bytes %d-%d/%d"):format(first, first + body.size - 1, st.size)
      return 206, headers, body
    elseif last == "unsatisfiable" then
      return 416, { ["Content-Range"] = "bytes */" .. st.size }, "range not satisfiable\n"
    end
  end
  local body = http.file(path, nil, nil, st) -- the stat just made: one look at the file a request
  if not body then return 404, {}, "not found\n" end
  return 200, headers, body
end

-- file_handler serves the files under root.
local function file_handler(root, max_list)
  root = root:gsub("/+$", "")
  if root == "" then root = "/" end
  return function(req)
    if req.method ~= "GET" and req.method ~= "HEAD" then
      return 405, { Allow = "GET, HEAD" }, "method not allowed\n"
    end
    local path = req.path
    if path:find("%", 1, true) then path = unescape(path) end
    if path:sub(1, 1) ~= "/" or path:find("\0", 1, true) or path:find("\\", 1, true) then
      return 400, {}, "bad path\n"
    end
    if path:find("..", 1, true) then -- looked at segment by segment only then
      for segment in path:gmatch("[^/]+") do
        if segment == ".." then return 400, {}, "bad path: no .. allowed\n" end
      end
    end
    local file = root .. path
    if path:sub(-1) == "/" then
      local dir = file
      file = file .. "index.html"
      local st = os.stat(dir)
      if not st or st.kind ~= "directory" then return 404, {}, "not found\n" end
      if not os.stat(file) then
        local page = listing(dir, path, max_list)
        if not page then return 403, {}, "forbidden: cannot list\n" end
        return 200, { ["Content-Type"] = "text/html; charset=utf-8" }, page
      end
    end
    -- os.stat looks without opening: a FIFO would block whoever opens it,
    -- and a device may never end.
    local st = os.stat(file)
    if not st then return 404, {}, "not found\n" end
    if st.kind == "directory" and path:sub(-1) ~= "/" then
      -- The Location is built from the request's path: its leading
      -- slashes are made one, or "//sub/" would name the host "sub".
      local here = "/" .. req.path:gsub("^/+", "")
      return 301, { Location = here .. "/" .. (req.query and "?" .. req.query or "") }, ""
    end
    if st.kind ~= "file" then return 403, {}, "forbidden: not a regular file\n" end
    return file_reply(req, file, st)
  end
end

local handler
if opts.dir then
  local st = os.stat(opts.dir)
  if not st or st.kind ~= "directory" then usage_error("--dir " .. opts.dir .. ": not a directory") end
  handler = file_handler(opts.dir, opts["max-list"])
else
  local text = opts.reply or "Hello from gonetrepl scripts/http_server.lua\n"
  handler = function() return 200, {}, text end
end

local ln, err = http.serve(addr, function(req)
  local status, headers, body = handler(req)
  if not opts.quiet then
    local size = type(body) == "string" and #body or body.size
    io.stderr:write(("http_server: %s %s %s -> %d (%d bytes)\n"):format(
      req.remote_addr, req.method, bin.escape(req.target, 200), status, size))
  end
  return status, headers, body
end)
if not ln then
  io.stderr:write("http_server: ", tostring(err), "\n")
  os.exit(1)
end
io.stderr:write("http_server: listening on ", tostring(ln:addr()), "\n")
if opts.dir then io.stderr:write("http_server: serving ", opts.dir, "\n") end
