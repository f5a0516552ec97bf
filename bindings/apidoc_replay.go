package bindings

// replayLoadOpts are the options of replay.load, as stdlib/replay.lua
// reads them.
var replayLoadOpts = shape{class: "gonetrepl.replay_load_opts", opts: true, code: "stdlib/replay.lua:lopts",
	doc: "The limits of replay.load: a transcript over one is refused (kind 'too_large', naming the line).",
	fields: []field{
		{"max_events", "integer", "events in the file (default 1048576)"},
		{"max_sessions", "integer", "sessions in the file (default 65536)"},
		{"max_bytes", "integer", "bytes of traffic, all events together (default 64 MiB)"},
	}}

// replayOpts are the options of replay.diff and the players.
var replayOpts = shape{class: "gonetrepl.replay_opts", opts: true, code: "stdlib/replay.lua:opts",
	doc: "The options of replay.diff, replay.serve_session and replay.client_session.",
	fields: []field{
		{"ignore", "string|string[]", "Lua patterns whose matches (dates, ids) are equal whatever they hold, on both sides; each runs once over each side"},
		{"context", "integer", "bytes of each side a divergence shows (default replay.CONTEXT, 32)"},
		{"timeout", "number", "players: seconds to wait for the peer's next bytes (default replay.TIMEOUT, 10)"},
		{"settle", "number", "players with ignore: the pause, in seconds, that ends the peer's run once its recorded length has come or what came matches (default replay.SETTLE, 0.2)"},
	}}

// replaySession is a session as the players take it: what replay.load
// makes and what a capture's TCP stream has.
var replaySession = shape{class: "gonetrepl.replay_session",
	doc: "One recorded stream session: replay.load makes them from a transcript; a capture's TCP stream has the same fields.",
	fields: []field{
		{"client", "string", "the client's address"},
		{"server", "string", "the server's address"},
		{"chunks", "gonetrepl.replay_chunk[]", "the bytes in order, each with its direction"},
		{"id?", "integer", "replay.load: the session's id in the transcript"},
		{"network?", "string", "replay.load: tcp, unix, pipe, proc..."},
		{"tls?", "boolean", "replay.load: the conn was TLS (its plaintext is recorded)"},
		{"tls_facts?", "table<string, string>", "replay.load: version, alpn, sni, when known"},
		{"time?", "number", "replay.load: when it opened, seconds since the epoch"},
		{"role?", "\"dial\"|\"accept\"", "replay.load: the side that recorded it"},
	}}

// replayChunk is one chunk of a session.
var replayChunk = shape{class: "gonetrepl.replay_chunk",
	doc: "Bytes one side sent.",
	fields: []field{
		{"time", "number", "seconds since the epoch"},
		{"dir", "\"c2s\"|\"s2c\"", "client to server, or server to client"},
		{"data", "string", "the bytes"},
	}}

// replayDivergence is where two byte strings first differ.
var replayDivergence = shape{class: "gonetrepl.replay_divergence",
	doc: "Where the bytes first differ: replay.diff's result and the players' second result.",
	fields: []field{
		{"offset", "integer", "bytes of the expected side before the first difference"},
		{"got_offset", "integer", "the same place in got (it differs from offset after masked fields of other lengths)"},
		{"expected", "string", "up to opts.context bytes expected from there, escaped as the transcript does (\\r \\n \\xHH)"},
		{"got", "string", "up to opts.context bytes got from there, escaped"},
		{"before", "string", "up to opts.context bytes both sides had just before, escaped"},
		{"expected_len", "integer", "the length of the expected side"},
		{"got_len", "integer", "the length of got"},
		{"run?", "integer", "players: which run of the session (a run: consecutive chunks of one direction), from 1"},
		{"dir?", "\"c2s\"|\"s2c\"", "players: the direction that differs (the peer's)"},
		{"err?", "gonetrepl.error", "players: the read error that ended the peer's bytes early (eof, timeout)"},
	}}

// replayDocs documents stdlib/replay.lua, as socksDocs does for socks.
// It makes no class.
func replayDocs() []Module {
	return []Module{
		{Name: "replay", Summary: "replay a recorded session: play the server's side to a client or the client's to a server, and diff the bytes (stdlib, `require \"replay\"`; scripts/replay.lua runs it)", Docs: []Doc{
			{"replay.load", "replay.load(path [, opts]) -> sessions | nil, err",
				"Reads the transcript at path (docs/TRANSCRIPT.md: what net.record and gonetrepl --record write), or a capture (pcap or pcapng, told by its magic number: its TCP streams as pcap.open's cap:streams() reassembles them, opts.max_bytes bounding their payload), and returns its stream sessions in the order they opened, each {client, server, chunks = {{time, dir = \"c2s\"|\"s2c\", data}...}, id, network, tls, tls_facts, time, role}: a side that dialed is the client, its sends c2s. Packet sockets are left out. The file is read and parsed without the interpreter lock, and the tables of its events are built in turns with the other tasks (every time slice). A file that cannot be read is its error; a line not in the format is kind 'other' and one over opts.max_events, max_sessions or max_bytes kind 'too_large', the message naming the line.",
				`local sessions = assert(replay.load("redis.transcript")); print(#sessions, sessions[1].server)`},
			{"replay.serve_session", "replay.serve_session(c, session [, opts]) -> true | false, divergence | nil, err",
				"Plays the server's side of session to the client on conn c: each run of s2c chunks is written whole once the client's bytes recorded before it have arrived and matched (compared as they come, without opts.ignore; with it, masked, once the client pauses for opts.settle). The first difference, or the client stopping early (d.err: eof, timeout after opts.timeout, default 10 s), returns false and the divergence {offset, expected, got, before, run, dir...}; a failed write, nil, err. Bytes the client sent beyond the session are a divergence too. A session from a capture's stream plays the same. It does not close c.",
				`print(replay.serve_session(c, {chunks = {{dir = "s2c", data = "hello\n"}, {dir = "c2s", data = "hello\n"}}}))`},
			{"replay.client_session", "replay.client_session(c, session [, opts]) -> true | false, divergence | nil, err",
				"Plays the client's side of session to the server on conn c and compares its answers with the recorded ones, as serve_session does the other way: true when every answer matched, false and the first divergence, nil, err for a failed write. It does not close c.",
				`print(replay.client_session(c, {chunks = {{dir = "c2s", data = "hi\n"}, {dir = "s2c", data = "hi\n"}}}))`},
			{"replay.diff", "replay.diff(expected, got [, opts]) -> nil | divergence",
				"Compares two byte strings: nil when they are the same, else where they first differ, {offset, got_offset, expected, got, before, expected_len, got_len}, the excerpts escaped as the transcript does and at most opts.context bytes (default 32). opts.ignore's patterns (a string or a list) mask their matches on both sides: a masked field equals a masked field at the same place, whatever each holds and however long. Linear in the bytes: each pattern runs once across each side.",
				`print(replay.diff("Date: 7\r\n+OK\r\n", "Date: 12\r\n+OK\r\n", {ignore = "Date: %d+"}))`},
			{"replay.format", "replay.format(divergence) -> text",
				"The lines scripts/replay.lua prints for a divergence: who differs at which offset (and why it stopped early), then the expected and got excerpts, \"(end)\" marking the end of a side.",
				`print(replay.format(replay.diff("+PONG\r\n", "+PANG\r\n")))`},
		}},
	}
}
