package pcapread

import (
	"encoding/binary"
	"strconv"
	"strings"

	"github.com/gonetrepl/gonetrepl/third_party/gopacket"
	"github.com/gonetrepl/gonetrepl/third_party/gopacket/layers"
)

// linkTypeLinuxSLL2 is tcpdump -i any's link type since libpcap 1.10. Its
// 20-byte header is read here, whatever the gopacket release decodes:
// google/gopacket v1.1.19, which this was first written against, had no
// decoder for it and a LinkType of one byte (so link types are carried
// here as uint16, as pcapng stores them).
const linkTypeLinuxSLL2 = 276

// sll2HeaderLen is the size of a Linux cooked v2 header; its first two
// bytes are the EtherType of what follows.
const sll2HeaderLen = 20

var decodeOpts = gopacket.DecodeOptions{NoCopy: true}

// linkName is a link type's name as gopacket says it.
func linkName(link uint16) string {
	switch {
	case link == linkTypeLinuxSLL2:
		return "Linux SLL2"
	case link > 255:
		return "LinkType(" + strconv.Itoa(int(link)) + ")"
	}
	return layers.LinkType(link).String()
}

// decode decodes one frame of the given link type with gopacket's layers
// and maps the result onto a Packet. The gopacket.Packet is returned for
// reassembly.
func decode(data []byte, ci gopacket.CaptureInfo, link uint16) (Packet, gopacket.Packet) {
	var gp gopacket.Packet
	if link == linkTypeLinuxSLL2 {
		if len(data) < sll2HeaderLen {
			gp = gopacket.NewPacket(data, gopacket.DecodePayload, decodeOpts)
		} else {
			gp = gopacket.NewPacket(data[sll2HeaderLen:], layers.EthernetType(binary.BigEndian.Uint16(data[0:2])), decodeOpts)
		}
	} else if link > 255 {
		gp = gopacket.NewPacket(data, gopacket.DecodePayload, decodeOpts)
	} else {
		gp = gopacket.NewPacket(data, layers.LinkType(link), decodeOpts)
	}
	p := Packet{Time: ci.Timestamp, Length: ci.Length, Captured: len(data)}
	if p.Length < p.Captured {
		p.Length = p.Captured
	}
	var ipPayload []byte
	switch ip := gp.NetworkLayer().(type) {
	case *layers.IPv4:
		p.SrcIP, p.DstIP = ip.SrcIP.String(), ip.DstIP.String()
		p.Protocol = protocolName(ip.Protocol)
		ipPayload = ip.Payload
	case *layers.IPv6:
		p.SrcIP, p.DstIP = ip.SrcIP.String(), ip.DstIP.String()
		p.Protocol = protocolName(ip.NextHeader)
		ipPayload = ip.Payload
	default:
		p.Protocol = "unknown"
		for _, l := range gp.Layers() {
			switch l.LayerType() {
			case layers.LayerTypeEthernet, layers.LayerTypeLinuxSLL, layers.LayerTypeLoopback, layers.LayerTypeDot1Q:
				continue
			}
			if l.LayerType() != gopacket.LayerTypeDecodeFailure && l.LayerType() != gopacket.LayerTypePayload {
				p.Protocol = strings.ToLower(l.LayerType().String())
			}
			break
		}
		if app := gp.ApplicationLayer(); app != nil {
			p.Payload = clone(app.Payload())
		}
		return p, gp
	}
	switch t := gp.TransportLayer().(type) {
	case *layers.TCP:
		p.Protocol = "tcp"
		p.SrcPort, p.DstPort = int(t.SrcPort), int(t.DstPort)
		p.Flags = tcpFlags(t)
		p.Seq, p.Ack = t.Seq, t.Ack
		p.Payload = clone(t.Payload)
	case *layers.UDP:
		p.Protocol = "udp"
		p.SrcPort, p.DstPort = int(t.SrcPort), int(t.DstPort)
		p.Payload = clone(t.Payload)
	default:
		p.Payload = clone(ipPayload)
	}
	return p, gp
}

// protocolName is an IP protocol's name as users write it: "icmp" for
// ICMPv4, "icmpv6", "tcp", "udp", else gopacket's name in lower case.
func protocolName(p layers.IPProtocol) string {
	switch p {
	case layers.IPProtocolICMPv4:
		return "icmp"
	case layers.IPProtocolICMPv6:
		return "icmpv6"
	}
	return strings.ToLower(p.String())
}

// tcpFlags writes the set flags in scapy's order, FSRPAUECN.
func tcpFlags(t *layers.TCP) string {
	var b []byte
	for _, f := range []struct {
		on bool
		c  byte
	}{{t.FIN, 'F'}, {t.SYN, 'S'}, {t.RST, 'R'}, {t.PSH, 'P'}, {t.ACK, 'A'}, {t.URG, 'U'}, {t.ECE, 'E'}, {t.CWR, 'C'}, {t.NS, 'N'}} {
		if f.on {
			b = append(b, f.c)
		}
	}
	return string(b)
}

func clone(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}
