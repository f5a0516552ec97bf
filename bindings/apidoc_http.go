package bindings

// httpRequestOpts lists the request options that http.get, http.request
// and a client's methods share.
const httpRequestOpts = " opts: timeout (seconds for the whole request, redirects included; default http.TIMEOUT, 30), max_body (bytes; default http.MAX_BODY, 16 MiB), redirects (how many to follow; default 0: a 3xx comes back as it is), headers (name -> value, or name -> list of values for repeated lines), insecure, ca, cert, key, server_name, sni, pin_sha256, min_version, keylog (for https://, passed to tls.dial; certificates are verified unless insecure = true; a kept-alive conn is reused only by a request with the same TLS options), via (proxies, passed to net.dial or tls.dial; idle conns are kept per route)."

// httpResponseDoc describes a response table and the errors.
const httpResponseDoc = " The response is a table {status = 200, reason = \"OK\", version = \"HTTP/1.1\", headers, header_list, body, url (the last one, after redirects), redirects (how many were followed), trailers (of a chunked body)}; headers maps each lowercased name to its value, repeated headers joined with \", \" (header_list keeps every {name, value} as received, in order). Bodies: Content-Length, chunked, or until the server closes; none for HEAD, 1xx, 204 and 304. Every read is capped, so that a whole response is bounded: a status or header line at http.MAX_LINE (8192 bytes), http.MAX_HEADERS (100) headers of http.MAX_HEADER_BYTES (64 KiB) together, a chunk-size line at http.MAX_CHUNK_LINE (1024), a chunked body's framing (size lines and CRLFs) at http.MAX_CHUNK_OVERHEAD (16 KiB) beyond half its data (1-byte chunks are refused early), the body at max_body; over a cap is kind 'too_large', refused before anything is allocated (a Content-Length or a chunk size over max_body is refused as soon as it is read). A body the server ends before its length is kind 'eof', \"http: transfer closed with N bytes remaining\" (of the body, or of the chunk being read); a chunked body it ends between chunks, before the last chunk (size 0) and the empty line after the trailers, is kind 'eof' too, \"http: transfer closed with outstanding read data remaining\" (curl's words): never a response. A malformed response is kind 'other', and so is an ambiguous one (RFC 9112, 6.3): Transfer-Encoding with Content-Length, two different Content-Lengths, a transfer coding other than chunked (gzip, chunked is not decoded as plain chunked); errors have the fields of net error values (kind, op, addr, message). Peer bytes quoted in an error message are escaped (bin.escape). A bad URL (not http:// or https://) or a header with CR or LF raises."

