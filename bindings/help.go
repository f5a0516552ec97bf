package bindings

import (
	"fmt"
	"strings"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

const globalsSummary = "global functions for the prompt: help, interact (and tour(), the guided tour)"

var globalFuncs = []binding{
	{"help", nil, "help([x])", // fn set in init: help reads Docs, which lists globalFuncs
		`Lists the modules; help(module), help(function), help(value) or help("c:read") shows its entries: signature, what it does, an example. A bare name (help("expect")) finds it in every module and class.`,
		`help(net.dial); help("c:read_line"); help("expect"); help(net)`},
	{"interact", (*Runtime).interact, "interact(conn)",
		"Wires the terminal to conn like nc: typed lines go out, received bytes are shown; Ctrl-D half-closes, Ctrl-] returns with conn open (true), and the peer closing returns at once, after its last bytes ([closed by peer], true). At the prompt, or in a script whose stdin is a terminal (else an error); one task at a time.",
		`c = assert(net.dial("tcp", "127.0.0.1:9000")); interact(c)`},
}

func init() { globalFuncs[0].fn = (*Runtime).help }

// help prints the module list, or the entries of what it is given, each
// long line word-wrapped to the terminal's width (Options.Width).
func (rt *Runtime) help(L *lua.LState) int {
	h := rt.indexHelp()
	width := 0
	if rt.width != nil {
		width = rt.width()
	}
	var b strings.Builder
	if L.GetTop() == 0 {
		b.WriteString(wrap("Modules and classes (help(net), help(net.dial), help(\"c:read\"), help(\"expect\"), help(c) for a value):", width, "", "  "))
		nameWidth := 0
		for _, m := range h.modules {
			nameWidth = max(nameWidth, len(m.Name))
		}
		for _, m := range h.modules {
			first := fmt.Sprintf("  %-*s  ", nameWidth, m.Name)
			b.WriteString(wrap(m.Summary, width, first, strings.Repeat(" ", len(first))))
		}
		b.WriteString(wrap("New to sockets? tour() is a guided tour in 15 lessons, each checked live. The full reference: docs/API.md.", width, "", ""))
		rt.stdout.Write([]byte(b.String()))
		return 0
	}
	v := L.Get(1)
	found := h.lookup(L, v)
	switch {
	case found.shape != nil:
		writeShapeHelp(&b, found.shape, width)
	case found.luaName != "":
		b.WriteString(wrap(fmt.Sprintf("%s is Lua 5.1's own; see https://www.lua.org/manual/5.1/manual.html#pdf-%s", found.luaName, found.luaName), width, "", "  "))
	case len(found.docs) == 1:
		d := found.docs[0]
		b.WriteString(wrap(d.Sig, width, "", "    "))
		b.WriteString(wrap(d.Summary, width, "  ", "  "))
		b.WriteString(wrap(d.Example, width, "  example: ", "    "))
	case len(found.docs) > 1:
		for _, d := range found.docs {
			b.WriteString(wrap(d.Sig, width, "  ", "      "))
		}
		fmt.Fprintf(&b, "help(%q) shows one entry, with an example\n", typedName(found.docs[0]))
	default:
		what := "this " + typeName(v)
		if s, ok := v.(lua.LString); ok {
			what = fmt.Sprintf("%q", string(s))
		}
		fmt.Fprintf(&b, "no help for %s; help() lists what there is\n", what)
	}
	rt.stdout.Write([]byte(b.String()))
	return 0
}

// writeShapeHelp describes a value that has fields and no methods (an
// addr, an error): what it is, and its fields.
func writeShapeHelp(b *strings.Builder, s *shape, width int) {
	b.WriteString(wrap(s.doc, width, "", "  "))
	nameWidth := 0
	for _, f := range s.fields {
		nameWidth = max(nameWidth, len(f.name)+1)
	}
	for _, f := range s.fields {
		first := fmt.Sprintf("  %-*s  ", nameWidth, "."+f.name)
		b.WriteString(wrap(f.typ+": "+f.doc, width, first, strings.Repeat(" ", len(first))))
	}
}

// typedName is an entry's name as a user types it: "t:wait" (the receiver
// its signature uses), not the class's "task handle:wait"; "net.dial".
func typedName(d Doc) string {
	if _, method, ok := strings.Cut(d.Name, ":"); ok {
		if recv, _, ok := strings.Cut(callName(d.Sig), ":"); ok && recv != "" {
			return recv + ":" + method
		}
	}
	return d.Name
}

// entryShortName is an entry's name without its module or receiver: "dial",
// "read".
func entryShortName(d Doc) string {
	return d.Name[strings.LastIndexAny(d.Name, ".:")+1:]
}
