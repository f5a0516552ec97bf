package repl

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"github.com/gonetrepl/gonetrepl/internal/dotfile"
)

// historyKeep is how many entries the history file keeps across runs.
const historyKeep = 1000

// historyPath is where the history is kept (dotfile.History); Run asks
// for it only when stdin is a terminal.
func historyPath() string { return dotfile.History() }

// history is the file of past entries, one per line, mode 0600: lines
// typed at a network prompt can hold passwords and tokens. It is kept by
// this code rather than by readline, which creates and rewrites its file
// with mode 0666 less the umask. An entry of several lines (a chunk with
// a long string or a comment spanning its lines) is written as one line,
// encoded (see encodeEntry), so that it comes back as one entry.
type history struct {
	path string
	file *os.File // open for appending; nil when no history is kept
}

// openHistory reads the past entries (the last historyKeep of them) and
// opens the file for appending, making it private if it was not.
func openHistory(path string) (*history, []string, error) {
	h := &history{path: path}
	if path == "" {
		return h, nil, nil
	}
	var entries []string
	if f, err := os.Open(path); err == nil {
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if line := sc.Text(); strings.TrimSpace(line) != "" {
				entries = append(entries, decodeEntry(line))
			}
		}
		f.Close()
	}
	if len(entries) > 2*historyKeep {
		// Compact: rewrite the last historyKeep entries, privately.
		entries = entries[len(entries)-historyKeep:]
		tmp := path + ".tmp"
		var b strings.Builder
		for _, e := range entries {
			b.WriteString(encodeEntry(e) + "\n")
		}
		if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err == nil {
			os.Rename(tmp, path)
		}
	} else if len(entries) > historyKeep {
		entries = entries[len(entries)-historyKeep:]
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return h, entries, err
	}
	f.Chmod(0o600)
	h.file = f
	return h, entries, nil
}

// add appends one entry, as one line of the file.
func (h *history) add(entry string) {
	if h.file != nil {
		h.file.WriteString(encodeEntry(entry) + "\n")
	}
}

// encodeEntry makes an entry one line of the file: as it is when it is one
// line already (the file stays readable, and files written before this
// encoding read the same); else a backslash and the entry as a Go quoted
// string: \"s = [[a\nb]]" for the two lines `s = [[a` and `b]]`. An
// entry that starts with a backslash itself (not Lua, but it may have
// been typed) is quoted too, so that decoding is never in doubt.
func encodeEntry(e string) string {
	if !strings.ContainsAny(e, "\n\r") && !strings.HasPrefix(e, `\`) {
		return e
	}
	return `\` + strconv.Quote(e)
}

// decodeEntry reverses encodeEntry. A line that starts with a backslash
// but does not unquote (typed so before this encoding) is kept as it is.
func decodeEntry(line string) string {
	if rest, ok := strings.CutPrefix(line, `\`); ok && strings.HasPrefix(rest, `"`) {
		if e, err := strconv.Unquote(rest); err == nil {
			return e
		}
	}
	return line
}

func (h *history) close() {
	if h.file != nil {
		h.file.Close()
	}
}
