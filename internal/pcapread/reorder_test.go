package pcapread

// A TCP session written with gopacket's pcapgo.Writer and layers (a kept
// tool, not hand-made bytes) whose segments arrive out of order, twice,
// and overlapping: the reassembled stream must still be exact. editcap
// (Wireshark's tools) converts it to pcapng, which must read the same.

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/peer"
	"github.com/gonetrepl/gonetrepl/third_party/gopacket"
	"github.com/gonetrepl/gonetrepl/third_party/gopacket/layers"
	"github.com/gonetrepl/gonetrepl/third_party/gopacket/pcapgo"
)

// segment is one TCP segment of the written session.
type segment struct {
	fromServer bool
	flags      string // of S, A, F, R, P
	seq, ack   uint32
	data       string
}

// writeSession writes segs as Ethernet/IPv4/TCP frames between
// 10.0.0.1:40000 (client) and 10.0.0.2:80, one millisecond apart.
func writeSession(t testing.TB, path string, segs []segment) {
	t.Helper()
	var buf bytes.Buffer
	w := pcapgo.NewWriter(&buf)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	start := time.Unix(1_700_000_000, 0)
	for i, s := range segs {
		eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}, EthernetType: layers.EthernetTypeIPv4}
		ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: net.IPv4(10, 0, 0, 1), DstIP: net.IPv4(10, 0, 0, 2)}
		tcp := &layers.TCP{SrcPort: 40000, DstPort: 80, Seq: s.seq, Ack: s.ack, Window: 65535}
		if s.fromServer {
			ip.SrcIP, ip.DstIP = ip.DstIP, ip.SrcIP
			tcp.SrcPort, tcp.DstPort = tcp.DstPort, tcp.SrcPort
		}
		for _, f := range s.flags {
			switch f {
			case 'S':
				tcp.SYN = true
			case 'A':
				tcp.ACK = true
			case 'F':
				tcp.FIN = true
			case 'R':
				tcp.RST = true
			case 'P':
				tcp.PSH = true
			}
		}
		tcp.SetNetworkLayerForChecksum(ip)
		sb := gopacket.NewSerializeBuffer()
		if err := gopacket.SerializeLayers(sb, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
			eth, ip, tcp, gopacket.Payload(s.data)); err != nil {
			t.Fatal(err)
		}
		ci := gopacket.CaptureInfo{Timestamp: start.Add(time.Duration(i) * time.Millisecond), CaptureLength: len(sb.Bytes()), Length: len(sb.Bytes())}
		if err := w.WritePacket(ci, sb.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// disorderedSession: the client sends "GET /a HTTP/1.1\r\n" + "Host: x\r\n"
// + "\r\n" in three segments, the third first, the first twice, and the
// second again overlapping the third; the server answers in two
// segments, the second before the first, and both close.
func disorderedSession() (segs []segment, client, server string) {
	c1, c2, c3 := "GET /a HTTP/1.1\r\n", "Host: x\r\n", "\r\n"
	s1, s2 := "HTTP/1.0 200 OK\r\n\r\n", "hello, reordered world"
	const ci, si = 1000, 5000 // initial sequence numbers
	cs := uint32(ci + 1)
	ss := uint32(si + 1)
	n1, n2, n3 := uint32(len(c1)), uint32(len(c2)), uint32(len(c3))
	sn1, sn2 := uint32(len(s1)), uint32(len(s2))
	segs = []segment{
		{false, "S", ci, 0, ""},
		{true, "SA", si, ci + 1, ""},
		{false, "A", cs, ss, ""},
		{false, "PA", cs + n1 + n2, ss, c3},           // the third first
		{false, "PA", cs, ss, c1},                     // the first
		{false, "PA", cs, ss, c1},                     // the first again (a retransmission)
		{false, "PA", cs + n1, ss, c2 + c3},           // the second, overlapping the third
		{true, "PA", ss + sn1, cs + n1 + n2 + n3, s2}, // the server's second first
		{true, "PA", ss, cs + n1 + n2 + n3, s1},
		{true, "PA", ss, cs + n1 + n2 + n3, s1}, // and again
		{true, "FA", ss + sn1 + sn2, cs + n1 + n2 + n3, ""},
		{false, "FA", cs + n1 + n2 + n3, ss + sn1 + sn2 + 1, ""},
		{true, "A", ss + sn1 + sn2 + 1, cs + n1 + n2 + n3 + 1, ""},
	}
	return segs, c1 + c2 + c3, s1 + s2
}

func joined(st *Stream, fromServer bool) string {
	var b []byte
	for _, c := range st.Chunks {
		if c.FromServ == fromServer {
			b = append(b, c.Data...)
		}
	}
	return string(b)
}

func checkDisordered(t *testing.T, c *Capture, client, server string) {
	t.Helper()
	if len(c.Packets) != 13 {
		t.Fatalf("%d packets, want 13", len(c.Packets))
	}
	if p := c.Packets[1]; p.Flags != "SA" || p.SrcIP != "10.0.0.2" || p.SrcPort != 80 || p.DstPort != 40000 || p.Protocol != "tcp" || p.Seq != 5000 {
		t.Errorf("packet 2: %+v", p)
	}
	if len(c.Streams) != 1 {
		t.Fatalf("%d streams, want 1", len(c.Streams))
	}
	st := c.Streams[0]
	if st.Client != "10.0.0.1:40000" || st.Server != "10.0.0.2:80" {
		t.Errorf("client %s, server %s", st.Client, st.Server)
	}
	if got := joined(st, false); got != client {
		t.Errorf("client bytes %q, want %q", got, client)
	}
	if got := joined(st, true); got != server {
		t.Errorf("server bytes %q, want %q", got, server)
	}
	if st.ClientBytes != int64(len(client)) || st.ServerBytes != int64(len(server)) {
		t.Errorf("counts %d, %d", st.ClientBytes, st.ServerBytes)
	}
	if !st.Complete() || st.Missing != 0 {
		t.Errorf("complete %v (syn %v fins %v %v), missing %d", st.Complete(), st.SynSeen, st.ClientFin, st.ServerFin, st.Missing)
	}
}

func TestReassemblyDespiteDisorder(t *testing.T) {
	segs, client, server := disorderedSession()
	dir := t.TempDir()
	path := filepath.Join(dir, "disordered.pcap")
	writeSession(t, path, segs)
	c, err := ReadFile(context.Background(), path, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Format != "pcap" || c.LinkType != "Ethernet" {
		t.Errorf("format %s, link %s", c.Format, c.LinkType)
	}
	checkDisordered(t, c, client, server)

	// The same through Wireshark's editcap, as pcapng.
	editcap := peer.Find(t, "editcap", "wireshark-common")
	ng := filepath.Join(dir, "disordered.pcapng")
	if out, err := exec.Command(editcap, "-F", "pcapng", path, ng).CombinedOutput(); err != nil {
		t.Fatalf("editcap: %v\n%s", err, out)
	}
	c2, err := ReadFile(context.Background(), ng, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if c2.Format != "pcapng" {
		t.Errorf("format %s", c2.Format)
	}
	checkDisordered(t, c2, client, server)
	for i := range c.Packets {
		if !c.Packets[i].Time.Equal(c2.Packets[i].Time) {
			t.Errorf("packet %d: time %v in pcap, %v in pcapng", i+1, c.Packets[i].Time, c2.Packets[i].Time)
		}
	}
}

// A gap the capture never fills is counted as missing, and the bytes
// after it are still delivered.
func TestReassemblyCountsGaps(t *testing.T) {
	segs := []segment{
		{false, "S", 100, 0, ""},
		{true, "SA", 900, 101, ""},
		{false, "PA", 101, 901, "abc"},
		{false, "PA", 101 + 3 + 4, 901, "xyz"}, // 4 bytes never captured
		{false, "FA", 101 + 3 + 4 + 3, 901, ""},
		{true, "FA", 901, 101 + 3 + 4 + 3 + 1, ""},
	}
	path := filepath.Join(t.TempDir(), "gap.pcap")
	writeSession(t, path, segs)
	c, err := ReadFile(context.Background(), path, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	st := c.Streams[0]
	if got := joined(st, false); got != "abcxyz" || st.Missing != 4 || st.Complete() {
		t.Errorf("client bytes %q, missing %d, complete %v", got, st.Missing, st.Complete())
	}
}
