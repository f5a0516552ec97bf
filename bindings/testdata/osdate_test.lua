-- os.date as C's strftime (gopher-lua patch "os.date as C's strftime";
-- the comparison with the real lua5.1 is TestOSDateMatchesLua51 at the
-- module's root). These need no lua5.1 and no TZ: they use "!" (UTC).

local function eq(got, want, what)
  assert(got == want, string.format("%s: want %q; got %q", what, tostring(want), tostring(got)))
end

-- HTTP dates (RFC 9110 5.6.7, IMF-fixdate): os.date("!...") is the API.
function TestIMFFixdate()
  local imf = "!%a, %d %b %Y %H:%M:%S GMT"
  eq(os.date(imf, 784111777), "Sun, 06 Nov 1994 08:49:37 GMT", "RFC 9110's example")
  eq(os.date(imf, 0), "Thu, 01 Jan 1970 00:00:00 GMT", "the epoch")
  eq(os.date(imf, 951782400), "Tue, 29 Feb 2000 00:00:00 GMT", "a leap day")
  eq(os.date(imf, 1767225599), "Wed, 31 Dec 2025 23:59:59 GMT", "a year's last second")
  -- Every weekday and month name, as RFC 9110 spells them.
  local days, months = {}, {}
  for d = 0, 6 do days[#days + 1] = os.date("!%a", (3 + d) * 86400) end -- from Sunday 4 January 1970
  eq(table.concat(days, " "), "Sun Mon Tue Wed Thu Fri Sat", "day-name")
  for m = 0, 11 do months[#months + 1] = os.date("!%b", math.floor((15 + m * 30.4) * 86400)) end
  eq(table.concat(months, " "), "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", "month")
end

-- The conversions upstream got wrong or left as written.
function TestConversions()
  local t = 1234567890 -- Fri 13 Feb 2009 23:31:30 UTC
  local want = {
    a = "Fri", A = "Friday", b = "Feb", B = "February", c = "Fri Feb 13 23:31:30 2009", C = "20",
    d = "13", D = "02/13/09", e = "13", F = "2009-02-13", g = "09", G = "2009", h = "Feb",
    H = "23", I = "11", j = "044", k = "23", l = "11", m = "02", M = "31", n = "\n", p = "PM",
    P = "pm", r = "11:31:30 PM", R = "23:31", S = "30", t = "\t", T = "23:31:30", u = "5",
    U = "06", V = "07", w = "5", W = "06", x = "02/13/09", X = "23:31:30", y = "09", Y = "2009",
    z = "+0000", Z = "GMT", ["%"] = "%",
  }
  for c, w in pairs(want) do eq(os.date("!%" .. c, t), w, "%" .. c) end
  eq(os.date("!%e|%l|%I|%p", 0 + 5 * 86400), " 6|12|12|AM", "single-digit day, midnight")
  eq(os.date("!%I|%l|%p", 12 * 3600), "12|12|PM", "noon")
  -- ISO weeks at a year boundary: Friday 1 January 2021 is in week 53 of 2020.
  eq(os.date("!%G-W%V-%u %U %W %j", 1609459200), "2020-W53-5 00 00 001", "1 January 2021")
  eq(os.date("!%G-W%V-%u %U %W %j", 1609372800), "2020-W53-4 52 52 366", "31 December 2020")
end

-- Lua 5.1's os.date rules.
function TestLua51Rules()
  eq(os.date("!%q|%E|%5|%", 0), "%q|%E|   %5|%", "unknown conversions as glibc gives them")
  eq(os.date("!a\0%Y", 0), "a", "the format ends at a NUL, as a C string")
  eq(type(os.date("!*tx", 0)), "string", "only exactly *t is a table")
  eq(os.date("!%Y", nil), os.date("!%Y"), "a nil time is now")
  eq(os.date("!%Y", "86400"), "1970", "a numeric string is a time")
  eq(os.date("!%S", 1.9), "01", "a fraction is truncated")
  eq(os.date("!%S", -1.5), "59", "towards zero")
  eq(os.date("!%c", 1e17), nil, "a year C's struct tm cannot hold")
  eq(os.date("!%c", 0 / 0), nil, "NaN")
  eq(os.date("!%Y", -62167219201), "-1", "the year before year 0")
  local ok, err = pcall(os.date, "%c", {})
  assert(not ok and tostring(err):find("bad argument #2"), tostring(err))
  ok, err = pcall(os.date, {})
  assert(not ok and tostring(err):find("bad argument #1"), tostring(err))
end

function TestStarT()
  local tm = os.date("!*t", 1609459199) -- Thu 31 Dec 2020 23:59:59 UTC, a leap year
  local want = {year = 2020, month = 12, day = 31, hour = 23, min = 59, sec = 59, wday = 5, yday = 366, isdst = false}
  local n = 0
  for k, v in pairs(tm) do
    n = n + 1
    eq(v, want[k], "*t field " .. tostring(k))
  end
  eq(n, 9, "*t's field count")
  eq(os.time(os.date("*t", 1609459199)), 1609459199, "os.time of a local *t")
end

-- The result's exact size is worked out before it is built: a format
-- just under the largest string is made, one just over is refused.
function TestSizeIsExact()
  local s = os.date("!" .. string.rep("%c", 1001), 0)
  eq(#s, 24 * 1001, "1001 times %c")
  local MiB = 2 ^ 20
  -- %c is 24 bytes: one more than 256 MiB / 24 of them is over the cap.
  local ok, err = pcall(os.date, "!" .. string.rep("%c", math.floor(256 * MiB / 24) + 1), 0)
  assert(not ok and tostring(err):find("not enough memory", 1, true), tostring(err))
  eq(#os.date("!" .. string.rep("%j", 2 * MiB), 0), 6 * MiB, "2 Mi times %j")
end
