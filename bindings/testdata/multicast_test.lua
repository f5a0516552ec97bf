-- Multicast in a private network namespace (TestMulticastNetns runs these
-- tests there; TestLua skips them elsewhere): IPv4 groups on lo, which is
-- up, has multicast on and the route of 224.0.0.0/4; the loopback option
-- and IPv6 on mc0, one end of a veth pair (lo brings back all it sends,
-- loopback or not, and no IPv6 multicast). Every read has a deadline.

local WAIT = 0.3 -- seconds to wait for a datagram that must not come

-- recv returns the next datagram on pc and its sender, or nil, err after 2 s.
local function recv(pc)
  pc:set_read_deadline(time.now() + 2)
  return pc:read_from()
end

-- silent asserts that no datagram comes to pc within WAIT seconds.
local function silent(pc, what)
  pc:set_read_deadline(time.now() + WAIT)
  local data, err = pc:read_from()
  assert(data == nil and err.kind == "timeout", what .. ": got " .. tostring(data))
end

local function sender4()
  return assert(net.listen_packet("udp4", "127.0.0.1:0"))
end

function TestSenderAndTwoReceivers(t)
  local group = "239.1.2.3:5001"
  local r1 = assert(net.listen_multicast("udp4", group, {interface = "lo"}))
  local r2 = assert(net.listen_multicast("udp4", group, {interface = "lo"}))
  assert(tostring(r1) == "<udp4 packet conn 0.0.0.0:5001>", tostring(r1))
  local s = sender4()
  assert(s:write_to("hello", group) == 5)
  for _, r in ipairs({r1, r2}) do
    local data, from = recv(r)
    assert(data == "hello", tostring(from))
    assert(from == s:local_addr(), tostring(from))
  end
  -- r1 leaves: only r2 gets the next one.
  assert(r1:leave("239.1.2.3", "lo"))
  assert(s:write_to("second", group))
  assert(recv(r2) == "second")
  silent(r1, "r1 after leave")
  -- r1 joins again (a "group:port" string names the group too).
  assert(r1:join("239.1.2.3:5001", "lo"))
  assert(s:write_to("third", group))
  assert(recv(r1) == "third")
  assert(recv(r2) == "third")
  -- A plain udp socket bound to the port of a second group joins it with
  -- join alone (no interface: the route of 224.0.0.0/4 picks lo).
  local g2 = "239.1.2.4:5006"
  local r3 = assert(net.listen_packet("udp4", "0.0.0.0:5006"))
  silent(r3, "r3 before join") -- nothing yet
  assert(s:write_to("before", g2))
  silent(r3, "r3, not in the group yet")
  assert(r3:join("239.1.2.4"))
  assert(s:write_to("to g2", g2))
  assert(recv(r3) == "to g2")
  r3:close()
  assert(r1:close() and r2:close() and s:close())
end

function TestLoopback(t)
  -- On mc0: what a socket sends there comes back to this host's members
  -- only by loopback (lo would bring it back in any case).
  local group = "239.1.2.5:5002"
  local s = assert(net.listen_multicast("udp4", group, {interface = "mc0", loopback = false}))
  local r = assert(net.listen_multicast("udp4", group, {interface = "mc0"}))
  -- Loopback off: the sender's own socket does not get what it sends
  -- (nor, on Linux, does any other socket of this host).
  assert(s:write_to("quiet", group))
  silent(s, "sender with loopback off")
  silent(r, "receiver of a sender with loopback off")
  -- On again: both get it, the sender too, from mc0's address.
  assert(s:set_multicast_loopback(true) == true)
  assert(s:write_to("loud", group))
  local data, from = recv(r)
  assert(data == "loud" and from.ip == "10.99.0.1" and from.port == 5002, tostring(from))
  assert(recv(s) == "loud")
  -- And off on the receiver, which sends in its turn.
  assert(r:set_multicast_loopback(false))
  assert(r:write_to("from r", group))
  silent(r, "r with loopback off")
  silent(s, "s, as r's loopback is off")
  assert(s:close() and r:close())
end

function TestTTL(t)
  local pc = assert(net.listen_multicast("udp4", "239.1.2.6:5003", {ttl = 7}))
  assert(pc:multicast_ttl() == 7, pc:multicast_ttl())
  assert(pc:set_multicast_ttl(0) == true)
  assert(pc:multicast_ttl() == 0)
  assert(pc:set_multicast_ttl(255))
  assert(pc:multicast_ttl() == 255)
  pc:close()
  -- The default is the system's: 1, this link only.
  pc = assert(net.listen_multicast("udp4", "239.1.2.6:5003"))
  assert(pc:multicast_ttl() == 1)
  pc:close()
  -- Any udp packet conn takes it.
  local s = sender4()
  assert(s:set_multicast_ttl(4))
  assert(s:multicast_ttl() == 4)
  -- A ttl out of range is a wrong argument.
  local ok, err = pcall(s.set_multicast_ttl, s, 256)
  assert(not ok and tostring(err):find("ttl", 1, true), tostring(err))
  ok, err = pcall(net.listen_multicast, "udp4", "239.1.2.6:5003", {ttl = -1})
  assert(not ok and tostring(err):find("opts.ttl", 1, true), tostring(err))
  s:close()
