package bindings

import lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"

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

// A Module is a documented group of bindings: a Lua module (net, task), the
// methods of a userdata class (conn, listener), or the global functions.
type Module struct {
	Name    string // "net", or "conn" for a class
	Summary string
	Method  bool   // entries are methods (called with ':')
	Type    string // a class's type name, as its values' metatables say ("net.conn")
	Docs    []Doc
}

// globalsModule is the name of the Module of global functions (help,
// interact), whose entries are not qualified.
const globalsModule = "globals"

func docsOf(name, summary string, method bool, bs []binding) Module {
	m := Module{Name: name, Summary: summary, Method: method}
	prefix := name + "."
	switch {
	case method:
		prefix = name + ":"
	case name == globalsModule:
		prefix = ""
	}
	for _, b := range bs {
		m.Docs = append(m.Docs, Doc{Name: prefix + b.name, Sig: b.sig, Summary: b.doc, Example: b.example})
	}
	return m
}

func classDocsOf(name, summary string, c *class) Module {
	m := docsOf(name, summary, true, c.methods)
	m.Type = c.name
	return m
}

// Docs returns the documentation of every module and class, in the order
// help() lists them.
func Docs() []Module {
	return []Module{
		docsOf("net", netSummary, false, netFuncs),
		classDocsOf("conn", connSummary, connClass),
		classDocsOf("listener", listenerSummary, listenerClass),
		classDocsOf("packet conn", packetConnSummary, packetConnClass),
		classDocsOf("ip", ipSummary, ipClass),
		classDocsOf("ipnet", ipnetSummary, ipnetClass),
		docsOf("task", taskSummary, false, taskFuncs),
		classDocsOf("task handle", taskHandleSummary, taskClass),
		classDocsOf("chan", chanSummary, chanClass),
		docsOf("time", timeSummary, false, timeFuncs),
		docsOf("bin", binSummary, false, binFuncs),
		docsOf("bit", bitSummary, false, bitFuncs),
		docsOf("string", stringPackSummary, false, stringPackFuncs),
		docsOf("utf8", utf8Summary, false, utf8Funcs),
		docsOf("table", tableSummary, false, tableFuncs),
		docsOf("os", osStatSummary, false, osFuncs),
		docsOf("tls", tlsSummary, false, tlsFuncs),
		docsOf("tour", tourSummary, false, tourFuncs),
		docsOf("proc", procSummary, false, procFuncs),
		docsOf("pcap", pcapSummary, false, pcapFuncs),
		classDocsOf("pcap capture", captureSummary, captureClass),
		docsOf(globalsModule, globalsSummary, false, globalFuncs),
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
