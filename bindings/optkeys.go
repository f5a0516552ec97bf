package bindings

import (
	"fmt"
	"strings"
	"sync"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// Options tables refuse keys they do not know, so that a typo
// (net.dial(a, {timeuot = 2})) is an error rather than an option silently
// left out. The keys a table accepts are the fields of its shape
// (fields.go), the list the type stubs and docs/API.md are made from: one
// list, read by the code, checked against it by TestTableShapesMatchCode,
// and enforced here.

// argOptions reads the optional options table at argument n and raises an
// argument error naming "opts" when it holds a key s does not list.
func argOptions(L *lua.LState, n int, s shape) *lua.LTable {
	opts := optTable(L, n, "opts")
	if opts == nil {
		return nil
	}
	if problem := unknownOption(opts, keysOf(s)); problem != "" {
		argError(L, n, "opts", "%s", problem)
	}
	return opts
}

// shapeKeys lists the keys a shape accepts: its parent's fields and its
// own, in the order the shape lists them.
func shapeKeys(s shape) []string {
	var keys []string
	if s.parent != "" {
		if p, ok := shapesByClass()[s.parent]; ok {
			keys = shapeKeys(p)
		}
	}
	for _, f := range s.fields {
		keys = append(keys, strings.TrimSuffix(f.name, "?"))
	}
	return keys
}

// keysOf is shapeKeys(s) as a keySet, made once per class: argOptions runs
// on every call that passes options (a read_frame in a loop).
func keysOf(s shape) *keySet {
	keySetsOnce.Do(func() {
		keySets = map[string]*keySet{}
		for class, sh := range shapesByClass() {
			keySets[class] = newKeySet(shapeKeys(sh))
		}
	})
	// A plain map, read-only once made: a sync.Map's Load boxed the
	// class name, an allocation on every call.
	if ks := keySets[s.class]; ks != nil {
		return ks
	}
	return newKeySet(shapeKeys(s)) // a shape the stubs do not list
}

func newKeySet(names []string) *keySet {
	ks := &keySet{names: names, known: make(map[string]bool, len(names))}
	for _, n := range names {
		ks.known[n] = true
	}
	return ks
}

// A keySet is the keys an options table accepts, listed and as a set.
type keySet struct {
	names []string
	known map[string]bool
}

var (
	keySetsOnce sync.Once
	keySets     map[string]*keySet // class -> its keys, made on first use
)

// shapesByClass indexes every shape of the type stubs by class, for
// parents and for the stdlib modules' check_options.
var shapesByClass = sync.OnceValue(func() map[string]shape {
	m := map[string]shape{}
	for _, f := range stubFiles() {
		for _, s := range f.shapes {
			if _, dup := m[s.class]; !dup || s.opts {
				m[s.class] = s
			}
		}
	}
	return m
})

// unknownOption returns what is wrong with the keys of opts (nil is
// fine): "" when every key is one of names; else a message about one bad
// key, the same one whatever order the table holds them in: a key that is
// not a string first, else the least unknown name. A name close to a
// known one (edit distance 2 or less, or a prefix of it) gets a
// "did you mean"; any other the list of names.
func unknownOption(opts *lua.LTable, keys *keySet) string {
	if opts == nil {
		return ""
	}
	names, known := keys.names, keys.known
	bad, found := "", false
	others := opts.ForEachStringKey(func(k string, _ lua.LValue) {
		if !known[k] && (!found || k < bad) {
			bad, found = k, true
		}
	})
	var badKey lua.LValue
	if others {
		// Rare, and an error: find the first key that is not a string.
		opts.ForEach(func(k, _ lua.LValue) {
			if _, ok := k.(lua.LString); !ok && badKey == nil {
				badKey = k
			}
		})
	}
	if badKey == nil && !found {
		return "" // the common case, on every call with options: no allocation
	}
	list := strings.Join(names, ", ")
	switch {
	case badKey != nil:
		if num, ok := badKey.(lua.LNumber); ok {
			return fmt.Sprintf("unknown option [%s] (options are named: %s)", num.String(), list)
		}
		return fmt.Sprintf("unknown option of type %s (options are named: %s)", typeName(badKey), list)
	case found:
		if guess := closestName(bad, names); guess != "" {
			return fmt.Sprintf("unknown option '%s' (did you mean '%s'?)", showKey(bad), guess)
		}
		return fmt.Sprintf("unknown option '%s' (options: %s)", showKey(bad), list)
	}
	return ""
}

// closestName is the name nearest to key, by edit distance (at most 2,
// and less than key's length, so that "ab" does not suggest any two-letter
// name), or else one that key is a prefix of (3 bytes at least) or that is
// a prefix of key, or else the one sharing the longest start with key (4
// bytes or more, all but key's last 2); "" when none is near. Ties go to
// the first listed.
func closestName(key string, names []string) string {
	best, bestDist := "", 3
	if len(key) <= 64 {
		for _, n := range names {
			if d := editDistance(key, n); d < bestDist && d < len(key) {
				best, bestDist = n, d
			}
		}
	}
	if best != "" {
		return best
	}
	for _, n := range names {
		if len(key) >= 3 && strings.HasPrefix(n, key) || strings.HasPrefix(key, n) {
			return n
		}
	}
	// A word ending changed ("retry" for "retries"): a common start of 4
	// bytes or more, all of key but its last 2 bytes at most.
	bestCommon := 0
	for _, n := range names {
		c := commonPrefix(key, n)
		if c >= 4 && c >= len(key)-2 && c > bestCommon {
			best, bestCommon = n, c
		}
	}
	return best
}

// commonPrefix is how many bytes a and b start with alike.
func commonPrefix(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// showKey is a key as an error message shows it: at most 40 bytes, with
// anything but printable ASCII escaped, so that a key cannot drive a
// terminal.
func showKey(key string) string {
	cut := len(key) > 40
	if cut {
		key = key[:40]
	}
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c == '\\' || c == '\'':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, `\x%02x`, c)
		}
	}
	if cut {
		b.WriteString("...")
	}
	return b.String()
}

// stdlibCheckOptions is check_options(opts, class), given to the stdlib
// modules (see stdlib.Preload): nil when opts (a table or nil) holds only
// keys the shape of class (an options shape, or a request table's) lists,
// else the message unknownOption gives, for the module to raise as its own
// argument error. An unknown class raises: it is a bug in the module.
func stdlibCheckOptions(L *lua.LState) int {
	class := L.CheckString(2)
	s, ok := shapesByClass()[class]
	if !ok {
		L.RaiseError("check_options: no shape %q", class)
	}
	opts, _ := L.Get(1).(*lua.LTable)
	if problem := unknownOption(opts, keysOf(s)); problem != "" {
		L.Push(lua.LString(problem))
		return 1
	}
	L.Push(lua.LNil)
	return 1
}
