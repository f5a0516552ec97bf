package bindings

// websocketShapes are the tables stdlib/websocket.lua takes and returns.
func websocketShapes() []shape {
	return []shape{
		{class: "gonetrepl.websocket_opts", opts: true, doc: "The options of websocket.connect.",
			fields: []field{
				{"timeout", "number", "seconds for the dial, the TLS handshake and the WebSocket handshake together (default websocket.TIMEOUT, 30)"},
				{"max", "integer", "the largest message recv returns, in bytes (default websocket.MAX_MESSAGE, 16 MiB; at most string.MAX_SIZE, 256 MiB, the longest string); more is closed with code 1009"},
				{"headers", "table<string, string|string[]>", "extra request headers: name -> value, or a list of values for repeated lines"},
				{"protocols", "string[]", "subprotocols to offer (Sec-WebSocket-Protocol), in order of preference; the one the server chose is s.protocol"},
				viaField,
				{"insecure", "boolean", "wss: skip certificate verification (tls.dial's insecure)"},
				{"ca", "string", "wss: PEM of the CAs to trust"},
				{"cert", "string", "wss: PEM of a client certificate (with key)"},
				{"key", "string", "wss: PEM of its private key"},
				{"server_name", "string", "wss: the name the certificate must be for (default: the URL's host)"},
				{"sni", "string|false", "wss: the server name sent (tls.dial's sni); false sends none"},
				{"pin_sha256", "string|string[]", "wss: base64 SHA-256 of the server's public key (SPKI), or a list (tls.dial's pin_sha256)"},
				{"min_version", "\"1.0\"|\"1.1\"|\"1.2\"|\"1.3\"", "wss: the lowest TLS version accepted"},
				{"keylog", "string", "wss: file the TLS secrets are appended to (NSS key log format)"},
			}},
		{class: "gonetrepl.websocket_upgrade_opts", opts: true, doc: "The options of websocket.upgrade.",
			fields: []field{
				{"max", "integer", "the largest message recv returns, in bytes (default websocket.MAX_MESSAGE, 16 MiB)"},
				{"protocols", "string[]", "the subprotocols served: the first of the client's list that is here is chosen"},
				{"idle", "number", "seconds the socket may wait on its client (default websocket.IDLE_TIMEOUT, 60; 0: no limit): for its next frame, or for it to take a frame we write; then it is closed with 1001 (going away)"},
			}},
		{class: "gonetrepl.websocket_serve_opts", parent: "gonetrepl.websocket_upgrade_opts", opts: true, doc: "The options of websocket.serve.",
			fields: []field{
				{"timeout", "number", "seconds a connection may take to send its handshake (http.serve's timeout; default http.IDLE_TIMEOUT)"},
			}},
		{class: "gonetrepl.websocket_wrap_opts", opts: true, doc: "The options of websocket.wrap.",
			fields: []field{
				{"server", "boolean", "true: the server's side (frames sent unmasked, a client's must be masked); default the client's"},
				{"max", "integer", "the largest message recv returns, in bytes (default websocket.MAX_MESSAGE, 16 MiB)"},
				{"protocol", "string", "the subprotocol agreed, kept as s.protocol"},
				{"idle", "number", "seconds the socket may wait on its peer, as websocket.upgrade's idle (default 0: no limit)"},
			}},
		{class: "gonetrepl.websocket_recv_opts", opts: true, doc: "The options of a websocket's recv.",
			fields: []field{
				{"timeout", "number", "seconds this call may wait; on timeout what was read of a message is kept for the next recv"},
			}},
		{class: "gonetrepl.websocket_error", parent: "gonetrepl.error", doc: "An error of the websocket module: a net error value, or one made here (message \"websocket: ...\").",
			fields: []field{
				{"code", "integer?", "the close code: the peer's (kind closed), or the one sent for its bad input (1002, 1007, 1009) or for its idle time (1001, kind timeout)"},
				{"reason", "string?", "kind closed: the peer's close reason"},
				{"status", "integer?", "connect: the HTTP status of a reply that was not 101; upgrade: the status to answer a request that is no handshake with (400, 405, 426)"},
			}},
	}
}

