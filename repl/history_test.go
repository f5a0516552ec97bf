package repl

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// An entry of several lines is one line of the history file and one entry
// when read back; files written before the encoding read as they did; the
// compaction of a long file keeps entries whole (issue 16).
func TestHistoryFileKeepsEntriesWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history")
	// A file from before: plain lines, one of them starting with a
	// backslash that is not an encoded entry.
	if err := os.WriteFile(path, []byte("old = 1\n\\x not quoted\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	entries := []string{
		"s = [[one\ntwo]]",
		"x = 1 -- c\ny = 2",
		`\"looks encoded"`,
		`t = "tab\there, a quote \" and a \\"`,
		"crlf = [[a\r\nb]]",
		"bytes = '\xff\xfe'",
	}
	h, past, err := openHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"old = 1", `\x not quoted`}; !slices.Equal(past, want) {
		t.Fatalf("read %q, want %q", past, want)
	}
	for _, e := range entries {
		h.add(e)
	}
	h.close()
	data, _ := os.ReadFile(path)
	if lines := strings.Count(string(data), "\n"); lines != 2+len(entries) {
		t.Errorf("the file has %d lines, want %d:\n%s", lines, 2+len(entries), data)
	}
	h, past, err = openHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	h.close()
	if want := slices.Concat([]string{"old = 1", `\x not quoted`}, entries); !slices.Equal(past, want) {
		t.Fatalf("read back %q, want %q", past, want)
	}

	// Over twice historyKeep entries: the file is rewritten with the last
	// historyKeep, each still whole.
	h, _, _ = openHistory(path)
	for i := range 2 * historyKeep {
		h.add(fmt.Sprintf("s%d = [[\n%d]]", i, i))
	}
	h.close()
	h, past, _ = openHistory(path)
	h.close()
	if len(past) != historyKeep || past[0] != fmt.Sprintf("s%d = [[\n%d]]", historyKeep, historyKeep) {
		t.Fatalf("after compaction: %d entries, first %q", len(past), past[0])
	}
	h, again, _ := openHistory(path)
	h.close()
	if !slices.Equal(again, past) {
		t.Fatalf("the compacted file reads back differently")
	}
	info, _ := os.Stat(path)
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %o after compaction", info.Mode().Perm())
	}
}

func TestNewlinePainter(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain", "plain"},
		{"s = [[a\nb]]", "s = [[a↵b]]"},
		{"s = [[a\nb]]\n", "s = [[a↵b]]\n"}, // Enter's newline stays
		{"x = 1\n", "x = 1\n"},
	} {
		if got := string(newlinePainter{}.Paint([]rune(c.in), 0)); got != c.want {
			t.Errorf("%q paints as %q, want %q", c.in, got, c.want)
		}
	}
}
