package bindings

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/peer"
)

const typesDir = "../types"

// TestTypeStubsUpToDate checks that types/ holds exactly what TypeStubs()
// renders now. With UPDATE_TYPE_STUBS=1 it rewrites the directory instead.
func TestTypeStubsUpToDate(t *testing.T) {
	files, err := TypeStubs()
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("UPDATE_TYPE_STUBS") == "1" {
		if err := os.MkdirAll(typesDir, 0o755); err != nil {
			t.Fatal(err)
		}
		old, _ := filepath.Glob(filepath.Join(typesDir, "*.lua"))
		for _, p := range old {
			if _, keep := files[filepath.Base(p)]; !keep {
				if err := os.Remove(p); err != nil {
					t.Fatal(err)
				}
			}
		}
		for name, text := range files {
			if err := os.WriteFile(filepath.Join(typesDir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("wrote %d files in %s", len(files), typesDir)
		return
	}
	onDisk, err := filepath.Glob(filepath.Join(typesDir, "*.lua"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range onDisk {
		if _, ok := files[filepath.Base(p)]; !ok {
			t.Errorf("%s is not generated any more: remove it, or regenerate with: %s", p, regenerateTypeStubs)
		}
	}
	for _, name := range sortedKeys(files) {
		p := filepath.Join(typesDir, name)
		want, err := os.ReadFile(p)
		if err != nil {
			t.Errorf("%v\ncreate it with: %s", err, regenerateTypeStubs)
			continue
		}
		if got := files[name]; string(want) != got {
			line := firstDifference(string(want), got)
			t.Errorf("%s is stale: it differs from TypeStubs() at line %d:\n  file:   %q\n  source: %q\nregenerate it with: %s",
				p, line+1, lineAt(string(want), line), lineAt(got, line), regenerateTypeStubs)
		}
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func firstDifference(a, b string) int {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	i := 0
	for i < len(al) && i < len(bl) && al[i] == bl[i] {
		i++
	}
	return i
}

func lineAt(s string, i int) string {
	lines := strings.Split(s, "\n")
	if i < len(lines) {
		return lines[i]
	}
	return "(end of file)"
}

// TestTypeStubsParse compiles every stub file with Debian's luac5.3 -p:
// a stub that does not parse is ignored by the editor. ./test.sh installs
// lua5.3; on CI a missing luac5.3 fails the test.
func TestTypeStubsParse(t *testing.T) {
	luac := peer.Find(t, "luac5.3", "lua5.3")
	files, err := TypeStubs()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var paths []string
	for _, name := range sortedKeys(files) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(files[name]), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	if out, err := exec.Command(luac, append([]string{"-p"}, paths...)...).CombinedOutput(); err != nil {
		t.Fatalf("luac5.3 -p: %v\n%s", err, out)
	}
	// The check can fail: a stub with a syntax error is refused.
	bad := filepath.Join(dir, "bad.lua")
	if err := os.WriteFile(bad, []byte("---@meta\nfunction net.dial(network, end\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := exec.Command(luac, "-p", bad).Run(); err == nil {
		t.Fatal("luac5.3 -p accepted a file with a syntax error")
	}
}

// TestTypeStubsCoverDocs checks that every module, class and function of
// Docs() and stdlibDocs() is declared in the stubs, with the class a
// signature's results name declared somewhere too.
func TestTypeStubsCoverDocs(t *testing.T) {
	files, err := TypeStubs()
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, name := range sortedKeys(files) {
		all.WriteString(files[name])
	}
	text := all.String()
	for _, m := range append(Docs(), stdlibDocs()...) {
		if m.Method {
			if !strings.Contains(text, "\n---@class "+className(m.Name)+"\n") {
				t.Errorf("class %s (module %q) is not declared", className(m.Name), m.Name)
			}
		}
		for _, d := range m.Docs {
			var decl string
			switch {
			case m.Method:
				decl = "function " + localName(m.Name) + ":" + strings.TrimPrefix(d.Name, m.Name+":") + "("
			case m.Name == globalsModule:
				decl = "function " + d.Name + "("
			default:
				decl = "function " + d.Name + "("
			}
			if !strings.Contains(text, "\n"+decl) {
				t.Errorf("%s: no %q in the stubs", d.Name, decl)
			}
		}
	}
	// Every gonetrepl.* type the stubs use is declared by them.
	declared := map[string]bool{}
	for _, m := range regexp.MustCompile(`---@(?:class|alias) (gonetrepl\.[a-z_]+)`).FindAllStringSubmatch(text, -1) {
		declared[m[1]] = true
	}
	for _, m := range regexp.MustCompile(`gonetrepl\.[a-z_]+`).FindAllString(text, -1) {
		if !declared[m] {
			t.Errorf("type %s is used but not declared", m)
			declared[m] = true // once
		}
	}
}

// TestTypeStubsRefuseUntyped checks that a signature with a name the typing
// table lacks is an error naming the binding, not an `any`.
func TestTypeStubsRefuseUntyped(t *testing.T) {
	for _, c := range []struct{ sig, want string }{
		{"net.frob(widget) -> n", `net.frob: cannot type parameter "widget"`},
		{"net.frob(data) -> gizmo | nil, err", `net.frob: cannot type result "gizmo"`},
		{"net.frob(data [, opts])", `net.frob: cannot type parameter "opts"`},
	} {
		m := Module{Name: "net", Docs: []Doc{{Name: "net.frob", Sig: c.sig, Summary: "Frobs.", Example: "net.frob()"}}}
		_, err := renderStubs([]Module{m}, []stubFile{{name: "net", kind: globalModule, modules: []string{"net"}}}, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got error %v, want one containing %q", c.sig, err, c.want)
		}
	}
	m := Module{Name: "gizmo", Summary: "a gizmo", Docs: []Doc{{Name: "gizmo.x", Sig: "gizmo.x()", Summary: "X.", Example: "gizmo.x()"}}}
	_, err := renderStubs([]Module{m}, nil, nil)
	if err == nil || !strings.Contains(err.Error(), `module "gizmo" is in no stub file`) {
		t.Errorf("a module in no stub file: got %v", err)
	}
}

// TestTypeStubsResults checks how a few signatures are typed: the nil, err
// convention, optional parameters, unions and literals.
func TestTypeStubsResults(t *testing.T) {
	files, err := TypeStubs()
	if err != nil {
		t.Fatal(err)
	}
	for file, wants := range map[string][]string{
		"net.lua": {
			"---@param network gonetrepl.dial_network\n---@param address string|gonetrepl.addr\n---@param opts? gonetrepl.dial_opts\n" +
				"---@return gonetrepl.conn? conn\n---@return gonetrepl.error? err\nfunction net.dial(network, address, opts) end\n",
			"---@param max? integer|gonetrepl.read_opts\n---@param opts? gonetrepl.read_opts\n---@return string? data\n---@return gonetrepl.error? err\nfunction conn:read(max, opts) end\n",
			"---@param secs number|false\n",
			"---@return string? data\n---@return gonetrepl.addr|gonetrepl.error addr_or_err\n---@return boolean? truncated\nfunction packet_conn:read_from(max) end\n",
			"---@return gonetrepl.packet_conn? packet_conn\n",
			"---@field timeout? number ",
			"---| \"timeout\" # ",
		},
		"task.lua": {
			"---@return \"running\"|\"done\"|\"failed\"|\"canceled\"\nfunction task_handle:status() end\n",
			"---@return any v\n---@return boolean\n---@return gonetrepl.error? err\nfunction chan:recv(timeout) end\n",
		},
		"http.lua":   {"---@meta http\n", "\nreturn http\n", "---@type integer\nhttp.TIMEOUT = 30\n"},
		"string.lua": {"---@meta _\n", "---@type integer\nstring.MAX_SIZE = "},
	} {
		for _, want := range wants {
			if !strings.Contains(files[file], want) {
				t.Errorf("%s lacks:\n%s", file, want)
			}
		}
	}
}

// TestTableShapesMatchCode checks each table shape whose code names Go
// functions or variables (a comma-separated list, when a helper reads some
// of the keys) against the keys that code names literally: options
// read with fieldSeconds, fieldString, fieldBool, fieldCount or
// RawGetString, results written with RawSetString, fields served by a
// class's index (case "key", key == "key"). A shape whose code is
// "stdlib/FILE.lua:VAR[,VAR]" is checked against the VAR.key reads of that
// Lua file (outside comments); a shape's keys include its parent's. It also checks that every Go function reading options is some
// shape's code, so a new options table cannot go unlisted.
func TestTableShapesMatchCode(t *testing.T) {
	goKeys, readers := literalKeys(t)
	var shapes []shape
	for _, f := range stubFiles() {
		shapes = append(shapes, f.shapes...)
	}
	parents := map[string]shape{}
	for _, s := range shapes {
		parents[s.class] = s
	}
	coded := map[string]bool{}
	for _, s := range shapes {
		if s.code == "" {
			continue
		}
		coded[s.code] = true
		var have []string
		if file, variable, ok := strings.Cut(s.code, ":"); ok && strings.HasPrefix(file, "stdlib/") {
			src, err := os.ReadFile("../" + file)
			if err != nil {
				t.Fatal(err)
			}
			re := regexp.MustCompile(`\b(?:` + strings.ReplaceAll(variable, ",", "|") + `)\.([a-z_][a-z_0-9]*)`)
			for _, line := range strings.Split(string(src), "\n") {
				if strings.HasPrefix(strings.TrimSpace(line), "--") {
					continue
				}
				for _, m := range re.FindAllStringSubmatch(line, -1) {
					have = append(have, m[1])
				}
			}
		} else {
			for _, fn := range strings.Split(s.code, ",") {
				keys, ok := goKeys[fn]
				if !ok {
					t.Errorf("%s: code %s is no function or variable of bindings that names a key", s.class, fn)
					continue
				}
				have = append(have, keys...)
				coded[fn] = true
			}
		}
		slices.Sort(have)
		have = slices.Compact(have)
		var listed []string
		for _, f := range slices.Concat(parents[s.parent].fields, s.fields) {
			listed = append(listed, strings.TrimSuffix(f.name, "?"))
		}
		slices.Sort(listed)
		if !slices.Equal(have, listed) {
			t.Errorf("%s: %s names the keys %v, the shape lists %v", s.class, s.code, have, listed)
		}
	}
	for _, r := range readers {
		if !coded[r] {
			t.Errorf("%s reads an options table but no shape lists its options (see fields.go)", r)
		}
	}
	if len(readers) < 5 {
		t.Errorf("found only %d options readers (%v): the scan is broken", len(readers), readers)
	}
}

// fieldHelpers are the functions that read a field of an options table;
// their fourth argument is the key.
var fieldHelpers = map[string]bool{"fieldSeconds": true, "fieldString": true, "fieldBool": true, "fieldCount": true}

// literalKeys parses the package's Go files and returns, for each
// top-level function and variable, the table keys it names literally; and
// the functions that read an options table's fields.
func literalKeys(t *testing.T) (map[string][]string, []string) {
	fset := token.NewFileSet()
	paths, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string][]string{}
	var readers []string
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			var names []string
			var node ast.Node
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Body == nil {
					continue
				}
				names, node = []string{d.Name.Name}, d.Body
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					if vs, ok := spec.(*ast.ValueSpec); ok {
						for _, n := range vs.Names {
							names = append(names, n.Name)
						}
					}
				}
				node = d
			}
			if node == nil || len(names) == 0 {
				continue
			}
			var found []string
			reads := false
			lit := func(e ast.Expr) {
				if bl, ok := e.(*ast.BasicLit); ok && bl.Kind == token.STRING {
					if s, err := strconv.Unquote(bl.Value); err == nil {
						found = append(found, s)
					}
				}
			}
			isKey := func(e ast.Expr) bool { id, ok := e.(*ast.Ident); return ok && id.Name == "key" }
			ast.Inspect(node, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					switch fn := n.Fun.(type) {
					case *ast.Ident:
						if fieldHelpers[fn.Name] && len(n.Args) >= 4 {
							lit(n.Args[3])
							reads = true
						}
					case *ast.SelectorExpr:
						if (fn.Sel.Name == "RawGetString" || fn.Sel.Name == "RawSetString") && len(n.Args) >= 1 {
							if id, ok := fn.X.(*ast.Ident); ok && id.Name == "opts" {
								reads = true
							}
							if id, ok := fn.X.(*ast.Ident); !ok || id.Name != "mt" {
								lit(n.Args[0])
							}
						}
					}
				case *ast.SwitchStmt:
					if isKey(n.Tag) {
						for _, c := range n.Body.List {
							for _, e := range c.(*ast.CaseClause).List {
								lit(e)
							}
						}
					}
				case *ast.BinaryExpr:
					if n.Op == token.EQL && isKey(n.X) {
						lit(n.Y)
					}
				}
				return true
			})
			for _, name := range names {
				if len(found) > 0 {
					keys[name] = found
				}
				if reads && !fieldHelpers[name] {
					readers = append(readers, name)
				}
			}
		}
	}
	return keys, readers
}

// TestLuarcPointsAtStubs checks the .luarc.json at the root: Lua 5.1 (what
// gopher-lua runs), types/ on the workspace library, and pathStrict, so
// that require "http" resolves to types/http.lua and not to the untyped
// stdlib/http.lua (without it the server matches any file whose path ends
// in /http.lua).
func TestLuarcPointsAtStubs(t *testing.T) {
	raw, err := os.ReadFile("../.luarc.json")
	if err != nil {
		t.Fatal(err)
	}
	var rc struct {
		Runtime struct {
			Version    string `json:"version"`
			PathStrict bool   `json:"pathStrict"`
		} `json:"runtime"`
		Workspace struct {
			Library []string `json:"library"`
		} `json:"workspace"`
	}
	if err := json.Unmarshal(raw, &rc); err != nil {
		t.Fatalf(".luarc.json: %v", err)
	}
	if rc.Runtime.Version != "Lua 5.1" || !rc.Runtime.PathStrict {
		t.Errorf(".luarc.json: runtime %+v, want version \"Lua 5.1\" and pathStrict true", rc.Runtime)
	}
	if !slices.Contains(rc.Workspace.Library, filepath.Base(typesDir)) {
		t.Errorf(".luarc.json: workspace.library %q lacks %q", rc.Workspace.Library, filepath.Base(typesDir))
	}
}

// TestTypeStubsAnnotations reads every annotation of the stubs as
// lua-language-server does, taking its type off the front of the line: the
// type must parse (unions, T[], T?, literals, fun(...): ..., table<K, V>),
// name only built-in types, literals and the gonetrepl.* classes and
// aliases the stubs declare, and be followed by nothing or by a space; the
// ---@param lines of a function name its parameters in order.
func TestTypeStubsAnnotations(t *testing.T) {
	files, err := TypeStubs()
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]bool{}
	for _, text := range files {
		for _, m := range regexp.MustCompile(`---@(?:class|alias) (gonetrepl\.[a-z_]+)`).FindAllStringSubmatch(text, -1) {
			declared[m[1]] = true
		}
	}
	paramLine := regexp.MustCompile(`^---@param (\.\.\.|[A-Za-z_][A-Za-z0-9_]*\??) (.*)$`)
	returnLine := regexp.MustCompile(`^---@return (.*)$`)
	fieldLine := regexp.MustCompile(`^---@field ([A-Za-z_][A-Za-z0-9_]*\??) (.*)$`)
	typeLine := regexp.MustCompile(`^---@type (.*)$`)
	aliasValue := regexp.MustCompile(`^---\| (.*)$`)
	funcLine := regexp.MustCompile(`^function [A-Za-z0-9_.:]+\(([^)]*)\) end$`)
	checked := 0
	for _, name := range sortedKeys(files) {
		var params []string
		for i, line := range strings.Split(files[name], "\n") {
			where := func() string { return name + ":" + strconv.Itoa(i+1) }
			var typ string
			switch {
			case strings.HasPrefix(line, "---@param"):
				m := paramLine.FindStringSubmatch(line)
				if m == nil {
					t.Errorf("%s: malformed %q", where(), line)
					continue
				}
				params = append(params, strings.TrimSuffix(m[1], "?"))
				typ = m[2]
			case returnLine.MatchString(line):
				typ = returnLine.FindStringSubmatch(line)[1]
			case fieldLine.MatchString(line):
				typ = fieldLine.FindStringSubmatch(line)[2]
			case typeLine.MatchString(line):
				typ = typeLine.FindStringSubmatch(line)[1]
			case aliasValue.MatchString(line):
				typ = aliasValue.FindStringSubmatch(line)[1]
			case strings.HasPrefix(line, "function "):
				m := funcLine.FindStringSubmatch(line)
				if m == nil {
					t.Errorf("%s: malformed %q", where(), line)
					continue
				}
				var args []string
				if m[1] != "" {
					args = strings.Split(m[1], ", ")
				}
				if !slices.Equal(args, params) {
					t.Errorf("%s: %s has ---@param %v", where(), line, params)
				}
				params = nil
				continue
			case strings.HasPrefix(line, "---@") && !strings.HasPrefix(line, "---@meta ") &&
				!strings.HasPrefix(line, "---@class ") && !strings.HasPrefix(line, "---@alias "):
				t.Errorf("%s: unexpected annotation %q", where(), line)
				continue
			default:
				continue
			}
			p := &typeParser{s: typ, declared: declared}
			p.union()
			if p.err == "" && p.i < len(p.s) && p.s[p.i] != ' ' {
				p.fail("a space or the end after the type")
			}
			if p.err != "" {
				t.Errorf("%s: %q: %s", where(), line, p.err)
			}
			checked++
		}
	}
	if checked < 300 {
		t.Errorf("checked only %d annotations", checked)
	}
	// The parser refuses what it should.
	for _, bad := range []string{"stirng", "gonetrepl.nothing", "string|", "fun(c gonetrepl.conn)", "fun(c: gonetrepl.conn", "table<string>", "string)x"} {
		p := &typeParser{s: bad, declared: declared}
		p.union()
		if p.err == "" && p.i < len(p.s) && p.s[p.i] != ' ' {
			p.fail("end")
		}
		if p.err == "" {
			t.Errorf("type %q accepted", bad)
		}
	}
}