// websocketSocketDoc says what a socket's recv returns and how it fails.
const websocketSocketDoc = " A peer that breaks the protocol never raises: the socket sends a close frame with the code that says why, ends the conn, and recv returns nil, err with err.code = that code: 1002 (kind other) for reserved bits, an unknown opcode, a fragmented or longer than 125 bytes control frame, a continuation with no message started or a new message inside one, an unmasked frame from a client or a masked one from a server, a close frame with 1 byte or a code that may not be sent; 1007 (kind other) for a text message or close reason that is not UTF-8 (surrogates included); 1009 (kind too_large) for a message over max, refused from the frame's header, before its payload is read. The peer's close frame is answered with its code and recv returns nil, err of kind closed with err.code and err.reason (1005 for a close frame with no code), also s.close_code and s.close_reason; the conn ending with no close frame is the conn's error (kind eof, reset...) and s.close_code 1006; after the close every recv returns kind closed."

// websocketIdleDoc says what a server's idle timeout is.
const websocketIdleDoc = " opts.idle: seconds the socket may wait on its client, default websocket.IDLE_TIMEOUT (60, as http.serve's idle timeout: a client that upgrades and goes silent must not hold a task and a conn for ever; long enough for clients that ping, as python3-websockets does every 20 s); 0: no limit. The socket is idle when, while a recv waits, no frame came from the client for that long (a message or a piece of one, a ping, a pong: each MiB of a long message counts; the handler's own time between recvs does not count), or when a frame we write (a message, a ping, the pong that answers a ping) could not go out, whole, within that long: a big message to a slow reader must go out within idle too (16 MiB in 60 s is about 280 KB/s). A recv that finds it idle closes it with 1001 going away (as Tomcat closes an idle session; python3-websockets sends 1011 when its own keepalive ping goes unanswered) and returns nil, err of kind timeout with err.code 1001; a write that waited that long may be cut short, so the conn is ended with no close frame (kind timeout, s.close_code 1006). So a client that pings and never reads is ended too, once its pongs fill the socket buffers. Browsers send no pings of their own but answer ours: to keep quiet browser clients, ping them more often than idle."

