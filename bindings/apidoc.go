package bindings

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// The API reference, docs/API.md, is rendered by Markdown from the binding
// tables (through Docs, as help() uses them) and from the sections below,
// which document what is a value rather than a function: error values,
// addresses, the read rules, the concurrency model, and the Lua modules of
// stdlib/. TestAPIDocUpToDate fails when docs/API.md differs from Markdown();
// regenerate it with
//
//	UPDATE_API_DOC=1 go test ./bindings -run TestAPIDocUpToDate

// regenerateAPIDoc is the command that rewrites docs/API.md.
const regenerateAPIDoc = "UPDATE_API_DOC=1 go test ./bindings -run TestAPIDocUpToDate"

const apiTitle = "gonetrepl API reference"

const apiIntro = "" +
	"Every module is preloaded as a global (`require \"net\"` also works); `help()` in the REPL shows\n" +
	"the same entries. A signature reads `f(required [, optional]) -> results | nil, err`.\n" +
	"Argument mistakes (a wrong type, an unknown network name) raise a Lua error; network outcomes\n" +
	"return `nil, err` (see [Errors](#errors)). An options table (`opts`, a request, flags' `limits`)\n" +
	"takes only the keys its entry lists: any other raises, naming the nearest one (`bad argument\n" +
	"#3 to dial (opts: unknown option 'timeuot' (did you mean 'timeout'?))`). The same entries,\n" +
	"typed, are the lua-language-server stubs in `types/` (generated from the same tables), which\n" +
	"the `.luarc.json` at the root puts on the workspace library: VS Code and Neovim complete and\n" +
	"check scripts with them."

const concurrencySection = "" +
	"- Every chunk (a script, a REPL line) and every `task.spawn` runs as a **task**.\n" +
	"- One interpreter lock: only one task runs Lua at a time. Code between two blocking calls runs\n" +
	"  without interruption while it takes less than a time slice (10 ms); a task that runs longer\n" +
	"  (a long loop, a sort, a pattern match on a big string) hands the lock to the waiting tasks\n" +
	"  every 10 ms and goes on after them, so state shared with other tasks may change under a long\n" +
	"  computation: pass it through a channel, or keep the part that must not be interrupted short.\n" +
	"- A blocking call (dial, accept, read, write, sleep, `t:wait`, `ch:send`, `ch:recv`) blocks only\n" +
	"  its own task, and works anywhere: inside `pcall`, iterators, metamethods.\n" +
	"- So no computation holds up the others for more than a time slice; `t:cancel()` and Ctrl-C stop\n" +
	"  one within a tick (a thousand instructions or pattern steps), even inside `string.find`.\n" +
	"- `ch:recv()` returns `v, true`; `nil, false` once the channel is closed and drained;\n" +
	"  `nil, false, err` on timeout.\n" +
	"- An error escaping a spawned task is printed with its traceback, other tasks go on, and a\n" +
	"  script's exit status becomes 1, unless `t:wait()` takes the error: a failure while a\n" +
	"  `t:wait()` waits for it is that call's result and printed nowhere; one taken by a later\n" +
	"  `t:wait()` was printed when it happened but no longer sets the status. A `serve` handler\n" +
	"  ended by a network error value (its conn reset, timed out, or sent a line over the cap, raised\n" +
	"  by `assert` or `lines()`) is a peer's doing: one line, `conn 127.0.0.1:5555 ended: …`, no\n" +
	"  traceback, status unchanged. A Lua error in a handler is a bug: traceback and status 1.\n" +
	"- A socket (conn, listener, packet conn) belongs to the task that opened it, or to the task that\n" +
	"  last received it: as an argument of `task.spawn`, from `ch:recv` or from `t:wait`; while in a\n" +
	"  channel it belongs to none. **A task that fails or is canceled closes the sockets it holds**,\n" +
	"  so an error halfway through a handler cannot leak its conn. A task that returns normally\n" +
	"  closes nothing (it may have returned or stored them). A chunk (a script's main chunk, a prompt\n" +
	"  line) keeps its sockets however it ends: Ctrl-C on a read at the prompt leaves the conn open.\n" +
	"- A listener address without a host (`\":8080\"`, `\":0\"`) listens on loopback only; every\n" +
	"  interface must be named (`\"0.0.0.0:8080\"`, `\"[::]:8080\"`)."

