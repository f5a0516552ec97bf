package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
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
