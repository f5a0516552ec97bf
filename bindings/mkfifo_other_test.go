//go:build !unix

package bindings

import "errors"

// mkfifo: no FIFOs here.
func mkfifo(path string) error { return errors.ErrUnsupported }
