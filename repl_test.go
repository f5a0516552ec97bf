package main

// Tests of the prompt: each drives the real program in a pseudo-terminal
// (github.com/creack/pty), types keys into it as a user would, and reads
// what it shows — both the raw bytes and the screen they draw, through a
// VT100 model (github.com/hinshun/vt10x), so "the typed line is intact on
// the screen" is checked on the screen, not guessed from the bytes.

import (
	"bufio"
	"errors"
	"fmt"
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

	"github.com/creack/pty"
	"github.com/hinshun/vt10x"
)

const (
	screenCols = 160
	screenRows = 60
	// expectTimeout bounds every wait for output; generous for -race on
	// a busy 2-core machine.
	expectTimeout = 30 * time.Second
)

// replSession is one gonetrepl process on a pseudo-terminal.
type replSession struct {
	t      *testing.T
	cmd    *exec.Cmd
	pty    *os.File
	exited chan struct{} // closed when the program has ended and its output is read
	status int
	outEnd chan struct{} // closed when copyOut has read to the pty's end

	mu     sync.Mutex
	raw    strings.Builder // every byte the program wrote
	pos    int             // how far expect has consumed plain()
	screen vt10x.Terminal
	change chan struct{} // closed and replaced on every write

	// plainRaw is how much of raw plainDone covers, up to just after a
	// line break, and plainDone is plain of that: expect strips the
	// escapes of each line once, not of the whole output at every write
	// (the tour writes thousands of times; run again over its tens of
	// KiB, plain took most of TestTourWalkthrough's time under -race).
	plainRaw  int
	plainDone strings.Builder
}

// startREPL runs gonetrepl with args on a new pty. The history goes to
// histFile ("" for a new file in a temporary directory); env adds to the
// environment.
func startREPL(t *testing.T, histFile string, env []string, args ...string) *replSession {
	t.Helper()
	s := startOnPty(t, screenCols, histFile, env, args...)
	s.expect(`help\(\) lists the modules`)
	return s
}

// startOnPty runs gonetrepl with args on a new pty cols wide, as
// startREPL does, without waiting for a prompt: for scripts run in a
// terminal.
func startOnPty(t *testing.T, cols uint16, histFile string, env []string, args ...string) *replSession {
	t.Helper()
	dir := t.TempDir()
	if histFile == "" {
		histFile = filepath.Join(dir, "history")
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), mainEnv+"=1", "TERM=xterm", "HOME="+dir, "GONETREPL_HISTORY="+histFile)
	cmd.Env = removeEnv(cmd.Env, "NO_COLOR")
	cmd.Env = append(cmd.Env, env...)
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: cols, Rows: screenRows})
	if err != nil {
		t.Fatalf("start on a pty: %v", err)
	}
	s := &replSession{t: t, cmd: cmd, pty: f, exited: make(chan struct{}), outEnd: make(chan struct{}), change: make(chan struct{}),
		screen: vt10x.New(vt10x.WithSize(int(cols), screenRows))}
	go s.copyOut()
	go func() {
		err := cmd.Wait()
		s.status = cmd.ProcessState.ExitCode()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			s.status = 128 + int(ws.Signal())
		}
		_ = err
		// What it wrote just before its end may still wait in the pty:
		// exited means all of it has been read, so that an expect or the
		// DATA RACE check below sees it. (The pty ends when the last
		// process holding it does; the bound is for one that outlives it.)
		select {
		case <-s.outEnd:
		case <-time.After(5 * time.Second):
		}
		close(s.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			cmd.Process.Kill()
			<-s.exited
		}
		f.Close()
		if strings.Contains(s.rawText(), "DATA RACE") {
			t.Errorf("the race detector reported in the program:\n%s", s.rawText())
		}
		if t.Failed() {
			t.Logf("screen at the end:\n%s", s.screenText())
		}
	})
	return s
}

func removeEnv(env []string, name string) []string {
	out := env[:0:0]
	for _, e := range env {
		if !strings.HasPrefix(e, name+"=") {
			out = append(out, e)
		}
	}
	return out
}

