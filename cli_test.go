package main

// End-to-end tests of the command line: each test runs gonetrepl as a real
// process (this test binary, re-executed with GONETREPL_TEST_MAIN=1, which
// makes TestMain run the program instead of the tests) on loopback sockets.
// Every wait is bounded; readiness is signalled by the process ("listening
// on" lines), never guessed with sleeps.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/testhome"
)

const mainEnv = "GONETREPL_TEST_MAIN"

// TestMain runs the program when re-executed by a test, and otherwise the
// tests, with HOME a temporary directory (package testhome): no test and
// no process a test starts touches the user's home.
func TestMain(m *testing.M) {
	if os.Getenv(mainEnv) == "1" {
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	code := testhome.Run(m)
	removePlainBin()
	os.Exit(code)
}

// Bounds for waits. Generous, because tests run under -race on a small,
// busy machine; a hang still fails well within go test's own timeout.
const (
	runTimeout   = 60 * time.Second // a whole short process
	readyTimeout = 30 * time.Second // until a server reports it is listening
)

// outLog collects one output stream of a process and lets a test wait for
// a line to appear in it.
type outLog struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed and replaced on every write
}

func newOutLog() *outLog { return &outLog{changed: make(chan struct{})} }

func (l *outLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	close(l.changed)
	l.changed = make(chan struct{})
	return len(p), nil
}

func (l *outLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// find returns the first complete line matching re, whether there is one,
// and a channel closed at the next write.
func (l *outLog) find(re *regexp.Regexp) (string, bool, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	text := l.buf.String()
	if i := strings.LastIndexByte(text, '\n'); i >= 0 {
		for _, line := range strings.Split(text[:i], "\n") {
			if re.MatchString(line) {
				return line, true, l.changed
			}
		}
	}
	return "", false, l.changed
}

// proc is a running gonetrepl process.
type proc struct {
	t      testing.TB
	args   []string
	cmd    *exec.Cmd
	stdout *outLog
	stderr *outLog
	done   chan struct{} // closed when the process has ended
	code   int           // its exit status, valid after done
}

// command prepares gonetrepl with args; the working directory is the
// package directory, which is the repository root. The profiling variables
// of the test's own environment are not passed on: every process would
// write the same files.
func command(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name != cpuProfileEnv && name != memProfileEnv {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, mainEnv+"=1")
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// startProc runs gonetrepl with args in the background, stdin from stdin (or
// nothing). The process is killed when the test ends if still running.
func startProc(t testing.TB, stdin string, args ...string) *proc {
	t.Helper()
	return startProcEnv(t, nil, stdin, args...)
}

// startProcEnv is startProc with env ("NAME=value" entries) added to the
// process's environment.
func startProcEnv(t testing.TB, env []string, stdin string, args ...string) *proc {
	t.Helper()
	return startCmd(t, command(args...), env, stdin, args)
}

// startCmd is startProcEnv with the command (from command or plainCommand)
// made for args.
func startCmd(t testing.TB, cmd *exec.Cmd, env []string, stdin string, args []string) *proc {
	t.Helper()
	p := &proc{t: t, args: args, cmd: cmd, stdout: newOutLog(), stderr: newOutLog(), done: make(chan struct{})}
	p.cmd.Env = append(p.cmd.Env, env...)
	if stdin != "" {
		p.cmd.Stdin = strings.NewReader(stdin)
	}
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	return p.start()
}

// startProcStdout is startProc with the process's stdout going to f
// itself (p.stdout stays empty).
func startProcStdout(t testing.TB, f *os.File, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, args: args, cmd: command(args...), stdout: newOutLog(), stderr: newOutLog(), done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = f, p.stderr
	return p.start()
}

// start starts the process and watches for its end.
func (p *proc) start() *proc {
	t := p.t
	t.Helper()
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start gonetrepl %q: %v", p.args, err)
	}
	go func() {
		err := p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		var exitErr *exec.ExitError
		if err != nil && !errors.As(err, &exitErr) {
			p.code = -2 // I/O trouble, not the program's status
		}
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// wait returns the exit status, failing the test (and killing the process)
// if it does not end within timeout.
func (p *proc) wait(timeout time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(timeout):
		p.cmd.Process.Kill()
		<-p.done
		p.t.Fatalf("gonetrepl %q did not exit within %v\nstdout:\n%s\nstderr:\n%s", p.args, timeout, p.stdout, p.stderr)
		return 0
	}
}

// waitLine waits for a line matching pattern on out (p.stdout or p.stderr)
// and returns it.
func (p *proc) waitLine(out *outLog, pattern string, timeout time.Duration) string {
	p.t.Helper()
	re := regexp.MustCompile(pattern)
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		line, ok, changed := out.find(re)
		if ok {
			return line
		}
		select {
		case <-changed:
		case <-p.done:
			if line, ok, _ := out.find(re); ok {
				return line
			}
			p.t.Fatalf("gonetrepl %q exited (status %d) before printing a line matching %q\nstdout:\n%s\nstderr:\n%s",
				p.args, p.code, pattern, p.stdout, p.stderr)
		case <-deadline.C:
			p.t.Fatalf("gonetrepl %q printed no line matching %q within %v\nstdout:\n%s\nstderr:\n%s",
				p.args, pattern, timeout, p.stdout, p.stderr)
		}
	}
}

// signal sends sig to the process.
func (p *proc) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("signal %v: %v", sig, err)
	}
}

