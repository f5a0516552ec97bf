package bindings

import (
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/transcript"
)

// Benchmarks of recording (record.go, capture.go): what a recorder costs
// an event, and on a relay of many small chunks
// (go test -bench 'Record' -benchmem ./bindings).

// BenchmarkRecordRelay is 100 round trips of 64 bytes an op through
// net.relay to an echo server, every socket recorded by net.record (8
// events a round trip: each side's send and recv), and the same without
// recording (off): what a recorder costs on many small chunks.
func BenchmarkRecordRelay(b *testing.B) {
	for _, mode := range []string{"off", "record", "capture"} {
		b.Run(mode, func(b *testing.B) {
			dir := b.TempDir()
			rt := New(Options{})
			defer rt.Close()
			preloadTestHelp(b, rt)
			src := `
				local n, mode, dir = tonumber((...)), select(2, ...)
				if mode ~= "off" then assert(net[mode](dir .. "/rec")) end
				local pair = require("testhelp").tcp_pair
				local client, a = pair()
				local b, echo = pair()
				task.spawn(function()
					while true do
						local d = echo:read(65536)
						if not d then break end
						assert(echo:write(d))
					end
					echo:close()
				end)
				local relay = task.spawn(function() return net.relay(a, b) end)
				local piece = string.rep("x", 64)
				for i = 1, n * 100 do
					assert(client:write(piece))
					assert(client:read_full(64) == piece)
				end
				client:close_write()
				assert(client:read(1) == nil)
				relay:wait(10)
				if mode ~= "off" then
					local counts = assert(net[mode](false))
					assert(counts.events >= n * 800, counts.events)
				end`
			b.ResetTimer()
			benchWait(b, benchStart(b, rt, "record", src, strconv.Itoa(b.N), mode, dir))
		})
	}
}

// benchRecSource is a TCP socket as a recorder sees it.
type benchRecSource struct{}

func (benchRecSource) recInfo() recSession {
	return recSession{network: "tcp", role: "dial",
		local:  &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50000},
		remote: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 6379}}
}

// BenchmarkRecorderEvents is one 64-byte send recorded, by a transcript
// and by a capture: the recorder's own cost an event, file writes
// included.
func BenchmarkRecorderEvents(b *testing.B) {
	data := []byte(strings.Repeat("x", 64))
	for _, name := range []string{"record", "capture"} {
		b.Run(name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "rec")
			r, err := openRecorder(path, false, 1<<40, nil, newTranscriptSink)
			if name == "capture" {
				r, err = openRecorder(path, false, 1<<40, nil, newCaptureSink)
			}
			if err != nil {
				b.Fatal(err)
			}
			var src benchRecSource
			b.ResetTimer()
			for range b.N {
				r.event(src, transcript.Send, nil, data, "")
			}
			if _, events, _ := r.stop(); events != int64(b.N)+1 {
				b.Fatalf("%d events written, want %d", events, b.N+1)
			}
		})
	}
}
