package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// scriptOptions lists, for every scenario script, the options its --help
// must mention. A script in scripts/ that is missing here fails the test:
// each one answers --help and refuses an unknown option the same way.
var scriptOptions = map[string][]string{
	"scripts/echo.lua":        {"--idle", "--quiet"},
	"scripts/udp_echo.lua":    {"--drop", "--quiet"},
	"scripts/udp_ping.lua":    {"--count", "--interval", "--timeout", "--size", "--quiet"},
	"scripts/unix_echo.lua":   {"--quiet"},
	"scripts/lookup.lua":      {"--server", "--timeout", "--srv"},
	"scripts/proxy.lua":       {"--text", "--quiet", "--timeout"},
	"scripts/frames.lua":      {"--serve", "--send", "--size", "--order", "--max"},
	"scripts/http_get.lua":    {"--head", "--timeout"},
	"scripts/tls_probe.lua":   {"--insecure", "--server-name", "--ca", "--alpn", "--timeout"},
	"scripts/echo_client.lua": {"--udp", "--timeout"},
	"scripts/chat.lua":        {"--quiet"},
	"scripts/portscan.lua":    {"--concurrency", "--timeout", "--allow-remote"},
	"scripts/redis.lua":       {"--timeout"},
	"scripts/http_server.lua": {"--dir", "--reply", "--quiet"},
	"scripts/fake_redis.lua":  {"--quiet"},
	"scripts/socks_proxy.lua": {"--user", "--pass", "--loopback-only", "--quiet"},
	"scripts/exec_server.lua": {"--pty", "--quiet"},
	"scripts/mitm.lua":        {"--replace", "--delay", "--drop", "--pace", "--tls", "--ca", "--insecure", "--server-name", "--text", "--quiet", "--timeout"},
	"scripts/replay.lua":      {"--serve", "--to", "--session", "--ignore", "--clients", "--timeout"},
	"scripts/ws.lua":          {"--binary", "--header", "--protocol", "--insecure", "--ca", "--timeout", "--linger"},
	"scripts/ws_echo.lua":     {"--max"},
}

// TestEveryScriptHasATest fails for a script in scripts/ that no test runs:
// its path must appear in a _test.go file other than this one (whose
// --help table lists every script anyway).
func TestEveryScriptHasATest(t *testing.T) {
	t.Parallel()
	scripts, err := filepath.Glob("scripts/*.lua")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	tests, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	var sources strings.Builder
	for _, f := range tests {
		if f == "scripts_test.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources.Write(b)
	}
	for _, script := range scripts {
		if !strings.Contains(sources.String(), `"`+script+`"`) {
			t.Errorf("%s has no end-to-end test: no _test.go file but scripts_test.go names %q", script, script)
		}
	}
}

// TestScriptsHelp runs every script with --help and with an unknown
// option, a subtest per script, in parallel: 42 processes that each wait
// for nothing but their own start.
func TestScriptsHelp(t *testing.T) {
	t.Parallel()
	scripts, err := filepath.Glob("scripts/*.lua")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, script := range scripts {
		opts, ok := scriptOptions[script]
		if !ok {
			t.Errorf("%s is not in scriptOptions: add it, with the options its --help must list", script)
			continue
		}
		t.Run(filepath.Base(script), func(t *testing.T) {
			t.Parallel()
			scriptHelp(t, script, opts)
		})
	}
}

// scriptHelp checks script's --help (it lists opts) and its refusal of
// an unknown option.
func scriptHelp(t *testing.T, script string, opts []string) {
	r := runCLI(t, "", script, "--help")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "usage: gonetrepl "+script) || r.stderr != "" {
		t.Errorf("%s --help: want status 0 and the usage on stdout; got %v", script, r)
	}
	for _, o := range opts {
		if !strings.Contains(r.stdout, o) {
			t.Errorf("%s --help does not mention %s:\n%s", script, o, r.stdout)
		}
	}
	r = runCLI(t, "", script, "--bogus")
	if r.code != 2 || !strings.HasPrefix(r.stderr, "unknown option --bogus\nusage: ") {
		t.Errorf("%s --bogus: want status 2 and the usage on stderr; got %v", script, r)
	}
}

// TestScriptsRejectExtraArguments runs every script that takes a bounded
// number of positional arguments with one too many: a usage error (status
// 2) naming the extra one, before the script does anything (issue 16).
func TestScriptsRejectExtraArguments(t *testing.T) {
	t.Parallel()
	full := map[string][]string{ // the most positional arguments each takes
		"scripts/chat.lua":        {"127.0.0.1:0"},
		"scripts/echo.lua":        {"127.0.0.1:0"},
		"scripts/echo_client.lua": {"127.0.0.1:1"},
		"scripts/fake_redis.lua":  {"127.0.0.1:0"},
		"scripts/http_get.lua":    {"http://127.0.0.1:1/"},
		"scripts/http_server.lua": {"127.0.0.1:0"},
		"scripts/lookup.lua":      {"localhost"},
		"scripts/mitm.lua":        {"127.0.0.1:0", "127.0.0.1:1"},
		"scripts/portscan.lua":    {"127.0.0.1", "1"},
		"scripts/proxy.lua":       {"127.0.0.1:0", "127.0.0.1:1"},
		"scripts/replay.lua":      {"/nonexistent/replay.transcript"},
		"scripts/socks_proxy.lua": {"127.0.0.1:0"},
		"scripts/tls_probe.lua":   {"127.0.0.1:1"},
		"scripts/udp_echo.lua":    {"127.0.0.1:0"},
		"scripts/udp_ping.lua":    {"127.0.0.1:1"},
		"scripts/unix_echo.lua":   {"/nonexistent/gonetrepl.sock"},
		"scripts/ws.lua":          {"ws://127.0.0.1:1/"},
		"scripts/ws_echo.lua":     {"127.0.0.1:0"},
	}
	for script, args := range full {
		t.Run(filepath.Base(script), func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, "", append([]string{script}, append(args, "extra", "more")...)...)
			if r.code != 2 || !strings.HasPrefix(r.stderr, "unexpected argument \"extra\"\nusage: gonetrepl "+script) || r.stdout != "" {
				t.Errorf("%s with an extra argument: want status 2 naming it, then the usage; got %v", script, r)
			}
		})
	}
}

// TestScriptsHelpMetavar checks that help lines show the word in capitals
// their text uses, else the option's type.
func TestScriptsHelpMetavar(t *testing.T) {
	t.Parallel()
	for script, want := range map[string][]string{
		"scripts/echo.lua":   {"  --idle SECONDS  disconnect a client after SECONDS"},
		"scripts/lookup.lua": {"  --server HOST:PORT   ask", "  --srv SERVICE/PROTO  also", "  --timeout SECONDS    give up"},
		"scripts/frames.lua": {"  --serve ADDR    run", "  --size NUMBER   bytes", "  --order STRING  byte order"},
	} {
		r := runCLI(t, "", script, "--help")
		for _, w := range want {
			if r.code != 0 || !strings.Contains(r.stdout, w) {
				t.Errorf("%s --help: want a line with %q; got %v", script, w, r)
			}
		}
	}
}