func (s *replSession) copyOut() {
	defer close(s.outEnd)
	buf := make([]byte, 4096)
	for {
		n, err := s.pty.Read(buf)
		if n > 0 {
			s.mu.Lock()
			s.raw.Write(buf[:n])
			s.screen.Write(buf[:n])
			close(s.change)
			s.change = make(chan struct{})
			s.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// send types text: "\r" is Enter, "\x03" Ctrl-C, "\x04" Ctrl-D, "\t" Tab.
func (s *replSession) send(text string) {
	s.t.Helper()
	if _, err := s.pty.WriteString(text); err != nil {
		s.t.Fatalf("type %q: %v", text, err)
	}
}

// typeSlowly types text one key at a time, with a pause between keys.
func (s *replSession) typeSlowly(text string, pause time.Duration) {
	for _, r := range text {
		s.send(string(r))
		time.Sleep(pause)
	}
}

var escapes = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]|\r`)

func (s *replSession) rawText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.raw.String()
}

// plain is the output without terminal escapes and carriage returns.
func plain(raw string) string { return escapes.ReplaceAllString(raw, "") }

// plainLocked is plain(s.raw.String()), s.mu held. No escape spans a line
// break, so the lines up to the last break are stripped once and kept.
func (s *replSession) plainLocked() string {
	raw := s.raw.String()
	if i := strings.LastIndexByte(raw[s.plainRaw:], '\n'); i >= 0 {
		end := s.plainRaw + i + 1
		s.plainDone.WriteString(plain(raw[s.plainRaw:end]))
		s.plainRaw = end
	}
	return s.plainDone.String() + plain(raw[s.plainRaw:])
}

// expect waits until the output after what earlier expects consumed
// matches re, consumes up to the end of the match, and returns the
// submatches.
func (s *replSession) expect(re string) []string {
	s.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.After(expectTimeout)
	for {
		s.mu.Lock()
		text := s.plainLocked()
		change := s.change
		if s.pos > len(text) {
			s.pos = len(text)
		}
		if m := rx.FindStringSubmatchIndex(text[s.pos:]); m != nil {
			sub := make([]string, 0, len(m)/2)
			for i := 0; i < len(m); i += 2 {
				if m[i] >= 0 {
					sub = append(sub, text[s.pos+m[i]:s.pos+m[i+1]])
				} else {
					sub = append(sub, "")
				}
			}
			s.pos += m[1]
			s.mu.Unlock()
			return sub
		}
		s.mu.Unlock()
		select {
		case <-change:
		case <-s.exited:
			if !rx.MatchString(plain(s.rawText())[s.pos:]) {
				s.t.Fatalf("the program exited (status %d) before showing %q; it showed:\n%s", s.status, re, plain(s.rawText())[s.pos:])
			}
		case <-deadline:
			s.t.Fatalf("no %q within %v; after the last match it showed:\n%s", re, expectTimeout, plain(s.rawText())[s.pos:])
		}
	}
}

// screenText is what the terminal shows now, trailing blanks trimmed.
func (s *replSession) screenText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var lines []string
	for _, l := range strings.Split(s.screen.String(), "\n") {
		lines = append(lines, strings.TrimRight(l, " \x00"))
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

// cursorLine is the screen line the cursor is on: the line being typed.
func (s *replSession) cursorLine() string {
	s.mu.Lock()
	y := s.screen.Cursor().Y
	s.mu.Unlock()
	lines := strings.Split(s.screenText(), "\n")
	if y < len(lines) {
		return lines[y]
	}
	return ""
}

// quit presses Ctrl-D at an empty prompt and waits for exit status 0.
func (s *replSession) quit() {
	s.t.Helper()
	s.send("\x04")
	s.waitExit(0)
}

func (s *replSession) waitExit(want int) {
	s.t.Helper()
	select {
	case <-s.exited:
	case <-time.After(expectTimeout):
		// Its goroutines, for the log: SIGQUIT makes Go print them.
		s.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-s.exited:
		case <-time.After(5 * time.Second):
		}
		s.t.Fatalf("the program did not exit; its output:\n%s", plain(s.rawText()))
	}
	if s.status != want {
		s.t.Fatalf("exit status %d, want %d; output:\n%s", s.status, want, plain(s.rawText()))
	}
}

// run types a line and waits for the value it shows, a regexp.
func (s *replSession) run(line, want string) []string {
	s.t.Helper()
	s.send(line + "\r")
	return s.expect(want)
}

func TestREPLShowsValues(t *testing.T) {
	s := startREPL(t, "", nil)
	s.run("1+41", `\n42\n`)
	s.run(`"a\0b", 7, nil`, `\n"a\\0b"\t7\tnil\n`)
	s.run(`t = {3, 2, 1, name = "x", nested = {ok = true}}`, `> `)
	s.run(`t`, `\{3, 2, 1, name = "x", nested = \{ok = true\}\}`)
	s.run(`t.self = t`, `> `)
	s.run(`t`, `self = <cycle>`)
	s.run(`string.rep("\1\2", 40)`, `<80 bytes>\n00000000  01 02 01 02`)
	s.run(`a, b = net.pipe()`, `> `)
	s.run(`a`, `<pipe conn pipe -> pipe>`)
	s.run(`net.dial("tcp", "127.0.0.1:1")`, `nil\tdial tcp 127.0.0.1:1: connect: connection refused`)
	s.run(`error("boom")`, `stdin:1: boom`)
	s.run(`help(net.dial)`, `net\.dial\(network, address \[, opts\]\) -> conn`)
	s.quit()
}

func TestREPLMultiLineFunction(t *testing.T) {
	s := startREPL(t, "", nil)
	s.send("function double(a)\r")
	s.expect(`>> `)
	s.send("  return a * 2\r")
	s.expect(`>> `)
	s.send("end\r")
	s.run("double(21)", `\n42\n`)
	s.quit()
}

// TestREPLSyntaxErrorsReadAsLua51: a syntax error at the prompt reads as
// lua5.1's prompt shows it ("stdin:LINE: ... near ..."), a chunk left open
// still gets the continuation prompt, and an error in its later lines names
// the line and where the construct opened.
func TestREPLSyntaxErrorsReadAsLua51(t *testing.T) {
	s := startREPL(t, "", nil)
	s.run("x = = 1", `stdin:1: unexpected symbol near '='\n`)
	s.run("for i=1 do end", `stdin:1: ',' expected near 'do'\n`)
	s.send("f = (1\r")
	s.expect(`>> `)
	s.send("\r")
	s.expect(`>> `)
	s.run("y", `stdin:3: '\)' expected \(to close '\(' at line 1\) near 'y'\n`)
	s.send("if x then\r")
	s.expect(`>> `)
	s.run("end end", `stdin:2: '<eof>' expected near 'end'\n`)
	s.run("1 + 1", `\n2\n`)
	s.quit()
}

// startEchoServer types a line that starts a line echo server in the
// background, and returns its port.
func startEchoServer(s *replSession) string {
	s.t.Helper()
	m := s.run(`ln = assert(net.listen("tcp", "127.0.0.1:0")); ln:serve(function(c) for l in c:lines() do c:write("echo:" .. l .. "\n") end end); print("port=" .. ln:addr().port)`,
		`\nport=(\d+)\n`)
	return m[1]
}

// echoOnce dials the REPL's echo server from this process and checks one
// round trip.
func echoOnce(t *testing.T, port, msg string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, expectTimeout)
	if err != nil {
		t.Fatalf("dial the echo server: %v", err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(expectTimeout))
	fmt.Fprintf(c, "%s\n", msg)
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || line != "echo:"+msg+"\n" {
		t.Fatalf("echo server answered %q, %v", line, err)
	}
}

func TestREPLBackgroundServerAnswersWhileTyping(t *testing.T) {
	s := startREPL(t, "", nil)
	port := startEchoServer(s)
	s.send(`typed = "half a li`) // no Enter: the user is typing
	for i := range 5 {
		echoOnce(t, port, fmt.Sprintf("while typing %d", i))
	}
	s.send(`ne"` + "\r")
	s.run("typed", `"half a line"`)
	s.quit()
}

func TestREPLCtrlCCancelsBlockedRead(t *testing.T) {
	s := startREPL(t, "", nil)
	port := startEchoServer(s)

	// A peer that accepts and never sends.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := silent.Accept()
		if err == nil {
			accepted <- c
		}
	}()

	s.send(fmt.Sprintf(`c = assert(net.dial("tcp", %q)); print("reading"); print(c:read())`+"\r", silent.Addr().String()))
	s.expect(`\nreading\n`)
	select {
	case c := <-accepted:
		defer c.Close()
	case <-time.After(expectTimeout):
		t.Fatal("the REPL did not connect")
	}
	time.Sleep(50 * time.Millisecond) // into the read
	start := time.Now()
	s.send("\x03")
	s.expect(`\ncanceled\n`)
	s.expect(`> `)
	t.Logf("Ctrl-C to the prompt back: %v", time.Since(start))

	echoOnce(t, port, "after ctrl-c")
	s.run(`c:write("still usable\n")`, `\n13\n`)

	// A pure-Lua loop stops too.
	s.send("while true do end\r")
	time.Sleep(100 * time.Millisecond)
	s.send("\x03")
	s.expect(`\ncanceled\n`)
	s.run("1+2", `\n3\n`)
	echoOnce(t, port, "after the loop")
	s.quit()
}

