-- udp_ping.lua: round-trip times to a UDP echo server.
--
--   gonetrepl scripts/udp_ping.lua [ADDR] [--count N] [--interval SECS]
--                                  [--timeout SECS] [--size BYTES] [--quiet]
--
-- Sends N pings (default 10) to ADDR (default 127.0.0.1:9000, where
-- udp_echo.lua listens), one every --interval seconds, each a datagram of
-- --size bytes carrying its sequence number, and waits up to --timeout
-- seconds for its echo. Echoes that come late, for an earlier ping, are
-- counted apart and not mistaken for the current one. Prints a line per
-- ping, then the loss, the min/avg/max/p99 round-trip time and a histogram
-- of the round-trip times. Exits 0 if any echo came back, 1 if none did.
--
-- Try it:  gonetrepl scripts/udp_echo.lua --drop 20 &
--          gonetrepl scripts/udp_ping.lua --count 50 --interval 0.05
local flags = require "flags"

local cli = flags.new("gonetrepl scripts/udp_ping.lua [ADDR] [options]",
  "Pings a UDP echo server (default 127.0.0.1:9000) and reports loss and round-trip times.")
cli:number("count", 10, "how many pings to send", { min = 1, max = 1e6, whole = true })
cli:seconds("interval", 0.2, "seconds between pings")
cli:seconds("timeout", 1, "seconds to wait for each echo", { above = 0 })
cli:number("size", 32, "bytes in each ping (16 to 65507)", { min = 16, max = 65507, whole = true })
cli:bool("quiet", false, "print only the summary")
cli:args(0, 1, "ADDR")
local opts, args = cli:parse(arg)
local addr = args[1] or "127.0.0.1:9000"

local function usage_error(msg)
  io.stderr:write("udp_ping: ", msg, "\n", cli:help_text(), "\n")
  os.exit(2)
end

local function say(fmt, ...)
  if not opts.quiet then print(fmt:format(...)) end
end

local c, err = net.dial("udp", addr)
if not c then
  io.stderr:write("udp_ping: ", tostring(err), "\n")
  os.exit(1)
end

-- A ping is "ping <seq> " padded with dots to --size bytes; the echo must
-- be the same bytes.
local function payload(seq)
  local head = ("ping %d "):format(seq)
  return head .. ("."):rep(opts.size - #head)
end

print(("UDP PING %s: %d pings of %d bytes, timeout %gs"):format(addr, opts.count, opts.size, opts.timeout))
local rtts, late, errors = {}, 0, 0
for seq = 1, opts.count do
  local msg = payload(seq)
  local sent = time.now()
  local ok, werr = c:write(msg)
  if not ok then
    say("seq=%d send failed: %s", seq, tostring(werr))
    errors = errors + 1
  else
    -- Wait for this ping's echo, skipping late echoes of earlier ones.
    c:set_read_deadline(sent + opts.timeout)
    while true do
      local data, rerr = c:read()
      if data == msg then
        local rtt = time.since(sent) * 1000
        rtts[#rtts + 1] = rtt
        say("%d bytes from %s: seq=%d time=%.3f ms", #data, addr, seq, rtt)
        break
      elseif data then
        late = late + 1
      elseif rerr.kind == "timeout" then
        say("seq=%d timeout", seq)
        break
      elseif rerr.kind == "refused" then
        -- An ICMP port unreachable came back: nothing listens there.
        say("seq=%d refused: no server on %s", seq, addr)
        errors = errors + 1
        break
      else
        say("seq=%d %s", seq, tostring(rerr))
        errors = errors + 1
        break
      end
    end
  end
  if seq < opts.count and opts.interval > 0 then
    local rest = sent + opts.interval - time.now()
    if rest > 0 then time.sleep(rest) end
  end
end
c:close()

-- The summary.
local sent, received = opts.count, #rtts
print(("--- %s udp ping statistics ---"):format(addr))
print(("%d sent, %d received, %.1f%% loss%s%s"):format(sent, received, (sent - received) * 100 / sent,
  late > 0 and (", %d late"):format(late) or "", errors > 0 and (", %d errors"):format(errors) or ""))
if received == 0 then os.exit(1) end

local sorted = {}
local sum = 0
for i, r in ipairs(rtts) do
  sorted[i] = r
  sum = sum + r
end
table.sort(sorted)
local function percentile(p) -- nearest rank
  return sorted[math.max(1, math.ceil(p / 100 * #sorted))]
end
local lo, hi = sorted[1], sorted[#sorted]
print(("rtt min/avg/max/p99 = %.3f/%.3f/%.3f/%.3f ms"):format(lo, sum / #sorted, hi, percentile(99)))

-- The histogram: up to 10 equal buckets from min to max, bars scaled to
-- 40 characters.
local buckets = math.min(10, #sorted)
local width = (hi - lo) / buckets
if width <= 0 then buckets, width = 1, 1 end
local counts = {}
for b = 1, buckets do counts[b] = 0 end
for _, r in ipairs(sorted) do
  local b = math.min(buckets, math.floor((r - lo) / width) + 1)
  counts[b] = counts[b] + 1
end
local most = 0
for _, n in ipairs(counts) do most = math.max(most, n) end
print("rtt histogram (ms):")
for b = 1, buckets do
  local from, to = lo + (b - 1) * width, lo + b * width
  if buckets == 1 then to = hi end
  local bar = ("#"):rep(math.ceil(counts[b] * 40 / most))
  print(("  %9.3f - %9.3f | %-40s %d"):format(from, to, bar, counts[b]))
end
