-- A syntax error on line 3.
local ok = true
local x = = 1
