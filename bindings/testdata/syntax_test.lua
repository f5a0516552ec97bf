-- Syntax errors read as lua5.1's (issue 16; gopher-lua patch "Syntax error
-- messages" in third_party/gopher-lua/GONETREPL.md): the message, the line
-- and the chunk's name, as loadstring and load return them. The root
-- package's TestSyntaxErrorsMatchLua51 compares a corpus with the real
-- lua5.1; these run everywhere.

local function load_error(...)
  local fn, err = loadstring(...)
  assert(fn == nil, "compiled")
  return err
end

local function eq(got, want)
  assert(got == want, "\n got " .. tostring(got) .. "\nwant " .. want)
end

-- loadstring names a chunk after its first line, as [string "..."].
function TestLoadstringNamesTheChunkAsLua51(t)
  eq(load_error("f = (1"), [[[string "f = (1"]:1: ')' expected near '<eof>']])
  eq(load_error("if x then\n\n y = 1"),
    [[[string "if x then..."]:3: 'end' expected (to close 'if' at line 1) near '<eof>']])
  -- A long first line is cut at 63 bytes, as Lua 5.1 cuts it.
  local long = ("x"):rep(100) .. " = (1"
  eq(load_error(long), '[string "' .. ("x"):rep(63) .. [[..."]:1: ')' expected near '<eof>']])
  -- A chunkname: "=name" is name, "@file" is file, anything else a
  -- [string].
  eq(load_error("x = = 1", "=stdin"), "stdin:1: unexpected symbol near '='")
  eq(load_error("x = = 1", "@script.lua"), "script.lua:1: unexpected symbol near '='")
  eq(load_error("x = = 1", "my chunk"), [[[string "my chunk"]:1: unexpected symbol near '=']])
end

-- load reads its chunk from a function and is "(load)" unless named.
function TestLoadNamesTheChunkAsLua51(t)
  local parts = {"for i = 1 do", " end"}
  local function reader() return table.remove(parts, 1) end
  local fn, err = load(reader)
  assert(fn == nil)
  eq(err, "(load):1: ',' expected near 'do'")
  parts = {"return return"}
  fn, err = load(reader, "=mine")
  eq(err, "mine:1: unexpected symbol near 'return'")
end

-- A runtime error in a loaded chunk names it the same way.
function TestLoadedChunkRuntimeErrorNamesIt(t)
  local fn = assert(loadstring("local t = nil\nreturn t.x"))
  local ok, err = pcall(fn)
  assert(not ok)
  assert(err:find('^%[string "local t = nil%.%.%."%]:2: '), err)
end

-- Errors the compiler found before (break outside a loop, ... outside a
-- vararg function) are worded and placed as lua5.1's too.
function TestBreakAndVarargOutsideTheirPlace(t)
  eq(load_error("while true do end break", "=t"), "t:1: no loop to break near '<eof>'")
  eq(load_error("local f = function()\n  return ...\nend", "=t"),
    "t:2: cannot use '...' outside a vararg function near '...'")
  assert(loadstring("for i = 1, 2 do if i then break end end return ..."))
end

-- A module with a syntax error: require says so as Lua 5.1's does.
function TestRequireSyntaxError(t)
  local base = os.tmpname()
  local file = base .. "_broken.lua"
  local f = assert(io.open(file, "w"))
  f:write("local M = {}\nfunction M.f(\n  return 1\nend\nreturn M\n")
  f:close()
  local path = package.path
  package.path = base .. "_?.lua"
  local ok, err = pcall(require, "broken")
  package.path = path
  os.remove(file)
  os.remove(base)
  assert(not ok)
  eq(err, "error loading module 'broken' from file '" .. file .. "':\n\t" ..
    file .. ":3: <name> or '...' expected near 'return'")
end
