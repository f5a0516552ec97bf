package bindings

// The typing table of the type stubs (stubs.go). A signature names its
// parameters and results ("net.dial(network, address [, opts]) -> conn |
// nil, err"); these tables give each name a type, written as
// lua-language-server reads it. A name means the same thing nearly
// everywhere (data is a string, timeout a number of seconds), so it is
// typed once in paramTypes or resultTypes; the few that depend on the
// binding are typed in paramOverrides and resultOverrides, keyed by the
// entry's qualified name ("net.dial", "conn:read"). A name found in none of
// them is an error that names the binding: a new binding cannot silently
// get `any`. Where a name really is any Lua value (a channel's v), the
// table says `any` on purpose.

// paramTypes types the parameter names most signatures share.
var paramTypes = map[string]string{
	"address":     "string|gonetrepl.addr",
	"argv":        "string[]",
	"bytes":       "integer",
	"capacity":    "integer",
	"conn":        "gonetrepl.conn",
	"count":       "integer",
	"data":        "string",
	"delim":       "string",
	"description": "string",
	"fmt":         "string",
	"help":        "string",
	"host":        "string",
	"hostport":    "string",
	"hex":         "string",
	"hosts":       "string[]",
	"limits":      "gonetrepl.flags_limits",
	"max":         "integer",
	"message":     "string",
	"mode":        "gonetrepl.trace_mode",
	"n":           "integer",
	"name":        "string",
	"offset":      "integer",
	"on":          "boolean",
	"path":        "string",
	"pattern":     "string",
	"pos":         "integer",
	"prefix":      "string",
	"proto":       "string",
	"quiet":       "boolean",
	"s":           "string",
	"secs":        "number",
	"service":     "string",
	"t":           "number",
	"text":        "string",
	"timeout":     "number",
	"url":         "string",
	"usage":       "string",
	"v":           "any",
}

// resultTypes types the result names most signatures share.
var resultTypes = map[string]string{
	"addr":                      "gonetrepl.addr",
	"boolean":                   "boolean",
	"cert_pem":                  "string",
	"chan":                      "gonetrepl.chan",
	"cli":                       "gonetrepl.flags_parser",
	"conn":                      "gonetrepl.conn",
	"data":                      "string",
	"err":                       "gonetrepl.error",
	"hex":                       "string",
	"host":                      "string",
	"hostport":                  "string",
	"ip":                        "gonetrepl.ip",
	"ipnet":                     "gonetrepl.ipnet",
	"key_pem":                   "string",
	"line":                      "string",
	"listener":                  "gonetrepl.listener",
	"message":                   "string",
	"n":                         "integer",
	"name":                      "string",
	"packet conn":               "gonetrepl.packet_conn",
	"parser":                    "gonetrepl.flags_parser",
	"port":                      "integer",
	"reply":                     "string",
	"response":                  "gonetrepl.http_response",
	"s":                         "string",
	"seconds":                   "number",
	"state":                     "gonetrepl.tls_state",
	"string":                    "string",
	"task":                      "gonetrepl.task_handle",
	"text":                      "string",
	"truncated":                 "boolean",
	"type":                      "string",
	"{address, ...}":            "string[]",
	"{host, ...}":               "string[]",
	"{ip, ...}":                 "gonetrepl.ip[]",
	"{name, ...}":               "string[]",
	"{task, ...}":               "gonetrepl.task_handle[]",
	"{text, ...}":               "string[]",
	"{{host=, pref=}, ...}":     "gonetrepl.mx[]",
	"{kind, size, mode, mtime}": "gonetrepl.stat",
	"{arg, ...}":                "string[]",
	"{reply, ...}":              "any[]",
	"{{target=, port=, priority=, weight=}, ...}":     "gonetrepl.srv[]",
	"{scheme, host, port, addr, host_header, target}": "gonetrepl.http_url",
}

