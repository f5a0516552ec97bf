package bindings

// os.list_dir: the names in a directory, bounded. A directory can hold
// millions of entries; the list is cut at max names (default 1000), and
// only max+1 names are ever read from the kernel, so neither the memory
// nor the time it takes grows with the directory.

import (
	"context"
	"errors"
	"io"
	"os"
	"sort"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

const (
	// listDirDefault is the number of names os.list_dir returns at most
	// when no max is given.
	listDirDefault = 1000
	// listDirLimit is the largest max accepted.
	listDirLimit = 1 << 20
)

func init() {
	osFuncs = append(osFuncs, binding{"list_dir", (*Runtime).osListDir,
		"os.list_dir(path [, max]) -> {name, ...}, truncated | nil, err",
		"The names in the directory at path (not \".\" and \"..\"), sorted byte-wise, a directory's (following symbolic links) ending in \"/\". At most max names (default 1000, up to 1048576): truncated is true when the directory holds more, and then the list is max of its names in no chosen order, sorted, since only max+1 are read. A missing path or one that is not a directory is nil, err (kind 'other', the message says why). Reads the directory with the interpreter lock released, like a socket call, and builds a long list in turns with the other tasks (every time slice).",
		`local names, more = assert(os.list_dir(".")); for _, n in ipairs(names) do print(n) end`})
}

func (rt *Runtime) osListDir(L *lua.LState) int {
	path := argString(L, 1, "path")
	max := optInteger(L, 2, "max", listDirDefault)
	if max < 1 || max > listDirLimit {
		argError(L, 2, "max", "must be from 1 to %d, got %d", listDirLimit, max)
	}
	var names []string
	var truncated bool
	err := rt.block(L, nil, func(context.Context) error {
		var err error
		names, truncated, err = listDir(path, int(max))
		return err
	})
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return rt.pushError(L, err, "list_dir", path)
		}
		return rt.pushError(L, &Error{Kind: kindOther, Op: "list_dir", Addr: path, Err: err}, "list_dir", path)
	}
	L.Push(luaStrings(L, names))
	L.Push(lua.LBool(truncated))
	return 2
}

// listDir reads at most max+1 names of the directory at path and returns
// max of them sorted, directories marked with a trailing "/", and whether
// there were more.
func listDir(path string, max int) ([]string, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	entries, err := f.ReadDir(max + 1)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, false, err
	}
	truncated := len(entries) > max
	if truncated {
		entries = entries[:max]
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		name := e.Name()
		dir := e.IsDir()
		if e.Type()&os.ModeSymlink != 0 {
			if fi, err := os.Stat(path + string(os.PathSeparator) + name); err == nil {
				dir = fi.IsDir()
			}
		}
		if dir {
			name += "/"
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names, truncated, nil
}
