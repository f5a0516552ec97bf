package bindings

import (
	"strings"
	"testing"
)

// The fixtures of the help() examples, which TestHelpExamples runs as
// shown, each in a fresh runtime, inside a private network namespace where
// the peers the examples name answer at their addresses (see
// examples_peers_linux_test.go):
//
//	127.0.0.1:9000, [::1]:9000  TCP echo: sends back what it reads, closes
//	                            after the client's half-close
//	127.0.0.1:9000 (udp)        UDP echo
//	127.0.0.1:8000              HTTP: / and /a answer "hello\n", /echo the body
//	127.0.0.1:6379              redis-server; 6380 is TLS in front of it,
//	                            as redis.example.com
//	127.0.0.1:443               TLS echo, as example.com (ALPN http/1.1)
//	127.0.0.1:25                SMTP-like STARTTLS: greets 220, answers
//	                            STARTTLS with 220, then TLS echo as
//	                            mail.example.com
//	127.0.0.1:53                DNS (dnsmasq) for example.com: A, CNAME www,
//	                            MX, TXT, NS, SRV _xmpp-server._tcp
//	239.1.2.3:5000 on lo        a multicast sender, every 20 ms
//
// The system resolver sees /etc/resolv.conf naming 127.0.0.1 and an
// /etc/hosts with localhost alone; Go trusts the test CA (SSL_CERT_FILE).
// The working directory holds index.html.
//
// An entry needs a fixture only for what its example takes for granted:
// a global it names (c, ln, r, cli…) or a peer's state (data waiting to be
// read). An entry without one runs bare; an example that fails fails the
// test. No entry is skipped.

// exampleFixture is what one entry's example, or every entry of a module
// or class (keyed by the Module's name), needs around it.
type exampleFixture struct {
	// prelude is Lua run before the example, in a chunk of its own (so the
	// example's locals stay its own): it sets the globals the example
	// names. A class's prelude runs first, then the entry's.
	prelude string
	// after is Lua appended to the example's chunk, so it sees the
	// example's locals: it checks what the example states of a value
	// (`--> {"SET", ...}`) or that a server it started answers.
	after string
	// stop marks an example that loops forever by design: it runs until
	// its first line of output, then is canceled, and must not fail before.
	stop bool
	// fails exempts an example that cannot run unattended: it must fail,
	// with an error containing this text (the documented error).
	fails string
}

// dialEcho is a conn to the TCP echo server.
const dialEcho = `c = assert(net.dial("tcp", "127.0.0.1:9000", {timeout = 2}))`

// listenAny is a TCP listener on a free port, and dialLn a conn to it.
const (
	listenAny = `ln = assert(net.listen("tcp", "127.0.0.1:0"))`
	dialLn    = `assert(net.dial("tcp", net.join_host_port("127.0.0.1", ln:addr().port)))`
)