// A line that computes for minutes (a backtracking pattern, a loop) no
// longer holds the interpreter: the background server answers meanwhile
// (the line hands the lock on every time slice), and Ctrl-C stops it
// inside string.find, not only between instructions.
func TestREPLBusyLineKeepsServing(t *testing.T) {
	s := startREPL(t, "", nil)
	port := startEchoServer(s)
	for _, line := range []string{
		`print("busy"); string.find(("a"):rep(200000), "(a*)b")`,
		`print("busy"); local x = 0; while true do x = x + 1 end`,
	} {
		s.send(line + "\r")
		s.expect(`\nbusy\n`)
		for i := range 3 {
			echoOnce(t, port, fmt.Sprintf("while busy %d", i))
		}
		start := time.Now()
		s.send("\x03")
		s.expect(`\ncanceled\n`)
		s.expect(`> `)
		t.Logf("%.20s…: Ctrl-C to the prompt back: %v", line, time.Since(start))
	}
	s.run("1+2", `\n3\n`)
	s.quit()
}

func TestREPLBackgroundOutputKeepsTypedLine(t *testing.T) {
	s := startREPL(t, "", nil)
	s.run(`task.spawn(function() for i = 1, 30 do print("tick " .. i) time.sleep(0.05) end end)`, `tick 1\n`)
	const typed = `typed = "keys typed while ticks arrive"`
	s.typeSlowly(typed, 20*time.Millisecond)
	s.expect(`tick 30\n`)
	time.Sleep(100 * time.Millisecond) // the last redraw
	if got := s.cursorLine(); got != "> "+typed {
		t.Fatalf("the line being typed shows as %q, want %q; screen:\n%s", got, "> "+typed, s.screenText())
	}
	screen := s.screenText()
	for i := 1; i <= 30; i++ {
		if !regexp.MustCompile(`(?m)^tick `+fmt.Sprint(i)+`$`).MatchString(screen) && i > 30-screenRows+5 {
			t.Fatalf("tick %d is not on a line of its own on the screen:\n%s", i, screen)
		}
	}
	s.send("\r")
	s.run("typed", `"keys typed while ticks arrive"`)
	s.quit()
}

