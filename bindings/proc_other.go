//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package bindings

// proc.spawn off Unix: not supported. A process tube needs pipes that Go's
// poller waits on, so that deadlines and cancels work, and Windows' os.Pipe
// are not (nor is a pty). The signal names still parse, so that a script's
// arguments are checked the same everywhere.

import (
	"errors"
	"os"
	"runtime"
	"syscall"
)

const (
	sigTerm = syscall.SIGTERM
	sigKill = syscall.SIGKILL
	sigCont = syscall.Signal(0x12) // never sent: no process starts here
)

var errProcUnsupported = errors.New("process tubes are not supported on " + runtime.GOOS)

func startProcess(procSpec) (*procConn, error) { return nil, errProcUnsupported }

func signalProcess(*process, os.Signal, bool) error { return errProcUnsupported }

func exitStatus(st *os.ProcessState) (int, string) { return st.ExitCode(), "" }

// signals are the names signalByName knows here.
var signals = map[string]syscall.Signal{
	"SIGHUP": syscall.SIGHUP, "SIGINT": syscall.SIGINT, "SIGQUIT": syscall.SIGQUIT,
	"SIGKILL": syscall.SIGKILL, "SIGTERM": syscall.SIGTERM,
}

func signalByName(name string) (os.Signal, bool) {
	sig, ok := signals[name]
	return sig, ok
}

func signalByNumber(f float64) (os.Signal, bool) {
	for _, sig := range signals {
		if float64(sig) == f {
			return sig, true
		}
	}
	return nil, false
}

func isEIO(error) bool { return false }