// builtinTypes are the type names lua-language-server knows by itself.
var builtinTypes = map[string]bool{
	"nil": true, "any": true, "boolean": true, "string": true, "number": true, "integer": true,
	"function": true, "table": true, "thread": true, "userdata": true, "true": true, "false": true,
}

// typeParser reads one type expression from the front of s, as the stubs
// write them; err says what was wrong.
type typeParser struct {
	s        string
	i        int
	declared map[string]bool
	err      string
}

func (p *typeParser) fail(want string) {
	if p.err == "" {
		p.err = "at " + strconv.Itoa(p.i) + ": " + want + " expected"
	}
}

func (p *typeParser) peek(c byte) bool { return p.i < len(p.s) && p.s[p.i] == c }

func (p *typeParser) eat(c byte) bool {
	if p.peek(c) {
		p.i++
		return true
	}
	return false
}

// spaces skips blanks inside brackets, where they are allowed.
func (p *typeParser) spaces() {
	for p.peek(' ') {
		p.i++
	}
}

var (
	typeIdent  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*`)
	typeString = regexp.MustCompile(`^"[^"]*"`)
	typeInt    = regexp.MustCompile(`^[0-9]+`)
)

func (p *typeParser) union() {
	p.postfix()
	for p.err == "" && p.eat('|') {
		p.postfix()
	}
}

