package pcapread

import (
	"strings"
	"testing"

	"github.com/gonetrepl/gonetrepl/third_party/gopacket"
	"github.com/gonetrepl/gonetrepl/third_party/gopacket/layers"
)

// TestPatchedEnumTablesDecodeAsBefore checks gonetrepl's patch 1 to gopacket
// (third_party/gopacket/GONETREPL.md): EthernetTypeMetadata and
// PPPTypeMetadata are maps instead of 65536-entry arrays, and every lookup
// through them answers as the arrays did, for known and unknown values.
func TestPatchedEnumTablesDecodeAsBefore(t *testing.T) {
	if got := layers.EthernetTypeIPv6.String(); got != "IPv6" {
		t.Errorf("EthernetTypeIPv6.String() = %q, want IPv6", got)
	}
	if got := layers.EthernetTypeIPv4.LayerType(); got != layers.LayerTypeIPv4 {
		t.Errorf("EthernetTypeIPv4.LayerType() = %v, want IPv4", got)
	}
	if got := layers.PPPTypeIPv6.String(); got != "IPv6" {
		t.Errorf("PPPTypeIPv6.String() = %q, want IPv6", got)
	}
	unknown := layers.EthernetType(0x1234)
	if got := unknown.String(); got != "UnknownEthernetType" {
		t.Errorf("EthernetType(0x1234).String() = %q", got)
	}
	if got := unknown.LayerType(); got != 0 {
		t.Errorf("EthernetType(0x1234).LayerType() = %v, want 0", got)
	}
	if err := layers.PPPType(0xffff).Decode(nil, nil); err == nil || !strings.Contains(err.Error(), "Unable to decode PPPType 65535") {
		t.Errorf("PPPType(0xffff).Decode = %v, want an unable-to-decode error", err)
	}
	if _, ok := layers.EthernetTypeMetadata[unknown]; ok {
		t.Errorf("a lookup of an unknown EthernetType added an entry")
	}

	// A whole frame still decodes through the Ethernet table: Ethernet, then
	// IPv4 chosen by EthernetType 0x0800, then TCP with its payload.
	eth := &layers.Ethernet{SrcMAC: make([]byte, 6), DstMAC: make([]byte, 6), EthernetType: layers.EthernetTypeIPv4}
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: []byte{127, 0, 0, 1}, DstIP: []byte{127, 0, 0, 2}}
	tcp := &layers.TCP{SrcPort: 40000, DstPort: 6379, Seq: 1, PSH: true, ACK: true, Window: 512}
	if err := tcp.SetNetworkLayerForChecksum(ip); err != nil {
		t.Fatal(err)
	}
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, opts, eth, ip, tcp, gopacket.Payload("PING\r\n")); err != nil {
		t.Fatal(err)
	}
	pkt := gopacket.NewPacket(buf.Bytes(), layers.LayerTypeEthernet, gopacket.Default)
	if el := pkt.ErrorLayer(); el != nil {
		t.Fatalf("decode error: %v", el.Error())
	}
	got, ok := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
	if !ok || got.DstPort != 6379 || string(got.Payload) != "PING\r\n" {
		t.Fatalf("TCP layer = %#v", pkt.Layer(layers.LayerTypeTCP))
	}
}
