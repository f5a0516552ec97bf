-- flags: command-line options for scripts, in the spirit of Go's flag package.
--
--   local flags = require "flags"
--   local cli = flags.new("echo.lua [options] [ADDR]", "A concurrent TCP echo server.")
--   cli:number("idle", 0, "close a client after SECONDS without data (0: never)")
--   cli:bool("quiet", false, "do not log connections")
--   local opts, args = cli:parse(arg)   -- opts.idle, opts.quiet; args[1] is ADDR
--
-- Options are written --name VALUE, --name=VALUE, or --name for a bool.
-- -h and --help print the usage and exit 0; a bad option prints the problem
-- and the usage on stderr and exits 2. "--" ends the options.
--
-- A number option is refused at parse time unless it is finite and within
-- its limits, so that a value no connection can use (--idle 1e300, which
-- every later set_timeout would reject) is a usage error, not a failure
-- of every connection:
--
--   cli:number("count", 10, "pings to send", { min = 1, max = 1e6, whole = true })
--   cli:seconds("timeout", 5, "give up after SECONDS", { above = 0 })
--
-- A script says how many positional arguments it takes with cli:args;
-- parse refuses an extra one ("unexpected argument \"x\"") or a missing
-- one ("missing NAME") as a usage error (status 2):
--
--   cli:args(0, 1, "ADDR")      -- [ADDR]
--   cli:args(1, nil, "MSG")     -- MSG... (no upper bound)
--
-- Help lines show an option's value as the word in capitals its help
-- text uses (--idle SECONDS for "... after SECONDS without data"; the
-- longest such word when there are several), else as its type (NUMBER,
-- STRING).
--
-- An option that may come more than once is a list; each --name VALUE
-- adds its value, in order, and opts.name is the list ({} when never
-- given). A list option may take several values each time, as a list:
--
--   cli:list("header", "add a header line \"K: V\"")     -- opts.header = { "A: 1", "B: 2" }
--   cli:list("tls", "CERT KEY: the certificate and key", 2) -- opts.tls = { { "c.pem", "k.pem" } }
--
-- limits: min (inclusive), above (exclusive lower bound), max (inclusive),
-- whole (a whole number). seconds options are never negative and never
-- more than a Go duration holds (flags.MAX_SECONDS, about 285 years, as
-- the bindings accept).

local flags = {}

-- check_options(opts, class) is a Go helper given to the stdlib modules:
-- nil, or what is wrong with opts' keys, judged by the options shape of
-- class that the type stubs declare (bindings/apidoc.go, flagsLimits).
local _, internal = ...
local check_options = internal.check_options

-- MAX_SECONDS is the longest duration a seconds option takes: what every
-- binding taking seconds accepts (a Go time.Duration holds about 292 years).
flags.MAX_SECONDS = 9e9

local Parser = {}
Parser.__index = Parser

function flags.new(usage, description)
  return setmetatable({ usage = usage, description = description, specs = {}, order = {} }, Parser)
end

-- args declares the positional arguments: at least min, at most max (nil:
-- no limit); what names them in the "missing" message. Without a call to
-- args any number is accepted, as before.
function Parser:args(min, max, what)
  if type(min) ~= "number" or min < 0 or min % 1 ~= 0 then
    error("bad argument #1 to 'args' (a whole number from 0 expected)", 2)
  end
  if max ~= nil and (type(max) ~= "number" or max < min or max % 1 ~= 0) then
    error("bad argument #2 to 'args' (nil or a whole number from min expected)", 2)
  end
  if what ~= nil and type(what) ~= "string" then
    error("bad argument #3 to 'args' (string expected, got " .. type(what) .. ")", 2)
  end
  self.nargs = { min = min, max = max, what = what }
  return self
end

