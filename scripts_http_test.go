package main

// End-to-end tests of scripts/http_server.lua against a real HTTP client:
// curl, run against the script on a loopback port that the script picks
// (port 0) and reports on its "listening on" line.

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/peer"
)

// startHTTPServer runs scripts/http_server.lua on a free loopback port with
// opts and returns it and its address.
func startHTTPServer(t *testing.T, opts ...string) (*proc, string) {
	t.Helper()
	p := startProc(t, "", append([]string{"scripts/http_server.lua", "127.0.0.1:0"}, opts...)...)
	line := p.waitLine(p.stderr, `^http_server: listening on `, readyTimeout)
	return p, strings.TrimPrefix(line, "http_server: listening on ")
}

// curl runs curl with args (bounded by runTimeout) and returns its stdout.
func curl(t *testing.T, args ...string) string {
	t.Helper()
	path := peer.Find(t, "curl", "curl")
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, append([]string{"-sS", "--max-time", "20"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("curl %q: %v\nstdout:\n%s\nstderr:\n%s", args, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// fetch GETs url with curl and returns the status code and the body bytes.
func fetch(t *testing.T, url string, extra ...string) (string, []byte) {
	t.Helper()
	body := filepath.Join(t.TempDir(), "body")
	code := curl(t, append(extra, "-o", body, "-w", "%{http_code}", url)...)
	data, err := os.ReadFile(body)
	if err != nil {
		t.Fatalf("curl %s wrote no body: %v", url, err)
	}
	return code, data
}

func TestHTTPServerScriptReply(t *testing.T) {
	t.Parallel()
	peer.Find(t, "curl", "curl")
	p, addr := startHTTPServer(t, "--reply", "fixed reply\n")
	code, body := fetch(t, "http://"+addr+"/anything?x=1")
	if code != "200" || string(body) != "fixed reply\n" {
		t.Errorf("GET /anything: got %s %q, want 200 %q", code, body, "fixed reply\n")
	}
	// Headers: a HEAD gives the length without the body.
	head := curl(t, "-I", "http://"+addr+"/")
	if !strings.HasPrefix(head, "HTTP/1.1 200 OK\r\n") || !strings.Contains(head, "Content-Length: 12\r\n") {
		t.Errorf("HEAD /: got\n%s", head)
	}
	// Without --quiet every request is logged.
	p.waitLine(p.stderr, `^http_server: 127\.0\.0\.1:\d+ GET /anything\?x=1 -> 200 \(12 bytes\)$`, readyTimeout)
	p.waitLine(p.stderr, `^http_server: 127\.0\.0\.1:\d+ HEAD / -> 200`, readyTimeout)

	// With no option at all, a greeting.
	_, addr = startHTTPServer(t)
	code, body = fetch(t, "http://"+addr+"/")
	if code != "200" || !strings.Contains(string(body), "Hello from gonetrepl") {
		t.Errorf("default reply: got %s %q", code, body)
	}
}

func TestHTTPServerScriptDir(t *testing.T) {
	t.Parallel()
	peer.Find(t, "curl", "curl")
	parent := t.TempDir()
	root := filepath.Join(parent, "site")
	if err := os.MkdirAll(filepath.Join(root, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	blob := make([]byte, 300*1024)
	rand.Read(blob)
	files := map[string][]byte{
		"blob.bin":       blob,
		"sub/index.html": []byte("<h1>index</h1>\n"),
		"empty.txt":      nil,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(root, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(parent, "secret.txt"), []byte("top secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, addr := startHTTPServer(t, "--dir", root, "--quiet")
	base := "http://" + addr

	code, body := fetch(t, base+"/blob.bin")
	if code != "200" || !bytes.Equal(body, blob) {
		t.Errorf("GET /blob.bin: status %s, %d bytes, equal %v; want 200 and the file's %d bytes", code, len(body), bytes.Equal(body, blob), len(blob))
	}
	code, body = fetch(t, base+"/sub/")
	if code != "200" || string(body) != "<h1>index</h1>\n" {
		t.Errorf("GET /sub/: got %s %q", code, body)
	}
	code, body = fetch(t, base+"/empty.txt")
	if code != "200" || len(body) != 0 {
		t.Errorf("GET /empty.txt: got %s %q", code, body)
	}
	code, _ = fetch(t, base+"/sub")
	if code != "301" {
		t.Errorf("GET /sub (a directory): got %s, want 301", code)
	}
	code, _ = fetch(t, base+"/missing.txt")
	if code != "404" {
		t.Errorf("GET /missing.txt: got %s, want 404", code)
	}
	// Paths out of the directory: as typed (curl would clean them up
	// without --path-as-is) and %-encoded.
	for _, path := range []string{"/../secret.txt", "/sub/../../secret.txt", "/%2e%2e/secret.txt", "/sub/%2E%2E/%2e%2e/secret.txt"} {
		code, body = fetch(t, base+path, "--path-as-is")
		if code != "400" || bytes.Contains(body, []byte("top secret")) {
			t.Errorf("GET %s: got %s %q, want 400", path, code, body)
		}
	}

	// Keep-alive: two URLs in one curl run share one connection; the
	// second transfer makes no new connect.
	out := filepath.Join(t.TempDir(), "out")
	got := curl(t, "-o", out, "-o", out, "-w", "%{http_code} %{num_connects}\n", base+"/blob.bin", base+"/sub/")
	if got != "200 1\n200 0\n" {
		t.Errorf("two URLs in one curl: got %q, want %q (the second reusing the connection)", got, "200 1\n200 0\n")
	}

	// --quiet: the listening lines and nothing else.
	if strings.Contains(p.stderr.String(), " GET ") {
		t.Errorf("--quiet still logs requests:\n%s", p.stderr)
	}
}

func TestHTTPServerScriptErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := runCLI(t, "", "scripts/http_server.lua", "--dir", dir, "--reply", "x")
	if r.code != 2 || !strings.Contains(r.stderr, "cannot go together") {
		t.Errorf("--dir with --reply: want status 2; got %v", r)
	}
	r = runCLI(t, "", "scripts/http_server.lua", "--dir", filepath.Join(dir, "nope"))
	if r.code != 2 || !strings.Contains(r.stderr, "not a directory") {
		t.Errorf("--dir of a missing directory: want status 2; got %v", r)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	r = runCLI(t, "", "scripts/http_server.lua", ln.Addr().String())
	if r.code != 1 || !strings.Contains(r.stderr, "address already in use") {
		t.Errorf("a taken port: want status 1; got %v", r)
	}
}

// TestHTTPServerScriptDirListing: a directory without index.html is listed
// in HTML, every name escaped (markup, quotes, control bytes, invalid
// UTF-8) and its link %-encoded; the listing stops at --max-list names and
// says so; nothing outside --dir is listed.
func TestHTTPServerScriptDirListing(t *testing.T) {
	t.Parallel()
	peer.Find(t, "curl", "curl")
	parent := t.TempDir()
	root := filepath.Join(parent, "site")
	for _, d := range []string{"sub", "empty", "many"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	names := []string{`a<b>&"q'.txt`, "ctl\x1b[31m\x07.txt", "bad\xff.txt", "é.txt", "sub/x.txt"}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(root, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 9; i++ {
		if err := os.WriteFile(filepath.Join(root, "many", fmt.Sprintf("f%d", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(parent, "secret.txt"), []byte("top secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, addr := startHTTPServer(t, "--dir", root, "--quiet", "--max-list", "7")
	base := "http://" + addr

	code, body := fetch(t, base+"/")
	page := string(body)
	if code != "200" {
		t.Fatalf("GET /: status %s, want 200 (a listing)\n%s", code, page)
	}
	for _, want := range []string{
		`<title>Index of /</title>`,
		`<a href="./a%3Cb%3E%26%22q%27.txt">a&lt;b&gt;&amp;&quot;q&#39;.txt</a>`,
		`<a href="./ctl%1B%5B31m%07.txt">ctl\x1B[31m\x07.txt</a>`,
		`<a href="./bad%FF.txt">bad\xFF.txt</a>`,
		`<a href="./sub/">sub/</a>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("GET /: the listing lacks %q:\n%s", want, page)
		}
	}
	for _, bad := range []string{"\x1b", "\x07", "\xff", "<b>", `"q'`, "secret", `href="../"`, "Only"} {
		if strings.Contains(page, bad) {
			t.Errorf("GET /: the listing holds %q unescaped or out of place:\n%s", bad, page)
		}
	}
	// The links work: curl follows each as a browser would.
	for _, link := range []string{"/a%3Cb%3E%26%22q%27.txt", "/ctl%1B%5B31m%07.txt", "/bad%FF.txt"} {
		if code, body := fetch(t, base+link); code != "200" || string(body) != "x" {
			t.Errorf("GET %s (a listed link): got %s %q", link, code, body)
		}
	}

	code, body = fetch(t, base+"/sub/")
	if code != "200" || !strings.Contains(string(body), `<a href="./x.txt">x.txt</a>`) || !strings.Contains(string(body), `<a href="../">../</a>`) {
		t.Errorf("GET /sub/: got %s\n%s", code, body)
	}
	code, body = fetch(t, base+"/empty/")
	if code != "200" || strings.Contains(string(body), "<li><a href=\"./") || strings.Contains(string(body), "Only") {
		t.Errorf("GET /empty/: got %s\n%s", code, body)
	}

	// Bounded: 9 names, --max-list 7: 7 listed and a note (the root, with
	// exactly 7, is whole and has none).
	code, body = fetch(t, base+"/many/")
	if n := strings.Count(string(body), `<li><a href="./f`); code != "200" || n != 7 ||
		!strings.Contains(string(body), "Only 7 names are listed: the directory holds more.") {
		t.Errorf("GET /many/ with --max-list 7: got %s, %d names\n%s", code, n, body)
	}

	// Out of the root: refused, never listed.
	for _, path := range []string{"/../", "/sub/../../", "/%2e%2e/"} {
		code, body = fetch(t, base+path, "--path-as-is")
		if code != "400" || strings.Contains(string(body), "secret") || strings.Contains(string(body), "site") {
			t.Errorf("GET %s: got %s %q, want 400", path, code, body)
		}
	}
	// Not a directory, or missing, with a trailing slash: 404, no listing.
	for _, path := range []string{"/sub/x.txt/", "/nope/"} {
		if code, _ := fetch(t, base+path); code != "404" {
			t.Errorf("GET %s: got %s, want 404", path, code)
		}
	}
	// HEAD of a listing gives its length without the body.
	head := curl(t, "-I", base+"/sub/")
	if !strings.HasPrefix(head, "HTTP/1.1 200 OK\r\n") || !strings.Contains(head, "Content-Type: text/html; charset=utf-8\r\n") {
		t.Errorf("HEAD /sub/: got\n%s", head)
	}

	r := runCLI(t, "", "scripts/http_server.lua", "--dir", root, "--max-list", "0")
	if r.code != 2 || !strings.Contains(r.stderr, "max-list") {
		t.Errorf("--max-list 0: want status 2 naming the option; got %v", r)
	}
}
