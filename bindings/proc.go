package bindings

// The proc module: proc.spawn runs a program and returns a process tube,
// a conn like a socket's (the same class, every read method, expect,
// interact, trace, relay, deadlines, cancel) whose reads take the child's
// stdout and whose writes go to its stdin. The tube's net.Conn is made of
// the two pipe ends (or a pty's master), files Go's poller waits on, so
// deadlines and cancels work on them as on a socket. The methods only a
// process tube answers (pid, wait, kill, stderr) join the conn class as
// tls_state does, and return nil, err on other conns. The system's part
// (pipes, a pty, signals) is in proc_unix.go and proc_other.go.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

const procSummary = "process tubes: run a program and talk to it as to a conn (stdin, stdout, a pty)"

// procKillGrace is how long a process that is killed (its conn closed, its
// task failed or canceled, the runtime closing, opts.timeout) has between
// SIGTERM and SIGKILL.
const procKillGrace = 2 * time.Second

// procReapBound bounds how long closing a process tube waits for the child
// to be reaped once SIGKILL went out: a child stuck in the kernel (an
// uninterruptible read of a dead NFS mount) is left to its waiter.
const procReapBound = procKillGrace + 3*time.Second

// procStderrModes are the values of opts.stderr; the first is the default.
var procStderrModes = []string{"merge", "pipe", "inherit"}

var procFuncs = []binding{
	{"spawn", (*Runtime).procSpawn, "proc.spawn(argv [, opts]) -> conn | nil, err",
		`Runs the program argv[1] (looked up on PATH unless it contains a "/") with the arguments argv[2...] and returns a process tube: a conn whose reads take the child's stdout and whose writes go to its stdin, with every conn method (read_line, expect, interact, trace, net.relay, deadlines, timeouts, cancel); c:close_write() closes the child's stdin (the child reads EOF); EOF on a read means the child closed its stdout (it exited); a write once the child no longer reads its stdin is nil, err of kind reset (a broken pipe). c:pid(), c:wait(), c:kill() and c:stderr() work on it only. opts: pty = true gives the child a pseudo-terminal (80x24, raw mode: no echo, no line editing, bytes pass as they are) as stdin, stdout and stderr, in a session of its own, so programs that check isatty prompt and flush each line (close_write is then not supported: send the program its quit command or kill it); stderr = "merge" (the default: the child's stderr goes where its stdout goes, as on a terminal), "pipe" (c:stderr() is a conn of its own to read it; read it, or a child that writes more than a pipe holds, 64 KiB, blocks) or "inherit" (to gonetrepl's own stderr); env = a table of name = value that extends the environment gonetrepl runs with (a value false removes that variable); cwd = the directory to run in; timeout = secs, after which the child is killed. A process belongs to its task like a socket: when the task fails or is canceled, when c:close() is called, and when the script or REPL ends, the child gets SIGTERM, then SIGKILL 2 seconds later if it still runs, and is reaped (no zombie stays). A program that cannot be found or run is nil, err of kind other. Not on Windows (nil, err).`,
		`local c = assert(proc.spawn({"python3", "-q"}, {pty = true})); assert(c:expect(">>> ", 5)); c:send_line("print(6*7)"); assert(c:expect("42", 5))`},
}

// procConnMethods are the conn methods that only process tubes answer;
// they join the conn class's methods. On other conns they return nil, err.
var procConnMethods = []binding{
	{"pid", (*Runtime).connPid, "c:pid() -> n | nil, err",
		"On a process tube: the child's process id (it stays the same after the child exits).",
		`print(c:pid())`},
	{"wait", (*Runtime).connWait, "c:wait([timeout]) -> code | nil, signal | nil, err",
		`On a process tube: waits until the child exits and returns its exit status (0 for success), or nil and the name of the signal that ended it ("SIGKILL", "SIGTERM"). After timeout seconds with the child still running: nil and an error value (kind timeout; the child runs on), which a signal's name, a string, cannot be confused with. A canceled task's wait is nil, err of kind canceled. Waiting again returns the same status. To let the child finish, c:close_write() then c:wait(); c:close() kills it (as proc.spawn says) and waits until it is reaped.`,
		`c:close_write(); local code, sig = c:wait(5)`},
	{"kill", (*Runtime).connKill, "c:kill([signal]) -> true | nil, err",
		`On a process tube: sends the child a signal, a name ("SIGTERM", "TERM", "SIGKILL", "SIGINT", "SIGHUP"...) or a number; default SIGTERM. The signal goes to the child alone, not to the processes it started (closing the tube ends those too). After the child has exited and been reaped, nil, err of kind other. c:wait() then gives its status.`,
		`c:kill("SIGINT"); print(c:wait(1))`},
	{"stderr", (*Runtime).connStderr, "c:stderr() -> conn | nil, err",
		`On a process tube spawned with opts.stderr = "pipe": a conn that reads the child's stderr (the same conn each time; writing to it fails). It closes with the tube. With another stderr mode, nil, err.`,
		`local c = assert(proc.spawn({"sh", "-c", "echo oops >&2"}, {stderr = "pipe"})); print(c:stderr():read_line())`},
}

