package bindings

import lua "github.com/yuin/gopher-lua"

// A binding is one Lua-visible function or method: its Go implementation and
// its documentation, kept side by side so help(), docs/API.md and the code
// cannot drift apart.
type binding struct {
	name    string                          // Lua name within its module or class
	fn      func(*Runtime, *lua.LState) int // the implementation
	sig     string                          // signature as a user writes it
	doc     string                          // one line: what it does
	example string                          // a short example
}

// Doc is the documentation of one binding, as help() and the API reference show it.
type Doc struct {
	Name    string // qualified: "net.dial" or "conn:read"
	Sig     string
	Summary string
	Example string
}

// A Module is a documented group of bindings: a Lua module (net, task) or the
// methods of a userdata class (conn, listener).
type Module struct {
	Name    string // "net", or "conn" for a class
	Summary string
	Method  bool // entries are methods (called with ':')
	Docs    []Doc
}

func docsOf(name, summary string, method bool, bs []binding) Module {
	m := Module{Name: name, Summary: summary, Method: method}
	sep := "."
	if method {
		sep = ":"
	}
	for _, b := range bs {
		m.Docs = append(m.Docs, Doc{Name: name + sep + b.name, Sig: b.sig, Summary: b.doc, Example: b.example})
	}
	return m
}

// Docs returns the documentation of every module and class, in the order
// help() lists them.
func Docs() []Module {
	return []Module{
		docsOf("net", netSummary, false, netFuncs),
		docsOf("conn", connSummary, true, connMethods),
		docsOf("listener", listenerSummary, true, listenerMethods),
		docsOf("packet conn", packetConnSummary, true, packetConnMethods),
		docsOf("ip", ipSummary, true, ipMethods),
		docsOf("ipnet", ipnetSummary, true, ipnetMethods),
		docsOf("task", taskSummary, false, taskFuncs),
		docsOf("task handle", taskHandleSummary, true, taskMethods),
		docsOf("chan", chanSummary, true, chanMethods),
		docsOf("time", timeSummary, false, timeFuncs),
	}
}

// concatBindings joins the binding tables of one module kept in several files.
func concatBindings(tables ...[]binding) []binding {
	var all []binding
	for _, t := range tables {
		all = append(all, t...)
	}
	return all
}
