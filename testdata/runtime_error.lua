-- A runtime error on line 3: the CLI must report "runtime_error.lua:3: ...".
local t = { answer = 42 }
error("the answer is " .. t.answer)
