package bindings

import (
	"strings"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// helpIndex finds what help is asked about: names as users type them
// ("net.dial", "c:read", "expect", "conn") and values (functions, module
// tables, class values). Built on first use, with the gil held; the stdlib
// modules, loaded by require at any time, are indexed as help meets them.
type helpIndex struct {
	modules []Module
	byValue map[lua.LValue][]Doc
	// shapes describe the classes that have fields and no methods.
	shapes map[string]*shape
	// luaNames names the functions of Lua's own libraries ("print",
	// "string.format") that gonetrepl does not document itself.
	luaNames map[*lua.LFunction]string
	// stdlibSeen marks the stdlib modules whose loaded table is indexed.
	stdlibSeen map[string]bool
}

// helpFound is what a lookup found: entries, a shape, or the name of a
// function of Lua's own libraries.
type helpFound struct {
	docs    []Doc
	shape   *shape
	luaName string
}

// luaLibs are the tables of Lua's own libraries whose functions help
// points to the Lua manual for; "" is the base library (the globals).
var luaLibs = []string{"", "string", "table", "math", "io", "os", "coroutine", "debug", "package"}

func (rt *Runtime) indexHelp() *helpIndex {
	if rt.helpIdx != nil {
		return rt.helpIdx
	}
	L := rt.L
	h := &helpIndex{
		modules:    append(Docs(), stdlibDocs()...),
		byValue:    map[lua.LValue][]Doc{},
		shapes:     map[string]*shape{addrType: &addrFields, errorType: &errorFields},
		luaNames:   map[*lua.LFunction]string{},
		stdlibSeen: map[string]bool{},
	}
	for _, m := range Docs() {
		var table *lua.LTable // where the module's functions live
		switch {
		case m.Type != "":
			if mt := rt.classMeta(m.Type); mt != nil {
				table, _ = mt.RawGetString("__methods").(*lua.LTable)
				h.byValue[mt] = m.Docs
			}
		case m.Name == globalsModule:
			table = L.G.Global
		default:
			table, _ = L.GetGlobal(m.Name).(*lua.LTable)
			if table != nil {
				h.byValue[table] = m.Docs
			}
		}
		h.indexFuncs(table, m.Docs)
	}
	for _, lib := range luaLibs {
		table := L.G.Global
		if lib != "" {
			table, _ = L.GetGlobal(lib).(*lua.LTable)
		}
		if table == nil {
			continue
		}
		table.ForEach(func(k, v lua.LValue) {
			fn, ok := v.(*lua.LFunction)
			name, isName := k.(lua.LString)
			if !ok || !isName || !fn.IsG || h.byValue[fn] != nil {
				return
			}
			if lib != "" {
				name = lua.LString(lib) + "." + name
			}
			h.luaNames[fn] = string(name)
		})
	}
	rt.helpIdx = h
	return h
}

// indexFuncs maps the functions of table that docs document to their entry.
func (h *helpIndex) indexFuncs(table *lua.LTable, docs []Doc) {
	if table == nil {
		return
	}
	for _, d := range docs {
		if fn, ok := table.RawGetString(entryShortName(d)).(*lua.LFunction); ok {
			h.byValue[fn] = []Doc{d}
		}
	}
}

// indexStdlib indexes the stdlib modules that require has loaded since
// the last call: their tables and functions.
func (h *helpIndex) indexStdlib(L *lua.LState) {
	loaded, _ := L.GetField(L.Get(lua.RegistryIndex), "_LOADED").(*lua.LTable)
	if loaded == nil {
		return
	}
	for _, m := range stdlibDocs() {
		if m.Method || h.stdlibSeen[m.Name] {
			continue
		}
		if table, ok := loaded.RawGetString(m.Name).(*lua.LTable); ok {
			h.stdlibSeen[m.Name] = true
			h.byValue[table] = m.Docs
			h.indexFuncs(table, m.Docs)
		}
	}
}

// lookup finds the entries for a name or a value.
func (h *helpIndex) lookup(L *lua.LState, v lua.LValue) helpFound {
	switch v := v.(type) {
	case lua.LString:
		return helpFound{docs: h.byName(strings.TrimSpace(string(v)))}
	case *lua.LUserData:
		if docs, ok := h.byValue[v.Metatable]; ok {
			return helpFound{docs: docs}
		}
		return helpFound{shape: h.shapes[typeName(v)]}
	case *lua.LTable:
		h.indexStdlib(L)
		if docs, ok := h.byValue[v]; ok {
			return helpFound{docs: docs}
		}
		return helpFound{docs: h.stdlibClass(v)}
	case *lua.LFunction:
		h.indexStdlib(L)
		if docs, ok := h.byValue[v]; ok {
			return helpFound{docs: docs}
		}
		return helpFound{luaName: h.luaNames[v]}
	}
	return helpFound{}
}

// byName finds entries by name: a module or class ("net", "conn"), a
// qualified name ("net.dial", "conn:read"), a method with the receiver
// users write ("c:read"; another receiver finds the method in every
// class), or a bare name ("expect"), found in every module and class.
func (h *helpIndex) byName(name string) []Doc {
	for _, m := range h.modules {
		if m.Name == name {
			return m.Docs
		}
		for _, d := range m.Docs {
			if d.Name == name || typedName(d) == name {
				return []Doc{d}
			}
		}
	}
	recv, method, isMethod := strings.Cut(name, ":")
	var same, any []Doc // same: the receiver matches too
	for _, m := range h.modules {
		for _, d := range m.Docs {
			switch {
			case !isMethod && entryShortName(d) == name && name != "":
				any = append(any, d)
			case isMethod && m.Method && entryShortName(d) == method:
				any = append(any, d)
				if r, _, _ := strings.Cut(typedName(d), ":"); r == recv {
					same = append(same, d)
				}
			}
		}
	}
	if len(same) > 0 {
		return same
	}
	return any
}

// stdlibClass finds the class of a stdlib object (an http client, a flags
// parser): a table whose metatable's __index table holds every method
// the class documents. Its methods are then indexed by value.
func (h *helpIndex) stdlibClass(v *lua.LTable) []Doc {
	mt, _ := v.Metatable.(*lua.LTable)
	if mt == nil {
		return nil
	}
	if docs, ok := h.byValue[mt]; ok {
		return docs
	}
	methods, _ := mt.RawGetString("__index").(*lua.LTable)
	if methods == nil {
		return nil
	}
	for _, m := range stdlibDocs() {
		if !m.Method || len(m.Docs) == 0 {
			continue
		}
		all := true
		for _, d := range m.Docs {
			if _, ok := methods.RawGetString(entryShortName(d)).(*lua.LFunction); !ok {
				all = false
				break
			}
		}
		if all {
			h.byValue[mt] = m.Docs
			h.indexFuncs(methods, m.Docs)
			return m.Docs
		}
	}
	return nil
}