const errorsIntro = "" +
	"A network outcome that fails returns `nil, err`. `err` is an error value:\n" +
	"\n" +
	"- `err.kind`: one short stable word, listed below; test it rather than the message.\n" +
	"- `err.op`: the operation (`\"dial\"`, `\"read\"`, `\"accept\"`…), or nil.\n" +
	"- `err.addr`: the address involved, or nil.\n" +
	"- `err.message`: Go's full message, as `tostring(err)` gives it\n" +
	"  (`dial tcp 127.0.0.1:1: connect: connection refused`); `\"\" .. err` works too.\n" +
	"- `err.peer_certificates`: on a TLS handshake whose peer certificate failed verification\n" +
	"  (kind `tls`), the chain the peer sent, unverified, as `c:tls_state()` lists it; else nil.\n" +
	"\n" +
	"`assert(c:read())` raises the error value itself, so `pcall` hands back `err.kind` intact.\n" +
	"\n" +
	"Kinds:\n"

// errorKindDocs lists every kind with one line, in the order of the kind
// constants in errors.go.
var errorKindDocs = []struct{ kind, doc string }{
	{kindTimeout, "a deadline, an idle timeout (`set_timeout`) or a timeout argument expired"},
	{kindEOF, "the peer ended the stream before what was asked for arrived"},
	{kindClosed, "the conn, listener or channel is closed (for a pipe, also a write after the other end closed)"},
	{kindRefused, "nothing listens at that address: the connection was refused"},
	{kindReset, "the peer reset the connection (also a broken pipe or an aborted connection)"},
	{kindNoSuchHost, "a name lookup found no such host"},
	{kindAddrInUse, "the address to listen on is taken (a port, or an existing Unix socket file)"},
	{kindUnreach, "no route to the network or host"},
	{kindTooLarge, "the data is over the read's cap (see [Reading from a conn](#reading-from-a-conn)); nothing was consumed"},
	{kindCanceled, "the task was canceled (`t:cancel()`, or Ctrl-C on a REPL line)"},
	{kindTLS, "a certificate was refused or the TLS protocol failed"},
	{kindProxy, "a proxy of `opts.via` refused (credentials, the target) or broke its protocol; the message names the hop (`via socks5h://user:***@127.0.0.1:1080: ...`). A proxy that cannot be reached keeps the network's kind (`refused`, `timeout`...), its hop named too"},
	{kindOther, "anything else: `tostring(err)` says what"},
}

const addrSection = "" +
	"`c:local_addr()`, `c:remote_addr()` and `ln:addr()` return an addr value. Fields:\n" +
	"\n" +
	"- `a.network`: `\"tcp\"`, `\"unix\"`, `\"pipe\"`…\n" +
	"- `a.ip`: the IP address as a string (`\"127.0.0.1\"`, `\"::1\"`); nil for Unix addresses.\n" +
	"- `a.port`: the port number; nil for Unix addresses.\n" +
	"- `a.zone`: the IPv6 zone (`\"eth0\"` in `fe80::1%eth0`), or nil.\n" +
	"- `a.name`: the socket path of a Unix address (`\"@name\"` for the abstract namespace); nil for IP.\n" +
	"\n" +
	"`tostring(a)` is the `host:port` form (or the path); `..` works; `==` compares network and\n" +
	"address.\n" +
	"\n" +
	"Every function that takes an address string also takes an addr value, standing for its\n" +
	"string form: `net.dial(\"tcp\", ln:addr())`. That is `net.dial`, `net.listen`,\n" +
	"`net.listen_packet`, `net.resolve_addr`, `net.split_host_port`, `tls.dial`, `tls.listen`,\n" +
	"`pc:write_to`, `pc:exchange`, `http.serve` and `resp.connect`."