// websocketDocs documents stdlib/websocket.lua: one Module for the module
// and one for the socket class.
func websocketDocs() []Module {
	return []Module{
		{Name: "websocket", Summary: "WebSocket (RFC 6455): a client over ws:// and wss://, a server, and websocket.upgrade inside http.serve (stdlib, `local websocket = require \"websocket\"`)", Docs: []Doc{
			{"websocket.connect", "websocket.connect(url [, opts]) -> socket | nil, err",
				"Dials url (ws://host[:port]/path, or wss:// over tls.dial with the TLS options of opts, certificates verified unless insecure) and runs the client's handshake: a GET with Upgrade: websocket, a random Sec-WebSocket-Key (bin.random), opts.headers and opts.protocols. The reply must be exactly 101 with Upgrade: websocket, Connection: Upgrade, the right Sec-WebSocket-Accept (base64 of the SHA-1 of the key and RFC 6455's GUID), no extension, and a subprotocol only among those offered (then s.protocol): anything else is nil, err of kind other naming what was wrong (err.status for a status other than 101), a network failure the conn's error; every line is capped at http.MAX_LINE and the head at http.MAX_HEADERS lines and http.MAX_HEADER_BYTES. opts.timeout (default websocket.TIMEOUT, 30 s) covers the dial and the handshake; opts.via dials through proxies as net.dial does.",
				`local websocket = require "websocket"; local s = assert(websocket.connect(url, {timeout = 5, protocols = {"chat"}})); s:send("hi"); print(s:recv()); s:close()`},
			{"websocket.serve", "websocket.serve(addr_or_listener, handler [, opts]) -> listener, task | nil, err",
				"Serves WebSocket with http.serve: each connection's handshake is answered by websocket.upgrade (opts.max, opts.protocols), then handler(s, req) runs in the connection's task; when it returns the socket is closed with 1000 (1011 when it raised, the error printed to stderr). A request that is no handshake gets the status upgrade names (400, 405 or 426 with Sec-WebSocket-Version: 13). opts.timeout bounds the wait for the handshake (http.serve's timeout)." + websocketIdleDoc,
				`local websocket = require "websocket"; local ln = assert(websocket.serve("127.0.0.1:0", function(s) for data, kind in function() return s:recv() end do s:send(data, kind) end end)); print(ln:addr())`},
			{"websocket.upgrade", "websocket.upgrade(req, c [, opts]) -> socket | nil, err",
				"Inside an http.serve handler, which gets the conn as its second argument: answers the WebSocket handshake of req with 101 and returns the server's socket on c; req.taken is set, so http.serve sends no reply and ends the conn when the handler returns. A request that is no handshake (not a GET, not HTTP/1.1, no Upgrade: websocket or Connection: Upgrade, a version other than 13, a key that is not 16 bytes in base64) is nil, err with err.status (400, 405, 426) for the handler to answer. opts.protocols: the subprotocols served, the first of the client's list among them chosen (s.protocol). The socket's idle timeout takes the place of http.serve's." + websocketIdleDoc,
				`local ln = assert(http.serve("127.0.0.1:0", function(req, c) local s, err = websocket.upgrade(req, c); if not s then return err.status, {}, tostring(err) end; s:send("hello"); s:close() end))`},
			{"websocket.wrap", "websocket.wrap(c [, opts]) -> socket",
				"A socket on conn c whose handshake was done some other way: the client's side, or the server's with opts.server = true; opts.max, opts.protocol, opts.idle (as websocket.upgrade's, but none by default).",
				`local s = websocket.wrap(c, {server = true})`},
			{"websocket.parse_url", "websocket.parse_url(url) -> {scheme, host, port, addr, host_header, target} | nil",
				"Splits a ws:// or wss:// URL as http.parse_url does an http:// one (port 80 or 443 by default); nil for anything else.",
				`local u = websocket.parse_url("ws://[::1]:8765/chat?room=1"); print(u.addr, u.target)`},
		}},
		{Name: "websocket socket", Summary: "a WebSocket, from websocket.connect, serve, upgrade or wrap: messages in and out, ping, the close handshake; fields protocol (the subprotocol agreed, or nil), close_code and close_reason (once closed), pongs (pongs received), server, state (\"open\", \"closing\", \"closed\")", Method: true, Docs: []Doc{
			{"websocket socket:send", "s:send(data [, kind]) -> true | nil, err",
				"Sends data as one message, kind \"text\" (the default; data should be UTF-8) or \"binary\", in one frame written at once (a client's masked with 4 random bytes through bin.xor): frames from two tasks never interleave. On a socket with an idle timeout, a frame the peer does not take within it ends the conn (kind timeout, s.close_code 1006). After the close, nil, err of kind closed.",
				`assert(s:send(bin.unhex("deadbeef"), "binary"))`},
			{"websocket socket:recv", "s:recv([opts]) -> data, kind | nil, err",
				"Reads the next message: its data and \"text\" or \"binary\", fragments joined (in a table, once). Control frames are handled in between: a ping is answered with a pong, a pong is counted in s.pongs, a close frame is answered. opts.timeout bounds the call (kind timeout); what was read of a message is kept and the next recv goes on with it. It bounds the pongs' writes too: a peer that pings and never reads fills the socket buffers, and a pong that cannot go out in time ends the socket (kind timeout, close code 1006), since it may be cut short. On a socket with an idle timeout (websocket.serve's and upgrade's), a client silent for that long is closed with 1001 and recv returns kind timeout, err.code 1001; opts.timeout below it keeps the socket as it is. One task receives at a time; any task may send, ping or close meanwhile. The message is capped at the socket's max (opts.max of connect, serve, upgrade or wrap; default websocket.MAX_MESSAGE, 16 MiB)." + websocketSocketDoc,
				`local data, kind = s:recv({timeout = 5}); if not data then print(kind.kind, kind.code, kind.reason) end`},
			{"websocket socket:ping", "s:ping([data]) -> true | nil, err",
				"Sends a ping with data (at most 125 bytes); the peer's pong shows up as s.pongs going up during a recv.",
				`s:ping("are you there")`},
			{"websocket socket:close", "s:close([code [, reason]]) -> true",
				"The close handshake: sends a close frame with code (default 1000; 1000-1003, 1007-1014 or 3000-4999) and reason (at most 123 bytes of UTF-8), written within websocket.CLOSE_TIMEOUT (a peer that does not read cannot hold it), waits up to websocket.CLOSE_TIMEOUT (2 s) for the peer's close frame (then s.close_code, s.close_reason), and ends the conn (a client waits up to that long again for the server to end it first, as RFC 6455 asks). When another task is in recv, close returns at once: that recv goes on returning the messages the peer sent before its close frame (for up to websocket.CLOSE_TIMEOUT), then reads the peer's close frame and ends the conn. Closing a closed socket does nothing.",
				`s:close(1000, "bye")`},
			{"websocket socket:conn", "s:conn() -> conn",
				"The conn the socket runs on (its addresses, trace, tls_state).",
				`print(s:conn():remote_addr())`},
		}},
	}
}