// procOptsShape lists the options procSpawn reads.
var procOptsShape = shape{class: "gonetrepl.proc_opts", opts: true, code: "procSpawn,fieldEnv",
	doc: "The options of proc.spawn.",
	fields: []field{
		{"pty", "boolean", "give the child a pseudo-terminal (raw mode) as stdin, stdout and stderr (default false: pipes)"},
		{"stderr", `"merge"|"pipe"|"inherit"`, `where the child's stderr goes: with stdout ("merge", the default), to c:stderr() ("pipe"), to gonetrepl's stderr ("inherit")`},
		{"env", "table<string, string|false>", "variables that extend (or, false, remove from) the environment gonetrepl runs with"},
		{"cwd", "string", "the directory the child runs in (default gonetrepl's)"},
		{"timeout", "number", "seconds after which the child is killed (SIGTERM, then SIGKILL 2 s later)"},
	}}

// procSpec is what proc.spawn starts.
type procSpec struct {
	argv    []string
	path    string    // argv[0] looked up on PATH
	env     []string  // nil: gonetrepl's own
	dir     string    // "": gonetrepl's own
	pty     bool      // a pseudo-terminal instead of pipes
	stderr  string    // one of procStderrModes
	inherit io.Writer // where "inherit" sends stderr
}

// process is a running child and the one goroutine that waits for it: it
// always reaps the child, whoever else waits, so no zombie is left.
type process struct {
	cmd  *exec.Cmd
	pid  int
	done chan struct{} // closed once the child is reaped; state is then set
	// state is the child's status, set before done is closed.
	state *os.ProcessState

	mu     sync.Mutex // guards reaped: no signal goes to a reaped pid
	reaped bool

	stopOnce sync.Once
	timer    *time.Timer // opts.timeout's, or nil
}

// startWaiter starts the goroutine that reaps p's child.
func (p *process) startWaiter() {
	p.pid = p.cmd.Process.Pid
	p.done = make(chan struct{})
	go p.wait()
}

// wait reaps the child and records its status.
func (p *process) wait() {
	p.cmd.Wait()
	p.mu.Lock()
	p.reaped = true
	p.state = p.cmd.ProcessState
	if p.timer != nil {
		p.timer.Stop()
	}
	p.mu.Unlock()
	close(p.done)
}

// signal sends sig to the child, or to its process group if group (the
// child and what it started), unless it has been reaped.
func (p *process) signal(sig os.Signal, group bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.reaped {
		return os.ErrProcessDone
	}
	return signalProcess(p, sig, group)
}

// stop ends the child: SIGTERM to its group now, SIGKILL after
// procKillGrace if it has not been reaped by then. It does not wait.
func (p *process) stop() {
	p.stopOnce.Do(func() {
		select {
		case <-p.done:
			return
		default:
		}
		p.signal(sigTerm, true)
		// A child stopped (^Z, or SIGTTIN reading a terminal it does not
		// own) acts on SIGTERM only once continued.
		p.signal(sigCont, true)
		go func() {
			t := time.NewTimer(procKillGrace)
			defer t.Stop()
			select {
			case <-p.done:
			case <-t.C:
				p.signal(sigKill, true)
			}
		}()
	})
}

// procConn is a process tube's net.Conn: reads from the child's stdout (or
// a pty's master), writes to its stdin (or the same master). Close kills
// the child and waits for it to be reaped.
type procConn struct {
	r, w   *os.File // the same file for a pty
	stderr *os.File // the read end of the stderr pipe, or nil
	proc   *process
	pty    bool
	name   string         // argv[1] as given
	errUD  *lua.LUserData // the conn of c:stderr(), or nil
	mode   string         // opts.stderr

	closeOnce sync.Once
}