// result is what a finished process printed and its exit status.
type result struct {
	stdout, stderr string
	code           int
}

// firstLine is the first line of stderr.
func (r result) firstLine() string {
	line, _, _ := strings.Cut(r.stderr, "\n")
	return line
}

func (r result) String() string {
	return fmt.Sprintf("status %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// runCLI runs gonetrepl to its end, with stdin as its input.
func runCLI(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return runCLIEnv(t, nil, stdin, args...)
}

// runCLIEnv is runCLI with env ("NAME=value" entries) added to the
// process's environment.
func runCLIEnv(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	p := startProcEnv(t, env, stdin, args...)
	code := p.wait(runTimeout)
	return result{stdout: p.stdout.String(), stderr: p.stderr.String(), code: code}
}

func TestEval(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", "-e", "print(1+1)")
	if r.code != 0 || r.stdout != "2\n" || r.stderr != "" {
		t.Fatalf("-e 'print(1+1)': want status 0, stdout \"2\\n\", no stderr; got %v", r)
	}
	// -e may repeat; the chunks share globals and run in order.
	r = runCLI(t, "", "-e", "x = 20", "-e", "print(x + 1)")
	if r.code != 0 || r.stdout != "21\n" {
		t.Fatalf("two -e chunks: want 21; got %v", r)
	}
}

// TestErrors checks what a Lua error looks like: status 1, and stderr's
// first line "file:line: message", then the traceback.
func TestErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		args      []string
		first     string // stderr's first line must start with this
		contains  string // and contain this
		traceback bool   // a "stack traceback:" follows
	}{
		{
			name:      "runtime error",
			args:      []string{"testdata/runtime_error.lua"},
			first:     "testdata/runtime_error.lua:3: ",
			contains:  "the answer is 42",
			traceback: true,
		},
		{
			name:     "syntax error",
			args:     []string{"testdata/syntax_error.lua"},
			first:    "testdata/syntax_error.lua:3: ",
			contains: "near '='",
		},
		{
			name:      "error object from assert",
			args:      []string{"testdata/refused.lua"},
			first:     "testdata/refused.lua:5: ",
			contains:  "connection refused",
			traceback: true,
		},
		{
			name:     "syntax error in -e",
			args:     []string{"-e", "x = = 1"},
			first:    "(command line):1: ",
			contains: "near '='",
		},
		{
			name:      "runtime error in -e",
			args:      []string{"-e", "local t = nil\nprint(t.x)"},
			first:     "(command line):2: attempt to index",
			traceback: true,
		},
		{
			name:     "missing script",
			args:     []string{"testdata/no_such_script.lua"},
			contains: "no_such_script.lua",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", tt.args...)
			if r.code != 1 {
				t.Fatalf("want status 1; got %v", r)
			}
			if r.stdout != "" {
				t.Errorf("want nothing on stdout; got %q", r.stdout)
			}
			first := r.firstLine()
			if !strings.HasPrefix(first, tt.first) || !strings.Contains(first, tt.contains) {
				t.Errorf("want stderr's first line to start with %q and contain %q; got %v", tt.first, tt.contains, r)
			}
			if tt.traceback {
				lines := strings.Split(r.stderr, "\n")
				if len(lines) < 2 || lines[1] != "stack traceback:" {
					t.Errorf("want \"stack traceback:\" on stderr's second line; got %v", r)
				}
			}
		})
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // substring of stdout ("" for empty)
		stderr string // substring of stderr ("" for empty)
	}{
		{"unknown option", []string{"--bogus"}, 2, "", "unknown option --bogus"},
		{"-e without chunk", []string{"-e"}, 2, "", "-e needs an argument"},
		// Not typed at a terminal: piped lines are a script, and no banner
		// comes before their output.
		{"no arguments: the prompt, ended by EOF on stdin", nil, 0, "", ""},
		{"-l of no module", []string{"-l", "nosuchmod"}, 1, "", "gonetrepl: -l nosuchmod: module not found (looked in package.preload, ./nosuchmod.lua"},
		{"version", []string{"--version"}, 0, "gonetrepl ", ""},
		{"help", []string{"--help"}, 0, "usage: gonetrepl", ""},
		{"-h", []string{"-h"}, 0, "usage: gonetrepl", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", tt.args...)
			if r.code != tt.code {
				t.Fatalf("want status %d; got %v", tt.code, r)
			}
			check := func(name, got, want string) {
				if want == "" && got != "" || !strings.Contains(got, want) {
					t.Errorf("want %s containing %q; got %v", name, want, r)
				}
			}
			check("stdout", r.stdout, tt.stdout)
			check("stderr", r.stderr, tt.stderr)
			// An error is one line: a usage error's ends with where to
			// look; -l's names the places searched, no traceback.
			if tt.code != 0 && strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("want one line on stderr; got %v", r)
			}
			if tt.code == 2 && !strings.HasSuffix(r.stderr, "; try 'gonetrepl --help'\n") {
				t.Errorf("want a usage error to end with \"try 'gonetrepl --help'\"; got %v", r)
			}
		})
	}
}

