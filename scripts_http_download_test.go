package main

// Issue 24, item 4: what download tools rely on from http_server.lua
// --dir. wget -N skips a file it already has (Last-Modified), curl -C -
// resumes one cut short (a byte range, 206), If-None-Match and
// If-Modified-Since give 304, and raw Range requests are answered as a
// real nginx serving the same directory answers them.

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/nginxtest"
	"github.com/gonetrepl/gonetrepl/internal/peer"
)

// wget runs wget with args in dir (bounded by runTimeout) and returns its
// exit status and its log (stderr), in the C locale.
func wget(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	path := peer.Find(t, "wget", "wget")
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, append([]string{"--no-config", "--tries=1", "--timeout=20"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("wget %q: timed out\n%s", args, stderr.String())
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), stderr.String()
	} else if err != nil {
		t.Fatalf("wget %q: %v", args, err)
	}
	return 0, stderr.String()
}

// The file of the server's mtime, a whole second in the past, so that
// Last-Modified is exact and wget -N can compare it.
func oldFile(t *testing.T, dir, name string, n int) ([]byte, time.Time) {
	t.Helper()
	data := randomFile(t, dir, name, n)
	mtime := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(filepath.Join(dir, name), mtime, mtime); err != nil {
		t.Fatal(err)
	}
	return data, mtime
}

// wget -N twice: the first run downloads the file (and sets its mtime
// from Last-Modified), the second says "not retrieving" and the server
// logs no second GET with a body.
func TestHTTPServerScriptWgetTimestamping(t *testing.T) {
	t.Parallel()
	root, out := t.TempDir(), t.TempDir()
	data, mtime := oldFile(t, root, "big.bin", 300000)
	p, addr := startHTTPServer(t, "--dir", root)
	url := "http://" + addr + "/big.bin"
	if code, log := wget(t, out, "-N", url); code != 0 {
		t.Fatalf("first wget -N: exit %d\n%s", code, log)
	} else if strings.Contains(log, "time-stamping turned off") {
		t.Fatalf("first wget -N turned time-stamping off (no Last-Modified):\n%s", log)
	}
	got, err := os.ReadFile(filepath.Join(out, "big.bin"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("first wget -N: %d bytes (%v), want the file's %d", len(got), err, len(data))
	}
	if st, err := os.Stat(filepath.Join(out, "big.bin")); err != nil || !st.ModTime().Equal(mtime) {
		t.Fatalf("wget -N did not set the file's mtime from Last-Modified: %v (%v), want %v", st.ModTime(), err, mtime)
	}
	code, log := wget(t, out, "-N", url)
	// wget asks with If-Modified-Since ("not modified on server"), or
	// older ones with HEAD ("not retrieving").
	if code != 0 || !(strings.Contains(log, "not retrieving") || strings.Contains(log, "not modified on server")) {
		t.Fatalf("second wget -N: exit %d, want 0 and \"not modified on server\" or \"not retrieving\":\n%s", code, log)
	}
	if strings.Contains(log, "Saving to") {
		t.Errorf("second wget -N downloaded the file again:\n%s", log)
	}
	// The server's log: one GET with the file's bytes, the second run
	// a HEAD (or a 304) without them.
	p.waitLine(p.stderr, `HEAD /big.bin -> 200|GET /big.bin -> 304`, readyTimeout)
	if gets := strings.Count(p.stderr.String(), "GET /big.bin -> 200 (300000 bytes)"); gets != 1 {
		t.Errorf("the server sent the file %d times, want 1:\n%s", gets, p.stderr)
	}
}

// curl -C - resumes a file cut short: exit 0 (33 when the server ignores
// Range), the bytes identical, and only the missing ones sent.
func TestHTTPServerScriptCurlResume(t *testing.T) {
	t.Parallel()
	root, out := t.TempDir(), t.TempDir()
	data, _ := oldFile(t, root, "big.bin", 1<<20)
	_, addr := startHTTPServer(t, "--dir", root, "--quiet")
	part := filepath.Join(out, "big.bin")
	if err := os.WriteFile(part, data[:300001], 0o644); err != nil {
		t.Fatal(err)
	}
	got := curl(t, "-C", "-", "-o", part, "-w", "%{http_code} %{size_download}", "http://"+addr+"/big.bin")
	if want := "206 " + strconv.Itoa(len(data)-300001); got != want {
		t.Errorf("curl -C -: got %q, want %q", got, want)
	}
	if b, err := os.ReadFile(part); err != nil || !bytes.Equal(b, data) {
		t.Errorf("curl -C -: the resumed file is %d bytes (%v), not the server's %d", len(b), err, len(data))
	}
	// A file already whole: curl asks for bytes=SIZE-, gets 416, and
	// takes it as done (exit 0).
	got = curl(t, "-C", "-", "-o", part, "-w", "%{http_code}", "http://"+addr+"/big.bin")
	if got != "416" {
		t.Errorf("curl -C - of a whole file: got %q, want 416", got)
	}
	if b, _ := os.ReadFile(part); !bytes.Equal(b, data) {
		t.Errorf("curl -C - of a whole file changed it")
	}
}

// rawHead sends a HEAD request (with Connection: close) to addr and
// returns the response's status and head: all it sends before closing.
func rawHead(t *testing.T, addr, request string) (int, string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatal(err)
	}
	all, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("%q: %v", request, err)
	}
	head, rest, ok := strings.Cut(string(all), "\r\n\r\n")
	if !ok || rest != "" || len(head) < 12 {
		t.Fatalf("%q: got %q", request, all)
	}
	status, _ := strconv.Atoi(head[9:12])
	return status, head + "\r\n"
}