func (p *typeParser) postfix() {
	p.primary()
	for p.err == "" {
		switch {
		case strings.HasPrefix(p.s[p.i:], "[]"):
			p.i += 2
		case p.eat('?'):
		default:
			return
		}
	}
}

func (p *typeParser) primary() {
	rest := p.s[p.i:]
	switch {
	case p.eat('('):
		p.union()
		if !p.eat(')') {
			p.fail(")")
		}
	case strings.HasPrefix(rest, "fun("):
		p.i += 4
		for p.err == "" && !p.peek(')') {
			p.spaces()
			if strings.HasPrefix(p.s[p.i:], "...") {
				p.i += 3
			} else if m := typeIdent.FindString(p.s[p.i:]); m != "" && !strings.Contains(m, ".") {
				p.i += len(m)
			} else {
				p.fail("a parameter name")
				return
			}
			p.eat('?')
			if !p.eat(':') {
				p.fail(":")
				return
			}
			p.spaces()
			p.union()
			p.spaces()
			if !p.eat(',') && !p.peek(')') {
				p.fail(", or )")
			}
		}
		if !p.eat(')') {
			p.fail(")")
			return
		}
		if p.eat(':') {
			p.spaces()
			p.union()
			for p.err == "" && p.eat(',') {
				p.spaces()
				p.union()
			}
		}
	case strings.HasPrefix(rest, "table<"):
		p.i += 6
		p.union()
		if !p.eat(',') {
			p.fail(",")
			return
		}
		p.spaces()
		p.union()
		if !p.eat('>') {
			p.fail(">")
		}
	case typeString.MatchString(rest):
		p.i += len(typeString.FindString(rest))
	case typeInt.MatchString(rest):
		p.i += len(typeInt.FindString(rest))
	case typeIdent.MatchString(rest):
		name := typeIdent.FindString(rest)
		if !builtinTypes[name] && !p.declared[name] {
			p.fail("a known type, not " + strconv.Quote(name) + ",")
		}
		p.i += len(name)
	default:
		p.fail("a type")
	}
}