var exampleFixtures = map[string]exampleFixture{
	// net
	"net.relay": {prelude: listenAny, after: `local k = ` + dialLn + `
		k:write("hi\n"); k:close_write(); assert(k:read_all() == "yo\n")`},
	"net.trace":   {prelude: dialEcho},
	"net.record":  {prelude: dialEcho, after: `assert(assert(io.open("session.txt")):read("*l") == "# gonetrepl transcript 1")`},
	"net.capture": {prelude: dialEcho},

	// conn: c is a conn to the echo server; what a read example needs to
	// find is written first, and comes back.
	"conn":                 {prelude: dialEcho},
	"conn:read":            {prelude: `c:write("hello\n")`},
	"conn:read_full":       {prelude: `c:write("abcd")`},
	"conn:read_line":       {prelude: `c:write("hello\n")`},
	"conn:read_until":      {prelude: `c:write("user@host:~$ ")`, after: `assert(prompt == "$ ")`},
	"conn:read_all":        {prelude: `c:write("all of it"); c:close_write()`, after: `assert(body == "all of it")`},
	"conn:read_frame":      {prelude: `c:write("\5\0hello")`, after: `assert(msg == "hello")`},
	"conn:expect":          {prelude: `c:write("HTTP/1.1 200 OK\r\n")`, after: `assert(code == "200")`},
	"conn:lines":           {prelude: `c:write("one\ntwo\n"); c:close_write()`},
	"conn:buffered":        {prelude: `c:write("hello\n"); assert(c:read_full(1))`},
	"conn:flush":           {prelude: `reply = "OK\n"`},
	"conn:send_after":      {prelude: `c:write("Password: ")`},
	"conn:send_line_after": {prelude: `c:write("login: ")`},
	"conn:exchange":        {prelude: `c = assert(net.dial("udp", "127.0.0.1:9000"))`, after: `assert(reply == "ping")`},
	"conn:send_file":       {prelude: `path = "index.html"`},
	"conn:tls_state":       {prelude: `c = assert(tls.dial("example.com:443"))`},
	// ln is a TLS listener, and a task dials it and handshakes.
	"conn:handshake": {prelude: `ln = assert(tls.listen("127.0.0.1:0", {self_signed = true}))
		task.spawn(function() assert(tls.dial(net.join_host_port("127.0.0.1", ln:addr().port), {insecure = true})) end)`,
		after: `assert(ok, err)`},

	// listener: ln listens on a free port.
	"listener":        {prelude: listenAny},
	"listener:accept": {prelude: `task.spawn(function() ` + dialLn + ` end)`},
	"listener:serve": {after: `local k = ` + dialLn + `
		k:write("hi\n"); assert(k:read_line({timeout = 5}) == "hi")`},

	// packet conn: pc is a UDP socket on a free port; 127.0.0.1:9000
	// echoes datagrams.
	"packet conn":           {prelude: `pc = assert(net.listen_packet("udp", "127.0.0.1:0"))`},
	"packet conn:read_from": {prelude: `assert(pc:write_to("hello", tostring(pc:local_addr())))`, after: `assert(data == "hello")`},
	"packet conn:exchange":  {after: `assert(reply == "ping")`},
	"packet conn:leave":     {prelude: `pc = assert(net.listen_multicast("udp4", "239.1.2.3:5000", {interface = "lo"}))`},

	// task, task handle, chan
	"task handle":        {prelude: `t = task.spawn(function() return "done" end)`},
	"task handle:cancel": {prelude: `t = task.spawn(function() time.sleep(60) end)`},
	"chan":               {prelude: `ch = task.chan(1); line = "hello"`},
	"chan:recv":          {prelude: `ch:send("hi")`, after: `assert(v == "hi" and ok)`},

	// values the examples take as given
	"time.since":      {prelude: `t0 = time.now()`},
	"bin.unhex":       {after: `assert(magic == "\222\173\190\239")`},
	"bin.unb64":       {after: `assert(s == "user:pass")`},
	"bin.escape":      {prelude: `line = "caf\195\169\r\n\0"`},
	"bit.band":        {prelude: `n = 0x1234`, after: `assert(low == 0x34)`},
	"bit.bor":         {after: `assert(flags == 0x15)`},
	"string.unpack":   {prelude: `hdr = string.pack(">I2 I2 s1", 0x1234, 443, "host")`, after: `assert(id == 0x1234 and port == 443 and host == "host" and next == #hdr + 1)`},
	"utf8.offset":     {prelude: `s = "héllo"`, after: `assert(last == 6)`},
	"table.pack":      {prelude: `function f() return 1, nil, 3 end`},
	"table.unpack":    {after: `assert(a == 1 and b == 2)`},
	"http.byte_range": {prelude: `req = {headers = {range = "bytes=0-3"}}; path = "index.html"; st = assert(os.stat(path))`},

	// tls: c is a plain conn to the STARTTLS server, its greeting read;
	// or the server side of a conn whose client starts TLS after "OK".
	// tls.listen names PEM files in the working directory: a self-signed
	// certificate, its key, and the same certificate as the client CA.
	"tls.listen": {prelude: `local cert, key = tls.self_signed()
		for name, pem in pairs({["cert.pem"] = cert, ["key.pem"] = key, ["ca.pem"] = cert}) do
			local f = assert(io.open(name, "w")); f:write(pem); f:close()
		end`},
	"tls.client": {prelude: `c = assert(net.dial("tcp", "127.0.0.1:25")); assert(c:read_line({timeout = 5}))`,
		after: `assert(c:send_line("ping")); assert(c:read_line({timeout = 5}) == "ping")`},
	"tls.server": {prelude: listenAny + `
		task.spawn(function()
			local k = ` + dialLn + `
			assert(k:read_line({timeout = 5}))
			k = assert(tls.client(k, {insecure = true}))
			assert(k:write("ping\n"))
		end)
		c = assert(ln:accept())`,
		after: `assert(c:read_line({timeout = 5}) == "ping")`},

	// globals. interact wires a terminal to the conn; there is none here
	// (stdin is /dev/null), so it must refuse, saying so.
	"interact": {fails: "interact needs a terminal"},

	// flags: cli is a fresh parser.
	"flags parser": {prelude: `cli = flags.new("client.lua [options] ADDR")`},
	"flags parser:parse": {prelude: `cli:seconds("timeout", 5, "give up after SECONDS"); cli:args(0, 1, "ADDR"); arg = {"--timeout", "2", "127.0.0.1:7"}`,
		after: `assert(opts.timeout == 2 and args[1] == "127.0.0.1:7")`},
	"flags parser:try_parse": {prelude: `cli:seconds("timeout", 5, "give up after SECONDS"); cli:args(0, 1, "ADDR")`,
		after: `assert(opts.timeout == 2 and args[1] == "host:7")`},

	// http
	"http.request":      {after: `assert(r.status == 200 and r.body == "hi")`},
	"http.client":       {after: `assert(a.status == 200 and a.body == "hello\n")`},
	"http.serve":        {after: `local k = assert(http.get("http://" .. tostring(ln:addr()) .. "/x", {timeout = 5})); assert(k.body == "hi /x")`},
	"http client":       {prelude: `client = http.client({timeout = 5})`},
	"http client:get":   {after: `assert(r.status == 200)`},
	"http.read_headers": {prelude: dialEcho + `; c:write("Host: example\r\nX-A: 1\r\nX-A: 2\r\n\r\n")`, after: `assert(headers.host == "example" and #list == 3)`},
	"logf.new":          {prelude: `opts = {quiet = false}; ` + dialEcho},

	// resp: c is a conn to the echo server, r a client of the redis.
	"resp": {prelude: dialEcho},
	// socks: ln is the SOCKS5 server the example starts; the after dials
	// the echo server through it, with the example's credentials.
	"socks.serve_client": {prelude: listenAny, after: `local k = assert(net.dial("tcp", "127.0.0.1:9000",
		{via = "socks5://u:p@127.0.0.1:" .. ln:addr().port, timeout = 5}))
		k:write("hi\n"); assert(k:read_line({timeout = 5}) == "hi")`},
	"socks.reply": {prelude: dialEcho},
	// replay: a transcript of one PING in the working directory; the
	// players run against the echo server, which answers what it is sent.
	"replay.load": {prelude: `local f = assert(io.open("redis.transcript", "w"))
		f:write("# gonetrepl transcript 1\n1733366400.1 1 open tcp 127.0.0.1:50312 127.0.0.1:6379 dial\n",
			"1733366400.2 1 send 14 \"*1\\r\\n$4\\r\\nPING\\r\\n\"\n1733366400.3 1 recv 7 \"+PONG\\r\\n\"\n")
		f:close()`, after: `assert(#sessions == 1 and sessions[1].chunks[2].data == "+PONG\r\n")`},
	"replay.serve_session":  {prelude: dialEcho},
	"replay.client_session": {prelude: dialEcho},
	"resp client":           {prelude: `r = assert(resp.connect("127.0.0.1:6379", {timeout = 5, protocol = 3}))`},
	"resp.new":              {after: `assert(r:call("PING") == "PONG")`},
	"resp.read_reply":       {prelude: `c:write("+OK\r\n")`, after: `assert(v == "OK" and t == "simple")`},
	"resp.read_command": {prelude: listenAny, after: `local k = ` + dialLn + `
		k:write(resp.encode_command("PING")); assert(resp.read_reply(k) == "PONG")`},
	"resp.split_args":     {after: `assert(#words == 3 and words[1] == "SET" and words[2] == "k" and words[3] == "a b!")`},
	"resp.parse_integer":  {prelude: `a = {"INCRBY", "n", "12"}`, after: `assert(n == 12)`},
	"resp.encode_bulk":    {prelude: `store = {k = "v"}; key = "k"`},
	"resp.is_error":       {prelude: `replies = {"OK", resp.error("ERR no")}`},
	"resp.sorted_keys":    {prelude: `r = assert(resp.connect("127.0.0.1:6379", {protocol = 3})); r:call("HSET", "h", "a", 1, "b", 2)`},
	"resp.type":           {prelude: `r = assert(resp.connect("127.0.0.1:6379", {protocol = 3})); r:call("HSET", "h", "a", 1)`},
	"resp client:receive": {prelude: `r:send("SUBSCRIBE", "news")`},
	// SUBSCRIBE, then print every message forever: it runs until its first
	// line (the subscription's confirmation), then is canceled.
	"resp client:send": {stop: true},

	// websocket: url is a WebSocket echo server's (websocket.serve on a free
	// port); s a client socket to it; websocket and http the modules.
	"websocket":              {prelude: wsEcho},
	"websocket socket":       {prelude: wsEcho + `; s = assert(websocket.connect(url, {timeout = 5}))`},
	"websocket.wrap":         {prelude: dialEcho, after: `assert(s.server)`},
	"websocket.upgrade":      {after: `local k = assert(websocket.connect("ws://" .. tostring(ln:addr()) .. "/", {timeout = 5})); assert(k:recv() == "hello")`},
	"websocket socket:recv":  {prelude: `s:send("hi")`, after: `assert(data == "hi" and kind == "text")`},
	"websocket socket:close": {after: `assert(s.close_code == 1000)`},
}

