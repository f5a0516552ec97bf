-- Addresses: ip and ipnet values, resolve_addr, split and join. Only
-- literals and "localhost" are resolved.

local function raises(fn, want)
  local ok, err = pcall(fn)
  assert(not ok, "did not raise; want " .. want)
  assert(tostring(err):find(want, 1, true), tostring(err))
end

function TestParseIP(t)
  local ip = assert(net.parse_ip("192.168.1.10"))
  assert(tostring(ip) == "192.168.1.10")
  assert(("ip " .. ip) == "ip 192.168.1.10" and (ip .. "!") == "192.168.1.10!", "concat")
  assert(ip:is_private() and not ip:is_loopback() and not ip:is_multicast() and not ip:is_unspecified())
  assert(ip:to4() == ip)
  assert(tostring(ip:to16()) == "::ffff:192.168.1.10", tostring(ip:to16()))
  -- An IPv4 address equals its IPv4-mapped IPv6 form, both ways.
  assert(ip:to16() == ip and ip == ip:to16())
  assert(ip:equal("::ffff:192.168.1.10") and ip:equal(ip:to16()))
  assert(not ip:equal("192.168.1.11"))
  assert(ip ~= net.parse_ip("192.168.1.11"))
  -- The mapped form answers as the IPv4 address does.
  local mapped = assert(net.parse_ip("::ffff:127.0.0.1"))
  assert(tostring(mapped) == "::ffff:127.0.0.1")
  assert(mapped:is_loopback() and tostring(mapped:to4()) == "127.0.0.1")

  local v6 = assert(net.parse_ip("2001:DB8::1"))
  assert(tostring(v6) == "2001:db8::1", tostring(v6))
  assert(v6:to4() == nil and v6:to16() == v6)
  assert(not v6:is_private() and net.parse_ip("fd00::1"):is_private())
  assert(net.parse_ip("::1"):is_loopback() and net.parse_ip("127.8.9.10"):is_loopback())
  assert(net.parse_ip("224.0.0.251"):is_multicast() and net.parse_ip("ff02::fb"):is_multicast())
  assert(net.parse_ip("0.0.0.0"):is_unspecified() and net.parse_ip("::"):is_unspecified())

  -- Zones are kept, shown, and part of equality.
  local zoned = assert(net.parse_ip("fe80::1%eth0"))
  assert(tostring(zoned) == "fe80::1%eth0", tostring(zoned))
  assert(tostring(zoned:to16()) == "fe80::1%eth0")
  assert(zoned ~= net.parse_ip("fe80::1") and zoned == net.parse_ip("fe80::1%eth0"))

  -- An ip is not equal to a string: Lua compares values of one type only.
  assert(ip ~= "192.168.1.10")
end

function TestParseIPInvalid(t)
  for _, s in ipairs({ "", "1.2.3", "256.1.1.1", "010.0.0.1", "::g", "localhost", "1.2.3.4/24", " 1.2.3.4" }) do
    local ip, err = net.parse_ip(s)
    assert(ip == nil, "parsed " .. s)
    assert(err.kind == "other", err.kind)
    assert(tostring(err) == "invalid IP address: " .. s, tostring(err))
  end
  raises(function() net.parse_ip(1234) end, "bad argument #1 to parse_ip (s: string expected, got number)")
end