func TestREPLTabCompletion(t *testing.T) {
	s := startREPL(t, "", nil)
	s.send("net.lo\t")
	s.expect(`net\.lookup_`) // the common prefix is filled in
	s.send("\t")             // and the second Tab lists the candidates
	m := s.expect(`lookup_host\s+lookup_ip\s+lookup_mx\s+lookup_ns\s+lookup_port\s+lookup_srv\s+lookup_txt`)
	t.Logf("offered: %q", m[0])
	s.send("\x03\x03") // leave the list, drop the line
	s.run(`a, b = net.pipe()`, `> `)
	s.send("a:set_\t\t")
	s.expect(`set_deadline`)
	for _, name := range []string{"set_timeout", "set_read_deadline"} {
		s.expect(name)
	}
	s.send("\x03\x03")
	s.quit()
}

func TestREPLHistorySurvivesRestart(t *testing.T) {
	hist := filepath.Join(t.TempDir(), "history")
	s := startREPL(t, hist, nil)
	s.run("remembered = 4242", `> `)
	s.send("function seven()\r")
	s.expect(`>> `)
	s.send("return 7\r")
	s.send("end\r")
	s.expect(`> `)
	s.quit()

	info, err := os.Stat(hist)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("history file mode %o, want 600", mode)
	}
	data, _ := os.ReadFile(hist)
	if !strings.Contains(string(data), "remembered = 4242\n") || !strings.Contains(string(data), "function seven() return 7 end\n") {
		t.Errorf("history file holds:\n%s", data)
	}

	s = startREPL(t, hist, nil)
	s.send("\x1b[A") // Up: the last entry, the whole function
	s.expect(`function seven\(\) return 7 end`)
	s.send("\r")
	s.send("\x1b[A\x1b[A\x1b[A") // back to the first entry
	s.expect(`remembered = 4242`)
	s.send("\r")
	s.run("remembered + seven()", `\n4249\n`)
	s.quit()
}

