-- resp: the Redis protocol (RESP2 and RESP3), client and server side.
--
--   local resp = require "resp"
--   local r = assert(resp.connect("127.0.0.1:6379"))
--   assert(r:call("SET", "k", "v"))
--   print(r:call("GET", "k"))            --> v  bulk
--   print(r:call("GET", "nope") == resp.null)
--   local replies = assert(r:pipeline(function(p)
--     for i = 1, 100 do p:call("INCR", "n") end
--   end))
--   r:close()
--
-- Replies become Lua values: simple, bulk and verbatim strings -> string;
-- integers -> number, or their decimal string beyond +-2^53 (Redis's are
-- 64-bit, Lua's numbers float64: "123456789012345678" keeps every digit;
-- resp.add_integers adds them exactly); doubles -> number; big numbers
-- -> string of digits; booleans -> boolean; every null (RESP2 $-1 and *-1,
-- RESP3 _) -> the sentinel resp.null, so arrays have no holes; arrays,
-- sets and pushes -> sequences; maps -> tables keyed by the decoded keys;
-- an error reply (- or !) -> an error value (kind "redis"), returned as
-- nil, err at the top of a reply and kept in place inside an aggregate.
-- Aggregates carry a metatable that resp.type names ("array", "map",
-- "set", "push"). An attribute (|) before a reply is returned beside it.
--
-- Errors are values with err.kind, err.message and tostring(err):
--   "redis"      the server answered with an error reply: err.message is
--                its line, err.code its first word ("ERR", "WRONGTYPE");
--                the connection is fine
--   "other"      the peer broke RESP ("resp: ..."); a client closes its
--                connection
--   "too_large"  a length or count over the caps below, refused before
--                anything is read or allocated for it
-- and the conn's own errors (timeout, eof, closed, ...) as they come.
--
-- Caps (module fields, or per call/client through opts of the same names
-- in lower case): MAX_BULK bytes per string, MAX_ITEMS elements per
-- aggregate (pairs for a map), MAX_DEPTH levels of nesting, MAX_LINE bytes
-- per header or simple line; and for one whole message (a reply with all
-- it nests, or a command with all its arguments), MAX_MESSAGE bytes on
-- the wire and MAX_ELEMENTS values, each aggregate counting as
-- AGGREGATE_WEIGHT (a table costs about as much as that many strings).
-- A count or a length that the rest of the budget cannot hold is refused
-- before anything is read or allocated for it: "*1048576" of "*0" costs a
-- reader nothing. A client keeps the push messages it sets aside within
-- MAX_MESSAGE bytes too, so one conn holds at most about two messages.
--
-- Peer bytes quoted in an error message are escaped with bin.escape.

local resp = {
  DEFAULT_ADDR = "127.0.0.1:6379",
  TIMEOUT = 10, -- seconds: connect, and idle timeout of every read and write
  MAX_BULK = 64 * 1024 * 1024,
  MAX_ITEMS = 1024 * 1024,
  MAX_DEPTH = 32,
  MAX_LINE = 64 * 1024,
  MAX_MESSAGE = 128 * 1024 * 1024,
  MAX_ELEMENTS = 1024 * 1024,
  AGGREGATE_WEIGHT = 8,
}

-- The most c:read_full takes; a bigger max_bulk cannot be honoured.
local READ_FULL_MAX = 64 * 1024 * 1024

----------------------------------------------------------------------------
-- Values

local Null = setmetatable({}, {
  __tostring = function() return "null" end,
  __newindex = function() error("resp.null is read-only", 2) end,
})
resp.null = Null

local Array = { __name = "array" }
local Map = { __name = "map" }
local Set = { __name = "set" }
local Push = { __name = "push" }

local Error = { __name = "error" }
Error.__tostring = function(e) return e.message end
Error.__concat = function(a, b) return tostring(a) .. tostring(b) end

local function new_error(kind, message)
  return setmetatable({ kind = kind, message = message }, Error)
end

-- redis_error makes the error value of an error reply "CODE message".
local function redis_error(message)
  local e = new_error("redis", message)
  e.code = message:match("^(%S+)") or ""
  return e
end

-- resp.error(message) makes a Redis error value, as decoded replies carry
-- them and as resp.encode_array encodes them.
function resp.error(message)
  if type(message) ~= "string" then
    error(("bad argument #1 to 'error' (string expected, got %s)"):format(type(message)), 2)
  end
  return redis_error(message)
end

-- resp.is_error(v) tells an error value (of any kind) from a reply.
function resp.is_error(v)
  return getmetatable(v) == Error
end

-- resp.type(v) names what a decoded value is.
function resp.type(v)
  if v == Null then return "null" end
  local mt = type(v) == "table" and getmetatable(v)
  if mt == Array or mt == Map or mt == Set or mt == Push or mt == Error then return mt.__name end
  return type(v)
end

-- quoted makes peer bytes safe to show: escaped, cut, in quotes.
local function quoted(...)
  local args, n = { ... }, select("#", ...)
  for i = 1, n do
    if type(args[i]) == "string" then args[i] = '"' .. bin.escape(args[i], 40) .. '"' end
  end
  return unpack(args, 1, n)
end

-- protocol_error makes kind "other"; its %q are peer bytes, shown quoted.
local function protocol_error(fmt, ...)
  return new_error("other", "resp: " .. fmt:gsub("%%q", "%%s"):format(quoted(...)))
