//go:build !unix

package bindings

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// readRegularAt reads len(p) bytes of the regular file at path from
// offset into p, fewer if the file ends first, and returns how many.
func readRegularAt(path string, p []byte, offset int64) (int, error) {
	f, err := openRegular(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n, err := f.ReadAt(p, offset)
	if err != nil && err != io.EOF {
		return n, fileError{err}
	}
	return n, nil
}

// openRegular opens path for reading if it is a regular file. It looks
// before it opens (opening a device can have effects), and opens without
// blocking (O_NONBLOCK: a FIFO swapped in meanwhile does not wait for a
// writer), then checks again what it opened.
func openRegular(path string) (*os.File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fileError{err}
	}
	if !fi.Mode().IsRegular() {
		return nil, fileError{&fs.PathError{Op: "send_file", Path: path, Err: fmt.Errorf("%w (a %s)", errNotRegular, fileKind(fi.Mode()))}}
	}
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, fileError{&fs.PathError{Op: "open", Path: path, Err: err}}
	}
	// A regular file ignores O_NONBLOCK; clear it before os.NewFile, so
	// that it does not try the poller. (Windows has neither: its
	// syscall.Open ignores the flag, and SetNonblock does nothing.)
	if err := syscall.SetNonblock(fd, false); err != nil {
		syscall.Close(fd)
		return nil, fileError{&fs.PathError{Op: "fcntl", Path: path, Err: err}}
	}
	f := os.NewFile(uintptr(fd), path)
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fileError{err}
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fileError{&fs.PathError{Op: "send_file", Path: path, Err: errNotRegular}}
	}
	return f, nil
}
