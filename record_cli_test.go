package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/pcapread"
)

// TestRecordFlags: --record FILE and --pcap=FILE record the script's
// sockets from the start, and the files are complete when gonetrepl
// exits (the script never stops recording); a missing file name is a
// usage error.
func TestRecordFlags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	txt, pcap := filepath.Join(dir, "s.txt"), filepath.Join(dir, "s.pcapng")
	r := runCLI(t, "", "--record", txt, "--pcap="+pcap, "-e", `
		local ln = assert(net.listen("tcp", "127.0.0.1:0"))
		ln:serve(function(c) c:write(c:read_line() .. "!\n"); c:close() end)
		local c = assert(net.dial("tcp", tostring(ln:addr())))
		c:send_line("hi")
		print(c:read_line())
		assert(c:read_all() == "")
		c:close()
		ln:close()`)
	if r.code != 0 || r.stdout != "hi!\n" {
		t.Fatalf("%v", r)
	}
	data, err := os.ReadFile(txt)
	if err != nil {
		t.Fatal(err)
	}
	for _, re := range []string{
		`^# gonetrepl transcript 1\n`,
		`\n\d+\.\d{6} 1 open tcp 127\.0\.0\.1:\d+ 127\.0\.0\.1:\d+ dial\n`,
		`\n\d+\.\d{6} 1 send 3 "hi\\n"\n`,
		`\n\d+\.\d{6} 1 recv 4 "hi!\\n"\n`,
		`\n\d+\.\d{6} 2 open tcp 127\.0\.0\.1:\d+ 127\.0\.0\.1:\d+ accept\n`,
		`\n\d+\.\d{6} 2 close\n`,
	} {
		if !regexp.MustCompile(re).Match(data) {
			t.Errorf("no match for %s in:\n%s", re, data)
		}
	}
	st, err := os.Stat(pcap)
	if err != nil || st.Size() < 200 || st.Mode().Perm() != 0o600 {
		t.Errorf("pcap: %v, %v", st, err)
	}

	r = runCLI(t, "", "--record")
	if r.code != 2 || !strings.Contains(r.stderr, "--record needs a file name") {
		t.Errorf("--record alone: %v", r)
	}
	r = runCLI(t, "", "--pcap", filepath.Join(dir, "no", "such", "dir"), "-e", "print(1)")
	if r.code != 2 || !strings.Contains(r.stderr, "gonetrepl: open ") || r.stdout != "" {
		t.Errorf("--pcap to a missing directory: %v", r)
	}
}

// TestRecordFlagsLoseNothingOnExit: the recorders write through a buffer
// (flushed 50 ms after the first event it holds), and gonetrepl's every
// way out flushes it: the end of a script that still had events buffered
// when it failed, os.exit, and SIGTERM. The transcript ends with the
// last bytes sent, and the capture holds every byte of the stream.
func TestRecordFlagsLoseNothingOnExit(t *testing.T) {
	t.Parallel()
	const traffic = `
		local ln = assert(net.listen("tcp", "127.0.0.1:0"))
		ln:serve(function(c) while true do local l = c:read_line(); if not l then break end; c:send_line(l) end end)
		local c = assert(net.dial("tcp", tostring(ln:addr())))
		c:set_timeout(10)
		for i = 1, 300 do c:send_line("line " .. i); assert(c:read_line() == "line " .. i) end
		c:send_line("last")
		assert(c:read_line() == "last")
		io.stderr:write("ready\n")
	`
	var want strings.Builder
	for i := 1; i <= 300; i++ {
		fmt.Fprintf(&want, "line %d\n", i)
	}
	want.WriteString("last\n")
	for _, c := range []struct {
		name, end string
		code      int
		signal    bool
	}{
		{"error", `error("boom")`, 1, false},
		{"os.exit", `os.exit(3)`, 3, false},
		{"SIGTERM", `time.sleep(60)`, 143, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if c.signal && runtime.GOOS == "windows" {
				t.Skip("no SIGTERM on Windows")
			}
			dir := t.TempDir()
			txt, pcapFile := filepath.Join(dir, "s.txt"), filepath.Join(dir, "s.pcapng")
			p := startProc(t, "", "--record", txt, "--pcap", pcapFile, "-e", traffic+c.end)
			if c.signal {
				p.waitLine(p.stderr, `^ready$`, readyTimeout)
				p.signal(syscall.SIGTERM)
			}
			if code := p.wait(runTimeout); code != c.code {
				t.Fatalf("status %d, want %d\nstderr:\n%s", code, c.code, p.stderr)
			}
			data, err := os.ReadFile(txt)
			if err != nil {
				t.Fatal(err)
			}
			// The client's session is 1 (it dialed first); its last send
			// and recv are the last lines of the exchange.
			for _, re := range []string{`\n\d+\.\d{6} 1 send 5 "last\\n"\n`, `\n\d+\.\d{6} 1 recv 5 "last\\n"\n`} {
				if !regexp.MustCompile(re).Match(data) {
					t.Errorf("no match for %s in the transcript's end:\n%s", re, data[max(0, len(data)-500):])
				}
			}
			f, err := os.Open(pcapFile)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st, _ := f.Stat()
			capture, err := pcapread.Read(context.Background(), f, st.Size(), pcapread.Limits{})
			if err != nil {
				t.Fatalf("the capture: %v", err)
			}
			if len(capture.Streams) != 1 || string(streamBytes(capture.Streams[0], false)) != want.String() || string(streamBytes(capture.Streams[0], true)) != want.String() {
				t.Errorf("the capture lacks bytes: %d streams", len(capture.Streams))
			}
		})
	}
}

// streamBytes is what one side of s sent: the server's if server.
func streamBytes(s *pcapread.Stream, server bool) []byte {
	var b []byte
	for _, ch := range s.Chunks {
		if ch.FromServ == server {
			b = append(b, ch.Data...)
		}
	}
	return b
}
