-- DNS lookups against a real server: dnsmasq on loopback, started by
-- dns_test.go, whose address is the global DNS_SERVER; SILENT_DNS_SERVER
-- reads queries and never answers. The records are listed in
-- internal/dnstest. Nothing here asks the machine's resolver.

local function opts(extra)
  local o = { server = DNS_SERVER, timeout = 10 }
  for k, v in pairs(extra or {}) do o[k] = v end
  return o
end

-- sorted returns the tostring of each value of list, sorted, joined by " ".
local function sorted(list)
  local out = {}
  for i, v in ipairs(list) do out[i] = tostring(v) end
  table.sort(out)
  return table.concat(out, " ")
end

local expect_error = require("testhelp").expect_error

function TestLookupHost(t)
  local addrs = assert(net.lookup_host("www.gonetrepl.test", opts()))
  assert(sorted(addrs) == "192.0.2.10 2001:db8::10", sorted(addrs))
  assert(type(addrs[1]) == "string")
end

function TestLookupIP(t)
  local v4 = assert(net.lookup_ip("ip4", "www.gonetrepl.test", opts()))
  assert(#v4 == 1 and tostring(v4[1]) == "192.0.2.10", sorted(v4))
  assert(v4[1] == net.parse_ip("192.0.2.10"), "an ip value")
  assert(v4[1]:to4() ~= nil)
  local v6 = assert(net.lookup_ip("ip6", "www.gonetrepl.test", opts()))
  assert(#v6 == 1 and tostring(v6[1]) == "2001:db8::10", sorted(v6))
  assert(v6[1]:to4() == nil)
  local both = assert(net.lookup_ip("ip", "www.gonetrepl.test", opts()))
  assert(sorted(both) == "192.0.2.10 2001:db8::10", sorted(both))
  -- Through the CNAME.
  local alias = assert(net.lookup_ip("ip4", "alias.gonetrepl.test", opts()))
  assert(tostring(alias[1]) == "192.0.2.10", sorted(alias))
end

function TestLookupCNAME(t)
  assert(net.lookup_cname("alias.gonetrepl.test", opts()) == "www.gonetrepl.test.")
  -- A name without a CNAME is its own canonical name.
  assert(net.lookup_cname("www.gonetrepl.test", opts()) == "www.gonetrepl.test.")
end

function TestLookupMX(t)
  local mxs = assert(net.lookup_mx("gonetrepl.test", opts()))
  assert(#mxs == 2, #mxs)
  -- Sorted by preference.
  assert(mxs[1].host == "mail.gonetrepl.test." and mxs[1].pref == 10, mxs[1].host)
  assert(mxs[2].host == "mail2.gonetrepl.test." and mxs[2].pref == 20, mxs[2].host)
end

function TestLookupTXT(t)
  local txts = assert(net.lookup_txt("gonetrepl.test", opts()))
  -- One string per record: "hello" "world" is one record of two strings.
  table.sort(txts)
  assert(#txts == 2 and txts[1] == "helloworld" and txts[2] == "v=spf1 -all", table.concat(txts, "|"))
end

function TestLookupSRV(t)
  for _, q in ipairs({ { "http", "tcp", "gonetrepl.test" }, { "", "", "_http._tcp.gonetrepl.test" } }) do
    local srvs = assert(net.lookup_srv(q[1], q[2], q[3], opts()))
    assert(#srvs == 1, #srvs)
    local s = srvs[1]
    assert(s.target == "www.gonetrepl.test." and s.port == 8080 and s.priority == 1 and s.weight == 5,
      ("%s %s %s %s"):format(s.target, s.port, s.priority, s.weight))
  end
end

function TestLookupNS(t)
  local nss = assert(net.lookup_ns("gonetrepl.test", opts()))
  assert(sorted(nss) == "ns1.gonetrepl.test. ns2.gonetrepl.test.", sorted(nss))
end

function TestLookupAddr(t)
  local names = assert(net.lookup_addr("192.0.2.10", opts()))
  assert(#names == 1 and names[1] == "www.gonetrepl.test.", sorted(names))
  -- An ip value works as well as a string.
  names = assert(net.lookup_addr(net.parse_ip("2001:db8::10"), opts()))
  assert(#names == 1 and names[1] == "www.gonetrepl.test.", sorted(names))
  expect_error("no_such_host", net.lookup_addr("192.0.2.99", opts()))
  -- Not an address: Go's resolver says so.
  local err = expect_error("other", net.lookup_addr("not-an-ip", opts()))
  assert(tostring(err):find("unrecognized address", 1, true), tostring(err))
end

function TestLookupPort(t)
  assert(net.lookup_port("tcp", "http") == 80)
  assert(net.lookup_port("udp", "domain") == 53)
  assert(net.lookup_port("tcp", "8080") == 8080)
  local r, err = net.lookup_port("tcp", "no-such-service")
  assert(r == nil and err, "unknown service")
end

function TestNoSuchHost(t)
  local name = "nx.gonetrepl.test"
  local err = expect_error("no_such_host", net.lookup_host(name, opts()))
  assert(err.addr == name, tostring(err.addr))
  assert(err.op == "lookup", tostring(err.op))
  -- The message names the server asked, not the system's.
  assert(tostring(err):find(DNS_SERVER, 1, true), tostring(err))
  expect_error("no_such_host", net.lookup_ip("ip", name, opts()))
  -- Rooted names from here: for these lookups Go reports the error of the
  -- last name it tried, and with a search domain in /etc/resolv.conf that
  -- would be name.search-domain, which the server refuses.
  expect_error("no_such_host", net.lookup_cname(name .. ".", opts()))
  expect_error("no_such_host", net.lookup_txt(name .. ".", opts()))
  -- A name with records, but none of the type asked.
  expect_error("no_such_host", net.lookup_mx("www.gonetrepl.test.", opts()))
  expect_error("no_such_host", net.lookup_srv("ftp", "tcp", "gonetrepl.test.", opts()))
end

function TestTimeout(t)
  local timeout = 0.5
  local start = time.now()
  local err = expect_error("timeout",
    net.lookup_host("www.gonetrepl.test", { server = SILENT_DNS_SERVER, timeout = timeout }))
  local elapsed = time.now() - start
  assert(elapsed < timeout + 2, ("took %.2fs for a %gs timeout"):format(elapsed, timeout))
  assert(err.addr == "www.gonetrepl.test", tostring(err.addr))
  expect_error("timeout", net.lookup_mx("gonetrepl.test", { server = SILENT_DNS_SERVER, timeout = 0.2 }))
end

function TestCancelBlockedLookup(t)
  local started = task.chan(1)
  local tk = task.spawn(function()
    started:send(true)
    -- A tail call: once the lookup returns, the task has no instruction
    -- left to stop at, so wait hands back the lookup's own results.
    return net.lookup_host("www.gonetrepl.test", { server = SILENT_DNS_SERVER, timeout = 60 })
  end)
  assert(started:recv(5))
  -- Still blocked a while later; this task kept running meanwhile.
  local r, err = tk:wait(0.2)
  assert(r == nil and err.kind == "timeout", "lookup should still be waiting: " .. tostring(err))
  local start = time.now()
  tk:cancel()
  local r2, cerr = tk:wait(10)
  assert(r2 == nil and cerr and cerr.kind == "canceled", tostring(cerr))
  -- At once, not after the resolver's 5 s query timeout.
  local elapsed = time.now() - start
  assert(elapsed < 2, ("cancel took %.2fs"):format(elapsed))
end

function TestConcurrentLookups(t)
  local n = 20
  local results = task.chan(n)
  for i = 1, n do
    task.spawn(function()
      local mxs = assert(net.lookup_mx("gonetrepl.test", opts()))
      results:send(#mxs)
    end)
  end
  for _ = 1, n do assert(results:recv(30) == 2) end
end

function TestLookupBadArguments(t)
  local cases = {
    { function() return net.lookup_ip("tcp", "www.gonetrepl.test") end, "network:" },
    { function() return net.lookup_host("x", { server = "no-port" }) end, "opts.server:" },
    { function() return net.lookup_host("x", { server = 53 }) end, "opts.server:" },
    { function() return net.lookup_host("x", { timeout = -1 }) end, "opts.timeout:" },
    { function() return net.lookup_mx(42) end, "name:" },
    { function() return net.lookup_port("ip", "http") end, "network:" },
    { function() return net.lookup_addr({}) end, "ip:" },
  }
  for i, case in ipairs(cases) do
    local ok, err = pcall(case[1])
    assert(not ok, "case " .. i .. " did not raise")
    assert(tostring(err):find(case[2], 1, true), "case " .. i .. ": " .. tostring(err))
  end
end

-- net.dial and net.resolve_addr take the lookups' server option: the host
-- is looked up at DNS_SERVER (local.gonetrepl.test is 127.0.0.1 there),
-- and bytes cross the conn it dials. Errors name that server.
function TestDialAndResolveAskServer(t)
  local ln = assert(net.listen("tcp", "127.0.0.1:0"))
  ln:serve(function(c) c:write("hello " .. c:read_line() .. "\n") end)
  local port = ln:addr().port
  local c = assert(net.dial("tcp", "local.gonetrepl.test:" .. port, {server = DNS_SERVER, timeout = 10}))
  assert(c:write("dns\n") and c:read_line() == "hello dns")
  assert(c:remote_addr() == ln:addr())
  c:close()
  local a = assert(net.resolve_addr("tcp", "local.gonetrepl.test:" .. port, opts()))
  assert(a == ln:addr(), tostring(a))
  a = assert(net.resolve_addr("udp4", "www.gonetrepl.test:53", opts()))
  assert(a.ip == "192.0.2.10" and a.port == 53, tostring(a))
  -- A name the server does not have: no_such_host, naming the server.
  local err = expect_error("no_such_host", net.dial("tcp", "nosuch.gonetrepl.test:" .. port, opts()))
  assert(tostring(err):find(DNS_SERVER, 1, true), tostring(err))
  err = expect_error("no_such_host", net.resolve_addr("tcp", "nosuch.gonetrepl.test:80", opts()))
  assert(tostring(err):find(DNS_SERVER, 1, true), tostring(err))
  -- A server that never answers: the timeout covers the lookup.
  expect_error("timeout", net.dial("tcp", "local.gonetrepl.test:" .. port, {server = SILENT_DNS_SERVER, timeout = 0.3}))
  expect_error("timeout", net.resolve_addr("tcp", "local.gonetrepl.test:80", {server = SILENT_DNS_SERVER, timeout = 0.3}))
  -- A server that is not host:port is an argument error.
  local ok, msg = pcall(net.dial, "tcp", "local.gonetrepl.test:80", {server = "nope"})
  assert(not ok and tostring(msg):find("opts.server", 1, true), tostring(msg))
  ok, msg = pcall(net.resolve_addr, "tcp", "local.gonetrepl.test:80", {server = "nope"})
  assert(not ok and tostring(msg):find("opts.server", 1, true), tostring(msg))
  ln:close()
end
