package bindings

// What each system's Unix sockets can do, decided on Linux for every
// system (unixsupport.go): the other systems' error paths cannot run here.

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestUnixUnsupportedPerOS(t *testing.T) {
	for _, c := range []struct {
		goos, network, path string
		want                error // nil: supported
	}{
		{"linux", "unix", "@name", nil},
		{"linux", "unixgram", "@name", nil},
		{"android", "unixgram", "@name", nil},
		{"linux", "unixgram", "/tmp/x.sock", nil},
		{"darwin", "unix", "@name", errAbstractLinuxOnly},
		{"darwin", "unixgram", "@name", errAbstractLinuxOnly},
		{"freebsd", "unix", "@name", errAbstractLinuxOnly},
		{"windows", "unix", "@name", errAbstractLinuxOnly},
		{"darwin", "unix", "/tmp/x.sock", nil},
		{"darwin", "unixgram", "/tmp/x.sock", nil},
		{"freebsd", "unixgram", "", nil}, // an unbound sender
		{"windows", "unix", `C:\Temp\x.sock`, nil},
		{"windows", "unixgram", `C:\Temp\x.sock`, errUnixgramUnsupported},
		{"windows", "unixgram", "@name", errUnixgramUnsupported},
		{"darwin", "tcp", "@name:80", nil}, // not a Unix address
	} {
		err := unixUnsupported(c.goos, c.network, c.path)
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("unixUnsupported(%q, %q, %q) = %v, want %v", c.goos, c.network, c.path, err, c.want)
		}
	}
	err := unixUnsupported("darwin", "unix", "@name")
	if want := `abstract Unix sockets ("@name") are Linux-only; on darwin use a socket file path`; err == nil || err.Error() != want {
		t.Errorf("darwin's error: %v, want %q", err, want)
	}
}

// TestCheckUnixPathOn: the error the bindings return for an address the
// system cannot have names the operation, the network and the address,
// and its kind is other; the path limit is the system's.
func TestCheckUnixPathOn(t *testing.T) {
	err := checkUnixPathOn("freebsd", "listen", "unix", "@gonetrepl")
	e := newError(err, "listen", "@gonetrepl")
	if e.Kind != kindOther || e.Op != "listen" || e.Addr != "@gonetrepl" ||
		e.Error() != `listen unix @gonetrepl: abstract Unix sockets ("@name") are Linux-only; on freebsd use a socket file path` {
		t.Errorf("freebsd, @gonetrepl: kind %q op %q addr %q: %v", e.Kind, e.Op, e.Addr, e)
	}
	if err := checkUnixPathOn("linux", "listen", "unix", "@gonetrepl"); err != nil {
		t.Errorf("linux, @gonetrepl: %v", err)
	}
	err = checkUnixPathOn("windows", "dial", "unixgram", `C:\x.sock`)
	if !errors.Is(err, errUnixgramUnsupported) || !strings.HasPrefix(err.Error(), `dial unixgram C:\x.sock: unixgram sockets are not supported on Windows`) {
		t.Errorf("windows, unixgram: %v", err)
	}
	// sun_path: 108 bytes on Linux and Windows, 104 on the BSDs.
	for _, c := range []struct {
		goos  string
		limit int
	}{{"linux", 107}, {"windows", 107}, {"darwin", 103}, {"freebsd", 103}} {
		fits := "/" + strings.Repeat("x", c.limit-1)
		if err := checkUnixPathOn(c.goos, "listen", "unix", fits); err != nil {
			t.Errorf("%s: %d bytes: %v", c.goos, len(fits), err)
		}
		over := fits + "x"
		err := checkUnixPathOn(c.goos, "listen", "unix", over)
		if err == nil || !strings.Contains(err.Error(), "socket path is "+strconv.Itoa(len(over))+" bytes, over the kernel's limit of "+strconv.Itoa(c.limit)) {
			t.Errorf("%s: %d bytes: %v", c.goos, len(over), err)
		}
	}
}
