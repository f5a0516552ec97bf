package bindings

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// Fuzz targets for the protocol parsers of stdlib, written in Lua:
// resp.read_reply and resp.read_command (stdlib/resp.lua), and the HTTP/1.1
// client and server (stdlib/http.lua). Arbitrary bytes reach them through
// real conns of a runtime (net.pipe for RESP, loopback TCP for HTTP),
// delivered in pieces whose sizes come from the fuzz input.
//
// One runtime serves every input a fuzz worker runs (a fresh one each time
// would dominate the cost): the Lua code below is loaded into it once, and
// each input runs as a task calling one of its functions. Every conn has a
// timeout, and the Go side gives up on a task after a minute.

// stdlibFuzzLua is loaded once into the shared runtime: it defines the
// functions each input calls, a fake HTTP server's listener and two
// http.serve servers.
const stdlibFuzzLua = `
local resp = require "resp"
local http = require "http"
local Null = resp.null
local format, concat = string.format, table.concat

local function fail(...) error(format(...), 0) end

-- netlist joins strings as "<length>:<bytes>" each, for Go to split.
local function netlist(t)
  local parts = {}
  for i = 1, #t do parts[i] = #t[i] .. ":" .. t[i] end
  return concat(parts)
end

-- write_pieces writes data to c in pieces of the sizes splits gives (each
-- byte plus one, cycling; all at once without splits), stopping at the
-- first error.
local function write_pieces(c, data, splits)
  local i, k, ns = 1, 0, #splits
  while i <= #data do
    local n = #data
    if ns > 0 then
      n = splits:byte(k % ns + 1) + 1
      k = k + 1
    end
    if not c:write(data:sub(i, i + n - 1)) then return end
    i = i + n
  end
end

-- feed returns the reading end of a new pipe, and the task writing data
-- into it (in pieces) and then closing it.
local function feed(data, splits)
  local a, b = net.pipe()
  -- The writer's one write lasts until the reader has taken everything (a
  -- pipe buffers nothing), which under the race detector on a loaded
  -- machine took longer than 5 s for 130 KB of small commands: its idle
  -- timeout ended the write, the reader saw EOF. The reader's each read
  -- ends as soon as bytes come.
  a:set_timeout(120)
  b:set_timeout(5)
  local w = task.spawn(function(a)
    write_pieces(a, data, splits)
    a:close()
    return true
  end, a)
  return b, w
end

local function finish(b, w)
  b:close()
  local ok, err = w:wait(5)
  if not ok then fail("the writer task: %s", tostring(err)) end
end

----------------------------------------------------------------------------
-- RESP

local DEFAULTS = { max_bulk = resp.MAX_BULK, max_items = resp.MAX_ITEMS, max_depth = resp.MAX_DEPTH, max_line = resp.MAX_LINE }

local function number_dump(x)
  if x ~= x then return "nNaN" end
  if x == 0 then return "n0" end
  return "n" .. format("%.17g", x)
end

local tags = { array = "A", set = "S", push = "P" }

-- dump writes a decoded value in the canonical form the Go reference
-- makes too (map entries sorted), checking on the way that it keeps the
-- caps o and has the documented shape: no holes, no extra keys.
local function dump(v, o, depth)
  if v == Null then return "N" end
  local tv = type(v)
  if tv == "string" then
    if #v > math.max(o.max_bulk, o.max_line) then fail("a string of %d bytes passed the caps", #v) end
    return "s" .. #v .. ":" .. v
  elseif tv == "number" then
    return number_dump(v)
  elseif tv == "boolean" then
    return v and "T" or "F"
  elseif tv ~= "table" then
    fail("decoded a %s", tv)
  end
  local rt = resp.type(v)
  if rt == "error" then
    if v.kind ~= "redis" or type(v.message) ~= "string" then fail("an error value of kind %s", tostring(v.kind)) end
    return "e" .. #v.message .. ":" .. v.message
  end
  if depth > o.max_depth then fail("an aggregate at depth %d, over max_depth %d", depth, o.max_depth) end
  local parts, n = {}, 0
  if rt == "map" then
    for k, x in pairs(v) do
      n = n + 1
      parts[n] = dump(k, o, depth + 1) .. "=" .. dump(x, o, depth + 1)
    end
    table.sort(parts)
  elseif tags[rt] then
    for k in pairs(v) do
      if type(k) ~= "number" or k < 1 or k % 1 ~= 0 then fail("%s with the key %s", rt, tostring(k)) end
      n = n + 1
    end
    for i = 1, n do
      if v[i] == nil then fail("%s of %d with a hole at %d", rt, n, i) end
      parts[i] = dump(v[i], o, depth + 1)
    end
  else
    fail("decoded a table of type %s", tostring(rt))
  end
  if n > o.max_items then fail("an aggregate of %d, over max_items %d", n, o.max_items) end
  return (rt == "map" and "M" or tags[rt]) .. n .. "[" .. concat(parts, ",") .. "]"
end

-- outcome describes what read_reply returned, as the Go reference does,
-- and whether reading must stop (the stream is out of step).
local function outcome(o, v, t, x)
  if v == nil then
    local err = t
    if err == nil or type(err.kind) ~= "string" then fail("read_reply returned nil and %s", tostring(err)) end
    if err.kind == "redis" then
      if not resp.is_error(err) then fail("an error reply that is not an error value") end
      if err.code ~= (err.message:match("^(%S+)") or "") then fail("code %q for the error %q", tostring(err.code), err.message) end
      return "redis=" .. dump(err, o, 1), false
    end
    if resp.is_error(err) and err.message:sub(1, 6) ~= "resp: " then fail("error message %q", err.message) end
    return "err:" .. err.kind, true
  end
  if x ~= nil and resp.type(x) ~= "map" then fail("an attribute of type %s", resp.type(x)) end
  if tags[t] or t == "map" then
    if resp.type(v) ~= t then fail("type %s for a value of type %s", t, resp.type(v)) end
  end
  return t .. "=" .. dump(v, o, 1) .. (x ~= nil and "|" .. dump(x, o, 1) or ""), false
end

-- Encoding back what was decoded: resp's encoders where they fit, RESP3
-- forms they do not make otherwise.

local function enc_double(x)
  if x ~= x then return ",nan\r\n" end
  return "," .. format("%.17g", x) .. "\r\n"
end

local function enc_error(e)
  if e.message:find("[\r\n]") then return "!" .. #e.message .. "\r\n" .. e.message .. "\r\n" end
  return resp.encode_error(e)
end

local agg_prefix = { array = "*", set = "~", push = ">", map = "%" }
local enc

local function enc_items(prefix, v)
  local out = {}
  if resp.type(v) == "map" then
    local n = 0
    for k, x in pairs(v) do
      n = n + 1
      out[#out + 1] = enc(k)
      out[#out + 1] = enc(x)
    end
    return prefix .. n .. "\r\n" .. concat(out)
  end
  for i = 1, #v do out[i] = enc(v[i]) end
  return prefix .. #v .. "\r\n" .. concat(out)
end

function enc(x)
  if x == Null then return "_\r\n" end
  local tx = type(x)
  if tx == "string" then return resp.encode_bulk(x) end
  if tx == "number" then
    if x == math.floor(x) and x >= -2 ^ 63 and x <= 2 ^ 63 then return resp.encode_integer(x) end
    return enc_double(x)
  end
  if tx == "boolean" then return x and "#t\r\n" or "#f\r\n" end
  if resp.is_error(x) then return enc_error(x) end
  return enc_items(agg_prefix[resp.type(x)], x)
end

-- enc_top encodes a reply of type t, keeping its type where it can; it
-- returns the type the encoding reads back as.
local function enc_top(v, t)
  if t == "simple" then
    if v:find("[\r\n]") then return resp.encode_bulk(v), "bulk" end
    return resp.encode_simple(v), t
  elseif t == "bulk" then
    return resp.encode_bulk(v), t
  elseif t == "verbatim" then
    return "=" .. (#v + 4) .. "\r\ntxt:" .. v .. "\r\n", t
  elseif t == "big_number" then
    return "(" .. v .. "\r\n", t
  elseif t == "integer" then
    return resp.encode_integer(v), t
  elseif t == "double" then
    return enc_double(v), t
  elseif t == "null" then
    return resp.encode_bulk(nil), t
  elseif t == "boolean" then
    return enc(v), t
  elseif agg_prefix[t] then
    return enc_items(agg_prefix[t], v), t
  end
  fail("read_reply gave the type %q", tostring(t))
end

-- norm is the dump of what resp.encode_array makes of x, read back: the
-- documented RESP2 forms (booleans as 1 and 0, a number that is not a
-- whole one in range as a bulk string, every table as an array of
-- t[1 .. t.n or #t]).
local function number_string(n)
  if n == math.floor(n) and n > -2 ^ 63 and n < 2 ^ 63 then return format("%.0f", n) end
  return format("%.17g", n)
end

local function norm(x)
  if x == nil or x == Null then return "N" end
  local tx = type(x)
  if tx == "string" then return "s" .. #x .. ":" .. x end
  if tx == "number" then
    if x == math.floor(x) and x > -2 ^ 63 and x < 2 ^ 63 then return number_dump(x) end
    local s = number_string(x)
    return "s" .. #s .. ":" .. s
  end
  if tx == "boolean" then return x and "n1" or "n0" end
  if resp.is_error(x) then
    local m = x.message:gsub("[\r\n]", " ")
    return "e" .. #m .. ":" .. m
  end
  local n = x.n or #x
  local parts = {}
  for i = 1, n do parts[i] = norm(x[i]) end
  return "A" .. n .. "[" .. concat(parts, ",") .. "]"
end

-- norm_map is the dump of what resp.encode_map makes of v, read back: keys
-- that normalize alike collapse into one, the last written winning.
local function norm_map(v)
  local entries, at = {}, {}
  for _, k in ipairs(resp.sorted_keys(v)) do
    local nk = norm(k)
    local e = nk .. "=" .. norm(v[k])
    if type(k) ~= "table" or k == Null then
      if at[nk] then
        entries[at[nk]] = e
      else
        entries[#entries + 1] = e
        at[nk] = #entries
      end
    else
      entries[#entries + 1] = e
    end
  end
  table.sort(entries)
  return "M" .. #entries .. "[" .. concat(entries, ",") .. "]"
end

-- has_n tells a table below the top whose field n encode_array would take
-- for its length (a decoded map with the key "n").
local function has_n(x)
  if type(x) ~= "table" or x == Null or resp.is_error(x) then return false end
  if rawget(x, "n") ~= nil then return true end
  for k, y in pairs(x) do
    if has_n(k) or has_n(y) then return true end
  end
  return false
end

local function nested_n(v)
  for k, y in pairs(v) do
    if has_n(k) or has_n(y) then return true end
  end
  return false
end

local function command_outcome(o, args, err)
  if args == nil then
    if err == nil or type(err.kind) ~= "string" then fail("read_command returned nil and %s", tostring(err)) end
    if resp.is_error(err) and err.message:sub(1, 6) ~= "resp: " then fail("error message %q", err.message) end
    return "err:" .. err.kind
  end
  if type(args) ~= "table" or #args == 0 then fail("read_command returned %s", tostring(args)) end
  local parts, n = {}, 0
  for _ in pairs(args) do n = n + 1 end
  if n ~= #args then fail("a command with %d keys for %d arguments", n, #args) end
  for i, a in ipairs(args) do
    if type(a) ~= "string" then fail("argument %d is a %s", i, type(a)) end
    if #a > math.max(o.max_bulk, o.max_line) then fail("an argument of %d bytes passed the caps", #a) end
    parts[i] = "s" .. #a .. ":" .. a
  end
  return "cmd=" .. #args .. "[" .. concat(parts, ",") .. "]"
end

-- fuzz_resp reads data with read_reply until it fails, then again with
-- read_command, with the caps given ("" for the defaults). Then it encodes
-- back everything decoded, sends it through another pipe, and checks that
-- it reads back the same (pieces of the input's sizes are tried above). It returns, for Go to compare with its
-- reference, the outcomes of both passes and what was buffered after each.
function fuzz_resp(data, splits, bulk, items, depth, line)
  local opts, o = nil, DEFAULTS
  if bulk ~= "" then
    opts = { max_bulk = tonumber(bulk), max_items = tonumber(items), max_depth = tonumber(depth), max_line = tonumber(line) }
    o = opts
  end
  local again = {} -- {encoding, expected outcome, is a command}

  local replies, rbuf = {}, {}
  local b, w = feed(data, splits)
  repeat
    local v, t, x = resp.read_reply(b, opts)
    local out, stop = outcome(o, v, t, x)
    replies[#replies + 1] = out
    rbuf[#rbuf + 1] = b:buffered()
    if v ~= nil then
      local e, et = enc_top(v, t)
      if x ~= nil then e = enc_items("|", x) .. e end
      again[#again + 1] = { e, et .. out:sub(#t + 1) }
      if tags[t] and not nested_n(v) then
        again[#again + 1] = { resp.encode_array(v), "array=" .. norm(v) }
      elseif t == "map" and not nested_n(v) then
        again[#again + 1] = { resp.encode_map(v), "map=" .. norm_map(v) }
      end
    elseif not stop then
      again[#again + 1] = { enc_error(t), out }
    end
  until stop
  finish(b, w)

  local cmds, cbuf = {}, {}
  b, w = feed(data, splits)
  repeat
    local args, err = resp.read_command(b, opts)
    local out = command_outcome(o, args, err)
    cmds[#cmds + 1] = out
    cbuf[#cbuf + 1] = b:buffered()
    if args then again[#again + 1] = { resp.encode_command(args), out, true } end
  until not args
  finish(b, w)

  local encs = {}
  for i, a in ipairs(again) do encs[i] = a[1] end
  b, w = feed(concat(encs), "")
  for _, a in ipairs(again) do
    local got
    if a[3] then
      got = command_outcome(DEFAULTS, resp.read_command(b))
    else
      got = outcome(DEFAULTS, resp.read_reply(b))
    end
    if got ~= a[2] then fail("round trip: %q, encoded as %q, reads back as %q", a[2], a[1], got) end
  end
  local v, err = resp.read_reply(b)
  if v ~= nil or err.kind ~= "eof" then fail("round trip: %s after the last reply", tostring(v or err)) end
  finish(b, w)

  return netlist(replies), netlist(rbuf), netlist(cmds), netlist(cbuf)
end

----------------------------------------------------------------------------
-- HTTP

local HTTP_KINDS = { other = true, too_large = true, eof = true, reset = true }

local function trim(s) return (s:gsub("^[ \t]+", ""):gsub("[ \t]+$", "")) end

-- check_headers checks a headers map against its header_list: each
-- lowercased name maps to its values joined with ", ", and nothing else.
local function check_headers(headers, list, what)
  if type(headers) ~= "table" or type(list) ~= "table" then fail("%s: headers %s, header_list %s", what, type(headers), type(list)) end
  if #list > http.MAX_HEADERS then fail("%s: %d headers, over MAX_HEADERS", what, #list) end
  local want, n = {}, 0
  for _, h in ipairs(list) do
    local name, value = h[1], h[2]
    if type(name) ~= "string" or type(value) ~= "string" then fail("%s: header %s: %s", what, type(name), type(value)) end
    if not name:match("^[^:%s]+$") or #name > http.MAX_LINE then fail("%s: header name %q", what, name) end
    local key = name:lower()
    if want[key] then
      want[key] = want[key] .. ", " .. value
    else
      want[key] = value
      n = n + 1
    end
  end
  for k, v in pairs(headers) do
    if want[k] ~= v then fail("%s: headers[%q] is %q; header_list makes it %q", what, tostring(k), tostring(v), tostring(want[k])) end
    n = n - 1
  end
  if n ~= 0 then fail("%s: names of header_list missing from headers", what) end
end

local function content_length(headers)
  local cl = headers["content-length"]
  if not cl then return nil end
  local n
  for part in cl:gmatch("[^,]+") do n = tonumber((trim(part):gsub("^0+(%d)", "%1"))) end
  return n
end

local function trailers_dump(tr)
  if tr == nil then return "-" end
  if type(tr) ~= "table" then fail("trailers of type %s", type(tr)) end
  local keys = {}
  for k, v in pairs(tr) do
    if type(k) ~= "string" or k ~= k:lower() or type(v) ~= "string" then fail("trailer %s = %s", tostring(k), tostring(v)) end
    keys[#keys + 1] = k
  end
  table.sort(keys)
  local out = { "T" }
  for _, k in ipairs(keys) do out[#out + 1] = #k .. ":" .. k .. #tr[k] .. ":" .. tr[k] end
  return concat(out)
end

-- fuzz_http_response makes a request with http.request to a fake server
-- that answers stream (in pieces) and closes. It checks what came back
-- against the documented shape, and returns it (or the error's kind) for
-- Go to compare.
function fuzz_http_response(stream, splits, method, max_body)
  max_body = tonumber(max_body)
  local server = task.spawn(function()
    local c, err = FUZZ.rln:accept(5)
    if not c then return nil, err end
    c:set_timeout(5)
    local head, herr = c:read_until("\r\n\r\n", 65536)
    if head then write_pieces(c, stream, splits) end
    c:close()
    return head, herr
  end)
  local r, err = http.request({ method = method, url = FUZZ.url, timeout = 5, max_body = max_body })
  local head, serr = server:wait(10)
  if not head then fail("the fake server: %s", tostring(serr)) end
  if not head:match("^" .. method .. " / HTTP/1%.1\r\n") or not (head .. "\r\n"):find("\r\nConnection: close\r\n", 1, true) then
    fail("the request was %q", head)
  end
  if not r then
    if err == nil or type(err.kind) ~= "string" then fail("http.request returned nil and %s", tostring(err)) end
    if not HTTP_KINDS[err.kind] then fail("http.request failed with kind %s: %s", err.kind, tostring(err)) end
    if type(err.message) ~= "string" then fail("an error without a message") end
    return netlist({ "err:" .. err.kind })
  end
  local mb = max_body or http.MAX_BODY
  local st = r.status
  if type(st) ~= "number" or st % 1 ~= 0 or st < 100 or st > 999 or (st < 200 and st ~= 101) then fail("status %s", tostring(st)) end
  if type(r.version) ~= "string" or not r.version:match("^HTTP/%d%.%d$") then fail("version %s", tostring(r.version)) end
  if type(r.reason) ~= "string" or r.reason:find("\n") or #r.reason > http.MAX_LINE then fail("reason %q", tostring(r.reason)) end
  if r.url ~= FUZZ.url or r.redirects ~= 0 then fail("url %s after %s redirects", tostring(r.url), tostring(r.redirects)) end
  check_headers(r.headers, r.header_list, "response")
  if type(r.body) ~= "string" or #r.body > mb then fail("a body of %s bytes, over max_body %d", tostring(r.body and #r.body), mb) end
  local te = r.headers["transfer-encoding"]
  local bodyless = method == "HEAD" or st < 200 or st == 204 or st == 304
  local chunked = not bodyless and te and te:lower():match("chunked%s*$")
  if bodyless and r.body ~= "" then fail("a body of %d bytes for status %d to %s", #r.body, st, method) end
  if (r.trailers ~= nil) ~= (chunked and true or false) then fail("trailers %s with transfer-encoding %s", tostring(r.trailers), tostring(te)) end
  if not bodyless and not te and content_length(r.headers) and content_length(r.headers) ~= #r.body then
    fail("a body of %d bytes with Content-Length %s", #r.body, r.headers["content-length"])
  end
  local out = { "resp", tostring(st), r.reason, r.version, tostring(#r.header_list) }
  for _, h in ipairs(r.header_list) do
    out[#out + 1] = h[1]
    out[#out + 1] = h[2]
  end
  out[#out + 1] = r.body
  out[#out + 1] = trailers_dump(r.trailers)
  return netlist(out)
end

local ERROR_STATUSES = { ["400"] = true, ["413"] = true, ["414"] = true, ["431"] = true, ["501"] = true, ["505"] = true }

-- fuzz_http_request sends stream (in pieces) to an http.serve server, its
-- own or the one with max_body 64 (small = "1"), half-closes, and reads
-- every response until the server closes. It checks the requests the
-- handler saw and the responses, and returns the statuses (or the read's
-- error kind) and the requests, for Go to compare.
function fuzz_http_request(stream, splits, small)
  local mb = small == "1" and 64 or http.MAX_REQUEST_BODY
  local seen = {}
  FUZZ.seen = seen
  local c = assert(net.dial("tcp", small == "1" and FUZZ.saddr_small or FUZZ.saddr, { timeout = 5 }))
  c:set_timeout(5)
  write_pieces(c, stream, splits)
  c:close_write()
  local got, err = c:read_all(1048576)
  c:close()
  FUZZ.seen = nil

  local out = { "" }
  for i, req in ipairs(seen) do
    local what = "request " .. i
    if type(req.method) ~= "string" or not req.method:match("^%u+$") then fail("%s: method %s", what, tostring(req.method)) end
    if type(req.version) ~= "string" or not req.version:match("^HTTP/1%.%d$") then fail("%s: version %s", what, tostring(req.version)) end
    local target = req.target
    if type(target) ~= "string" or not target:match("^%S+$") or #target > http.MAX_LINE then fail("%s: target %q", what, tostring(target)) end
    -- An absolute-form target (RFC 9112, 3.2.2) is served as what follows
    -- its authority, and the authority replaces the Host header.
    local origin, headers = target, req.headers
    local authority, rest = target:match("^%a[%w+.-]*://([^/?#]*)(.*)$")
    if authority and target:sub(1, 1) ~= "/" then
      origin = rest:sub(1, 1) == "/" and rest or "/" .. rest
      if headers.host ~= authority then fail("%s: host %q for target %q", what, tostring(headers.host), target) end
      headers = {}
      for k, v in pairs(req.headers) do headers[k] = v end
      headers.host = nil
      for _, h in ipairs(req.header_list) do
        if type(h[1]) == "string" and h[1]:lower() == "host" then headers.host = h[2] end
      end
    end
    if req.query ~= nil then
      if req.path .. "?" .. req.query ~= origin or req.path:find("?", 1, true) then fail("%s: path %q, query %q of %q", what, req.path, req.query, target) end
    elseif req.path ~= origin or origin:find("?", 1, true) then
      fail("%s: path %q of %q", what, tostring(req.path), target)
    end
    if type(req.remote_addr) ~= "string" then fail("%s: remote_addr %s", what, tostring(req.remote_addr)) end
    check_headers(headers, req.header_list, what)
    if type(req.body) ~= "string" or #req.body > mb then fail("%s: a body of %s bytes, over max_body %d", what, tostring(req.body and #req.body), mb) end
    local te = req.headers["transfer-encoding"]
    if te and not te:lower():match("chunked%s*$") then fail("%s: transfer-encoding %q served", what, te) end
    if (req.trailers ~= nil) ~= (te ~= nil) then fail("%s: trailers %s with transfer-encoding %s", what, tostring(req.trailers), tostring(te)) end
    local n = content_length(req.headers)
    if not te and #req.body ~= (n or 0) then fail("%s: a body of %d bytes with Content-Length %s", what, #req.body, tostring(req.headers["content-length"])) end
    local d = { req.method, target, req.path, req.query or "\0", req.version, tostring(#req.header_list) }
    for _, h in ipairs(req.header_list) do
      d[#d + 1] = h[1]
      d[#d + 1] = h[2]
    end
    d[#d + 1] = req.body
    d[#d + 1] = trailers_dump(req.trailers)
    out[#out + 1] = netlist(d)
  end

  -- The responses: a 100 Continue where asked, a 200 for each request
  -- seen, at most one error reply after them, and nothing else.
  if not got then
    if err.kind ~= "reset" then fail("reading the responses: %s", tostring(err)) end
    out[1] = "err:" .. err.kind
    return netlist(out)
  end
  local statuses, p, ok = {}, 1, 0
  while p <= #got do
    local _, e, code = got:find("^HTTP/1%.1 (%d%d%d) [^\r\n]*\r\n", p)
    if not e then fail("responses %q: no status line at %d", got, p) end
    p = e + 1
    local cl = 0
    while true do
      local _, e2, line = got:find("^([^\r\n]*)\r\n", p)
      if not e2 then fail("responses %q: no header line at %d", got, p) end
      p = e2 + 1
      if line == "" then break end
      local n = line:match("^Content%-Length: (%d+)$")
      if n then cl = tonumber(n) end
    end
    if code == "200" then
      ok = ok + 1
      if not seen[ok] then fail("responses %q: more 200s than requests seen", got) end
      if seen[ok].method == "HEAD" then cl = 0 end
    elseif code ~= "100" then
      if not ERROR_STATUSES[code] or ok ~= #seen then fail("responses %q: a %s after %d of %d requests", got, code, ok, #seen) end
    end
    if code ~= "100" then statuses[#statuses + 1] = code end
    p = p + cl
  end
  if p ~= #got + 1 then fail("responses %q: %d bytes more than the bodies", got, p - #got - 1) end
  if ok ~= #seen then fail("responses %q: %d 200s for %d requests seen", got, ok, #seen) end
  if #statuses > ok + 1 then fail("responses %q: more than one error", got) end
  out[1] = concat(statuses, ",")
  return netlist(out)
end

----------------------------------------------------------------------------
-- The servers, made once.

FUZZ = {}
FUZZ.rln = assert(net.listen("tcp", "127.0.0.1:0"))
FUZZ.url = "http://" .. tostring(FUZZ.rln:addr()) .. "/"
local function handler(req)
  local _ = req.body -- read lazily: asked for before the handler returns
  local seen = FUZZ.seen
  seen[#seen + 1] = req
  return 200, { ["X-N"] = tostring(#seen) }, "ok"
end
FUZZ.saddr = tostring(assert(http.serve("127.0.0.1:0", handler, { timeout = 5 })):addr())
FUZZ.saddr_small = tostring(assert(http.serve("127.0.0.1:0", handler, { timeout = 5, max_body = 64 })):addr())
`

