//go:build unix

package bindings

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// openRegularFD opens path for reading if it is a regular file, and
// returns the descriptor, still non-blocking. It looks before it opens
// (opening a device can have effects), and opens without blocking
// (O_NONBLOCK: a FIFO swapped in meanwhile does not wait for a writer),
// then checks again what it opened.
func openRegularFD(path string) (int, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return -1, fileError{&fs.PathError{Op: "stat", Path: path, Err: err}}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return -1, fileError{&fs.PathError{Op: "send_file", Path: path, Err: fmt.Errorf("%w (a %s)", errNotRegular, fileKind(modeOf(uint32(st.Mode))))}}
	}
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC|syscall.O_NOCTTY, 0)
	if err != nil {
		return -1, fileError{&fs.PathError{Op: "open", Path: path, Err: err}}
	}
	if err := syscall.Fstat(fd, &st); err != nil {
		syscall.Close(fd)
		return -1, fileError{&fs.PathError{Op: "stat", Path: path, Err: err}}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		syscall.Close(fd)
		return -1, fileError{&fs.PathError{Op: "send_file", Path: path, Err: errNotRegular}}
	}
	return fd, nil
}

// openRegular opens path for reading if it is a regular file
// (openRegularFD), as an *os.File for sendfile(2).
func openRegular(path string) (*os.File, error) {
	fd, err := openRegularFD(path)
	if err != nil {
		return nil, err
	}
	// A regular file ignores O_NONBLOCK; clear it before os.NewFile, so
	// that it does not try the poller.
	if err := syscall.SetNonblock(fd, false); err != nil {
		syscall.Close(fd)
		return nil, fileError{&fs.PathError{Op: "fcntl", Path: path, Err: err}}
	}
	return os.NewFile(uintptr(fd), path), nil
}

// readRegularAt reads len(p) bytes of the regular file at path from
// offset into p, fewer if the file ends first, and returns how many:
// with the descriptor alone (no *os.File), so that a small file costs
// stat, open, fstat, pread and close.
func readRegularAt(path string, p []byte, offset int64) (int, error) {
	fd, err := openRegularFD(path)
	if err != nil {
		return 0, err
	}
	defer syscall.Close(fd)
	n := 0
	for n < len(p) {
		m, err := syscall.Pread(fd, p[n:], offset+int64(n))
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return n, fileError{&fs.PathError{Op: "read", Path: path, Err: err}}
		}
		if m == 0 {
			break
		}
		n += m
	}
	return n, nil
}

// modeOf turns a stat mode's file type into fs.FileMode's, for fileKind.
func modeOf(m uint32) fs.FileMode {
	switch m & syscall.S_IFMT {
	case syscall.S_IFREG:
		return 0
	case syscall.S_IFDIR:
		return fs.ModeDir
	case syscall.S_IFIFO:
		return fs.ModeNamedPipe
	case syscall.S_IFSOCK:
		return fs.ModeSocket
	case syscall.S_IFCHR, syscall.S_IFBLK:
		return fs.ModeDevice
	}
	return fs.ModeIrregular
}