// promptSection describes the REPL (package repl); TestPromptSectionTrue
// in repl checks its figures against repl's constants.
const promptSection = "" +
	"`gonetrepl` with no script (or `-i` after one) opens the prompt. Each line runs as a task, so\n" +
	"servers started at the prompt keep serving while you type.\n" +
	"\n" +
	"- An expression's values are printed, tab-separated (`1+1` prints `2`; `=expr` works too);\n" +
	"  a statement prints nothing. A chunk that is not complete yet (`function f()`) gets the\n" +
	"  continuation prompt `>>` until it is.\n" +
	"- Strings are shown quoted, every byte visible (`\"a\\0b\\r\\n\"`, decimal escapes that Lua reads\n" +
	"  back); a binary string over 64 bytes as a `hexdump -C` style dump. What a value shows is a\n" +
	"  bounded view, `print` writes every byte: a string over 4096 bytes shows its size, its first\n" +
	"  2048 and last 512 bytes (a binary one over 512 bytes: its first 256 and last 128, as\n" +
	"  hexdump) and how to see the rest (`s:sub(i, j)`, `bin.hexdump(s:sub(i, j))`). Tables: sorted\n" +
	"  keys, nested indentation, `<cycle>` marks, `{…}` below depth 5, at most 100 entries each;\n" +
	"  the values of a line show 8 KiB or so, then `…N more`. Conns, listeners, tasks, errors and\n" +
	"  addresses show as their `tostring`, escaped; error values in red.\n" +
	"- A failed line's error and traceback, like a failed task's report, are escaped for the\n" +
	"  terminal: a control byte a peer sent shows as `\\27`; newlines and tabs stay.\n" +
	"- Keys: Tab completes globals, fields (`net.lo`) and methods (`c:set_`); Ctrl-R searches the\n" +
	"  history; Ctrl-C clears the line, or cancels the running line (its blocked call returns\n" +
	"  `canceled`, a pure-Lua loop stops; background tasks go on); Ctrl-D on an empty line exits,\n" +
	"  closing every socket.\n" +
	"- Output of background tasks appears above the line being typed, never inside it.\n" +
	"- History: `~/.gonetrepl_history` (or `$GONETREPL_HISTORY`), mode 0600, the last 1000\n" +
	"  entries; a multi-line chunk is one entry, after a restart too: joined with spaces when that\n" +
	"  means the same, else recalled whole with its newlines shown as `↵`.\n" +
	"- `help()` lists the modules; `help(net.dial)`, `help(c)` (any value), `help(\"c:read\")` or\n" +
	"  `help(\"expect\")` (searched in every module and class) shows entries, wrapped to the\n" +
	"  terminal's width.\n" +
	"- `interact(c)` wires the terminal to a conn like nc: Ctrl-] (shown as `^]`) returns with the\n" +
	"  conn open, Ctrl-D half-closes it, and the peer closing returns at once, after its last bytes,\n" +
	"  with `[closed by peer]`. A script run from a terminal can end in `interact(c)` too (as a\n" +
	"  pwntools script ends in `io.interactive()`); with stdin not a terminal it raises an error.\n" +
	"- Colour is off with `NO_COLOR`, `--no-color`, or when output is not a terminal."

const taskValueSection = "" +
	"A task value, from `task.spawn`, `task.list` or `ln:serve`, has the fields `t.id` (a number,\n" +
	"unique in the process) and `t.name` (what it runs, as `tostring(t)` shows it:\n" +
	"`<task 3 echo.lua:12 running>`)."

// readingSection is rendered with the default caps of the read methods.
const heldWritesSection = "" +
	"A server answering pipelined requests (several requests in one packet: `redis-benchmark -P 16`,\n" +
	"HTTP pipelining) would send each reply with its own system call. So a write on a tcp or unix conn\n" +
	"is held while the peer's next input already waits, unread, in the conn's buffer: the task is\n" +
	"about to read it without waiting, and the replies go out together. Held bytes are written\n" +
	"\n" +
	"- when the task that wrote them next waits for anything (a read that needs more input, a sleep, a\n" +
	"  channel, a dial: any blocking call), or ends;\n" +
	"- when it has held them for 1 ms while running on without waiting, or they reach 64 KiB (one\n" +
	"  write of more than 64 KiB is not held: it goes out at once, after what the conn holds);\n" +
	"- before anything else is written on the conn, by any task (`write_frame`, `send_file`,\n" +
	"  `close_write`, `close`, `net.relay`, `interact`, `tls.client`/`tls.server` over it), so the\n" +
	"  stream keeps its order;\n" +
	"- on `c:flush()`.\n" +
	"\n" +
	"A write with no input waiting goes out at once, as before: a request-response exchange, a prompt\n" +
	"and a script that writes and then reads see no difference. Only `c:write`, `c:send_line` and\n" +
	"`c:send_after` without a timeout of their own are held, and only on Unix systems (not on TLS conns,\n" +
	"pipes or datagram conns). A held write returns its length at once, as a write the kernel buffered\n" +
	"does; if writing it later fails, the conn's next write, `flush` or `close` returns that error.\n" +
	"A task canceled while it holds bytes writes what the socket takes at once and drops the rest, as\n" +
	"a canceled write does. `--trace` shows held bytes when they are written.\n" +
	"\n" +
	"`c:write(data, {more = true})` holds data with no input waiting: the caller says more follows at\n" +
	"once. `c:send_file` of up to 16 KiB then goes out in the same system call as what the conn holds\n" +
	"(http.serve writes a response head this way before a small file).\n"

