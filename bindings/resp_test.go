package bindings

import (
	"sort"
	"strings"
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/redistest"
)

// testdata/resp_test.lua tests stdlib/resp.lua against a real Redis:
// redis-server, started here on a loopback port with no persistence (see
// package redistest). Its address reaches the Lua tests as the global
// REDIS_ADDR.
func init() {
	luaSetup["resp"] = func(t *testing.T) map[string]string {
		return map[string]string{"REDIS_ADDR": redistest.Start(t)}
	}
}

// TestAPIDocRespMatchesModule checks that the resp docs list exactly the
// functions of the module and the methods of a client.
func TestAPIDocRespMatchesModule(t *testing.T) {
	rt := New(Options{})
	defer rt.Close()
	fn, err := rt.Load(strings.NewReader(`
		local resp = require "resp"
		local names = {}
		for k, v in pairs(resp) do
			if type(v) == "function" then names[#names + 1] = "resp." .. k end
		end
		local a, b = net.pipe()
		for k, v in pairs(getmetatable(resp.new(a)).__index) do
			if type(v) == "function" then names[#names + 1] = "resp client:" .. k end
		end
		a:close(); b:close()
		table.sort(names)
		return table.concat(names, " ")`), "resp functions")
	if err != nil {
		t.Fatal(err)
	}
	task := rt.Start("resp functions", fn)
	<-task.Done()
	if task.Status() != statusDone {
		t.Fatalf("%s", task.Err())
	}
	rt.gil.Lock()
	got := task.results[0].String()
	rt.gil.Unlock()
	var want []string
	for _, m := range respDocs() {
		for _, d := range m.Docs {
			want = append(want, d.Name)
		}
	}
	sort.Strings(want)
	if got != strings.Join(want, " ") {
		t.Errorf("resp has %q, documented %q", got, strings.Join(want, " "))
	}
}
