//go:build race

package bindings

// raceEnabled: the race detector is on, and memory measured from outside
// the Go heap (RSS) includes its shadow memory, several times the heap.
const raceEnabled = true
