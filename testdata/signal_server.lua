-- Listens on TCP and on a Unix socket (path in arg[1]), with one conn in
-- flight (a client task blocked reading, a server task blocked reading),
-- then reports on stderr and serves until a signal ends the process. A
-- client that sends "stdout" makes it print a line on stdout.
local path = assert(arg[1], "usage: signal_server.lua SOCKET_PATH")
local function echo(c)
  while true do
    local data = c:read()
    if not data then return end
    if data == "stdout" then print("a line for stdout") end -- to a closed pipe, in TestSignalsClosedStdout
    if not c:write(data) then return end
  end
end
local ln = assert(net.listen("tcp", "127.0.0.1:0"))
local un = assert(net.listen("unix", path))
ln:serve(echo)
un:serve(echo)
local c = assert(net.dial("unix", path))
assert(c:write("ping\n"))
assert(c:read_line() == "ping")
task.spawn(function() c:read() end) -- blocked until the process ends
io.stderr:write("listening on ", tostring(ln:addr()), " and ", path, "\n")
