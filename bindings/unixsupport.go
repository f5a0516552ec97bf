package bindings

// What each system's Unix sockets can do. The decisions are functions of
// the system's name (runtime.GOOS), so that those of every system are
// tested on any one.

import (
	"errors"
	"fmt"
	"strings"
)

// errAbstractLinuxOnly is the cause of an "@name" address off Linux.
// Elsewhere the name would not be abstract: darwin and freebsd would bind
// a file named "@name" in the current directory, and autobind (an unnamed
// unixgram sender given a fresh name) does not exist.
var errAbstractLinuxOnly = errors.New(`abstract Unix sockets ("@name") are Linux-only`)

// errUnixgramUnsupported is the cause of a unixgram socket on Windows,
// whose AF_UNIX has stream sockets only.
var errUnixgramUnsupported = errors.New("unixgram sockets are not supported on Windows (its Unix sockets are stream only)")

// unixUnsupported is the error of a Unix address of network that goos
// cannot have: an abstract name off Linux, a unixgram socket on Windows;
// nil if it can.
func unixUnsupported(goos, network, path string) error {
	switch {
	case !isUnix(network):
		return nil
	case network == "unixgram" && goos == "windows":
		return errUnixgramUnsupported
	case strings.HasPrefix(path, "@") && goos != "linux" && goos != "android":
		return abstractUnsupported(goos)
	}
	return nil
}

// abstractUnsupported is the error of an abstract name on goos, which has
// none: it says so and what to use instead.
func abstractUnsupported(goos string) error {
	return fmt.Errorf("%w; on %s use a socket file path", errAbstractLinuxOnly, goos)
}

// unixPathMax is the longest Unix socket path goos accepts: sun_path
// holds 108 bytes on Linux and Windows, 104 on the BSDs (darwin, freebsd),
// including the terminating NUL. An abstract name ("@name", Linux) needs
// no NUL, so it may have one byte more.
func unixPathMax(goos string) int {
	switch goos {
	case "darwin", "ios", "freebsd", "netbsd", "openbsd", "dragonfly":
		return 103
	}
	return 107
}