func TestOsExit(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", "-e", `print("before") os.exit(3) print("after")`)
	if r.code != 3 || r.stdout != "before\n" {
		t.Fatalf("os.exit(3): want status 3 and only \"before\" printed; got %v", r)
	}
	// os.exit ends the process even with tasks still running.
	r = runCLI(t, "", "-e", `task.spawn(function() time.sleep(60) end) os.exit(true)`)
	if r.code != 0 {
		t.Fatalf("os.exit(true) with a sleeping task: want status 0 at once; got %v", r)
	}
}

func TestScriptFromStdin(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "print('from stdin', ...)\n", "-", "a", "b")
	if r.code != 0 || r.stdout != "from stdin\ta\tb\n" {
		t.Fatalf("script on stdin: got %v", r)
	}
	// Errors in it are reported against the name "stdin".
	r = runCLI(t, "\n\nerror('bad')\n", "-")
	if r.code != 1 || !strings.HasPrefix(r.firstLine(), "stdin:3: bad") {
		t.Fatalf("error in a script on stdin: want status 1 and \"stdin:3: bad\"; got %v", r)
	}
}

func TestScriptArgs(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", "testdata/args.lua", "one", "two words", "--flag")
	want := strings.Join([]string{
		"arg[0]=testdata/args.lua",
		"#arg=3",
		"arg[1]=one",
		"arg[2]=two words",
		"arg[3]=--flag",
		"select=3",
		"...[1]=one",
		"...[2]=two words",
		"...[3]=--flag",
	}, "\n") + "\n"
	if r.code != 0 || r.stdout != want {
		t.Fatalf("want status 0 and\n%s\ngot %v", want, r)
	}
	// Negative indices hold the interpreter and its options, as in lua.
	r = runCLI(t, "", "--no-color", "testdata/args.lua")
	if r.code != 0 || !strings.Contains(r.stdout, "#arg=0\n") {
		t.Fatalf("no script arguments: got %v", r)
	}
	r = runCLI(t, "", "-e", "print(arg[-1], arg[-2], arg[0])", "testdata/args.lua")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "print(arg[-1], arg[-2], arg[0])\t-e\ttestdata/args.lua\n") {
		t.Fatalf("arg[-1], arg[-2]: got %v", r)
	}
}

func TestLoadModule(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", "-l", "flags", "-e", `print(type(flags), type(flags.new))`)
	if r.code != 0 || r.stdout != "table\tfunction\n" {
		t.Fatalf("-l flags: want the global flags set; got %v", r)
	}
	r = runCLI(t, "", "-l", "no_such_module")
	if r.code != 1 || !strings.Contains(r.stderr, "no_such_module") {
		t.Fatalf("-l of a missing module: want status 1 naming it; got %v", r)
	}
}

// TestTaskError: an error escaping a spawned task is printed with the
// task's id, does not stop another task, and makes the exit status 1 once
// every task has ended.
func TestTaskError(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", "testdata/task_error.lua")
	if r.code != 1 {
		t.Fatalf("want status 1; got %v", r)
	}
	if !strings.Contains(r.stdout, "main done\n") || !strings.Contains(r.stdout, "survivor done\n") {
		t.Errorf("want the main chunk and the surviving task to print; got %v", r)
	}
	re := regexp.MustCompile(`(?m)^task \d+ .*failed: testdata/task_error\.lua:4: task exploded$`)
	if !re.MatchString(r.stderr) {
		t.Errorf("want a line matching %q on stderr; got %v", re, r)
	}
	if !strings.Contains(r.stderr, "stack traceback:") {
		t.Errorf("want a traceback on stderr; got %v", r)
	}
}

// TestWaitsForTasks: the process stays until every spawned task has
// ended, then exits 0.
func TestWaitsForTasks(t *testing.T) {
	t.Parallel()
	begin := time.Now()
	r := runCLI(t, "", "testdata/wait_tasks.lua")
	if r.code != 0 || r.stdout != "main done\ntask done\n" || r.stderr != "" {
		t.Fatalf("want status 0 and both lines; got %v", r)
	}
	if d := time.Since(begin); d < 300*time.Millisecond {
		t.Fatalf("exited after %v, before the task's 0.3 s sleep ended", d)
	}
}

