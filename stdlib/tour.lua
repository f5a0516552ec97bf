-- tour: learn sockets by doing, at the prompt.
--
--   tour()          show the lesson you are on (the first time: lesson 1)
--   tour.check()    look at what you did and say whether the lesson is done
--   tour.next()     tour.back()     tour.go(n)     tour.list()
--
-- Fifteen lessons, in the order of a first course on sockets. Each says
-- the idea in plain words, shows it in Go (a short program using Go's net
-- package) next to the line that does it here, lists the lines to try,
-- and has a check that looks at the live state: the variables you made
-- (found by their type, whatever their names), and what the tour's own
-- peers saw. The peers (an echo server, an upper-casing server that
-- answers once the request has ended, a tiny DNS server on UDP, a port
-- where nothing listens) start in the background on the first call and
-- listen on loopback only, so every lesson works without a network or a
-- resolver. Progress (the lesson you are on, the ones done) is kept in
-- a file beside the history (internal.tour_file(), mode 0600).
local _, internal = ...
local tour = {}

local N_LESSONS = 15

---------------------------------------------------------------- helpers

-- classOf is the class name of a gonetrepl value ("net.conn"), or nil.
local function classOf(v)
  if type(v) ~= "userdata" then return nil end
  local mt = getmetatable(v)
  return type(mt) == "table" and rawget(mt, "__name") or nil
end