// wsEcho starts a WebSocket echo server and names its URL url.
const wsEcho = `websocket = require "websocket"; http = require "http"
	local echo = assert(websocket.serve("127.0.0.1:0", function(s) while true do local d, k = s:recv(); if not d then return end; s:send(d, k) end end))
	url = "ws://" .. tostring(echo:addr()) .. "/"`

// TestHelpExampleFixturesNameEntries checks that every fixture is for an
// entry or a module that exists, and that every example stating a result
// (`--> …`) without printing it has an after that checks it: on every
// platform, so that a renamed entry cannot leave its fixture behind.
func TestHelpExampleFixturesNameEntries(t *testing.T) {
	known := map[string]bool{}
	for _, m := range append(Docs(), stdlibDocs()...) {
		known[m.Name] = true
		for _, d := range m.Docs {
			known[d.Name] = true
			if _, stated := exampleResults(d.Example); stated && !prints(d.Example) && exampleFixtures[d.Name].after == "" {
				t.Errorf("%s: its example states a result (-->) that it does not print, and no after checks it", d.Name)
			}
		}
	}
	for name := range exampleFixtures {
		if !known[name] {
			t.Errorf("fixture %q: no such entry or module", name)
		}
	}
}

// exampleResults returns what an example's `--> result` comments state,
// one per line, and whether it has any.
func exampleResults(example string) (lines []string, stated bool) {
	for _, line := range strings.Split(example, "\n") {
		if _, result, ok := strings.Cut(line, "--> "); ok {
			lines = append(lines, result)
		}
	}
	return lines, len(lines) > 0
}

// prints reports whether an example writes to stdout, so that its stated
// results are what it prints.
func prints(example string) bool {
	return strings.Contains(example, "print(") || strings.Contains(example, "io.write(")
}