// exitSignals are the signals that stop a serving script, each with the
// exit status it gives (128 + the signal's number).
var exitSignals = []struct {
	sig  syscall.Signal
	code int
}{
	{syscall.SIGTERM, 143},
	{syscall.SIGINT, 130},
	{syscall.SIGHUP, 129},
}

// TestSignalBeforeAnySocket: a script that has opened no socket is not
// yet catching signals (that costs start-up time: see run), so SIGTERM
// ends it by the signal's default action, which a shell reports as 143
// too; once it opens one, the signal is caught and the status is 143
// (TestSignals).
func TestSignalBeforeAnySocket(t *testing.T) {
	t.Parallel()
	p := startProc(t, "", "-e", `io.stderr:write("ready\n") time.sleep(30)`)
	p.waitLine(p.stderr, `^ready$`, readyTimeout)
	p.signal(syscall.SIGTERM)
	p.wait(10 * time.Second)
	ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Fatalf("want the process ended by SIGTERM; got %v", p.cmd.ProcessState)
	}
}

// TestSignals: SIGTERM and SIGINT end a serving script with 143 and 130,
// closing its listeners and removing its Unix socket file.
func TestSignals(t *testing.T) {
	t.Parallel()
	for _, tt := range exitSignals {
		t.Run(tt.sig.String(), func(t *testing.T) {
			sock := filepath.Join(t.TempDir(), "s.sock")
			p := startProc(t, "", "testdata/signal_server.lua", sock)
			line := p.waitLine(p.stderr, `^listening on `, readyTimeout)
			addr := strings.Fields(strings.TrimPrefix(line, "listening on "))[0]
			if _, err := os.Stat(sock); err != nil {
				t.Fatalf("Unix socket file missing while serving: %v", err)
			}
			// One more conn in flight, from this process.
			c, err := net.DialTimeout("tcp", addr, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Write([]byte("hi")); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 2)
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "hi" {
				t.Fatalf("echo before the signal: %q, %v", buf, err)
			}

			sent := time.Now()
			p.signal(tt.sig)
			code := p.wait(10 * time.Second)
			took := time.Since(sent)
			if code != tt.code {
				t.Fatalf("want status %d after %v; got %d\nstderr:\n%s", tt.code, tt.sig, code, p.stderr)
			}
			if took > time.Second {
				t.Errorf("took %v to exit after %v; want under 1 s", took, tt.sig)
			}
			if strings.Contains(p.stderr.String(), "failed") {
				t.Errorf("a task was reported as failed on a clean shutdown:\n%s", p.stderr)
			}
			if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("Unix socket file %s left behind (stat: %v)", sock, err)
			}
			// The in-flight conn is gone with the process.
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			if n, err := c.Read(buf); err == nil {
				t.Errorf("conn still open after exit: read %q", buf[:n])
			}
		})
	}
}

// TestSignalsClosedStdout: a server whose stdout is a pipe nobody reads
// any more (gonetrepl server.lua | head -1) ends at its next print as it
// would on SIGTERM: status 141 (128 + SIGPIPE), the Unix socket file gone.
// A peer that goes away under a write does not end it.
func TestSignalsClosedStdout(t *testing.T) {
	t.Parallel()
	sock := filepath.Join(t.TempDir(), "s.sock")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	p := startProcStdout(t, w, "testdata/signal_server.lua", sock)
	w.Close()
	line := p.waitLine(p.stderr, `^listening on `, readyTimeout)
	addr := strings.Fields(strings.TrimPrefix(line, "listening on "))[0]

	// A client that resets its conn under the server's writes: EPIPE on a
	// socket, which must not end the process.
	for range 3 {
		c, err := net.DialTimeout("tcp", addr, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.(*net.TCPConn).SetLinger(0)
		c.Write([]byte("hi"))
		c.Close()
	}
	r.Close()
	// A gone server refuses; a reset connect (seen once on a loaded CI
	// run, a 4-tuple just reset by the clients above) is tried again.
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	for try := 1; err != nil && errors.Is(err, syscall.ECONNRESET) && try < 5; try++ {
		c, err = net.DialTimeout("tcp", addr, 10*time.Second)
	}
	if err != nil {
		t.Fatalf("server gone after its clients reset: %v\nstderr:\n%s", err, p.stderr)
	}
	defer c.Close()
	if _, err := c.Write([]byte("stdout")); err != nil { // the server prints: to a closed pipe
		t.Fatal(err)
	}
	if code := p.wait(10 * time.Second); code != 141 {
		t.Fatalf("want status 141 after a print to a closed pipe; got %d\nstderr:\n%s", code, p.stderr)
	}
	if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Unix socket file %s left behind (stat: %v)", sock, err)
	}
}

