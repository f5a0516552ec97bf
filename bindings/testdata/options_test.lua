-- Options tables refuse keys they do not know (issue 16): a typo is an
-- argument error naming the argument and, when a known name is near, that
-- name; a key that is not a string is refused too. The accepted keys are
-- the shapes the type stubs declare (bindings/fields.go).

-- refused calls f and checks that it raised an error containing want
-- (plain text).
local function refused(want, f)
  local ok, err = pcall(f)
  assert(not ok, "accepted, want an error containing: " .. want)
  err = tostring(err)
  assert(err:find(want, 1, true), "error: " .. err .. "\nwant: " .. want)
  return err
end

function TestDialUnknownOption(t)
  local ln = assert(net.listen("tcp", "127.0.0.1:0"))
  local err = refused("bad argument #3 to dial (opts: unknown option 'timeuot' (did you mean 'timeout'?))", function() return net.dial("tcp", ln:addr(), { timeuot = 2 }) end)
  refused("unknown option 'local' (did you mean 'local_addr'?)", function() return net.dial("tcp", ln:addr(), { ["local"] = "127.0.0.1:0" }) end)
  refused("unknown option 'bogus' (options: timeout, keepalive, local_addr, server, via)", function() return net.dial("tcp", ln:addr(), { bogus = 1 }) end)
  refused("unknown option [1] (options are named: timeout, keepalive, local_addr, server, via)", function() return net.dial("tcp", ln:addr(), { 2 }) end)
  refused("unknown option of type table", function() return net.dial("tcp", ln:addr(), { [{}] = 1 }) end)
  -- Every known key still works, and the same bad key is named whatever
  -- the order: the least one.
  local c = assert(net.dial("tcp", ln:addr(), { timeout = 2, keepalive = false, local_addr = "127.0.0.1:0" }))
  c:close()
  for _ = 1, 5 do
    refused("unknown option 'aaa'", function() return net.dial("tcp", ln:addr(), { zzz = 1, aaa = 1, mmm = 1, timeout = 1 }) end)
  end
  -- A key with control bytes is shown escaped.
  refused([[unknown option '\x1b[2J']], function() return net.dial("tcp", ln:addr(), { ["\27[2J"] = 1 }) end)
  ln:close()
end

function TestLookupUnknownOption(t)
  refused("bad argument #2 to lookup_host (opts: unknown option 'sever' (did you mean 'server'?))", function() return net.lookup_host("localhost", { sever = "127.0.0.1:53" }) end)
  refused("bad argument #3 to resolve_addr (opts: unknown option 'timout' (did you mean 'timeout'?))", function() return net.resolve_addr("tcp", "localhost:1", { timout = 1 }) end)
  refused("(opts: unknown option 'x'", function() return net.lookup_srv("", "", "localhost", { x = 1 }) end)
end

function TestTLSUnknownOption(t)
  refused("bad argument #2 to dial (opts: unknown option 'insecur' (did you mean 'insecure'?))", function() return tls.dial("127.0.0.1:1", { insecur = true }) end)
  refused("bad argument #2 to listen (opts: unknown option 'selfsigned' (did you mean 'self_signed'?))", function() return tls.listen("127.0.0.1:0", { selfsigned = true }) end)
  local a, b = net.pipe()
  refused("bad argument #2 to client (opts: unknown option 'servername' (did you mean 'server_name'?))", function() return tls.client(a, { servername = "x" }) end)
  refused("bad argument #2 to server (opts: unknown option 'client_cas' (did you mean 'client_ca'?))", function() return tls.server(b, { client_cas = "x" }) end)
  a:close()
  b:close()
end

function TestFrameAndExchangeUnknownOption(t)
  local a, b = net.pipe()
  refused("bad argument #3 to write_frame (opts: unknown option 'endian'", function() return a:write_frame("x", { endian = "little" }) end)
  refused("bad argument #2 to read_frame (opts: unknown option 'maxx' (did you mean 'max'?))", function() return b:read_frame({ maxx = 1 }) end)
  a:close()
  b:close()
  local pc = assert(net.listen_packet("udp", "127.0.0.1:0"))
  local c = assert(net.dial("udp", pc:local_addr()))
  refused("(opts: unknown option 'retry' (did you mean 'retries'?))", function() return c:exchange("q", { retry = 1 }) end)
  refused("(opts: unknown option 'tries'", function() return pc:exchange("q", pc:local_addr(), { tries = 1 }) end)
  c:close()
  pc:close()
end

function TestHTTPUnknownOption(t)
  local http = require("http")
  refused("bad argument #2 to http.get (opts: unknown option 'timeuot' (did you mean 'timeout'?))", function() return http.get("http://127.0.0.1:1/", { timeuot = 2 }) end)
  refused("bad argument #1 to http.request (req: unknown option 'metod' (did you mean 'method'?))", function() return http.request({ url = "http://127.0.0.1:1/", metod = "POST" }) end)
  refused("bad argument #1 to http.client (opts: unknown option 'maxidle' (did you mean 'max_idle'?))", function() return http.client({ maxidle = 1 }) end)
  local cl = http.client({ max_idle = 1, timeout = 1 })
  refused("bad argument #2 to get (opts: unknown option 'header' (did you mean 'headers'?))", function() return cl:get("http://127.0.0.1:1/", { header = {} }) end)
  refused("bad argument #1 to request (req: unknown option 'bodyy' (did you mean 'body'?))", function() return cl:request({ url = "http://127.0.0.1:1/", bodyy = "" }) end)
  cl:close()
  refused("bad argument #3 to http.serve (opts: unknown option 'idle_timeout'", function() return http.serve("127.0.0.1:0", function() end, { idle_timeout = 1 }) end)
  refused("unknown option [1]", function() return http.get("http://127.0.0.1:1/", { 1 }) end)
end

function TestRESPUnknownOption(t)
  local resp = require("resp")
  refused("bad argument #2 to 'connect' (opts: unknown option 'pasword' (did you mean 'password'?))", function() return resp.connect("127.0.0.1:1", { pasword = "x" }) end)
  local a, b = net.pipe()
  refused("bad argument #2 to 'new' (opts: unknown option 'onpush' (did you mean 'on_push'?))", function() return resp.new(a, { onpush = print }) end)
  refused("bad argument #2 to 'read_reply' (opts: unknown option 'max_bulks' (did you mean 'max_bulk'?))", function() return resp.read_reply(a, { max_bulks = 1 }) end)
  refused("bad argument #2 to 'read_command' (opts: unknown option 'depth'", function() return resp.read_command(b, { depth = 1 }) end)
  a:close()
  b:close()
end

function TestFlagsUnknownLimit(t)
  local flags = require("flags")
  local cli = flags.new("prog")
  refused("bad argument #4 to 'number' (limits: unknown option 'mn' (did you mean 'min'?))", function() return cli:number("count", 1, "a count", { mn = 1 }) end)
  refused("bad argument #4 to 'seconds' (limits: unknown option 'integer'", function() return cli:seconds("idle", 1, "secs", { integer = true }) end)
  cli:number("ok", 1, "fine", { min = 0, max = 2, above = -1, whole = true })
end