// paramOverrides types the parameters whose meaning depends on the binding.
var paramOverrides = map[string]map[string]string{
	"net.dial":            {"network": "gonetrepl.dial_network", "opts": "gonetrepl.dial_opts"},
	"http.file":           {"st": "table"},
	"net.listen":          {"network": "gonetrepl.listen_network"},
	"net.listen_packet":   {"network": "gonetrepl.packet_network"},
	"net.relay":           {"a": "gonetrepl.conn", "b": "gonetrepl.conn"},
	"net.trace":           {"mode": "false|\"text\"|\"hex\""},
	"net.resolve_addr":    {"network": "gonetrepl.resolve_network", "opts": "gonetrepl.lookup_opts"},
	"net.split_host_port": {"hostport": "string|gonetrepl.addr"},
	"net.join_host_port":  {"port": "integer|string"},
	"net.lookup_host":     {"opts": "gonetrepl.lookup_opts"},
	"net.lookup_ip":       {"network": "gonetrepl.ip_network", "opts": "gonetrepl.lookup_opts"},
	"net.lookup_addr":     {"ip": "string|gonetrepl.ip", "opts": "gonetrepl.lookup_opts"},
	"net.lookup_cname":    {"opts": "gonetrepl.lookup_opts"},
	"net.lookup_mx":       {"opts": "gonetrepl.lookup_opts"},
	"net.lookup_txt":      {"opts": "gonetrepl.lookup_opts"},
	"net.lookup_srv":      {"opts": "gonetrepl.lookup_opts"},
	"net.lookup_ns":       {"opts": "gonetrepl.lookup_opts"},
	"net.lookup_port":     {"network": "gonetrepl.port_network"},
	"http.byte_range":     {"value": "string", "size": "integer"},
	// A read method's options table may come in place of its optional
	// positional arguments (c:read({timeout = 1})): those are typed to
	// take it too.
	"conn:read":            {"max": "integer|gonetrepl.read_opts", "opts": "gonetrepl.read_opts"},
	"conn:read_full":       {"opts": "gonetrepl.read_opts"},
	"conn:write":           {"opts": "gonetrepl.write_opts"},
	"conn:read_line":       {"max": "integer|gonetrepl.read_opts", "opts": "gonetrepl.read_opts"},
	"conn:read_until":      {"delim": "string|string[]", "max": "integer|gonetrepl.read_until_opts", "opts": "gonetrepl.read_until_opts"},
	"conn:read_all":        {"max": "integer|gonetrepl.read_opts", "opts": "gonetrepl.read_opts"},
	"conn:lines":           {"max": "integer|gonetrepl.read_opts", "opts": "gonetrepl.read_opts"},
	"conn:expect":          {"timeout": "number|gonetrepl.expect_opts", "max": "integer|gonetrepl.expect_opts", "opts": "gonetrepl.expect_opts"},
	"conn:send_after":      {"opts": "gonetrepl.read_opts"},
	"conn:send_line_after": {"opts": "gonetrepl.read_opts"},
	"conn:read_frame":      {"opts": "gonetrepl.read_frame_opts"},
	"conn:write_frame":     {"opts": "gonetrepl.frame_opts"},
	"conn:exchange":        {"opts": "gonetrepl.exchange_opts"},
	"listener:serve":       {"handler": "fun(c: gonetrepl.conn)"},
	"packet conn:write_to": {"addr": "string|gonetrepl.addr"},
	"packet conn:exchange": {"addr": "string|gonetrepl.addr", "opts": "gonetrepl.exchange_opts"},
	"ip:equal":             {"other": "gonetrepl.ip"},
	"ipnet:contains":       {"ip": "gonetrepl.ip|string"},
	"task.spawn":           {"fn": "function", "...": "any"},
	"time.since":           {"t": "number"},
	"string.pack":          {"v1": "string|number", "...": "string|number"},
	"bin.xor":              {"key": "string"},
	"bit.tobit":            {"x": "number"},
	"bit.tohex":            {"x": "number"},
	"bit.bnot":             {"x": "number"},
	"bit.band":             {"x1": "number", "x2": "number"},
	"bit.bor":              {"x1": "number", "x2": "number"},
	"bit.bxor":             {"x1": "number", "x2": "number"},
	"bit.lshift":           {"x": "number"},
	"bit.rshift":           {"x": "number"},
	"bit.arshift":          {"x": "number"},
	"bit.rol":              {"x": "number"},
	"bit.ror":              {"x": "number"},
	"bit.bswap":            {"x": "number"},
	"utf8.char":            {"code1": "integer", "code2": "integer"},
	"utf8.codepoint":       {"i": "integer", "j": "integer"},
	"utf8.len":             {"i": "integer", "j": "integer"},
	"utf8.offset":          {"i": "integer"},
	"table.pack":           {"...": "any"},
	"table.unpack":         {"list": "any[]", "i": "integer", "j": "integer"},
	"tls.dial":             {"opts": "gonetrepl.tls_opts"},
	"tls.listen":           {"opts": "gonetrepl.tls_opts"},
	"tls.client":           {"opts": "gonetrepl.tls_opts"},
	"tls.server":           {"opts": "gonetrepl.tls_opts"},
	"proc.spawn":           {"opts": "gonetrepl.proc_opts"},
	"conn:kill":            {"signal": "string|integer"},
	"help":                 {"x": "any"},
	"flags parser:number":  {"default": "number"},
	"flags parser:seconds": {"default": "number"},
	"flags parser:string":  {"default": "string"},
	"flags parser:bool":    {"default": "boolean"},
	"flags parser:args":    {"min": "integer", "max": "integer", "what": "string"},
	"http.get":             {"opts": "gonetrepl.http_opts"},
	"http.request":         {"req": "gonetrepl.http_request"},
	"http.client":          {"opts": "gonetrepl.http_client_opts"},
	"http.serve": {
		"addr_or_listener": "string|gonetrepl.addr|gonetrepl.listener",
		"handler":          "fun(req: gonetrepl.http_server_request): any, table<string, string|string[]>?, string|table?",
		"opts":             "gonetrepl.http_serve_opts",
	},
	"http client:get":      {"opts": "gonetrepl.http_opts"},
	"http client:request":  {"req": "gonetrepl.http_request"},
	"resp.connect":         {"addr": "string|gonetrepl.addr", "opts": "gonetrepl.resp_opts"},
	"tour.knock":           {"addr": "string|gonetrepl.addr"},
	"resp.new":             {"opts": "gonetrepl.resp_opts"},
	"resp.read_reply":      {"c": "gonetrepl.conn", "opts": "gonetrepl.resp_opts"},
	"resp.read_command":    {"c": "gonetrepl.conn", "opts": "gonetrepl.resp_opts"},
	"resp.encode_integer":  {"n": "integer|string"},
	"resp.parse_integer":   {"s": "string"},
	"resp.split_args":      {"line": "string"},
	"resp.add_integers":    {"a": "integer|string", "b": "integer|string"},
	"resp.encode_bulk":     {"s": "string|number|table"},
	"resp.encode_array":    {"t": "table"},
	"resp.encode_map":      {"t": "table"},
	"resp.encode_error":    {"message": "string|gonetrepl.error"},
	"resp.sorted_keys":     {"t": "table"},
	"resp client:pipeline": {"fn": "fun(p: gonetrepl.resp_client)"},
	// Multicast (multicast.go).
	"net.listen_multicast":          {"network": "gonetrepl.multicast_network", "group_addr": "string", "opts": "gonetrepl.multicast_opts"},
	"packet conn:join":              {"group": "string", "iface": "string"},
	"packet conn:leave":             {"group": "string", "iface": "string"},
	"packet conn:set_multicast_ttl": {"ttl": "integer"},
	// The SOCKS5 server's side (stdlib/socks.lua).
	"socks.serve_client": {"c": "gonetrepl.conn", "opts": "gonetrepl.socks_opts"},
	"socks.parse":        {"data": "string", "opts": "gonetrepl.socks_opts"},
	"socks.reply":        {"code": "integer", "bound": "string|gonetrepl.addr"},
	// Replay and diff (stdlib/replay.lua).
	"replay.load":           {"path": "string", "opts": "gonetrepl.replay_load_opts"},
	"replay.serve_session":  {"c": "gonetrepl.conn", "session": "gonetrepl.replay_session", "opts": "gonetrepl.replay_opts"},
	"replay.client_session": {"c": "gonetrepl.conn", "session": "gonetrepl.replay_session", "opts": "gonetrepl.replay_opts"},
	"replay.diff":           {"expected": "string", "got": "string", "opts": "gonetrepl.replay_opts"},
	"replay.format":         {"divergence": "gonetrepl.replay_divergence"},
}

