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

local flags = {}

local Parser = {}
Parser.__index = Parser

function flags.new(usage, description)
  return setmetatable({ usage = usage, description = description, specs = {}, order = {} }, Parser)
end

local function add(self, kind, name, default, help)
  assert(type(name) == "string", "flag name must be a string")
  self.specs[name] = { kind = kind, default = default, help = help or "" }
  self.order[#self.order + 1] = name
  return self
end

function Parser:number(name, default, help) return add(self, "number", name, default, help) end
function Parser:string(name, default, help) return add(self, "string", name, default, help) end
function Parser:bool(name, default, help) return add(self, "bool", name, default or false, help) end

-- help_text returns the usage, the description and one line per option.
function Parser:help_text()
  local lines = { "usage: " .. self.usage }
  if self.description then lines[#lines + 1] = self.description end
  if #self.order > 0 then lines[#lines + 1] = "options:" end
  local width = 0
  for _, name in ipairs(self.order) do
    local spec = self.specs[name]
    local left = "--" .. name .. (spec.kind == "bool" and "" or " " .. spec.kind:upper())
    width = math.max(width, #left)
  end
  for _, name in ipairs(self.order) do
    local spec = self.specs[name]
    local left = "--" .. name .. (spec.kind == "bool" and "" or " " .. spec.kind:upper())
    local default = ""
    if spec.kind ~= "bool" and spec.default ~= nil then default = " (default " .. tostring(spec.default) .. ")" end
    lines[#lines + 1] = ("  %-" .. width .. "s  %s%s"):format(left, spec.help, default)
  end
  lines[#lines + 1] = ("  %-" .. width .. "s  %s"):format("-h, --help", "show this help")
  return table.concat(lines, "\n")
end

local function convert(spec, name, value)
  if spec.kind == "number" then
    local n = tonumber(value)
    if n == nil then return nil, ("--%s: number expected, got %q"):format(name, value) end
    return n
  elseif spec.kind == "bool" then
    if value == "true" or value == "1" then return true end
    if value == "false" or value == "0" then return false end
    return nil, ("--%s: true or false expected, got %q"):format(name, value)
  end
  return value
end

-- try_parse parses argv (the script's arg table) into options and the
-- positional arguments. It returns nil, message on a bad option and
-- "help" when help was asked for.
function Parser:try_parse(argv)
  local opts, args = {}, {}
  for name, spec in pairs(self.specs) do opts[name] = spec.default end
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
      if value == nil then
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
      opts[name] = v
    end
    i = i + 1
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
