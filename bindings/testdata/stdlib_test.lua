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

-- Number options are refused at parse time unless finite and within their
-- limits; seconds never exceed what a Go duration holds (issue 14).
function TestFlagsLimits(t)
  local flags = require("flags")
  local cli = flags.new("prog")
  cli:number("any", 0, "any finite number")
  cli:number("count", 10, "a count", { min = 1, max = 100, whole = true })
  cli:number("pct", 0, "a percentage", { min = 0, max = 100 })
  cli:seconds("idle", 0, "idle seconds")
  cli:seconds("timeout", 1, "a timeout", { above = 0 })
  local opts = assert(cli:try_parse({ "--any=-2.5", "--count", "100", "--pct", "99.5", "--idle", "9e9", "--timeout", "0.001" }))
  assert(opts.any == -2.5 and opts.count == 100 and opts.pct == 99.5 and opts.idle == 9e9 and opts.timeout == 0.001)
  for _, c in ipairs({
    { { "--any", "1e400" }, "--any: a finite number expected, got \"1e400\"" },
    { { "--any", "-1e400" }, "--any: a finite number expected" },
    { { "--count", "0" }, "--count: a whole number from 1 to 100 expected, got \"0\"" },
    { { "--count", "2.5" }, "--count: a whole number from 1 to 100 expected" },
    { { "--count", "101" }, "--count: a whole number from 1 to 100 expected" },
    { { "--pct", "-0.1" }, "--pct: a number from 0 to 100 expected" },
    { { "--idle", "1e300" }, "--idle: seconds from 0 to 9000000000 expected, got \"1e300\"" },
    { { "--idle", "-1" }, "--idle: seconds from 0 to 9000000000 expected" },
    { { "--idle", "soon" }, "--idle: seconds expected, got \"soon\"" },
    { { "--timeout", "0" }, "--timeout: seconds above 0, up to 9000000000 expected" },
    { { "--idle", "\27]0;x\7" }, "--idle: seconds expected, got \"\\27]0;x\\7\"" },
  }) do
    local bad, msg = cli:try_parse(c[1])
    assert(bad == nil and msg:sub(1, #c[2]) == c[2], table.concat(c[1], " ") .. ": " .. tostring(msg))
  end
  assert(cli:help_text():find("%-%-idle SECONDS"), cli:help_text())
  -- Seconds are never negative, whatever the limits say.
  local neg = flags.new("prog"):seconds("wait", 1, "", { above = -5, min = -3 })
  assert(neg:try_parse({ "--wait", "0" }) and not neg:try_parse({ "--wait", "-1" }))
  -- A default outside its own limits is the script's bug: it raises.
  assert(not pcall(cli.seconds, cli, "bad", -1, "negative"))
  assert(not pcall(cli.number, cli, "bad", 0, "zero", { min = 1 }))
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

-- An integer key far past the end of a table's array part goes to its hash
-- part (gopher-lua patch 5): t[67108863] = 1 used to allocate a 1 GiB
-- array, and a peer choosing a RESP map key could make it. Every table
-- operation still sees the key where Lua says it is.
function TestSparseIntegerKeys(t)
  local sparse = {}
  for i = 1, 1000 do sparse[(2^26 - 1) - i * 7919] = i end -- 1000 keys, none near another
  sparse[2^26 - 1] = "last"
  assert(sparse[2^26 - 1] == "last" and sparse[(2^26 - 1) - 7919] == 1)
  local n = 0
  for k, v in pairs(sparse) do n = n + 1 assert(sparse[k] == v) end
  assert(n == 1001, n)
  assert(#sparse == 0)

  -- Filling up to hash-part keys takes them into the array, once each.
  local t1 = { [5000] = "five thousand", [3000] = "three thousand" }
  for i = 1, 1500 do t1[i] = i end
  t1[2500] = "grows the array past 2000"  -- within reach: the array grows to it
  for i = 1501, 2499 do t1[i] = i end
  table.insert(t1, "appended")             -- 2501
  assert(t1[3000] == "three thousand" and t1[5000] == "five thousand" and t1[2501] == "appended")
  for i = 2502, 2999 do t1[i] = i end
  assert(#t1 == 3000, #t1)                  -- 3000 came in from the hash part
  local seen = {}
  for k in pairs(t1) do assert(not seen[k], "key twice: " .. k) seen[k] = true end
  local count = 0 for _ in pairs(seen) do count = count + 1 end
  assert(count == 3001, count)
  for i, v in ipairs(t1) do assert(i <= 3000) end
  t1[5000] = nil
  assert(t1[5000] == nil)
  assert(select("#", unpack(t1)) == 3000)
end

-- tonumber reads what Lua 5.1 reads (gopher-lua patch 6): exponents
-- without a point, and integers too long for an int64, as Redis writes
-- doubles ("1e+100"); still nil for what is not a number.
function TestToNumberDecimal(t)
  assert(tonumber("1e5") == 100000)
  assert(tonumber("1e+100") == 1e100)
  assert(tonumber("-2E-3") == -0.002)
  assert(tonumber("99999999999999999999") == 1e20)
  assert(tonumber(" 12 ") == 12 and tonumber("0x10") == 16 and tonumber("z", 36) == 35)
  for _, s in ipairs({ "", "e5", "1e", "1e+", "inf", "nan", "1.2.3", "--1", "1e5", "0x" }) do
    if s ~= "1e5" then assert(tonumber(s) == nil, s) end
  end
  assert(tonumber("1e5", 10) == nil) -- with a base, integers only, as before
end

-- cli:args bounds the positional arguments: an extra one is refused by
-- name, a missing one names what is missing (issue 16).
function TestFlagsArgs(t)
  local flags = require("flags")
  local cli = flags.new("prog [options] [ADDR]"):args(0, 1, "ADDR")
  cli:bool("quiet", false, "say less")
  local opts, args = cli:try_parse({ "127.0.0.1:1", "--quiet" })
  assert(opts and args[1] == "127.0.0.1:1" and #args == 1)
  assert(cli:try_parse({}))
  local bad, msg = cli:try_parse({ "127.0.0.1:1", "extra", "more" })
  assert(bad == nil and msg == 'unexpected argument "extra"', msg)
  bad, msg = cli:try_parse({ "--", "a", "--b" })
  assert(bad == nil and msg == 'unexpected argument "--b"', msg)
  bad, msg = cli:try_parse({ "a", "\27[2J" })
  assert(bad == nil and msg == 'unexpected argument "\\27[2J"', msg)

  local one = flags.new("prog NAME"):args(1, 1, "NAME")
  bad, msg = one:try_parse({})
  assert(bad == nil and msg == "missing NAME", msg)
  local two = flags.new("prog HOST PORTS"):args(2, 2, "HOST and PORTS")
  bad, msg = two:try_parse({ "h" })
  assert(bad == nil and msg == "missing HOST and PORTS (2 expected, got 1)", msg)
  local many = flags.new("prog MSG..."):args(1, nil, "MSG")
  opts, args = many:try_parse({ "a", "b", "c", "d" })
  assert(opts and #args == 4)

  -- Without args, any number is accepted, as before.
  opts, args = flags.new("prog"):try_parse({ "a", "b" })
  assert(opts and #args == 2)

  for _, c in ipairs({ { -1 }, { 1.5 }, { "1" }, { 2, 1 }, { 0, 1.5 }, { 0, 1, 7 } }) do
    local ok, err = pcall(cli.args, cli, c[1], c[2], c[3])
    assert(not ok and err:find("bad argument #%d to 'args'"), tostring(err))
  end
end

-- A help line shows the metavar its text names in capitals, else the type.
function TestFlagsMetavar(t)
  local flags = require("flags")
  local cli = flags.new("prog")
  cli:seconds("idle", 0, "disconnect a client after SECONDS without data (0: never)")
  cli:string("server", nil, "ask the DNS server at HOST:PORT instead")
  cli:string("srv", nil, "the SRV records of SERVICE/PROTO (http/tcp: _http._tcp.NAME)")
  cli:number("count", 1, "how many pings to send")
  cli:string("name", nil, "a name")
  local help = cli:help_text()
  assert(help:find("%-%-idle SECONDS  ") and help:find("%-%-server HOST:PORT ") and
    help:find("%-%-srv SERVICE/PROTO ") and help:find("%-%-count NUMBER ") and
    help:find("%-%-name STRING "), help)
end

-- cli:list: an option given any number of times, each value kept in
-- order; with values = n, each --name takes n arguments.
function TestFlagsList(t)
  local flags = require("flags")
  local cli = flags.new("prog [options] ADDR")
  cli:list("header", "add a header line K: V")
  cli:list("tls", "CERT KEY: the certificate and key", 2)
  cli:bool("quiet", false, "say less")
  local opts, args = cli:try_parse({ "--header", "A: 1", "x", "--header=B: 2=3", "--tls", "c.pem", "k.pem", "--quiet" })
  assert(opts, args)
  assert(#opts.header == 2 and opts.header[1] == "A: 1" and opts.header[2] == "B: 2=3", table.concat(opts.header, "|"))
  assert(#opts.tls == 1 and opts.tls[1][1] == "c.pem" and opts.tls[1][2] == "k.pem")
  assert(opts.quiet == true and #args == 1 and args[1] == "x")

  -- Never given: an empty list, a fresh one on each parse.
  local none = cli:try_parse({})
  assert(type(none.header) == "table" and #none.header == 0 and #none.tls == 0)
  none.header[1] = "kept?"
  assert(#cli:try_parse({}).header == 0)

  local bad, msg = cli:try_parse({ "--tls", "c.pem" })
  assert(bad == nil and msg == "--tls needs 2 values: --tls CERT KEY", msg)
  bad, msg = cli:try_parse({ "--tls=c.pem", "k.pem" })
  assert(bad == nil and msg == "--tls takes 2 values: --tls CERT KEY", msg)
  bad, msg = cli:try_parse({ "--header" })
  assert(bad == nil and msg == "--header needs a value", msg)

  local help = cli:help_text()
  assert(help:find("%-%-header K  ") == nil, help) -- "K" is one letter: not a metavar
  assert(help:find("%-%-header VALUE  add a header line K: V %(repeatable%)"), help)
  assert(help:find("%-%-tls CERT KEY  ", 1, false), help)

  for _, v in ipairs({ 0, 1.5, "2", 17 }) do
    local ok, err = pcall(cli.list, cli, "x", "help", v)
    assert(not ok and err:find("bad argument #3 to 'list'"), tostring(err))
  end
end