// httpShapes are the tables the http module takes and returns.
func httpShapes() []shape {
	return []shape{
		{class: "gonetrepl.http_opts", opts: true, doc: "The options of http.get, of a request and of a client's requests.",
			fields: []field{
				{"timeout", "number", "seconds for the whole request, redirects included (default http.TIMEOUT)"},
				{"max_body", "integer", "the largest body read, in bytes (default http.MAX_BODY)"},
				{"redirects", "integer", "how many redirects to follow (default 0: a 3xx comes back as it is)"},
				{"headers", "table<string, string|string[]>", "request headers: name -> value, or a list of values for repeated lines"},
				{"insecure", "boolean", "https: skip certificate verification (tls.dial's insecure)"},
				{"ca", "string", "https: PEM of the CAs to trust"},
				{"cert", "string", "https: PEM of a client certificate (with key)"},
				{"key", "string", "https: PEM of its private key"},
				{"server_name", "string", "https: the name the certificate must be for"},
				viaField,
				{"sni", "string|false", "https: the server name sent (tls.dial's sni); false sends none"},
				{"pin_sha256", "string|string[]", "https: base64 SHA-256 of the server's public key (SPKI), or a list (tls.dial's pin_sha256)"},
				{"min_version", "\"1.0\"|\"1.1\"|\"1.2\"|\"1.3\"", "https: the lowest TLS version accepted"},
				{"keylog", "string", "https: file the TLS secrets are appended to (NSS key log format)"},
			}},
		// Client:request reads the options it picks from a request and the
		// client's defaults as o.key, and the headers as opts.headers.
		{class: "gonetrepl.http_client_opts", parent: "gonetrepl.http_opts", opts: true, code: "stdlib/http.lua:o,opts", doc: "The options of http.client: defaults for its requests, and the pool size.",
			fields: []field{
				{"max_idle", "integer", "idle conns kept per scheme, host and port (default http.MAX_IDLE)"},
			}},
		{class: "gonetrepl.http_request", parent: "gonetrepl.http_opts", doc: "A request for http.request and client:request; the options of http.get apply too.",
			fields: []field{
				{"url", "string", "http:// or https://"},
				{"method?", "string", "default \"GET\""},
				{"body?", "string", "sent with Content-Length"},
			}},
		{class: "gonetrepl.http_response", doc: "A response, from http.get, http.request or a client.",
			fields: []field{
				{"status", "integer", "200"},
				{"reason", "string", "\"OK\""},
				{"version", "string", "\"HTTP/1.1\""},
				{"headers", "table<string, string>", "each lowercased name to its value; repeated headers joined with \", \""},
				{"header_list", "string[][]", "every {name, value} as received, in order"},
				{"body", "string", "the body (none for HEAD, 1xx, 204 and 304)"},
				{"url", "string", "the last URL, after redirects"},
				{"redirects", "integer", "how many redirects were followed"},
				{"trailers", "table<string, string>?", "the trailers of a chunked body"},
			}},
		{class: "gonetrepl.http_server_request", doc: "A request as http.serve's handler gets it.",
			fields: []field{
				{"method", "string", "\"GET\""},
				{"target", "string", "the request target as sent (\"/a?b=1\", or absolute-form \"http://h/a?b=1\")"},
				{"path", "string", "the target's path, before ? (of an absolute-form target, what follows its authority: \"/a\")"},
				{"query", "string?", "the target after ?, or nil"},
				{"version", "string", "\"HTTP/1.1\""},
				{"headers", "table<string, string>", "lowercased names, as a response's; host is an absolute-form target's authority"},
				{"header_list", "string[][]", "every {name, value} as received, in order"},
				{"body", "string", "read when the handler first uses it; raises when it fails to read"},
				{"trailers", "table<string, string>?", "the trailers of a chunked body, after body was read"},
				{"remote_addr", "string", "the client's address"},
				{"taken", "boolean?", "set by a handler that took the conn over (websocket.upgrade): no reply is sent"},
			}},
		{class: "gonetrepl.http_serve_opts", opts: true, doc: "The options of http.serve.",
			fields: []field{
				{"timeout", "number", "seconds a connection may wait for its next request (default http.IDLE_TIMEOUT)"},
				{"max_body", "integer", "the largest request body read (default http.MAX_REQUEST_BODY)"},
			}},
		{class: "gonetrepl.http_url", doc: "A URL split by http.parse_url.",
			fields: []field{
				{"scheme", "\"http\"|\"https\"", ""},
				{"host", "string", "without brackets"},
				{"port", "integer", "default 80 or 443"},
				{"addr", "string", "the address to dial (\"[::1]:8080\")"},
				{"host_header", "string", "the Host header"},
				{"target", "string", "path and query, \"/\" at least; the fragment dropped"},
			}},
	}
}