// stdlibFuzzer is the runtime the stdlib fuzz targets share, with
// stdlibFuzzLua loaded, and a chunk calling each of its functions.
type stdlibFuzzer struct {
	rt  *Runtime
	out *syncBuffer // what the shared runtime prints: nothing, unless something failed
	fns map[string]*lua.LFunction
}

var (
	stdlibFuzzOnce sync.Once
	stdlibFuzzInst *stdlibFuzzer
	stdlibFuzzErr  error
)

func sharedStdlibFuzzer(t *testing.T) *stdlibFuzzer {
	stdlibFuzzOnce.Do(func() { stdlibFuzzInst, stdlibFuzzErr = newStdlibFuzzer() })
	if stdlibFuzzErr != nil {
		t.Fatal(stdlibFuzzErr)
	}
	return stdlibFuzzInst
}

func newStdlibFuzzer() (*stdlibFuzzer, error) {
	out := &syncBuffer{}
	rt := New(Options{Stdout: out, Stderr: out})
	fn, err := rt.Load(strings.NewReader(stdlibFuzzLua), "stdlib_fuzz.lua")
	if err != nil {
		return nil, err
	}
	task := rt.Start("stdlib fuzz setup", fn)
	select {
	case <-task.Done():
	case <-time.After(30 * time.Second):
		return nil, errors.New("the stdlib fuzz setup did not end")
	}
	if task.Status() != statusDone {
		return nil, fmt.Errorf("the stdlib fuzz setup: %s\n%s", task.Err(), out.Take())
	}
	s := &stdlibFuzzer{rt: rt, out: out, fns: map[string]*lua.LFunction{}}
	for _, name := range []string{"fuzz_resp", "fuzz_http_response", "fuzz_http_request"} {
		fn, err := rt.Load(strings.NewReader("return "+name+"(...)"), name)
		if err != nil {
			return nil, err
		}
		s.fns[name] = fn
	}
	return s, nil
}