// header is the value of the header name in a response head, "" when
// absent.
func header(head, name string) string {
	m := regexp.MustCompile(`(?mi)^` + regexp.QuoteMeta(name) + `: (.*)\r$`).FindStringSubmatch(head)
	if m == nil {
		return ""
	}
	return m[1]
}

// Conditional requests with curl: If-None-Match with the ETag (or *, or
// in a list, or weak) and If-Modified-Since equal to Last-Modified give
// 304 with no body; another ETag, or another date, give 200; If-None-Match
// wins over If-Modified-Since (RFC 9110, 13.2.2: the date is then not
// looked at). The one difference from nginx, which wants both to say "not
// modified": a matching ETag with another date is 304 here, 200 there.
func TestHTTPServerScriptConditionalLikeNginx(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	oldFile(t, root, "a.txt", 1000)
	_, addr := startHTTPServer(t, "--dir", root, "--quiet")
	servers := []struct{ name, addr string }{{"http_server.lua", addr}, {"nginx", nginxtest.Start(t, root)}}
	var etags, dates []string
	for _, s := range servers {
		_, head := rawHead(t, s.addr, "HEAD /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		etags = append(etags, header(head, "ETag"))
		dates = append(dates, header(head, "Last-Modified"))
	}
	if etags[0] == "" || dates[0] == "" || etags[0] != etags[1] || dates[0] != dates[1] {
		t.Fatalf("ETag %q and Last-Modified %q, nginx's %q and %q", etags[0], dates[0], etags[1], dates[1])
	}
	etag, date := etags[0], dates[0]
	cases := []struct {
		headers []string
		code    string
		nginx   string // nginx's code where it differs
	}{
		{[]string{"If-None-Match: " + etag}, "304", ""},
		{[]string{"If-None-Match: *"}, "304", ""},
		{[]string{"If-None-Match: \"x\", " + etag}, "304", ""},
		{[]string{"If-None-Match: W/" + etag}, "304", ""},
		{[]string{"If-None-Match: \"x\""}, "200", ""},
		{[]string{"If-Modified-Since: " + date}, "304", ""},
		{[]string{"If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT"}, "200", ""},
		{[]string{"If-None-Match: \"x\"", "If-Modified-Since: " + date}, "200", ""},
		{[]string{"If-None-Match: " + etag, "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT"}, "304", "200"},
	}
	for _, s := range servers {
		for _, tt := range cases {
			args := []string{"-o", "/dev/null", "-w", "%{http_code} %{size_download}"}
			for _, h := range tt.headers {
				args = append(args, "-H", h)
			}
			got := curl(t, append(args, "http://"+s.addr+"/a.txt")...)
			code := tt.code
			if s.name == "nginx" && tt.nginx != "" {
				code = tt.nginx
			}
			want := code + " 0"
			if code == "200" {
				want = "200 1000"
			}
			if got != want {
				t.Errorf("%s, curl -H %q: got %q, want %q", s.name, tt.headers, got, want)
			}
		}
	}
}

// Raw Range requests to http_server.lua and to nginx serving the same
// 1000-byte file (and an empty one): the same status, Content-Range and
// body, for single ranges of every form, ranges past the end, malformed
// ones and If-Range. Several ranges are the one difference, documented:
// nginx sends multipart/byteranges, http_server.lua the whole file (200).
func TestHTTPServerScriptRangesLikeNginx(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data, mtime := oldFile(t, root, "a.bin", 1000)
	if err := os.WriteFile(filepath.Join(root, "empty"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, addr := startHTTPServer(t, "--dir", root, "--quiet")
	servers := []struct{ name, addr string }{{"nginx", nginxtest.Start(t, root)}, {"http_server.lua", addr}}
	lastMod := mtime.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")
	cases := []struct {
		path, headers string
		status        int
		contentRange  string
		first, last   int // the body's bytes of a.bin, for 200 and 206
	}{
		{"/a.bin", "Range: bytes=0-0", 206, "bytes 0-0/1000", 0, 0},
		{"/a.bin", "Range: bytes=10-19", 206, "bytes 10-19/1000", 10, 19},
		{"/a.bin", "Range: bytes=990-", 206, "bytes 990-999/1000", 990, 999},
		{"/a.bin", "Range: bytes=990-5000", 206, "bytes 990-999/1000", 990, 999},
		{"/a.bin", "Range: bytes=-10", 206, "bytes 990-999/1000", 990, 999},
		{"/a.bin", "Range: bytes=-5000", 206, "bytes 0-999/1000", 0, 999},
		{"/a.bin", "Range: bytes=0-", 206, "bytes 0-999/1000", 0, 999},
		{"/a.bin", "Range: BYTES=1-2", 206, "bytes 1-2/1000", 1, 2},
		{"/a.bin", "Range: bytes= 1 - 2 ", 206, "bytes 1-2/1000", 1, 2},
		{"/a.bin", "Range: bytes=1000-", 416, "bytes */1000", 0, -1},
		{"/a.bin", "Range: bytes=5000-6000", 416, "bytes */1000", 0, -1},
		{"/a.bin", "Range: bytes=-0", 416, "bytes */1000", 0, -1},
		{"/a.bin", "Range: bytes=20-10", 416, "bytes */1000", 0, -1},
		{"/a.bin", "Range: bytes=abc", 416, "bytes */1000", 0, -1},
		{"/a.bin", "Range: bytes=1-2,", 416, "bytes */1000", 0, -1},
		{"/a.bin", "Range: bytes=-", 416, "bytes */1000", 0, -1},
		{"/a.bin", "Range: bytes=99999999999999999999-", 416, "bytes */1000", 0, -1},
		{"/a.bin", "Range: bytes=1000-,5-6", 206, "bytes 5-6/1000", 5, 6},
		{"/a.bin", "Range: items=1-2", 200, "", 0, 999},
		{"/a.bin", "Range: bytes", 200, "", 0, 999},
		{"/a.bin", "Range: bytes=1-2\r\nIf-Range: " + lastMod, 206, "bytes 1-2/1000", 1, 2},
		{"/a.bin", "Range: bytes=1-2\r\nIf-Range: Thu, 01 Jan 1970 00:00:00 GMT", 200, "", 0, 999},
		{"/a.bin", "Range: bytes=1-2\r\nIf-Range: \"x\"", 200, "", 0, 999},
		{"/empty", "Range: bytes=0-", 200, "", 0, -1},
		{"/empty", "Range: bytes=0-10", 200, "", 0, -1},
		{"/empty", "Range: bytes=1-", 416, "bytes */0", 0, -1},
		{"/empty", "Range: bytes=-1", 200, "", 0, -1},
	}
	for _, s := range servers {
		_, head := rawHead(t, s.addr, "HEAD /a.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		if got := header(head, "Accept-Ranges"); got != "bytes" {
			t.Errorf("%s: Accept-Ranges %q, want bytes", s.name, got)
		}
		etag := header(head, "ETag")
		extra := []struct {
			headers string
			status  int
		}{{"Range: bytes=1-2\r\nIf-Range: " + etag, 206}}
		for _, e := range extra {
			if status, _, _ := rawHTTP(t, s.addr, "GET /a.bin HTTP/1.1\r\nHost: x\r\n"+e.headers+"\r\nConnection: close\r\n\r\n", 10*time.Second); status != e.status {
				t.Errorf("%s, %q: got %d, want %d", s.name, e.headers, status, e.status)
			}
		}
		for _, tt := range cases {
			req := "GET " + tt.path + " HTTP/1.1\r\nHost: x\r\n" + tt.headers + "\r\nConnection: close\r\n\r\n"
			status, head, body := rawHTTP(t, s.addr, req, 10*time.Second)
			if status != tt.status || header(head, "Content-Range") != tt.contentRange {
				t.Errorf("%s, %q %q: got %d Content-Range %q, want %d %q", s.name, tt.path, tt.headers, status, header(head, "Content-Range"), tt.status, tt.contentRange)
				continue
			}
			if status == 416 {
				continue
			}
			if want := string(data[tt.first : tt.last+1]); tt.path == "/a.bin" && body != want {
				t.Errorf("%s, %q: a body of %d bytes, not bytes %d-%d", s.name, tt.headers, len(body), tt.first, tt.last)
			}
		}
	}
	// Several ranges: the whole file with 200 here (nginx: multipart 206).
	status, head, body := rawHTTP(t, addr, "GET /a.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1,5-6\r\nConnection: close\r\n\r\n", 10*time.Second)
	if status != 200 || body != string(data) || header(head, "Content-Range") != "" {
		t.Errorf("several ranges: got %d, %d bytes, Content-Range %q; want 200 and the whole file", status, len(body), header(head, "Content-Range"))
	}
	// HEAD with a range: the 206 head, no body.
	status, head = rawHead(t, addr, "HEAD /a.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=10-19\r\nConnection: close\r\n\r\n")
	if status != 206 || header(head, "Content-Length") != "10" {
		t.Errorf("HEAD with a range: got %d, Content-Length %q; want 206, 10", status, header(head, "Content-Length"))
	}
}
