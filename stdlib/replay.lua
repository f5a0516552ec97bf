-- replay: play back one side of a recorded session and diff the other.
--
--   local replay = require "replay"
--   local sessions = assert(replay.load("redis.transcript"))
--   -- a mock server: play the recorded server to a client
--   ln:serve(function(c) print(replay.serve_session(c, sessions[1])) end)
--   -- or play the recorded client to a live server and compare its answers
--   local ok, d = replay.client_session(assert(net.dial("tcp", addr)), sessions[1])
--   if ok == false then print(d.offset, d.expected, d.got) end
--
-- A session is a table {client, server, chunks = {{time, dir, data}...}}:
-- dir "c2s" for the client's bytes, "s2c" for the server's. replay.load
-- makes them from a transcript (docs/TRANSCRIPT.md); a TCP stream read
-- from a capture has the same shape, so it plays the same way. The
-- players group consecutive chunks of one direction into a run: a run of
-- the side played is written whole, a run of the other side is awaited
-- and compared before the next one is played.
--
-- The comparison is linear in the bytes: each arriving piece is compared
-- once with the bytes expected at its place, and opts.ignore's patterns
-- run once over each side of a run (string.find from where the last
-- match ended), never again over what grows.

local _, internal = ...
local check_options = internal.check_options
local read_transcript = internal.read_transcript

local replay = {}

-- TIMEOUT is how long (seconds) a player waits for the peer's next bytes.
replay.TIMEOUT = 10
-- SETTLE is how long (seconds) a player with opts.ignore waits for more
-- of a run once a pause may have ended it: masked fields may change its
-- length, so its end is the peer's pause, not a byte count.
replay.SETTLE = 0.2
-- CONTEXT is how many bytes of each side a divergence shows.
replay.CONTEXT = 32
-- READ_MAX is the most bytes one read takes.
local READ_MAX = 65536

local STREAM = { tcp = true, tcp4 = true, tcp6 = true, unix = true, pipe = true, proc = true }

local function arg_error(n, f, msg)
  error(("bad argument #%d to %s (%s)"):format(n, f, msg), 3)
end

-- check_opts checks an options table (argument n of f) against class.
local function check_opts(opts, n, f, class)
  if opts == nil then return {} end
  if type(opts) ~= "table" then arg_error(n, f, "table expected, got " .. type(opts)) end
  local problem = check_options(opts, class)
  if problem then error(("bad argument #%d to %s (opts: %s)"):format(n, f, problem), 3) end
  return opts
end

local function check_limit(v, key)
  if v ~= nil and (type(v) ~= "number" or v < 1 or v ~= math.floor(v)) then
    error(("bad argument #2 to load (opts.%s: a whole number above 0 expected)"):format(key), 3)
  end
  return v
end

-- CAPTURE_MAGIC are the first four bytes of pcap files (either byte
-- order, micro- or nanosecond times) and of pcapng files.
local CAPTURE_MAGIC = {
  ["\212\195\178\161"] = true, ["\161\178\195\212"] = true,
  ["\77\60\178\161"] = true, ["\161\178\60\77"] = true,
  ["\10\13\13\10"] = true,
}

-- is_capture reports whether path starts as a pcap or pcapng file does.
local function is_capture(path)
  -- io.open of a FIFO would wait for a writer holding the interpreter;
  -- only a regular file is looked at (read_transcript then refuses the
  -- rest).
  local st = os.stat(path)
  if not st or st.kind ~= "file" then return false end
  local f = io.open(path, "rb")
  if not f then return false end
  local head = f:read(4)
  f:close()
  return head ~= nil and CAPTURE_MAGIC[head] == true
end