// startEcho starts scripts/echo.lua on a free loopback port with extra
// options, and returns the process and its address once it listens.
func startEcho(t *testing.T, opts ...string) (*proc, string) {
	t.Helper()
	return startServerScript(t, "tcp", "scripts/echo.lua", opts...)
}

// startServerScript starts a server script (one that takes its address as
// its first argument and logs "NAME: listening on ADDR" on stderr, NAME its
// file name without .lua) on a free loopback port of network, "tcp" or
// "udp", and returns the process and its address once it listens. A free
// port found in Go can be taken by someone else before the script binds
// it: then it tries another.
func startServerScript(t *testing.T, network, script string, opts ...string) (*proc, string) {
	t.Helper()
	name := strings.TrimSuffix(filepath.Base(script), ".lua")
	for attempt := 1; ; attempt++ {
		var addr string
		if network == "udp" {
			c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				t.Fatal(err)
			}
			addr = c.LocalAddr().String()
			c.Close()
		} else {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr = ln.Addr().String()
			ln.Close()
		}
		p := startProc(t, "", append([]string{script, addr}, opts...)...)
		line := p.waitLine(p.stderr, `^`+name+`: listening on |address already in use`, readyTimeout)
		if strings.HasPrefix(line, name+": listening on ") {
			if got := strings.TrimPrefix(line, name+": listening on "); got != addr {
				t.Fatalf("asked %s to listen on %s; it says %s", script, addr, got)
			}
			return p, addr
		}
		if code := p.wait(runTimeout); code != 1 {
			t.Fatalf("%s on a taken port: want status 1; got %d", script, code)
		}
		if attempt == 5 {
			t.Fatalf("no free port after %d attempts; last: %s", attempt, line)
		}
	}
}

func TestEchoScript(t *testing.T) {
	t.Parallel()
	p, addr := startEcho(t)

	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tcp := c.(*net.TCPConn)

	// Every byte value, then 1 MiB of random bytes, written while another
	// goroutine reads the echo (the echo would block on a full socket
	// buffer if nobody read).
	payload := make([]byte, 256, 256+1<<20)
	for i := range 256 {
		payload[i] = byte(i)
	}
	random := make([]byte, 1<<20)
	rand.Read(random)
	payload = append(payload, random...)

	deadline := time.Now().Add(60 * time.Second)
	c.SetDeadline(deadline)
	got := make(chan []byte, 1)
	readErr := make(chan error, 1)
	go func() {
		b, err := io.ReadAll(c) // to EOF, which follows our close_write
		got <- b
		readErr <- err
	}()
	local := c.LocalAddr().String()
	p.waitLine(p.stderr, `^echo: `+regexp.QuoteMeta(local)+` connected$`, readyTimeout)
	for off := 0; off < len(payload); {
		n := min(32<<10, len(payload)-off) // uneven writes exercise the loop
		if _, err := c.Write(payload[off : off+n]); err != nil {
			t.Fatalf("write at %d: %v", off, err)
		}
		off += n
	}
	if err := tcp.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	echoed := <-got
	if err := <-readErr; err != nil {
		t.Fatalf("read the echo: %v (after %d of %d bytes)", err, len(echoed), len(payload))
	}
	if !bytes.Equal(echoed, payload) {
		i := 0
		for i < len(echoed) && i < len(payload) && echoed[i] == payload[i] {
			i++
		}
		t.Fatalf("echo differs: sent %d bytes, got %d, first difference at %d", len(payload), len(echoed), i)
	}
	line := p.waitLine(p.stderr, `^echo: `+regexp.QuoteMeta(local)+` disconnected`, readyTimeout)
	if want := fmt.Sprintf("closed by peer), %d bytes echoed", len(payload)); !strings.Contains(line, want) {
		t.Errorf("disconnect log: want %q in %q", want, line)
	}

	// Several clients at once, each getting its own bytes back.
	concurrently(t, 10, func(i int) error {
		c, err := net.DialTimeout("tcp", addr, 10*time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(30 * time.Second))
		r := bufio.NewReader(c)
		for round := range 20 {
			msg := fmt.Sprintf("client %d round %d\n", i, round)
			if _, err := c.Write([]byte(msg)); err != nil {
				return err
			}
			if back, err := r.ReadString('\n'); err != nil || back != msg {
				return fmt.Errorf("client %d: sent %q, got %q, %v", i, msg, back, err)
			}
		}
		return nil
	})

	p.signal(syscall.SIGINT)
	if code := p.wait(10 * time.Second); code != 130 {
		t.Fatalf("echo.lua after SIGINT: want status 130; got %d\nstderr:\n%s", code, p.stderr)
	}
}