end

local function too_large(fmt, ...)
  return new_error("too_large", "resp: " .. fmt:format(...))
end

-- check_options(opts, class) is a Go helper given to the stdlib modules:
-- nil, or what is wrong with opts' keys, judged by the options shape of
-- class that the type stubs declare (bindings/apidoc_resp.go).
local _, internal = ...
local check_options = internal.check_options

-- check_opts raises "bad argument #2 to 'f' (opts: unknown option 'x'
-- (did you mean 'y'?))" at level when opts has a key resp_opts lacks.
local function check_opts(opts, f, level)
  local problem = check_options(opts, "gonetrepl.resp_opts")
  if problem then error(("bad argument #2 to '%s' (opts: %s)"):format(f, problem), level + 1) end
end

-- caps merges opts over the module's defaults; f is the caller's name,
-- for an error.
local default_caps -- caps(nil): built once, again if a resp.MAX_* changes

local byte = string.byte
local STAR, DOLLAR = byte("*"), byte("$")

local function caps(opts, f)
  if opts == nil then
    local d = default_caps
    if d and d.max_bulk == resp.MAX_BULK and d.max_items == resp.MAX_ITEMS and d.max_depth == resp.MAX_DEPTH
        and d.max_line == resp.MAX_LINE and d.max_message == resp.MAX_MESSAGE and d.max_elements == resp.MAX_ELEMENTS then
      return d -- a server reads every command with it: no table and no checks each time
    end
    default_caps = nil
    d = caps({}, f)
    default_caps = d
    return d
  end
  if type(opts) ~= "table" then error("bad argument: opts must be a table", 3) end
  check_opts(opts, f, 3)
  local o = {
    max_bulk = opts.max_bulk or resp.MAX_BULK,
    max_items = opts.max_items or resp.MAX_ITEMS,
    max_depth = opts.max_depth or resp.MAX_DEPTH,
    max_line = opts.max_line or resp.MAX_LINE,
    max_message = opts.max_message or resp.MAX_MESSAGE,
    max_elements = opts.max_elements or resp.MAX_ELEMENTS,
  }
  if type(o.max_bulk) ~= "number" or o.max_bulk < 0 or o.max_bulk > READ_FULL_MAX then
    error(("bad argument: max_bulk must be a number of bytes up to %d"):format(READ_FULL_MAX), 3)
  end
  for _, f in ipairs({ "max_items", "max_depth", "max_line", "max_message", "max_elements" }) do
    if type(o[f]) ~= "number" or o[f] ~= o[f] or o[f] < 0 then
      error(("bad argument: %s must be a number, 0 or more"):format(f), 3)
    end
  end
  return o
end

-- A budget is what one message may still use: bytes on the wire and
-- elements. spend takes from it and says when it is exceeded.
local function new_budget(o)
  return { bytes = o.max_message, elements = o.max_elements, o = o }
end

-- too_long and too_many_elements are the errors of a message over the
-- byte and element budgets of caps o.
local function too_long(o)
  return too_large("message longer than %d bytes", o.max_message)
end

local function too_many_elements(o)
  return too_large("message of more than %d elements (an aggregate counts as %d)", o.max_elements, resp.AGGREGATE_WEIGHT)
end

local function spend(b, bytes, elements)
  b.bytes = b.bytes - bytes
  b.elements = b.elements - elements
  if b.bytes < 0 then return too_long(b.o) end
  if b.elements < 0 then return too_many_elements(b.o) end
end

-- used is how many bytes of the message budget b has been spent.
local function used(b) return b.o.max_message - b.bytes end

----------------------------------------------------------------------------
-- Decoding

-- The number patterns below look at each byte of a peer's line a bounded
-- number of times: anchored at both ends, with no repeat that can give
-- back what the next one takes. "^([+-]?)0*(%d-)$" was retried for every
-- count of leading zeros, each retry scanning to the end: quadratic, 11 s
-- of matching for 20,000 zeros and a letter (issue 23). No cap on the
-- length of a number is needed beyond the line's (max_line): integers and
-- doubles may carry leading zeros, and a big number has as many digits as
-- it likes.

-- EXACT is the largest magnitude a float64 holds exactly with every
-- integer below it: 2^53. An integer beyond it is kept as its digits.
local EXACT = 2 ^ 53
local EXACT_DIGITS = "9007199254740992"

-- as_integer turns sign ("-" or "") and significant digits (no leading
-- zero; "" for zero), known to be within int64, into resp's integer: a
-- number when its magnitude is at most 2^53, else its decimal string.
local function as_integer(sign, digits)
  if #digits < #EXACT_DIGITS or #digits == #EXACT_DIGITS and digits <= EXACT_DIGITS then
    return tonumber(sign .. (digits == "" and "0" or digits))
  end
  return sign .. digits
end

-- within_int64 tells whether significant digits with sign fit in int64.
local function within_int64(sign, digits)
  local limit = sign == "-" and "9223372036854775808" or "9223372036854775807"
  return #digits < #limit or #digits == #limit and digits <= limit
end

