package repl

import (
	"errors"
	"strings"
	"testing"

	"github.com/gonetrepl/gonetrepl/bindings"
)

// FuzzChunk feeds the prompt's compiler arbitrary input, split into lines
// at '\n' as if typed. Whatever comes in, compile must not panic, and what
// the prompt decides from its answer must hold up:
//   - a chunk that compiles still compiles with an empty line after it;
//   - an incomplete one (the prompt asks for more) does not fail at once
//     on the next line: with an empty line after it, it compiles or is
//     still open at its end (a string continued with a backslash may then
//     fail on the line after: it needs its quote there);
//   - a chunk the prompt gathered over several lines (each shorter one was
//     incomplete) that joinable says can be stored as one history line
//     compiles joined with spaces exactly when it compiles as typed.
func FuzzChunk(f *testing.F) {
	for _, seed := range []string{
		"1 + 41",
		"function double(a)\n  return a * 2\nend",
		"for i = 1, 3 do\nprint(i)\nend",
		"x = {\n1,\n2,\n}",
		"=x",
		"local s = [[\nlong\n]]",
		"f(\n",
		"if x then",
		"-- comment\nx = 1",
		"s = \"abc",
		"s = 'a\\\nb'",
		"return ...",
		"a.b:c(\"d\")",
		"repeat x = x + 1 until x > 3",
	} {
		f.Add(seed)
	}
	rt := bindings.New(bindings.Options{})
	defer rt.Close()
	f.Fuzz(func(t *testing.T, src string) {
		lines := strings.Split(src, "\n")
		complete, incomplete := outcome(rt, lines)
		if complete || incomplete {
			more := append(append([]string(nil), lines...), "")
			c2, _ := outcome(rt, more)
			_, err := compile(rt, more)
			var se *bindings.SyntaxError
			atEnd := errors.As(err, &se) && se.AtEnd
			if complete && !c2 {
				t.Fatalf("%q compiles, but not with an empty line after it", src)
			}
			if incomplete && !c2 && !atEnd {
				t.Fatalf("%q is incomplete, but an empty line after it fails before its end: %v", src, err)
			}
		}
		if len(lines) > 1 && gathered(rt, lines) && joinable(lines) {
			joined, _ := outcome(rt, []string{strings.Join(lines, " ")})
			if joined != complete {
				t.Fatalf("%q: joinable, but compiles %v as typed and %v joined with spaces", src, complete, joined)
			}
		}
	})
}

// outcome compiles lines as the prompt does: complete is true when they
// compile, incomplete when the prompt would ask for another line.
func outcome(rt *bindings.Runtime, lines []string) (complete, incomplete bool) {
	_, err := compile(rt, lines)
	if err == nil {
		return true, false
	}
	var se *bindings.SyntaxError
	return false, errors.As(err, &se) && se.Incomplete
}

// gathered reports whether the prompt would have read all of lines as one
// chunk: every shorter run of them was incomplete.
func gathered(rt *bindings.Runtime, lines []string) bool {
	for n := 1; n < len(lines); n++ {
		if _, incomplete := outcome(rt, lines[:n]); !incomplete {
			return false
		}
	}
	return true
}
