//go:build !unix

package bindings

import "io"

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
