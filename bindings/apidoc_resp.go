package bindings

// respOpts are the options of resp.connect, resp.new, read_reply and
// read_command, as stdlib/resp.lua reads them.
var respOpts = shape{class: "gonetrepl.resp_opts", opts: true, code: "stdlib/resp.lua:opts",
	doc: "The options of resp.connect (all), and of resp.new, resp.read_reply and resp.read_command (the caps; resp.new also on_push).",
	fields: []field{
		{"timeout", "number", "seconds for the connect and the idle timeout of every read and write (default resp.TIMEOUT; 0: none)"},
		{"tls", "boolean|gonetrepl.tls_opts", "true, or the opts of tls.dial: connect over TLS"},
		viaField,
		{"protocol", "2|3", "3 sends HELLO 3: RESP3 replies"},
		{"password", "string", "AUTH with it"},
		{"username", "string", "AUTH as this user (with password)"},
		{"db", "integer", "SELECT this database"},
		{"on_push", "fun(msg: any[])", "called with each RESP3 push message that comes before a reply"},
		{"max_bulk", "integer", "bytes of one string (default resp.MAX_BULK)"},
		{"max_items", "integer", "elements of one aggregate (default resp.MAX_ITEMS)"},
		{"max_depth", "integer", "levels of nesting (default resp.MAX_DEPTH)"},
		{"max_line", "integer", "bytes of a header or simple string (default resp.MAX_LINE)"},
		{"max_message", "integer", "bytes on the wire of one whole reply or command (default resp.MAX_MESSAGE)"},
		{"max_elements", "integer", "values at every level of one reply or command (default resp.MAX_ELEMENTS)"},
	}}

// respErrorFields is the field resp adds to the error values it makes.
var respErrorFields = shape{class: "gonetrepl.error",
	doc: "resp's error values (kind 'redis') also have code.",
	fields: []field{
		{"code", "string?", "the first word of a Redis error reply (\"ERR\", \"WRONGTYPE\"); nil for other errors"},
	}}

// stdlibErrorKinds are the kinds the stdlib modules add to errorKindDocs'.
var stdlibErrorKinds = []struct{ kind, doc string }{
	{"redis", "resp: the server answered with an error reply (err.code is its first word); the connection is fine"},
}

