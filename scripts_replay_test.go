package main

// End-to-end tests of scripts/replay.lua against the real redis-cli and
// redis-server: a session recorded between them is played back to
// redis-cli (--serve) and to fresh servers (--to).

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/redistest"
	"github.com/gonetrepl/gonetrepl/internal/transcript"
)

// recorderScript is a one-client proxy that records with gonetrepl's own
// recorder: net.record (the transcript) and net.capture (pcapng), started
// after the client is accepted, so that only the dialed session, whose
// sends are the client's bytes, is in them.
const recorderScript = `
local target, transcript, capture = arg[1], arg[2], arg[3]
local ln = assert(net.listen("tcp", "127.0.0.1:0"))
io.stderr:write("listening on ", tostring(ln:addr()), "\n")
local c = assert(ln:accept())
ln:close()
assert(net.record(transcript))
assert(net.capture(capture))
local up = assert(net.dial("tcp", target))
assert(net.relay(c, up))
up:close()
c:close()
net.record(false)
net.capture(false)
`

// recordingProxy starts recorderScript in-process, relaying one client
// to target and recording the session to file (a transcript) and
// file+".pcapng". It returns its address and a function that waits for
// the session's end.
func recordingProxy(t *testing.T, target, file string) (string, func()) {
	t.Helper()
	script := filepath.Join(t.TempDir(), "record_proxy.lua")
	if err := os.WriteFile(script, []byte(recorderScript), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startInProcess(t, script, target, file, file+".pcapng")
	return p.listening(), func() {
		if r := p.wait(); r.code != 0 {
			t.Fatalf("the recording proxy: %v", r.result)
		}
	}
}

// replayCommands are what redis-cli sends in the session --serve replays,
// after the COMMAND DOCS it sends first when it reads commands from stdin.
const replayCommands = "SET greeting \"hello world\"\nGET greeting\nINCR visits\nLRANGE nolist 0 -1\nPING\n"

// replayEval is the one command of the session --to replays (redis-cli
// sends nothing else when the command is on its command line): INCR
// reads state the session did not set, so a server holding another value
// answers differently. The stdin session does not serve here: the reply
// to COMMAND DOCS lists the commands in an order each redis-server
// process draws anew, which no byte mask can hide.
var replayEval = []string{"EVAL", "redis.call('SET', 'greeting', 'hello world'); " +
	"return {redis.call('GET', 'greeting'), redis.call('INCR', 'visits')}", "0"}

// recordRedisSession records redis-cli run with stdin and args against a
// fresh redis-server, and returns the transcript's path and what
// redis-cli printed.
func recordRedisSession(t *testing.T, stdin string, args ...string) (file, output string) {
	t.Helper()
	file = filepath.Join(t.TempDir(), "redis.transcript")
	proxy, wait := recordingProxy(t, redistest.Start(t), file)
	output = runRedisCLI(t, proxy, stdin, args...)
	wait()
	return file, output
}

func TestReplayScriptServesRedisCLI(t *testing.T) {
	t.Parallel()
	file, want := recordRedisSession(t, replayCommands)
	if want != "OK\n\"hello world\"\n(integer) 1\n(empty array)\nPONG\n" {
		t.Fatalf("redis-cli through the recording proxy printed:\n%s", want)
	}
	p := startInProcess(t, "scripts/replay.lua", file, "--serve", "127.0.0.1:0", "--clients", "1", "--timeout", "10")
	got := runRedisCLI(t, p.listening(), replayCommands)
	if got != want {
		t.Errorf("redis-cli against the replayed server printed:\n%s\nwant what the real server made it print:\n%s", got, want)
	}
	r := p.wait()
	if r.code != 0 || !regexp.MustCompile(`^127\.0\.0\.1:\d+: no divergence \(session 1, \d+ chunks\)\n$`).MatchString(r.stdout) {
		t.Errorf("replay.lua --serve: want status 0 and no divergence; got %v", r.result)
	}

	// The same session from the capture net.capture wrote beside it: its
	// TCP stream, reassembled by the pcap module, plays the same.
	p = startInProcess(t, "scripts/replay.lua", file+".pcapng", "--serve", "127.0.0.1:0", "--clients", "1", "--timeout", "10")
	if got := runRedisCLI(t, p.listening(), replayCommands); got != want {
		t.Errorf("redis-cli against the server replayed from the capture printed:\n%s\nwant:\n%s", got, want)
	}
	if r := p.wait(); r.code != 0 || !strings.Contains(r.stdout, "no divergence") {
		t.Errorf("replay.lua --serve from the capture: want status 0 and no divergence; got %v", r.result)
	}

	// Another client sends another command than redis-cli's first (COMMAND
	// DOCS): the divergence is shown, and nothing of the server's side is
	// sent.
	p = startInProcess(t, "scripts/replay.lua", file, "--serve", "127.0.0.1:0", "--clients", "1", "--timeout", "10")
	c, err := net.Dial("tcp", p.listening())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("*2\r\n$7\r\nCOMMAND\r\n$4\r\nINFO\r\n"))
	r = p.wait()
	want = "divergence\nclient bytes differ at offset 21 of run 1\n" +
		`  expected: "DOCS\r\n"` + "\n" + `  got:      "INFO\r\n"` + "\n"
	if r.code != 1 || !strings.HasSuffix(r.stdout, want) {
		t.Errorf("replay.lua --serve to another client: want status 1 and the diff\n%s\ngot %v", want, r.result)
	}
	c.SetReadDeadline(time.Now().Add(time.Second))
	if n, err := c.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("after the divergence the client read %d bytes, %v; want EOF", n, err)
	}
}

