//go:build !unix

package main

// outputGone is false: Windows has no SIGPIPE (a write to a closed pipe
// fails with an error instead), so none arrives to be told apart.
func outputGone() bool { return false }
