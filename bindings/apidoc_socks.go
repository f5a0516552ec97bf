package bindings

// socksOpts are the options of socks.serve_client and socks.parse, as
// stdlib/socks.lua reads them.
var socksOpts = shape{class: "gonetrepl.socks_opts", opts: true, code: "stdlib/socks.lua:opts",
	doc: "The options of socks.serve_client and socks.parse.",
	fields: []field{
		{"user", "string", "the user name a client must give (RFC 1929; with pass); without it, no authentication"},
		{"pass", "string", "the password that goes with user"},
		{"allow", "fun(host: string, port: integer): boolean", "serve_client: asked before each connect; false refuses it with reply 2 (not allowed)"},
		{"timeout", "number", "seconds for the whole handshake (default socks.HANDSHAKE_TIMEOUT, 10)"},
	}}

// socksRequest is the request socks.parse returns.
var socksRequest = shape{class: "gonetrepl.socks_request",
	doc: "A SOCKS5 client's request, as socks.parse reads it.",
	fields: []field{
		{"cmd", "integer", "1 (CONNECT), 2 (BIND) or 3 (UDP ASSOCIATE); only CONNECT is served"},
		{"atyp", "\"ipv4\"|\"ipv6\"|\"domain\"", "the kind of target address"},
		{"host", "string", "the target: an IP address in text, or the name as sent"},
		{"port", "integer", "the target's port"},
	}}

// socksDocs documents stdlib/socks.lua, as logfDocs does for logf. It
// makes no class.
func socksDocs() []Module {
	return []Module{
		{Name: "socks", Summary: "a SOCKS5 server's side of the protocol: CONNECT, no-auth and user/password (stdlib, `require \"socks\"`; the client side is net.dial's via)", Docs: []Doc{
			{"socks.serve_client", "socks.serve_client(c [, opts]) -> n_up, n_down | nil, err",
				"Serves one SOCKS5 client on conn c (RFC 1928): its greeting, its user and password when opts.user is set (RFC 1929; a wrong pair gets status 1 and the conn ends), its request (CONNECT to an IPv4 or IPv6 address or a name, which is looked up here, so socks5h clients work), all within opts.timeout (default socks.HANDSHAKE_TIMEOUT, 10 s). Then it dials the target (socks.DIAL_TIMEOUT, 10 s) and answers with a reply code: 0 and the bound address, or 5 (refused), 3 (network unreachable), 4 (host unreachable: no such host, a timeout), 2 (not allowed: opts.allow(host, port) said false), 7 (a command other than CONNECT), 8 (an unknown address type), 1 (anything else); and joins the two conns with net.relay, returning its byte counts. Every read of the handshake is sized by the byte before it (at most 255 bytes), so a client makes it hold at most 515 bytes. A failure is nil, err: the conn's error, the dial's, or kind 'other' (\"socks: ...\") for a client breaking the protocol. It does not close c.",
				`ln:serve(function(c) socks.serve_client(c, {user = "u", pass = "p"}) end)`},
			{"socks.parse", "socks.parse(data [, opts]) -> request, reply | nil, err, reply",
				"Runs serve_client's handshake over data, a client's bytes, without a conn: the request {cmd, atyp (\"ipv4\", \"ipv6\", \"domain\"), host, port} and the bytes the server would have written (the method choice and the auth status, not the final reply); or nil, err (kind 'eof' when data ends early, 'other' when it breaks the protocol) and what the server would have written, a reply with its error code included. What FuzzSOCKSHandshake runs on any bytes.",
				`local req = assert(socks.parse("\5\1\0\5\1\0\3\9localhost\0\80")); print(req.host, req.port)`},
			{"socks.reply", "socks.reply(code [, bound]) -> data",
				"A SOCKS5 reply: code (socks.SUCCEEDED, socks.CONNECTION_REFUSED...) and the address the server bound, an addr value or \"ip:port\" (default 0.0.0.0:0).",
				`c:write(socks.reply(socks.NOT_ALLOWED))`},
		}},
	}
}
