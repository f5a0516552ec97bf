package textesc

import (
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
