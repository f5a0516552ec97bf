package bindings

// Tables with named keys, as a binding takes them (an options table) or
// returns them (a TLS state, an MX record), listed key by key beside the
// binding that reads or writes them. The type stubs declare each as a
// class (stubs.go); TestTableShapesMatchCode checks the keys of a shape
// whose code names a Go function against the literal keys that function
// reads or writes, so a new option cannot be read without being listed.

// A field is one key of a table: its Lua type as the type stubs write it
// ("number", "string|string[]", "gonetrepl.addr") and one line.
type field struct {
	name string
	typ  string
	doc  string
}

// A shape is a table type the stubs declare as a ---@class.
type shape struct {
	class  string // "gonetrepl.dial_opts"
	parent string // a class whose fields it has too, or ""
	doc    string
	opts   bool   // an options table: every field may be left out
	code   string // the Go functions (comma-separated) that read (opts) or write its keys, or "" when none does it by name
	fields []field
}

// An alias is a set of string (or false) values the stubs name as a type,
// so that an editor completes them: the network names, the error kinds.
type alias struct {
	name   string // "gonetrepl.dial_network"
	doc    string
	values []string // Lua literals as written: `"tcp"`, `false`
}

// quoted writes each string as a Lua string literal.
func quoted(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = `"` + s + `"`
	}
	return out
}
