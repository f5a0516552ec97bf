package main

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/dnstest"
	"github.com/gonetrepl/gonetrepl/internal/peer"
)

// scripts/lookup.lua end to end: the real binary asks dnsmasq on loopback
// (records in package dnstest), never the machine's resolver.

func TestLookupScript(t *testing.T) {
	t.Parallel()
	server := dnstest.Start(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"gonetrepl.test", "--srv", "http/tcp"}, `
TYPE  VALUE                  DETAIL
MX    mail.gonetrepl.test.   pref 10
MX    mail2.gonetrepl.test.  pref 20
TXT   "helloworld"
TXT   "v=spf1 -all"
NS    ns1.gonetrepl.test.
NS    ns2.gonetrepl.test.
SRV   www.gonetrepl.test.    port 8080 priority 1 weight 5
`},
		{[]string{"www.gonetrepl.test"}, `
TYPE  VALUE
A     192.0.2.10
AAAA  2001:db8::10
`},
		{[]string{"--timeout", "10", "alias.gonetrepl.test"}, `
TYPE   VALUE
A      192.0.2.10
AAAA   2001:db8::10
CNAME  www.gonetrepl.test.
NS     ns1.gonetrepl.test.
NS     ns2.gonetrepl.test.
`},
		{[]string{"192.0.2.10"}, `
TYPE  VALUE
PTR   www.gonetrepl.test.
`},
	}
	for _, c := range cases {
		args := append([]string{"scripts/lookup.lua", "--server", server}, c.args...)
		r := runCLI(t, "", args...)
		want := strings.TrimPrefix(c.want, "\n")
		if r.code != 0 || r.stderr != "" || !sameLinesAnyOrder(r.stdout, want) {
			t.Errorf("lookup.lua %s: want status 0 and\n%s\ngot %v", strings.Join(c.args, " "), want, r)
		}
	}
}

// sameLinesAnyOrder compares the table printed with the one wanted. The
// header and the order of types are fixed; records of one type come in the
// order the server sends them (dnsmasq's for TXT and NS), so those are
// compared as sets.
func sameLinesAnyOrder(got, want string) bool {
	if got == want {
		return true
	}
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	if len(g) != len(w) {
		return false
	}
	typeOf := func(line string) string { typ, _, _ := strings.Cut(line, " "); return typ }
	for i := range g {
		if typeOf(g[i]) != typeOf(w[i]) {
			return false
		}
	}
	seen := map[string]int{}
	for i := range g {
		seen[g[i]]++
		seen[w[i]]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

func TestLookupScriptErrors(t *testing.T) {
	t.Parallel()
	server := dnstest.Start(t)
	r := runCLI(t, "", "scripts/lookup.lua", "--server", server, "nx.gonetrepl.test")
	if r.code != 1 || r.stdout != "" || r.stderr != "lookup: nx.gonetrepl.test: no records found\n" {
		t.Errorf("lookup.lua of a name that does not exist: want status 1 and \"no records found\"; got %v", r)
	}
	silent := dnstest.Silent(t)
	r = runCLI(t, "", "scripts/lookup.lua", "--server", silent, "--timeout", "0.3", "www.gonetrepl.test")
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	timeouts := len(lines) == 6
	for i, typ := range []string{"A", "AAAA", "CNAME", "MX", "TXT", "NS"} {
		timeouts = timeouts && strings.HasPrefix(lines[i], "lookup: "+typ+": lookup www.gonetrepl.test") &&
			strings.HasSuffix(lines[i], "i/o timeout")
	}
	if r.code != 1 || r.stdout != "" || !timeouts {
		t.Errorf("lookup.lua against a server that never answers: want status 1 and a timeout per type on stderr; got %v", r)
	}
	r = runCLI(t, "", "scripts/lookup.lua", "--server", "nowhere", "x")
	if r.code != 2 || !strings.HasPrefix(r.stderr, "lookup: --server: HOST:PORT expected") {
		t.Errorf("lookup.lua --server nowhere: want status 2; got %v", r)
	}
}

func TestLookupNeedsAName(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", "scripts/lookup.lua")
	if r.code != 2 || !strings.HasPrefix(r.stderr, "missing NAME\nusage: ") {
		t.Fatalf("lookup.lua without NAME: want status 2 and the usage on stderr; got %v", r)
	}
}

// TestLookupScriptShowsFailedTypes: dnsmasq answers the A query of a name
// it holds a host record for and REFUSES the other types (it has no
// upstream). The refused types are rows of the table and the
// status is 0, since a type answered (issue 16).
func TestLookupScriptShowsFailedTypes(t *testing.T) {
	t.Parallel()
	server := dnstest.StartCache(t, "--host-record=mixed.other.test,192.0.2.77")
	r := runCLI(t, "", "scripts/lookup.lua", "--server", server, "mixed.other.test")
	want := `TYPE  VALUE       DETAIL
A     192.0.2.77
AAAA  (failed)    server misbehaving
MX    (failed)    server misbehaving
TXT   (failed)    server misbehaving
NS    (failed)    server misbehaving
`
	if r.code != 0 || r.stderr != "" || r.stdout != want {
		t.Errorf("lookup.lua on a name whose other types are refused: want status 0 and\n%s\ngot %v", want, r)
	}
}

// TestLookupReadmeTryIt runs scripts/README.md's "try it" line for
// lookup.lua as written (its dnsmasq on a free port instead of 5300): no
// real resolver, and it shows the records the line serves (issue 16).
func TestLookupReadmeTryIt(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("scripts/README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("`(dnsmasq [^`]*) &`.*then `gonetrepl (scripts/lookup.lua [^`]*)`").FindStringSubmatch(string(readme))
	if m == nil {
		t.Fatalf("scripts/README.md has no \"try it\" line for lookup.lua with a loopback dnsmasq")
	}
	if strings.Contains(string(readme), "nc -N") {
		t.Errorf("scripts/README.md uses nc -N, which Debian's netcat-traditional lacks")
	}
	dnsArgs, lookupArgs := strings.Fields(m[1])[1:], strings.Fields(m[2])
	path := peer.Find(t, "dnsmasq", "dnsmasq-base")
	server := peer.Start(t, path, func(port int) []string {
		args := slices.Clone(dnsArgs)
		for i, a := range args {
			if a == "--port=5300" {
				args[i] = "--port=" + strconv.Itoa(port)
			}
		}
		return args
	}, dnstest.Answers)
	for i, a := range lookupArgs {
		if a == "127.0.0.1:5300" {
			lookupArgs[i] = server
		}
	}
	r := runCLI(t, "", lookupArgs...)
	want := "TYPE  VALUE               DETAIL\nA     192.0.2.10\nMX    mail.example.test.  pref 10\nTXT   \"hello\"\n"
	if r.code != 0 || r.stderr != "" || r.stdout != want {
		t.Errorf("the README's lookup line: want status 0 and\n%s\ngot %v", want, r)
	}
}
