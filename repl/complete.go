package repl

import (
	"sort"
	"strings"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"

	"github.com/gonetrepl/gonetrepl/bindings"
)

// completionWait is how long Tab waits for the interpreter lock: a
// background task in a pure-Lua loop may hold it, and then Tab offers
// nothing rather than hanging the prompt.
const completionWait = 100 * time.Millisecond

// completer completes the name before the cursor from the live Lua state:
// globals, fields of a table reached by a dotted path (net.lo), and the
// methods of a value before ':' (c:set_). It reads values raw, running no
// Lua code, with the lock held only while it looks.
type completer struct {
	rt *bindings.Runtime
}

// Do implements readline.AutoCompleter: the candidates' remaining runes
// after the typed prefix, and the prefix's length.
func (c completer) Do(line []rune, pos int) ([][]rune, int) {
	start := pos
	for start > 0 && isNameRune(line[start-1]) {
		start--
	}
	word := string(line[start:pos])
	path, sep, prefix := splitWord(word)
	var names []string
	c.rt.TryLocked(completionWait, func(L *lua.LState) {
		names = candidates(L, path, sep, prefix)
	})
	out := make([][]rune, len(names))
	for i, n := range names {
		out[i] = []rune(n[len(prefix):])
	}
	return out, len([]rune(prefix))
}

func isNameRune(r rune) bool {
	return r == '_' || r == '.' || r == ':' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// splitWord splits "net.lo" into path ["net"], sep '.', prefix "lo"; and
// "c:set_" into ["c"], ':', "set_"; a bare name has no path.
func splitWord(word string) (path []string, sep byte, prefix string) {
	i := strings.LastIndexAny(word, ".:")
	if i < 0 {
		return nil, 0, word
	}
	return strings.Split(word[:i], "."), word[i], word[i+1:]
}

// candidates lists the names that complete prefix, sorted.
func candidates(L *lua.LState, path []string, sep byte, prefix string) []string {
	var v lua.LValue = L.G.Global
	for _, name := range path {
		v = field(L, v, name)
		if v == lua.LNil {
			return nil
		}
	}
	seen := map[string]bool{}
	add := func(t *lua.LTable, onlyFunctions bool) {
		if t == nil {
			return
		}
		t.ForEach(func(k, val lua.LValue) {
			s, ok := k.(lua.LString)
			if !ok || !strings.HasPrefix(string(s), prefix) || !isIdent(string(s)) {
				return
			}
			if onlyFunctions && val.Type() != lua.LTFunction {
				return
			}
			seen[string(s)] = true
		})
	}
	switch {
	case sep == ':':
		// Methods: a class's __methods, or a table's functions and those
		// of its metatable's __index table.
		add(methodsOf(L, v), true)
		if t, ok := v.(*lua.LTable); ok {
			add(t, true)
		}
	default:
		if t, ok := v.(*lua.LTable); ok {
			add(t, false)
			add(methodsOf(L, v), false)
		}
		if len(path) == 0 {
			for kw := range luaKeywords {
				if strings.HasPrefix(kw, prefix) {
					seen[kw] = true
				}
			}
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// field reads t.name without metamethods, also through a metatable's
// __index table (a class, a Lua object).
func field(L *lua.LState, v lua.LValue, name string) lua.LValue {
	if t, ok := v.(*lua.LTable); ok {
		if f := t.RawGetString(name); f != lua.LNil {
			return f
		}
	}
	if m := methodsOf(L, v); m != nil {
		return m.RawGetString(name)
	}
	return lua.LNil
}

// methodsOf is where a value's methods live: a class's __methods table, or
// the __index table of its metatable.
func methodsOf(L *lua.LState, v lua.LValue) *lua.LTable {
	mt, ok := L.GetMetatable(v).(*lua.LTable)
	if !ok {
		return nil
	}
	if m, ok := mt.RawGetString("__methods").(*lua.LTable); ok {
		return m
	}
	m, _ := mt.RawGetString("__index").(*lua.LTable)
	return m
}
