package pcapread

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gonetrepl/gonetrepl/third_party/gopacket/pcapgo"
)

// seedFiles are the disordered session as pcap and as pcapng (written by
// pcapgo's NgWriter).
func seedFiles(t testing.TB) (pcap, pcapng []byte) {
	segs, _, _ := disorderedSession()
	path := filepath.Join(t.TempDir(), "s.pcap")
	writeSession(t, path, segs)
	pcap, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := pcapgo.NewReader(bytes.NewReader(pcap))
	if err != nil {
		t.Fatal(err)
	}
	var ng bytes.Buffer
	w, err := pcapgo.NewNgWriter(&ng, r.LinkType())
	if err != nil {
		t.Fatal(err)
	}
	for {
		data, ci, err := r.ReadPacketData()
		if err != nil {
			break
		}
		if err := w.WritePacket(ci, data); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	return pcap, ng.Bytes()
}

// FuzzPcapRead: any bytes as a capture file (seeds: the disordered
// session as pcap and pcapng, cut short, and the tcpdump captures of
// testdata). No panic, every failure an
// error value, and what is held stays within the limits.
func FuzzPcapRead(f *testing.F) {
	pcap, ng := seedFiles(f)
	f.Add(pcap)
	f.Add(ng)
	f.Add(pcap[:40])
	f.Add(ng[:60])
	// tcpdump's (Ethernet, Linux cooked v2) and editcap's captures
	for _, name := range []string{"http.pcap", "http.pcapng", "redis-any.pcap"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	lim := Limits{MaxBytes: 1 << 20, MaxPackets: 1000, MaxStreams: 50, MaxPayload: 1 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Read(context.Background(), bytes.NewReader(data), int64(len(data)), lim)
		if err != nil {
			if c != nil {
				t.Fatal("a capture with an error")
			}
			return
		}
		if len(c.Packets) > lim.MaxPackets || len(c.Streams) > lim.MaxStreams {
			t.Fatalf("%d packets, %d streams", len(c.Packets), len(c.Streams))
		}
		var held int64
		for _, p := range c.Packets {
			held += int64(len(p.Payload))
			if p.Captured > MaxPacket {
				t.Fatalf("a packet of %d bytes", p.Captured)
			}
		}
		for _, s := range c.Streams {
			for _, ch := range s.Chunks {
				held += int64(len(ch.Data))
			}
		}
		if held > lim.MaxPayload {
			t.Fatalf("%d payload bytes held", held)
		}
	})
}

// Corrupt and oversized files are errors naming the packet and offset,
// or the limit.
func TestCorruptFiles(t *testing.T) {
	pcap, ng := seedFiles(t)
	read := func(b []byte, lim Limits) error {
		_, err := Read(context.Background(), bytes.NewReader(b), int64(len(b)), lim)
		return err
	}
	huge := append([]byte(nil), pcap...)
	huge[24+8], huge[24+9], huge[24+10], huge[24+11] = 0xff, 0xff, 0xff, 0x7f // packet 1's captured length
	ngHuge := append([]byte(nil), ng...)
	// The first enhanced packet block follows the section header and the
	// interface block; its captured length is 20 bytes in.
	shb := int(ngHuge[4]) | int(ngHuge[5])<<8
	idb := int(ngHuge[shb+4]) | int(ngHuge[shb+5])<<8
	epb := shb + idb
	ngHuge[epb+20], ngHuge[epb+21], ngHuge[epb+22], ngHuge[epb+23] = 0xff, 0xff, 0xff, 0x7f
	// A section header, then nothing but interface descriptions (20 bytes
	// each, link type 1), one more than MaxInterfaces.
	manyIfaces := append([]byte(nil), ng[:shb]...)
	idb20 := []byte{1, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0}
	for range MaxInterfaces + 1 {
		manyIfaces = append(manyIfaces, idb20...)
	}
	for _, tc := range []struct {
		name string
		data []byte
		lim  Limits
		want string
		big  bool
	}{
		{"empty", nil, Limits{}, "not a pcap or pcapng file", false},
		{"text", []byte("GET / HTTP/1.1\r\n\r\n"), Limits{}, "not a pcap or pcapng file (magic", false},
		{"truncated pcap", pcap[:len(pcap)-5], Limits{}, "packet 13 at offset", false},
		{"pcap 2 GiB packet", huge, Limits{}, "packet 1 at offset 24", false},
		{"truncated pcapng", ng[:len(ng)-5], Limits{}, "packet 13 at offset", false},
		{"pcapng 2 GiB packet", ngHuge, Limits{}, "packet 1 at offset", true},
		{"pcapng interfaces", manyIfaces, Limits{}, "more than 65536 interface descriptions", true},
		{"max_bytes", pcap, Limits{MaxBytes: 100}, "over max_bytes 100", true},
		{"max_packets", pcap, Limits{MaxPackets: 3}, "max_packets 3", true},
		{"max_payload", pcap, Limits{MaxPayload: 10}, "max_payload 10", true},
	} {
		err := read(tc.data, tc.lim)
		if err == nil || !strings.Contains(err.Error(), tc.want) || errors.Is(err, ErrTooLarge) != tc.big {
			t.Errorf("%s: %v, want an error with %q (too large: %v)", tc.name, err, tc.want, tc.big)
		}
	}
}
