package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/fatih/color"

	"github.com/gonetrepl/gonetrepl/bindings"
	"github.com/gonetrepl/gonetrepl/internal/textesc"
	"github.com/gonetrepl/gonetrepl/repl"
)

const usage = `usage: gonetrepl [options] [script [args...]]
  -e CHUNK           run the Lua string CHUNK (may be repeated)
  -l MODULE          require MODULE and set the global of that name
  -i                 open the prompt after the script or -e chunks
  --tour             open the prompt on the guided tour of sockets (as -i -e 'tour()')
  -                  read the script from standard input
  --                 stop handling options
  --trace            log every byte sockets read and write to stderr, as text
  --trace=hex        the same, as hexdump -C lines
  --record FILE      record every socket to FILE as a transcript (net.record)
  --pcap FILE        record every socket to FILE as pcapng (net.capture)
  --no-color         no colour in output
  --cpuprofile FILE  write a pprof CPU profile of the whole run to FILE
  --memprofile FILE  write a pprof heap profile to FILE at exit
  --version          print the version and exit
  -h, --help         print this help and exit
With no script and no -e, opens the prompt (the REPL). Otherwise runs the
script with arg[0] = script and arg[1..] = args, and exits when the script
and every task it spawned have ended. Exit status: 0 success, 1 a Lua
error, 2 a usage error.
The environment variables GONETREPL_CPUPROFILE and GONETREPL_MEMPROFILE
ask for the profiles as the flags do; the flags win. Profiles are written
however the program ends: at the end, on an error, os.exit, SIGINT,
SIGTERM, SIGHUP, or SIGPIPE on a closed stdout.
`

// action is one step of the command line, run in order: -e and -l as
// given, then the script.
type action struct {
	kind  string // "e", "l", "script"
	value string
}

type options struct {
	actions     []action
	script      string // "" for none, "-" for stdin
	args        []string
	before      []string // the interpreter and options, for arg's negative indices
	noColor     bool
	trace       string // "", "text" or "hex": net.trace's mode from the start
	record      string // --record: a transcript of every socket, from the start
	pcap        string // --pcap: the same as pcapng
	interactive bool   // -i: the prompt after the script
	cpuProfile  string // --cpuprofile: where to write a CPU profile
	memProfile  string // --memprofile: where to write a heap profile
	help        bool
	version     bool
}

func parseArgs(argv []string) (*options, error) {
	o := &options{before: []string{"gonetrepl"}}
	i := 0
	for ; i < len(argv); i++ {
		a := argv[i]
		if a == "--" {
			i++
			break
		}
		if a == "-" || !strings.HasPrefix(a, "-") {
			break
		}
		switch a {
		case "-e", "-l":
			if i+1 >= len(argv) {
				return nil, fmt.Errorf("%s needs an argument", a)
			}
			o.actions = append(o.actions, action{a[1:], argv[i+1]})
			o.before = append(o.before, a, argv[i+1])
			i++
			continue
		case "--record", "--pcap":
			if i+1 >= len(argv) || argv[i+1] == "" {
				return nil, fmt.Errorf("%s needs a file name", a)
			}
			if a == "--record" {
				o.record = argv[i+1]
			} else {
				o.pcap = argv[i+1]
			}
			o.before = append(o.before, a, argv[i+1])
			i++
			continue
		case "--cpuprofile", "--memprofile":
			if i+1 >= len(argv) || argv[i+1] == "" {
				return nil, fmt.Errorf("%s needs a file name", a)
			}
			o.setProfile(a, argv[i+1])
			o.before = append(o.before, a, argv[i+1])
			i++
			continue
		case "--no-color":
			o.noColor = true
		case "--trace", "--trace=text":
			o.trace = "text"
		case "--trace=hex":
			o.trace = "hex"
		case "-i":
			o.interactive = true
		case "--tour":
			o.actions = append(o.actions, action{"e", "tour()"})
			o.interactive = true
		case "--version":
			o.version = true
		case "-h", "--help":
			o.help = true
		default:
			name, file, ok := strings.Cut(a, "=")
			if !ok || name != "--cpuprofile" && name != "--memprofile" && name != "--record" && name != "--pcap" {
				return nil, fmt.Errorf("unknown option %s", a)
			}
			if file == "" {
				return nil, fmt.Errorf("%s needs a file name", name)
			}
			switch name {
			case "--record":
				o.record = file
			case "--pcap":
				o.pcap = file
			default:
				o.setProfile(name, file)
			}
		}
		o.before = append(o.before, a)
	}
	if i < len(argv) {
		o.script = argv[i]
		o.args = argv[i+1:]
	}
	return o, nil
}

