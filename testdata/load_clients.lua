-- load_clients.lua ADDR [CLIENTS] [ROUNDS]: CLIENTS concurrent tasks each
-- dial ADDR and make ROUNDS line round trips, checking every echo. Prints
-- "ok N clients" and exits 0 when all succeed; exits 1 otherwise.
local addr = assert(arg[1], "usage: load_clients.lua ADDR [CLIENTS] [ROUNDS]")
local clients = tonumber(arg[2] or 1000)
local rounds = tonumber(arg[3] or 10)

local function client(i)
  local c = assert(net.dial("tcp", addr, { timeout = 30 }))
  c:set_timeout(30)
  for r = 1, rounds do
    local msg = ("client %d round %d %s"):format(i, r, ("x"):rep(i % 64))
    assert(c:write(msg .. "\n"))
    local back = assert(c:read_line())
    if back ~= msg then
      error(("client %d round %d: sent %q, got %q"):format(i, r, msg, back), 0)
    end
  end
  c:close()
end

local results = task.chan(clients)
for i = 1, clients do
  task.spawn(function()
    local ok, err = pcall(client, i)
    results:send({ i = i, ok = ok, err = err and tostring(err) })
  end)
end

local seen, failures = {}, {}
for _ = 1, clients do
  local r, ok = results:recv(50)
  if not ok then
    io.stderr:write("timed out waiting for clients\n")
    os.exit(1)
  end
  if seen[r.i] then error("client " .. r.i .. " reported twice") end
  seen[r.i] = true
  if not r.ok then failures[#failures + 1] = ("client %d: %s"):format(r.i, r.err) end
end
if #failures > 0 then
  io.stderr:write(("%d of %d clients failed\n"):format(#failures, clients))
  for k = 1, math.min(#failures, 10) do io.stderr:write(failures[k], "\n") end
  os.exit(1)
end
print(("ok %d clients"):format(clients))