-- load_capture makes sessions of a capture's TCP streams (pcap.open,
-- cap:streams(): reassembled, in order), in the order they started;
-- opts.max_bytes bounds the bytes of traffic kept, as for a transcript.
local function load_capture(path, lopts)
  local cap, err = pcap.open(path, { max_payload = check_limit(lopts.max_bytes, "max_bytes") })
  if not cap then return nil, err end
  local streams = cap:streams()
  cap:close()
  local sessions = {}
  for _, st in ipairs(streams) do
    if st.protocol == "tcp" then
      sessions[#sessions + 1] = {
        id = #sessions + 1, network = "tcp", client = st.client, server = st.server,
        time = st.chunks[1] and st.chunks[1].time, chunks = st.chunks,
      }
    end
  end
  return sessions
end

-- replay.load reads the transcript (or capture) at path into its stream
-- sessions.
function replay.load(path, lopts)
  if type(path) ~= "string" then arg_error(1, "load", "path: string expected, got " .. type(path)) end
  lopts = check_opts(lopts, 2, "load", "gonetrepl.replay_load_opts")
  if is_capture(path) then return load_capture(path, lopts) end
  local events, err = read_transcript(path, {
    max_events = check_limit(lopts.max_events, "max_events"),
    max_sessions = check_limit(lopts.max_sessions, "max_sessions"),
    max_bytes = check_limit(lopts.max_bytes, "max_bytes"),
  })
  if not events then return nil, err end
  local sessions, byid = {}, {}
  for _, ev in ipairs(events) do
    if ev.kind == "open" then
      if STREAM[ev.network] and ev.role then
        local dial = ev.role == "dial"
        local s = {
          id = ev.session, network = ev.network, tls = ev.tls, tls_facts = ev.tls_facts,
          time = ev.time, role = ev.role,
          client = dial and ev["local"] or ev.remote,
          server = dial and ev.remote or ev["local"],
          chunks = {},
        }
        sessions[#sessions + 1] = s
        byid[ev.session] = s
      end
    elseif ev.kind == "send" or ev.kind == "recv" then
      local s = byid[ev.session]
      if s then
        -- This side's sends are the client's bytes when it dialed.
        local c2s = (ev.kind == "send") == (s.role == "dial")
        s.chunks[#s.chunks + 1] = { time = ev.time, dir = c2s and "c2s" or "s2c", data = ev.data }
      end
    end
  end
  return sessions
end

-- runs groups a session's chunks into runs {dir, data}, checking them
-- (argument n of f).
local function runs(session, n, f)
  if type(session) ~= "table" then arg_error(n, f, "session: table expected, got " .. type(session)) end
  local chunks = session.chunks
  if type(chunks) ~= "table" then arg_error(n, f, "session.chunks: table expected, got " .. type(chunks)) end
  local out = {}
  for i, ch in ipairs(chunks) do
    if type(ch) ~= "table" or (ch.dir ~= "c2s" and ch.dir ~= "s2c") or type(ch.data) ~= "string" then
      arg_error(n, f, ("session.chunks[%d]: {dir = \"c2s\"|\"s2c\", data = string} expected"):format(i))
    end
    local last = out[#out]
    if last and last.dir == ch.dir then
      last.parts[#last.parts + 1] = ch.data
    elseif #ch.data > 0 then
      out[#out + 1] = { dir = ch.dir, parts = { ch.data } }
    end
  end
  for _, r in ipairs(out) do r.data = table.concat(r.parts) end
  return out
end

-- escape shows bytes as the transcript does: \r \n \t \\ \" and \xHH for
-- every other byte below 0x20 or from 0x7f. Only excerpts are escaped.
local function escape(s)
  return (s:gsub('[%c\\"\127-\255]', function(c)
    if c == "\r" then return "\\r" elseif c == "\n" then return "\\n" elseif c == "\t" then return "\\t"
    elseif c == "\\" or c == '"' then return "\\" .. c end
    return ("\\x%02x"):format(c:byte())
  end))
end

-- masks returns the ranges that patterns match in s, sorted and merged,
-- as two lists: their first and last bytes. Each pattern is searched once
-- across s, from where its last match ended (an empty match moves one
-- byte on); the lists are flat, not a table per range, as a mask every
-- few bytes of megabytes makes many.
local function masks(s, patterns)
  local first, last, n = {}, {}, 0
  for _, p in ipairs(patterns) do
    local init = 1
    while init <= #s do
      local a, b = s:find(p, init)
      if not a then break end
      if b >= a then
        n = n + 1
        first[n], last[n] = a, b
        init = b + 1
      else
        init = a + 1
      end
    end
  end
  if #patterns == 1 then return first, last end -- found in order, apart
  local order = {}
  for i = 1, n do order[i] = i end
  table.sort(order, function(x, y) return first[x] < first[y] or first[x] == first[y] and last[x] > last[y] end)
  local f, l, m = {}, {}, 0
  for _, i in ipairs(order) do
    if m > 0 and first[i] <= l[m] + 1 then
      if last[i] > l[m] then l[m] = last[i] end
    else
      m = m + 1
      f[m], l[m] = first[i], last[i]
    end
  end
  return f, l
end

-- check_diff_opts checks the opts shared by diff and the players.
local function check_diff_opts(opts, n, f)
  opts = check_opts(opts, n, f, "gonetrepl.replay_opts")
  local ignore = opts.ignore
  if ignore ~= nil then
    if type(ignore) == "string" then ignore = { ignore } end
    if type(ignore) ~= "table" then arg_error(n, f, "opts.ignore: a pattern or a list of patterns expected") end
    for i, p in ipairs(ignore) do
      if type(p) ~= "string" or p == "" then arg_error(n, f, ("opts.ignore[%d]: a pattern expected"):format(i)) end
      local ok, err = pcall(string.find, "x", p)
      if not ok then arg_error(n, f, ("opts.ignore[%d]: %s"):format(i, tostring(err))) end
    end
    if #ignore == 0 then ignore = nil end
  end
  local context = opts.context
  if context ~= nil and (type(context) ~= "number" or context < 1 or context ~= math.floor(context)) then
    arg_error(n, f, "opts.context: a whole number above 0 expected")
  end
  for _, k in ipairs({ "timeout", "settle" }) do
    local v = opts[k]
    if v ~= nil and (type(v) ~= "number" or v <= 0 or v > 9e9) then
      arg_error(n, f, ("opts.%s: seconds above 0 expected"):format(k))
    end
  end
  return {
    ignore = ignore, context = context or replay.CONTEXT,
    timeout = opts.timeout or replay.TIMEOUT, settle = opts.settle or replay.SETTLE,
  }
end

-- compare is diff on checked opts.
local function compare(expected, got, o)
  local ef, el, gf, gl = {}, {}, {}, {}
  if o.ignore then
    ef, el = masks(expected, o.ignore)
    gf, gl = masks(got, o.ignore)
  end
  local i, j, a, b = 1, 1, 1, 1
  while true do
    local ne = ef[a] or #expected + 1
    local ng = gf[b] or #got + 1
    if ef[a] and gf[b] and i == ne and j == ng then
      -- A masked field on both sides: equal whatever it holds.
      i, j, a, b = el[a] + 1, gl[b] + 1, a + 1, b + 1
    else
      local len = math.min(ne - i, ng - j)
      if len > 0 and expected:sub(i, i + len - 1) == got:sub(j, j + len - 1) then
        i, j = i + len, j + len
      else
        local k = 0
        while k < len and expected:byte(i + k) == got:byte(j + k) do k = k + 1 end
        i, j = i + k, j + k
        if i > #expected and j > #got then return nil end
        local c = o.context
        return {
          offset = i - 1, got_offset = j - 1,
          expected = escape(expected:sub(i, i + c - 1)), got = escape(got:sub(j, j + c - 1)),
          before = escape(expected:sub(math.max(1, i - c), i - 1)),
          expected_len = #expected, got_len = #got,
        }
      end
    end
  end
end

-- replay.diff compares expected with got; nil when they are the same.
function replay.diff(expected, got, opts)
  if type(expected) ~= "string" then arg_error(1, "diff", "expected: string expected, got " .. type(expected)) end
  if type(got) ~= "string" then arg_error(2, "diff", "got: string expected, got " .. type(got)) end
  return compare(expected, got, check_diff_opts(opts, 3, "diff"))
end

-- receive reads the peer's run want from c, buf holding what had come
-- already. Without ignore it takes exactly #want bytes, comparing each
-- piece as it arrives, and stops at the first difference. With ignore a
-- masked field may change the run's length, so its end is a pause: what
-- has come when the peer pauses for o.settle, once #want bytes have come
-- or what came already matches (compared once a pause), else at
-- o.timeout. A peer that never pauses is cut off past 2 * #want +
-- READ_MAX bytes, far more than a masked field changes a run's length:
-- what came then differs, and holding more would let it fill memory. It
-- returns the run's bytes, what is left over for the next run, and the
-- read error that ended it early, if any.
local function receive(c, want, buf, o)
  local parts, n = { buf }, #buf
  if o.ignore then
    local waited = 0
    while true do
      local wait = n > 0 and o.settle or o.timeout
      local data, err = c:read(READ_MAX, { timeout = wait })
      if data then
        parts[#parts + 1] = data
        n, waited = n + #data, 0
        if n > 2 * #want + READ_MAX then return table.concat(parts), "", nil end
      elseif err.kind == "timeout" and n > 0 then
        local got = table.concat(parts)
        parts, waited = { got }, waited + wait
        if n >= #want or waited >= o.timeout or compare(want, got, o) == nil then return got, "", nil end
      else
        return table.concat(parts), "", err
      end
    end
  end
  local function differs(piece, at) -- at: offset of piece in the run
    return piece:sub(1, #want - at) ~= want:sub(at + 1, at + #piece)
  end
  if differs(buf, 0) then return buf, "", nil end
  while n < #want do
    local data, err = c:read(READ_MAX, { timeout = o.timeout })
    if not data then return table.concat(parts), "", err end
    parts[#parts + 1] = data
    if differs(data, n) then return table.concat(parts), "", nil end
    n = n + #data
  end
  local all = table.concat(parts)
  return all:sub(1, #want), all:sub(#want + 1), nil
end

-- play plays side (the runs of direction mine) of session on c.
local function play(c, session, opts, mine, f)
  local list = runs(session, 2, f)
  local o = check_diff_opts(opts, 3, f)
  local buf = ""
  for i, r in ipairs(list) do
    if r.dir == mine then
      local _, err = c:write(r.data)
      if err then return nil, err end
    else
      local got, rest, err = receive(c, r.data, buf, o)
      buf = rest
      local d = compare(r.data, got, o)
      if d then
        d.run, d.dir, d.err = i, r.dir, err
        return false, d
      end
    end
  end
  if buf ~= "" then
    local d = compare("", buf, o)
    d.run, d.dir = #list + 1, mine == "c2s" and "s2c" or "c2s"
    return false, d
  end
  return true
end

-- replay.serve_session plays the server's side of session to client c.
function replay.serve_session(c, session, opts)
  return play(c, session, opts, "s2c", "serve_session")
end

-- replay.client_session plays the client's side of session to server c.
function replay.client_session(c, session, opts)
  return play(c, session, opts, "c2s", "client_session")
end

-- replay.format shows a divergence as the scripts print it.
function replay.format(d)
  if type(d) ~= "table" or type(d.offset) ~= "number" then
    arg_error(1, "format", "divergence: a table from diff, serve_session or client_session expected")
  end
  local who = d.dir == "c2s" and "client" or d.dir == "s2c" and "server" or "data"
  local lines = {
    ("%s bytes differ at offset %d%s%s"):format(who, d.offset, d.run and (" of run " .. d.run) or "",
      d.err and (" (" .. tostring(d.err.kind or d.err) .. ")") or ""),
    ("  expected: \"%s\"%s"):format(d.expected, d.offset >= (d.expected_len or math.huge) and " (end)" or ""),
    ("  got:      \"%s\"%s"):format(d.got, d.got_offset and d.got_offset >= (d.got_len or math.huge) and " (end)" or ""),
  }
  return table.concat(lines, "\n")
end

return replay