const readingSection = "" +
	"Reads are buffered once per conn: mixing `read`, `read_line`, `read_until`, `read_full` and\n" +
	"`read_all` never loses or reorders bytes.\n" +
	"\n" +
	"- A failed read consumes nothing: on `timeout`, `eof`, `too_large` or `canceled`, what had\n" +
	"  arrived stays buffered for the next call, and `c:buffered()` shows it without consuming it.\n" +
	"- `read_line` returns a last unterminated line at EOF; the call after it returns `nil, err`\n" +
	"  with kind `eof`. `c:read_full(n)` at EOF returns `eof` and leaves the partial data buffered.\n" +
	"- Default caps: `read` returns at most %[1]s; `read_line` and `read_until` return `too_large`\n" +
	"  past %[1]s, `read_all` past %[2]s (pass `max` to change it); `read_full(n)` takes n up to %[2]s.\n" +
	"- Every read method (`read`, `read_line`, `read_full`, `read_until`, `read_all`, `read_frame`,\n" +
	"  `expect`, `lines`, and `send_after`) takes an options table last, `{timeout = secs, max = n}`.\n" +
	"  The timeout bounds the whole call however the bytes trickle in (an idle `set_timeout` is\n" +
	"  armed per call, not per byte), besides the conn's own deadlines; `timeout = 0` takes only what\n" +
	"  is buffered. The positional forms (`c:read(max)`, `c:expect(pattern, timeout, max)`) still\n" +
	"  work; `max` given both ways is an error.\n" +
	"- A timeout names what the read awaited and shows how many bytes had arrived and the last 64 of\n" +
	"  them, escaped (`bin.escape`'s escaping): `read tcp 127.0.0.1:41234->127.0.0.1:9000: timeout\n" +
	"  waiting for \"Password: \" (got 17 bytes: \"Username: admin\\r\\n\")`.\n" +
	"\n" +
	"Next to pwntools' tubes, case by case (each checked by the test named, in\n" +
	"bindings/testdata/reads_test.lua):\n" +
	"\n" +
	"| pwntools | gonetrepl | test |\n" +
	"|---|---|---|\n" +
	"| `recvuntil(d, timeout=t)` that times out returns `b''` and keeps what came | `read_until(d, {timeout = t})` returns `nil, err` (kind `timeout`); what came stays buffered | `TestPwntoolsRecvuntilTimeoutKeepsData` |\n" +
	"| EOF in the middle of `recvuntil`'s delimiter (or of `recvn`) raises `EOFError`; the data is kept | `nil, err` (kind `eof`); the data stays buffered | `TestPwntoolsEOFMidDelimiter` |\n" +
	"| `recvuntil` keeps the delimiter (`drop=False`), `recvline` the newline (`keepends=True`) | `read_until` drops it unless `keep = true`; `read_line` drops `\\n` or `\\r\\n`, as `recvline(keepends=False)` | `TestPwntoolsDropAndKeep` |\n" +
	"| `recvuntil([a, b])`: the earliest match | `read_until({a, b})`: the earliest match (two at one place: the first listed), and the delimiter that matched as a second result | `TestReadUntilList` |\n" +
	"| `sendlineafter(d, x)` sends `x` even when waiting for `d` timed out, and returns what came, `d` included | `send_line_after(d, x)` sends nothing unless `d` came (`nil, err`), and returns what came before `d` | `TestPwntoolsSendlineafterTimeoutSendsNothing`, `TestSendAfter` |\n" +
	"| `sendline(x)` ends with `tube.newline` (`b'\\n'`) | `send_line(x)` ends with the conn's newline, `\"\\n\"` until `set_newline` | `TestPwntoolsNewlineAndClean`, `TestSendLineAndNewline` |\n" +
	"| `clean(timeout=0.05)`; `clean(0)` clears only what is cached | `clean([secs])`, 0.05 by default; `clean(0)` takes only what is buffered | `TestPwntoolsNewlineAndClean`, `TestClean` |\n" +
	"| a method's `timeout` counts down over the whole call | `opts.timeout` bounds the whole call | `TestTimeoutCoversTheWholeCall` |\n" +
	"| `recvregex(p)`; `recvuntil(s)` for a literal | `expect(p)` with a Lua pattern and its captures; `expect(s, {plain = true})` for a literal, the match included | `TestExpectPlain` |"

