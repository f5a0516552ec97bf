package bindings

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

const apiDocPath = "../docs/API.md"

// TestAPIDocUpToDate checks that docs/API.md is what Markdown() renders
// now. With UPDATE_API_DOC=1 it rewrites the file instead.
func TestAPIDocUpToDate(t *testing.T) {
	got := Markdown()
	if os.Getenv("UPDATE_API_DOC") == "1" {
		if err := os.WriteFile(apiDocPath, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", apiDocPath)
		return
	}
	want, err := os.ReadFile(apiDocPath)
	if err != nil {
		t.Fatalf("%v\ncreate it with: %s", err, regenerateAPIDoc)
	}
	if string(want) == got {
		return
	}
	wantLines, gotLines := strings.Split(string(want), "\n"), strings.Split(got, "\n")
	line := 0
	for line < len(wantLines) && line < len(gotLines) && wantLines[line] == gotLines[line] {
		line++
	}
	at := func(lines []string) string {
		if line < len(lines) {
			return lines[line]
		}
		return "(end of file)"
	}
	t.Errorf("docs/API.md is stale: it differs from Markdown() at line %d:\n  file:   %q\n  source: %q\n"+
		"regenerate it with: %s", line+1, at(wantLines), at(gotLines), regenerateAPIDoc)
}

// classDocs names the documented module (in Docs) of each class type.
func classDocs() map[string]string {
	m := map[string]string{}
	for _, d := range Docs() {
		if d.Type != "" {
			m[d.Type] = d.Name
		}
	}
	return m
}

// standardLibs are the tables of Lua's own libraries, left out of the check
// for undocumented functions.
var standardLibs = map[string]bool{
	"_G": true, lua.LoadLibName: true, lua.BaseLibName: true, lua.TabLibName: true,
	lua.IoLibName: true, lua.OsLibName: true, lua.StringLibName: true, lua.MathLibName: true,
	lua.DebugLibName: true, lua.CoroutineLibName: true,
}

// TestEveryBindingDocumented checks every entry of the docs (a signature
// that starts with the entry's qualified name, a one-line summary, an
// example that uses it) and that the docs and the live runtime agree: every
// function of every module and every method of every class has an entry,
// and every entry is a function of the runtime.
func TestEveryBindingDocumented(t *testing.T) {
	documented := map[string]bool{} // Doc.Name
	modules := map[string]Module{}
	for _, m := range append(Docs(), stdlibDocs()...) {
		if m.Summary == "" || strings.Contains(m.Summary, "\n") {
			t.Errorf("module %s: summary must be one non-empty line, got %q", m.Name, m.Summary)
		}
		if len(m.Docs) == 0 {
			t.Errorf("module %s has no entries", m.Name)
		}
		if _, dup := modules[m.Name]; dup {
			t.Errorf("module %s documented twice", m.Name)
		}
		modules[m.Name] = m
		recv := "" // the receiver the method signatures use: "c", "ln"
		for _, d := range m.Docs {
			if documented[d.Name] {
				t.Errorf("%s documented twice", d.Name)
			}
			documented[d.Name] = true
			if d.Sig == "" || d.Summary == "" || d.Example == "" {
				t.Errorf("%s: sig, doc and example must all be set: %+v", d.Name, d)
				continue
			}
			if strings.Contains(d.Sig, "\n") || strings.Contains(d.Summary, "\n") {
				t.Errorf("%s: sig and doc must be one line each", d.Name)
			}
			var call string
			if m.Method {
				short := strings.TrimPrefix(d.Name, m.Name+":")
				r, _, ok := strings.Cut(d.Sig, ":")
				switch {
				case !ok || !luaIdent().MatchString(r):
					t.Errorf("%s: sig %q does not start with a receiver, as in \"c:%s(\"", d.Name, d.Sig, short)
					continue
				case recv == "":
					recv = r
				case r != recv:
					t.Errorf("%s: sig %q uses receiver %q; the other methods of %s use %q", d.Name, d.Sig, r, m.Name, recv)
				}
				call = r + ":" + short + "("
			} else {
				call = d.Name + "("
			}
			if !strings.HasPrefix(d.Sig, call) {
				t.Errorf("%s: sig %q should start with %q", d.Name, d.Sig, call)
			}
			if !strings.Contains(d.Example, call) {
				t.Errorf("%s: example %q does not call %s…)", d.Name, d.Example, call)
			}
		}
	}

	rt := New(Options{})
	defer rt.Close()
	rt.gil.Lock()
	defer rt.gil.Unlock()
	L := rt.L

	// Modules: every table in package.loaded but Lua's own libraries.
	live := map[string]bool{} // qualified names of live functions
	loaded := L.GetField(L.Get(lua.RegistryIndex), "_LOADED").(*lua.LTable)
	loaded.ForEach(func(k, v lua.LValue) {
		name := k.String()
		tbl, ok := v.(*lua.LTable)
		if !ok || standardLibs[name] {
			return
		}
		if _, ok := modules[name]; !ok || modules[name].Method {
			t.Errorf("module %s is loaded but not documented: add it to Docs()", name)
		}
		tbl.ForEach(func(k, v lua.LValue) {
			if v.Type() == lua.LTFunction {
				live[name+"."+k.String()] = true
			}
		})
	})
	// Lua 5.3's pack functions are ours, added to Lua 5.1's string table.
	str := L.GetGlobal(lua.StringLibName).(*lua.LTable)
	for _, name := range []string{"pack", "unpack", "packsize"} {
		if str.RawGetString(name).Type() == lua.LTFunction {
			live[lua.StringLibName+"."+name] = true
		}
	}
	// os.stat likewise, added to Lua 5.1's os table.
	osLib := L.GetGlobal(lua.OsLibName).(*lua.LTable)
	for _, b := range osFuncs {
		if osLib.RawGetString(b.name).Type() == lua.LTFunction {
			live[lua.OsLibName+"."+b.name] = true
		}
	}
	// table.pack and table.unpack likewise, added to Lua 5.1's table.
	tabLib := L.GetGlobal(lua.TabLibName).(*lua.LTable)
	for _, b := range tableFuncs {
		if tabLib.RawGetString(b.name).Type() == lua.LTFunction {
			live[lua.TabLibName+"."+b.name] = true
		}
	}
	for _, b := range globalFuncs {
		if L.GetGlobal(b.name).Type() == lua.LTFunction {
			live[b.name] = true
		}
	}
	for _, name := range []string{"net", "task", "time", "bit", "utf8"} {
		if L.GetGlobal(name).Type() != lua.LTTable {
			t.Errorf("global %s is not a table", name)
		}
	}

	// Classes: the __methods table of each metatable, built here since
	// they are built only when a first value needs one.
	for typ := range rt.classDefs {
		mt := rt.classMeta(typ)
		methods, ok := mt.RawGetString("__methods").(*lua.LTable)
		if !ok {
			t.Errorf("class %s has no __methods table", typ)
			continue
		}
		module, known := classDocs()[typ]
		methods.ForEach(func(k, v lua.LValue) {
			if !known {
				t.Errorf("class %s has method %s but no documented module: add one to Docs() and to classDocs in apidoc_test.go", typ, k)
				return
			}
			live[module+":"+k.String()] = true
		})
	}

	var missing, stale []string
	for name := range live {
		if !documented[name] {
			missing = append(missing, name)
		}
	}
	for _, m := range Docs() { // stdlibDocs are Lua modules, not loaded at start
		for _, d := range m.Docs {
			if !live[d.Name] {
				stale = append(stale, d.Name)
			}
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 {
		t.Errorf("functions without a doc entry: %s", strings.Join(missing, ", "))
	}
	if len(stale) > 0 {
		t.Errorf("doc entries without a function in the runtime: %s", strings.Join(stale, ", "))
	}
}

// TestAPIDocExamplesParse compiles (without running) every example: each
// entry's, and every ```lua block of the reference.
func TestAPIDocExamplesParse(t *testing.T) {
	rt := New(Options{})
	defer rt.Close()
	for _, m := range append(Docs(), stdlibDocs()...) {
		for _, d := range m.Docs {
			if _, err := rt.Load(strings.NewReader(d.Example), d.Name); err != nil {
				t.Errorf("example of %s does not parse: %v\n%s", d.Name, err, d.Example)
			}
		}
	}
	blocks := regexp.MustCompile("(?s)```lua\n(.*?)```").FindAllStringSubmatch(Markdown(), -1)
	if len(blocks) == 0 {
		t.Fatal("no ```lua blocks in Markdown()")
	}
	for i, b := range blocks {
		if _, err := rt.Load(strings.NewReader(b[1]), "API.md"); err != nil {
			t.Errorf("lua block %d of the reference does not parse: %v\n%s", i+1, err, b[1])
		}
	}
}

// TestStdlibDocsMatchModules checks, for each stdlib module, that its docs
// list exactly the module's functions and the methods of the object it
// makes (documented as "<class>:<method>"), if it makes one.
func TestStdlibDocsMatchModules(t *testing.T) {
	for _, tt := range []struct {
		module, class string
		make          string // a Lua expression making such an object, with the module in scope
		docs          func() []Module
	}{
		{"flags", "flags parser", `flags.new("x")`, flagsDocs},
		{"http", "http client", `http.client()`, httpDocs},
		{"logf", "", "", logfDocs}, // no class: a logger is a function
		{"resp", "resp client", `resp.new((net.pipe()))`, respDocs},
		{"replay", "", "", replayDocs}, // no class
		{"socks", "", "", socksDocs},   // no class
	} {
		t.Run(tt.module, func(t *testing.T) {
			rt := New(Options{})
			defer rt.Close()
			fn, err := rt.Load(strings.NewReader(`
				local name, class, make = ...
				local m = require(name)
				local names = {}
				for k, v in pairs(m) do
					if type(v) == "function" then names[#names + 1] = name .. "." .. k end
				end
				if make ~= "" then
					local obj = assert(loadstring("local " .. name .. " = ...; return " .. make))(m)
					for k, v in pairs(getmetatable(obj).__index) do
						if type(v) == "function" then names[#names + 1] = class .. ":" .. k end
					end
				end
				table.sort(names)
				return table.concat(names, " ")`), tt.module+" functions")
			if err != nil {
				t.Fatal(err)
			}
			task := rt.Start(tt.module+" functions", fn, tt.module, tt.class, tt.make)
			<-task.Done()
			if task.Status() != statusDone {
				t.Fatalf("%s", task.Err())
			}
			rt.gil.Lock()
			got := task.results[0].String()
			rt.gil.Unlock()
			var want []string
			for _, m := range tt.docs() {
				for _, d := range m.Docs {
					want = append(want, d.Name)
				}
			}
			sort.Strings(want)
			if got != strings.Join(want, " ") {
				t.Errorf("%s has %q, documented %q", tt.module, got, strings.Join(want, " "))
			}
		})
	}
}

// TestReadingSectionCitesRealTests checks that every test the "Reading from
// a conn" section names, beside each comparison with pwntools, is a Test
// function of testdata/reads_test.lua: a comparison cannot lose its test.
func TestReadingSectionCitesRealTests(t *testing.T) {
	src, err := os.ReadFile("testdata/reads_test.lua")
	if err != nil {
		t.Fatal(err)
	}
	names := regexp.MustCompile("`(Test[A-Za-z0-9]+)`").FindAllStringSubmatch(readingSection, -1)
	if len(names) < 9 {
		t.Fatalf("the section names %d tests; want one or more per comparison", len(names))
	}
	for _, m := range names {
		if !strings.Contains(string(src), "\nfunction "+m[1]+"(") {
			t.Errorf("the section names %s, which testdata/reads_test.lua does not define", m[1])
		}
	}
}
