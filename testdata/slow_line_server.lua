-- slow_line_server.lua [SECS]: a line echo server on a free loopback port
-- with an idle timeout of SECS (default 2) on every connection, for the
-- slow-peers test (hardening_slow_test.go). Prints "listening on ADDR" on
-- stdout, then echoes each line of every client. A client that sends no
-- complete line for SECS is dropped, and "timeout ADDR" (its address) is
-- printed on stdout; a client that hangs up goes quietly.
local secs = tonumber(arg[1] or 2)
local ln = assert(net.listen("tcp", "127.0.0.1:0"))
ln:serve(function(c)
  c:set_timeout(secs)
  while true do
    local line, err = c:read_line()
    if not line then
      if err.kind == "timeout" then print("timeout " .. tostring(c:remote_addr())) end
      return
    end
    if not c:write(line .. "\n") then return end
  end
end)
print("listening on " .. tostring(ln:addr()))
