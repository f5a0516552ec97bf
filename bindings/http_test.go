package bindings

import (
	"sort"
	"strings"
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/httppeer"
)

// testdata/http_test.lua tests stdlib/http.lua against a real HTTP/1.1
// server, Python's http.server running testdata/http_peer.py (started by
// package httppeer on a loopback port), whose address reaches the Lua
// tests as the global HTTP_PEER; and against fake servers and http.serve
// written in Lua.
func init() {
	luaSetup["http"] = func(t *testing.T) map[string]string {
		return map[string]string{"HTTP_PEER": httppeer.Start(t)}
	}
}

// TestAPIDocHTTPMatchesModule checks that httpDocs lists exactly the
// functions of the http module and the methods of a client.
func TestAPIDocHTTPMatchesModule(t *testing.T) {
	rt := New(Options{})
	defer rt.Close()
	fn, err := rt.Load(strings.NewReader(`
		local http = require "http"
		local names = {}
		for k, v in pairs(http) do
			if type(v) == "function" then names[#names + 1] = "http." .. k end
		end
		for k, v in pairs(getmetatable(http.client()).__index) do
			if type(v) == "function" then names[#names + 1] = "http client:" .. k end
		end
		table.sort(names)
		return table.concat(names, " ")`), "http functions")
	if err != nil {
		t.Fatal(err)
	}
	task := rt.Start("http functions", fn)
	<-task.Done()
	if task.Status() != statusDone {
		t.Fatalf("%s", task.Err())
	}
	rt.gil.Lock()
	got := task.results[0].String()
	rt.gil.Unlock()
	var want []string
	for _, m := range httpDocs() {
		for _, d := range m.Docs {
			want = append(want, d.Name)
		}
	}
	sort.Strings(want)
	if got != strings.Join(want, " ") {
		t.Errorf("http has %q, documented %q", got, strings.Join(want, " "))
	}
}