// largestStringSection is rendered with lua.MaxStringSize.
const largestStringSection = "" +
	"No string is longer than `string.MAX_SIZE` (%[1]d bytes, %[2]s). A result that would be\n" +
	"longer raises a Lua error whose message contains `not enough memory`, as Lua's own does when an\n" +
	"allocation fails; `pcall` catches it. Most are refused before anything is allocated; those\n" +
	"built as they go (`string.gsub`, reading an endless file) stop at the cap. That covers\n" +
	"`string.rep`, `..`, `table.concat`, `string.format`, `string.gsub`, `string.pack`, `os.date`,\n" +
	"`print`, `bin.hex`, `bin.hexdump`, `bin.b64` and the reads of `io` (`io.read(\"*a\")` of an\n" +
	"endless file); at the prompt a string is shown up to 1 MiB, then its length; a read\n" +
	"method's `max` over it is refused the same way. `task.chan(n)` allocates its buffer as values\n" +
	"arrive, not n slots up front."

// flagsIntro introduces the flags module of stdlib/flags.lua.
const flagsIntro = "" +
	"`local flags = require \"flags\"`: command-line options for scripts, in the spirit of Go's\n" +
	"flag package (written in Lua, shipped inside the binary: `stdlib/flags.lua`).\n" +
	"\n" +
	"Options are written `--name VALUE`, `--name=VALUE`, or `--name` alone for a bool (a single\n" +
	"dash works too). `--` ends the options; `-` alone is a positional argument. `-h` and `--help`\n" +
	"ask for the help text.\n" +
	"\n" +
	"```lua\n" +
	"local flags = require \"flags\"\n" +
	"local cli = flags.new(\"echo.lua [options] [ADDR]\", \"A concurrent TCP echo server.\")\n" +
	"cli:number(\"idle\", 0, \"close a client after SECONDS without data (0: never)\")\n" +
	"cli:bool(\"quiet\", false, \"do not log connections\")\n" +
	"local opts, args = cli:parse(arg)   -- opts.idle, opts.quiet; args[1] is ADDR\n" +
	"```"

// stdlibDocs documents the Lua modules of stdlib/, which have no binding
// table: one Module per module and one per class it returns. Each module's
// docs live in a file of their own (apidoc_http.go, apidoc_logf.go,
// apidoc_resp.go, apidoc_replay.go, apidoc_socks.go, apidoc_websocket.go).
func stdlibDocs() []Module {
	return slices.Concat(flagsDocs(), httpDocs(), logfDocs(), respDocs(), replayDocs(), socksDocs(), websocketDocs())
}

// flagsLimits are the limits of cli:number and cli:seconds, as
// stdlib/flags.lua reads them.
var flagsLimits = shape{class: "gonetrepl.flags_limits", opts: true, code: "stdlib/flags.lua:limits",
	doc: "The limits of cli:number and cli:seconds; a value outside is a usage error at parse time.",
	fields: []field{
		{"min", "number", "the least value (inclusive)"},
		{"max", "number", "the greatest value (inclusive)"},
		{"above", "number", "an exclusive lower bound"},
		{"whole", "boolean", "true: a whole number"},
	}}

