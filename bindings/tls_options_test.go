package bindings

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// Every option of the tls functions (the keys of tlsOpts, so a new one is
// covered without editing this test), given every wrong shape of value, on
// a client and on a server: the call raises an error naming an option
// ("opts.<key>") or returns nil, err; nothing panics, and nothing blocks,
// not even a FIFO or a device given as a PEM file or as the key log.
func TestEveryTLSOptionWithEveryValue(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := mkfifo(fifo); err != nil {
		t.Logf("no FIFO: %v", err) // the path is then a file that does not exist
	}
	values := []string{"false", "true", "0", "0/0", "1e308", "-1", `"x"`, `""`, `string.rep("x", 100000)`,
		"{}", "{1}", `{"x"}`, `{"h2", 2}`, "function() end", `"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"`,
		`"/dev/zero"`, `"/dev/null"`, fmt.Sprintf("%q", fifo), fmt.Sprintf("%q", dir), `"/nonexistent/file"`,
		`"sha256//" .. string.rep("A", 43) .. "="`, `"1.3"`, `"request"`}
	var cases []string
	for _, f := range tlsOpts.fields {
		for i, v := range values {
			if f.name == "keylog" && strings.HasPrefix(v, `"`) && !strings.HasPrefix(v, `"/`) {
				// keylog creates the file it names: not in the package's
				// directory.
				v = fmt.Sprintf("%q", filepath.Join(dir, fmt.Sprint("keylog", i)))
			}
			for _, call := range []string{
				`tls.dial("127.0.0.1:1", {timeout = 1, %s = %s})`,
				`tls.listen("127.0.0.1:0", {self_signed = true, %s = %s})`,
			} {
				cases = append(cases, fmt.Sprintf("try(%q, function() return "+call+" end)",
					fmt.Sprintf(call, f.name, v), f.name, v))
			}
		}
	}
	out := runChunkOutputFor(t, `
		local panics = {"internal error:", "runtime error", "interface conversion", "nil pointer", "goroutine "}
		local n, raised = 0, 0
		local function try(what, f)
			n = n + 1
			local h = task.spawn(function() return pcall(f) end)
			local ok, v, err = h:wait(10)
			assert(h:status() == "done", what .. ": " .. h:status())
			if not ok then
				raised = raised + 1
				local msg = tostring(v)
				assert(msg:find("bad argument #2 to %a+ %(opts"), what .. ": raised " .. msg)
				for _, p in ipairs(panics) do assert(not msg:find(p, 1, true), what .. ": " .. msg) end
			elseif v == nil then
				assert(err ~= nil and err.kind, what .. ": nil without an error")
			else
				v:close()
			end
		end
		`+strings.Join(cases, "\n")+`
		print(n .. " calls, " .. raised .. " raised")`, 120)
	t.Log(strings.TrimSpace(out))
}