// allocBudget is the most a call may allocate for args of n bytes in all:
// far more than reading, checking and encoding back n bytes takes (a
// megabyte and a half at most, over the seeds and some 800 corpus inputs),
// far less than a few bytes asking for a huge allocation cost. The n*n/2
// is the harness's own: it records what the conn still buffers after each
// outcome, up to n bytes for each of up to n/4 outcomes (10,000 "|0"
// attributes, each chain of 32 a too_large outcome, cost 550 MB).
func allocBudget(n int) uint64 { return 8<<20 + 256*uint64(n) + uint64(n)*uint64(n)/2 }

// call runs the Lua function name with args as a task and returns its
// results, which must be strings. The task failing (a Lua error: a broken
// property, or one the code under test raised; a Go panic in a binding
// comes as one too), hanging, allocating more than allocBudget, or
// anything printed fails t.
func (s *stdlibFuzzer) call(t *testing.T, name string, args ...string) []string {
	t.Helper()
	n := 0
	for _, a := range args {
		n += len(a)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	allocated := ms.TotalAlloc
	task := s.rt.Start(name, s.fns[name], args...)
	select {
	case <-task.Done():
	case <-time.After(time.Minute):
		task.Cancel()
		t.Fatalf("%s still running after a minute", name)
	}
	printed := s.out.Take()
	if task.Status() != statusDone {
		t.Fatalf("%s: %s\n%s", name, task.Err(), printed)
	}
	if printed != "" {
		t.Fatalf("%s printed:\n%s", name, printed)
	}
	runtime.ReadMemStats(&ms)
	if allocated = ms.TotalAlloc - allocated; allocated > allocBudget(n) {
		t.Fatalf("%s allocated %d bytes for %d bytes of input (budget %d)", name, allocated, n, allocBudget(n))
	}
	results := make([]string, len(task.results))
	for i, v := range task.results {
		str, ok := v.(lua.LString)
		if !ok {
			t.Fatalf("%s returned %s", name, v.Type())
		}
		results[i] = string(str)
	}
	return results
}

// splitNetlist splits what netlist joined in Lua.
func splitNetlist(t *testing.T, s string) []string {
	t.Helper()
	var out []string
	for s != "" {
		i := strings.IndexByte(s, ':')
		n, err := strconv.Atoi(s[:max(i, 0)])
		if i < 0 || err != nil || n > len(s)-i-1 {
			t.Fatalf("bad netlist %q", s)
		}
		out = append(out, s[i+1:i+1+n])
		s = s[i+1+n:]
	}
	return out
}

func netlist(items ...string) string {
	var b strings.Builder
	for _, s := range items {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	return b.String()
}

// ---------------------------------------------------------------------------
// RESP

// respCaps are resp's caps: max_bulk, max_items, max_depth, max_line.
type respCaps struct{ bulk, items, depth, line int }

var respDefaultCaps = respCaps{64 << 20, 1 << 20, 32, 64 << 10}

// decodeRESPCaps turns a fuzz number into caps: 0 for the defaults (passed
// as no opts), otherwise small ones, so that every cap is reached.
func decodeRESPCaps(sel uint16) (respCaps, bool) {
	if sel == 0 {
		return respDefaultCaps, false
	}
	return respCaps{bulk: int(sel&63) * 2, items: int(sel >> 6 & 15), depth: int(sel>>10&7) + 1, line: int(sel>>13&7)*16 + 4}, true
}

// respRef is the reference decoder: RESP2 and RESP3 as resp.lua documents
// them, written from the protocol's description, over the whole stream
// (refReader gives the conn's read_line and read_full on it). Values come
// out in the canonical form fuzz_resp's dump writes.
type respRef struct {
	r    refReader
	caps respCaps
	// elements is what is left of one reply's element budget
	// (resp.MAX_ELEMENTS, an aggregate counting respAggregateWeight). Its
	// byte budget (resp.MAX_MESSAGE, 128 MiB) is beyond any fuzz input.
	elements int
}

const (
	respMaxElements     = 1 << 20
	respAggregateWeight = 8
)

var (
	errRefOther  = errors.New("other")  // the stream breaks RESP
	errRefUnsure = errors.New("unsure") // the reference leaves the outcome open
)

func refKind(err error) string {
	switch err {
	case io.EOF:
		return "eof"
	case errRefTooLarge:
		return "too_large"
	case errRefOther:
		return "other"
	}
	panic(err)
}

// refValue is a decoded value: its dump, its type name (as read_reply
// gives it), whether it is a value (not a table) as a Lua table key, and
// for a top-level reply the attribute before it.
type refValue struct {
	dump, typ string
	scalar    bool
	attr      string
}

func refString(s, typ string) refValue {
	return refValue{dump: "s" + strconv.Itoa(len(s)) + ":" + s, typ: typ, scalar: true}
}

func refNumber(f float64, typ string) refValue {
	d := "nNaN"
	switch {
	case f == 0:
		d = "n0"
	case f == f:
		d = "n" + fmt.Sprintf("%.17g", f)
	}
	return refValue{dump: d, typ: typ, scalar: true}
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// parseLen reads a length or count: an optional minus and digits; more
// than 18 digits is as good as infinite (Lua's math.huge).
func parseLen(s string) (float64, bool) {
	digits, neg := strings.CutPrefix(s, "-")
	if !isDigits(digits) {
		return 0, false
	}
	n := math.Inf(1)
	if len(digits) <= 18 {
		v, _ := strconv.ParseInt(digits, 10, 64)
		n = float64(v)
	}
	if neg {
		n = -n
	}
	return n, true
}

// signedDigits tells digits with an optional sign in front.
func signedDigits(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	return isDigits(s)
}

// parseDouble reads a RESP3 double: inf, -inf, nan (any case), or a
// decimal number with an optional sign, fraction and exponent. One that
// overflows is left open.
func parseDouble(s string) (float64, error) {
	switch strings.ToLower(s) {
	case "inf", "+inf":
		return math.Inf(1), nil // Lua's math.huge
	case "-inf":
		return math.Inf(-1), nil
	case "nan", "-nan":
		return math.NaN(), nil
	}
	mant := s
	if mant != "" && (mant[0] == '+' || mant[0] == '-') {
		mant = mant[1:]
	}
	if i := strings.IndexAny(mant, "eE"); i >= 0 {
		if !signedDigits(mant[i+1:]) {
			return 0, errRefOther
		}
		mant = mant[:i]
	}
	whole, frac, dot := strings.Cut(mant, ".")
	if !(isDigits(whole) && (frac == "" || isDigits(frac)) || dot && whole == "" && isDigits(frac)) {
		return 0, errRefOther
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, errRefUnsure
	}
	return f, nil
}

func (p *respRef) value(depth int, line *string) (refValue, error) {
	if depth > p.caps.depth {
		return refValue{}, errRefTooLarge
	}
	if line == nil {
		l, err := p.r.line(p.caps.line)
		if err != nil {
			return refValue{}, err
		}
		s := string(l)
		line = &s
	}
	s := *line
	if p.elements--; p.elements < 0 {
		return refValue{}, errRefTooLarge
	}
	if s == "" {
		return refValue{}, errRefOther
	}
	t, rest := s[0], s[1:]
	switch t {
	case '+':
		return refString(rest, "simple"), nil
	case '-':
		return refValue{dump: "e" + strconv.Itoa(len(rest)) + ":" + rest, typ: "error"}, nil
	case ':':
		if !signedDigits(rest) {
			return refValue{}, errRefOther
		}
		n, err := strconv.ParseInt(rest, 10, 64)
		if err != nil {
			return refValue{}, errRefOther // beyond 64 bits
		}
		if n < -1<<53 || n > 1<<53 {
			// Beyond what a float64 holds exactly: its decimal string.
			return refString(strconv.FormatInt(n, 10), "integer"), nil
		}
		return refNumber(float64(n), "integer"), nil
	case '$', '!', '=':
		n, ok := parseLen(rest)
		if !ok || n < -1 {
			return refValue{}, errRefOther
		}
		if n > float64(p.caps.bulk) {
			return refValue{}, errRefTooLarge
		}
		if n == -1 {
			if t != '$' {
				return refValue{}, errRefOther
			}
			return refValue{dump: "N", typ: "null", scalar: true}, nil
		}
		data, err := p.r.full(int(n))
		if err != nil {
			return refValue{}, err
		}
		crlf, err := p.r.full(2)
		if err != nil {
			return refValue{}, err
		}
		if string(crlf) != "\r\n" {
			return refValue{}, errRefOther
		}
		switch t {
		case '!':
			return refValue{dump: "e" + strconv.Itoa(len(data)) + ":" + string(data), typ: "error"}, nil
		case '=':
			if len(data) < 4 || data[3] != ':' {
				return refValue{}, errRefOther
			}
			return refString(string(data[4:]), "verbatim"), nil
		}
		return refString(string(data), "bulk"), nil
	case '*', '%', '~', '>', '|':
		n, ok := parseLen(rest)
		if !ok || n < -1 {
			return refValue{}, errRefOther
		}
		if n == -1 {
			if t != '*' {
				return refValue{}, errRefOther
			}
			return refValue{dump: "N", typ: "null", scalar: true}, nil
		}
		if n > float64(p.caps.items) {
			return refValue{}, errRefTooLarge
		}
		// Each element takes at least one of the budget: a count the rest
		// cannot hold is refused before anything is read.
		per := 1.0
		if t == '%' || t == '|' {
			per = 2
		}
		if p.elements -= respAggregateWeight - 1; p.elements < 0 || n*per > float64(p.elements) {
			return refValue{}, errRefTooLarge
		}
		var parts []string
		if t == '%' || t == '|' {
			at := map[string]int{} // a value key's entry: Lua keeps the last
			for range int(n) {
				k, err := p.value(depth+1, nil)
				if err != nil {
					return refValue{}, err
				}
				v, err := p.value(depth+1, nil)
				if err != nil {
					return refValue{}, err
				}
				if k.dump == "nNaN" {
					k = refString("nan", "")
				}
				e := k.dump + "=" + v.dump
				if i, ok := at[k.dump]; ok && k.scalar {
					parts[i] = e
					continue
				}
				if k.scalar {
					at[k.dump] = len(parts)
				}
				parts = append(parts, e)
			}
			sort.Strings(parts)
			m := "M" + strconv.Itoa(len(parts)) + "[" + strings.Join(parts, ",") + "]"
			if t == '|' {
				// The value an attribute describes is one level deeper:
				// a chain of attributes is nesting, capped like it.
				v, err := p.value(depth+1, nil)
				if err != nil {
					return refValue{}, err
				}
				v.attr = m
				return v, nil
			}
			return refValue{dump: m, typ: "map"}, nil
		}
		for range int(n) {
			v, err := p.value(depth+1, nil)
			if err != nil {
				return refValue{}, err
			}
			parts = append(parts, v.dump)
		}
		tag, typ := map[byte]string{'*': "A", '~': "S", '>': "P"}[t], map[byte]string{'*': "array", '~': "set", '>': "push"}[t]
		return refValue{dump: tag + strconv.Itoa(len(parts)) + "[" + strings.Join(parts, ",") + "]", typ: typ}, nil
	case '_':
		if rest != "" {
			return refValue{}, errRefOther
		}
		return refValue{dump: "N", typ: "null", scalar: true}, nil
	case '#':
		switch rest {
		case "t":
			return refValue{dump: "T", typ: "boolean", scalar: true}, nil
		case "f":
			return refValue{dump: "F", typ: "boolean", scalar: true}, nil
		}
		return refValue{}, errRefOther
	case ',':
		f, err := parseDouble(rest)
		if err != nil {
			return refValue{}, err
		}
		return refNumber(f, "double"), nil
	case '(':
		if !signedDigits(rest) {
			return refValue{}, errRefOther
		}
		return refString(rest, "big_number"), nil
	}
	return refValue{}, errRefOther
}

// replies decodes replies until one fails: the outcome of each, as
// fuzz_resp writes it ("?" where the reference leaves it open), and what
// is left of the stream after it.
func (p *respRef) replies() (outs []string, rests [][]byte) {
	for {
		var out string
		l, err := p.r.line(p.caps.line)
		if err != nil {
			out = "err:" + refKind(err)
		} else {
			s := string(l)
			p.elements = respMaxElements
			v, err := p.value(1, &s)
			switch {
			case err == errRefUnsure:
				out = "?"
			case err != nil:
				out = "err:" + refKind(err)
			case v.typ == "error":
				out = "redis=" + v.dump
			default:
				out = v.typ + "=" + v.dump
				if v.attr != "" {
					out += "|" + v.attr
				}
			}
		}
		outs, rests = append(outs, out), append(rests, p.r.rest())
		if out == "?" || strings.HasPrefix(out, "err:") {
			return outs, rests
		}
	}
}

// command reads one command as a server does: an array of bulk strings,
// or an inline one (words split as Redis splits them, refSplitArgs);
// empty lines and arrays are skipped.
func (p *respRef) command() string {
	for {
		l, err := p.r.line(p.caps.line)
		if err != nil {
			return "err:" + refKind(err)
		}
		s := string(l)
		var args []string
		if rest, ok := strings.CutPrefix(s, "*"); ok {
			n, ok := parseLen(rest)
			if !ok {
				return "err:other"
			}
			if n > float64(p.caps.items) || n > respMaxElements {
				return "err:too_large"
			}
			for range int(max(n, 0)) {
				h, err := p.r.line(p.caps.line)
				if err != nil {
					return "err:" + refKind(err)
				}
				hrest, ok := strings.CutPrefix(string(h), "$")
				if !ok {
					return "err:other"
				}
				size, ok := parseLen(hrest)
				switch {
				case !ok || size < -1:
					return "err:other"
				case size > float64(p.caps.bulk):
					return "err:too_large"
				case size < 0:
					return "err:other"
				}
				data, err := p.r.full(int(size))
				if err != nil {
					return "err:" + refKind(err)
				}
				crlf, err := p.r.full(2)
				if err != nil {
					return "err:" + refKind(err)
				}
				if string(crlf) != "\r\n" {
					return "err:other"
				}
				args = append(args, string(data))
			}
		} else {
			var ok bool
			if args, ok = refSplitArgs(s); !ok {
				return "err:other" // unbalanced quotes
			}
		}
		if len(args) > 0 {
			parts := make([]string, len(args))
			for i, a := range args {
				parts[i] = refString(a, "").dump
			}
			return "cmd=" + strconv.Itoa(len(args)) + "[" + strings.Join(parts, ",") + "]"
		}
	}
}

func (p *respRef) commands() (outs []string, rests [][]byte) {
	for {
		out := p.command()
		outs, rests = append(outs, out), append(rests, p.r.rest())
		if strings.HasPrefix(out, "err:") {
			return outs, rests
		}
	}
}

// compareOutcomes checks the outcomes Lua had, and what its conn had
// buffered after each (a prefix of what was left to read), against the
// reference's, up to where the reference leaves them open.
func compareOutcomes(t *testing.T, what string, got, buffered, want []string, rests [][]byte) {
	t.Helper()
	if len(buffered) != len(got) {
		t.Fatalf("%s: %d outcomes and %d buffers", what, len(got), len(buffered))
	}
	for i, w := range want {
		if w == "?" {
			return
		}
		if i >= len(got) {
			t.Fatalf("%s: %d outcomes %q; the reference has more: %q", what, len(got), got, want)
		}
		if got[i] != w {
			t.Fatalf("%s %d: got %q, want %q\n(all: %q)", what, i+1, got[i], w, got)
		}
		if !bytes.HasPrefix(rests[i], []byte(buffered[i])) {
			t.Fatalf("%s %d (%q): buffered %q is not a prefix of what is left, %q", what, i+1, w, buffered[i], rests[i])
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%s: outcomes %q, want %q", what, got, want)
	}
}

// FuzzRESP feeds arbitrary bytes, in arbitrary pieces, through a pipe to
// resp.read_reply until it fails, then again to resp.read_command, with
// the default caps or small ones. Checked:
//   - no Go panic and no Lua error: bad input is nil, err with err.kind
//     "other" (message "resp: ..."), "too_large" or "eof";
//   - every outcome (value and type, attribute, error reply, error kind)
//     is the reference decoder's, and each read consumed what the
//     reference did (what the conn still buffers is what is left);
//   - decoded values have the documented shape (lists without holes,
//     error values with their code) and keep the caps: strings, element
//     counts, nesting; a length or count over a cap is refused at once,
//     and no input makes much more allocated than its own size;
//   - every reply decoded, encoded back (resp's encoders where they fit,
//     the RESP3 forms otherwise), reads back the same; an aggregate
//     through resp.encode_array or encode_map reads back as the documented
//     RESP2 forms; every command through resp.encode_command reads back as
//     the same arguments.
func FuzzRESP(f *testing.F) {
	// More seeds, bugs found among them, are in testdata/fuzz/FuzzRESP.
	for _, s := range []string{
		"+OK\r\n-ERR unknown command 'FOO'\r\n:1000\r\n:-42\r\n$5\r\nhello\r\n$0\r\n\r\n$-1\r\n*-1\r\n",
		"*3\r\n$3\r\nfoo\r\n:7\r\n*2\r\n+a\r\n-WRONGTYPE bad\r\n",
		"%2\r\n+first\r\n:1\r\n+second\r\n#t\r\n~2\r\n+a\r\n+a\r\n>3\r\n+message\r\n+chan\r\n$2\r\nhi\r\n",
		"_\r\n#f\r\n,3.14\r\n,-inf\r\n,nan\r\n,10\r\n(3492890328409238509324850943850943825024385\r\n=15\r\ntxt:Some string\r\n!21\r\nSYNTAX invalid syntax\r\n",
		"|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n",
		"*2\r\n|1\r\n+ttl\r\n:3600\r\n+v\r\n%1\r\n*1\r\n:1\r\n_\r\n",
		"*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nv\r\n\r\nPING\r\nSET k  v\r\n*0\r\n",
		"$5\r\nhel",
		"$3\r\nabcXY",
		"$99999999999999999999\r\n",
		"*99999999999999999999\r\n",
		"$67108865\r\n",
		"*1048577\r\n",
		"*3\r\n:1\r\n",
		"+no CRLF at the end",
		"$-2\r\n!-1\r\n",
		":12a\r\n",
		"?what\r\n",
		",1.5e300\r\n,.5\r\n,-1.\r\n,1.2.3\r\n",
		"%2\r\n,nan\r\n:1\r\n+nan\r\n:2\r\n",
		"%3\r\n:1\r\n+a\r\n,1\r\n+b\r\n#t\r\n+c\r\n",
		"%1\r\n+n\r\n:5\r\n*1\r\n%1\r\n+n\r\n+x\r\n",
		"*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n",
		"+" + strings.Repeat("x", 70000) + "\r\n",
		"*2\r\n$3\r\nGET\r\n$1048577\r\n",
		"*1\r\n:1\r\n",
		":123456789012345678\r\n*3\r\n:-9007199254740993\r\n:+009007199254740992\r\n%1\r\n:9223372036854775807\r\n:-9223372036854775808\r\n",
		// The whole-message element budget: refused on the count, or as
		// nested aggregates add up; peer bytes in an error message.
		"*1048576\r\n" + strings.Repeat("*0\r\n", 100),
		"*131071\r\n" + strings.Repeat("*0\r\n", 100),
		"%524288\r\n+a\r\n",
		"*3\r\n*100\r\n" + strings.Repeat(":1\r\n", 100) + "*1048000\r\n",
		"\x1b]0;title\x07\r\n*1\r\n\x1b[2J\r\n",
	} {
		f.Add([]byte(s), []byte(nil), uint16(0))
	}
	f.Add([]byte("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n+OK\r\n"), []byte{0, 1, 2, 6}, uint16(0))
	f.Add([]byte("$10\r\n0123456789\r\n*4\r\n:1\r\n:2\r\n:3\r\n:4\r\n"), []byte{3}, uint16(4|2<<6|1<<10|2<<13))
	f.Add([]byte("*1\r\n*1\r\n*1\r\n:1\r\n%2\r\n:1\r\n:2\r\n:3\r\n:4\r\n"), []byte{0}, uint16(60|1<<6|1<<10|7<<13))
	f.Add([]byte("+"+strings.Repeat("y", 40)+"\r\n"), []byte{7, 0}, uint16(1|1<<13))
	f.Fuzz(func(t *testing.T, data, splits []byte, capsSel uint16) {
		if len(data) > 1<<17 {
			return
		}
		if len(splits) > 64 {
			splits = splits[:64]
		}
		caps, custom := decodeRESPCaps(capsSel)
		args := []string{string(data), string(splits), "", "", "", ""}
		if custom {
			args = append(args[:2], strconv.Itoa(caps.bulk), strconv.Itoa(caps.items), strconv.Itoa(caps.depth), strconv.Itoa(caps.line))
		}
		res := sharedStdlibFuzzer(t).call(t, "fuzz_resp", args...)
		if len(res) != 4 {
			t.Fatalf("fuzz_resp returned %d results", len(res))
		}
		want, rests := (&respRef{r: refReader{s: data}, caps: caps}).replies()
		compareOutcomes(t, "read_reply", splitNetlist(t, res[0]), splitNetlist(t, res[1]), want, rests)
		want, rests = (&respRef{r: refReader{s: data}, caps: caps}).commands()
		compareOutcomes(t, "read_command", splitNetlist(t, res[2]), splitNetlist(t, res[3]), want, rests)
	})
}

// ---------------------------------------------------------------------------
// HTTP

// Header names the well-formed messages leave out: their framing is
// written apart, and these change how a server or client goes on.
var framingHeaders = map[string]bool{"content-length": true, "transfer-encoding": true}
var requestOnlyHeaders = map[string]bool{"content-length": true, "transfer-encoding": true, "connection": true, "expect": true, "host": true}

func isTchar(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// keep keeps the bytes of b that ok takes, at most n of them.
func keep(b []byte, n int, ok func(byte) bool) string {
	var out []byte
	for _, c := range b {
		if len(out) < n && ok(c) {
			out = append(out, c)
		}
	}
	return string(out)
}

type headerPair struct{ name, value string }

// headerPairs makes header lines of fields taken two by two (name, value):
// names of token characters, values without CR or LF; fields making no
// name, or one of skip, are left out.
func headerPairs(fields [][]byte, n int, skip map[string]bool) []headerPair {
	var pairs []headerPair
	for i := 0; i+1 < len(fields) && len(pairs) < n; i += 2 {
		name := keep(fields[i], 64, isTchar)
		value := keep(fields[i+1], 1000, func(c byte) bool { return c != '\r' && c != '\n' })
		if name != "" && !skip[strings.ToLower(name)] {
			pairs = append(pairs, headerPair{name, value})
		}
	}
	return pairs
}

// writeHeaders writes the lines of pairs and appends to dump each
// name and value as the parser gives it back (trimmed).
func writeHeaders(b *bytes.Buffer, pairs []headerPair, dump []string) []string {
	for _, p := range pairs {
		fmt.Fprintf(b, "%s: %s\r\n", p.name, p.value)
		dump = append(dump, p.name, strings.Trim(p.value, " \t"))
	}
	return dump
}

// trailersDump is fuzz's trailers_dump of the trailer lines pairs.
func trailersDump(pairs []headerPair) string {
	m := map[string]string{}
	var keys []string
	for _, p := range pairs {
		k, v := strings.ToLower(p.name), strings.Trim(p.value, " \t")
		if old, ok := m[k]; ok {
			m[k] = old + ", " + v
		} else {
			m[k] = v
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("T")
	for _, k := range keys {
		fmt.Fprintf(&b, "%d:%s%d:%s", len(k), k, len(m[k]), m[k])
	}
	return b.String()
}

// firstChunk is the size of the first chunk writeChunked makes of body.
func firstChunk(body, splits []byte) int {
	if len(splits) > 0 {
		return min(len(body), int(splits[0])+1)
	}
	return len(body)
}

// writeChunked writes body chunked, in chunks of the sizes splits gives,
// then the last chunk and the trailers. With badEnd, the first chunk's
// data is followed by "XYZ\r\n" instead of its CRLF.
func writeChunked(b *bytes.Buffer, body, splits []byte, ext, badEnd bool, trailers []headerPair) {
	sizeLine := func(n int) {
		if ext {
			fmt.Fprintf(b, "%04X ;name=value;x\r\n", n)
		} else {
			fmt.Fprintf(b, "%x\r\n", n)
		}
	}
	for k := 0; len(body) > 0; k++ {
		n := len(body)
		if len(splits) > 0 {
			n = min(n, int(splits[k%len(splits)])+1)
		}
		sizeLine(n)
		b.Write(body[:n])
		if badEnd && k == 0 {
			b.WriteString("XYZ")
		}
		b.WriteString("\r\n")
		body = body[n:]
	}
	sizeLine(0)
	writeHeaders(b, trailers, nil)
	b.WriteString("\r\n")
}

// Response mode bits: structured (else raw bytes); in raw mode, bits 1-2
// pick max_body and bit 3 HEAD; in structured mode, bits 1-2 the framing
// (Content-Length, chunked, until close, HEAD with Content-Length), then
// HTTP/1.0, an interim 100 first, chunk extensions, trailers, max_body one
// byte short of the body, a header line over MAX_LINE, more than
// MAX_HEADERS headers, a chunk's data not followed by CRLF.
const (
	httpStructured = 1 << 0
	respHTTP10     = 1 << 3
	respInterim    = 1 << 4
	httpChunkExt   = 1 << 5
	httpTrailers   = 1 << 6
	httpBodyCap    = 1 << 7
	httpLongLine   = 1 << 8
	httpManyLines  = 1 << 9
	httpBadChunk   = 1 << 10
)

// buildHTTPResponse makes a well-formed response of the fields in data
// (a status, a reason, header names and values, split at zero bytes) and
// body, framed as mode says, and what fuzz_http_response must return for
// it.
func buildHTTPResponse(data, body, splits []byte, mode uint16) (stream []byte, method, maxBody, want string) {
	status := 200
	if len(data) >= 2 {
		status += int(binary.BigEndian.Uint16(data)) % 800
		data = data[2:]
	}
	fields := bytes.Split(data, []byte{0})
	reason := keep(fields[0], 200, func(c byte) bool { return c >= 0x20 && c < 0x7f })
	pairs := headerPairs(fields[1:], 90, framingHeaders)
	framing := mode >> 1 & 3
	version := "HTTP/1.1"
	if mode&respHTTP10 != 0 {
		version = "HTTP/1.0"
	}
	method = "GET"
	if framing == 3 {
		method = "HEAD"
	}
	bodyless := method == "HEAD" || status == 204 || status == 304
	var trailers []headerPair
	if framing == 1 && mode&httpTrailers != 0 {
		pairs, trailers = pairs[:len(pairs)/2], pairs[len(pairs)/2:]
	}
	tooLarge := ""
	if mode&httpLongLine != 0 {
		pairs = append(pairs, headerPair{"X-Long", strings.Repeat("v", 8192)})
		tooLarge = "err:too_large"
	}
	if mode&httpManyLines != 0 {
		for len(pairs) <= 100 {
			pairs = append(pairs, headerPair{"X-Many", strconv.Itoa(len(pairs))})
		}
		tooLarge = "err:too_large"
	}

	var b bytes.Buffer
	if mode&respInterim != 0 {
		b.WriteString("HTTP/1.1 100 Continue\r\n\r\n")
	}
	fmt.Fprintf(&b, "%s %d %s\r\n", version, status, reason)
	dump := []string{"resp", strconv.Itoa(status), reason, version, ""}
	dump = writeHeaders(&b, pairs, dump)
	switch framing {
	case 0, 3:
		dump = writeHeaders(&b, []headerPair{{"Content-Length", strconv.Itoa(len(body))}}, dump)
	case 1:
		dump = writeHeaders(&b, []headerPair{{"Transfer-Encoding", "chunked"}}, dump)
	}
	dump[4] = strconv.Itoa((len(dump) - 5) / 2)
	b.WriteString("\r\n")
	wantBody, wantTrailers := "", "-"
	if !bodyless {
		wantBody = string(body)
		badChunk := framing == 1 && mode&httpBadChunk != 0 && len(body) > 0
		if framing == 1 {
			writeChunked(&b, body, splits, mode&httpChunkExt != 0, badChunk, trailers)
			wantTrailers = trailersDump(trailers)
		} else {
			b.Write(body)
		}
		if badChunk && tooLarge == "" {
			tooLarge = "err:other" // malformed: the chunk is not followed by CRLF
		} else if mode&httpBodyCap != 0 && len(body) > 0 {
			maxBody = strconv.Itoa(len(body) - 1)
			if tooLarge == "" {
				tooLarge = "err:too_large"
			}
		}
	}
	if tooLarge != "" {
		return b.Bytes(), method, maxBody, netlist(tooLarge)
	}
	return b.Bytes(), method, maxBody, netlist(append(dump, wantBody, wantTrailers)...)
}

// FuzzHTTPResponse answers a request of http.request with arbitrary bytes
// (raw mode) or a well-formed response built from fuzzed fields
// (structured mode), from a fake server on a loopback port, in arbitrary
// pieces. Checked:
//   - no Go panic and no Lua error: a bad response is nil, err with kind
//     "other", "too_large", "eof" or "reset";
//   - what comes back has the documented shape: a status of three digits
//     (interim ones skipped), headers consistent with header_list, at
//     most MAX_HEADERS of them, a body within max_body, none for HEAD,
//     204 and 304, of the length Content-Length says, trailers exactly
//     for a chunked body; a body not chunked is bytes of the response;
//   - a well-formed response parses back to exactly its status, reason,
//     version, headers (in order, values trimmed), body and trailers,
//     however it is framed (Content-Length, chunked with or without
//     extensions and trailers, until close) and cut; one over a cap (the
//     body over max_body, a line over MAX_LINE, more than MAX_HEADERS
//     headers) is kind "too_large"; one whose chunk data is not followed
//     by CRLF is kind "other".
func FuzzHTTPResponse(f *testing.F) {
	// More seeds, bugs found among them, are in testdata/fuzz/FuzzHTTPResponse.
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n",
		"HTTP/1.0 200 OK\r\nServer: old\r\n\r\nbody until close",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\nabc",
		"HTTP/1.1 301 Moved\r\nLocation: /elsewhere\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX-Folded: one\r\n two\r\n\tthree\r\nContent-Length: 1\r\n\r\nx",
		"HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabcd",
		"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXYZ\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 2\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
		"HTTP/1.1 200\r\n\r\n",
		"HTTP/1.1 99 Odd\r\n\r\n",
		"HTTP/2 200 OK\r\n\r\n",
		"HTTP/1.1 200 OK\r\n no name\r\n\r\n",
		"HTTP/1.1 200 OK\r\nBad Header\r\n\r\n",
		"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\nrest",
		"HTTP/1.1 200 OK\r\n" + strings.Repeat("X-A: b\r\n", 101) + "\r\n",
		"HTTP/1.1 200 OK\r\nX-Long: " + strings.Repeat("v", 9000) + "\r\n\r\n",
		"HTTP/1.1 200 OK\r\n\r\n" + strings.Repeat("z", 2000),
		strings.Repeat("HTTP/1.1 100 Continue\r\n\r\n", 11) + "HTTP/1.1 200 OK\r\n\r\n",
		"",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + strings.Repeat("1\r\nx\r\n", 10000) + "0\r\n\r\n",
		"HTTP/1.1 200 OK\r\n" + strings.Repeat("X-Big: "+strings.Repeat("h", 1000)+"\r\n", 90) + "\r\n",
		"\x1b]0;title\x07 HTTP/1.1 200 OK\r\n\r\n",
	} {
		f.Add([]byte(s), []byte(nil), []byte(nil), uint16(0))
	}
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n01234567890123456789"), []byte(nil), []byte{0, 3, 1}, uint16(2<<1|1<<3))
	f.Add([]byte("HTTP/1.1 200 OK\r\n\r\n0123456789abcdefghij"), []byte(nil), []byte{4}, uint16(2<<1))
	status := []byte{0, 0}
	fields := []byte("All Good\x00Content-Type\x00text/plain\x00X-Empty\x00\x00X-Spaces\x00  padded \t \x00set-cookie\x00a=1\x00Set-Cookie\x00b=2")
	for mode := uint16(0); mode < 8; mode++ {
		f.Add(append(status, fields...), []byte("the body, with\r\nCRLF and \x00 bytes"), []byte{2, 7}, mode<<1|httpStructured)
	}
	f.Add(append([]byte{0, 4}, fields...), []byte("no body for 204"), []byte(nil), uint16(httpStructured))
	f.Add(append(status, fields...), []byte("trailers and extensions"), []byte{5}, uint16(1<<1|httpStructured|httpChunkExt|httpTrailers|respInterim))
	f.Add(append(status, fields...), []byte("one byte over max_body"), []byte{5}, uint16(1<<1|httpStructured|httpBodyCap))
	f.Add(append(status, fields...), []byte("over max_body"), []byte(nil), uint16(2<<1|httpStructured|httpBodyCap))
	f.Add(append(status, fields...), []byte("long line"), []byte(nil), uint16(httpStructured|httpLongLine))
	f.Add(append(status, fields...), []byte("many lines"), []byte(nil), uint16(1<<1|httpStructured|httpManyLines))
	f.Fuzz(func(t *testing.T, data, body, splits []byte, mode uint16) {
		if len(data) > 1<<16 || len(body) > 1<<16 {
			return
		}
		if len(splits) > 64 {
			splits = splits[:64]
		}
		s := sharedStdlibFuzzer(t)
		if mode&httpStructured == 0 {
			method := "GET"
			if mode&(1<<3) != 0 {
				method = "HEAD"
			}
			maxBody := [...]string{"", "0", "16", "1000"}[mode>>1&3]
			res := s.call(t, "fuzz_http_response", string(data), string(splits), method, maxBody)
			got := splitNetlist(t, res[0])
			if got[0] != "resp" {
				return
			}
			list := got[5 : len(got)-2]
			chunked := false
			for i := 0; i < len(list); i += 2 {
				chunked = chunked || strings.EqualFold(list[i], "transfer-encoding")
			}
			if body := got[len(got)-2]; !chunked && !bytes.Contains(data, []byte(body)) {
				t.Fatalf("a body of %q, not in the response", body)
			}
			return
		}
		stream, method, maxBody, want := buildHTTPResponse(data, body, splits, mode)
		res := s.call(t, "fuzz_http_response", string(stream), string(splits), method, maxBody)
		if res[0] != want {
			t.Fatalf("response %q (%s, max_body %q)\nparsed as %q\nwant      %q", stream, method, maxBody, splitNetlist(t, res[0]), splitNetlist(t, want))
		}
	})
}

// Request mode bits: structured (else raw bytes); in raw mode, bit 3 picks
// the server with max_body 64; in structured mode, bits 1-2 the framing of
// bodies (none, Content-Length, chunked, each in turn), then that server,
// the last request in HTTP/1.0, chunk extensions, trailers, empty lines
// before each request, a header line over MAX_LINE in the last request,
// more than MAX_HEADERS headers in it, a chunk's data in it not followed
// by CRLF.
const (
	reqSmall  = 1 << 3
	reqHTTP10 = 1 << 4
	reqBlanks = 1 << 7
)

// buildHTTPRequests makes up to four well-formed requests of the parts of
// data (split at 0xfe bytes; in each, a method, a target, header names and
// values, split at zero bytes), each with body framed as mode says, and
// what fuzz_http_request must return for them.
func buildHTTPRequests(data, body, splits []byte, mode uint16) (stream []byte, small string, want []string) {
	parts := bytes.Split(data, []byte{0xfe})
	if len(parts) > 4 {
		parts = parts[:4]
	}
	maxBody := 16 << 20
	if mode&reqSmall != 0 {
		small, maxBody = "1", 64
	}
	var b bytes.Buffer
	var statuses []string
	want = []string{""}
	for i, part := range parts {
		last := i == len(parts)-1
		fields := append(bytes.Split(part, []byte{0}), nil)
		method := []byte(keep(fields[0], 10, func(byte) bool { return true }))
		for i, c := range method {
			method[i] = 'A' + c%26
		}
		if len(method) == 0 {
			method = []byte("GET")
		}
		target := "/" + keep(fields[1], 200, func(c byte) bool { return c > 0x20 && c < 0x7f })
		pairs := headerPairs(fields[2:], 90, requestOnlyHeaders)
		framing := mode >> 1 & 3
		if framing == 3 {
			framing = 1 + uint16(i%2)
		}
		version := "HTTP/1.1"
		if mode&reqHTTP10 != 0 && last {
			version = "HTTP/1.0"
		}
		var trailers []headerPair
		if framing == 2 && mode&httpTrailers != 0 {
			pairs, trailers = pairs[:len(pairs)/2], pairs[len(pairs)/2:]
		}
		// Every request has one Host (RFC 9112, 3.2: without one, or with
		// two, an HTTP/1.1 request is a 400); the fuzzed ones are left out.
		pairs = append([]headerPair{{"Host", "fuzz.example"}}, pairs...)
		status := "200"
		if last && mode&httpLongLine != 0 {
			pairs = append(pairs, headerPair{"X-Long", strings.Repeat("v", 8192)})
			status = "431"
		}
		if last && mode&httpManyLines != 0 {
			for len(pairs) <= 100 {
				pairs = append(pairs, headerPair{"X-Many", strconv.Itoa(len(pairs))})
			}
			status = "431"
		}
		if mode&reqBlanks != 0 {
			b.WriteString("\r\n\n")
		}
		fmt.Fprintf(&b, "%s %s %s\r\n", method, target, version)
		path, query, hasQuery := strings.Cut(target, "?")
		if !hasQuery {
			query = "\x00"
		}
		dump := []string{string(method), target, path, query, version, ""}
		dump = writeHeaders(&b, pairs, dump)
		switch framing {
		case 1:
			dump = writeHeaders(&b, []headerPair{{"Content-Length", strconv.Itoa(len(body))}}, dump)
		case 2:
			dump = writeHeaders(&b, []headerPair{{"Transfer-Encoding", "chunked"}}, dump)
		}
		dump[5] = strconv.Itoa((len(dump) - 6) / 2)
		b.WriteString("\r\n")
		wantBody, wantTrailers := "", "-"
		switch framing {
		case 1:
			b.Write(body)
			wantBody = string(body)
		case 2:
			badChunk := last && mode&httpBadChunk != 0 && len(body) > 0
			writeChunked(&b, body, splits, mode&httpChunkExt != 0, badChunk, trailers)
			wantBody, wantTrailers = string(body), trailersDump(trailers)
			if badChunk && status == "200" && firstChunk(body, splits) <= maxBody {
				status = "400" // malformed: the chunk is not followed by CRLF
			}
		}
		if status == "200" && len(wantBody) > maxBody {
			status = "413"
		}
		statuses = append(statuses, status)
		if status != "200" {
			break
		}
		want = append(want, netlist(append(dump, wantBody, wantTrailers)...))
	}
	want[0] = strings.Join(statuses, ",")
	return b.Bytes(), small, want
}

// FuzzHTTPRequest sends arbitrary bytes (raw mode), or up to four
// pipelined well-formed requests built from fuzzed fields (structured
// mode), in arbitrary pieces, to an http.serve server on a loopback port,
// half-closes and reads the responses. Checked:
//   - no Go panic, no Lua error, nothing printed: the server never fails
//     (its handler is fuzz's own, which does not);
//   - each request the handler gets has the documented shape: a method of
//     capitals, HTTP/1.x, a target split into path and query, headers
//     consistent with header_list, at most MAX_HEADERS of them, a body
//     within max_body, of the length Content-Length says or chunked with
//     trailers;
//   - the responses are a 200 for each request handled, then at most one
//     error reply (400, 413, 414, 431, 501, 505), with 100 Continue where
//     asked;
//   - well-formed requests reach the handler as exactly their method,
//     target, path, query, version, headers (in order, values trimmed),
//     body and trailers, however they are framed and cut; one over a cap
//     (a body over max_body, a line over MAX_LINE, more than MAX_HEADERS
//     headers) gets its 413 or 431 and ends the conn, and one whose chunk
//     data is not followed by CRLF its 400.
func FuzzHTTPRequest(f *testing.F) {
	// More seeds, bugs found among them, are in testdata/fuzz/FuzzHTTPRequest.
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST /echo?x=1&y=2 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /next HTTP/1.1\r\nHost: x\r\n\r\n",
		"PUT /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n",
		"HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET /after-head HTTP/1.0\r\n\r\n",
		"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n",
		"\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"get / HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET / HTTP/2.0\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		"GET /" + strings.Repeat("a", 9000) + " HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X: y\r\n", 101) + "\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nshort",
		// Smuggling: Transfer-Encoding with Content-Length, codings that
		// only end in "chunked", chunked twice; then 1-byte chunks.
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + strings.Repeat("1\r\nx\r\n", 10000) + "0\r\n\r\n",
		"POST / HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n",
	} {
		f.Add([]byte(s), []byte(nil), []byte(nil), uint16(0))
	}
	f.Add([]byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 65\r\n\r\n"+strings.Repeat("b", 65)), []byte(nil), []byte{9, 0}, uint16(reqSmall))
	req := []byte("POST\x00/path?q=1\x00Host\x00example\x00X-Spaces\x00  padded \t \x00\xfeget\x00/second\x00Accept\x00*/*\xfe\x00\x00Cookie\x00a=1")
	for mode := uint16(0); mode < 4; mode++ {
		f.Add(req, []byte("the body\r\n\x00"), []byte{1, 6}, mode<<1|httpStructured)
	}
	f.Add(req, []byte("trailers, extensions, blank lines, HTTP/1.0 last"), []byte{3}, uint16(2<<1|httpStructured|httpChunkExt|httpTrailers|reqBlanks|reqHTTP10))
	f.Add(req, []byte(strings.Repeat("over 64 bytes ", 5)), []byte{20}, uint16(3<<1|httpStructured|reqSmall))
	f.Add(req, []byte(nil), []byte(nil), uint16(httpStructured|httpLongLine))
	f.Add(req, []byte(nil), []byte(nil), uint16(httpStructured|httpManyLines))
	f.Fuzz(func(t *testing.T, data, body, splits []byte, mode uint16) {
		if len(data) > 1<<16 || len(body) > 1<<16 {
			return
		}
		if len(splits) > 64 {
			splits = splits[:64]
		}
		s := sharedStdlibFuzzer(t)
		if mode&httpStructured == 0 {
			small := ""
			if mode&reqSmall != 0 {
				small = "1"
			}
			s.call(t, "fuzz_http_request", string(data), string(splits), small)
			return
		}
		stream, small, want := buildHTTPRequests(data, body, splits, mode)
		res := s.call(t, "fuzz_http_request", string(stream), string(splits), small)
		got := splitNetlist(t, res[0])
		if got[0] == "err:reset" && !strings.HasSuffix(want[0], "200") {
			// The server refused a request and closed with bytes unread:
			// the reset may have cut the responses.
			got[0] = want[0]
		}
		if !slices.Equal(got, want) {
			t.Fatalf("requests %q\nreached the handler as %q\nwant %q", stream, got, want)
		}
	})
}