// setProfile records --cpuprofile or --memprofile; the last one given wins.
func (o *options) setProfile(flag, file string) {
	if flag == "--cpuprofile" {
		o.cpuProfile = file
	} else {
		o.memProfile = file
	}
}

// run is the whole program: it returns the exit status instead of exiting,
// so tests can drive it and deferred calls run. It is the only way out of
// the program (main calls os.Exit with its result), so the profiles asked
// for are stopped and written here, whatever ended the run.
func run(argv []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	o, err := parseArgs(argv)
	if err != nil {
		fmt.Fprintf(stderr, "gonetrepl: %v; try 'gonetrepl --help'\n", err)
		return 2
	}
	switch {
	case o.help:
		fmt.Fprint(stdout, usage)
		return 0
	case o.version:
		fmt.Fprintln(stdout, versionLine())
		return 0
	}
	if o.noColor {
		color.NoColor = true
	}
	prompt := o.interactive || len(o.actions) == 0 && o.script == ""

	// SIGINT, SIGTERM, SIGHUP, and SIGPIPE when stdout or stderr is a
	// closed pipe, close listeners (removing Unix socket files) and exit
	// with 128+signal, as a shell reports a killed process. They are
	// caught from the first listener or packet socket on (or from the
	// start, when profiling): the first signal.Notify waits for the Go
	// runtime to start a thread of its own, about 0.7 ms, which a script
	// without them need not pay. Until then the signals' default action
	// ends the process, which a shell reports with the same 130 and 143,
	// and there is nothing to clean up.
	signals := make(chan os.Signal, 1)
	var catching sync.Once
	catchSignals := func() {
		catching.Do(func() { signal.Notify(signals, caughtSignals...) })
	}
	defer func() {
		// Once the signals are no longer caught, a write to a closed
		// stdout would raise SIGPIPE's default action and kill the
		// process on its way out (a task still printing while a first
		// SIGPIPE ends the run: status -1 instead of 141): such a write
		// gets EPIPE instead.
		signal.Ignore(syscall.SIGPIPE)
		signal.Stop(signals)
	}()

	prof, err := startProfiles(profileDests(o, os.Getenv))
	if err != nil {
		fmt.Fprintf(stderr, "gonetrepl: %v\n", err)
		return 2
	}
	if prof.active() {
		catchSignals() // a profile is written however the run ends
	}
	// Deferred before rt.Close, so it runs after it: the profiles cover
	// the shutdown too.
	defer func() {
		if !prof.stop(stderr) && code == 0 {
			code = 1
		}
	}()

	rt := bindings.New(bindings.Options{Stdout: stdout, Stderr: stderr, FirstResource: catchSignals, Width: terminalWidth(stdout)})
	defer rt.Close()
	rt.SetArgs(o.before, o.script, o.args)
	if o.trace != "" {
		rt.SetTrace(o.trace)
	}
	for _, rec := range []struct {
		path string
		pcap bool
	}{{o.record, false}, {o.pcap, true}} {
		if rec.path == "" {
			continue
		}
		if err := rt.StartRecording(rec.path, rec.pcap); err != nil {
			fmt.Fprintf(stderr, "gonetrepl: %v\n", err)
			return 2
		}
	}

	// interact in a script (or -e, -l) needs stdin to be a terminal; the
	// prompt brings its own.
	var scriptTerm *repl.ScriptTerminal
	if stdinIsTerminal(stdin) {
		scriptTerm = repl.NewScriptTerminal(stdin, stdout, stderr)
		rt.SetTerminal(scriptTerm)
		defer scriptTerm.Close()
	}

	steps := o.actions
	if o.script != "" {
		steps = append(steps, action{"script", o.script})
	}
	for _, step := range steps {
		t, err := start(rt, step, stdin, o.args)
		if err != nil {
			// "file:line: ..." or "gonetrepl: cannot read ...": a syntax
			// error quotes the source, which may be anything.
			fmt.Fprintf(stderr, "%s\n", textesc.Lines(err.Error()))
			return 1
		}
		if code, done := wait(rt, t.Done(), signals); done {
			return code
		}
		if t.Status() == "failed" {
			if line, ok := moduleNotFound(step, t.Err()); ok {
				fmt.Fprintln(stderr, line)
				return 1
			}
			// Both escaped for the terminal already (bindings describe).
			fmt.Fprintf(stderr, "%s\n%s\n", t.Err(), t.Trace())
			return 1
		}
	}
	if prompt {
		if scriptTerm != nil { // the REPL sets its own, on the same stdin
			rt.SetTerminal(nil)
			scriptTerm.Close()
		}
		catching.Do(func() {}) // the REPL has its own: Ctrl-C cancels a line there
		signal.Stop(signals)
		return repl.Run(repl.Config{
			Runtime: rt,
			Banner:  versionLine() + " - help() lists the modules, Ctrl-D exits",
			Stdin:   stdin,
			Stdout:  stdout,
			Stderr:  stderr,
		})
	}
	code, _ = wait(rt, rt.Idle(), signals)
	if code < 0 {
		code = 0
		if rt.Failed() {
			code = 1
		}
	}
	return code
}

