//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package bindings

// The system's part of proc.spawn on Unix: pipes from os.Pipe (which Go's
// poller waits on, so deadlines work) or a pty from github.com/creack/pty,
// raw mode, a process group (or, with a pty, a session) per child so that
// killing it reaches what it started, and signals by name.

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

const (
	sigTerm = syscall.SIGTERM
	sigKill = syscall.SIGKILL
	sigCont = syscall.SIGCONT
)

// procWaitDelay bounds how long reaping waits for the copy of an inherited
// stderr once the child has exited, should a grandchild hold it open.
const procWaitDelay = time.Second

// startProcess starts spec's program and the goroutine that reaps it.
func startProcess(spec procSpec) (_ *procConn, err error) {
	cmd := &exec.Cmd{Path: spec.path, Args: spec.argv, Env: spec.env, Dir: spec.dir, WaitDelay: procWaitDelay}
	pc := &procConn{name: spec.argv[0], pty: spec.pty, mode: spec.stderr}
	var childEnds []*os.File // closed here once the child has them
	defer func() {
		for _, f := range childEnds {
			f.Close()
		}
		if err != nil {
			for _, f := range []*os.File{pc.r, pc.w, pc.stderr} {
				if f != nil {
					f.Close()
				}
			}
		}
	}()
	if spec.pty {
		master, tty, err := pty.Open()
		if err != nil {
			return nil, err
		}
		childEnds = append(childEnds, tty)
		pc.r, pc.w = master, master // closed on failure until pollable has taken it
		if err := pty.Setsize(tty, &pty.Winsize{Rows: 24, Cols: 80}); err != nil {
			return nil, err
		}
		if err := makeRaw(tty); err != nil {
			return nil, err
		}
		pc.r, pc.w = nil, nil
		f, err := pollable(master)
		if err != nil {
			return nil, err
		}
		pc.r, pc.w = f, f
		cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
		// A session of its own, the pty its controlling terminal (fd 0 in
		// the child): a shell's job control and ^C work as on a terminal.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	} else {
		inR, inW, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		childEnds = append(childEnds, inR)
		pc.w = inW
		outR, outW, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		childEnds = append(childEnds, outW)
		pc.r = outR
		cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, outW
		// A process group of its own: killing the group ends what the
		// child started, and a terminal's ^C goes to gonetrepl alone,
		// which then decides (it cancels the line or ends the script).
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	}
	switch spec.stderr {
	case "pipe":
		errR, errW, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		childEnds = append(childEnds, errW)
		pc.stderr = errR
		cmd.Stderr = errW
	case "inherit":
		cmd.Stderr = spec.inherit
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	pc.proc = &process{cmd: cmd}
	pc.proc.startWaiter()
	return pc, nil
}

// pollable returns a copy of f that Go's poller waits on, so that its
// deadlines work, and closes f. A pty's master needs it: creack/pty
// calls Fd() on it, which puts it in blocking mode for good.
func pollable(f *os.File) (*os.File, error) {
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	fd := -1
	var dupErr error
	if err := rc.Control(func(raw uintptr) { fd, dupErr = unix.FcntlInt(raw, unix.F_DUPFD_CLOEXEC, 0) }); err != nil {
		return nil, err
	}
	if dupErr != nil {
		return nil, dupErr
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, err
	}
	// NewFile sees the descriptor is non-blocking and gives it to the poller.
	return os.NewFile(uintptr(fd), f.Name()), nil
}

// makeRaw puts the terminal tty in raw mode, as cfmakeraw(3) does: bytes
// pass unchanged both ways, no echo, no line editing, no signal keys.
func makeRaw(tty *os.File) error {
	rc, err := tty.SyscallConn()
	if err != nil {
		return err
	}
	var ioErr error
	err = rc.Control(func(fd uintptr) {
		t, err := unix.IoctlGetTermios(int(fd), ioctlGetTermios)
		if err != nil {
			ioErr = err
			return
		}
		t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
		t.Oflag &^= unix.OPOST
		t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
		t.Cflag &^= unix.CSIZE | unix.PARENB
		t.Cflag |= unix.CS8
		t.Cc[unix.VMIN] = 1
		t.Cc[unix.VTIME] = 0
		ioErr = unix.IoctlSetTermios(int(fd), ioctlSetTermios, t)
	})
	if err != nil {
		return err
	}
	return ioErr
}

// signalProcess sends sig to p's child, or to its process group (with a
// pty, its session's group: the same number).
func signalProcess(p *process, sig os.Signal, group bool) error {
	if group {
		err := syscall.Kill(-p.pid, sig.(syscall.Signal))
		if err == nil || !errors.Is(err, syscall.ESRCH) {
			return err
		}
		// No such group (the child had no time to make it): the child alone.
	}
	return p.cmd.Process.Signal(sig)
}

// exitStatus is the child's exit code, or the name of the signal that
// ended it.
func exitStatus(st *os.ProcessState) (code int, signal string) {
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		if name := unix.SignalName(ws.Signal()); name != "" {
			return -1, name
		}
		return -1, ws.Signal().String()
	}
	return st.ExitCode(), ""
}

func signalByName(name string) (os.Signal, bool) {
	sig := unix.SignalNum(name)
	return sig, sig != 0
}

func signalByNumber(f float64) (os.Signal, bool) {
	if f != float64(int(f)) || f < 1 || f > 128 {
		return nil, false
	}
	sig := syscall.Signal(int(f))
	return sig, unix.SignalName(sig) != ""
}

// isEIO reports whether err is EIO, what reading a pty's master gives on
// Linux once the child's side has closed.
func isEIO(err error) bool { return errors.Is(err, syscall.EIO) }