func TestEchoIdle(t *testing.T) {
	t.Parallel()
	p, addr := startEcho(t, "--idle", "0.2")
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Activity keeps the client: a round trip works.
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("echo: %q, %v", buf, err)
	}
	// Then silence: the server hangs up after 0.2 s idle.
	begin := time.Now()
	c.SetReadDeadline(begin.Add(3 * time.Second))
	n, err := c.Read(buf)
	took := time.Since(begin)
	if err != io.EOF {
		t.Fatalf("idle client: want EOF within 3 s; got %q, %v after %v", buf[:n], err, took)
	}
	if took > 2*time.Second {
		t.Errorf("idle client dropped after %v; want about 0.2 s", took)
	}
	local := regexp.QuoteMeta(c.LocalAddr().String())
	p.waitLine(p.stderr, `^echo: `+local+` disconnected \(idle for 0\.2s\), 4 bytes echoed$`, readyTimeout)

	p.signal(syscall.SIGTERM)
	if code := p.wait(10 * time.Second); code != 143 {
		t.Fatalf("want status 143 after SIGTERM; got %d", code)
	}
}

// TestLoadThousandClients: a Lua ln:serve echo server in one process and
// 1,000 client tasks of 10 round trips each in another.
func TestLoadThousandClients(t *testing.T) {
	if testing.Short() {
		t.Skip("load test skipped in -short mode")
	}
	server := startProc(t, "", "testdata/line_echo_server.lua")
	line := server.waitLine(server.stdout, `^listening on 127\.0\.0\.1:\d+$`, readyTimeout)
	addr := strings.TrimPrefix(line, "listening on ")

	client := startProc(t, "", "testdata/load_clients.lua", addr, "1000", "10")
	code := client.wait(90 * time.Second)
	if code != 0 || client.stdout.String() != "ok 1000 clients\n" {
		t.Fatalf("clients: want status 0 and \"ok 1000 clients\"; got status %d\nstdout:\n%s\nstderr:\n%s\nserver stderr:\n%s",
			code, client.stdout, client.stderr, server.stderr)
	}

	server.signal(syscall.SIGTERM)
	if code := server.wait(10 * time.Second); code != 143 {
		t.Fatalf("server: want status 143 after SIGTERM; got %d\nstderr:\n%s", code, server.stderr)
	}
	if s := server.stderr.String(); s != "" {
		t.Errorf("server wrote to stderr:\n%s", s)
	}
}

// TestReadmeExample runs the script shown in README.md, so the README
// stays true: it must print what its comment says and exit 0.
func TestReadmeExample(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```lua\n(.*?)```").FindAllSubmatch(readme, -1)
	if len(blocks) == 0 {
		t.Fatal("README.md has no lua example")
	}
	script := filepath.Join(t.TempDir(), "example.lua")
	if err := os.WriteFile(script, blocks[0][1], 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "", script)
	if r.code != 0 || r.stdout != "HELLO\tWORLD\n" {
		t.Fatalf("README example: want HELLO<tab>WORLD and status 0; got %v", r)
	}

	// The toolkit example: its "-->" comment and a hexdump -C line.
	if len(blocks) < 2 {
		t.Fatal("README.md has no toolkit example")
	}
	if err := os.WriteFile(script, blocks[1][1], 0o644); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, "", script)
	first, _, _ := strings.Cut(r.stdout, "\n")
	if r.code != 0 || strings.Join(strings.Fields(first), " ") != "020107 513 7 4" ||
		!strings.Contains(r.stdout, "00000000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 30 0d 0a  |GET / HTTP/1.0..|\n") {
		t.Fatalf("README toolkit example: got %v", r)
	}

	// The WebSocket example: an echo server and a client of it.
	var wsExample []byte
	for _, b := range blocks {
		if bytes.Contains(b[1], []byte(`require "websocket"`)) {
			wsExample = b[1]
		}
	}
	if wsExample == nil {
		t.Fatal("README.md has no websocket example")
	}
	if err := os.WriteFile(script, wsExample, 0o644); err != nil {
		t.Fatal(err)
	}
	if r = runCLI(t, "", script); r.code != 0 || r.stdout != "hello\ttext\n" {
		t.Fatalf("README websocket example: want hello<tab>text and status 0; got %v", r)
	}
}