// procAddr is a process tube's address: "pid N" on this side, the program
// on the other.
type procAddr string

func (a procAddr) Network() string { return "proc" }
func (a procAddr) String() string  { return string(a) }

func (pc *procConn) LocalAddr() net.Addr  { return procAddr(fmt.Sprintf("pid %d", pc.proc.pid)) }
func (pc *procConn) RemoteAddr() net.Addr { return procAddr(pc.name) }

func (pc *procConn) Read(b []byte) (int, error) {
	n, err := pc.r.Read(b)
	return n, procIOError(err, pc.pty)
}

func (pc *procConn) Write(b []byte) (int, error) {
	n, err := pc.w.Write(b)
	return n, procIOError(err, false)
}

// CloseWrite closes the child's stdin; a pty has no separate input to close.
func (pc *procConn) CloseWrite() error {
	if pc.pty {
		return errors.New("close_write: not supported on a pty (the child's input and output are one terminal): send its quit command, or kill it")
	}
	return procIOError(pc.w.Close(), false)
}

func (pc *procConn) SetDeadline(t time.Time) error {
	return errors.Join(pc.SetReadDeadline(t), pc.SetWriteDeadline(t))
}

func (pc *procConn) SetReadDeadline(t time.Time) error { return ignoreClosed(pc.r.SetReadDeadline(t)) }

func (pc *procConn) SetWriteDeadline(t time.Time) error {
	return ignoreClosed(pc.w.SetWriteDeadline(t))
}

// ignoreClosed drops the error of setting a deadline on a closed file: the
// write side is closed by close_write while reads go on.
func ignoreClosed(err error) error {
	if errors.Is(err, os.ErrClosed) {
		return nil
	}
	return err
}

// Close closes the pipes (or the pty), kills the child (SIGTERM, then
// SIGKILL after procKillGrace) unless it has exited, and waits until it is
// reaped, at most procReapBound.
func (pc *procConn) Close() error {
	pc.closeOnce.Do(func() {
		pc.r.Close()
		if pc.w != pc.r {
			pc.w.Close()
		}
		if pc.stderr != nil {
			pc.stderr.Close()
		}
	})
	pc.proc.stop()
	t := time.NewTimer(procReapBound)
	defer t.Stop()
	select {
	case <-pc.proc.done:
	case <-t.C:
	}
	return nil
}

// stopSoon sends SIGTERM without waiting: Runtime.Close calls it on every
// process first, so that they all have their grace period at once.
func (pc *procConn) stopSoon() { pc.proc.stop() }

// isProcGone reports whether err is a write to a process tube whose child
// no longer reads its stdin (EPIPE: it closed it, or exited).
func isProcGone(dst *Conn, err error) bool {
	_, ok := dst.nc.(*procConn)
	return ok && errors.Is(err, syscall.EPIPE)
}

// procIOError maps a pipe's or a pty's error to what a socket's would be:
// a closed file is net.ErrClosed (kind closed) and, on a pty, EIO (what
// Linux gives once the child's side is closed) is EOF.
func procIOError(err error, pty bool) error {
	switch {
	case err == nil || err == io.EOF:
		return err
	case errors.Is(err, os.ErrClosed):
		return net.ErrClosed
	case pty && isEIO(err):
		return io.EOF
	}
	return err
}

// stderrConn is the net.Conn of c:stderr(): the read end of the pipe the
// child's stderr goes to.
type stderrConn struct {
	f   *os.File
	pid int
}

func (s *stderrConn) Read(b []byte) (int, error) {
	n, err := s.f.Read(b)
	return n, procIOError(err, false)
}

func (s *stderrConn) Write([]byte) (int, error) {
	return 0, errors.New("a process's stderr is read-only")
}

func (s *stderrConn) Close() error                       { return procIOError(s.f.Close(), false) }
func (s *stderrConn) LocalAddr() net.Addr                { return procAddr(fmt.Sprintf("pid %d", s.pid)) }
func (s *stderrConn) RemoteAddr() net.Addr               { return procAddr("stderr") }
func (s *stderrConn) SetDeadline(t time.Time) error      { return ignoreClosed(s.f.SetDeadline(t)) }
func (s *stderrConn) SetReadDeadline(t time.Time) error  { return ignoreClosed(s.f.SetReadDeadline(t)) }
func (s *stderrConn) SetWriteDeadline(t time.Time) error { return nil }