// lua51Globals are the globals of Lua 5.1, which lua-language-server's
// "Lua 5.1" runtime declares itself, and the members it knows of the
// standard tables the bindings add to (string, os, table).
var (
	lua51Globals = strings.Fields(`_G _VERSION arg assert collectgarbage coroutine debug dofile error
		getfenv getmetatable io ipairs load loadfile loadstring math module next os package pairs
		pcall print rawequal rawget rawset require select setfenv setmetatable string table
		tonumber tostring type unpack xpcall`)
	lua51Members = map[string][]string{
		"string": strings.Fields("byte char dump find format gmatch gsub len lower match rep reverse sub upper"),
		"os":     strings.Fields("clock date difftime execute exit getenv remove rename setlocale time tmpname"),
		"table":  strings.Fields("concat foreachi foreach getn insert maxn remove setn sort"),
	}
)

// TestScriptsResolveAgainstStubs reads the bundled scripts' bytecode
// (luac5.3 -l) for the globals they read, the fields they take of the
// modules the stubs declare (net.dial, string.pack) and the modules they
// require, and checks that Lua 5.1 or the stubs declare each: what an
// editor opened on the repository resolves, as .luarc.json sets it up.
func TestScriptsResolveAgainstStubs(t *testing.T) {
	luac := peer.Find(t, "luac5.3", "lua5.3")
	files, err := TypeStubs()
	if err != nil {
		t.Fatal(err)
	}
	globals := map[string]bool{}
	for _, g := range lua51Globals {
		globals[g] = true
	}
	members := map[string]map[string]bool{} // module -> declared fields
	requirable := map[string]bool{}
	for _, f := range stubFiles() {
		text := files[f.name+".lua"]
		switch f.kind {
		case globalModule:
			globals[f.name] = true
			requirable[f.name] = true
		case libModule:
			requirable[f.name] = true
		case globalFuncsModule:
			for _, m := range regexp.MustCompile(`(?m)^function ([A-Za-z_][A-Za-z0-9_]*)\(`).FindAllStringSubmatch(text, -1) {
				globals[m[1]] = true
			}
			continue
		}
		fields := map[string]bool{}
		for _, m := range lua51Members[f.name] {
			fields[m] = true
		}
		q := regexp.QuoteMeta(f.name)
		for _, m := range regexp.MustCompile(`(?m)^(?:function `+q+`\.([A-Za-z_][A-Za-z0-9_]*)\(|`+q+`\.([A-Za-z_][A-Za-z0-9_]*) = )`).FindAllStringSubmatch(text, -1) {
			fields[m[1]+m[2]] = true
		}
		members[f.name] = fields
	}

	scripts, err := filepath.Glob("../scripts/*.lua")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	global := regexp.MustCompile(`GETTABUP\s+(\d+) 0 -?\d+\s+; _ENV "([^"]+)"`)
	field := regexp.MustCompile(`(?:GETTABLE|SELF)\s+\d+ (\d+) -?\d+\s+; "([^"]+)"`)
	constant := regexp.MustCompile(`LOADK\s+\d+ -?\d+\s+; "([^"]+)"`)
	uses := 0
	for _, script := range scripts {
		out, err := exec.Command(luac, "-p", "-l", script).CombinedOutput()
		if err != nil {
			t.Fatalf("luac5.3 -l %s: %v\n%s", script, err, out)
		}
		lines := strings.Split(string(out), "\n")
		for i, line := range lines {
			g := global.FindStringSubmatch(line)
			if g == nil {
				continue
			}
			reg, name := g[1], g[2]
			uses++
			if !globals[name] {
				t.Errorf("%s uses the global %s, which neither Lua 5.1 nor the stubs declare", script, name)
				continue
			}
			if i+1 >= len(lines) {
				continue
			}
			next := lines[i+1]
			if f := field.FindStringSubmatch(next); f != nil && f[1] == reg {
				if fields, ok := members[name]; ok && !fields[f[2]] {
					t.Errorf("%s uses %s.%s, which the stubs do not declare", script, name, f[2])
				}
			}
			if c := constant.FindStringSubmatch(next); c != nil && name == "require" && !requirable[c[1]] {
				t.Errorf("%s requires %q, which no stub declares", script, c[1])
			}
		}
	}
	if uses < 100 {
		t.Errorf("found only %d global reads in the scripts: the scan is broken", uses)
	}
}