function TestParseCIDR(t)
  local ip, n = net.parse_cidr("192.168.1.10/24")
  assert(tostring(ip) == "192.168.1.10", tostring(ip))
  assert(tostring(n) == "192.168.1.0/24", tostring(n))
  assert(("net " .. n) == "net 192.168.1.0/24")
  assert(n.ip == net.parse_ip("192.168.1.0") and n.mask == "255.255.255.0" and n.bits == 24)
  assert(n:contains(ip) and n:contains("192.168.1.255") and not n:contains("192.168.2.1"))
  assert(n:contains("::ffff:192.168.1.7"), "an IPv4-mapped address is in an IPv4 network")
  assert(not n:contains("2001:db8::1"))
  assert(n == select(2, net.parse_cidr("192.168.1.99/24")))

  local ip6, n6 = net.parse_cidr("2001:db8:a::1/48")
  assert(tostring(ip6) == "2001:db8:a::1" and tostring(n6) == "2001:db8:a::/48", tostring(n6))
  assert(n6.mask == "ffff:ffff:ffff::" and n6.bits == 48, n6.mask)
  assert(n6:contains("2001:db8:a:ffff::1") and not n6:contains("2001:db8:b::1"))
  assert(not n6:contains("192.168.1.1"))
  local _, ll = net.parse_cidr("fe80::/10")
  assert(ll:contains("fe80::1%eth0"), "the zone is ignored")

  local _, all = net.parse_cidr("0.0.0.0/0")
  assert(all.mask == "0.0.0.0" and all:contains("8.8.8.8"))

  for _, s in ipairs({ "192.168.1.10", "192.168.1.0/33", "x/8", "fe80::1%eth0/64", "" }) do
    local r, err = net.parse_cidr(s)
    assert(r == nil and err.kind == "other", s)
    assert(tostring(err) == "invalid CIDR address: " .. s, tostring(err))
  end
  raises(function() n:contains("not an ip") end, 'ip: IP address expected, got "not an ip"')
  raises(function() n:contains(42) end, "ip: ip or string expected, got number")
  raises(function() net.parse_ip("1.2.3.4"):equal(n) end, "other: ip or string expected, got net.ipnet")
end

function TestResolveAddr(t)
  local a = assert(net.resolve_addr("tcp", "localhost:80"))
  assert(a.network == "tcp" and a.ip == "127.0.0.1" and a.port == 80 and a.zone == nil, tostring(a))
  assert(tostring(a) == "127.0.0.1:80")
  a = assert(net.resolve_addr("udp", "127.0.0.1:domain"))
  assert(a.network == "udp" and a.port == 53, tostring(a))
  a = assert(net.resolve_addr("tcp6", "[::1]:8080"))
  assert(a.ip == "::1" and a.port == 8080 and tostring(a) == "[::1]:8080", tostring(a))
  a = assert(net.resolve_addr("udp6", "[fe80::1%lo]:53"))
  assert(a.ip == "fe80::1" and a.zone == "lo" and tostring(a) == "[fe80::1%lo]:53", tostring(a))
  a = assert(net.resolve_addr("tcp", ":9000"))
  assert(a.port == 9000 and tostring(a) == ":9000", tostring(a))
  a = assert(net.resolve_addr("unix", "/tmp/x.sock"))
  assert(a.network == "unix" and a.name == "/tmp/x.sock" and a.ip == nil, tostring(a))

  local r, err = net.resolve_addr("tcp", "127.0.0.1")
  assert(r == nil and err.kind == "other", "missing port")
  assert(tostring(err):find("missing port", 1, true) and err.op == "resolve", tostring(err))
  r, err = net.resolve_addr("tcp4", "[::1]:80")
  assert(r == nil and err, "an IPv6 address for tcp4")
  raises(function() net.resolve_addr("ip", "127.0.0.1") end, "network: one of tcp")
end

function TestSplitJoinHostPort(t)
  local cases = {
    { "127.0.0.1:80", "127.0.0.1", "80" },
    { "[::1]:8080", "::1", "8080" },
    { "[fe80::1%eth0]:53", "fe80::1%eth0", "53" },
    { "localhost:http", "localhost", "http" },
    { ":9000", "", "9000" },
  }
  for _, c in ipairs(cases) do
    local host, port = net.split_host_port(c[1])
    assert(host == c[2] and port == c[3], ("%s -> %s %s"):format(c[1], tostring(host), tostring(port)))
    assert(net.join_host_port(host, port) == c[1], net.join_host_port(host, port))
  end
  assert(net.join_host_port("::1", 9000) == "[::1]:9000")
  assert(net.join_host_port("example.test", "https") == "example.test:https")
  for _, s in ipairs({ "127.0.0.1", "::1", "[::1]", "a:b:c" }) do
    local host, err = net.split_host_port(s)
    assert(host == nil and err.kind == "other" and err.addr == s, s)
  end
  raises(function() net.join_host_port("h", 1.5) end, "port: port number between 0 and 65535")
  raises(function() net.join_host_port("h", 70000) end, "port: port number")
  raises(function() net.join_host_port("h") end, "port: number or string expected, got nil")
  raises(function() net.split_host_port() end, "hostport: string or addr expected")