// concurrently runs client(0) … client(n-1) at once and fails the test
// with each error they return.
func concurrently(t *testing.T, n int, client func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			if err := client(i); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Profiling: --cpuprofile, --memprofile and their environment variables.

// profileKinds are the profiles a test asks for: the flag, and a string
// the decompressed profile holds (in its string table) when it is of that
// kind.
var profileKinds = []struct{ flag, want string }{
	{"--cpuprofile", "nanoseconds"},
	{"--memprofile", "inuse_space"},
}

// profileArgs returns --cpuprofile and --memprofile options for files in a
// fresh directory, and the files' paths in profileKinds' order.
func profileArgs(t *testing.T) (args, paths []string) {
	dir := t.TempDir()
	for _, k := range profileKinds {
		path := filepath.Join(dir, strings.TrimPrefix(k.flag, "--")+".out")
		args = append(args, k.flag, path)
		paths = append(paths, path)
	}
	return args, paths
}

// checkProfile fails the test unless path holds a pprof profile: gzip
// data that decompresses to a well-formed protobuf message with a
// sample_type (field 1) and a string table (field 6) holding want.
// No pprof parser is a dependency of the module; this is enough to tell a
// complete profile from a missing, empty or cut-off file.
func checkProfile(t *testing.T, path, want string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("profile not written: %v", err)
	}
	if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		t.Fatalf("%s is not gzip data (%d bytes, starting %q)", path, len(data), data[:min(len(data), 8)])
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	msg, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: decompressing: %v (the profile was cut off?)", path, err)
	}
	fields, err := protoFields(msg)
	if err != nil {
		t.Fatalf("%s: not a protobuf message: %v", path, err)
	}
	if fields[1] == 0 || fields[6] == 0 {
		t.Fatalf("%s: want sample_type (1) and string_table (6) fields; got field counts %v", path, fields)
	}
	if !bytes.Contains(msg, []byte(want)) {
		t.Fatalf("%s: the profile does not mention %q", path, want)
	}
}

// protoFields walks the top level of a protobuf message and counts each
// field number, failing on malformed wire data.
func protoFields(b []byte) (map[uint64]int, error) {
	seen := map[uint64]int{}
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 || key>>3 == 0 {
			return nil, fmt.Errorf("bad field key at %d bytes from the end", len(b))
		}
		b = b[n:]
		switch key & 7 {
		case 0: // varint
			if _, n = binary.Uvarint(b); n <= 0 {
				return nil, fmt.Errorf("bad varint in field %d", key>>3)
			}
			b = b[n:]
		case 1: // 64-bit
			if len(b) < 8 {
				return nil, fmt.Errorf("short fixed64 in field %d", key>>3)
			}
			b = b[8:]
		case 2: // length-delimited
			size, n := binary.Uvarint(b)
			if n <= 0 || size > uint64(len(b)-n) {
				return nil, fmt.Errorf("bad length in field %d", key>>3)
			}
			b = b[n+int(size):]
		case 5: // 32-bit
			if len(b) < 4 {
				return nil, fmt.Errorf("short fixed32 in field %d", key>>3)
			}
			b = b[4:]
		default:
			return nil, fmt.Errorf("wire type %d in field %d", key&7, key>>3)
		}
		seen[key>>3]++
	}
	return seen, nil
}

// TestProfileEnds: both profiles are written however the program ends.
func TestProfileEnds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
	}{
		{"script ends", "", []string{"testdata/args.lua", "x"}, 0},
		{"-e chunk", "", []string{"-e", "local s = 0 for i = 1, 1e5 do s = s + i end print(s)"}, 0},
		{"Lua error", "", []string{"testdata/runtime_error.lua"}, 1},
		{"syntax error", "", []string{"-e", "x = = 1"}, 1},
		{"failed task", "", []string{"testdata/task_error.lua"}, 1},
		{"os.exit", "", []string{"-e", `task.spawn(function() time.sleep(60) end) os.exit(3)`}, 3},
		{"prompt ended by EOF", "x = 1\n", nil, 0},
		{"os.exit at the prompt", "os.exit(4)\n", nil, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts, paths := profileArgs(t)
			r := runCLI(t, tt.stdin, append(opts, tt.args...)...)
			if r.code != tt.code {
				t.Fatalf("want status %d; got %v", tt.code, r)
			}
			for i, k := range profileKinds {
				checkProfile(t, paths[i], k.want)
			}
		})
	}
}

// TestProfileSignals: a server ended by SIGTERM or SIGINT, the way a
// benchmark harness stops it, still writes complete profiles.
func TestProfileSignals(t *testing.T) {
	t.Parallel()
	for _, tt := range exitSignals {
		t.Run(tt.sig.String(), func(t *testing.T) {
			t.Parallel()
			opts, paths := profileArgs(t)
			sock := filepath.Join(t.TempDir(), "s.sock")
			p := startProc(t, "", append(opts, "testdata/signal_server.lua", sock)...)
			p.waitLine(p.stderr, `^listening on `, readyTimeout)
			p.signal(tt.sig)
			if code := p.wait(10 * time.Second); code != tt.code {
				t.Fatalf("want status %d after %v; got %d\nstderr:\n%s", tt.code, tt.sig, code, p.stderr)
			}
			for i, k := range profileKinds {
				checkProfile(t, paths[i], k.want)
			}
		})
	}
}

