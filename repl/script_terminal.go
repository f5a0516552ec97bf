package repl

import (
	"io"
	"sync"

	"github.com/chzyer/readline"

	"github.com/gonetrepl/gonetrepl/bindings"
)

// ScriptTerminal is the terminal interact uses in a script run with stdin
// a terminal (gonetrepl exploit.lua ending in interact(c), as a pwntools
// script ends in io.interactive()). readline starts on the first interact
// and reads stdin only while interact reads a line; the script's own
// output is not redrawn around the typed line, received bytes are.
type ScriptTerminal struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	once   sync.Once
	t      *terminal
	err    error
	closed bool // Close ran (it runs on the CLI's goroutine only)
}

var _ bindings.Terminal = (*ScriptTerminal)(nil)

// NewScriptTerminal returns a ScriptTerminal on stdin (a terminal),
// showing what it reads and receives on stdout.
func NewScriptTerminal(stdin io.Reader, stdout, stderr io.Writer) *ScriptTerminal {
	return &ScriptTerminal{stdin: stdin, stdout: stdout, stderr: stderr}
}

func (s *ScriptTerminal) start() (*terminal, error) {
	s.once.Do(func() {
		s.t, s.err = newTerminal(s.stdin, &readline.Config{
			DisableAutoSaveHistory: true,
			Stdout:                 s.stdout,
			Stderr:                 s.stderr,
		})
	})
	return s.t, s.err
}

// ReadLine reads a typed line (bindings.Terminal).
func (s *ScriptTerminal) ReadLine(prompt string, leave <-chan struct{}) (string, error) {
	t, err := s.start()
	if err != nil {
		return "", err
	}
	return t.ReadLine(prompt, leave)
}

// Output is where received bytes are shown (bindings.Terminal).
func (s *ScriptTerminal) Output() io.Writer {
	t, err := s.start()
	if err != nil {
		return s.stdout
	}
	return t.Output()
}

// Close stops readline, if an interact started it. Later calls do
// nothing.
func (s *ScriptTerminal) Close() {
	s.once.Do(func() {}) // none starts after this
	if s.t != nil && !s.closed {
		s.closed = true
		s.t.close()
	}
}
