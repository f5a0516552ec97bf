-- A line echo server on a free loopback port, for the load test: prints
-- "listening on ADDR" on stdout, then echoes each line of every client.
local ln = assert(net.listen("tcp", "127.0.0.1:0"))
ln:serve(function(c)
  c:set_timeout(60)
  while true do
    local line = c:read_line()
    if not line then return end
    assert(c:write(line .. "\n"))
  end
end)
print("listening on " .. tostring(ln:addr()))
