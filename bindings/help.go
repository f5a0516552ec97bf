package bindings

import (
	"fmt"
	"sort"
	"strings"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

const globalsSummary = "global functions for the prompt: help, interact"

var globalFuncs = []binding{
	{"help", nil, "help([x])", // fn set in init: help reads Docs, which lists globalFuncs
		`Lists the modules; help(module), help(function), help(value) or help("conn:read") shows its entries: signature, what it does, an example.`,
		`help(net.dial); help("conn:read_line"); help(net)`},
	{"interact", (*Runtime).interact, "interact(conn)",
		"Wires the terminal to conn like nc: typed lines go out, received bytes are shown; Ctrl-D half-closes, Ctrl-] returns to the prompt with conn open (REPL only).",
		`c = assert(net.dial("tcp", "127.0.0.1:9000")); interact(c)`},
}

func init() { globalFuncs[0].fn = (*Runtime).help }

// helpIndex maps what help can be asked about to its entries: the
// qualified names ("net.dial", "conn:read"), module names, and the Lua
// values of the functions, module tables and class metatables. Built on
// first use, with the gil held.
type helpIndex struct {
	byName  map[string][]Doc
	byValue map[lua.LValue][]Doc
	modules []Module
}

func (rt *Runtime) indexHelp() *helpIndex {
	if rt.helpIdx != nil {
		return rt.helpIdx
	}
	L := rt.L
	h := &helpIndex{byName: map[string][]Doc{}, byValue: map[lua.LValue][]Doc{}, modules: append(Docs(), stdlibDocs()...)}
	for _, m := range h.modules {
		h.byName[m.Name] = m.Docs
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
		for _, d := range m.Docs {
			h.byName[d.Name] = []Doc{d}
			if table == nil {
				continue
			}
			short := d.Name[strings.LastIndexAny(d.Name, ".:")+1:]
			if fn, ok := table.RawGetString(short).(*lua.LFunction); ok {
				h.byValue[fn] = []Doc{d}
			}
		}
	}
	rt.helpIdx = h
	return h
}

// help prints the module list, or the entries of what it is given.
func (rt *Runtime) help(L *lua.LState) int {
	h := rt.indexHelp()
	var b strings.Builder
	if L.GetTop() == 0 {
		b.WriteString("Modules and classes (help(net), help(net.dial), help(\"conn:read\"), help(c) for a value):\n")
		width := 0
		for _, m := range h.modules {
			width = max(width, len(m.Name))
		}
		for _, m := range h.modules {
			fmt.Fprintf(&b, "  %-*s  %s\n", width, m.Name, m.Summary)
		}
		b.WriteString("The full reference: docs/API.md.\n")
		rt.stdout.Write([]byte(b.String()))
		return 0
	}
	v := L.Get(1)
	docs, found := h.lookup(v)
	if !found {
		what := "this " + typeName(v)
		if s, ok := v.(lua.LString); ok {
			what = fmt.Sprintf("%q", string(s))
		}
		fmt.Fprintf(&b, "no help for %s; help() lists what there is\n", what)
	}
	if len(docs) == 1 {
		d := docs[0]
		fmt.Fprintf(&b, "%s\n  %s\n  example: %s\n", d.Sig, d.Summary, d.Example)
	} else if len(docs) > 1 {
		for _, d := range docs {
			fmt.Fprintf(&b, "  %s\n", d.Sig)
		}
		fmt.Fprintf(&b, "help(%q) shows one entry, with an example\n", docs[0].Name)
	}
	rt.stdout.Write([]byte(b.String()))
	return 0
}

// lookup finds the entries for a name or a value; a userdata value finds
// its class, a method name may use any receiver ("c:read").
func (h *helpIndex) lookup(v lua.LValue) ([]Doc, bool) {
	switch v := v.(type) {
	case lua.LString:
		name := strings.TrimSpace(string(v))
		if docs, ok := h.byName[name]; ok {
			return docs, true
		}
		if recv, method, ok := strings.Cut(name, ":"); ok && recv != "" {
			var found []Doc
			for n, docs := range h.byName {
				if strings.HasSuffix(n, ":"+method) && len(docs) == 1 && docs[0].Name == n {
					found = append(found, docs[0])
				}
			}
			sort.Slice(found, func(i, j int) bool { return found[i].Name < found[j].Name })
			return found, len(found) > 0
		}
	case *lua.LUserData:
		docs, ok := h.byValue[v.Metatable]
		return docs, ok
	default:
		docs, ok := h.byValue[v]
		return docs, ok
	}
	return nil, false
}
