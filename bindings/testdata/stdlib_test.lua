-- The modules embedded in the binary, found by require.

function TestRequireModules(t)
  assert(require("net") == net and require("task") == task and require("time") == time)
  local flags = require("flags")
  assert(require("flags") == flags, "require caches the module")
  local ok, err = pcall(require, "no_such_module")
  assert(not ok and err:find("no_such_module"), err)
end

function TestFlags(t)
  local flags = require("flags")
  local cli = flags.new("prog [options] ADDR", "A test program.")
  cli:number("idle", 0, "idle seconds")
  cli:string("name", "anon", "a name")
  cli:bool("quiet", false, "say less")
  local opts, args = cli:try_parse({ "--idle", "2.5", "127.0.0.1:1", "--name=bob", "--quiet", "--", "--not-an-option" })
  assert(opts.idle == 2.5 and opts.name == "bob" and opts.quiet == true)
  assert(#args == 2 and args[1] == "127.0.0.1:1" and args[2] == "--not-an-option")
  opts = cli:try_parse({})
  assert(opts.idle == 0 and opts.name == "anon" and opts.quiet == false)
  assert(cli:try_parse({ "--help" }) == "help")
  local bad, msg = cli:try_parse({ "--idle", "soon" })
  assert(bad == nil and msg:find("number expected"), msg)
  bad, msg = cli:try_parse({ "--nope" })
  assert(bad == nil and msg:find("unknown option %-%-nope"), msg)
  bad, msg = cli:try_parse({ "--name" })
  assert(bad == nil and msg:find("needs a value"), msg)
  local help = cli:help_text()
  assert(help:find("usage: prog %[options%] ADDR") and help:find("%-%-idle NUMBER") and help:find("%-%-quiet"), help)
end

-- table.concat joins any number of pieces (gopher-lua's own overflowed its
-- stack past about 128K), with Lua 5.1's arguments and errors.
function TestTableConcat(t)
  local pieces = {}
  for i = 1, 300000 do pieces[i] = "x" end
  assert(#table.concat(pieces) == 300000)
  assert(#table.concat(pieces, ",") == 599999)
  assert(table.concat({ 1, "a", 2.5 }, "-") == "1-a-2.5")
  assert(table.concat({ "a", "b", "c", "d" }, "", 2, 3) == "bc")
  assert(table.concat({ "a" }, ",", 3) == "")
  assert(table.concat({}) == "")
  local ok, err = pcall(table.concat, { "a", {}, "c" })
  assert(not ok and tostring(err):find("invalid value (at index 2) in table for 'concat'", 1, true), tostring(err))
end

-- unpack of a big table pushes every value on the task's stack, which
-- grows from 32 slots: all of them arrive, in order.
function TestUnpackBigTable(t)
  local big = {}
  for i = 1, 100000 do big[i] = i end
  local function count(...) return select("#", ...), select(100000, ...) end
  local got = task.spawn(function() return count(unpack(big)) end)
  local n, last = got:wait(10)
  assert(n == 100000 and last == 100000, tostring(n))
end