-- parse_int reads a RESP integer: optional sign, digits only, within
-- int64; resp's integer (as_integer) or nil.
local function parse_int(s)
  local first = s:find("^[+-]?%d+$")
  if not first then return nil end
  local sign = s:sub(1, 1) == "-" and "-" or ""
  -- The significant digits: from the first that is not a leading zero.
  local from = s:find("[1-9]")
  local digits = from and s:sub(from) or ""
  -- Within int64, exactly: tonumber would take any length, as a float.
  if not within_int64(sign, digits) then return nil end
  if digits == "" then return 0 end
  return as_integer(sign, digits)
end

-- is_double tells whether s is a RESP double other than inf and nan: a
-- sign, digits and points, then an exponent (tonumber has the last word).
-- The run of digits and points is matched whole, then the rest from where
-- it ends: one pattern "^[+-]?[%d.]+[eE]?[+-]?%d*$" tried every shorter
-- run, each time scanning the digits after it again (quadratic).
local function is_double(s)
  local rest = s:match("^[+-]?[%d.]+()")
  return rest ~= nil and s:find("^[eE]?[+-]?%d*$", rest) ~= nil
end

-- parse_len reads a length or count. One of more than 18 digits is
-- math.huge, so that the cap refuses it rather than trusting a float.
local function parse_len(s)
  -- The common case first, without a match: a canonical integer is its
  -- own tostring ("16", "-1"; not "016", " 16", "0x10" or "1e1"). A match
  -- with captures cost a microsecond, and a server reads four lengths a
  -- command.
  local n = tonumber(s)
  if n and n % 1 == 0 and n > -1e15 and n < 1e15 and tostring(n) == s then return n end
  local sign, digits = s:match("^(%-?)(%d+)$")
  if not digits then return nil end
  n = #digits > 18 and math.huge or tonumber(digits)
  if sign == "-" then n = -n end
  return n
end

-- read_line reads one header line; a failure here consumed nothing.
local function read_line(c, o)
  return c:read_line(o.max_line)
end

-- read_blob reads n bytes and the CRLF after them.
local function read_blob(c, n)
  local data, err = c:read_full(n)
  if not data then return nil, err end
  local crlf, err2 = c:read_full(2)
  if not crlf then return nil, err2 end
  if crlf ~= "\r\n" then return nil, protocol_error("string of %d bytes not followed by CRLF", n) end
  return data
end

-- blob_length checks the length of a bulk, bulk error or verbatim string.
local function blob_length(t, rest, o)
  local n = parse_len(rest)
  if not n or n < -1 then return nil, protocol_error("bad length %q after %q", rest, t) end
  if n > o.max_bulk then
    return nil, too_large("string of %s bytes over the cap of %d", rest:sub(1, 40), o.max_bulk)
  end
  return n
end

local read_value

-- read_items reads count values into a table with metatable mt; a map
-- takes them two by two.
local function read_items(c, o, b, depth, count, mt)
  local t = setmetatable({}, mt)
  for i = 1, count do
    if mt == Map then
      local k, err = read_value(c, o, b, depth + 1)
      if k == nil then return nil, err end
      local v, err2 = read_value(c, o, b, depth + 1)
      if v == nil then return nil, err2 end
      if k ~= k then k = "nan" end -- NaN cannot be a table key
      t[k] = v
    else
      local v, err = read_value(c, o, b, depth + 1)
      if v == nil then return nil, err end
      t[i] = v
    end
  end
  return t
end

local aggregates = { ["*"] = Array, ["%"] = Map, ["~"] = Set, [">"] = Push, ["|"] = Map }
local type_names = {
  ["+"] = "simple", ["-"] = "error", [":"] = "integer", ["$"] = "bulk", ["*"] = "array",
  ["_"] = "null", ["#"] = "boolean", [","] = "double", ["("] = "big_number", ["!"] = "error",
  ["="] = "verbatim", ["%"] = "map", ["~"] = "set", [">"] = "push",
}

