// Package dotfile says where gonetrepl keeps its files in the user's
// home: the prompt's history and the tour's progress, side by side.
package dotfile

import (
	"os"
	"path/filepath"
)

// History is $GONETREPL_HISTORY, or ~/.gonetrepl_history; "" when neither
// can be found (no history is kept then).
func History() string {
	if p := os.Getenv("GONETREPL_HISTORY"); p != "" {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".gonetrepl_history")
}

// Tour is $GONETREPL_TOUR, or .gonetrepl_tour in the history's directory
// (the home, unless $GONETREPL_HISTORY moves it); "" when there is none.
func Tour() string {
	if p := os.Getenv("GONETREPL_TOUR"); p != "" {
		return p
	}
	h := History()
	if h == "" {
		return ""
	}
	return filepath.Join(filepath.Dir(h), ".gonetrepl_tour")
}
