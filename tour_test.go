package main

// The guided tour (stdlib/tour.lua, stdlib/tour_lessons.lua), as a
// learner meets it: gonetrepl --tour on a pseudo-terminal, every
// lesson's lines typed as the lesson gives them, the check seen to pass,
// and wrong attempts seen to get their hint.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/stdlib"
	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

type tourLesson struct {
	title, goSource, try string
}

// tourLessons reads the lessons from the embedded stdlib/tour_lessons.lua.
func tourLessons(t *testing.T) []tourLesson {
	t.Helper()
	src, err := stdlib.Source("tour_lessons")
	if err != nil {
		t.Fatal(err)
	}
	L := lua.NewState()
	defer L.Close()
	if err := L.DoString(string(src)); err != nil {
		t.Fatal(err)
	}
	tab, ok := L.Get(-1).(*lua.LTable)
	if !ok {
		t.Fatalf("tour_lessons returned %s, want a table", L.Get(-1).Type())
	}
	var lessons []tourLesson
	for i := 1; i <= tab.Len(); i++ {
		l := tab.RawGetInt(i).(*lua.LTable)
		lessons = append(lessons, tourLesson{
			title:    lua.LVAsString(l.RawGetString("title")),
			goSource: lua.LVAsString(l.RawGetString("go")),
			try:      lua.LVAsString(l.RawGetString("try")),
		})
	}
	if len(lessons) != 15 {
		t.Fatalf("%d lessons, want 15", len(lessons))
	}
	return lessons
}

// wrongAttempts are what a learner might type first in some lessons,
// each with the hint tour.check() must then give (a regexp).
var wrongAttempts = map[int]struct{ lines, hint string }{
	1:  {``, `No listener among your variables yet`},
	2:  {`c = net.dial("tcp", tour.closed)`, `No conn of yours goes to the echo server`},
	3:  {``, `Nobody has knocked yet`},
	4:  {``, `None of your listeners echoes yet \(ln: sent "tour-\d+" to 127\.0\.0\.1:\d+, got no line back`},
	7:  {`a6 = "::1" .. ":" .. 8080`, `"::1:8080" cannot be split`},
	9:  {`_, err = net.dial("tcp", tour.closed)`, `err is of kind refused, not timeout`},
	11: {`h = assert(net.dial("tcp", tour.upper)); h:write("shout\n")`, `still waiting for the end of your request: h:close_write\(\)`},
	14: {`_, refused = net.dial("tcp", tour.closed)`, `Still to see: no_such_host, closed\.`},
}

func TestTourWalkthrough(t *testing.T) {
	lessons := tourLessons(t)
	hist := filepath.Join(t.TempDir(), "history")
	s := startOnPty(t, screenCols, hist, nil, "--tour")
	s.expect(`Welcome to the tour`)
	s.expect(`Lesson 1 of 15: Conns and listeners\n`)
	s.expect(`help\(\) lists the modules`)
	for i, l := range lessons {
		n := i + 1
		if w, ok := wrongAttempts[n]; ok {
			if w.lines != "" {
				s.send(w.lines + "\r")
			}
			s.send("tour.check()\r")
			// The wrong lines send to a tour server that reads in a task of
			// its own: on a loaded machine the first check can come before
			// it has read them, and says so; the next ones see them.
			for try := 1; ; try++ {
				m := s.expect(`✗ Not yet\. [^\n]*(` + w.hint + `|Nothing has reached [^\n]* yet)`)
				if !strings.HasPrefix(m[1], "Nothing has reached") {
					break
				}
				if try == 20 {
					t.Fatalf("lesson %d: tour.check() still says %q after %d tries", n, m[1], try)
				}
				time.Sleep(100 * time.Millisecond)
				s.send("tour.check()\r")
			}
		}
		for _, line := range strings.Split(l.try, "\n") {
			s.send(line + "\r")
		}
		s.send("tour.check()\r")
		s.expect(fmt.Sprintf(`✓ Lesson %d done`, n))
		if n < len(lessons) {
			s.send("tour.next()\r")
			s.expect(fmt.Sprintf(`Lesson %d of 15: %s\n`, n+1, regexp.QuoteMeta(lessons[n].title)))
		}
	}
	s.expect(`that was the whole tour`)
	s.send("tour.list()\r")
	s.expect(`✓ 15\. An echo client and server   <- you are here`)
	s.quit()

	progress := filepath.Join(filepath.Dir(hist), ".gonetrepl_tour")
	st, err := os.Stat(progress)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", progress, st.Mode().Perm())
	}
	data, _ := os.ReadFile(progress)
	if want := "lesson=15\npassed=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"; string(data) != want {
		t.Errorf("progress file holds %q, want %q", data, want)
	}

	// A new run takes up where the last one stopped.
	s = startREPL(t, hist, nil)
	s.run("tour()", `Lesson 15 of 15: An echo client and server\n`)
	s.run("tour.go(3)", `Lesson 3 of 15: Listen and accept\n`)
	s.run("tour.go(16)", `bad argument #1 to 'tour.go' \(n: a lesson number from 1 to 15 expected, got 16\)`)
	s.quit()
}

// TestTourGoSnippetsVet writes each lesson's Go program into a package of
// a temporary module and runs go vet on them all: they must compile and
// pass vet, as a learner would copy them.
func TestTourGoSnippetsVet(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module tourlessons\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for i, l := range tourLessons(t) {
		if !strings.HasPrefix(l.goSource, "package main\n") || !strings.Contains(l.goSource, "func main() {") {
			t.Errorf("lesson %d's Go is not a program:\n%s", i+1, l.goSource)
		}
		pkg := filepath.Join(dir, fmt.Sprintf("lesson%02d", i+1))
		if err := os.Mkdir(pkg, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(pkg, "main.go"), []byte(l.goSource), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(goTool, "vet", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOPROXY=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet on the lessons' Go: %v\n%s", err, out)
	}
	// gofmt too: the lessons show Go as gofmt writes it.
	gofmt := exec.Command(filepath.Join(filepath.Dir(goTool), "gofmt"), "-l", ".")
	gofmt.Dir = dir
	if out, err := gofmt.CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("gofmt -l on the lessons' Go: %v\n%s", err, out)
	}
}
