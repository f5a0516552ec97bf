package main

// Profiling for performance work. --cpuprofile FILE and --memprofile FILE,
// or the environment variables GONETREPL_CPUPROFILE and
// GONETREPL_MEMPROFILE for a process started with a fixed command line (a
// server under a benchmark harness), write pprof profiles of the whole run.
// Both files are created before anything runs, so a bad path is reported at
// once. run is the program's single exit path (main only calls os.Exit with
// its result), and it stops the profiles on its way out, so the files are
// complete however the program ends: the script's end, a Lua error,
// os.exit, SIGINT or SIGTERM.

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"
)

// The environment variables that ask for profiles when the flags do not.
const (
	cpuProfileEnv = "GONETREPL_CPUPROFILE"
	memProfileEnv = "GONETREPL_MEMPROFILE"
)

// profileDest is where one profile goes ("" for nowhere) and what asked for
// it, a flag or an environment variable, to name in messages.
type profileDest struct {
	path   string
	source string
}

// profileDests resolves where the CPU and heap profiles go: a flag wins
// over its environment variable, and an empty variable counts as unset.
func profileDests(o *options, getenv func(string) string) (cpu, mem profileDest) {
	pick := func(flag, name, env string) profileDest {
		if flag != "" {
			return profileDest{flag, name}
		}
		if v := getenv(env); v != "" {
			return profileDest{v, env}
		}
		return profileDest{}
	}
	return pick(o.cpuProfile, "--cpuprofile", cpuProfileEnv),
		pick(o.memProfile, "--memprofile", memProfileEnv)
}

// profiler holds the profiles being taken during one run. Its zero value
// takes none.
type profiler struct {
	cpu, mem       *os.File // open until stop; nil when not asked for
	cpuSrc, memSrc string
}

// startProfiles creates the profile files and starts the CPU profile. An
// error names the flag or variable; then nothing is left running.
func startProfiles(cpu, mem profileDest) (*profiler, error) {
	p := &profiler{}
	if mem.path != "" {
		f, err := os.Create(mem.path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", mem.source, err)
		}
		p.mem, p.memSrc = f, mem.source
	}
	if cpu.path != "" {
		f, err := os.Create(cpu.path)
		if err == nil {
			if err = pprof.StartCPUProfile(f); err != nil {
				f.Close()
			}
		}
		if err != nil {
			if p.mem != nil {
				p.mem.Close()
			}
			return nil, fmt.Errorf("%s: %w", cpu.source, err)
		}
		p.cpu, p.cpuSrc = f, cpu.source
	}
	return p, nil
}

// active tells whether a profile was asked for.
func (p *profiler) active() bool { return p.cpu != nil || p.mem != nil }

// stop ends the CPU profile and writes the heap profile, after a garbage
// collection so that it shows the heap as it is now. It reports whether
// both files were written; what went wrong is printed on stderr.
func (p *profiler) stop(stderr io.Writer) bool {
	if !p.active() {
		return true
	}
	// Hold SIGINT and SIGTERM off until the files are complete: a
	// harness that signals twice must not cut a profile short.
	hold := make(chan os.Signal, 1)
	signal.Notify(hold, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(hold)

	ok := true
	report := func(source string, err error) {
		fmt.Fprintf(stderr, "gonetrepl: %s: %v\n", source, err)
		ok = false
	}
	if p.cpu != nil {
		pprof.StopCPUProfile() // returns once the profile is flushed
		if err := p.cpu.Close(); err != nil {
			report(p.cpuSrc, err)
		}
		p.cpu = nil
	}
	if p.mem != nil {
		runtime.GC()
		err := pprof.WriteHeapProfile(p.mem)
		if cerr := p.mem.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			report(p.memSrc, err)
		}
		p.mem = nil
	}
	return ok
}
