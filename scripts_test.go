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
}
