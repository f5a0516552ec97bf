package parse

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestSyntaxMessages checks Parse's error text against what lua5.1 says
// for the same chunk (recorded from Debian's lua5.1 5.1.5 with loadstring
// and chunkname "=t"). The root package's TestSyntaxErrorsMatchLua51
// compares with the real lua5.1 where it is installed; these run
// everywhere.
func TestSyntaxMessages(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"f = (1", `t:1: ')' expected near '<eof>'`},
		{"f = (1\n\n", `t:3: ')' expected (to close '(' at line 1) near '<eof>'`},
		{"if x then\n\n y=1", `t:3: 'end' expected (to close 'if' at line 1) near '<eof>'`},
		{"if x then", `t:1: 'end' expected near '<eof>'`},
		{"for i=1 do end", `t:1: ',' expected near 'do'`},
		{"for i do end", `t:1: '=' or 'in' expected near 'do'`},
		{"function f(a,", `t:1: <name> or '...' expected near '<eof>'`},
		{"local function end", `t:1: '<name>' expected near 'end'`},
		{"local 1 = 2", `t:1: '<name>' expected near '1'`},
		{"x = = 1", `t:1: unexpected symbol near '='`},
		{"x = 1 +", `t:1: unexpected symbol near '<eof>'`},
		{"return return", `t:1: unexpected symbol near 'return'`},
		{"a.b:c = 1", `t:1: function arguments expected near '='`},
		{"f() = 1", `t:1: unexpected symbol near '='`},
		{"(a) = 1", `t:1: syntax error near '='`},
		{"a, f() = 1", `t:1: syntax error near '='`},
		{"x", `t:1: '=' expected near '<eof>'`},
		{"end", `t:1: '<eof>' expected near 'end'`},
		{"return 1 2", `t:1: '<eof>' expected near '2'`},
		{"local t = {a = 1 b = 2}", `t:1: '}' expected near 'b'`},
		{"local t = {\n a = 1\n b = 2\n}", `t:3: '}' expected (to close '{' at line 1) near 'b'`},
		{"print(\"a\",\n  \"b\"\n", `t:3: ')' expected (to close '(' at line 1) near '<eof>'`},
		{"x = \"abc", `t:1: unfinished string near '<eof>'`},
		{"x = \"abc\n\"", `t:1: unfinished string near '"abc'`},
		{"x = \"a\\0b\n", `t:1: unfinished string near '"a'`},
		{"x = [==[ abc", `t:1: unfinished long string near '<eof>'`},
		{"--[[ unclosed\n\n", `t:3: unfinished long comment near '<eof>'`},
		{"x = [= abc", `t:1: invalid long string delimiter near '[='`},
		{"s = [[ a [[ b ]] ]]", `t:1: nesting of [[...]] is deprecated near '['`},
		{"x = 3x", `t:1: malformed number near '3x'`},
		{"x = 0x", `t:1: malformed number near '0x'`},
		{"x = 1..2", `t:1: malformed number near '1..2'`},
		{"x = 0x1p4 y = .5e3 z = 1. a = 0XaF break", `t:1: no loop to break near '<eof>'`},
		{`s = "\300" x = = 1`, `t:1: escape sequence too large near '"'`},
		{"x = @", `t:1: unexpected symbol near '@'`},
		{"x = \x01", `t:1: unexpected symbol near 'char(1)'`},
		{"x = a ~ b", `t:1: unexpected symbol near '~'`},
		{"while true do end break", `t:1: no loop to break near '<eof>'`},
		{"while true do local f = function() break end end", `t:1: no loop to break near 'end'`},
		{"function f() return ... end", `t:1: cannot use '...' outside a vararg function near '...'`},
		{"x = f\n(g)\ny =", `t:2: ambiguous syntax (function call x new statement) near '('`},
		{"x = 1\r\n\r\nif", `t:3: unexpected symbol near '<eof>'`},
		{"goto", `t:1: '<name>' expected near '<eof>'`},
		{"::a b", `t:1: '::' expected near 'b'`},
	} {
		_, err := Parse(strings.NewReader(c.src), "t")
		if err == nil {
			t.Errorf("%q parses; want %s", c.src, c.want)
			continue
		}
		if got := err.Error(); got != c.want {
			t.Errorf("%q:\n got %s\nwant %s", c.src, got, c.want)
		}
	}
}