// httpDocs documents stdlib/http.lua: one Module for the module and one per
// class it returns, as flagsDocs does for flags.
func httpDocs() []Module {
	return []Module{
		{Name: "http", Summary: "an HTTP/1.1 client with keep-alive, and a tiny server (stdlib, `require \"http\"`)", Docs: []Doc{
			{"http.get", "http.get(url [, opts]) -> response | nil, err",
				"GETs url (http:// or https://) on a fresh connection, closed after the response (the request says Connection: close); use http.client() to keep connections alive." + httpRequestOpts + httpResponseDoc,
				`local http = require "http"; local r = assert(http.get("http://127.0.0.1:8000/", {timeout = 5})); print(r.status, r.headers["content-type"], #r.body)`},
			{"http.request", "http.request(req) -> response | nil, err",
				"Makes one request on a fresh connection, as http.get does: req = {method (default \"GET\"), url, headers, body (a string, sent with Content-Length), and the options of http.get}. Host, User-Agent (http.USER_AGENT) and Content-Length are added unless given.",
				`local r = assert(http.request({method = "POST", url = "http://127.0.0.1:8000/echo", body = "hi", headers = {["Content-Type"] = "text/plain"}}))`},
			{"http.client", "http.client([opts]) -> client",
				"A client that keeps connections alive: after a response whose length was known, the conn goes back to a pool of at most opts.max_idle (default http.MAX_IDLE, 2) idle conns per scheme, host and port, and the next request to that server reuses it. A request that finds its reused conn closed by the server, before any response came, is retried once on a new conn (GET, HEAD, PUT, DELETE, OPTIONS, TRACE). opts are defaults for every request (those of http.get, headers included) plus max_idle.",
				`local client = http.client({timeout = 5}); local a = assert(client:get("http://127.0.0.1:8000/a"))`},
			{"http.serve", "http.serve(addr_or_listener, handler [, opts]) -> listener, task | nil, err",
				"Answers HTTP/1.1 on a listener (net.listen(\"tcp\", addr) for a string or an addr value; a tls.listen listener gives https): a task per connection (ln:serve), keep-alive (HTTP/1.0 clients only with Connection: keep-alive), Content-Length on every reply. handler(req) gets {method, target, path, query (after ?, or nil), version, headers (lowercased, as a response's), header_list, body, remote_addr} and returns status, headers, body (a string, or http.file(path) to stream a file); or a table {status, headers, body}; or a string (200); or nothing (404). The handler gets the conn as a second argument, handler(req, c): one that takes the conn over for another protocol (websocket.upgrade does) sets req.taken = true, and then no reply is sent and the conn ends when the handler returns. req.body is read when the handler first uses it (after a 100 Continue if the client expects one; req.trailers then too): a handler that refuses a request never pays for its body. An unread body up to http.DRAIN (64 KiB) is skipped to keep the connection; a bigger one closes it after the reply. A body that fails to read (over the cap, malformed) raises from req.body and ends the request with 413 or 400. A handler error is a 500 and closes the connection. Requests are capped as responses are, with the body at opts.max_body (default http.MAX_REQUEST_BODY, 1 MiB), so one connection holds at most the header bytes plus max_body: 414, 431, 413 or 400 replies, and the connection is closed. Every reply carries Date (RFC 9110, 6.6.1: an IMF-fixdate, \"Sun, 06 Nov 1994 08:49:37 GMT\", unless the handler sets its own). RFC 9112, 3.2: an HTTP/1.1 request without Host, any request with two, or with a Host that is not host[:port] is 400 and closes the connection (HTTP/1.0 may leave Host out); an absolute-form target (\"GET http://h:8080/a?b HTTP/1.1\") is served as its path and query, its authority becoming req.headers.host (the Host header is ignored, 3.2.2), and one with no host, a user name or a scheme other than http or https is 400. Framing is strict (RFC 9112, 6): Transfer-Encoding with Content-Length (request smuggling) or conflicting Content-Lengths are 400, a transfer coding other than chunked (codings compared as whole tokens) is 501, and the connection is closed; an HTTP/1.0 request with Transfer-Encoding is answered, then the connection closed. opts.timeout: seconds a connection may wait for its next request (default http.IDLE_TIMEOUT, 60). Close the listener to stop.",
				`local ln = assert(http.serve("127.0.0.1:0", function(req) return 200, {["Content-Type"] = "text/plain"}, "hi " .. req.path end)); print(ln:addr())`},
			{"http.file", "http.file(path [, offset [, count [, st]]]) -> body | nil, err",
				"A reply body for http.serve that streams the regular file at path with c:send_file (sendfile(2): no copy in memory; up to 16 KiB, one write with the response head), with its size from os.stat as Content-Length. offset and count (whole numbers >= 0, else a Lua error naming them) make it a slice, a 206's body: count bytes from offset, clamped to the file's end (body.size is what is sent); an offset past the end is nil, err (kind 'other'). A directory, FIFO, socket or device is nil, err (kind 'other', \"not a regular file\"); so is a missing file. A file that shrinks before it is sent leaves the response short, and the connection is closed. st, the os.stat(path) table the caller has just made (a server stats a file for its validators first), spares a second look at the file (a Lua error if it is not such a table).",
				`http.serve("127.0.0.1:0", function(req) return 200, {["Content-Type"] = "text/html"}, assert(http.file("index.html")) end)`},
			{"http.byte_range", "http.byte_range(value, size) -> first, last | nil, why",
				"Reads a Range header's value (RFC 9110, 14.2) for a representation of size bytes as nginx does: first, last (0-based, inclusive, last < size) for one satisfiable range (bytes=a-b, a- or -n; spaces allowed, the unit in any case, b clamped to the end); nil, \"ignore\" when the whole should be sent with 200 (a unit other than bytes, several satisfiable ranges, or a range from 0 of an empty representation); nil, \"unsatisfiable\" (why) for a 416 with Content-Range: bytes */size (no range overlaps, a malformed range set, a number over 18 digits). A value that is not a string, or a size that is not a whole number >= 0, is a Lua error naming it.",
				`local first, last = http.byte_range(req.headers.range, st.size); if first then return 206, {["Content-Range"] = ("bytes %d-%d/%d"):format(first, last, st.size)}, http.file(path, first, last - first + 1) end`},
			{"http.parse_url", "http.parse_url(url) -> {scheme, host, port, addr, host_header, target} | nil, message",
				"Splits an http:// or https:// URL: host without brackets, port (default 80 or 443), addr to dial (\"[::1]:8080\"), the Host header, and target (path and query, \"/\" at least; the fragment dropped).",
				`local u = assert(http.parse_url("http://[::1]:8080/a?b=1")); print(u.addr, u.target)`},
			{"http.read_headers", "http.read_headers(c [, addr]) -> headers, header_list | nil, err",
				"Reads header lines from conn c up to the empty line, as http reads the head of a request or a response: headers maps each lowercased name to its value (repeats joined with \", \"), header_list keeps every {name, value} as received, in order; a line that starts with a blank continues the one before (obsolete folding). Capped as http's heads are: a line at http.MAX_LINE bytes, http.MAX_HEADERS lines of http.MAX_HEADER_BYTES together; over a cap is kind too_large, before more is read. A line without a colon, or a name with a blank, is kind other; the conn's errors come as they came (kind timeout at its deadline: set one first, c:set_read_deadline). addr (a string) is the err.addr of the errors made here. For a protocol whose head is HTTP's (websocket's 101 reply, RTSP, ICAP): read its first line, then the headers with this.",
				`local headers, list = assert(http.read_headers(c)); print(headers["x-a"]) --> 1, 2`},
			{"http.has_token", "http.has_token(value, token) -> boolean",
				"Whether a comma-separated header value (Connection, Upgrade, Expect...) lists token: each item trimmed of spaces and tabs, compared without case; false for nil (a header that is absent). Linear in the value, whatever blanks a peer sends. A value that is neither a string nor nil, or a token that is not a string, is a Lua error.",
				`print(http.has_token("keep-alive, Upgrade", "upgrade")) --> true`},
			{"http.split_list", "http.split_list(value) -> {item, ...}",
				"The items of a comma-separated header value (RFC 9110, 5.6.1), in order, each trimmed of spaces and tabs, empty ones left out; {} for nil. Quoted strings are not parsed: a comma inside quotes splits too. A value that is neither a string nor nil is a Lua error.",
				`print(table.concat(http.split_list(" chat, , v2.json "), "|")) --> chat|v2.json`},
			{"http.new_error", "http.new_error(kind, op, addr, message) -> err",
				"An error value like the ones the conns return, for a protocol written in Lua to return as nil, err: a table {kind, op, addr, message} whose tostring and .. give message. http's own errors are these (message \"http: ...\"), and websocket's. kind is best one of the net kinds (timeout, eof, closed, too_large, other...); op and addr may be nil. A kind or message that is not a string, or an op or addr that is neither a string nor nil, is a Lua error.",
				`local err = http.new_error("other", "read", "127.0.0.1:80", "myproto: bad magic"); print("failed: " .. err) --> failed: myproto: bad magic`},
		}},
		{Name: "http client", Summary: "a keep-alive HTTP client, from http.client: a pool of idle conns per server", Method: true, Docs: []Doc{
			{"http client:get", "client:get(url [, opts]) -> response | nil, err",
				"GETs url as http.get does, reusing an idle conn to the same server when there is one; opts override the client's.",
				`local r = assert(client:get("http://127.0.0.1:8000/", {redirects = 3}))`},
			{"http client:request", "client:request(req) -> response | nil, err",
				"Makes a request as http.request does, on a reused conn when one is idle.",
				`local r = assert(client:request({method = "HEAD", url = "http://127.0.0.1:8000/"}))`},
			{"http client:close", "client:close() -> true",
				"Closes every idle conn; later requests still work but dial a new conn each and keep none.",
				`client:close()`},
		}},
	}
}
