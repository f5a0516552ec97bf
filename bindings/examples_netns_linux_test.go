package bindings

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/tlstest"
)

// exampleTimeout bounds one example; one that hangs fails with it.
const exampleTimeout = 15 * time.Second

// TestHelpExamples runs every help() example as shown (Docs and
// stdlibDocs), each in a fresh runtime with the fixture of
// examples_fixtures_test.go, and fails on one that errors: this test
// binary is re-executed inside private network and mount namespaces
// (runInNetns), where the peers the examples name listen at their very
// addresses, /etc/resolv.conf names the test's DNS server on 127.0.0.1:53
// and /etc/hosts holds localhost alone, so that the lookups of example.com
// reach nothing but that server; Go's own resolver reads them
// (GODEBUG=netdns=go) and trusts the test CA (SSL_CERT_FILE). Without
// unshare or namespaces it skips, and fails when CI=true.
func TestHelpExamples(t *testing.T) {
	if os.Getenv(netnsEnv) == "1" {
		t.Skip("already inside the namespace")
	}
	pki := tlstest.NewPKI(t, exampleHosts...)
	etc := t.TempDir()
	files := map[string]string{
		"resolv.conf":   "nameserver 127.0.0.1\noptions timeout:2 attempts:1\n",
		"hosts":         "127.0.0.1 localhost\n::1 localhost\n",
		"nsswitch.conf": "hosts: files dns\n",
	}
	setup := netnsSetup
	for name, text := range files {
		file := filepath.Join(etc, name)
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		// A file that is missing is not mounted over (nsswitch.conf may be
		// missing: Go then reads files, then DNS).
		setup += "if [ -e /etc/" + name + " ]; then mount --bind " + file + " /etc/" + name + "; fi\n"
	}
	out := runInNetns(t, netnsRun{
		setup: setup,
		mount: true,
		run:   "^TestHelpExamplesInNetns$",
		env: []string{
			"GODEBUG=netdns=go",
			"SSL_CERT_FILE=" + pki.CAFile,
			examplePKIEnv + "=" + filepath.Dir(pki.CertFile),
		},
	})
	// Every entry's example ran and passed: none skipped, none missing.
	for _, m := range append(Docs(), stdlibDocs()...) {
		for _, d := range m.Docs {
			name := "TestHelpExamplesInNetns/" + strings.ReplaceAll(d.Name, " ", "_")
			if !strings.Contains(out, "--- PASS: "+name+" ") {
				t.Errorf("the example of %s did not pass in the namespace", d.Name)
			}
		}
	}
	if t.Failed() || testing.Verbose() {
		t.Logf("%s", out)
	}
}

// TestHelpExamplesInNetns is TestHelpExamples inside the namespace.
func TestHelpExamplesInNetns(t *testing.T) {
	if os.Getenv(netnsEnv) != "1" {
		t.Skip("runs inside a private network namespace, in TestHelpExamples")
	}
	startExamplePeers(t)
	t.Chdir(t.TempDir())
	if err := os.WriteFile("index.html", []byte("<h1>hello</h1>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, m := range append(Docs(), stdlibDocs()...) {
		for _, d := range m.Docs {
			t.Run(d.Name, func(t *testing.T) { runExample(t, m.Name, d) })
		}
	}
}

// runExample runs d's example in a fresh runtime, after the preludes of
// its module and its own, and checks that it ran without error (or failed
// as its exemption says), that no task it started failed, and that it
// printed the results its `-->` comments state.
func runExample(t *testing.T, module string, d Doc) {
	fx := exampleFixtures[d.Name]
	out := &syncBuffer{}
	rt := New(Options{Stdout: out, Stderr: out})
	defer rt.Close()
	defer func() {
		if t.Failed() || testing.Verbose() {
			t.Logf("example:\n%s\noutput:\n%s", d.Example, out.String())
		}
	}()
	prelude := exampleFixtures[module].prelude + "\n" + fx.prelude
	uses := prelude + "\n" + d.Example + "\n" + fx.after
	if prelude := strings.TrimSpace(requireStdlib(uses) + prelude); prelude != "" {
		if task := runExampleChunk(t, rt, out, "prelude", prelude, false); task.Status() != statusDone {
			t.Fatalf("the prelude failed: %s\n%s", task.Err(), prelude)
		}
		out.Take()
	}
	src := d.Example
	if fx.after != "" {
		src += "\n" + fx.after
	}
	task := runExampleChunk(t, rt, out, d.Name, src, fx.stop)
	switch {
	case fx.fails != "":
		if task.Status() != statusFailed || !strings.Contains(task.Err(), fx.fails) {
			t.Fatalf("exempt example: want it to fail with %q, got %s %s", fx.fails, task.Status(), task.Err())
		}
		return
	case fx.stop:
		if task.Status() != statusCanceled {
			t.Fatalf("want it canceled after its first output, got %s %s", task.Status(), task.Err())
		}
	case task.Status() != statusDone:
		t.Fatalf("%s\n%s", task.Err(), task.Trace())
	}
	if rt.Failed() {
		t.Fatalf("a task the example started failed")
	}
	if results, stated := exampleResults(d.Example); stated && prints(d.Example) {
		if want := strings.Join(results, "\n") + "\n"; out.String() != want {
			t.Errorf("printed %q, its --> comment says %q", out.String(), want)
		}
	}
}

// requireStdlib is Lua that requires each stdlib module (http, resp…)
// that uses (an example with its fixture) names, into the global of its
// name, as a script's `local http = require "http"` does: their examples
// take it as done. A module uses does not name is not required: Lua code
// reaches a global only by its name, and compiling all seven modules for
// each of the 230 examples took most of TestHelpExamples' time (0.12 s an
// example with -race).
func requireStdlib(uses string) string {
	var b strings.Builder
	for _, m := range stdlibDocs() {
		if !m.Method && regexp.MustCompile(`\b`+regexp.QuoteMeta(m.Name)+`\b`).MatchString(uses) {
			b.WriteString(m.Name + ` = require "` + m.Name + `"` + "\n")
		}
	}
	return b.String()
}

// runExampleChunk runs src as a chunk, as a script's main chunk runs, and
// returns its task once it has ended: by itself, or canceled after its
// first line of output (in out) when stop is set. A chunk that runs past
// exampleTimeout, or calls os.exit, fails the test.
func runExampleChunk(t *testing.T, rt *Runtime, out *syncBuffer, name, src string, stop bool) *Task {
	t.Helper()
	fn, err := rt.Load(strings.NewReader(src), name)
	if err != nil {
		t.Fatalf("does not parse: %v", err)
	}
	task := rt.Start(name, fn)
	deadline := time.After(exampleTimeout)
	poll := time.NewTicker(10 * time.Millisecond)
	defer poll.Stop()
	for {
		select {
		case <-task.Done():
			return task
		case code := <-rt.ExitRequested():
			t.Fatalf("%s called os.exit(%d)", name, code)
		case <-deadline:
			t.Fatalf("%s did not end in %v", name, exampleTimeout)
		case <-poll.C:
			if stop && strings.Contains(out.String(), "\n") {
				task.Cancel()
				<-task.Done()
				return task
			}
		}
	}
}
