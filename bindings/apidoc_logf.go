package bindings

// logfDocs documents stdlib/logf.lua, as flagsDocs does for flags. It makes
// no class: a logger is a plain function.
func logfDocs() []Module {
	return []Module{
		{Name: "logf", Summary: "a script's log line on stderr, peer bytes escaped (stdlib, `require \"logf\"`)", Docs: []Doc{
			{"logf.new", "logf.new([prefix [, quiet]]) -> log",
				"Returns log(fmt, ...): it writes prefix, fmt:format(...) and a newline to stderr, every string argument escaped with bin.escape first (it may hold what a peer sent, which must not reach the terminal raw); fmt and prefix are written as they are. When quiet is true, log writes nothing.",
				`local log = logf.new("echo: ", opts.quiet); log("%s connected", tostring(c:remote_addr()))`},
		}},
	}
}