// argArgv reads argv: a non-empty list of strings (numbers are taken as
// Lua writes them), without NUL bytes, argv[1] not empty.
func argArgv(L *lua.LState, n int) []string {
	list, ok := L.Get(n).(*lua.LTable)
	if !ok {
		expected(L, n, "argv", "list of strings")
	}
	count := list.Len()
	if count == 0 {
		argError(L, n, "argv", "empty list: the program and its arguments expected")
	}
	if count > maxArgv {
		argError(L, n, "argv", "at most %d arguments, got %d", maxArgv, count)
	}
	argv := make([]string, count)
	for i := range count {
		var s string
		switch v := list.RawGetInt(i + 1).(type) {
		case lua.LString:
			s = string(v)
		case lua.LNumber:
			s = v.String()
		default:
			argError(L, n, "argv", "list of strings expected, got %s at [%d]", typeName(v), i+1)
		}
		if strings.IndexByte(s, 0) >= 0 {
			argError(L, n, "argv", "[%d] contains a NUL byte", i+1)
		}
		argv[i] = s
	}
	if argv[0] == "" {
		argError(L, n, "argv", "[1] (the program) must not be empty")
	}
	return argv
}

// maxArgv bounds argv's length, far above what a system takes.
const maxArgv = 1 << 16

// fieldEnv reads opts.env: names to values that extend the environment
// gonetrepl runs with; false removes a name. nil if absent.
func fieldEnv(L *lua.LState, n int, opts *lua.LTable) []string {
	if opts == nil {
		return nil
	}
	v := opts.RawGetString("env")
	if v == lua.LNil {
		return nil
	}
	tbl, ok := v.(*lua.LTable)
	if !ok {
		argError(L, n, "opts.env", "table expected, got %s", typeName(v))
	}
	set := map[string]string{}
	drop := map[string]bool{}
	tbl.ForEach(func(k, v lua.LValue) {
		name, ok := k.(lua.LString)
		if !ok || name == "" || strings.ContainsAny(string(name), "=\x00") {
			argError(L, n, "opts.env", "names must be non-empty strings without '=', got %s", describeValue(k))
		}
		switch v := v.(type) {
		case lua.LString:
			if strings.IndexByte(string(v), 0) >= 0 {
				argError(L, n, "opts.env", "the value of %s contains a NUL byte", name)
			}
			set[string(name)] = string(v)
		case lua.LNumber:
			set[string(name)] = v.String()
		case lua.LBool:
			if v {
				argError(L, n, "opts.env", "the value of %s: string or false expected, got true", name)
			}
			drop[string(name)] = true
		default:
			argError(L, n, "opts.env", "the value of %s: string or false expected, got %s", name, typeName(v))
		}
	})
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if _, over := set[name]; over || drop[name] {
			continue
		}
		env = append(env, kv)
	}
	names := make([]string, 0, len(set))
	for name := range set {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		env = append(env, name+"="+set[name])
	}
	return env
}

