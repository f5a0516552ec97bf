package bindings

// net.capture against tshark: the pcapng file gonetrepl writes is read by
// tshark, which gives back each TCP conn's bytes in both directions
// (follow,tcp,raw), dissects an http.get to python3 -m http.server as HTTP,
// shows a TLS conn's plaintext on the interface that marks it, and keeps
// UDP datagrams' boundaries. tshark only reads files: no privileges.

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/peer"
)

// tsharkOut runs tshark -r file with args and returns its stdout.
func tsharkOut(t *testing.T, tshark, file string, args ...string) string {
	t.Helper()
	cmd := exec.Command(tshark, append([]string{"-r", file}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir()) // tshark reads its profile from HOME
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark %v: %v\n%s", args, err, stderr.String())
	}
	return string(out)
}

// followRaw returns the bytes the first and the second node of TCP stream
// n sent, as tshark's follow,tcp,raw gives them.
func followRaw(t *testing.T, tshark, file string, n int) (first, second []byte, nodes string) {
	t.Helper()
	out := tsharkOut(t, tshark, file, "-q", "-z", fmt.Sprintf("follow,tcp,raw,%d", n))
	var a, b bytes.Buffer
	in := false
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "Node "):
			nodes += line + "\n"
			in = strings.HasPrefix(line, "Node 1:")
			continue
		case strings.HasPrefix(line, "====="):
			in = false
			continue
		}
		if !in || line == "" {
			continue
		}
		dst := &a
		if strings.HasPrefix(line, "\t") {
			dst = &b
		}
		raw, err := hex.DecodeString(strings.TrimSpace(line))
		if err != nil {
			t.Fatalf("follow line %q: %v", line, err)
		}
		dst.Write(raw)
	}
	return a.Bytes(), b.Bytes(), nodes
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCaptureFollowTCP: a conn to a Go peer sends 5000 random bytes and
// receives 3000 others, a second receives 1 MiB; tshark gives back each
// direction of each conn byte for byte (and the capture is 0600).
func TestCaptureFollowTCP(t *testing.T) {
	t.Parallel()
	tshark := peer.Find(t, "tshark", "tshark")
	up, down, big := randomBytes(t, 5000), randomBytes(t, 3000), randomBytes(t, 1<<20)
	addr := peer.Serve(t, func(c net.Conn) {
		defer c.Close()
		var n [1]byte
		if _, err := io.ReadFull(c, n[:]); err != nil {
			return
		}
		if n[0] == 'B' {
			c.Write(big)
			return
		}
		got := make([]byte, len(up))
		if _, err := io.ReadFull(c, got); err != nil {
			return
		}
		c.Write(down)
	})
	dir := t.TempDir()
	file := filepath.Join(dir, "s.pcapng")
	for name, data := range map[string][]byte{"up": up, "down": down} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	runChunkOutput(t, fmt.Sprintf(`
		local function slurp(p) local f = assert(io.open(p, "rb")); local d = f:read("*a"); f:close(); return d end
		assert(net.capture(%q))
		local c = assert(net.dial("tcp", %q, { timeout = 10 }))
		c:set_timeout(10)
		assert(c:write("A" .. slurp(%q)))
		assert(c:read_full(%d) == slurp(%q))
		c:close()
		local c = assert(net.dial("tcp", %q, { timeout = 10 }))
		c:set_timeout(10)
		assert(c:write("B"))
		assert(#c:read_all() == %d)
		c:close()
		local n = net.capture(false)
		assert(n.sessions == 2 and n.bytes == %d, n.bytes)
	`, file, addr, filepath.Join(dir, "up"), len(down), filepath.Join(dir, "down"), addr, len(big), 2+len(up)+len(down)+len(big)))
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("capture file: %v, %v", st, err)
	}
	a, b, nodes := followRaw(t, tshark, file, 0)
	if !bytes.Equal(a, append([]byte("A"), up...)) || !bytes.Equal(b, down) {
		t.Fatalf("stream 0: client sent %d bytes (want %d), server %d (want %d)\n%s", len(a), len(up)+1, len(b), len(down), nodes)
	}
	if !strings.Contains(nodes, "Node 1: "+addr) {
		t.Errorf("stream 0 nodes:\n%s(want the server %s)", nodes, addr)
	}
	a, b, _ = followRaw(t, tshark, file, 1)
	if string(a) != "B" || !bytes.Equal(b, big) {
		t.Fatalf("stream 1: client sent %q, server %d bytes (want %d), equal %v", a, len(b), len(big), bytes.Equal(b, big))
	}
	// A clean capture: one handshake and FIN each way per conn, no
	// analysis warnings (lost segments, retransmissions, bad checksums).
	if out := tsharkOut(t, tshark, file, "-Y", "tcp.analysis.flags || _ws.expert.severity >= warning"); strings.TrimSpace(out) != "" {
		t.Errorf("tshark found problems:\n%.2000s", out)
	}
	// Every checksum gopacket computed is right (status 1: good).
	sums := tsharkOut(t, tshark, file, "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
		"-T", "fields", "-e", "tcp.checksum.status", "-e", "ip.checksum.status")
	if strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(sums, "1\t1\n", ""), "1\t1", "")) != "" {
		t.Errorf("checksum statuses (1 good):\n%.500s", sums)
	}
	flags := tsharkOut(t, tshark, file, "-Y", "tcp.flags.syn == 1 || tcp.flags.fin == 1", "-T", "fields", "-e", "tcp.stream", "-e", "tcp.flags.str")
	// Stream 0's client closed without reading the server's FIN: the
	// capture shows what gonetrepl saw, one FIN; stream 1's read to EOF.
	if strings.Count(flags, "S") != 4 || strings.Count(flags, "F") != 3 {
		t.Errorf("SYN and FIN segments:\n%s", flags)
	}
}

