-- Prints what the script received, one item a line, for the CLI tests.
print("arg[0]=" .. tostring(arg[0]))
print("#arg=" .. #arg)
for i = 1, #arg do print(("arg[%d]=%s"):format(i, arg[i])) end
print("select=" .. select("#", ...))
local dots = { ... }
for i = 1, select("#", ...) do print(("...[%d]=%s"):format(i, dots[i])) end