// TestParseErrorAtEnd checks what the REPL relies on: an error at the end
// of the source still has the parser's position EOF, whatever the
// message says.
func TestParseErrorAtEnd(t *testing.T) {
	for src, atEnd := range map[string]bool{"if x then": true, "f(": true, "x = = 1": false, "x = \"a\n": false} {
		_, err := Parse(strings.NewReader(src), "t")
		var pe *Error
		if !errors.As(err, &pe) {
			t.Fatalf("%q: %v", src, err)
		}
		if (pe.Pos.Line == EOF) != atEnd {
			t.Errorf("%q: at the end %v, want %v (%s)", src, pe.Pos.Line == EOF, atEnd, err)
		}
	}
}

// TestCheckerDepthIsBounded: input nested a million levels deep, each way
// the checker recurses, ends with Lua's "chunk has too many syntax levels"
// (not a Go stack overflow) and quickly; chains of operators, which the
// checker reads in a loop, have no such limit.
func TestCheckerDepthIsBounded(t *testing.T) {
	const n = 1 << 20
	for _, src := range []string{
		"x = " + strings.Repeat("(", n),
		"x = " + strings.Repeat("{", n),
		"x = " + strings.Repeat("f(", n),
		strings.Repeat("do ", n),
		strings.Repeat("if x then ", n),
		strings.Repeat("x = function() ", n),
	} {
		start := time.Now()
		err := checkSyntax([]byte(src))
		if err == nil || err.Msg != "chunk has too many syntax levels" {
			t.Errorf("%.20q...: %v", src, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%.20q...: %v", src, d)
		}
	}
	for _, src := range []string{
		"x = a" + strings.Repeat(" .. a", n),
		"x = " + strings.Repeat("- not #", n) + "a",
		"x = a" + strings.Repeat(".b[c]:d()", n),
	} {
		if err := checkSyntax([]byte(src)); err != nil {
			t.Errorf("%.20q...: %v", src, err)
		}
	}
	// Nesting the yacc parser takes, the checker takes too.
	deep := "x = " + strings.Repeat("{(", 240) + "1" + strings.Repeat(")}", 240)
	if _, err := Parse(strings.NewReader(deep), "t"); err != nil {
		t.Fatalf("240 levels: %v", err)
	}
	if err := checkSyntax([]byte(deep)); err != nil {
		t.Fatalf("240 levels: %v", err)
	}
}

// checkerStricter lists the errors where Lua 5.1 refuses what gopher-lua's
// parser takes (see check.go): there the checker may report an error in a
// chunk the parser accepts. "no loop to break" and "cannot use '...'" are
// the compiler's errors in gopher-lua, Parse's own since this patch.
var checkerStricter = []string{
	"malformed number",
	"escape sequence too large",
	"nesting of [[...]] is deprecated",
	"ambiguous syntax (function call x new statement)",
	"no loop to break",
	"cannot use '...' outside a vararg function",
}

// FuzzSyntaxMessage feeds the checker arbitrary chunks: it never panics,
// takes little time, and never reports an error in a chunk the yacc parser
// accepts, except where Lua 5.1 is stricter (checkerStricter).
func FuzzSyntaxMessage(f *testing.F) {
	for _, seed := range []string{
		"f = (1", "if x then\n\n y=1", "for i=1 do end", "x = {a = 1 b = 2}",
		"local function f(a, ...) return ... end", "t = {[1] = 2; x = 3, 4,}",
		"a.b:c'x' {y} (z)", "::top:: goto top", "repeat local x = 1 until x",
		"x = [==[\n]]\n]==] --[[ c\n]] y = 0x1F + 1e-3 .. 'a\\n\\65'",
		"while a and not b or #c >= 1 do break end", "x = - - - 1 ^ 2",
		"(f())", "x = 1;;", "t = {1,,2}", "x = f\n(g)", `s = "\300"`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		start := time.Now()
		cerr := checkSyntax([]byte(src))
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("the checker took %v for %d bytes", d, len(src))
		}
		// Parse as a whole (the parser, then the checker when it fails)
		// is bounded too.
		start = time.Now()
		_, perr := Parse(strings.NewReader(src), "t")
		if d := time.Since(start); d > 4*time.Second {
			t.Fatalf("Parse took %v for %d bytes", d, len(src))
		}
		lexer := &Lexer{scanner: NewScanner(strings.NewReader(src), "t"), PrevTokenType: TNil}
		if _, yerr := parseYacc(lexer); yerr != nil || cerr == nil {
			if yerr != nil && perr == nil {
				t.Fatalf("the parser refuses %q, Parse accepts it", src)
			}
			return
		}
		for _, m := range checkerStricter {
			if strings.HasPrefix(cerr.Msg, m) {
				return
			}
		}
		t.Fatalf("the parser accepts %q, the checker says %d: %s", src, cerr.Line, cerr.Msg)
	})
}
