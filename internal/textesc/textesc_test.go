package textesc

import (
	"fmt"
	"strings"
	"testing"
)

// Lines escapes what a terminal acts on, keeps a report's lines, tabs and
// backslashes, and escapes nothing twice.
func TestLines(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain text", "plain text"},
		{"line 1\n\tline 2", "line 1\n\tline 2"},
		{"title \x1b]0;pwned\x07 here", `title \27]0;pwned\7 here`},
		{"cr\rover", `cr\rover`},
		{"\x1b[2J1", `\27[2J1`},
		{"digit after \x07" + "7", `digit after \0077`},
		{`already \27 escaped, C:\dir, "quoted"`, `already \27 escaped, C:\dir, "quoted"`},
		{"del \x7f, c1 \u009b, bidi \u202e, bad \xff", `del \127, c1 \194\155, bidi \226\128\174, bad \255`},
		{"héllo 日本", "héllo 日本"},
	} {
		got := Lines(c.in)
		if got != c.want {
			t.Errorf("Lines(%q) = %q, want %q", c.in, got, c.want)
		}
		if again := Lines(got); again != got {
			t.Errorf("Lines is not idempotent on %q: %q", got, again)
		}
	}
	var all strings.Builder
	for i := range 256 {
		all.WriteByte(byte(i))
	}
	got := Lines(all.String())
	for i := 0; i < len(got); i++ {
		if c := got[i]; c < 0x20 && c != '\n' && c != '\t' || c >= 0x7f {
			t.Fatalf("Lines left byte %#x in %q", c, got)
		}
	}
}

// TestEscapeEveryByte checks each byte's escape against its decimal value,
// short and (before a digit) three digits long, and that counting the
// escapes of a run of high bytes allocates nothing: strconv.Itoa made a
// string for each, seconds for bin.escape's 65 MiB cap test.
func TestEscapeEveryByte(t *testing.T) {
	decimal := 0 // bytes escaped as \ddd: controls, DEL, 0x80-0xff alone
	for c := 0; c < 256; c++ {
		s := string([]byte{byte(c)})
		got := Escape(s, 0)
		if len(got) < 2 || got[0] != '\\' || !isDigit(got[1]) {
			continue
		}
		decimal++
		if got != fmt.Sprintf("\\%d", c) {
			t.Errorf("Escape(%d) = %q", c, got)
		}
		if got := Escape(s+"7", 0); got != fmt.Sprintf("\\%03d7", c) {
			t.Errorf("Escape(%d, then a digit) = %q", c, got)
		}
	}
	if decimal != 32-3+1+128 {
		t.Errorf("%d bytes escaped in decimal, want 158", decimal)
	}
	run := strings.Repeat("\200", 1000)
	if n := EscapedLen(run, 0); n != 4000 {
		t.Errorf("EscapedLen of 1000 \\200 = %d, want 4000", n)
	}
	// One allocation is the counter itself; strconv.Itoa made 1001.
	if allocs := testing.AllocsPerRun(10, func() { EscapedLen(run, 0) }); allocs > 1 {
		t.Errorf("EscapedLen of 1000 \\200 made %v allocations", allocs)
	}
}
