// Package httppeer runs a real HTTP/1.1 server for tests: the Python script
// bindings/testdata/http_peer.py (only Python's standard library), started
// with python3 on a free loopback port. It serves a fixed body with
// Content-Length, a chunked body, redirects, a 204, an HTTP/1.0-style body
// that ends at close, and a path that reports how many TCP connections the
// server has accepted, so that a test can check keep-alive reuse on the
// server's side. The script's docstring lists the paths.
//
// This is deliberately not net/http/httptest: the peer is a separate
// program, written by someone else's HTTP stack.
//
// When python3 is missing, Start skips the test, or fails it when the
// environment variable CI is "true" (see package peer).
package httppeer

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/peer"
)

// Script is the peer's path from the repository root.
const Script = "bindings/testdata/http_peer.py"

// Start runs the peer for the rest of the test and returns its address,
// "127.0.0.1:port", once it accepts connections. It is killed at cleanup.
// Readiness is checked by connecting, which the server counts as one
// accepted connection: tests compare counts, never absolute numbers.
func Start(t testing.TB) string {
	t.Helper()
	python := peer.Find(t, "python3", "python3")
	script := filepath.Join(repoRoot(t), Script)
	return peer.Start(t, python, func(port int) []string {
		return []string{"-u", script, strconv.Itoa(port)}
	}, peer.AcceptsTCP)
}

// repoRoot finds the repository root (the directory with go.mod) from the
// working directory, which go test sets to the package's directory.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("httppeer: no go.mod above the working directory")
		}
		dir = parent
	}
}