func TestReplayScriptToRedisServer(t *testing.T) {
	t.Parallel()
	file, out := recordRedisSession(t, "", replayEval...)
	if out != "1) \"hello world\"\n2) (integer) 1\n" {
		t.Fatalf("redis-cli through the recording proxy printed:\n%s", out)
	}
	// A fresh server answers as the recorded one did.
	r := runCLI(t, "", "scripts/replay.lua", file, "--to", redistest.Start(t), "--timeout", "10")
	if r.code != 0 || !strings.Contains(r.stdout, ": no divergence (session 1,") || r.stderr != "" {
		t.Errorf("replay.lua --to a fresh server: want status 0 and no divergence; got %v", r)
	}
	// A server whose visits counter is at 41 answers INCR with 42.
	changed := redistest.Start(t)
	runRedisCLI(t, changed, "SET visits 41\n")
	r = runCLI(t, "", "scripts/replay.lua", file, "--to", changed, "--timeout", "10")
	want := "divergence\nserver bytes differ at offset 23 of run 2\n" +
		`  expected: "1\r\n"` + "\n" + `  got:      "42\r\n"` + "\n"
	if r.code != 1 || !strings.HasSuffix(r.stdout, want) {
		t.Errorf("replay.lua --to a changed server: want status 1 and the diff\n%s\ngot %v", want, r)
	}
	// Masking the integer replies hides that difference.
	r = runCLI(t, "", "scripts/replay.lua", file, "--to", changed, "--ignore", ":%d+", "--ignore=x%d", "--timeout", "10")
	if r.code != 0 || !strings.Contains(r.stdout, ": no divergence") {
		t.Errorf("replay.lua --to a changed server --ignore ':%%d+': want status 0; got %v", r)
	}
}

func TestReplayScriptUsage(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "s.transcript")
	if err := os.WriteFile(file, []byte(transcript.Header+"\n1.0 1 open udp 127.0.0.1:1 -\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{file}, 2, "give one of --serve ADDR and --to ADDR\nusage: "},
		{[]string{file, "--serve", "127.0.0.1:0", "--to", "127.0.0.1:1"}, 2, "give one of --serve ADDR and --to ADDR\nusage: "},
		{[]string{"--to", "127.0.0.1:1"}, 2, "missing FILE\nusage: "},
		{[]string{file, "--to", "127.0.0.1:1", "--ignore", "[a"}, 2, "--ignore: bad pattern \"[a\""},
		{[]string{file, "--to", "127.0.0.1:1"}, 1, "has no stream session"},
		{[]string{file + ".missing", "--to", "127.0.0.1:1"}, 1, "no such file"},
	} {
		r := runCLI(t, "", append([]string{"scripts/replay.lua"}, tt.args...)...)
		if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) {
			t.Errorf("replay.lua %q: want status %d and %q on stderr; got %v", tt.args, tt.code, tt.stderr, r)
		}
	}
}
