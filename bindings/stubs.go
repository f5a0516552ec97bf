package bindings

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/gonetrepl/gonetrepl/stdlib"
	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// Type stubs for lua-language-server: one ---@meta file per module in
// types/ at the repository root, rendered by TypeStubs from the same
// sources as help() and docs/API.md (Docs, stdlibDocs), the table shapes
// listed beside the bindings (fields.go) and the typing table of
// stubtypes.go. The .luarc.json at
// the root puts types/ on the workspace library, so an editor opened on the
// repository resolves net, tls, task, bin, http... in scripts/*.lua.
// TestTypeStubsUpToDate fails when types/ differs from TypeStubs();
// regenerate with
//
//	UPDATE_TYPE_STUBS=1 go test ./bindings -run TestTypeStubsUpToDate
//
// Results are written as lua-language-server reads a `nil, err` return:
// one ---@return per position, the success type made optional and err
// typed gonetrepl.error? (`---@return gonetrepl.conn? conn`, `---@return
// gonetrepl.error? err`), rather than ---@overload. An overload is chosen by
// its arguments, and both outcomes take the same ones, so the editor could
// not tell them apart; the positional form shows each result once with its
// name, and `assert(net.dial(...))` narrows the first to gonetrepl.conn.

// regenerateTypeStubs is the command that rewrites types/.
const regenerateTypeStubs = "UPDATE_TYPE_STUBS=1 go test ./bindings -run TestTypeStubsUpToDate"

// How a stub file declares its module's table.
const (
	globalModule      = iota // a global table, also require-able: net = {} ... return net
	libModule                // require only (stdlib): local http = {} ... return http
	extension                // functions added to a table Lua already has (string, os)
	globalFuncsModule        // global functions, no table (help, interact)
)

// A stubFile is one file of types/: the modules (by their name in Docs or
// stdlibDocs) it declares, with the table shapes and aliases that go beside
// them.
type stubFile struct {
	name    string // types/<name>.lua; the module's name for require
	kind    int
	modules []string
	shapes  []shape
	aliases []alias
}

// stubFiles lists every stub file, in the order of Docs and stdlibDocs.
// Every module of those must be in one of them.
func stubFiles() []stubFile {
	return []stubFile{
		{name: "net", kind: globalModule,
			modules: []string{"net", "conn", "listener", "packet conn", "ip", "ipnet"},
			shapes:  []shape{errorFields, addrFields, ipnetFields, dialOpts, lookupOpts, mxRecord, srvRecord, frameOptsShape, readFrameOptsShape, readOptsShape, readUntilOptsShape, writeOptsShape, expectOptsShape, exchangeOptsShape, multicastOptsShape, relayOptsShape, recordOptsShape, recordCounts},
			aliases: []alias{errorKindAlias(), {"gonetrepl.dial_network", "The networks of net.dial.", quoted(dialNetworks)},
				{"gonetrepl.listen_network", "The networks of net.listen.", quoted(listenNetworks)},
				{"gonetrepl.packet_network", "The networks of net.listen_packet.", quoted(packetNetworks)},
				{"gonetrepl.multicast_network", "The networks of net.listen_multicast.", quoted(multicastNetworks)},
				{"gonetrepl.resolve_network", "The networks of net.resolve_addr.", quoted(resolveNetworks)},
				{"gonetrepl.ip_network", "The networks of net.lookup_ip.", quoted(ipNetworks)},
				{"gonetrepl.port_network", "The networks of net.lookup_port.", quoted(portNetworks)},
				{"gonetrepl.trace_mode", "A socket's trace mode: off, escaped text, hexdump; nil follows net.trace.", []string{"false", `"text"`, `"hex"`, "nil"}},
			}},
		{name: "task", kind: globalModule, modules: []string{"task", "task handle", "chan"}, shapes: []shape{taskFields}},
		{name: "time", kind: globalModule, modules: []string{"time"}},
		{name: "bin", kind: globalModule, modules: []string{"bin"}},
		{name: "bit", kind: globalModule, modules: []string{"bit"}},
		{name: "string", kind: extension, modules: []string{"string"}},
		{name: "utf8", kind: globalModule, modules: []string{"utf8"}},
		{name: "table", kind: extension, modules: []string{"table"}},
		{name: "os", kind: extension, modules: []string{"os"}, shapes: []shape{statResult}},
		{name: "tls", kind: globalModule, modules: []string{"tls"}, shapes: []shape{tlsOpts, tlsState, certificate}},
		{name: "tour", kind: globalModule, modules: []string{"tour"}},
		{name: "proc", kind: globalModule, modules: []string{"proc"}, shapes: []shape{procOptsShape}},
		{name: "pcap", kind: globalModule, modules: []string{"pcap", "pcap capture"}, shapes: []shape{pcapOptsShape, pcapPacketShape, pcapStreamShape, pcapChunkShape}},
		{name: "globals", kind: globalFuncsModule, modules: []string{globalsModule}},
		{name: "flags", kind: libModule, modules: []string{"flags", "flags parser"}, shapes: []shape{flagsLimits}},
		{name: "http", kind: libModule, modules: []string{"http", "http client"}, shapes: httpShapes()},
		{name: "logf", kind: libModule, modules: []string{"logf"}},
		{name: "resp", kind: libModule, modules: []string{"resp", "resp client"}, shapes: []shape{respOpts, respErrorFields}},
		{name: "replay", kind: libModule, modules: []string{"replay"}, shapes: []shape{replayLoadOpts, replayOpts, replaySession, replayChunk, replayDivergence}},
		{name: "socks", kind: libModule, modules: []string{"socks"}, shapes: []shape{socksOpts, socksRequest}},
		{name: "websocket", kind: libModule, modules: []string{"websocket", "websocket socket"}, shapes: websocketShapes()},
	}
}