// TestTypingTableHasNoStaleEntries checks that every per-binding entry of
// the typing table (stubtypes.go) names a documented binding and a name its
// signature uses, so the table cannot keep types for what is gone.
func TestTypingTableHasNoStaleEntries(t *testing.T) {
	docs := map[string]Doc{}
	for _, m := range append(Docs(), stdlibDocs()...) {
		for _, d := range m.Docs {
			docs[d.Name] = d
		}
	}
	namesOf := func(d Doc, results bool) map[string]bool {
		open, closing := strings.Index(d.Sig, "("), strings.LastIndex(d.Sig, ")")
		names := map[string]bool{}
		if !results {
			for _, tok := range splitSig(d.Sig[open+1 : closing]) {
				for _, part := range strings.Split(tok.text, "|") {
					part = strings.TrimSpace(part)
					names[part] = true
					names[strings.TrimSuffix(part, "...")] = true // x2... is typed as x2
				}
			}
			return names
		}
		_, res, _ := strings.Cut(d.Sig[closing:], "->")
		for _, alt := range splitAlternatives(res) {
			for _, tok := range splitSig(alt) {
				names[strings.TrimSuffix(tok.text, "...")] = true
			}
		}
		return names
	}
	check := func(table string, overrides map[string]map[string]string, results bool) {
		for binding, types := range overrides {
			d, ok := docs[binding]
			if !ok {
				t.Errorf("%s[%q]: no such binding", table, binding)
				continue
			}
			names := namesOf(d, results)
			for name := range types {
				if !names[name] {
					t.Errorf("%s[%q][%q]: the signature %q has no such name", table, binding, name, d.Sig)
				}
			}
		}
	}
	check("paramOverrides", paramOverrides, false)
	check("resultOverrides", resultOverrides, true)
	for _, lists := range []map[string][]stubParam{paramLists, resultLists} {
		for binding := range lists {
			if _, ok := docs[binding]; !ok {
				t.Errorf("paramLists/resultLists[%q]: no such binding", binding)
			}
		}
	}
}
