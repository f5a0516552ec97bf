package main

import (
	"fmt"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
)

// version overrides the module version in --version when set with
// -ldflags "-X main.version=...", for a packager building from a tarball.
// Left empty, the version is the one the go command stamped into the
// binary: the tag for `go install github.com/gonetrepl/gonetrepl@v1.2.3`,
// a pseudo-version (v0.0.0-20261204173000-017f323c1a2b) for a build in a
// git checkout.
var version = ""

// interpreter names the Lua inside: the upstream release the patched
// interpreter in third_party/gopher-lua started from, and the language.
const interpreter = "gopher-lua v1.1.2 patched, Lua 5.1"

// buildVersion is what a binary knows about where it came from.
type buildVersion struct {
	module   string // module version, or "devel" when nothing says
	revision string // VCS commit the binary was built from, or ""
	time     string // commit time (RFC 3339), or ""
	modified bool   // built from a checkout with uncommitted changes
	goVer    string // the Go toolchain
}

// readBuildVersion reads the build info the go command stamps into every
// binary (module version; the VCS revision when built inside a checkout).
func readBuildVersion(info *debug.BuildInfo, ok bool, override string) buildVersion {
	v := buildVersion{module: "devel", goVer: runtime.Version()}
	if ok && info != nil {
		if mv := info.Main.Version; mv != "" && mv != "(devel)" {
			v.module = mv
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				v.revision = s.Value
			case "vcs.time":
				v.time = s.Value
			case "vcs.modified":
				v.modified = s.Value == "true"
			}
		}
	}
	if v.revision == "" {
		// A module-mode build (go install m@v) has no VCS settings, but a
		// pseudo-version ends in the commit: v0.0.0-20261204173000-017f323c1a2b.
		if m := pseudoVersion().FindStringSubmatch(v.module); m != nil {
			v.revision = m[2]
		}
	}
	if override != "" {
		v.module = override
	}
	return v
}

// pseudoVersion matches the tail of a Go pseudo-version: the commit time
// and the first 12 hex digits of the commit (go help module-get: "pseudo-versions").
var pseudoVersion = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[-.](\d{14})-([0-9a-f]{12})(\+[0-9A-Za-z.]+)?$`) })

// String is the --version line, e.g.
//
//	gonetrepl v0.0.0-20261204173000-017f323c1a2b (revision 017f323c1a2b, 2026-12-04T17:30:00Z; gopher-lua v1.1.2 patched, Lua 5.1; go1.26.8)
func (v buildVersion) String() string {
	var where []string
	if v.revision != "" {
		rev := v.revision
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if v.modified {
			rev += " with uncommitted changes"
		}
		where = append(where, "revision "+rev)
		if v.time != "" {
			where = append(where, v.time)
		}
	} else {
		where = append(where, "no VCS revision")
	}
	return fmt.Sprintf("gonetrepl %s (%s; %s; %s)", v.module, strings.Join(where, ", "), interpreter, v.goVer)
}

func versionLine() string {
	info, ok := debug.ReadBuildInfo()
	return readBuildVersion(info, ok, version).String()
}