// A chunk whose lines cannot be joined with spaces (a long string or a
// comment spans them) is one history entry, at once and after a restart
// (issue 16): Up recalls it whole, its newlines shown as ↵, and Enter runs
// it as typed, newlines in the string included. The file keeps it as one
// line.
func TestREPLMultiLineHistoryEntrySurvivesRestart(t *testing.T) {
	hist := filepath.Join(t.TempDir(), "history")
	s := startREPL(t, hist, nil)
	s.send("s = [[one\r")
	s.expect(`>> `)
	s.send("two]] -- a comment\r")
	s.expect(`> `)
	s.run("after = 1", `> `)
	s.send("\x1b[A\x1b[A") // Up twice: the whole chunk, at once
	s.expect(`s = \[\[one↵two\]\] -- a comment`)
	s.send("\x03") // drop it
	s.expect(`> `)
	s.quit()

	data, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	if want := "\\\"s = [[one\\ntwo]] -- a comment\"\nafter = 1\n"; string(data) != want {
		t.Errorf("history file holds %q, want %q", data, want)
	}

	s = startREPL(t, hist, nil)
	s.send("\x1b[A\x1b[A") // Up twice: past after = 1, the chunk whole
	s.expect(`s = \[\[one↵two\]\] -- a comment`)
	s.send("\r")
	s.run("s", `"one\\ntwo"`)
	s.send("\x1b[A\x1b[A") // the chunk again, once: run once, stored once
	s.expect(`s = \[\[one↵two\]\] -- a comment`)
	s.send("\x03")
	s.expect(`> `)
	s.quit()
}

var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

func TestREPLColour(t *testing.T) {
	lines := []string{`1+1`, `"text"`, `error("red")`, `net.dial("tcp", "127.0.0.1:1")`}
	session := func(env []string, args ...string) string {
		s := startREPL(t, "", env, args...)
		for _, l := range lines {
			s.send(l + "\r")
		}
		s.expect(`connection refused`)
		s.quit()
		return s.rawText()
	}
	if out := session(nil); !sgr.MatchString(out) {
		t.Errorf("with a terminal and no NO_COLOR, no colour escapes:\n%q", out)
	}
	if out := session([]string{"NO_COLOR=1"}); sgr.MatchString(out) {
		t.Errorf("NO_COLOR output has colour escapes: %q", sgr.FindAllString(out, 5))
	}
	if out := session(nil, "--no-color"); sgr.MatchString(out) {
		t.Errorf("--no-color output has colour escapes: %q", sgr.FindAllString(out, 5))
	}
}