-- metavar is what a help line shows after --name: the longest word in
-- capitals of the help text (SECONDS, HOST:PORT, SERVICE/PROTO), else the
-- option's type in capitals.
-- An option taking n values shows the first n such words, in order.
local function metavar(spec)
  local best, words = nil, {}
  for w in spec.help:gmatch("[%w_:/%-]+") do
    w = w:gsub("[:/%-]+$", "") -- "KEY:" ends a sentence's word: KEY
    if w:match("^%u[%u%d_:/%-]*%u$") then
      words[#words + 1] = w
      if best == nil or #w > #best then best = w end
    end
  end
  local n = spec.values or 1
  if n > 1 then
    if #words >= n then return table.concat(words, " ", 1, n) end
    return ("VALUE "):rep(n):sub(1, -2)
  end
  return best or (spec.kind == "list" and "VALUE" or spec.kind:upper())
end

-- check_number returns nil when n is within limits, else what is
-- expected instead ("a whole number from 1 to 10000", "seconds above 0,
-- up to 9000000000"). Infinities and NaN are never within limits.
local function check_number(n, limits, kind)
  local lo, above, hi = limits.min, limits.above, limits.max
  local inf = math.huge
  local ok = n == n and n ~= inf and n ~= -inf
    and (lo == nil or n >= lo) and (above == nil or n > above) and (hi == nil or n <= hi)
    and (not limits.whole or n % 1 == 0)
  if ok then return nil end
  local what
  if kind == "seconds" then
    what = limits.whole and "a whole number of seconds" or "seconds"
  else
    what = limits.whole and "a whole number" or "a number"
  end
  local function g(x) return ("%.14g"):format(x) end
  local from = above ~= nil and ("above " .. g(above)) or (lo ~= nil and ("from " .. g(lo)))
  if from and hi then return ("%s %s%s to %s"):format(what, from, above ~= nil and ", up" or "", g(hi)) end
  if from then return what .. " " .. from end
  if hi then return what .. " up to " .. g(hi) end
  return (what:gsub("^a ", "a finite ", 1)) -- seconds always have limits
end

local function add(self, kind, name, default, help, limits)
  assert(type(name) == "string", "flag name must be a string")
  assert(limits == nil or type(limits) == "table", "flag limits must be a table")
  local problem = check_options(limits, "gonetrepl.flags_limits")
  if problem then error(("bad argument #4 to '%s' (limits: %s)"):format(kind, problem), 3) end
  local spec = { kind = kind, default = default, help = help or "", limits = limits or {} }
  if kind == "seconds" then
    local l = {}
    for k, v in pairs(spec.limits) do l[k] = v end
    if l.above ~= nil and l.above < 0 then l.above = nil end -- never negative
    if l.above == nil and (l.min == nil or l.min < 0) then l.min = 0 end
    if l.max == nil or l.max > flags.MAX_SECONDS then l.max = flags.MAX_SECONDS end
    spec.limits = l
  end
  if (kind == "number" or kind == "seconds") and default ~= nil then
    assert(type(default) == "number" and
      check_number(default, spec.limits, kind) == nil, "flag --" .. name .. ": default out of its limits")
  end
  self.specs[name] = spec
  self.order[#self.order + 1] = name
  return self
end

function Parser:number(name, default, help, limits) return add(self, "number", name, default, help, limits) end
function Parser:seconds(name, default, help, limits) return add(self, "seconds", name, default, help, limits) end
function Parser:string(name, default, help) return add(self, "string", name, default, help) end
function Parser:bool(name, default, help) return add(self, "bool", name, default or false, help) end

-- list declares --name, which may be given any number of times: opts.name
-- lists the values in the order given. values (default 1) is how many
-- arguments each --name takes; over 1, each item is a list of them.
function Parser:list(name, help, values)
  if values ~= nil and (type(values) ~= "number" or values < 1 or values > 16 or values % 1 ~= 0) then
    error("bad argument #3 to 'list' (nil or a whole number from 1 to 16 expected)", 2)
  end
  add(self, "list", name, nil, help)
  self.specs[name].values = values or 1
  return self
end

-- help_text returns the usage, the description and one line per option.
function Parser:help_text()
  local lines = { "usage: " .. self.usage }
  if self.description then lines[#lines + 1] = self.description end
  if #self.order > 0 then lines[#lines + 1] = "options:" end
  local width = 0
  for _, name in ipairs(self.order) do
    local spec = self.specs[name]
    local left = "--" .. name .. (spec.kind == "bool" and "" or " " .. metavar(spec))
    width = math.max(width, #left)
  end
  for _, name in ipairs(self.order) do
    local spec = self.specs[name]
    local left = "--" .. name .. (spec.kind == "bool" and "" or " " .. metavar(spec))
    local default = ""
    if spec.kind == "list" then
      default = " (repeatable)"
    elseif spec.kind ~= "bool" and spec.default ~= nil then default = " (default " .. tostring(spec.default) .. ")" end
    lines[#lines + 1] = ("  %-" .. width .. "s  %s%s"):format(left, spec.help, default)
  end
  lines[#lines + 1] = ("  %-" .. width .. "s  %s"):format("-h, --help", "show this help")
  return table.concat(lines, "\n")
end

local function convert(spec, name, value)
  if spec.kind == "number" or spec.kind == "seconds" then
    local n = tonumber(value)
    local want = check_number(n or 0, spec.limits, spec.kind)
    if n == nil or want then
      return nil, ("--%s: %s expected, got \"%s\""):format(name, want or (spec.kind == "seconds" and "seconds" or "number"),
        bin.escape(value, 40))
    end
    return n
  elseif spec.kind == "bool" then
    if value == "true" or value == "1" then return true end
    if value == "false" or value == "0" then return false end
    return nil, ("--%s: true or false expected, got \"%s\""):format(name, bin.escape(value, 40))
  end
  return value
end

-- try_parse parses argv (the script's arg table) into options and the
-- positional arguments. It returns nil, message on a bad option and
-- "help" when help was asked for.
function Parser:try_parse(argv)
  local opts, args = {}, {}
  for name, spec in pairs(self.specs) do
    if spec.kind == "list" then opts[name] = {} else opts[name] = spec.default end
  end
  local i, only_args = 1, false
  while argv[i] ~= nil do
    local a = argv[i]
    if only_args or a:sub(1, 1) ~= "-" or a == "-" then
      args[#args + 1] = a
    elseif a == "--" then
      only_args = true
    elseif a == "-h" or a == "--help" then
      return "help"
    else
      local name, value = a:match("^%-%-?([^=]+)=(.*)$")
      name = name or a:match("^%-%-?(.+)$")
      local spec = self.specs[name]
      if not spec then return nil, ("unknown option %s"):format(a) end
      if spec.kind == "list" and spec.values > 1 then
        if value ~= nil then
          return nil, ("--%s takes %d values: --%s %s"):format(name, spec.values, name, metavar(spec))
        end
        local item = {}
        for k = 1, spec.values do
          item[k] = argv[i + k]
          if item[k] == nil then
            return nil, ("--%s needs %d values: --%s %s"):format(name, spec.values, name, metavar(spec))
          end
        end
        i = i + spec.values
        value = item
      elseif value == nil then
        if spec.kind == "bool" then
          value = "true"
        else
          i = i + 1
          value = argv[i]
          if value == nil then return nil, ("--%s needs a value"):format(name) end
        end
      end
      local v, err = convert(spec, name, value)
      if err then return nil, err end
      if spec.kind == "list" then
        local list = opts[name]
        list[#list + 1] = v
      else
        opts[name] = v
      end
    end
    i = i + 1
  end
  local n = self.nargs
  if n then
    if n.max ~= nil and #args > n.max then
      return nil, ("unexpected argument \"%s\""):format(bin.escape(args[n.max + 1], 40))
    end
    if #args < n.min then
      local what = n.what or "argument"
      if n.min == 1 then return nil, "missing " .. what end
      return nil, ("missing %s (%d expected, got %d)"):format(what, n.min, #args)
    end
  end
  return opts, args
end

-- parse is try_parse for scripts: it exits on --help (status 0) and on a
-- bad option (status 2, message and usage on stderr).
function Parser:parse(argv)
  local opts, args = self:try_parse(argv or {})
  if opts == "help" then
    print(self:help_text())
    os.exit(0)
  elseif opts == nil then
    io.stderr:write(args, "\n", self:help_text(), "\n")
    os.exit(2)
  end
  return opts, args
end

return flags
