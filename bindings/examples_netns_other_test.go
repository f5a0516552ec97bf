//go:build !linux

package bindings

import "testing"

// TestHelpExamples runs the help() examples inside a private network
// namespace, which only Linux has (examples_netns_linux_test.go).
func TestHelpExamples(t *testing.T) {
	t.Skip("runs the examples in a private network namespace: Linux only")
}