// flagsDocs documents stdlib/flags.lua.
func flagsDocs() []Module {
	return []Module{
		{Name: "flags", Summary: "command-line options for scripts (stdlib, `require \"flags\"`)", Docs: []Doc{
			{"flags.new", "flags.new(usage [, description]) -> parser",
				"Makes a parser; usage follows \"usage: \" in the help text, description is the line after it.",
				`local cli = flags.new("client.lua [options] ADDR", "Sends a line and prints the reply.")`},
		}},
		{Name: "flags parser", Summary: "a parser, from flags.new: declare options, then parse arg", Method: true, Docs: []Doc{
			{"flags parser:number", "cli:number(name, default, help [, limits]) -> cli",
				"Declares --name NUMBER (converted with tonumber); returns the parser, so calls chain. The value must be finite (1e400 is refused) and within limits, a table of min, max (inclusive), above (an exclusive lower bound) and whole (true: a whole number); otherwise parse refuses it as a usage error naming the range.",
				`cli:number("count", 10, "pings to send", {min = 1, max = 1e6, whole = true})`},
			{"flags parser:seconds", "cli:seconds(name, default, help [, limits]) -> cli",
				"Declares --name SECONDS: a number from 0 (or above limits.above) up to flags.MAX_SECONDS (9e9, what a Go duration and every binding taking seconds hold), or limits.max. A value outside is a usage error at parse time, not a failure of every later set_timeout.",
				`cli:seconds("timeout", 5, "give up after SECONDS", {above = 0})`},
			{"flags parser:args", "cli:args(min [, max [, what]]) -> cli",
				"Declares the positional arguments: at least min, at most max (nil: no limit). parse refuses an extra one as a usage error naming it (`unexpected argument \"x\"`) and a missing one as `missing WHAT`. Without a call to args any number is accepted. Every bundled script declares its own.",
				`cli:args(0, 1, "ADDR")  -- [ADDR]`},
			{"flags parser:string", "cli:string(name, default, help) -> cli",
				"Declares --name STRING.",
				`cli:string("host", "127.0.0.1", "the address to dial")`},
			{"flags parser:bool", "cli:bool(name, default, help) -> cli",
				"Declares --name (true), or --name=false / --name=0; default false when nil.",
				`cli:bool("verbose", false, "log every line")`},
			{"flags parser:list", "cli:list(name, help [, values]) -> cli",
				"Declares --name VALUE, which may be given any number of times: opts.name lists the values in the order given ({} when never given). values (1 to 16, default 1) is how many arguments each --name takes; over 1, each item is a list of them (`--tls CERT KEY`), and --name=VALUE is refused. The help line ends in (repeatable) and shows the first values words in capitals of the help text.",
				`cli:list("header", "add a header line"); cli:list("tls", "CERT KEY files", 2)`},
			{"flags parser:parse", "cli:parse(argv) -> opts, args",
				"Parses argv (the script's arg): opts maps each name to its value or default, args lists the rest; --help prints the help and exits 0, a bad option prints it and the usage on stderr and exits 2.",
				`local opts, args = cli:parse(arg); print(opts.timeout, args[1])`},
			{"flags parser:try_parse", "cli:try_parse(argv) -> opts, args | nil, message | \"help\"",
				"Like parse, but never exits: nil and a message on a bad option, \"help\" when -h or --help was given.",
				`local opts, args = cli:try_parse({"--timeout", "2", "host:7"})`},
			{"flags parser:help_text", "cli:help_text() -> string",
				"The usage line, the description and one line per option with its default. An option's value is shown as the longest word in capitals its help text uses (`--idle SECONDS` for \"close after SECONDS idle\", `--server HOST:PORT`), else as its type (NUMBER, STRING).",
				`print(cli:help_text())`},
		}},
	}
}

