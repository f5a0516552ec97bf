package pcapsynth

import (
	"bytes"
	"io"
	"net/netip"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/third_party/gopacket"
	"github.com/gonetrepl/gonetrepl/third_party/gopacket/layers"
	"github.com/gonetrepl/gonetrepl/third_party/gopacket/pcapgo"
)

// TestFlowReadsBack writes a TCP flow with a 150000-byte write (three
// segments) and a UDP datagram, reads the file back with pcapgo and
// checks every header: the handshake, seq/ack following the bytes, the
// segments' sizes and the FINs.
func TestFlowReadsBack(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1733366400, 5)
	local := netip.MustParseAddrPort("127.0.0.1:5000")
	remote := netip.MustParseAddrPort("[::ffff:127.0.0.2]:80") // mapped: written as IPv4
	f := NewFlow(local, remote, IfacePlain)
	big := bytes.Repeat([]byte("0123456789"), 15000)
	steps := []error{
		w.Open(f, true, t0),
		w.Data(f, true, big, t0),
		w.Data(f, false, []byte("ok"), t0),
		w.Fin(f, true, t0),
		w.Fin(f, true, t0), // once per side
		w.Fin(f, false, t0),
		w.Datagram(netip.MustParseAddrPort("[::1]:7000"), netip.MustParseAddrPort("[::1]:4000"), []byte("dgram"), t0),
		w.Flush(),
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	if w.Size() != int64(buf.Len()) {
		t.Errorf("Size %d, file %d", w.Size(), buf.Len())
	}
	r, err := pcapgo.NewNgReader(&buf, pcapgo.DefaultNgReaderOptions)
	if err != nil {
		t.Fatal(err)
	}
	type seg struct {
		src         uint16
		flags       string
		seq, ack, n uint32
	}
	var got []seg
	var udp []byte
	for {
		data, ci, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !ci.Timestamp.Equal(t0) {
			t.Errorf("timestamp %v", ci.Timestamp)
		}
		first := layers.LayerTypeIPv4
		if data[0]>>4 == 6 {
			first = layers.LayerTypeIPv6
		}
		p := gopacket.NewPacket(data, first, gopacket.Default)
		if el := p.ErrorLayer(); el != nil {
			t.Fatalf("decode: %v", el.Error())
		}
		if u, ok := p.Layer(layers.LayerTypeUDP).(*layers.UDP); ok {
			udp = u.Payload
			continue
		}
		tcp := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
		fl := ""
		for _, b := range []struct {
			on bool
			c  string
		}{{tcp.SYN, "S"}, {tcp.ACK, "A"}, {tcp.FIN, "F"}} {
			if b.on {
				fl += b.c
			}
		}
		ack := tcp.Ack
		if !tcp.ACK {
			ack = 0
		}
		got = append(got, seg{uint16(tcp.SrcPort), fl, tcp.Seq, ack, uint32(len(tcp.Payload))})
	}
	want := []seg{
		{5000, "S", 1000, 0, 0},
		{80, "SA", 5000, 1001, 0},
		{5000, "A", 1001, 5001, 0},
		{5000, "A", 1001, 5001, 65000},
		{5000, "A", 66001, 5001, 65000},
		{5000, "A", 131001, 5001, 20000},
		{80, "A", 5001, 151001, 2},
		{5000, "AF", 151001, 5003, 0},
		{80, "A", 5003, 151002, 0},
		{80, "AF", 5003, 151002, 0},
		{5000, "A", 151002, 5004, 0},
	}
	if len(got) != len(want) {
		t.Fatalf("segments:\n%v\nwant\n%v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("segment %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if string(udp) != "dgram" {
		t.Errorf("udp payload %q", udp)
	}
}