// TestCaptureBothEndsOnce: a server and its client in one runtime: the
// conn is in the capture once, not once from each end.
func TestCaptureBothEndsOnce(t *testing.T) {
	t.Parallel()
	tshark := peer.Find(t, "tshark", "tshark")
	file := filepath.Join(t.TempDir(), "s.pcapng")
	runChunkOutput(t, fmt.Sprintf(`
		assert(net.capture(%q))
		local ln = assert(net.listen("tcp", "127.0.0.1:0"))
		ln:serve(function(c) c:write(c:read_line() .. "!\n"); c:close() end)
		local c = assert(net.dial("tcp", tostring(ln:addr())))
		c:send_line("ping")
		assert(c:read_line() == "ping!")
		assert(c:read_all() == "")
		c:close()
		ln:close()
		local a = assert(net.listen_packet("udp", "127.0.0.1:0"))
		local b = assert(net.listen_packet("udp", "127.0.0.1:0"))
		a:write_to("dgram", tostring(b:local_addr()))
		assert(b:read_from() == "dgram")
		net.capture(false)
	`, file))
	streams := tsharkOut(t, tshark, file, "-T", "fields", "-e", "tcp.stream", "-Y", "tcp")
	if strings.Contains(streams, "1") {
		t.Errorf("more than one TCP stream:\n%s", streams)
	}
	a, b, _ := followRaw(t, tshark, file, 0)
	if string(a) != "ping\n" || string(b) != "ping!\n" {
		t.Errorf("stream 0: %q, %q", a, b)
	}
	if udp := tsharkOut(t, tshark, file, "-Y", "udp", "-T", "fields", "-e", "data.len"); strings.TrimSpace(udp) != "5" {
		t.Errorf("UDP frames: %q, want one of 5 bytes", udp)
	}
}

// TestCaptureHTTPDissected: http.get against python3 -m http.server,
// captured, is dissected by tshark as HTTP: the request's URI and the
// response's code.
func TestCaptureHTTPDissected(t *testing.T) {
	t.Parallel()
	python := peer.Find(t, "python3", "python3")
	tshark := peer.Find(t, "tshark", "tshark")
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "hello.txt"), []byte("hello from python\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := peer.Start(t, python, func(port int) []string {
		return []string{"-m", "http.server", strconv.Itoa(port), "--bind", "127.0.0.1", "--directory", root}
	}, peer.AcceptsTCP)
	file := filepath.Join(t.TempDir(), "http.pcapng")
	runChunkOutput(t, fmt.Sprintf(`
		local http = require "http"
		assert(net.capture(%q))
		local r = assert(http.get("http://%s/hello.txt?x=1", { timeout = 10 }))
		assert(r.status == 200 and r.body == "hello from python\n", r.status)
		net.capture(false)
	`, file, addr))
	uris := tsharkOut(t, tshark, file, "-Y", "http.request", "-T", "fields", "-e", "http.request.method", "-e", "http.request.uri")
	if strings.TrimSpace(uris) != "GET\t/hello.txt?x=1" {
		t.Errorf("HTTP requests: %q", uris)
	}
	codes := tsharkOut(t, tshark, file, "-Y", "http.response", "-T", "fields", "-e", "http.response.code", "-e", "http.file_data")
	if !strings.HasPrefix(strings.TrimSpace(codes), "200\t") || !strings.Contains(codes, "hello from python") {
		t.Errorf("HTTP responses: %q", codes)
	}
}

