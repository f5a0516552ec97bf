-- lookup.lua: every DNS record of a name, as a table.
--
--   gonetrepl scripts/lookup.lua NAME [--server HOST:PORT] [--timeout SECONDS] [--srv SERVICE/PROTO]
--
-- Asks for the A and AAAA (net.lookup_ip), CNAME, MX, TXT and NS records of
-- NAME, and its SRV records for a service with --srv (http/tcp asks for
-- _http._tcp.NAME); for an IP address NAME, its PTR names. All queries run
-- at once, one task each, and the answers are printed in that order:
--
--   TYPE   VALUE                  DETAIL
--   A      192.0.2.10
--   MX     mail.example.test.     pref 10
--
-- A type the name has no records of is left out. Every value is escaped
-- (bin.escape), TXT records in quotes: what a DNS server sends cannot
-- reach the terminal raw. With --server every query
-- goes to that DNS server (Go's resolver), otherwise to the system's.
-- A type whose query failed for another reason (the server REFUSED it, a
-- SERVFAIL, a timeout) is a row "(failed)" with the reason, and the exit
-- status is 0 when any type answered; when none did, the failures go to
-- stderr and it exits 1, as it does when nothing was found.
local flags = require "flags"
local logf = require "logf"

local cli = flags.new("gonetrepl scripts/lookup.lua NAME [options]",
  "Prints every DNS record of NAME (A, AAAA, CNAME, MX, TXT, NS; PTR for an IP address) as a table.")
cli:string("server", nil, "ask the DNS server at HOST:PORT instead of the system's resolver")
cli:seconds("timeout", 5, "give up on a query after SECONDS", { above = 0 })
cli:string("srv", nil, "also ask for the SRV records of SERVICE/PROTO (http/tcp: _http._tcp.NAME)")
cli:args(1, 1, "NAME")
local opts, args = cli:parse(arg)
local name = args[1]
local service, proto
if opts.srv then
  service, proto = opts.srv:match("^([^/]*)/([^/]*)$")
  if not service then
    io.stderr:write("lookup: --srv: SERVICE/PROTO expected, got ", opts.srv, "\n")
    os.exit(2)
  end
end

if opts.server and not net.split_host_port(opts.server) then
  io.stderr:write("lookup: --server: HOST:PORT expected, got ", opts.server, "\n")
  os.exit(2)
end

local lopts = { timeout = opts.timeout, server = opts.server }

-- rows_of makes a row {type, value, detail} of each record in list.
local function rows_of(typ, list, value, detail)
  local rows = {}
  for _, v in ipairs(list) do
    local cell = bin.escape(value and value(v) or tostring(v))
    if typ == "TXT" then cell = '"' .. cell:gsub('"', '\\"') .. '"' end -- a quoted string, as %q would
    rows[#rows + 1] = { typ, cell, detail and detail(v) or "" }
  end
  return rows
end

-- Each query is a record type and a function returning its rows, or nil
-- and the lookup's error.
local queries = {}
local function query(typ, fn) queries[#queries + 1] = { typ = typ, fn = fn } end
if net.parse_ip(name) then
  query("PTR", function()
    local names, err = net.lookup_addr(name, lopts)
    return names and rows_of("PTR", names), err
  end)
else
  query("A", function()
    local ips, err = net.lookup_ip("ip4", name, lopts)
    return ips and rows_of("A", ips), err
  end)
  query("AAAA", function()
    local ips, err = net.lookup_ip("ip6", name, lopts)
    return ips and rows_of("AAAA", ips), err
  end)
  query("CNAME", function()
    local cname, err = net.lookup_cname(name, lopts)
    if not cname then return nil, err end
    -- A name without a CNAME record is its own canonical name.
    if cname:gsub("%.$", ""):lower() == name:gsub("%.$", ""):lower() then return {} end
    return { { "CNAME", bin.escape(cname), "" } }
  end)
  query("MX", function()
    local mxs, err = net.lookup_mx(name, lopts)
    return mxs and rows_of("MX", mxs, function(mx) return mx.host end,
      function(mx) return "pref " .. mx.pref end), err
  end)
  query("TXT", function()
    local txts, err = net.lookup_txt(name, lopts)
    return txts and rows_of("TXT", txts), err
  end)
  query("NS", function()
    local nss, err = net.lookup_ns(name, lopts)
    return nss and rows_of("NS", nss), err
  end)
  if service then
    query("SRV", function()
      local srvs, err = net.lookup_srv(service, proto, name, lopts)
      return srvs and rows_of("SRV", srvs, function(s) return s.target end,
        function(s) return ("port %d priority %d weight %d"):format(s.port, s.priority, s.weight) end), err
    end)
  end
end

-- log writes a line to stderr, every string argument escaped (logf): an
-- error can quote what a DNS server sent.
local log = logf.new("lookup: ")

-- All queries at once; the answers in the order above.
for _, q in ipairs(queries) do q.task = task.spawn(q.fn) end
-- A type whose query failed (a server's REFUSED or SERVFAIL, a timeout)
-- is a row of the table, "(failed)" and why, when another type answered;
-- when none did, the failures go to stderr and the status is 1.
local rows, failures, answered = {}, {}, false
for _, q in ipairs(queries) do
  local list, err = q.task:wait()
  if list then
    answered = true
    for _, row in ipairs(list) do rows[#rows + 1] = row end
  elseif err.kind ~= "no_such_host" then
    -- Go's message names the name and the server; the row needs only why.
    local why = tostring(err):gsub("^lookup .- on [^ ]+: ", "", 1)
    failures[#failures + 1] = { typ = q.typ, err = err }
    rows[#rows + 1] = { q.typ, "(failed)", bin.escape(why) }
  else
    answered = true -- the server answered: no such records
  end
end

if not answered or #rows == #failures then
  for _, f in ipairs(failures) do log("%s: %s", f.typ, tostring(f.err)) end
  if #failures == 0 then io.stderr:write(("lookup: %s: no records found\n"):format(name)) end
  os.exit(1)
end

-- An aligned table under a header: each column as wide as its widest
-- cell, no trailing spaces; DETAIL only if some record has one.
local header = { "TYPE", "VALUE", "" }
for _, row in ipairs(rows) do
  if row[3] ~= "" then header[3] = "DETAIL" end
end
table.insert(rows, 1, header)
local widths = {}
for _, row in ipairs(rows) do
  for i, cell in ipairs(row) do widths[i] = math.max(widths[i] or 0, #cell) end
end
-- rstrip drops the blanks at the end of s, looking at each byte once:
-- gsub("%s+$", "") retried from every blank of a run inside the line (a
-- TXT record of "a", 16,000 spaces, "b" took 9 s of CPU).
local function rstrip(s)
  local j = #s
  while j > 0 do
    local b = s:byte(j)
    if b ~= 32 and (b < 9 or b > 13) then break end
    j = j - 1
  end
  return s:sub(1, j)
end
for _, row in ipairs(rows) do
  local line = ("%-" .. widths[1] .. "s  %-" .. widths[2] .. "s  %s"):format(row[1], row[2], row[3])
  print(rstrip(line))
end