// errorKindAlias names the kinds of errorKindDocs, and those the stdlib
// modules add.
func errorKindAlias() alias {
	a := alias{name: "gonetrepl.error_kind", doc: "What went wrong, as err.kind says it: one short stable word."}
	for _, k := range errorKindDocs {
		a.values = append(a.values, fmt.Sprintf("%q # %s", k.kind, k.doc))
	}
	for _, k := range stdlibErrorKinds {
		a.values = append(a.values, fmt.Sprintf("%q # %s", k.kind, k.doc))
	}
	return a
}

// className is the class the stubs declare for a Module of methods:
// "packet conn" is gonetrepl.packet_conn.
func className(module string) string {
	return "gonetrepl." + localName(module)
}

// localName is the Lua name a stub gives a module's or class's table.
func localName(module string) string {
	return strings.ReplaceAll(module, " ", "_")
}

// A stubConst is a value field of a module (http.MAX_BODY), read from the
// loaded module, with the comment its Lua source gives it.
type stubConst struct {
	name  string
	value lua.LValue
	doc   string
}

// constDocs describe the value fields the bindings add in Go.
var constDocs = map[string]string{
	"string.MAX_SIZE": "The longest string, in bytes: a longer result raises a Lua error containing \"not enough memory\".",
	"resp.null":       "The null value: every RESP null decodes to it (`v == resp.null`); encoders write it as a null.",
	"http.REASONS":    "The reason phrase of each status code, for the replies http.serve writes.",
}

// optionDefaultDoc describes a field that is the default of an option of
// the same name in lower case (resp.MAX_BULK, opts.max_bulk).
func optionDefaultDoc(shapes []shape, name string) string {
	for _, s := range shapes {
		for _, fl := range s.fields {
			if s.opts && strings.ToUpper(fl.name) == name {
				return fmt.Sprintf("The default of opts.%s: %s.", fl.name, defaultNote().ReplaceAllString(fl.doc, ""))
			}
		}
	}
	return ""
}

