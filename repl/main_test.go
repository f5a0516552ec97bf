package repl

import (
	"os"
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/testhome"
)

// TestMain runs the tests with HOME a temporary directory and
// GONETREPL_HISTORY unset (package testhome): no test touches the user's
// home.
func TestMain(m *testing.M) { os.Exit(testhome.Run(m)) }
