package main

// What reaches the operator's terminal from the prompt and from script
// mode: a bounded view of a big value (issue 23, item 6), and the text of
// errors that quote a peer, escaped (item 7).

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A 16 MiB read_all shown at the prompt is a view of a few KiB: its size,
// its first and last lines of hexdump, how to see the rest. It was a
// hexdump of its first MiB (the prompt kept 1 MiB of a string), and a
// million-entry table was copied whole to be sorted. print still writes
// every byte.
func TestPromptShowsBigValuesBounded(t *testing.T) {
	t.Parallel()
	const size = 16 << 20
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i*7 + i>>8) // no two lines of its hexdump alike
	}
	addr := goServer(t, func(c net.Conn) { c.Write(data) })
	printed := strings.Repeat("ab", 5000)
	r := runCLI(t, strings.Join([]string{
		fmt.Sprintf("c = assert(net.dial('tcp', %q))", addr),
		"x = assert(c:read_all())",
		"#x",
		"x",
		`t = {} for i = 1, 2^20 do t["k" .. i] = i end`,
		"t",
		`print(string.rep("ab", 5000))`,
	}, "\n")+"\n")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("the prompt failed: %v", r)
	}
	// (A newline first: no banner comes before the first value, as stdin
	// is not a terminal.)
	shown := strings.Replace("\n"+r.stdout, printed+"\n", "", 1)
	if len(shown) == len(r.stdout) {
		t.Errorf("print did not write its %d bytes whole:\n%.3000s", len(printed), r.stdout)
	}
	if len(shown) >= 16<<10 {
		t.Errorf("the prompt wrote %d bytes to show the values:\n%.3000s", len(shown), shown)
	}
	for _, want := range []string{
		"\n16777216\n",
		"\n<16777216 bytes: the first 256 and the last 128 follow; bin.hexdump(s:sub(i, j)) shows bytes i to j, print(s) writes them all>\n00000000  00 07 0e 15",
		"\n…\n00ffff80  ",
		"\n01000000\n",
		"{\n  k1 = 1,\n  k10 = 10,\n",
		"  …1048476 more,\n}\n",
	} {
		if !strings.Contains(shown, want) {
			t.Errorf("the prompt shows, without %q:\n%.3000s", want, shown)
		}
	}
}

// A TLS error quotes the names in the peer's certificate, and a Redis
// error reply is the peer's line: at the prompt (the values of a line, a
// failed line, t:wait, the report of a failed task nobody waits for) and in script mode (the
// main chunk's error, a task's report), they reach the terminal escaped.
// Before, only strings shown at the prompt were: an error's text went out
// as it was, ESC and BEL included.
func TestPeerErrorsReachTheTerminalEscaped(t *testing.T) {
	t.Parallel()
	tlsAddr, certFile := hostileTLSServer(t) // valid for "evil\x1b[2J.example"
	redisAddr := errorRedis(t, "ERR "+hostile)
	dial := fmt.Sprintf("tls.dial(%q, {ca = io.open(%q):read('*a'), server_name = 'localhost', timeout = 20})", tlsAddr, certFile)
	call := fmt.Sprintf("assert(require('resp').connect(%q)):call('GET', 'x')", redisAddr)
	const tlsEscaped, redisEscaped = `evil\27[2J.example`, `ERR \27]0;pwned\7\27[2J\rEVIL\194\15531m\226\128\174\255`

	check := func(t *testing.T, r result, wantOut, wantErr []string) {
		t.Helper()
		checkNoRawControls(t, "stdout", r.stdout)
		checkNoRawControls(t, "stderr", r.stderr)
		for _, w := range wantOut {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("stdout without %q: %v", w, r)
			}
		}
		for _, w := range wantErr {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("stderr without %q: %v", w, r)
			}
		}
	}

	t.Run("prompt", func(t *testing.T) {
		t.Parallel()
		r := runCLI(t, strings.Join([]string{
			"c, err = " + dial,
			"c, err",
			"assert(c, err)",
			// Spawned and waited for in one line: between two lines the
			// task could fail with nobody waiting yet, and be reported.
			"(function() local tt = task.spawn(function() assert(" + dial + ") end) return tt:wait() end)()",
			"r, rerr = " + call,
			"rerr",
			"assert(r, rerr)",
			"(function() local rt = task.spawn(function() assert(" + call + ") end) return rt:wait() end)()",
			// Tasks nobody waits for: their failures are reported.
			"ut = task.spawn(function() assert(" + dial + ") end)",
			"while ut:status() == 'running' do time.sleep(0.01) end",
			"ur = task.spawn(function() assert(" + call + ") end)",
			"while ur:status() == 'running' do time.sleep(0.01) end",
		}, "\n")+"\n")
		tlsMsg := "tls: failed to verify certificate: x509: certificate is valid for " + tlsEscaped + ", not localhost\n"
		check(t, r,
			[]string{"\nnil\thandshake tls ", tlsMsg, "\n" + redisEscaped + "\n", "\nnil\ttask 10 failed: stdin:1: " + redisEscaped + "\n"},
			[]string{"stdin:1: handshake tls ", ") failed: stdin:1: handshake tls ", tlsMsg,
				"\nstdin:1: " + redisEscaped + "\n", ") failed: stdin:1: " + redisEscaped + "\n"})
		for _, w := range []string{tlsEscaped, redisEscaped} {
			if n, m := strings.Count(r.stdout, w), strings.Count(r.stderr, w); n != 2 || m != 2 {
				t.Errorf("%q shows %d times on stdout (the line's value, t:wait) and %d on stderr (the line's error, the task's report), want 2 and 2: %v", w, n, m, r)
			}
		}
	})

	for name, src := range map[string]string{
		"script tls":   "local t = task.spawn(function() assert(" + dial + ") end)\nwhile t:status() == 'running' do time.sleep(0.01) end\nassert(" + dial + ")\n",
		"script redis": "local t = task.spawn(function() assert(" + call + ") end)\nwhile t:status() == 'running' do time.sleep(0.01) end\nassert(" + call + ")\n",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			script := filepath.Join(t.TempDir(), "s.lua")
			if err := os.WriteFile(script, []byte(src), 0o600); err != nil {
				t.Fatal(err)
			}
			r := runCLI(t, "", script)
			want := tlsEscaped
			if strings.Contains(name, "redis") {
				want = redisEscaped
			}
			if r.code != 1 {
				t.Errorf("status %d, want 1: %v", r.code, r)
			}
			check(t, r, nil, []string{") failed: " + script + ":1: ", script + ":3: "})
			if n := strings.Count(r.stderr, want); n != 2 {
				t.Errorf("stderr has %q %d times, want 2 (the task's report, the main chunk's): %v", want, n, r)
			}
		})
	}
}

// errorRedis is a RESP peer that answers every command with the error
// reply -msg.
func errorRedis(t *testing.T, msg string) string {
	return goServer(t, func(c net.Conn) {
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "*")))
			for range 2 * n { // each argument: $len, then the bytes
				if _, err := r.ReadString('\n'); err != nil {
					return
				}
			}
			if _, err := c.Write([]byte("-" + msg + "\r\n")); err != nil {
				return
			}
		}
	})
}