// The stubs' regular expressions are compiled on first use: the stubs are
// made by a test and by help, and compiling them cost every start-up.
var defaultNote = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\s*\(default [^)]*\)`) })

// constComment finds the comment of a module field in its Lua source: the
// one that ends its assignment line (`http.TIMEOUT = 30 -- seconds ...`,
// or `TIMEOUT = 10, -- ...` in a table constructor), else the comment
// lines right above it.
func constComment(src, module, name string) string {
	assign := regexp.MustCompile(`^\s*(?:` + regexp.QuoteMeta(module) + `\.)?` + regexp.QuoteMeta(name) + `\s*=[^=]`)
	lines := strings.Split(src, "\n")
	for i, line := range lines {
		if !assign.MatchString(line) {
			continue
		}
		if _, c, ok := strings.Cut(line, "--"); ok {
			return strings.TrimSpace(c)
		}
		var above []string
		for j := i - 1; j >= 0 && strings.HasPrefix(strings.TrimSpace(lines[j]), "--"); j-- {
			above = append([]string{strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(lines[j]), "--"))}, above...)
		}
		return strings.Join(above, " ")
	}
	return ""
}

// TypeStubs renders every stub file: file name ("net.lua") to content. It
// fails, naming the binding, when a signature has a parameter or result
// the typing table cannot type, or a module is in no stub file.
func TypeStubs() (map[string]string, error) {
	consts, err := moduleConsts()
	if err != nil {
		return nil, err
	}
	return renderStubs(append(Docs(), stdlibDocs()...), stubFiles(), consts)
}

// moduleConsts loads every module into a fresh runtime and collects the
// fields of each that are not functions (string.MAX_SIZE, http.TIMEOUT,
// resp.null), sorted by name.
func moduleConsts() (map[string][]stubConst, error) {
	rt := New(Options{})
	defer rt.Close()
	rt.gil.Lock()
	defer rt.gil.Unlock()
	L := rt.L
	out := map[string][]stubConst{}
	for _, f := range stubFiles() {
		var tbl lua.LValue
		switch f.kind {
		case globalModule, extension:
			tbl = L.GetGlobal(f.name)
		case libModule:
			if err := L.CallByParam(lua.P{Fn: L.GetGlobal("require"), NRet: 1, Protect: true}, lua.LString(f.name)); err != nil {
				return nil, fmt.Errorf("stubs: require %q: %v", f.name, err)
			}
			tbl = L.Get(-1)
			L.Pop(1)
		default:
			continue
		}
		t, ok := tbl.(*lua.LTable)
		if !ok {
			return nil, fmt.Errorf("stubs: module %s is not a table", f.name)
		}
		var src string
		if f.kind == libModule {
			b, err := stdlib.Source(f.name)
			if err != nil {
				return nil, fmt.Errorf("stubs: %v", err)
			}
			src = string(b)
		}
		var cs []stubConst
		t.ForEach(func(k, v lua.LValue) {
			name, ok := k.(lua.LString)
			if !ok || !luaIdent().MatchString(string(name)) || strings.HasPrefix(string(name), "__") {
				return
			}
			switch v.(type) {
			case lua.LNumber, lua.LString, lua.LBool, *lua.LTable:
				doc := constDocs[f.name+"."+string(name)]
				if doc == "" && src != "" {
					doc = upperFirst(constComment(src, f.name, string(name)))
				}
				if doc == "" {
					doc = optionDefaultDoc(f.shapes, string(name))
				}
				cs = append(cs, stubConst{string(name), v, doc})
			}
		})
		sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
		out[f.name] = cs
	}
	return out, nil
}

var (
	luaIdent   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) })
	anchorLink = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\[([^\]]+)\]\(#[^)]*\)`) })
	wordsName  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]+( [a-z]+)+$`) }) // "packet conn"
)

// renderStubs renders files from the modules; consts are the value fields
// of each file's module.
func renderStubs(modules []Module, files []stubFile, consts map[string][]stubConst) (map[string]string, error) {
	byName := map[string]Module{}
	for _, m := range modules {
		byName[m.Name] = m
	}
	placed := map[string]bool{}
	out := map[string]string{}
	for _, f := range files {
		var ms []Module
		for _, name := range f.modules {
			m, ok := byName[name]
			if !ok {
				return nil, fmt.Errorf("stubs: %s.lua lists module %q, which is not documented", f.name, name)
			}
			placed[name] = true
			ms = append(ms, m)
		}
		text, err := renderStubFile(f, ms, consts[f.name])
		if err != nil {
			return nil, err
		}
		out[f.name+".lua"] = text
	}
	for _, m := range modules {
		if !placed[m.Name] {
			return nil, fmt.Errorf("stubs: module %q is in no stub file: add it to stubFiles (bindings/stubs.go)", m.Name)
		}
	}
	return out, nil
}

// stubWriter accumulates one stub file.
type stubWriter struct{ strings.Builder }

// doc writes text as --- comment lines (Markdown, as the editor renders
// it). A link to a heading of docs/API.md keeps its text only.
func (w *stubWriter) doc(text string) {
	text = anchorLink().ReplaceAllString(text, "$1")
	for _, line := range strings.Split(text, "\n") {
		w.WriteString(strings.TrimRight("---"+line, " ") + "\n")
	}
}

func renderStubFile(f stubFile, ms []Module, consts []stubConst) (string, error) {
	var w stubWriter
	meta := f.name
	if f.kind == extension || f.kind == globalFuncsModule {
		meta = "_" // cannot be required: it adds to what is there
	}
	fmt.Fprintf(&w, "---@meta %s\n\n", meta)
	fmt.Fprintf(&w, "-- Type stubs for lua-language-server, generated by bindings.TypeStubs() from the\n"+
		"-- binding tables and docs. Do not edit; regenerate with:\n--   %s\n\n", regenerateTypeStubs)

	for _, a := range f.aliases {
		w.doc(a.doc)
		fmt.Fprintf(&w, "---@alias %s\n", a.name)
		for _, v := range a.values {
			fmt.Fprintf(&w, "---| %s\n", anchorLink().ReplaceAllString(v, "$1"))
		}
		w.WriteString("\n")
	}
	shapes := map[string]shape{}
	for _, s := range f.shapes {
		shapes[s.class] = s
	}
	for _, s := range f.shapes {
		if slices.ContainsFunc(ms, func(m Module) bool { return m.Method && className(m.Name) == s.class }) {
			continue // the fields of a class of methods, written with it
		}
		writeShape(&w, s)
		w.WriteString("\n")
	}

	for _, m := range ms {
		var table string // the Lua expression functions are declared on
		switch {
		case m.Method:
			table = localName(m.Name)
			doc := upperFirst(m.Summary) + "."
			if m.Type != "" {
				doc += fmt.Sprintf(" Its metatable's __name is `%s`.", m.Type)
			}
			w.doc(doc)
			fmt.Fprintf(&w, "---@class %s\n", className(m.Name))
			if s, ok := shapes[className(m.Name)]; ok {
				writeFields(&w, s)
			}
			fmt.Fprintf(&w, "local %s = {}\n\n", table)
		case f.kind == globalModule:
			table = m.Name
			w.doc(upperFirst(m.Summary) + ".")
			fmt.Fprintf(&w, "%s = {}\n\n", table)
		case f.kind == libModule:
			table = m.Name
			w.doc(upperFirst(m.Summary) + ".")
			fmt.Fprintf(&w, "local %s = {}\n\n", table)
		case f.kind == extension:
			table = m.Name
			w.doc(upperFirst(m.Summary) + ".")
			w.WriteString("\n")
		}
		if !m.Method {
			for _, c := range consts {
				writeConst(&w, table, c)
			}
		}
		for _, d := range m.Docs {
			if err := writeFunc(&w, m, table, d); err != nil {
				return "", err
			}
		}
	}
	if f.kind == globalModule || f.kind == libModule {
		fmt.Fprintf(&w, "return %s\n", f.name)
	}
	return strings.TrimRight(w.String(), "\n") + "\n", nil
}

func writeShape(w *stubWriter, s shape) {
	if s.doc != "" {
		w.doc(s.doc)
	}
	if s.parent != "" {
		fmt.Fprintf(w, "---@class %s: %s\n", s.class, s.parent)
	} else {
		fmt.Fprintf(w, "---@class %s\n", s.class)
	}
	writeFields(w, s)
}

func writeFields(w *stubWriter, s shape) {
	for _, fl := range s.fields {
		name := fl.name
		if s.opts {
			name += "?"
		}
		fmt.Fprintf(w, "---@field %s %s %s\n", name, fl.typ, fl.doc)
	}
}

// writeConst declares a value field of a module with the value it has.
func writeConst(w *stubWriter, table string, c stubConst) {
	if c.doc != "" {
		w.doc(c.doc)
	}
	switch v := c.value.(type) {
	case lua.LNumber:
		if float64(v) == float64(int64(v)) {
			fmt.Fprintf(w, "---@type integer\n%s.%s = %d\n\n", table, c.name, int64(v))
		} else {
			fmt.Fprintf(w, "---@type number\n%s.%s = %s\n\n", table, c.name, v.String())
		}
	case lua.LString:
		fmt.Fprintf(w, "---@type string\n%s.%s = %s\n\n", table, c.name, luaQuote(string(v)))
	case lua.LBool:
		fmt.Fprintf(w, "---@type boolean\n%s.%s = %v\n\n", table, c.name, bool(v))
	default:
		fmt.Fprintf(w, "---@type table\n%s.%s = {}\n\n", table, c.name)
	}
}

// luaQuote writes s as a Lua 5.1 string literal.
func luaQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c > '~':
			fmt.Fprintf(&b, "\\%d", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// writeFunc writes one documented function or method: its description, the
// signature as the docs write it, the example, and its typed parameters
// and results.
func writeFunc(w *stubWriter, m Module, table string, d Doc) error {
	params, results, err := typeSig(d)
	if err != nil {
		return err
	}
	w.doc(fmt.Sprintf("`%s`\n\n%s\n\n```lua\n%s\n```", d.Sig, d.Summary, d.Example))
	var names []string
	for _, p := range params {
		fmt.Fprintf(w, "---@param %s %s", p.name, p.typ)
		if p.doc != "" {
			fmt.Fprintf(w, " %s", p.doc)
		}
		w.WriteString("\n")
		names = append(names, strings.TrimSuffix(p.name, "?"))
	}
	for _, r := range results {
		fmt.Fprintf(w, "---@return %s", r.typ)
		if r.name != "" {
			fmt.Fprintf(w, " %s", r.name)
		}
		if r.doc != "" {
			if r.name == "" {
				w.WriteString(" #")
			}
			fmt.Fprintf(w, " %s", r.doc)
		}
		w.WriteString("\n")
	}
	short := d.Name
	if i := strings.LastIndexAny(short, ".:"); i >= 0 {
		short = short[i+1:]
	}
	sep := "."
	if m.Method {
		sep = ":"
	}
	if table == "" {
		fmt.Fprintf(w, "function %s(%s) end\n\n", short, strings.Join(names, ", "))
	} else {
		fmt.Fprintf(w, "function %s%s%s(%s) end\n\n", table, sep, short, strings.Join(names, ", "))
	}
	return nil
}

// A sigToken is one parameter or result of a signature as written:
// "timeout", "{address, ...}", "'running'", "results...".
type sigToken struct {
	text     string
	optional bool // inside [ ]
}

// splitSig splits a parameter or result list at top-level commas, noting
// which items are inside [ ] (optional). Braces group a table's shorthand.
func splitSig(s string) []sigToken {
	var toks []sigToken
	var cur strings.Builder
	opt, brace := 0, 0
	startOpt := -1
	flush := func() {
		if t := strings.TrimSpace(cur.String()); t != "" {
			toks = append(toks, sigToken{text: t, optional: startOpt > 0})
		}
		cur.Reset()
		startOpt = -1
	}
	for _, r := range s {
		switch {
		case r == '[' && brace == 0:
			opt++
		case r == ']' && brace == 0:
			opt--
		case r == ',' && brace == 0:
			flush()
		default:
			if r == '{' {
				brace++
			} else if r == '}' {
				brace--
			}
			if startOpt < 0 && r != ' ' {
				startOpt = opt
			}
			cur.WriteRune(r)
		}
	}
	flush()
	return toks
}

// splitAlternatives splits a result list at its top-level |: "conn | nil,
// err" is two outcomes. A | inside [ ] or { } stays.
func splitAlternatives(s string) []string {
	var alts []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		case '|':
			if depth == 0 {
				alts = append(alts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(alts, s[start:])
}

// typeSig types the parameters and results of d's signature.
func typeSig(d Doc) (params, results []stubParam, err error) {
	open := strings.Index(d.Sig, "(")
	closing := strings.LastIndex(d.Sig, ")")
	if open < 0 || closing < open {
		return nil, nil, fmt.Errorf("stubs: %s: signature %q has no parameter list", d.Name, d.Sig)
	}
	if ps, ok := paramLists[d.Name]; ok {
		params = ps
	} else {
		for _, tok := range splitSig(d.Sig[open+1 : closing]) {
			p, err := typeParam(d.Name, tok)
			if err != nil {
				return nil, nil, err
			}
			params = append(params, p)
		}
	}
	_, res, hasResults := strings.Cut(d.Sig[closing:], "->")
	switch rs, ok := resultLists[d.Name]; {
	case ok:
		results = rs
	case hasResults:
		if results, err = typeResults(d.Name, strings.TrimSpace(res)); err != nil {
			return nil, nil, err
		}
	}
	return params, results, nil
}

// typeParam types one parameter: "timeout", "secs | false", "...".
func typeParam(binding string, tok sigToken) (stubParam, error) {
	var types []string
	name := ""
	optional := tok.optional
	for _, part := range strings.Split(tok.text, "|") {
		part = strings.TrimSpace(part)
		switch {
		case part == "nil":
			optional = true
			continue
		case part == "...":
			name = "..."
		case strings.HasSuffix(part, "...") && luaIdent().MatchString(strings.TrimSuffix(part, "...")):
			// "x2...": more of the same, typed as x2 is.
			name = "..."
			part = strings.TrimSuffix(part, "...")
		case name == "" && luaIdent().MatchString(part) && part != "true" && part != "false":
			name = part
		}
		t, ok := lookupType(binding, part, paramOverrides, paramTypes)
		if !ok {
			return stubParam{}, fmt.Errorf("stubs: %s: cannot type parameter %q: add it to paramTypes or paramOverrides (bindings/stubtypes.go)", binding, part)
		}
		types = appendType(types, t)
	}
	if name == "" {
		return stubParam{}, fmt.Errorf("stubs: %s: parameter %q has no name", binding, tok.text)
	}
	if optional && name != "..." {
		name += "?"
	}
	return stubParam{name: name, typ: strings.Join(types, "|")}, nil
}

// typeResults merges the outcomes of a result list position by position:
// "conn | nil, err" is conn: gonetrepl.conn?, err: gonetrepl.error?.
func typeResults(binding, res string) ([]stubParam, error) {
	var alts [][]sigToken
	width := 0
	for _, a := range splitAlternatives(res) {
		toks := splitSig(a)
		alts = append(alts, toks)
		width = max(width, len(toks))
	}
	var out []stubParam
	for i := range width {
		var types, names []string
		optional, vararg := false, false
		for _, alt := range alts {
			if i >= len(alt) {
				optional = true
				continue
			}
			tok := alt[i]
			optional = optional || tok.optional
			text := tok.text
			if text == "nil" {
				optional = true
				continue
			}
			if base, ok := strings.CutSuffix(text, "..."); ok {
				vararg, text = true, base
			}
			t, ok := lookupType(binding, text, resultOverrides, resultTypes)
			if !ok {
				return nil, fmt.Errorf("stubs: %s: cannot type result %q: add it to resultTypes or resultOverrides (bindings/stubtypes.go)", binding, text)
			}
			types = appendType(types, t)
			if wordsName().MatchString(text) {
				text = strings.ReplaceAll(text, " ", "_")
			}
			if luaIdent().MatchString(text) && !typeWords[text] && !slices.Contains(names, text) {
				names = append(names, text)
			}
		}
		if slices.Contains(types, "true") && slices.Contains(types, "false") {
			types = slices.DeleteFunc(types, func(t string) bool { return t == "true" || t == "false" })
			types = appendType(types, "boolean")
		}
		typ := strings.Join(types, "|")
		switch {
		case !optional || typ == "any":
		case len(types) == 1 && !strings.Contains(typ, "|"):
			typ += "?"
		default:
			typ += "|nil"
		}
		name := strings.Join(names, "_or_")
		if vararg {
			name = "..."
		}
		out = append(out, stubParam{name: name, typ: typ})
	}
	return out, nil
}

// typeWords are result names that only say the type ("-> boolean"): they
// give the result no name.
var typeWords = map[string]bool{"true": true, "false": true, "boolean": true, "string": true, "number": true, "integer": true, "table": true}

// lookupType types a name: the binding's override first, then the common
// table, then a literal (true, false, 'running').
func lookupType(binding, name string, overrides map[string]map[string]string, common map[string]string) (string, bool) {
	if t, ok := overrides[binding][name]; ok {
		return t, true
	}
	if t, ok := common[name]; ok {
		return t, true
	}
	switch {
	case name == "true" || name == "false":
		return name, true
	case len(name) >= 2 && (name[0] == '\'' || name[0] == '"') && name[len(name)-1] == name[0]:
		return `"` + name[1:len(name)-1] + `"`, true
	}
	return "", false
}

func appendType(types []string, t string) []string {
	if slices.Contains(types, t) {
		return types
	}
	return append(types, t)
}
