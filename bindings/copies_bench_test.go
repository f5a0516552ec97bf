package bindings

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Benchmarks of the copies made on the way from Go's bytes to Lua's
// strings: cap:streams() and a relay through an on_data hook. B/op is
// the figure to watch (go test -bench 'Streams|RelayHook' -benchmem).

// rawUDPCapture writes a classic pcap of raw IPv4 frames (link type 101)
// to a file in dir: n datagrams of size bytes, from 10.0.0.1:5000 to
// 10.0.0.2:53, every fifth the other way (as pcap_test.lua's
// raw_udp_capture).
func rawUDPCapture(tb testing.TB, dir string, n, size int) string {
	tb.Helper()
	le, be := binary.LittleEndian, binary.BigEndian
	out := le.AppendUint32(nil, 0xa1b2c3d4)
	out = le.AppendUint16(out, 2)
	out = le.AppendUint16(out, 4)
	out = le.AppendUint32(out, 0)
	out = le.AppendUint32(out, 0)
	out = le.AppendUint32(out, 65535)
	out = le.AppendUint32(out, 101)
	for i := 1; i <= n; i++ {
		src, dst, sport, dport := uint32(0x0a000001), uint32(0x0a000002), uint16(5000), uint16(53)
		if i%5 == 0 {
			src, dst, sport, dport = dst, src, dport, sport
		}
		payload := []byte("datagram " + strconv.Itoa(i))
		payload = append(payload, strings.Repeat(".", size-len(payload))...)
		frame := []byte{0x45, 0}
		frame = be.AppendUint16(frame, uint16(28+len(payload)))
		frame = be.AppendUint16(frame, uint16(i))
		frame = be.AppendUint16(frame, 0)
		frame = append(frame, 64, 17, 0, 0)
		frame = be.AppendUint32(frame, src)
		frame = be.AppendUint32(frame, dst)
		frame = be.AppendUint16(frame, sport)
		frame = be.AppendUint16(frame, dport)
		frame = be.AppendUint16(frame, uint16(8+len(payload)))
		frame = be.AppendUint16(frame, 0)
		frame = append(frame, payload...)
		out = le.AppendUint32(out, uint32(1700000000+i))
		out = le.AppendUint32(out, 0)
		out = le.AppendUint32(out, uint32(len(frame)))
		out = le.AppendUint32(out, uint32(len(frame)))
		out = append(out, frame...)
	}
	path := filepath.Join(dir, "udp.pcap")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// BenchmarkCaptureStreams is one cap:streams() of a capture holding
// 1,000 datagrams of 1,000 bytes: 1 MB of stream data an op.
func BenchmarkCaptureStreams(b *testing.B) {
	path := rawUDPCapture(b, b.TempDir(), 1000, 1000)
	rt := New(Options{})
	defer rt.Close()
	benchWait(b, benchStart(b, rt, "open", `cap = assert(pcap.open(...))`, path))
	b.ResetTimer()
	benchWait(b, benchStart(b, rt, "streams", `
		for i = 1, tonumber(...) do
			local s = cap:streams()[1]
			assert(#s.chunks == 1000 and #s.client_bytes == 800000 and #s.server_bytes == 200000)
			assert(s.chunks[1000].data:sub(1, 13) == "datagram 1000")
		end`, strconv.Itoa(b.N)))
}

// BenchmarkRelayHookCopies relays 1 MiB an op, in 64 KiB writes, through
// an on_data hook that returns each chunk as it got it.
func BenchmarkRelayHookCopies(b *testing.B) {
	benchChunk(b, "relay", `
		local n = tonumber(...)
		local pair = require("testhelp").tcp_pair
		local writer, a = pair()
		local b, reader = pair()
		local piece = string.rep("x", 65536)
		task.spawn(function()
			for i = 1, n * 16 do assert(writer:write(piece)) end
			assert(writer:close_write())
		end)
		local got = task.spawn(function()
			local total = 0
			while true do
				local d, err = reader:read(65536)
				if not d then assert(err.kind == "eof", tostring(err)); break end
				total = total + #d
			end
			assert(reader:close_write())
			return total
		end)
		local ab = assert(net.relay(a, b, {on_data = function(dir, data) return data end}))
		assert(ab == n * 16 * 65536, ab)
		assert(got:wait(60) == ab)`)
}