-- read_value reads one value of any type, within the message's budget b.
-- It returns the value, its type name and the attribute that came before
-- it (or nil); nil, err when the stream failed or broke the protocol. An
-- error reply is a value here.
function read_value(c, o, b, depth, line)
  if depth > o.max_depth then return nil, too_large("reply nested deeper than %d levels", o.max_depth) end
  if not line then
    local err
    line, err = read_line(c, o)
    if not line then return nil, err end
  end
  local over = spend(b, #line + 2, 1)
  if over then return nil, over end
  local t, rest = line:sub(1, 1), line:sub(2)
  local name = type_names[t]
  if t == "+" then
    return rest, name
  elseif t == "-" then
    return redis_error(rest), name
  elseif t == ":" then
    local n = parse_int(rest)
    if not n then return nil, protocol_error("bad integer %q", rest) end
    return n, name
  elseif t == "$" or t == "!" or t == "=" then
    local n, lerr = blob_length(t, rest, o)
    if not n then return nil, lerr end
    if n == -1 then
      if t ~= "$" then return nil, protocol_error("null length after %q", t) end
      return Null, "null"
    end
    over = spend(b, n + 2, 0)
    if over then return nil, over end
    local data, berr = read_blob(c, n)
    if not data then return nil, berr end
    if t == "!" then return redis_error(data), name end
    if t == "=" then
      if data:sub(4, 4) ~= ":" then return nil, protocol_error("verbatim string without its format prefix") end
      return data:sub(5), name
    end
    return data, name
  elseif aggregates[t] then
    local n = parse_len(rest)
    if not n or n < -1 then return nil, protocol_error("bad count %q after %q", rest, t) end
    if n == -1 then
      if t ~= "*" then return nil, protocol_error("null count after %q", t) end
      return Null, "null"
    end
    if n > o.max_items then
      return nil, too_large("aggregate of %s elements over the cap of %d", rest:sub(1, 40), o.max_items)
    end
    -- Each element costs at least one of the budget: a count the rest of
    -- it cannot hold is refused before a table is made.
    local per = (t == "%" or t == "|") and 2 or 1
    over = spend(b, 0, resp.AGGREGATE_WEIGHT - 1)
    if not over and n * per > b.elements then over = too_many_elements(b.o) end
    if over then return nil, over end
    local v, aerr = read_items(c, o, b, depth, n, aggregates[t])
    if not v then return nil, aerr end
    if t == "|" then
      -- An attribute: out-of-band data about the value that follows. A
      -- chain of them counts as nesting, or 10,000 "|0" would overflow
      -- the call stack.
      local value, vt, _ = read_value(c, o, b, depth + 1)
      if value == nil then return nil, vt end
      return value, vt, v
    end
    return v, name
  elseif t == "_" then
    if rest ~= "" then return nil, protocol_error("bad null %q", line) end
    return Null, name
  elseif t == "#" then
    if rest == "t" then return true, name end
    if rest == "f" then return false, name end
    return nil, protocol_error("bad boolean %q", line)
  elseif t == "," then
    local low = rest:lower()
    if low == "inf" or low == "+inf" then return math.huge, name end
    if low == "-inf" then return -math.huge, name end
    if low == "nan" or low == "-nan" then return 0 / 0, name end
    local n = is_double(rest) and tonumber(rest)
    if not n then return nil, protocol_error("bad double %q", rest) end
    return n, name
  elseif t == "(" then
    if not rest:match("^[+-]?%d+$") then return nil, protocol_error("bad big number %q", rest) end
    return rest, name
  end
  return nil, protocol_error("unknown type byte %q in %q", t, line)
end

-- resp.read_reply(c [, opts]) reads one whole reply from conn c.
-- Returns value, type [, attribute]; an error reply is nil, err (kind
-- "redis"); a failed stream or broken protocol is nil, err with a third
-- value true when the reply had started (the stream is out of step).
-- The fourth value, on success, is the bytes the reply took on the wire.
local function read_reply(c, o)
  local line, err = read_line(c, o)
  if not line then return nil, err, false end
  local b = new_budget(o)
  local v, t, attr = read_value(c, o, b, 1, line)
  if v == nil then return nil, t, true end
  if t == "error" then return nil, v end
  return v, t, attr, used(b)
end

function resp.read_reply(c, opts)
  local v, t, x = read_reply(c, caps(opts, "read_reply"))
  if v == nil then return nil, t end
  return v, t, x
end

-- resp.read_command(c [, opts]) reads one command as a server does: an
-- array of bulk strings, or an inline command (a line of words, as typed
-- into nc). Empty lines are skipped. Returns the list of arguments.
function resp.read_command(c, opts)
  local o = caps(opts, "read_command")
  while true do
    local line, err = c:read_line(o.max_line)
    if not line then return nil, err end
    if byte(line, 1) == STAR then
      local n = parse_len(line:sub(2))
      if not n then return nil, protocol_error("bad count %q", line) end
      if n > o.max_items or n > o.max_elements then
        return nil, too_large("command of %s arguments over the cap of %d", line:sub(2, 41), math.min(o.max_items, o.max_elements))
      end
      if n > 0 then
        -- The budget of read_value (new_budget, spend) kept in locals:
        -- a server reads every command here.
        local args = {}
        local bytes, elements = o.max_message - (#line + 2), o.max_elements
        if bytes < 0 then return nil, too_long(o) end
        for i = 1, n do
          local hdr, herr = c:read_line(o.max_line)
          if not hdr then return nil, herr end
          if byte(hdr, 1) ~= DOLLAR then
            return nil, protocol_error("expected '$', got %q", hdr)
          end
          local len, lerr = blob_length("$", hdr:sub(2), o)
          if not len then return nil, lerr end
          if len < 0 then return nil, protocol_error("null argument in a command") end
          -- The whole command is capped, not only each argument: 24
          -- arguments of 64 MiB are refused at the one that goes over.
          bytes, elements = bytes - (#hdr + 2 + len + 2), elements - 1
          if bytes < 0 then return nil, too_long(o) end
          if elements < 0 then return nil, too_many_elements(o) end
          local data, derr = read_blob(c, len)
          if not data then return nil, derr end
          args[i] = data
        end
        return args
      end
    else
      local args = resp.split_args(line)
      if not args then return nil, protocol_error("unbalanced quotes in request") end
      if #args > 0 then return args end
    end
  end
end

-- The escapes of a double-quoted word, besides \xHH; any other escaped
-- byte stands for itself.
local DQ_ESCAPES = { n = "\n", r = "\r", t = "\t", b = "\b", a = "\a" }

-- quoted_word reads a quoted word of line from i, just after its opening
-- quote q, into buf. It returns where the word ends (after the closing
-- quote), or nil when the quotes do not balance: no closing quote, or one
-- followed by something else than a blank. Each find moves on, so the
-- work is linear in the line.
local function quoted_word(line, i, q, buf)
  local stop = q == '"' and '[\\"]' or "[\\']"
  while true do
    local k = line:find(stop, i)
    if not k then return nil end -- no closing quote
    buf[#buf + 1] = line:sub(i, k - 1)
    local ch, nxt = line:sub(k, k), line:sub(k + 1, k + 1)
    if ch == q then
      -- A closing quote must end the word: a blank (C's isspace) or the end.
      if nxt ~= "" and not nxt:find("^[ \t\n\v\f\r]") then return nil end
      return k + 1
    elseif q == "'" then
      -- In single quotes only \' is an escape; another backslash is itself.
      if nxt == "'" then
        buf[#buf + 1] = "'"
        i = k + 2
      else
        buf[#buf + 1] = "\\"
        i = k + 1
      end
    else
      local hex = line:match("^x(%x%x)", k + 1)
      if hex then
        buf[#buf + 1] = string.char(tonumber(hex, 16))
        i = k + 4
      elseif nxt ~= "" then
        buf[#buf + 1] = DQ_ESCAPES[nxt] or nxt
        i = k + 2
      else
        return nil -- a backslash at the end: no closing quote
      end
    end
  end
end

-- resp.split_args(line) splits an inline command into its words as Redis
-- does (sdssplitargs): words between blanks; "..." with \n \r \t \b \a
-- \\ \" and \xHH, any other escaped byte standing for itself; '...' with
-- \' only; a quote may open inside a word (a"b c" is one word), and a
-- closing quote must be followed by a blank or the end. A NUL ends the
-- line, as it ends C's string. Returns the list of words ({} for a blank
-- line), or nil when the quotes do not balance. Linear in the line.
function resp.split_args(line)
  if type(line) ~= "string" then
    error(("bad argument #1 to 'split_args' (string expected, got %s)"):format(type(line)), 2)
  end
  local nul = line:find("\0", 1, true)
  if nul then line = line:sub(1, nul - 1) end
  local words, i = {}, 1
  while true do
    -- Blanks between words are C's isspace; inside a word, only space,
    -- tab, CR and LF end it (sdssplitargs keeps \v and \f).
    i = line:find("[^ \t\n\v\f\r]", i)
    if not i then return words end
    local buf = {}
    while true do
      local j = line:find("[ \t\n\r\"']", i)
      buf[#buf + 1] = line:sub(i, (j or 0) - 1)
      if not j then
        i = #line + 1
        break
      end
      local ch = line:sub(j, j)
      if ch ~= '"' and ch ~= "'" then
        i = j
        break
      end
      i = quoted_word(line, j + 1, ch, buf)
      if not i then return nil end
      break
    end
    words[#words + 1] = table.concat(buf)
  end
end

----------------------------------------------------------------------------
-- Integers
--
-- Redis's integers are 64-bit; Lua's numbers are float64, exact to 2^53.
-- resp's integer is a number when its magnitude is at most 2^53, else its
-- decimal string ("-9223372036854775808"): what read_reply gives for an
-- integer reply, what parse_integer gives, what add_integers takes and
-- gives, and what encode_integer writes. Past 2^53 the arithmetic is done
-- on two halves of ten digits each, so that nothing is rounded.

-- resp.parse_integer(s) reads s as Redis reads an integer argument (its
-- string2ll: INCRBY's increment, a value INCR counts from, EXPIRE's
-- seconds): "0", or an optional minus and digits without a leading zero,
-- within int64, at most 20 bytes; no plus, no blanks. It returns resp's
-- integer, or nil, as tonumber does.
function resp.parse_integer(s)
  if type(s) ~= "string" then
    error(("bad argument #1 to 'parse_integer' (string expected, got %s)"):format(type(s)), 2)
  end
  if s == "0" then return 0 end
  if #s == 0 or #s > 20 then return nil end -- first: s may be 64 MiB
  local sign, digits = s:match("^(%-?)([1-9]%d*)$")
  if not digits or not within_int64(sign, digits) then return nil end
  return as_integer(sign, digits)
end

local LIMB = 1e10

-- limbs splits an integer (a whole number in int64's range, or a string
-- parse_integer takes) into hi * 10^10 + lo, both with its sign; nil for
-- anything else.
local function limbs(x)
  if type(x) == "number" then
    if x ~= x or x ~= math.floor(x) or x < -2 ^ 63 or x >= 2 ^ 63 then return nil end
    x = ("%.0f"):format(x)
  elseif type(x) ~= "string" or resp.parse_integer(x) == nil then
    return nil
  end
  local sign, digits = x:match("^(%-?)(%d+)$")
  local hi, lo = tonumber(digits:sub(1, -11)) or 0, tonumber(digits:sub(-10))
  if sign == "-" then return -hi, -lo end
  return hi, lo
end

-- describe names a bad argument: a string or number quoted, else its type.
local function describe(x)
  if type(x) == "string" or type(x) == "number" then return quoted(tostring(x)) end
  return type(x)
end

local MAX_HI, MAX_LO = 922337203, 6854775807 -- 2^63 - 1
local MIN_HI, MIN_LO = -922337203, -6854775808 -- -2^63

-- resp.add_integers(a, b) adds two integers exactly in int64: a and b are
-- whole numbers (within int64's range) or decimal strings as
-- parse_integer takes them; the sum is resp's integer (a number up to
-- 2^53, else a string). A sum beyond int64 is nil, err (kind
-- "too_large"), where Redis says "increment or decrement would overflow".
function resp.add_integers(a, b)
  if type(a) == "number" and type(b) == "number" then
    local sum = a + b
    -- Exact whenever it is below 2^53: both are whole, and an exact sum
    -- of 2^53 or more never rounds to less.
    if sum > -EXACT and sum < EXACT and a == math.floor(a) and b == math.floor(b) and a - a == 0 and b - b == 0 then
      return sum
    end
  end
  local ha, la = limbs(a)
  if not ha then
    error(("bad argument #1 to 'add_integers' (integer expected, got %s)"):format(describe(a)), 2)
  end
  local hb, lb = limbs(b)
  if not hb then
    error(("bad argument #2 to 'add_integers' (integer expected, got %s)"):format(describe(b)), 2)
  end
  local hi, lo = ha + hb, la + lb
  -- Carry, then give both halves the sign of the whole.
  if lo >= LIMB then
    hi, lo = hi + 1, lo - LIMB
  elseif lo <= -LIMB then
    hi, lo = hi - 1, lo + LIMB
  end
  if hi > 0 and lo < 0 then
    hi, lo = hi - 1, lo + LIMB
  elseif hi < 0 and lo > 0 then
    hi, lo = hi + 1, lo - LIMB
  end
  if hi > MAX_HI or hi == MAX_HI and lo > MAX_LO or hi < MIN_HI or hi == MIN_HI and lo < MIN_LO then
    return nil, too_large("integer overflow: %s + %s is beyond 64 bits", tostring(a), tostring(b))
  end
  local sign = (hi < 0 or lo < 0) and "-" or ""
  hi, lo = math.abs(hi), math.abs(lo)
  local digits = hi > 0 and ("%.0f%010.0f"):format(hi, lo) or ("%.0f"):format(lo)
  return as_integer(sign, digits)
end

----------------------------------------------------------------------------
-- Encoding

local function number_string(n)
  if n == math.floor(n) and n > -2 ^ 63 and n < 2 ^ 63 then return ("%.0f"):format(n) end
  -- ":9223372036854775807" reads as 2^63, the nearest double: it goes back
  -- out as the int64 it came from, not as a float the reader refuses.
  if n == 2 ^ 63 then return "9223372036854775807" end
  if n == -2 ^ 63 then return "-9223372036854775808" end
  return ("%.17g"):format(n)
end

local function check_line(s, what, level)
  if s:find("[\r\n]") then error(("bad argument #1 to '%s' (no CR or LF allowed)"):format(what), level + 1) end
end

function resp.encode_simple(s)
  if type(s) ~= "string" then error(("bad argument #1 to 'encode_simple' (string expected, got %s)"):format(type(s)), 2) end
  check_line(s, "encode_simple", 2)
  return "+" .. s .. "\r\n"
end

function resp.encode_error(msg)
  if getmetatable(msg) == Error then msg = msg.message end
  if type(msg) ~= "string" then error(("bad argument #1 to 'encode_error' (string expected, got %s)"):format(type(msg)), 2) end
  check_line(msg, "encode_error", 2)
  return "-" .. msg .. "\r\n"
end

function resp.encode_integer(n)
  if type(n) == "string" and resp.parse_integer(n) ~= nil then return ":" .. n .. "\r\n" end
  if type(n) ~= "number" or n ~= math.floor(n) or n ~= n or n == math.huge or n == -math.huge then
    error(("bad argument #1 to 'encode_integer' (whole number or integer string expected, got %s)"):format(describe(n)), 2)
  end
  return ":" .. number_string(n) .. "\r\n"
end

function resp.encode_bulk(s)
  if s == nil or s == Null then return "$-1\r\n" end
  if type(s) == "number" then s = number_string(s) end
  if type(s) ~= "string" then error(("bad argument #1 to 'encode_bulk' (string or nil expected, got %s)"):format(type(s)), 2) end
  return "$" .. #s .. "\r\n" .. s .. "\r\n"
end

local encode_value

local function encode_items(out, t, n, depth)
  for i = 1, n do encode_value(out, t[i], depth + 1) end
end

-- encode_value appends the RESP2 form of v to out: string -> bulk, whole
-- number -> integer, other number -> bulk, boolean -> integer 1 or 0,
-- nil or resp.null -> null bulk, error value -> error, table -> array.
function encode_value(out, v, depth)
  if depth > 100 then error("resp: value nested deeper than 100 levels (a cycle?)", depth + 2) end
  local tv = type(v)
  if v == nil or v == Null then
    out[#out + 1] = "$-1\r\n"
  elseif tv == "string" then
    out[#out + 1] = "$" .. #v .. "\r\n" .. v .. "\r\n"
  elseif tv == "number" then
    if v == math.floor(v) and v > -2 ^ 63 and v < 2 ^ 63 then
      out[#out + 1] = ":" .. number_string(v) .. "\r\n"
    else
      local s = number_string(v)
      out[#out + 1] = "$" .. #s .. "\r\n" .. s .. "\r\n"
    end
  elseif tv == "boolean" then
    out[#out + 1] = v and ":1\r\n" or ":0\r\n"
  elseif getmetatable(v) == Error then
    out[#out + 1] = "-" .. v.message:gsub("[\r\n]", " ") .. "\r\n"
  elseif tv == "table" then
    local n = v.n or #v
    out[#out + 1] = "*" .. n .. "\r\n"
    encode_items(out, v, n, depth)
  else
    error(("resp: cannot encode a %s"):format(tv), depth + 2)
  end
end

function resp.encode_array(t)
  if t == nil or t == Null then return "*-1\r\n" end
  if type(t) ~= "table" then error(("bad argument #1 to 'encode_array' (table or nil expected, got %s)"):format(type(t)), 2) end
  local out = {}
  encode_value(out, t, 0)
  return table.concat(out)
end

-- resp.sorted_keys(t) lists a map's keys in a stable order (a Lua table
-- keeps none): by type name, then by value (numbers, strings) or by
-- tostring. encode_map writes keys in this order; printers use it too.
function resp.sorted_keys(t)
  if type(t) ~= "table" then error(("bad argument #1 to 'sorted_keys' (table expected, got %s)"):format(type(t)), 2) end
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    if type(a) ~= type(b) then return type(a) < type(b) end
    if type(a) == "string" or type(a) == "number" then return a < b end
    return tostring(a) < tostring(b)
  end)
  return keys
end

-- resp.encode_map(t) is RESP3's map: keys sorted, so the output is stable.
function resp.encode_map(t)
  if type(t) ~= "table" then error(("bad argument #1 to 'encode_map' (table expected, got %s)"):format(type(t)), 2) end
  local keys = resp.sorted_keys(t)
  local out = { "%" .. #keys .. "\r\n" }
  for _, k in ipairs(keys) do
    encode_value(out, k, 1)
    encode_value(out, t[k], 1)
  end
  return table.concat(out)
end

-- command_args takes call's arguments: cmd, ... or one table of them.
local function command_args(level, ...)
  local args, n = { ... }, select("#", ...)
  if n == 1 and type(args[1]) == "table" then
    args = args[1]
    n = args.n or #args
  end
  if n == 0 then error("bad argument #1 (a command expected)", level + 1) end
  return args, n
end

local function encode_command(level, ...)
  local args, n = command_args(level + 1, ...)
  local out = { "*" .. n .. "\r\n" }
  for i = 1, n do
    local a = args[i]
    if type(a) == "number" then
      a = number_string(a)
    elseif type(a) ~= "string" then
      error(("bad argument #%d (string or number expected, got %s)"):format(i, type(a)), level + 1)
    end
    out[#out + 1] = "$" .. #a .. "\r\n" .. a .. "\r\n"
  end
  return table.concat(out)
end

-- resp.encode_command(cmd, ...) is a command as a client sends it: an
-- array of bulk strings (numbers are written in decimal).
function resp.encode_command(...)
  return encode_command(2, ...)
end

----------------------------------------------------------------------------
-- The client

-- Client holds the methods; ClientMeta the metamethods (as LuaSocket
-- keeps them apart, so that only methods show as r:<TAB>).
local Client = {}
local ClientMeta = {
  __index = Client,
  __tostring = function(r)
    return ("<resp client %s%s>"):format(r.addr or tostring(r.conn), r.broken and " closed" or "")
  end,
}

-- resp.new(conn [, opts]) makes a client on a conn already open (TLS, a
-- pipe, a Unix socket). opts: the caps (max_bulk, max_items, max_depth,
-- max_line), and on_push, a function given each RESP3 push message that
-- arrives before a reply (without it, receive returns them later).
function resp.new(conn, opts)
  if conn == nil then error("bad argument #1 to 'new' (conn expected, got nil)", 2) end
  local on_push = opts and opts.on_push
  if on_push ~= nil and type(on_push) ~= "function" then error("bad argument: on_push must be a function", 2) end
  return setmetatable({ conn = conn, caps = caps(opts, "new"), pushes = {}, push_sizes = {}, push_bytes = 0, on_push = on_push }, ClientMeta)
end

-- resp.connect(addr [, opts]) dials a Redis server and returns a client.
-- addr: "host:port" (default resp.DEFAULT_ADDR), or a Unix socket path
-- (starting with / or @), or an addr value (ln:addr()). opts: timeout (seconds for the connect and idle
-- timeout of every read and write; default resp.TIMEOUT, 0 for none),
-- tls (true, or a table of tls.dial opts), via (proxies, as net.dial's), password and username (AUTH),
-- db (SELECT), protocol (3: HELLO 3), and the caps.
function resp.connect(addr, opts)
  addr = addr or resp.DEFAULT_ADDR
  if type(addr) == "userdata" and (getmetatable(addr) or {}).__name == "net.addr" then addr = tostring(addr) end
  if type(addr) ~= "string" then error(("bad argument #1 to 'connect' (string or addr expected, got %s)"):format(type(addr)), 2) end
  opts = opts or {}
  if type(opts) ~= "table" then error("bad argument #2 to 'connect' (table expected)", 2) end
  check_opts(opts, "connect", 2)
  local timeout = opts.timeout or resp.TIMEOUT
  local dial_timeout = timeout > 0 and timeout or nil
  local c, err
  if opts.tls then
    local topts = {}
    if type(opts.tls) == "table" then for k, v in pairs(opts.tls) do topts[k] = v end end
    topts.timeout = topts.timeout or dial_timeout
    if topts.via == nil then topts.via = opts.via end
    c, err = tls.dial(addr, topts)
  elseif addr:sub(1, 1) == "/" or addr:sub(1, 1) == "@" then
    c, err = net.dial("unix", addr, { timeout = dial_timeout, via = opts.via })
  else
    c, err = net.dial("tcp", addr, { timeout = dial_timeout, via = opts.via })
  end
  if not c then return nil, err end
  if timeout > 0 then c:set_timeout(timeout) end
  local r = resp.new(c, opts)
  r.addr = addr
  local function setup(...)
    local ok, serr = r:call(...)
    if ok == nil then
      r:close()
      return serr
    end
  end
  local serr
  if opts.protocol and opts.protocol ~= 2 then
    local hello = { "HELLO", opts.protocol }
    if opts.password then
      hello[#hello + 1] = "AUTH"
      hello[#hello + 1] = opts.username or "default"
      hello[#hello + 1] = opts.password
    end
    serr = setup(hello)
  elseif opts.password then
    if opts.username then serr = setup("AUTH", opts.username, opts.password) else serr = setup("AUTH", opts.password) end
  end
  if not serr and opts.db then serr = setup("SELECT", opts.db) end
  if serr then return nil, serr end
  return r
end

-- fail marks the client unusable after err (the stream is out of step)
-- and closes its conn.
local function fail(self, err)
  if not self.broken then
    self.broken = err
    self.conn:close()
  end
  return nil, err
end

local function broken_error(self)
  return new_error("closed", "resp: client closed" ..
    (self.broken ~= true and (" after an earlier error: " .. tostring(self.broken)) or ""))
end

-- client:send(cmd, ...) writes one command without waiting for its reply.
function Client:send(...)
  local data = encode_command(2, ...)
  if self.broken then return nil, broken_error(self) end
  local ok, err = self.conn:write(data)
  if not ok then return fail(self, err) end
  return true
end

-- Push messages kept for receive, at most (and within max_message bytes
-- together): beyond, the oldest go.
local MAX_PUSHES = 1024

-- next_reply reads the reply to a command sent, setting aside the push
-- messages that come before it (RESP3's out-of-band data): on_push gets
-- them, or receive returns them later.
local function next_reply(self)
  while true do
    local v, t, x, size = read_reply(self.conn, self.caps)
    if v == nil then
      if t.kind ~= "redis" then return fail(self, t) end
      return nil, t
    end
    if t ~= "push" then return v, t, x end
    if self.on_push then
      self.on_push(v)
    else
      local q, sizes = self.pushes, self.push_sizes
      q[#q + 1], sizes[#q + 1] = v, size
      self.push_bytes = self.push_bytes + size
      while #q > MAX_PUSHES or (#q > 1 and self.push_bytes > self.caps.max_message) do
        table.remove(q, 1)
        self.push_bytes = self.push_bytes - table.remove(sizes, 1)
      end
    end
  end
end

-- client:receive() reads the next reply, push messages included (for
-- SUBSCRIBE and the like, after client:send): reply, type [, attribute];
-- an error reply is nil, err (kind "redis"). Pushes set aside by call
-- come first. A timeout before any byte of a reply arrived leaves the
-- client usable.
function Client:receive()
  if #self.pushes > 0 then
    self.push_bytes = self.push_bytes - table.remove(self.push_sizes, 1)
    return table.remove(self.pushes, 1), "push"
  end
  if self.broken then return nil, broken_error(self) end
  local v, t, x = read_reply(self.conn, self.caps)
  if v == nil and t.kind ~= "redis" then
    if x or t.kind ~= "timeout" then return fail(self, t) end
    return nil, t
  end
  return v, t, x
end

-- client:call(cmd, ...) sends a command and returns its reply.
function Client:call(...)
  local data = encode_command(2, ...)
  if self.broken then return nil, broken_error(self) end
  local ok, err = self.conn:write(data)
  if not ok then return fail(self, err) end
  return next_reply(self)
end

-- Above this many bytes, a pipeline is written by a task of its own while
-- the replies are read, so that neither side waits on a full buffer.
local PIPELINE_INLINE = 64 * 1024

-- client:pipeline(fn) calls fn(p); each p:call(cmd, ...) in it queues a
-- command. Then all of them go out in one write, and the replies come
-- back as one list in the same order: an error reply is an error value in
-- its place (resp.is_error), a null is resp.null.
function Client:pipeline(fn)
  if type(fn) ~= "function" then error(("bad argument #1 to 'pipeline' (function expected, got %s)"):format(type(fn)), 2) end
  local cmds = {}
  local p = {
    call = function(_, ...)
      cmds[#cmds + 1] = encode_command(2, ...)
      return #cmds
    end,
  }
  fn(p)
  if self.broken then return nil, broken_error(self) end
  if #cmds == 0 then return {} end
  local payload = table.concat(cmds)
  local writer
  if #payload <= PIPELINE_INLINE then
    local ok, err = self.conn:write(payload)
    if not ok then return fail(self, err) end
  else
    local conn = self.conn
    writer = task.spawn(function() return conn:write(payload) end)
  end
  local replies = {}
  for i = 1, #cmds do
    local v, t = next_reply(self)
    if v == nil then
      if t.kind ~= "redis" then
        if writer then writer:wait(5) end
        return nil, t
      end
      v = t
    end
    replies[i] = v
  end
  if writer then
    local ok, err = writer:wait()
    if not ok then return fail(self, err) end
  end
  return replies
end

-- client:close() closes the connection; later calls return kind "closed".
function Client:close()
  if self.broken then return true end
  self.broken = true
  return self.conn:close()
end

return resp
