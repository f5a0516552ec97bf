-- os.date's results, one line each, for osdate_lua51_test.go: run by the
-- real lua5.1 and by gonetrepl under the same TZ, their outputs must be
-- the same line for line. Plain Lua 5.1 only (both run it), and nothing
-- here may depend on the interpreter but os.date itself: numbers are
-- written with %d or %.17g, bytes outside printable ASCII as \ddd.

local function escape(s)
  return (s:gsub("[^ -~]", function(c) return "\\" .. c:byte() end):gsub("\\$", "\\\\"))
end

local function show(v)
  if v == nil then return "nil" end
  if type(v) == "table" then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys)
    local parts = {}
    for _, k in ipairs(keys) do parts[#parts + 1] = k .. "=" .. tostring(v[k]) end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  return '"' .. escape(v) .. '"'
end

-- Seconds since the epoch of a UTC date (proleptic Gregorian).
local function utc(y, m, d, hh, mm, ss)
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local doy = math.floor((153 * ((m + 9) % 12) + 2) / 5) + d - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  return (era * 146097 + doe - 719468) * 86400 + (hh or 0) * 3600 + (mm or 0) * 60 + (ss or 0)
end

local times = {
  0, -1, 1, 86399, 86400, 784111777, 1e9, 1234567890, 2^31 - 1, 2^31, -2^31, 4102444800,
  1.9, -1.5, 1e12, -1e12,
  -- Midnight, noon and the hours around them (%I %l %p %P %r).
  utc(2024, 6, 5, 0, 0, 0), utc(2024, 6, 5, 0, 59, 59), utc(2024, 6, 5, 1, 0, 0),
  utc(2024, 6, 5, 11, 59, 59), utc(2024, 6, 5, 12, 0, 0), utc(2024, 6, 5, 12, 59, 59),
  utc(2024, 6, 5, 13, 0, 0), utc(2024, 6, 5, 23, 59, 59),
  -- Leap days and the last day of leap and common years (%j 366), a
  -- century that is not leap and one that is.
  utc(2000, 2, 29, 12), utc(2024, 2, 29, 12), utc(2024, 12, 31, 12), utc(2023, 12, 31, 12),
  utc(1900, 2, 28, 12), utc(1900, 3, 1, 12), utc(2100, 3, 1, 12), utc(2000, 12, 31, 23, 59, 59),
  -- Negative zone offsets near DST changes (New York 2024: 10 March,
  -- 3 November; Lord Howe's half hour; St John's -03:30).
  utc(2024, 3, 10, 6, 59, 59), utc(2024, 3, 10, 7, 0, 0), utc(2024, 11, 3, 5, 59, 59),
  utc(2024, 11, 3, 6, 0, 0), utc(2024, 7, 1, 12), utc(2024, 1, 15, 12),
  -- Early and late years: no zone rules yet (local mean time), years of
  -- fewer and more than four digits, year 0 and before. Not much later:
  -- in year 292277025 glibc puts Lord Howe at +11 in July (DST there is
  -- in January), and its "!%s" follows.
  utc(1901, 12, 13, 20, 45, 52), utc(1883, 11, 18, 16), utc(1800, 1, 1), utc(1000, 6, 15),
  utc(999, 12, 31, 23), utc(100, 1, 1), utc(99, 12, 31), utc(5, 1, 15), utc(0, 1, 1),
  utc(-1, 12, 31, 23, 59, 59), utc(-101, 7, 4), utc(-29719, 4, 5), utc(9999, 12, 31, 23, 59, 59),
  utc(10000, 1, 1), utc(33658, 9, 27),
}
-- Every single-digit day (%e, %d) and the days around each new year for
-- %U %V %W %G %g %j (week 52 or 53 of the year before, week 1 or 0 of the
-- year): years starting on each weekday, leap and common.
for d = 1, 9 do times[#times + 1] = utc(2026, 3, d, 8, 30) end
for _, y in ipairs{1999, 2000, 2004, 2005, 2008, 2009, 2010, 2015, 2016, 2020, 2021, 2026, 2027, 2032, 2037} do
  for d = 25, 31 do times[#times + 1] = utc(y - 1, 12, d, 12) end
  for d = 1, 8 do times[#times + 1] = utc(y, 1, d, 12) end
end

local conversions = "aAbBcCdDeFgGhHIjklmMnprPRsStTuUVwWxXyYzZ%"

for _, t in ipairs(times) do
  for _, bang in ipairs{"", "!"} do
    for c in conversions:gmatch(".") do
      local fmt = bang .. "%" .. c
      print(string.format("%.17g %s => %s", t, fmt, show(os.date(fmt, t))))
    end
    print(string.format("%.17g %s => %s", t, bang .. "*t", show(os.date(bang .. "*t", t))))
  end
  -- The HTTP date (IMF-fixdate, RFC 9110 5.6.7).
  print(string.format("%.17g imf => %s", t, show(os.date("!%a, %d %b %Y %H:%M:%S GMT", t))))
end

-- Every byte after "%": the unknown ones come back as written (glibc),
-- digits 3-9 padded to their width, a NUL ends the format.
for b = 0, 255 do
  local fmt = "<%" .. string.char(b) .. ">"
  print(string.format("byte %d => %s / %s", b, show(os.date("!" .. fmt, 784111777)), show(os.date(fmt, 784111777))))
end

-- Formats of several conversions, literal text, and Lua 5.1's rules.
local formats = {
  "%c", "!%c", "%x %X", "!%Y-%m-%dT%H:%M:%SZ", "%a, %d %b %Y %H:%M:%S %z (%Z)", "%%%a%%", "%%%",
  "%", "!%", "a%", "100%", "%%d", "%-d", "%_d", "%0d", "%^a", "%#a", "%Ey", "%Od", "%+", "%5d",
  "%E", "%O", "plain text", "", "!", "!!%c", "*t", "*tx", " *t", "!*t", "!*tx", "*t\0x",
  "a\0%c", "%\0c", "%c\0", "\0", "é %a ü", "%D%T%R%F%e%j",
}
for _, fmt in ipairs(formats) do
  print(string.format("format %s => %s", show(fmt), show(os.date(fmt, 1234567890))))
end
-- A time of nil is now; a number as format is its text; a numeric
-- string is a time.
print("nil time", os.date("!%Y", nil) == os.date("!%Y"), type(os.date()), #os.date() > 0)
print("number format", show(os.date(2024, 0)), show(os.date("!%s", "86400")))
-- Times C cannot break down give nil.
local huge = {["1e17"] = 1e17, ["-1e17"] = -1e17, ["2^62"] = 2^62, ["2^63"] = 2^63, ["-2^63"] = -2^63,
  inf = 1/0, ["-inf"] = -1/0, nan = 0/0}
local names = {}
for name in pairs(huge) do names[#names + 1] = name end
table.sort(names)
for _, name in ipairs(names) do
  local t = huge[name]
  print(string.format("%s => %s %s %s", name, show(os.date("!%c", t)), show(os.date("%c", t)), show(os.date("*t", t))))
end