end

function TestWrongReceiver(t)
  local ip = net.parse_ip("10.0.0.1")
  local _, n = net.parse_cidr("10.0.0.0/8")
  raises(function() ip.to4(n) end, "net.ip expected, got net.ipnet")
  raises(function() n.contains(ip, ip) end, "net.ipnet expected, got net.ip")
end

-- Every function that takes an address string takes an addr value too,
-- as its string form: bytes cross real sockets through each of them.
function TestAddrValueWhereAnAddressGoes(t)
  local http, resp = require("http"), require("resp")
  -- net.dial and net.listen (tcp, unix), net.listen_packet, write_to.
  local ln = assert(net.listen("tcp", assert(net.resolve_addr("tcp", "127.0.0.1:0"))))
  ln:serve(function(c) c:write("tcp " .. c:read_line() .. "\n") end)
  local c = assert(net.dial("tcp", ln:addr()))
  assert(c:write("hi\n") and c:read_line() == "tcp hi")
  assert(c:remote_addr() == ln:addr())
  c:close()
  local sock = os.tmpname(); os.remove(sock)
  local uln = assert(net.listen("unix", assert(net.resolve_addr("unix", sock))))
  uln:serve(function(c) c:write("unix " .. c:read_line() .. "\n") end)
  c = assert(net.dial("unix", uln:addr()))
  assert(c:write("hi\n") and c:read_line() == "unix hi")
  c:close()
  local pc = assert(net.listen_packet("udp", assert(net.resolve_addr("udp", "127.0.0.1:0"))))
  assert(pc:write_to("ping", pc:local_addr()) == 4)
  local got, from = pc:read_from()
  assert(got == "ping" and from == pc:local_addr(), tostring(from))
  pc:close()
  -- resolve_addr and split_host_port.
  assert(net.resolve_addr("tcp", ln:addr()) == ln:addr())
  local host, port = net.split_host_port(ln:addr())
  assert(host == "127.0.0.1" and tonumber(port) == ln:addr().port, host .. " " .. port)
  -- tls.listen and tls.dial.
  local tln = assert(tls.listen(assert(net.resolve_addr("tcp", "127.0.0.1:0")), {self_signed = true}))
  tln:serve(function(c) c:write("tls " .. c:read_line() .. "\n") end)
  c = assert(tls.dial(tln:addr(), {insecure = true, timeout = 10}))
  assert(c:write("hi\n") and c:read_line() == "tls hi")
  c:close(); tln:close()
  -- http.serve and resp.connect (a one-command RESP server).
  local hln = assert(http.serve(assert(net.resolve_addr("tcp", "127.0.0.1:0")), function(req) return 200, {}, "http " .. req.path end))
  local r = assert(http.get("http://" .. tostring(hln:addr()) .. "/x", {timeout = 10}))
  assert(r.status == 200 and r.body == "http /x", r.body)
  hln:close()
  local rln = assert(net.listen("tcp", "127.0.0.1:0"))
  rln:serve(function(c) assert(resp.read_command(c)); c:write("+PONG\r\n") end)
  local rc = assert(resp.connect(rln:addr(), {timeout = 10}))
  assert(rc:call("PING") == "PONG")
  rc:close(); rln:close()
  -- Anything else is an argument error naming the argument.
  raises(function() net.dial("tcp", {}) end, "address: string or addr expected, got table")
  raises(function() net.dial("tcp", ln) end, "address: string or addr expected")
  raises(function() tls.dial(42) end, "address: string or addr expected, got number")
  raises(function() resp.connect(ln) end, "string or addr expected")
  ln:close(); uln:close()
end
