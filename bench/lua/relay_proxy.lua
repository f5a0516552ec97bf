-- TCP proxy for the benchmark harness, written as a user would:
--   gonetrepl bench/lua/relay_proxy.lua 127.0.0.1:PORT UPSTREAM_HOST:PORT
-- A plain accept loop, one task per connection: dial the upstream, net.relay
-- both ways (half-close is passed on), then close both.
local ln = assert(net.listen("tcp", arg[1]))
local upstream = arg[2]
while true do
  local c = ln:accept()
  if c then
    task.spawn(function()
      local up = net.dial("tcp", upstream)
      if up then
        net.relay(c, up)
        up:close()
      end
      c:close()
    end)
  end
end