// resultOverrides types the results whose meaning depends on the binding.
var resultOverrides = map[string]map[string]string{
	"net.trace":              {"previous": "false|\"text\"|\"hex\""},
	"tour.check":             {"done": "boolean"},
	"tour.tmp":               {"path": "string"},
	"net.split_host_port":    {"port": "string"},
	"conn:lines":             {"iterator": "fun(): string?"},
	"conn:read_until":        {"delim": "string"},
	"conn:send_after":        {"received": "string"},
	"conn:send_line_after":   {"received": "string"},
	"conn:wait":              {"code": "integer", "signal": "string"},
	"bit.tobit":              {"y": "integer"},
	"bit.bnot":               {"y": "integer"},
	"bit.band":               {"y": "integer"},
	"bit.bor":                {"y": "integer"},
	"bit.bxor":               {"y": "integer"},
	"bit.lshift":             {"y": "integer"},
	"bit.rshift":             {"y": "integer"},
	"bit.arshift":            {"y": "integer"},
	"bit.rol":                {"y": "integer"},
	"bit.ror":                {"y": "integer"},
	"bit.bswap":              {"y": "integer"},
	"utf8.len":               {"pos": "integer"},
	"utf8.offset":            {"pos": "integer"},
	"utf8.codes":             {"iterator": "fun(s: string, i: integer): integer?, integer?"},
	"table.pack":             {"t": "table"},
	"chan:recv":              {"v": "any"},
	"flags parser:parse":     {"opts": "table<string, string|number|boolean>", "args": "string[]"},
	"flags parser:try_parse": {"opts": "table<string, string|number|boolean>", "args": "string[]"},
	"http.client":            {"client": "gonetrepl.http_client"},
	"http.file":              {"body": "table"},
	"http.byte_range":        {"first": "integer", "last": "integer", "why": "\"ignore\"|\"unsatisfiable\""},
	"logf.new":               {"log": "fun(fmt: string, ...: any)"},
	"resp.connect":           {"client": "gonetrepl.resp_client"},
	"resp.new":               {"client": "gonetrepl.resp_client"},
	"resp.read_reply":        {"value": "any", "attribute": "any"},
	"resp client:call":       {"reply": "any", "attribute": "any"},
	"resp client:receive":    {"reply": "any", "attribute": "any"},
	"resp.sorted_keys":       {"keys": "any[]"},
	"resp.parse_integer":     {"n": "integer|string"},
	"resp.add_integers":      {"sum": "integer|string"},
	"resp.split_args":        {"words": "string[]"},
	// Multicast (multicast.go).
	"packet conn:multicast_ttl": {"ttl": "integer"},
	// The SOCKS5 server's side (stdlib/socks.lua).
	"socks.serve_client": {"n_up": "integer", "n_down": "integer"},
	"socks.parse":        {"request": "gonetrepl.socks_request", "reply": "string"},
	// Replay and diff (stdlib/replay.lua).
	"replay.load":           {"sessions": "gonetrepl.replay_session[]"},
	"replay.diff":           {"divergence": "gonetrepl.replay_divergence"},
	"replay.serve_session":  {"divergence": "gonetrepl.replay_divergence"},
	"replay.client_session": {"divergence": "gonetrepl.replay_divergence"},
	"replay.format":         {"text": "string"},
}