// respDocs documents stdlib/resp.lua: one Module for the module and one per
// class it returns, as flagsDocs does for flags.
func respDocs() []Module {
	return []Module{
		{Name: "resp", Summary: "the Redis protocol, RESP2 and RESP3: a client, and a server's command reader and reply encoders (stdlib, `require \"resp\"`)", Docs: []Doc{
			{"resp.connect", "resp.connect([addr [, opts]]) -> client | nil, err",
				"Dials a Redis server at addr (\"host:port\", default resp.DEFAULT_ADDR \"127.0.0.1:6379\"; a path or \"@name\" is a Unix socket; an addr value stands for its string form) and returns a client. opts: timeout (seconds for the connect and the idle timeout of every read and write; default resp.TIMEOUT, 10; 0 for none), tls (true, or a table of tls.dial opts), protocol (3 sends HELLO 3: RESP3 replies), password and username (AUTH), db (SELECT), on_push, and the caps max_bulk (bytes of one string, default resp.MAX_BULK, 64 MiB, at most 64 MiB), max_items (elements of one aggregate, default resp.MAX_ITEMS, 1048576), max_depth (nesting, each attribute before a value counting as a level; default resp.MAX_DEPTH, 32), max_line (bytes of a header or simple string, default resp.MAX_LINE, 64 KiB), and for one whole reply (all it nests) or command (all its arguments) max_message (bytes on the wire, default resp.MAX_MESSAGE, 128 MiB) and max_elements (values at every level together, an aggregate counting as resp.AGGREGATE_WEIGHT, 8; default resp.MAX_ELEMENTS, 1048576). A count or length the rest of that budget cannot hold is refused before anything is read or allocated for it (\"*1048576\" of \"*0\" costs nothing), so one conn holds about one message at a time; push messages a client sets aside are kept within max_message bytes too.",
				`r = assert(resp.connect("127.0.0.1:6379", {timeout = 5, protocol = 3}))`},
			{"resp.new", "resp.new(conn [, opts]) -> client",
				"A client over a conn already open (tls.dial, net.pipe, a Unix socket); opts: the caps and on_push as for resp.connect. client:close() closes conn.",
				`r = resp.new(assert(tls.dial("redis.example.com:6380")))`},
			{"resp.read_reply", "resp.read_reply(c [, opts]) -> value, type [, attribute] | nil, err",
				"Reads one reply from conn c. Values: simple, bulk and verbatim strings -> string; integer -> number, or beyond ±2^53 its decimal string (Redis's integers are 64-bit, Lua's numbers float64: \":123456789012345678\" gives \"123456789012345678\", every digit kept, type still integer; inside an aggregate such a string looks like a bulk one; resp.add_integers adds either form exactly); double -> number; big number -> string of digits; boolean -> boolean; every null ($-1, *-1, _) -> resp.null; array, set, push -> a list; map -> a table keyed by the decoded keys; error replies inside an aggregate -> error values in place. type names the top value: simple, bulk, verbatim, integer, double, big_number, boolean, null, array, map, set, push. An attribute (|) is skipped and returned third. An error reply is nil, err with err.kind 'redis', err.message its line (\"ERR unknown command ...\") and err.code the first word (ERR, WRONGTYPE); a length or count over a cap, or over what is left of the message's budget, is kind 'too_large', refused before anything is read or allocated for it; a peer breaking RESP is kind 'other' (message \"resp: ...\", peer bytes escaped with bin.escape); the conn's own errors (eof, timeout...) come as they are.",
				`local v, t = resp.read_reply(c); print(t, v == resp.null)`},
			{"resp.read_command", "resp.read_command(c [, opts]) -> {arg, ...} | nil, err",
				"Reads one command from conn c as a server does: a RESP array of bulk strings (what redis-cli sends), or an inline command, a line typed into nc, split into words as Redis splits it (resp.split_args: `SET k \"a b\"` is three words; unbalanced quotes are kind 'other', \"resp: unbalanced quotes in request\"); empty lines are skipped. Caps as for resp.connect, max_message and max_elements for the whole command (24 arguments of 64 MiB are refused at the third, before it is read; over a cap: kind 'too_large'); anything else than bulk strings is kind 'other'; the conn's errors (eof at the end) as they are.",
				`ln:serve(function(c) while true do local a = resp.read_command(c); if not a then return end; c:write(resp.encode_simple("PONG")) end end)`},
			{"resp.split_args", "resp.split_args(line) -> words | nil",
				"Splits an inline command into its words as Redis (and redis-cli) split it, sdssplitargs: words between blanks; \"...\" with the escapes \\n \\r \\t \\b \\a \\xHH, any other escaped byte standing for itself (\\\" \\\\); '...' with \\' only; a quote may open inside a word (a\"b c\" is one word \"ab c\"); a closing quote must be followed by a blank or the end. A NUL byte ends the line, as it ends C's string. Returns the list of words ({} for a blank line), or nil when the quotes do not balance (Redis: \"Protocol error: unbalanced quotes in request\"). Linear in the line.",
				`local words = resp.split_args([[SET k "a b\x21"]]) --> {"SET", "k", "a b!"}`},
			{"resp.encode_command", "resp.encode_command(cmd, ... | {cmd, ...}) -> data",
				"A command as a client sends it: an array of bulk strings; numbers are written in decimal, whole ones without a fraction.",
				`c:write(resp.encode_command("SET", "k", 42))`},
			{"resp.encode_simple", "resp.encode_simple(s) -> data",
				"A simple string reply, \"+s\\r\\n\"; s must not contain CR or LF.",
				`c:write(resp.encode_simple("OK"))`},
			{"resp.encode_error", "resp.encode_error(message) -> data",
				"An error reply, \"-message\\r\\n\"; by convention message starts with a code in capitals (ERR, WRONGTYPE). It must not contain CR or LF; an error value gives its message.",
				`c:write(resp.encode_error("ERR unknown command"))`},
			{"resp.encode_integer", "resp.encode_integer(n) -> data",
				"An integer reply, \":n\\r\\n\"; n is a whole number, or an integer's decimal string as resp.parse_integer takes it (what read_reply and add_integers give beyond ±2^53), written as it is.",
				`c:write(resp.encode_integer(1)); c:write(resp.encode_integer("9223372036854775807"))`},
			{"resp.parse_integer", "resp.parse_integer(s) -> n | nil",
				"Reads s as Redis reads an integer argument (INCRBY's increment, the value INCR counts from, EXPIRE's seconds): \"0\", or an optional minus and digits without a leading zero, within 64 bits (-9223372036854775808 to 9223372036854775807), at most 20 bytes; no plus, no blanks, no fraction. Returns the integer as resp.read_reply gives one, a number up to ±2^53 and the decimal string beyond; nil, as tonumber does, for anything else (\" 1\", \"01\", \"+1\", \"1.0\", \"-0\", \"\"). It looks at no more than 20 bytes of s, whatever its length.",
				`local n = resp.parse_integer(a[3]); if n == nil then return resp.encode_error("ERR value is not an integer or out of range") end`},
			{"resp.add_integers", "resp.add_integers(a, b) -> sum | nil, err",
				"Adds two 64-bit integers exactly: each a whole number within ±2^63 or a decimal string as resp.parse_integer takes it (anything else raises). The sum is a number up to ±2^53, else its decimal string (what read_reply gives), so nothing is rounded: \"9007199254740993\" is 2^53 + 1. A sum beyond 64 bits is nil, err (kind 'too_large', \"resp: integer overflow: ...\"), where Redis answers \"ERR increment or decrement would overflow\". Numbers whose sum stays below 2^53 are added directly; larger ones as two halves of ten digits each.",
				`print(resp.add_integers("9223372036854775806", 1)) --> 9223372036854775807`},
			{"resp.encode_bulk", "resp.encode_bulk(s | nil) -> data",
				"A bulk string reply, binary-safe; nil or resp.null gives the null bulk \"$-1\\r\\n\" (a missing key); a number is written in decimal.",
				`c:write(resp.encode_bulk(store[key]))`},
			{"resp.encode_array", "resp.encode_array(t | nil) -> data",
				"An array reply of t[1] .. t[t.n or #t], nested: a string is a bulk string, a whole number an integer, true and false the integers 1 and 0, nil (below t.n) and resp.null the null bulk, an error value an error, a table an array; nil or resp.null gives the null array \"*-1\\r\\n\".",
				`c:write(resp.encode_array({"a", 1, resp.null, {"nested"}}))`},
			{"resp.encode_map", "resp.encode_map(t) -> data",
				"A RESP3 map reply of t's pairs, keys sorted so that the output is stable; values encoded as resp.encode_array does.",
				`c:write(resp.encode_map({server = "fake", proto = 3}))`},
			{"resp.error", "resp.error(message) -> err",
				"Makes the error value of an error reply (kind 'redis', code, message; tostring gives message): resp.encode_array encodes it as an error.",
				`c:write(resp.encode_array({"ok", resp.error("ERR not this one")}))`},
			{"resp.is_error", "resp.is_error(v) -> boolean",
				"Whether v is an error value made by resp (an error reply in a pipeline's list, say).",
				`for i, v in ipairs(replies) do if resp.is_error(v) then print(i, v) end end`},
			{"resp.sorted_keys", "resp.sorted_keys(t) -> keys",
				"The keys of a map in the stable order encode_map writes them: by type name, then by value (numbers, strings) or by tostring.",
				`for _, k in ipairs(resp.sorted_keys(r:call("HGETALL", "h"))) do print(k) end`},
			{"resp.type", "resp.type(v) -> name",
				"What a decoded value is: 'null' (resp.null), 'array', 'map', 'set', 'push', 'error', or Lua's type ('string', 'number', 'boolean').",
				`print(resp.type(r:call("HGETALL", "h")))`},
		}},
		{Name: "resp client", Summary: "a Redis client, from resp.connect or resp.new: call, pipeline, send and receive", Method: true, Docs: []Doc{
			{"resp client:call", "r:call(cmd, ... | {cmd, ...}) -> reply, type [, attribute] | nil, err",
				"Sends a command and returns its reply as resp.read_reply does (a missing key: resp.null); an error reply is nil, err with err.kind 'redis' and the client stays usable. Any other failure (timeout, eof, 'too_large', 'other' for a broken protocol) closes the client: later calls give kind 'closed'. RESP3 push messages that come before the reply go to opts.on_push, or wait for r:receive.",
				`r:call("SET", "k", "v"); print(r:call("GET", "k"))`},
			{"resp client:pipeline", "r:pipeline(fn) -> {reply, ...} | nil, err",
				"Calls fn(p); each p:call(cmd, ...) in it queues a command. Then all go out at once and the replies come back as one list in the same order: an error reply is an error value in its place (resp.is_error), a null is resp.null. nil, err only when the connection fails (the client is closed then).",
				`local replies = assert(r:pipeline(function(p) for i = 1, 1000 do p:call("INCR", "n") end end))`},
			{"resp client:send", "r:send(cmd, ... | {cmd, ...}) -> true | nil, err",
				"Writes a command without waiting for its reply: for SUBSCRIBE and MONITOR, or a pipeline by hand, read with r:receive.",
				`r:send("SUBSCRIBE", "news"); while true do print(r:receive()) end`},
			{"resp client:receive", "r:receive() -> reply, type [, attribute] | nil, err",
				"Reads the next reply, push messages included (type 'push'); an error reply is nil, err (kind 'redis'). A timeout before any byte of a reply arrived leaves the client usable; other failures close it.",
				`local msg, t = r:receive(); if t == "push" then print(msg[1], msg[2], msg[3]) end`},
			{"resp client:close", "r:close() -> true | nil, err",
				"Closes the connection; later calls return kind 'closed'.",
				`r:close()`},
		}},
	}
}