// sizeString writes a byte count the way the docs do: "64 KiB".
func sizeString(n int) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Markdown renders the API reference, docs/API.md: the concepts (concurrency,
// errors, addresses, reading), then every module and class of Docs(), then
// the stdlib modules. Each entry shows its signature, its one-line summary
// and its example.
func Markdown() string {
	var body, toc strings.Builder
	var slugs slugger
	slugs.slug(apiTitle)
	slugs.slug("Contents")

	section := func(title, text string) {
		s := slugs.slug(title)
		fmt.Fprintf(&toc, "- [%s](#%s)\n", title, s)
		fmt.Fprintf(&body, "## %s\n\n%s\n\n", title, text)
	}
	module := func(m Module, intro string) {
		s := slugs.slug(m.Name)
		fmt.Fprintf(&toc, "- [%s](#%s): %s\n  -", m.Name, s, m.Summary)
		fmt.Fprintf(&body, "## %s\n\n%s.\n\n", m.Name, upperFirst(m.Summary))
		if intro != "" {
			fmt.Fprintf(&body, "%s\n\n", intro)
		}
		if m.Method && len(m.Docs) > 0 {
			recv, _, _ := strings.Cut(m.Docs[0].Sig, ":")
			fmt.Fprintf(&body, "Methods, called on a %s value `%s` as `%s:name(...)`.\n\n", m.Name, recv, recv)
		}
		for i, d := range m.Docs {
			call := callName(d.Sig)
			sep := ", "
			if i == 0 {
				sep = " "
			}
			fmt.Fprintf(&toc, "%s[%s](#%s)", sep, call, slugs.slug(call))
			fmt.Fprintf(&body, "### %s\n\n`%s`\n\n%s\n\n%s```lua\n%s\n```\n\n", call, d.Sig, d.Summary, optionsList(d), d.Example)
		}
		toc.WriteString("\n")
	}

	section("Concurrency model", concurrencySection)
	var kinds strings.Builder
	kinds.WriteString(errorsIntro)
	for _, k := range errorKindDocs {
		fmt.Fprintf(&kinds, "\n- `%s`: %s", k.kind, k.doc)
	}
	section("Errors", kinds.String())
	section("Addresses", addrSection)
	section("Tasks", taskValueSection)
	section("Reading from a conn", fmt.Sprintf(readingSection, sizeString(defaultReadMax), sizeString(defaultAllMax)))
	section("Writes held while input waits", heldWritesSection)
	section("The largest string", fmt.Sprintf(largestStringSection, lua.MaxStringSize, sizeString(lua.MaxStringSize)))
	section("The prompt", promptSection)
	for _, m := range Docs() {
		module(m, "")
	}
	for i, m := range stdlibDocs() {
		intro := ""
		if i == 0 {
			intro = flagsIntro
		}
		module(m, intro)
	}

	var out strings.Builder
	fmt.Fprintf(&out, "# %s\n\n", apiTitle)
	fmt.Fprintf(&out, "<!-- Generated by bindings.Markdown() from the binding tables in bindings/*.go\n"+
		"     and bindings/apidoc.go. Do not edit; regenerate with:\n     %s -->\n\n", regenerateAPIDoc)
	fmt.Fprintf(&out, "%s\n\n## Contents\n\n%s\n", apiIntro, toc.String())
	out.WriteString(strings.TrimRight(body.String(), "\n"))
	out.WriteString("\n")
	return out.String()
}

// optionsList renders the fields of the options tables an entry takes
// (its parameters typed as a shape with opts set, in the type stubs'
// typing table), one bullet each, or "" when it takes none.
func optionsList(d Doc) string {
	params, _, err := typeSig(d)
	if err != nil {
		return "" // TestTypeStubsUpToDate reports it
	}
	byClass := map[string]shape{}
	for _, f := range stubFiles() {
		for _, s := range f.shapes {
			byClass[s.class] = s
		}
	}
	var b strings.Builder
	for _, p := range params {
		s, ok := byClass[strings.TrimSuffix(p.typ, "?")]
		if !ok || !s.opts {
			continue
		}
		fields := s.fields
		if parent, ok := byClass[s.parent]; ok {
			fields = append(slices.Clip(parent.fields), fields...)
		}
		fmt.Fprintf(&b, "`%s` fields:\n\n", strings.TrimSuffix(p.name, "?"))
		for _, f := range fields {
			fmt.Fprintf(&b, "- `%s` (%s): %s\n", f.name, strings.ReplaceAll(f.typ, "|", " or "), f.doc)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// callName is the part of a signature before its argument list: "net.dial",
// "c:read".
func callName(sig string) string {
	name, _, _ := strings.Cut(sig, "(")
	return name
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// slugger makes heading anchors as GitHub does: lower case, punctuation
// dropped, spaces turned into hyphens, and "-1", "-2"… added to repeats.
type slugger map[string]int

func (s *slugger) slug(heading string) string {
	if *s == nil {
		*s = slugger{}
	}
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	base := b.String()
	slug := base
	if n := (*s)[base]; n > 0 {
		slug = fmt.Sprintf("%s-%d", base, n)
	}
	(*s)[base]++
	return slug
}