func (rt *Runtime) procSpawn(L *lua.LState) int {
	argv := argArgv(L, 1)
	opts := argOptions(L, 2, procOptsShape)
	spec := procSpec{argv: argv, pty: fieldBool(L, 2, opts, "pty"), stderr: procStderrModes[0], inherit: rt.stderr}
	if mode, ok := fieldString(L, 2, opts, "stderr"); ok {
		if !containsString(procStderrModes, mode) {
			argError(L, 2, "opts.stderr", "one of %s expected, got %q", strings.Join(procStderrModes, ", "), mode)
		}
		spec.stderr = mode
	}
	spec.env = fieldEnv(L, 2, opts)
	spec.dir, _ = fieldString(L, 2, opts, "cwd")
	timeout, hasTimeout := fieldSeconds(L, 2, opts, "timeout")
	spec.path = argv[0]
	if !strings.ContainsAny(argv[0], `/\`) {
		path, err := exec.LookPath(argv[0])
		if err != nil {
			return rt.pushError(L, err, "spawn", argv[0])
		}
		spec.path = path
	}
	pc, err := startProcess(spec)
	if err != nil {
		return rt.pushError(L, fmt.Errorf("spawn %s: %w", argv[0], err), "spawn", argv[0])
	}
	if hasTimeout {
		p := pc.proc
		p.mu.Lock()
		if !p.reaped {
			p.timer = time.AfterFunc(timeout, p.stop)
		}
		p.mu.Unlock()
	}
	ud := rt.newConn(L, pc, "proc")
	c := ud.Value.(*Conn)
	c.role = "dial" // this side started it
	c.closer = pc
	rt.track(pc)
	if pc.stderr != nil {
		pc.errUD = rt.newConn(nil, &stderrConn{f: pc.stderr, pid: pc.proc.pid}, "proc")
	}
	L.Push(ud)
	return 1
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkProcConn returns the receiver and its process tube; nil if it is
// not one.
func (rt *Runtime) checkProcConn(L *lua.LState) (*Conn, *procConn) {
	c := rt.checkConn(L)
	pc, _ := c.nc.(*procConn)
	return c, pc
}

func (rt *Runtime) connPid(L *lua.LState) int {
	c, pc := rt.checkProcConn(L)
	if pc == nil {
		return rt.pushError(L, c.notSupported("pid"), "pid", "")
	}
	L.Push(lua.LNumber(pc.proc.pid))
	return 1
}

func (rt *Runtime) connWait(L *lua.LState) int {
	c, pc := rt.checkProcConn(L)
	timeout, hasTimeout := optSeconds(L, 2, "timeout")
	if pc == nil {
		return rt.pushError(L, c.notSupported("wait"), "wait", "")
	}
	p := pc.proc
	select {
	case <-p.done:
	default:
		err := rt.block(L, nil, func(ctx context.Context) error {
			var expire <-chan time.Time
			if hasTimeout {
				t := time.NewTimer(timeout)
				defer t.Stop()
				expire = t.C
			}
			select {
			case <-p.done:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			case <-expire:
				return fmt.Errorf("wait for pid %d: still running after %v: %w", p.pid, timeout, os.ErrDeadlineExceeded)
			}
		})
		if err != nil {
			return rt.pushError(L, err, "wait", "")
		}
	}
	code, sig := exitStatus(p.state)
	if sig != "" {
		L.Push(lua.LNil)
		L.Push(lua.LString(sig))
		return 2
	}
	L.Push(lua.LNumber(code))
	return 1
}

func (rt *Runtime) connKill(L *lua.LState) int {
	c, pc := rt.checkProcConn(L)
	sig := os.Signal(sigTerm)
	if L.Get(2) != lua.LNil {
		sig = argSignal(L, 2)
	}
	if pc == nil {
		return rt.pushError(L, c.notSupported("kill"), "kill", "")
	}
	if err := pc.proc.signal(sig, false); err != nil {
		return rt.pushError(L, fmt.Errorf("kill pid %d: %w", pc.proc.pid, err), "kill", "")
	}
	L.Push(lua.LTrue)
	return 1
}

// argSignal reads a signal: a name, with or without "SIG", in any case,
// or a number.
func argSignal(L *lua.LState, n int) os.Signal {
	switch v := L.Get(n).(type) {
	case lua.LNumber:
		f := float64(v)
		if sig, ok := signalByNumber(f); ok {
			return sig
		}
		argError(L, n, "signal", "no signal numbered %v", v)
	case lua.LString:
		name := strings.ToUpper(string(v))
		if !strings.HasPrefix(name, "SIG") {
			name = "SIG" + name
		}
		if sig, ok := signalByName(name); ok {
			return sig
		}
		argError(L, n, "signal", "unknown signal %q", string(v))
	default:
		expected(L, n, "signal", "signal name or number")
	}
	return nil
}

func (rt *Runtime) connStderr(L *lua.LState) int {
	c, pc := rt.checkProcConn(L)
	if pc == nil {
		return rt.pushError(L, c.notSupported("stderr"), "stderr", "")
	}
	if pc.errUD == nil {
		return rt.pushError(L, fmt.Errorf("stderr: the child's stderr is %q, not \"pipe\": spawn it with opts.stderr = \"pipe\"", pc.mode), "stderr", "")
	}
	L.Push(pc.errUD)
	return 1
}