// TestProfileEnv: the environment variables ask for profiles as the flags
// do, and a flag wins over its variable.
func TestProfileEnv(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	envCPU, envMem := filepath.Join(dir, "env-cpu.out"), filepath.Join(dir, "env-mem.out")
	env := []string{cpuProfileEnv + "=" + envCPU, memProfileEnv + "=" + envMem}
	r := runCLIEnv(t, env, "", "-e", "print('ran')")
	if r.code != 0 || r.stdout != "ran\n" {
		t.Fatalf("want status 0; got %v", r)
	}
	checkProfile(t, envCPU, "nanoseconds")
	checkProfile(t, envMem, "inuse_space")

	os.Remove(envCPU)
	os.Remove(envMem)
	flagCPU := filepath.Join(dir, "flag-cpu.out")
	r = runCLIEnv(t, env, "", "--cpuprofile="+flagCPU, "-e", "print('ran')")
	if r.code != 0 {
		t.Fatalf("want status 0; got %v", r)
	}
	checkProfile(t, flagCPU, "nanoseconds")
	checkProfile(t, envMem, "inuse_space") // no flag for this one
	if _, err := os.Stat(envCPU); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("--cpuprofile given, but %s was written too (stat: %v)", cpuProfileEnv, err)
	}
}

// TestProfileBadPath: a profile that cannot be created is an error naming
// the flag or variable, before anything runs.
func TestProfileBadPath(t *testing.T) {
	t.Parallel()
	bad := filepath.Join(t.TempDir(), "no-such-dir", "p.out")
	tests := []struct {
		name string
		env  []string
		args []string
		code int
		want string // stderr holds this
	}{
		{"--cpuprofile", nil, []string{"--cpuprofile", bad, "-e", "print('ran')"}, 2, "gonetrepl: --cpuprofile: open " + bad},
		{"--memprofile", nil, []string{"--memprofile", bad, "-e", "print('ran')"}, 2, "gonetrepl: --memprofile: open " + bad},
		{"--cpuprofile=", nil, []string{"--cpuprofile=" + bad, "-e", "print('ran')"}, 2, "gonetrepl: --cpuprofile: open " + bad},
		{"environment", []string{cpuProfileEnv + "=" + bad}, []string{"-e", "print('ran')"}, 2, "gonetrepl: " + cpuProfileEnv + ": open " + bad},
		{"missing file name", nil, []string{"-e", "print('ran')", "--cpuprofile"}, 2, "--cpuprofile needs a file name"},
		{"empty file name", nil, []string{"--memprofile=", "-e", "print('ran')"}, 2, "--memprofile needs a file name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLIEnv(t, tt.env, "", tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("want status %d and %q on stderr; got %v", tt.code, tt.want, r)
			}
			if r.stdout != "" {
				t.Errorf("the chunk ran despite the bad profile option: %v", r)
			}
		})
	}
}

// TestProfileHelp: --help lists the profiling flags and variables.
func TestProfileHelp(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", "--help")
	for _, want := range []string{"--cpuprofile FILE", "--memprofile FILE", cpuProfileEnv, memProfileEnv} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("--help does not mention %s:\n%s", want, r.stdout)
		}
	}
}

// TestStdinReadLetsTasksRun: io.read waiting for a line lets the other
// tasks run. Here a task prints three ticks while the main chunk waits in
// io.read, and the line is typed only once all three have appeared: if
// the read held the interpreter lock, no tick would come and the test
// would time out waiting for them.
func TestStdinReadLetsTasksRun(t *testing.T) {
	t.Parallel()
	cmd := command("-e", `
		task.spawn(function()
			for i = 1, 3 do print("tick " .. i) time.sleep(0.01) end
		end)
		print("got " .. io.read())
		for line in io.lines() do print("line " .. line) end`)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := newOutLog()
	cmd.Stdout, cmd.Stderr = stdout, stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	p := &proc{t: t, args: cmd.Args, cmd: cmd, stdout: stdout, stderr: newOutLog(), done: make(chan struct{})}
	p.waitLine(stdout, `^tick 3$`, readyTimeout)
	io.WriteString(stdin, "hello\nsecond\nthird\n")
	stdin.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, stdout)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no exit after stdin closed:\n%s", stdout)
	}
	want := "tick 1\ntick 2\ntick 3\ngot hello\nline second\nline third\n"
	if got := stdout.String(); got != want {
		t.Fatalf("stdout:\n%s\nwant:\n%s", got, want)
	}
}

// Lines piped into the prompt are a script: their output is all that
// stdout gets, with no banner before it (echo 'print(1)' | gonetrepl).
func TestPipedPromptHasNoBanner(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "print(1+1)\nx = 40\nx + 2\n")
	if r.code != 0 || r.stdout != "2\n42\n" || r.stderr != "" {
		t.Fatalf("want stdout \"2\\n42\\n\" alone; got %v", r)
	}
}