func TestREPLInteract(t *testing.T) {
	peer, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	got := make(chan string, 10)
	go func() {
		c, err := peer.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(2 * expectTimeout))
		fmt.Fprintf(c, "hello from the peer\n")
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				got <- "EOF"
				return
			}
			got <- line
			if line == "typed line\n" {
				fmt.Fprintf(c, "partial")
			}
		}
	}()
	recv := func(want string) {
		t.Helper()
		select {
		case line := <-got:
			if line != want {
				t.Fatalf("the peer read %q, want %q", line, want)
			}
		case <-time.After(expectTimeout):
			t.Fatalf("the peer did not get %q", want)
		}
	}

	s := startREPL(t, "", nil)
	s.send(fmt.Sprintf(`c = assert(net.dial("tcp", %q)); interact(c)`+"\r", peer.Addr().String()))
	s.expect(`hello from the peer\n`)
	s.send("typed line\r")
	recv("typed line\n")
	s.expect(`partial\n`) // a line without newline is shown after a pause
	s.send("\x1d")        // Ctrl-]
	s.expect(`\[conn still open\]`)
	s.run(`c:write("after interact\n")`, `\n15\n`)
	recv("after interact\n")
	s.quit()
	recv("EOF") // Ctrl-D closed every socket
}

func TestREPLCtrlDClosesSockets(t *testing.T) {
	s := startREPL(t, "", nil)
	port := startEchoServer(s)
	echoOnce(t, port, "before")
	s.quit()
	if c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, time.Second); err == nil {
		c.Close()
		t.Fatal("the listener is still open after Ctrl-D")
	}
}

func TestREPLAfterScript(t *testing.T) {
	s := startREPL(t, "", nil, "-e", "from_e = 'set by -e'", "-i")
	s.run("from_e", `"set by -e"`)
	s.quit()
}

// Without a terminal, the prompt reads lines from standard input, and no
// escape reaches the output.
func TestREPLWithoutTerminal(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), mainEnv+"=1", "GONETREPL_HISTORY="+filepath.Join(t.TempDir(), "h"))
	cmd.Stdin = strings.NewReader("1+1\nfunction f()\nreturn 'multi'\nend\nf()\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !strings.HasPrefix(string(out), "2\n") || !strings.Contains(string(out), `"multi"`) {
		t.Errorf("output:\n%s", out)
	}
	if strings.ContainsRune(string(out), 0x1b) {
		t.Errorf("escapes in output without a terminal: %q", out)
	}
}

// Lines piped into the prompt are a script, not a history: no history file
// is written, in HOME or at GONETREPL_HISTORY, with or without -i. Before,
// echo 'x=1' | gonetrepl appended to ~/.gonetrepl_history, and the tests
// that pipe into the prompt wrote into the real home directory.
func TestPipedPromptKeepsNoHistory(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	named := filepath.Join(t.TempDir(), "history")
	for _, c := range []struct {
		env  []string
		args []string
	}{
		{[]string{"HOME=" + home}, nil},
		{[]string{"HOME=" + home, "GONETREPL_HISTORY=" + named}, nil},
		{[]string{"HOME=" + home}, []string{"-i", "-e", "y = 2"}},
	} {
		// (testhome unset GONETREPL_HISTORY; HOME in c.env overrides.)
		r := runCLIEnv(t, c.env, "x = 40\nx + 2\n", c.args...)
		if r.code != 0 || r.stdout != "42\n" || r.stderr != "" {
			t.Fatalf("gonetrepl %q with %q piped in: %v", c.args, c.env, r)
		}
	}
	if entries, err := os.ReadDir(home); err != nil || len(entries) != 0 {
		t.Errorf("piping into the prompt wrote into HOME: %v %v", entries, err)
	}
	if _, err := os.Stat(named); !os.IsNotExist(err) {
		t.Errorf("piping into the prompt wrote GONETREPL_HISTORY (%s): %v", named, err)
	}
}

