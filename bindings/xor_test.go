package bindings

import (
	"bytes"
	"crypto/rand"
	"testing"
)

// xorBytewise is bin.xor's definition, byte by byte: the reference the
// block-wise xorRepeat must match.
func xorBytewise(data, key []byte) []byte {
	out := make([]byte, len(data))
	for i := range data {
		out[i] = data[i] ^ key[i%len(key)]
	}
	return out
}

// xorRepeat equals the byte-by-byte definition for every data length
// around its block (4 KiB and a whole number of keys) and every key
// length from 1 to past the data, including keys that do not divide the
// block.
func TestXorRepeatMatchesBytewise(t *testing.T) {
	buf := make([]byte, 3*xorBlock+123)
	rand.Read(buf)
	keys := make([]byte, xorBlock+7)
	rand.Read(keys)
	dataLens := []int{0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 31, 63, 64, 65, 100, 1000, xorBlock - 1, xorBlock, xorBlock + 1, 2*xorBlock + 5, len(buf)}
	keyLens := []int{1, 2, 3, 4, 5, 7, 8, 13, 16, 64, 100, 1000, xorBlock - 1, xorBlock, xorBlock + 7}
	for _, n := range dataLens {
		for _, k := range keyLens {
			data, key := buf[:n], keys[:k]
			got := xorRepeat(string(data), string(key))
			if want := xorBytewise(data, key); !bytes.Equal([]byte(got), want) {
				t.Fatalf("%d bytes with a key of %d: differs from byte-by-byte", n, k)
			}
		}
	}
}

// BenchmarkXorRepeat unmasks a 64 KiB WebSocket payload (a 4-byte key),
// the websocket module's most frequent big call.
func BenchmarkXorRepeat(b *testing.B) {
	data := string(make([]byte, 64<<10))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		xorRepeat(data, "\x01\x02\x03\x04")
	}
}
