-- logf: the scripts' log line, safe for the operator's terminal.
--
--   local logf = require "logf"
--   local log = logf.new("echo: ", opts.quiet)
--   log("%s connected", tostring(c:remote_addr()))
--
-- A log line may quote what a peer sent, which must not reach the
-- terminal raw: every string argument is escaped with bin.escape before
-- fmt:format (so a peer cannot retitle or clear the terminal); the format
-- and the prefix are the script's own and written as they are.
local logf = {}

-- new returns log(fmt, ...), which writes prefix, fmt:format of the
-- escaped arguments and "\n" to stderr; nothing when quiet is true.
function logf.new(prefix, quiet)
  prefix = prefix or ""
  return function(fmt, ...)
    if quiet then return end
    local n, a = select("#", ...), { ... }
    for i = 1, n do
      if type(a[i]) == "string" then a[i] = bin.escape(a[i]) end
    end
    io.stderr:write(prefix, fmt:format(unpack(a, 1, n)), "\n")
  end
end

return logf