-- values returns the global variables whose values pass keep, sorted by
-- name, so the checks find what the learner made whatever its name.
-- Only _G's own keys are read, with rawget: a global's __index is not
-- run by a check.
local function values(keep)
  local found, names = {}, {}
  for k, v in pairs(_G) do
    if type(k) == "string" and keep(v) then names[#names + 1] = k end
  end
  table.sort(names)
  for i, k in ipairs(names) do found[i] = { name = k, value = rawget(_G, k) } end
  return found
end

local function ofClass(class)
  return values(function(v) return classOf(v) == class end)
end

local function isOpen(v)
  return not tostring(v):find("(closed)", 1, true)
end

local function errorsOfKind(kind)
  return values(function(v) return classOf(v) == "net.error" and v.kind == kind end)
end

local function strings(pred)
  return values(function(v) return type(v) == "string" and pred(v) end)
end

-- argError raises the argument error of the bindings' format, for the
-- tour function fname's argument n, named pname.
local function argError(fname, n, pname, expected, got)
  local shown = type(got)
  if shown == "number" then shown = tostring(got) end
  error(("bad argument #%d to '%s' (%s: %s expected, got %s)"):format(n, fname, pname, expected, shown), 0)
end

local function addrString(a)
  local ok, s = pcall(tostring, a)
  return ok and s or "?"
end

-- escaped quotes a peer's bytes for a hint, short and terminal-safe.
local function escaped(s) return '"' .. bin.escape(s, 60) .. '"' end

---------------------------------------------------------------- peers

-- The tour's own peers, started once per run on the first tour call.
local peers

-- capAppend appends s to the record of bytes the echo server got, up to
-- 64 KiB: the framing check looks for a frame there.
local RECORD_CAP = 65536

local function startEcho(p)
  local ln = assert(net.listen("tcp", "127.0.0.1:0"))
  p.echo = tostring(ln:addr())
  p.echo_bytes, p.echo_lines = "", 0
  ln:serve(function(c)
    while true do
      local data = c:read({ max = 4096 })
      if not data then return end
      if #p.echo_bytes < RECORD_CAP then
        p.echo_bytes = p.echo_bytes .. data:sub(1, RECORD_CAP - #p.echo_bytes)
      end
      local _, lines = data:gsub("\n", "")
      p.echo_lines = p.echo_lines + lines
      if not c:write(data) then return end
    end
  end)
end

-- The upper server reads a request to its end (EOF: the client's
-- close_write) and only then answers it in capitals and closes.
local function startUpper(p)
  local ln = assert(net.listen("tcp", "127.0.0.1:0"))
  p.upper, p.upper_replies, p.upper_waiting = tostring(ln:addr()), {}, 0
  ln:serve(function(c)
    p.upper_waiting = p.upper_waiting + 1
    local body = c:read_all({ max = 4096, timeout = 600 })
    p.upper_waiting = p.upper_waiting - 1
    if not body then return end
    local reply = body:upper()
    if #p.upper_replies < 16 then p.upper_replies[#p.upper_replies + 1] = reply end
    c:write(reply)
    c:close()
  end)
end

-- The DNS server knows a few names under .tour, each 127.0.0.1 (A) and
-- ::1 (AAAA), and says NXDOMAIN for the rest.
local DNS_NAMES = { ["echo.tour"] = true, ["upper.tour"] = true, ["tour"] = true }

local function startDNS(p)
  local pc = assert(net.listen_packet("udp", "127.0.0.1:0"))
  p.dns, p.dns_asked = tostring(pc:local_addr()), {}
  task.spawn(function()
    while true do
      local query, from = pc:read_from()
      if not query then return end
      local reply, qname = tour.dns_answer(query)
      if qname and #p.dns_asked < 64 then p.dns_asked[#p.dns_asked + 1] = qname end
      if reply then pc:write_to(reply, from) end
    end
  end)
end

-- A port where nothing listens: a listener's, closed at once.
local function startClosed(p)
  local ln = assert(net.listen("tcp", "127.0.0.1:0"))
  p.closed = tostring(ln:addr())
  ln:close()
end

local function startPeers()
  if peers then return peers end
  local p = { knocks = {}, knock_replies = {}, knocks_waiting = 0 }
  startEcho(p)
  startUpper(p)
  startDNS(p)
  startClosed(p)
  local base = os.tmpname()
  os.remove(base)
  p.tmpbase = base
  peers = p
  return p
end

-- tour.tmp(name) is a fresh path for a file of the lessons (a Unix
-- socket), in the system's temporary directory.
function tour.tmp(fname)
  if type(fname) ~= "string" or not fname:match("^[%w._-]+$") or #fname > 64 then
    argError("tour.tmp", 1, "name", "a file name of letters, digits, '.', '_' or '-'", fname)
  end
  return startPeers().tmpbase .. "-" .. fname
end

-- tour.knock(addr) dials addr, says "knock knock" and waits in the
-- background (up to a minute) for a line in answer.
function tour.knock(addr)
  if type(addr) ~= "string" and classOf(addr) ~= "net.addr" then
    argError("tour.knock", 1, "addr", "an address (string or net.addr)", addr)
  end
  local p = startPeers()
  -- The dial and the knock are done before returning (a listener's
  -- backlog takes the conn before anyone accepts it), so that a check
  -- right after sees the knock; the answer is awaited in the background.
  local c, err = net.dial("tcp", addrString(addr), { timeout = 5 })
  if not c then return nil, err end
  if #p.knocks < 32 then p.knocks[#p.knocks + 1] = tostring(c:local_addr()) end
  c:write("knock knock\n")
  p.knocks_waiting = p.knocks_waiting + 1
  task.spawn(function()
    local reply = c:read_line({ timeout = 60, max = 1024 })
    if reply and #p.knock_replies < 32 then p.knock_replies[#p.knock_replies + 1] = reply end
    p.knocks_waiting = p.knocks_waiting - 1
    c:close()
  end)
  return true
end

---------------------------------------------------------------- DNS

-- tour.dns_answer(query) -> reply, qname | nil, qname|nil: the tour DNS
-- server's answer to one query message (RFC 1035 4.1): nil for what is
-- not a standard query with one question. Every length is bounded by
-- the message (at most 512 bytes are looked at).
local QTYPE_A, QTYPE_AAAA, CLASS_IN = 1, 28, 1

function tour.dns_answer(query)
  if type(query) ~= "string" or #query < 12 or #query > 512 then return nil end
  local id, flags, qdcount = string.unpack(">I2 I2 I2", query)
  if flags >= 0x8000 or bit.band(flags, 0x7800) ~= 0 or qdcount ~= 1 then return nil end
  -- The question's name: labels of 1 to 63 letters, digits, '-' or
  -- '_', no compression.
  local pos, labels, total = 13, {}, 0
  while true do
    local len = query:byte(pos)
    if not len or len > 63 then return nil end
    pos = pos + 1
    if len == 0 then break end
    total = total + len + 1
    if total > 255 or pos + len - 1 > #query then return nil end
    local label = query:sub(pos, pos + len - 1)
    if label:find("[^%w_-]") then return nil end -- a host name's letters only
    labels[#labels + 1] = label:lower()
    pos = pos + len
  end
  if pos + 3 > #query then return nil end
  local qtype, qclass = string.unpack(">I2 I2", query, pos)
  local qname = table.concat(labels, ".")
  local question = query:sub(13, pos + 3)
  local known = DNS_NAMES[qname] ~= nil
  local answers = {}
  if known and qclass == CLASS_IN then
    local ptr = "\192\12" -- the name, as a pointer to the question's
    if qtype == QTYPE_A then
      answers[1] = ptr .. string.pack(">I2 I2 I4 s2", QTYPE_A, CLASS_IN, 60, "\127\0\0\1")
    elseif qtype == QTYPE_AAAA then
      answers[1] = ptr .. string.pack(">I2 I2 I4 s2", QTYPE_AAAA, CLASS_IN, 60, ("\0"):rep(15) .. "\1")
    end
  end
  -- QR, the opcode and RD as asked, RA; rcode 3 (NXDOMAIN) for a name
  -- it does not know.
  local rflags = bit.bor(0x8080, bit.band(flags, 0x0100), known and 0 or 3)
  local header = string.pack(">I2 I2 I2 I2 I2 I2", id, rflags, 1, #answers, 0, 0)
  return header .. question .. table.concat(answers), qname
end

---------------------------------------------------------------- checks

-- probeEcho dials addr, sends a line and reports whether it came back.
local function probeEcho(addr)
  local c, err = net.dial("tcp", addr, { timeout = 1 })
  if not c then return false, "dialing " .. addr .. " gave " .. tostring(err) end
  local line = ("tour-%d"):format(math.random(100000, 999999))
  c:write(line .. "\n")
  local got, rerr = c:read_line({ timeout = 1, max = 1024 })
  c:close()
  if got == line then return true end
  if got then return false, ("sent %s to %s, got %s back"):format(escaped(line), addr, escaped(got)) end
  return false, ("sent %s to %s, got no line back (%s)"):format(escaped(line), addr, tostring(rerr and rerr.kind))
end

-- echoingListener finds a TCP listener of the learner's that echoes.
local function echoingListener()
  local tried = {}
  for _, g in ipairs(ofClass("net.listener")) do
    local a = g.value:addr()
    if isOpen(g.value) and a.network == "tcp" then
      local ok, why = probeEcho(tostring(a))
      if ok then return g end
      tried[#tried + 1] = g.name .. ": " .. why
    end
  end
  return nil, tried
end

local checks = {}

checks[1] = function()
  local lns = ofClass("net.listener")
  if #lns == 0 then
    return false, 'No listener among your variables yet: ln = assert(net.listen("tcp", "127.0.0.1:0"))'
  end
  for _, l in ipairs(lns) do
    local addr = tostring(l.value:addr())
    for _, c in ipairs(ofClass("net.conn")) do
      if tostring(c.value:remote_addr()) == addr then return true end
    end
  end
  return false, ("%s listens on %s, but no conn of yours is connected to it: " ..
    "c = assert(net.dial(\"tcp\", tostring(%s:addr())))"):format(lns[1].name, tostring(lns[1].value:addr()), lns[1].name)
end

checks[2] = function(p)
  local dialed
  for _, c in ipairs(ofClass("net.conn")) do
    if tostring(c.value:remote_addr()) == p.echo then dialed = c end
  end
  if not dialed then
    return false, 'No conn of yours goes to the echo server: c = assert(net.dial("tcp", tour.echo))'
  end
  if p.echo_lines == 0 then
    return false, dialed.name .. ' is connected, but the echo server has not had a line yet: ' .. dialed.name .. ':write("hello\\n")'
  end
  return true
end

checks[3] = function(p)
  if #p.knocks == 0 then
    return false, "Nobody has knocked yet: tour.knock(ln:addr()) with ln your listener"
  end
  local accepted
  for _, c in ipairs(ofClass("net.conn")) do
    local remote = tostring(c.value:remote_addr())
    for _, k in ipairs(p.knocks) do
      if remote == k then accepted = c end
    end
  end
  if not accepted then
    return false, "The tour knocked, but none of your variables holds the conn it came in on: s = assert(ln:accept())"
  end
  -- An answer written just now is still on its way to the knocker.
  for _ = 1, 40 do
    if #p.knock_replies > 0 or p.knocks_waiting == 0 then break end
    time.sleep(0.05)
  end
  if #p.knock_replies == 0 then
    return false, ('You accepted the knock as %s; now answer it: %s:write("who\'s there?\\n")'):format(accepted.name, accepted.name)
  end
  return true
end

checks[4] = function()
  local l, tried = echoingListener()
  if l then return true end
  if #tried == 0 then
    return false, 'No open TCP listener of yours to try: ln = assert(net.listen("tcp", "127.0.0.1:0"))'
  end
  return false, "None of your listeners echoes yet (" .. table.concat(tried, "; ") ..
    '): ln:serve(function(c) for line in c:lines() do c:write(line .. "\\n") end end)'
end

checks[5] = function()
  local pcs = ofClass("net.packet_conn")
  if #pcs == 0 then
    return false, 'No packet conn among your variables: u = assert(net.listen_packet("udp", "127.0.0.1:0"))'
  end
  for _, u in ipairs(pcs) do
    local own = tostring(u.value:local_addr())
    for _, a in ipairs(ofClass("net.addr")) do
      if tostring(a.value) == own and a.value.network == "udp" then return true end
    end
  end
  return false, ("%s is there; send it a datagram from itself and keep the sender's address: " ..
    '%s:write_to("ping", %s:local_addr()); data, from = %s:read_from()'):format(pcs[1].name, pcs[1].name, pcs[1].name, pcs[1].name)
end

checks[6] = function()
  local lns = values(function(v) return classOf(v) == "net.listener" and v:addr().network == "unix" end)
  if #lns == 0 then
    return false, 'No Unix listener yet: path = tour.tmp("lesson.sock"); ul = assert(net.listen("unix", path))'
  end
  for _, l in ipairs(lns) do
    local path = tostring(l.value:addr())
    for _, c in ipairs(ofClass("net.conn")) do
      local r = c.value:remote_addr()
      if r.network == "unix" and tostring(r) == path then return true end
    end
  end
  return false, ("%s listens on %s; dial it: uc = assert(net.dial(\"unix\", %q))"):format(lns[1].name, tostring(lns[1].value:addr()), tostring(lns[1].value:addr()))
end

checks[7] = function()
  if #strings(function(s) return s == "[::1]:8080" end) > 0 then return true end
  if #strings(function(s) return s == "::1:8080" end) > 0 then
    return false, '"::1:8080" cannot be split: is 8080 the port or part of the address? An IPv6 host goes in brackets; net.join_host_port("::1", 8080) adds them'
  end
  return false, 'No variable holds the address of port 8080 on IPv6 loopback yet: a6 = net.join_host_port("::1", 8080)'
end

checks[8] = function(p)
  local asked = false
  for _, q in ipairs(p.dns_asked) do
    if q == "echo.tour" then asked = true end
  end
  if not asked then
    return false, 'The tour\'s DNS server has not been asked for echo.tour: ips = assert(net.lookup_host("echo.tour", {server = tour.dns}))'
  end
  local got = values(function(v)
    if type(v) ~= "table" then return false end
    for _, a in ipairs(v) do
      if a == "127.0.0.1" then return true end
    end
    return false
  end)
  if #got == 0 then
    return false, "The DNS server answered; keep the answer in a variable: ips = assert(net.lookup_host(\"echo.tour\", {server = tour.dns}))"
  end
  return true
end

checks[9] = function()
  if #errorsOfKind("timeout") > 0 then return true end
  local errs = ofClass("net.error")
  local hint = "No error of kind timeout among your variables: c:set_read_deadline(time.now() + 0.5); line, err = c:read_line()"
  if #errs > 0 then
    hint = ("%s is of kind %s, not timeout. "):format(errs[1].name, errs[1].value.kind) .. hint
  end
  return false, hint
end

checks[10] = function(p)
  local sent = false
  local got = strings(function(s)
    if #s == 0 or #s > 1000 then return false end
    if p.echo_bytes:find(string.pack(">s2", s), 1, true) then
      sent = true
      return true
    end
    return false
  end)
  if #got > 0 then
    for _, g in ipairs(got) do
      if g.name ~= "frame_text" then return true end
    end
  end
  if p.echo_bytes:find("\0\5hello", 1, true) then
    return false, "The echo server got your frame and sent it back; read it as a frame: msg = f:read_frame({size = 2})"
  end
  return false, 'The echo server has had no frame yet: f = assert(net.dial("tcp", tour.echo)); f:write_frame("hello", {size = 2})'
end

checks[11] = function(p)
  for _, r in ipairs(p.upper_replies) do
    if #strings(function(s) return s == r end) > 0 then return true end
  end
  if p.upper_waiting > 0 then
    return false, "The upper server is still waiting for the end of your request: h:close_write() says there is no more, and the conn stays open for the reply"
  end
  if #p.upper_replies > 0 then
    return false, "The upper server answered; keep what it sent: reply = h:read_all()"
  end
  return false, 'Nothing has reached the upper server yet: h = assert(net.dial("tcp", tour.upper)); h:write("shout\\n")'
end

checks[12] = function()
  local lns = values(function(v)
    return classOf(v) == "net.listener" and isOpen(v) and v:addr().network == "tcp"
  end)
  local ports = {}
  for _, l in ipairs(lns) do ports[l.value:addr().port] = true end
  if next(ports) == nil or next(ports, next(ports)) == nil then
    return false, 'Make two listeners on port 0 and compare their ports: a = assert(net.listen("tcp", "127.0.0.1:0")); b = assert(net.listen("tcp", "127.0.0.1:0"))'
  end
  if #errorsOfKind("addr_in_use") == 0 then
    return false, "Now listen again on a port that is taken: _, busy = net.listen(\"tcp\", tostring(a:addr()))"
  end
  return true
end

checks[13] = function()
  local pipes = values(function(v) return classOf(v) == "net.conn" and v:local_addr().network == "pipe" end)
  if #pipes == 0 then
    return false, "No pipe conn among your variables: p1, p2 = net.pipe()"
  end
  if #strings(function(s) return s == "through the pipe" end) == 0 then
    return false, 'Write on one end from a task, read on the other: task.spawn(function() p1:write("through the pipe\\n") end); got = p2:read_line()'
  end
  return true
end

checks[14] = function()
  local missing = {}
  for _, kind in ipairs({ "refused", "no_such_host", "closed" }) do
    if #errorsOfKind(kind) == 0 then missing[#missing + 1] = kind end
  end
  if #missing == 0 then return true end
  local how = {
    refused = '_, refused = net.dial("tcp", tour.closed)',
    no_such_host = '_, nohost = net.lookup_host("nowhere.tour", {server = tour.dns})',
    closed = 'x = assert(net.dial("tcp", tour.echo)); x:close(); _, closed = x:read()',
  }
  local lines = {}
  for _, kind in ipairs(missing) do lines[#lines + 1] = how[kind] end
  return false, "Still to see: " .. table.concat(missing, ", ") .. ". " .. table.concat(lines, "; ")
end

checks[15] = function(p)
  local client = rawget(_G, "echo_client")
  if type(client) ~= "function" then
    return false, "No function echo_client(addr, lines) yet: write it from the lines above"
  end
  local want = { "tour-" .. math.random(1000, 9999), "second line", "" }
  local ok, got = pcall(client, p.echo, want)
  if not ok then
    return false, "echo_client(tour.echo, {...}) raised: " .. bin.escape(tostring(got), 200)
  end
  if type(got) ~= "table" then
    return false, "echo_client(tour.echo, {...}) returned " .. type(got) .. ", not the list of lines read back"
  end
  for i, line in ipairs(want) do
    if got[i] ~= line then
      return false, ("echo_client(tour.echo, ...) line %d: sent %s, returned %s"):format(i, escaped(line), escaped(tostring(got[i])))
    end
  end
  local l, tried = echoingListener()
  if not l then
    return false, "Your client works; now the server: none of your listeners echoes (" .. table.concat(tried, "; ") .. ")"
  end
  return true
end

---------------------------------------------------------------- lessons

local lessons = require("tour_lessons")
assert(#lessons == N_LESSONS and #checks == N_LESSONS)
tour.lessons = lessons

---------------------------------------------------------------- progress

local state -- {lesson = n, passed = {[n] = true}}

local function load()
  if state then return state end
  state = { lesson = 1, passed = {} }
  local path = internal.tour_file()
  local f = path and io.open(path, "r")
  if f then
    local text = f:read(4096) or ""
    f:close()
    local n = tonumber(text:match("lesson=(%d+)"))
    if n and n >= 1 and n <= N_LESSONS then state.lesson = n end
    for d in (text:match("passed=([%d,]*)") or ""):gmatch("%d+") do
      local k = tonumber(d)
      if k >= 1 and k <= N_LESSONS then state.passed[k] = true end
    end
  end
  return state
end

local function save()
  local path = internal.tour_file()
  if not path then return end
  local done = {}
  for i = 1, N_LESSONS do
    if state.passed[i] then done[#done + 1] = tostring(i) end
  end
  local ok, err = internal.write_private(path, ("lesson=%d\npassed=%s\n"):format(state.lesson, table.concat(done, ",")))
  if not ok then io.stderr:write("tour: progress not saved: ", tostring(err), "\n") end
end

---------------------------------------------------------------- showing

local function indent(text, by)
  return (text:gsub("\t", "  "):gsub("[^\n]+", function(line) return by .. line end))
end

local function show(n)
  local l = lessons[n]
  local head = ("Lesson %d of %d: %s"):format(n, N_LESSONS, l.title)
  local out = {
    "", head, ("="):rep(#head), "", l.text, "",
    "In Go:", "", indent(l.go, "    "),
    "Here:", "", indent(l.here, "    "), "",
    "Try:", "", indent(l.try, "    "), "",
    "Then tour.check(). tour.next() goes on, tour.list() shows every lesson.", "",
  }
  io.write(table.concat(out, "\n"))
end

local function go(n)
  local s = load()
  s.lesson = n
  save()
  startPeers()
  show(n)
end

local function argLesson(fname, n)
  if type(n) ~= "number" or n ~= math.floor(n) or n < 1 or n > N_LESSONS then
    argError(fname, 1, "n", ("a lesson number from 1 to %d"):format(N_LESSONS), n)
  end
  return n
end

-- tour.go(n) shows lesson n.
function tour.go(n) go(argLesson("tour.go", n)) end

-- tour.next() shows the next lesson.
function tour.next()
  local s = load()
  if s.lesson >= N_LESSONS then
    io.write("That was the last lesson. tour.list() shows them all; tour.go(n) goes back to one.\n")
    return
  end
  go(s.lesson + 1)
end

-- tour.back() shows the lesson before.
function tour.back()
  local s = load()
  go(math.max(1, s.lesson - 1))
end

-- tour.list() lists the lessons: done ones ticked, the current marked.
function tour.list()
  local s = load()
  local out = {}
  for i, l in ipairs(lessons) do
    out[#out + 1] = ("%s %2d. %s%s"):format(s.passed[i] and "✓" or " ", i, l.title, i == s.lesson and "   <- you are here" or "")
  end
  io.write(table.concat(out, "\n"), "\n")
end

-- tour.check() runs the current lesson's check: true when it is done,
-- else false and a hint, both printed.
function tour.check()
  local s = load()
  local p = startPeers()
  local n = s.lesson
  local ok, done, hint = pcall(checks[n], p)
  if not ok then
    done, hint = false, "the check itself failed: " .. bin.escape(tostring(done), 200)
  end
  if done then
    s.passed[n] = true
    save()
    if n < N_LESSONS then
      io.write(("✓ Lesson %d done. tour.next() for lesson %d: %s.\n"):format(n, n + 1, lessons[n + 1].title))
    else
      io.write("✓ Lesson 15 done: that was the whole tour. You have dialed, listened, served, framed, half-closed and handled every common error.\n")
    end
    return true
  end
  io.write(("✗ Not yet. %s\n"):format(hint))
  return false
end

-- tour.start() (and tour()) shows the lesson you are on.
function tour.start()
  local s = load()
  startPeers()
  if s.lesson == 1 and next(s.passed) == nil then
    io.write("Welcome to the tour: 15 short lessons on sockets, done live at this prompt.\n" ..
      "Type the lines a lesson gives, then tour.check(). The tour's own servers run in the\n" ..
      "background on loopback: tour.echo, tour.upper, tour.dns, tour.closed are their addresses.\n")
  end
  show(s.lesson)
end

-- tour.peer(name) is the address of a peer of the tour ("echo",
-- "upper", "dns", "closed"), started if need be; nil for another name.
function tour.peer(which)
  local p = startPeers()
  if which == "echo" or which == "upper" or which == "dns" or which == "closed" then return p[which] end
  return nil
end

return tour
