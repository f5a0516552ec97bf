-- http_server.lua: a small HTTP/1.1 server, built on require "http".
--
--   gonetrepl scripts/http_server.lua [ADDR] [--dir PATH] [--reply TEXT] [--quiet]
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
-- c:send_file (http.file), whatever its size, so a client that does not
-- read holds no copy of it in memory. No directory listings.
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

local function unescape(s)
  return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

-- file_handler serves the files under root.
local function file_handler(root)
  root = root:gsub("/+$", "")
  if root == "" then root = "/" end
  return function(req)
    if req.method ~= "GET" and req.method ~= "HEAD" then
      return 405, { Allow = "GET, HEAD" }, "method not allowed\n"
    end
    local path = unescape(req.path)
    if path:sub(1, 1) ~= "/" or path:find("%z") or path:find("\\", 1, true) then
      return 400, {}, "bad path\n"
    end
    for segment in path:gmatch("[^/]+") do
      if segment == ".." then return 400, {}, "bad path: no .. allowed\n" end
    end
    local file = root .. path
    if path:sub(-1) == "/" then file = file .. "index.html" end
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
    local body = http.file(file)
    if not body then return 404, {}, "not found\n" end -- gone, or replaced, since the stat
    local ext = file:match("%.([%w]+)$")
    return 200, { ["Content-Type"] = TYPES[ext and ext:lower() or ""] or "application/octet-stream" }, body
  end
end

local handler
if opts.dir then
  local st = os.stat(opts.dir)
  if not st or st.kind ~= "directory" then usage_error("--dir " .. opts.dir .. ": not a directory") end
  handler = file_handler(opts.dir)
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