// TestReadmeTour types the README's tour at the prompt, line by line, and
// checks that what it says appears does: the README cannot drift from the
// program.
func TestReadmeTour(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "## At the prompt")
	_, block, ok2 := strings.Cut(after, "```text\n")
	block, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("README has no ```text block under \"## At the prompt\"")
	}
	lines := strings.Split(strings.TrimRight(block, "\n"), "\n")

	s := startREPL(t, "", nil, "--no-color")
	s.pos = 0 // the banner is the block's first line
	typed := 0
	for _, line := range lines {
		if input, ok := strings.CutPrefix(line, "> "); ok {
			s.send(input + "\r")
			typed++
			continue
		}
		s.expect(tourPattern(line))
	}
	if typed < 10 {
		t.Fatalf("the tour has only %d lines to type", typed)
	}
	s.quit()
}

// tourPattern turns a line of the tour into a regexp for a whole line of
// output: "…" matches anything, a run of blanks any run of blanks.
func tourPattern(line string) string {
	var parts []string
	for _, p := range strings.Split(line, "…") {
		fields := strings.FieldsFunc(p, func(r rune) bool { return r == ' ' || r == '\t' })
		for i, f := range fields {
			fields[i] = regexp.QuoteMeta(f)
		}
		q := strings.Join(fields, `[ \t]+`)
		if strings.HasPrefix(p, " ") || strings.HasPrefix(p, "\t") {
			q = `[ \t]+` + q
		}
		if strings.HasSuffix(p, " ") || strings.HasSuffix(p, "\t") {
			q += `[ \t]+`
		}
		parts = append(parts, q)
	}
	return `(?m)^` + strings.Join(parts, `.*?`) + `$`
}

// SIGTERM ends the prompt at once, even while it waits for typing, closing
// the sockets; so do SIGHUP and os.exit from a background task.
func TestREPLSIGTERMAndExitAtThePrompt(t *testing.T) {
	s := startREPL(t, "", nil)
	port := startEchoServer(s)
	s.send(`half typed`) // the prompt is waiting in Readline
	time.Sleep(100 * time.Millisecond)
	s.cmd.Process.Signal(syscall.SIGTERM)
	s.waitExit(143)
	if c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, time.Second); err == nil {
		c.Close()
		t.Fatal("the listener is still open after SIGTERM")
	}

	// SIGHUP, as when the terminal goes away, likewise (129), removing a
	// Unix listener's socket file as it closes it.
	s = startREPL(t, "", nil)
	sock := filepath.Join(t.TempDir(), "s.sock")
	s.run(fmt.Sprintf(`un = assert(net.listen("unix", %q)); print("un=ok")`, sock), `\nun=ok\n`)
	s.send(`half typed`)
	time.Sleep(100 * time.Millisecond)
	s.cmd.Process.Signal(syscall.SIGHUP)
	s.waitExit(129)
	if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Unix socket file %s left behind after SIGHUP (stat: %v)", sock, err)
	}

	s = startREPL(t, "", nil)
	s.run(`task.spawn(function() time.sleep(0.2) os.exit(7) end)`, `running>`)
	s.send(`typing while the task runs`)
	s.waitExit(7)
}

// TestPlainLockedIsPlain: stripping the escapes line by line as output
// comes, in pieces cut anywhere (inside an escape too), gives what
// stripping the whole output at once does.
func TestPlainLockedIsPlain(t *testing.T) {
	t.Parallel()
	out := strings.Repeat("> x = 1\r\n\x1b[32m1\x1b[0m\r\n\x1b[2K\x1b[1G>> \x1b(Bend\r\x1b[?25l\n", 40)
	s := &replSession{}
	for i := 0; i < len(out); {
		n := min(1+i%7, len(out)-i)
		s.raw.WriteString(out[i : i+n])
		i += n
		if got, want := s.plainLocked(), plain(s.raw.String()); got != want {
			t.Fatalf("after %d bytes: %q, want %q", i, got, want)
		}
	}
}