// start loads one step and starts it as a task. A script gets args as its
// "...", as arg[1..] holds them.
func start(rt *bindings.Runtime, step action, stdin io.Reader, args []string) (*bindings.Task, error) {
	switch step.kind {
	case "l":
		return rt.Require(step.value), nil
	case "e":
		fn, err := rt.Load(strings.NewReader(step.value), "(command line)")
		if err != nil {
			return nil, err
		}
		return rt.Start("(command line)", fn), nil
	}
	name := step.value
	var src []byte
	var err error
	if name == "-" {
		name = "stdin"
		src, err = io.ReadAll(stdin)
	} else {
		src, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, fmt.Errorf("gonetrepl: cannot read script: %w", err)
	}
	src = skipShebang(src)
	fn, err := rt.Load(bytes.NewReader(src), name)
	if err != nil {
		return nil, err
	}
	return rt.Start("main", fn, args...), nil
}

// moduleNotFound turns the error of -l MODULE when require finds no such
// module (a line per place it looked, and a traceback of require itself,
// which says nothing) into one line naming the places.
func moduleNotFound(step action, errText string) (string, bool) {
	if step.kind != "l" {
		return "", false
	}
	_, looked, ok := strings.Cut(errText, "module "+step.value+" not found:")
	if !ok {
		return "", false
	}
	var places []string
	for _, l := range strings.Split(looked, "\n") {
		l = strings.TrimSuffix(strings.TrimSpace(l), ",")
		switch {
		case l == "":
		case strings.HasPrefix(l, "no field package.preload"):
			places = append(places, "package.preload")
		case strings.HasPrefix(l, "stat "):
			path, _, _ := strings.Cut(strings.TrimPrefix(l, "stat "), ": ")
			places = append(places, path)
		default:
			places = append(places, l)
		}
	}
	return fmt.Sprintf("gonetrepl: -l %s: module not found (looked in %s)", step.value, strings.Join(places, ", ")), true
}

// skipShebang blanks a first "#!" line, keeping line numbers right.
func skipShebang(src []byte) []byte {
	if bytes.HasPrefix(src, []byte("#!")) {
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			return append([]byte("--"), src[i:]...)
		}
		return nil
	}
	return src
}

// caughtSignals end a script cleanly once caught (see run).
var caughtSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE}

// wait blocks until done is closed (done=false: carry on), os.exit is
// called, or a signal arrives (done=true, with the status to exit with).
func wait(rt *bindings.Runtime, done <-chan struct{}, signals <-chan os.Signal) (code int, finished bool) {
	for {
		select {
		case <-done:
			return -1, false
		case code := <-rt.ExitRequested():
			rt.Close()
			return code, true
		case sig := <-signals:
			if sig == syscall.SIGPIPE && !outputGone() {
				// A write to a socket whose peer went away: that write
				// fails with EPIPE (kind "reset"), and serving goes on.
				continue
			}
			rt.Close()
			if s, ok := sig.(syscall.Signal); ok {
				return 128 + int(s), true
			}
			return 1, true
		}
	}
}
