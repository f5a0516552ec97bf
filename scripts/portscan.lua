-- portscan.lua: a TCP connect scan with a bounded number of tasks in flight.
--
--   gonetrepl scripts/portscan.lua HOST PORTS [--concurrency N] [--timeout SECONDS]
--                                             [--allow-remote]
--
-- Tries to connect to each port of HOST in PORTS ("1-1024", "22,80,8000-8100")
-- and prints the open ones, in order, then a summary:
--
--   22/tcp open
--   8080/tcp open
--   127.0.0.1: 1024 ports scanned in 0.21 s: 2 open, 1022 closed, 0 filtered
--
-- A port is open when the connect succeeds (the conn is closed at once),
-- closed when it is refused, filtered when nothing answers within
-- --timeout seconds (or the host is unreachable). At most --concurrency
-- connects are in flight: that many worker tasks take ports from one
-- channel and put what they found on another, which the main chunk reads.
--
-- Only loopback is scanned unless --allow-remote is given: HOST must be
-- an address in 127.0.0.0/8, ::1, or "localhost" (the only name looked
-- up without --allow-remote). Scan only hosts you are allowed to scan.
--
-- Exit status: 0 when some port is open, 1 when none is (or HOST cannot
-- be resolved), 2 for a usage error, a remote HOST without --allow-remote
-- included (refused before anything is sent).
--
-- Try it:  gonetrepl scripts/echo.lua &
--          gonetrepl scripts/portscan.lua 127.0.0.1 8990-9010
local flags = require "flags"

local cli = flags.new("gonetrepl scripts/portscan.lua HOST PORTS [options]",
  "A TCP connect scan of PORTS (\"1-1024\", \"22,80,8000-8100\") on HOST, loopback only by default.")
cli:number("concurrency", 100, "connects in flight at most (1 to 10000)", { min = 1, max = 10000, whole = true })
cli:seconds("timeout", 1, "seconds to wait for each connect", { above = 0 })
cli:bool("allow-remote", false, "allow a HOST outside 127.0.0.0/8, ::1 and localhost")
cli:args(2, 2, "HOST and PORTS")
local opts, args = cli:parse(arg)

local function usage_error(msg)
  io.stderr:write("portscan: ", msg, "\n", cli:help_text(), "\n")
  os.exit(2)
end

-- parse_ports turns "22,80,8000-8100" into a sorted list of distinct ports.
local function parse_ports(spec)
  local seen, ports = {}, {}
  for item in (spec .. ","):gmatch("([^,]*),") do
    local from, to = item:match("^%s*(%d+)%s*%-%s*(%d+)%s*$")
    if not from then
      from = item:match("^%s*(%d+)%s*$")
      to = from
    end
    from, to = tonumber(from), tonumber(to)
    if not from then return nil, ("bad port or range %q in PORTS"):format(item) end
    if from < 1 or to > 65535 or from > to then
      return nil, ("bad range %q in PORTS: ports are 1 to 65535, low to high"):format(item)
    end
    for p = from, to do
      if not seen[p] then
        seen[p] = true
        ports[#ports + 1] = p
      end
    end
  end
  table.sort(ports)
  return ports
end

local host = args[1]:match("^%[(.*)%]$") or args[1] -- [::1] works too
local ports, perr = parse_ports(args[2])
if not ports then usage_error(perr) end

-- The target address. Only "localhost" is looked up, unless --allow-remote;
-- anything else must be an IP address, and a loopback one.
local ip = net.parse_ip(host)
if not ip and (host == "localhost" or opts["allow-remote"]) then
  local addrs, lerr = net.lookup_host(host, { timeout = 10 })
  if not addrs then
    io.stderr:write("portscan: ", tostring(lerr), "\n")
    os.exit(1)
  end
  for _, a in ipairs(addrs) do -- an IPv4 address first, if there is one
    local candidate = net.parse_ip(a)
    if candidate and (host ~= "localhost" or candidate:is_loopback()) then
      if not ip or (candidate:to4() and not ip:to4()) then ip = candidate end
    end
  end
  if not ip then
    io.stderr:write("portscan: ", host, " has no loopback address\n")
    os.exit(1)
  end
end
if not opts["allow-remote"] and not (ip and ip:is_loopback()) then
  io.stderr:write(("portscan: refusing to scan %s: not a loopback address (127.0.0.0/8, ::1 or localhost);\n")
    :format(host), "portscan: pass --allow-remote to scan a host you are allowed to scan\n")
  os.exit(2)
end
if not ip then usage_error(("%q is not an IP address or a host name"):format(host)) end
local target = tostring(ip)

-- The scan: a producer fills jobs, workers empty it into results.
local jobs = task.chan(opts.concurrency)
local results = task.chan(opts.concurrency)
task.spawn(function()
  for _, p in ipairs(ports) do jobs:send(p) end
  jobs:close()
end)

local function probe(port)
  local c, derr = net.dial("tcp", net.join_host_port(target, port), { timeout = opts.timeout })
  if c then
    c:close()
    return "open"
  end
  if derr.kind == "refused" then return "closed" end
  if derr.kind == "timeout" or derr.kind == "unreachable" then return "filtered" end
  return "error", tostring(derr)
end

local started = time.now()
for _ = 1, math.min(opts.concurrency, #ports) do
  task.spawn(function()
    while true do
      local port, ok = jobs:recv()
      if not ok then return end
      local state, detail = probe(port)
      results:send({ port = port, state = state, detail = detail })
    end
  end)
end

local open, counts, first_error = {}, { open = 0, closed = 0, filtered = 0, error = 0 }, nil
for _ = 1, #ports do
  local r = results:recv()
  counts[r.state] = counts[r.state] + 1
  if r.state == "open" then open[#open + 1] = r.port end
  if r.state == "error" and not first_error then first_error = ("port %d: %s"):format(r.port, r.detail) end
end
table.sort(open)
for _, p in ipairs(open) do print(("%d/tcp open"):format(p)) end
print(("%s: %d port%s scanned in %.2f s: %d open, %d closed, %d filtered%s"):format(
  target, #ports, #ports == 1 and "" or "s", time.since(started), counts.open, counts.closed, counts.filtered,
  counts.error > 0 and (", %d failed"):format(counts.error) or ""))
if first_error then io.stderr:write("portscan: ", first_error, "\n") end
if counts.open == 0 then os.exit(1) end
