package repl

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
)

// historyKeep is how many entries the history file keeps across runs.
const historyKeep = 1000

// historyPath is $GONETREPL_HISTORY, or ~/.gonetrepl_history; "" when
// neither can be found (no history is kept then). Run asks for it only
// when stdin is a terminal.
func historyPath() string {
	if p := os.Getenv("GONETREPL_HISTORY"); p != "" {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".gonetrepl_history")
}

// history is the file of past entries, one per line, mode 0600: lines
// typed at a network prompt can hold passwords and tokens. It is kept by
// this code rather than by readline, which creates and rewrites its file
// with mode 0666 less the umask.
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
				entries = append(entries, line)
			}
		}
		f.Close()
	}
	if len(entries) > 2*historyKeep {
		// Compact: rewrite the last historyKeep entries, privately.
		entries = entries[len(entries)-historyKeep:]
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, []byte(strings.Join(entries, "\n")+"\n"), 0o600); err == nil {
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

// add appends one entry; an entry must be a single line.
func (h *history) add(entry string) {
	if h.file != nil {
		h.file.WriteString(entry + "\n")
	}
}

func (h *history) close() {
	if h.file != nil {
		h.file.Close()
	}
}
