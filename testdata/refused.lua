-- Dial a port that was just closed: assert raises the error object on line 5.
local ln = assert(net.listen("tcp", "127.0.0.1:0"))
local addr = tostring(ln:addr())
ln:close()
local c = assert(net.dial("tcp", addr))
print("connected?!", c)
