-- os.stdin_is_terminal: the tests run with no terminal given to the
-- runtime, as a script with piped stdin (the CLI's side, on a pty and on a pipe:
-- TestStdinIsTerminal in scripts_redis_cli_test.go).

function TestStdinIsTerminalFalseWithoutTerminal()
  local v = os.stdin_is_terminal()
  assert(v == false, "want false, got " .. tostring(v))
end