end

function TestIPv6(t)
  local group = "[ff02::1:3]:5004"
  local r1 = assert(net.listen_multicast("udp6", group, {interface = "mc0", ttl = 2}))
  local r2 = assert(net.listen_multicast("udp", group, {interface = "mc0"}))
  assert(r1:multicast_ttl() == 2) -- the hop limit
  assert(r1:write_to("six", group))
  assert(recv(r1) == "six") -- loopback is on by default
  local data, from = recv(r2)
  assert(data == "six" and from.ip:find("^fe80:") and from.port == 5004, tostring(from))
  assert(r2:leave("ff02::1:3", "mc0"))
  assert(r1:write_to("again", group))
  assert(recv(r1) == "again")
  silent(r2, "r2 after leave")
  assert(r1:set_multicast_loopback(false))
  assert(r1:write_to("none", group))
  silent(r1, "r1 with loopback off")
  r1:close(); r2:close()
end

function TestErrors(t)
  -- A group that is not multicast, or not an IP, is a wrong argument.
  for _, bad in ipairs({"127.0.0.1:5005", "10.1.2.3:5005", "[::1]:5005", "example.com:5005", "239.1.2.3"}) do
    local ok, err = pcall(net.listen_multicast, "udp4", bad)
    assert(not ok and tostring(err):find("group_addr", 1, true), bad .. ": " .. tostring(err))
  end
  local ok, err = pcall(net.listen_multicast, "udp4", "[ff02::1]:5005")
  assert(not ok and tostring(err):find("group_addr", 1, true), tostring(err))
  ok, err = pcall(net.listen_multicast, "tcp", "239.1.2.3:5005")
  assert(not ok and tostring(err):find("network", 1, true), tostring(err))
  ok, err = pcall(net.listen_multicast, "udp4", "239.1.2.3:5005", {interfce = "lo"})
  assert(not ok and tostring(err):find("interface", 1, true), tostring(err))
  ok, err = pcall(net.listen_multicast, "udp4", "239.1.2.3:5005", {loopback = 1})
  assert(not ok and tostring(err):find("opts.loopback", 1, true), tostring(err))
  -- An unknown interface is nil, err, naming it.
  local pc
  pc, err = net.listen_multicast("udp4", "239.1.2.3:5005", {interface = "nosuch0"})
  assert(pc == nil and err.kind == "other" and tostring(err):find("nosuch0", 1, true), tostring(err))
  pc = assert(net.listen_multicast("udp4", "239.1.2.3:5005", {interface = "lo"}))
  local ok2, err2 = pc:join("239.1.2.7", "nosuch0")
  assert(ok2 == nil and err2.kind == "other" and tostring(err2):find("nosuch0", 1, true), tostring(err2))
  -- Joining twice: as the system says it, with a stable kind.
  ok2, err2 = pc:join("239.1.2.3", "lo")
  assert(ok2 == nil and err2.kind == "addr_in_use" and err2.op == "join", tostring(err2))
  -- Leaving a group not joined.
  ok2, err2 = pc:leave("239.1.2.8", "lo")
  assert(ok2 == nil and err2.op == "leave", tostring(err2))
  t:log("leave, not joined:", err2.kind, err2)
  -- A group that is no multicast address, to join: a wrong argument.
  ok, err = pcall(pc.join, pc, "10.0.0.1")
  assert(not ok and tostring(err):find("group", 1, true), tostring(err))
  ok, err = pcall(pc.set_multicast_loopback, pc, "yes")
  assert(not ok and tostring(err):find("on", 1, true), tostring(err))
  pc:close()
  -- After close: nil, err of kind closed.
  ok2, err2 = pc:join("239.1.2.9")
  assert(ok2 == nil and err2.kind == "closed", tostring(err2))
  -- A unixgram packet conn has no multicast: a wrong argument.
  local ug = assert(net.listen_packet("unixgram", t:tempdir() .. "/s"))
  ok, err = pcall(ug.set_multicast_ttl, ug, 1)
  assert(not ok and tostring(err):find("udp packet conn", 1, true), tostring(err))
  ug:close()
end
