package bindings

// keylog = path: the TLS secrets of a session, appended to a file in the
// NSS key log format (crypto/tls's KeyLogWriter), so that Wireshark or
// tshark can decrypt a capture of it, as SSLKEYLOGFILE does for curl and
// browsers.

import (
	"fmt"
	"os"
	"syscall"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// keyLogFile appends each write to the file at path, opened for that write
// alone: no descriptor is held between handshakes, and the lines of
// several conns (O_APPEND, one write each: crypto/tls writes a line at a
// time) never interleave. A FIFO without a reader fails instead of
// blocking (O_NONBLOCK).
type keyLogFile struct{ path string }

// keyLogFlags opens for appending, creating the file if needed, without
// waiting on a FIFO.
const keyLogFlags = os.O_WRONLY | os.O_APPEND | os.O_CREATE | syscall.O_NONBLOCK

func (k *keyLogFile) Write(p []byte) (int, error) {
	f, err := os.OpenFile(k.path, keyLogFlags, 0o600)
	if err != nil {
		return 0, fmt.Errorf("keylog: %w", err)
	}
	n, err := f.Write(p)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// openKeyLog checks the keylog option now, creating the file (mode 0600)
// if it does not exist: a path that cannot be written raises, naming the
// option, rather than failing the handshake later.
func openKeyLog(L *lua.LState, n int, path string) *keyLogFile {
	if path == "" {
		argError(L, n, "opts.keylog", "a file path expected, got \"\"")
	}
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		argError(L, n, "opts.keylog", "%s: %v (a %s)", path, errNotRegular, fileKind(fi.Mode()))
	}
	f, err := os.OpenFile(path, keyLogFlags, 0o600)
	if err != nil {
		argError(L, n, "opts.keylog", "%v", err)
	}
	f.Close()
	return &keyLogFile{path: path}
}
