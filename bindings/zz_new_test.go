package bindings

import "testing"

func BenchmarkZZNew(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		rt := New(Options{})
		rt.Close()
	}
}
