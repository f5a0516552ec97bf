//go:build unix

package bindings

import (
	"fmt"
	"io/fs"
	"syscall"
)

// readRegularAt reads len(p) bytes of the regular file at path from
// offset into p, fewer if the file ends first, and returns how many. As
// openRegular, it looks before it opens and opens without blocking, then
// checks what it opened; with the file descriptor alone (no *os.File), so
// that a small file costs stat, open, fstat, pread and close.
func readRegularAt(path string, p []byte, offset int64) (int, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return 0, fileError{&fs.PathError{Op: "stat", Path: path, Err: err}}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return 0, fileError{&fs.PathError{Op: "send_file", Path: path, Err: fmt.Errorf("%w (a %s)", errNotRegular, fileKind(modeOf(uint32(st.Mode))))}}
	}
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC|syscall.O_NOCTTY, 0)
	if err != nil {
		return 0, fileError{&fs.PathError{Op: "open", Path: path, Err: err}}
	}
	defer syscall.Close(fd)
	if err := syscall.Fstat(fd, &st); err != nil {
		return 0, fileError{&fs.PathError{Op: "stat", Path: path, Err: err}}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return 0, fileError{&fs.PathError{Op: "send_file", Path: path, Err: errNotRegular}}
	}
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