// TestCaptureTLSPlaintext: a TLS conn is captured as its plaintext (the
// choice capture.go explains), on the interface named
// gonetrepl-tls-plaintext, so tshark shows the bytes without keys.
func TestCaptureTLSPlaintext(t *testing.T) {
	t.Parallel()
	tshark := peer.Find(t, "tshark", "tshark")
	file := filepath.Join(t.TempDir(), "tls.pcapng")
	runChunkOutput(t, fmt.Sprintf(`
		local ln = assert(tls.listen("127.0.0.1:0", { self_signed = true }))
		ln:serve(function(c) c:write(c:read_line():reverse() .. "\n"); c:close() end)
		assert(net.capture(%q))
		local c = assert(tls.dial(tostring(ln:addr()), { insecure = true, timeout = 10 }))
		c:send_line("GET /secret plaintext")
		assert(c:read_line() == ("GET /secret plaintext"):reverse())
		c:close()
		ln:close()
		net.capture(false)
	`, file))
	a, b, _ := followRaw(t, tshark, file, 0)
	if string(a) != "GET /secret plaintext\n" || string(b) != "txetnialp terces/ TEG\n" {
		t.Fatalf("stream 0: %q, %q", a, b)
	}
	ifaces := tsharkOut(t, tshark, file, "-Y", "tcp.len > 0", "-T", "fields", "-e", "frame.interface_name")
	for _, name := range strings.Fields(ifaces) {
		if name != "gonetrepl-tls-plaintext" {
			t.Errorf("a TLS conn's data on interface %q", name)
		}
	}
	if ifaces == "" {
		t.Error("no data frames")
	}
}

// TestCaptureUDPBoundaries: datagrams of 1, 300, 1400 and 60000 bytes are
// four UDP frames of those sizes, and an empty one is a frame too.
func TestCaptureUDPBoundaries(t *testing.T) {
	t.Parallel()
	tshark := peer.Find(t, "tshark", "tshark")
	file := filepath.Join(t.TempDir(), "udp.pcapng")
	runChunkOutput(t, fmt.Sprintf(`
		local a = assert(net.listen_packet("udp", "127.0.0.1:0"))
		local b = assert(net.listen_packet("udp", "127.0.0.1:0"))
		assert(a:capture(%q))
		for _, n in ipairs({ 1, 300, 1400, 60000, 0 }) do
			assert(a:write_to(string.rep("u", n), tostring(b:local_addr())))
			local d = assert(b:read_from())
			assert(#d == n)
			b:write_to("r" .. n, tostring(a:local_addr()))
			assert(a:read_from() == "r" .. n)
		end
		assert(a:capture(false).events == 1 + 10)
	`, file))
	out := tsharkOut(t, tshark, file, "-Y", "udp", "-T", "fields", "-e", "udp.length", "-e", "data.len")
	want := "9\t1\n10\t2\n308\t300\n12\t4\n1408\t1400\n13\t5\n60008\t60000\n14\t6\n8\t\n10\t2\n"
	if out != want {
		t.Errorf("UDP frames (udp.length, data.len):\n%s\nwant:\n%s", out, want)
	}
}

// TestRecordFullDiskReportedOnce: recording to /dev/full fails at the
// first event; the script goes on, and stderr says so once.
func TestRecordFullDiskReportedOnce(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	out := runChunkOutput(t, `
		local a = assert(net.listen_packet("udp", "127.0.0.1:0"))
		assert(net.record("/dev/full"))
		for i = 1, 5 do assert(a:write_to("x", tostring(a:local_addr()))); assert(a:read_from() == "x") end
		print("script went on")
		a:close()
	`)
	if n := strings.Count(out, "gonetrepl: recording to /dev/full stopped: "); n != 1 || !strings.Contains(out, "no space left on device") || !strings.Contains(out, "script went on") {
		t.Fatalf("output:\n%s", out)
	}
}

// TestCaptureMaxBytesStopsAndSays: a capture past opts.max_bytes stops,
// says so once on stderr (pcapng has no place a reader shows for it), and
// what it wrote before is a whole capture tshark reads.
func TestCaptureMaxBytesStopsAndSays(t *testing.T) {
	t.Parallel()
	tshark := peer.Find(t, "tshark", "tshark")
	file := filepath.Join(t.TempDir(), "full.pcapng")
	out := runChunkOutput(t, fmt.Sprintf(`
		local a = assert(net.listen_packet("udp", "127.0.0.1:0"))
		local b = assert(net.listen_packet("udp", "127.0.0.1:0"))
		assert(net.capture(%q, { max_bytes = 3000 }))
		for i = 1, 20 do
			assert(a:write_to(string.rep("m", 300), tostring(b:local_addr())))
			assert(#assert(b:read_from()) == 300)
		end
		local counts = net.capture(false)
		print("events", counts and counts.events)
		print("script went on")
	`, file))
	if n := strings.Count(out, "gonetrepl: recording to "+file+" stopped: max_bytes 3000 reached"); n != 1 || !strings.Contains(out, "script went on") {
		t.Fatalf("want one notice on stderr, and the script going on; output:\n%s", out)
	}
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > 3000+1000 {
		t.Errorf("the capture is %d bytes, over max_bytes 3000 by more than a frame", fi.Size())
	}
	frames := strings.Fields(tsharkOut(t, tshark, file, "-Y", "udp", "-T", "fields", "-e", "data.len"))
	if len(frames) == 0 || len(frames) >= 20 {
		t.Errorf("tshark reads %d UDP frames, want some and fewer than the 20 sent", len(frames))
	}
	for _, f := range frames {
		if f != "300" {
			t.Errorf("a frame of %s bytes, want 300", f)
		}
	}
}