// A stubParam is one parameter or result written out whole, for the few
// signatures whose shorthand the parser does not read (a choice between a
// list and varargs, results that differ in number between success and
// failure).
type stubParam struct {
	name string // "" for an unnamed result; "..." for varargs
	typ  string
	doc  string
}

// paramLists replaces the parameters of a signature.
var paramLists = map[string][]stubParam{
	"resp.encode_command": {
		{"cmd", "string|(string|number)[]", "the command's name, or the whole command as a list"},
		{"...", "string|number", "its arguments"},
	},
	"resp client:call": {
		{"cmd", "string|(string|number)[]", "the command's name, or the whole command as a list"},
		{"...", "string|number", "its arguments"},
	},
	"resp client:send": {
		{"cmd", "string|(string|number)[]", "the command's name, or the whole command as a list"},
		{"...", "string|number", "its arguments"},
	},
}

// resultLists replaces the results of a signature.
var resultLists = map[string][]stubParam{
	"net.relay": {
		{"n_ab", "integer?", "bytes copied from a to b; nil on failure"},
		{"n_ba_or_err", "integer|gonetrepl.error", "bytes copied from b to a; on failure the error"},
		{"n_ab", "integer?", "on failure: bytes copied from a to b"},
		{"n_ba", "integer?", "on failure: bytes copied from b to a"},
	},
	"conn:expect": {
		{"data", "string?", "what was consumed, up to the end of the match; nil on failure"},
		{"...", "string|integer|gonetrepl.error", "the pattern's captures; on failure the error"},
	},
	"task handle:wait": {
		{"...", "any", "the task's results; on failure nil, err"},
	},
	"string.unpack": {
		{"...", "any", "the values read, then the position of the first byte not read"},
	},
	"utf8.codepoint": {
		{"...", "integer", "the code points of s[i..j]"},
	},
	"table.unpack": {
		{"...", "any", "list[i], ..., list[j]"},
	},
}
