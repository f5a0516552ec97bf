// Package pcapsynth writes traffic that gonetrepl saw as a socket's bytes
// (not as packets) to a pcapng file that tshark and Wireshark open: it
// synthesizes the IPv4 or IPv6 and TCP or UDP headers around them. A TCP
// flow gets a SYN handshake when it opens, sequence and acknowledgment
// numbers that follow the bytes of each direction, segments of at most
// MaxSegment bytes and a FIN for each side that ends; a datagram is one
// UDP frame. gopacket's layers build the headers and its pcapgo writes the
// file (raw IP link type, nanosecond timestamps).
package pcapsynth

import (
	"io"
	"net/netip"
	"time"

	"github.com/gonetrepl/gonetrepl/third_party/gopacket"
	"github.com/gonetrepl/gonetrepl/third_party/gopacket/layers"
	"github.com/gonetrepl/gonetrepl/third_party/gopacket/pcapgo"
)

// MaxSegment is the most payload one synthesized TCP segment carries: an
// IPv4 packet's total length is 16 bits.
const MaxSegment = 65000

// Interface indexes of the file: plain traffic, and the plaintext of TLS
// conns, marked by the interface's name so that a reader can tell it.
const (
	IfacePlain        = 0
	IfaceTLSPlaintext = 1
)

// Writer writes synthesized frames. It is not safe for concurrent use.
type Writer struct {
	w   *pcapgo.NgWriter
	cw  *countWriter
	buf gopacket.SerializeBuffer
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// NewWriter starts a pcapng section on w with the two interfaces.
func NewWriter(w io.Writer) (*Writer, error) {
	cw := &countWriter{w: w}
	opts := pcapgo.DefaultNgWriterOptions
	opts.SectionInfo.Application = "gonetrepl"
	ng, err := pcapgo.NewNgWriterInterface(cw, pcapgo.NgInterface{
		Name: "gonetrepl", Description: "sockets recorded by gonetrepl (synthesized headers)",
		LinkType: layers.LinkTypeRaw, TimestampResolution: 9}, opts)
	if err != nil {
		return nil, err
	}
	if _, err := ng.AddInterface(pcapgo.NgInterface{
		Name: "gonetrepl-tls-plaintext", Description: "the plaintext of TLS conns recorded by gonetrepl",
		LinkType: layers.LinkTypeRaw, TimestampResolution: 9}); err != nil {
		return nil, err
	}
	return &Writer{w: ng, cw: cw, buf: gopacket.NewSerializeBuffer()}, nil
}

// Size is how many bytes have reached the underlying writer.
func (w *Writer) Size() int64 { return w.cw.n }

// Flush writes what is buffered.
func (w *Writer) Flush() error { return w.w.Flush() }

// Flow is one TCP conn as the file shows it: Local is this side, Remote
// the peer.
type Flow struct {
	Local, Remote netip.AddrPort
	Iface         int
	seq           [2]uint32 // next sequence number of local (0) and remote (1)
	fin           [2]bool
}

// NewFlow makes a flow between local and remote, addresses of one family
// (an IPv4 one is unmapped; mixed families are written as IPv6).
func NewFlow(local, remote netip.AddrPort, iface int) *Flow {
	local, remote = sameFamily(local, remote)
	return &Flow{Local: local, Remote: remote, Iface: iface, seq: [2]uint32{1000, 5000}}
}

// sameFamily unmaps IPv4-mapped addresses, and maps IPv4 to IPv6 when the
// other address is IPv6.
func sameFamily(a, b netip.AddrPort) (netip.AddrPort, netip.AddrPort) {
	a = netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
	b = netip.AddrPortFrom(b.Addr().Unmap(), b.Port())
	if a.Addr().Is4() != b.Addr().Is4() {
		a = netip.AddrPortFrom(netip.AddrFrom16(a.Addr().As16()), a.Port())
		b = netip.AddrPortFrom(netip.AddrFrom16(b.Addr().As16()), b.Port())
	}
	return a, b
}

// Open writes the three-way handshake: from local if localDialed (this
// side connected), else from remote.
func (w *Writer) Open(f *Flow, localDialed bool, t time.Time) error {
	c, s := 0, 1
	if !localDialed {
		c, s = 1, 0
	}
	if err := w.segment(f, c, t, &layers.TCP{SYN: true}, nil); err != nil {
		return err
	}
	f.seq[c]++
	if err := w.segment(f, s, t, &layers.TCP{SYN: true, ACK: true}, nil); err != nil {
		return err
	}
	f.seq[s]++
	return w.segment(f, c, t, &layers.TCP{ACK: true}, nil)
}

// Data writes data sent by local (fromLocal) or by remote, in segments of
// at most MaxSegment bytes.
func (w *Writer) Data(f *Flow, fromLocal bool, data []byte, t time.Time) error {
	d := side(fromLocal)
	for len(data) > 0 {
		n := min(len(data), MaxSegment)
		if err := w.segment(f, d, t, &layers.TCP{ACK: true, PSH: n == len(data)}, data[:n]); err != nil {
			return err
		}
		f.seq[d] += uint32(n)
		data = data[n:]
	}
	return nil
}

// Fin writes the FIN of local (fromLocal) or remote, once per side.
func (w *Writer) Fin(f *Flow, fromLocal bool, t time.Time) error {
	d := side(fromLocal)
	if f.fin[d] {
		return nil
	}
	f.fin[d] = true
	if err := w.segment(f, d, t, &layers.TCP{FIN: true, ACK: true}, nil); err != nil {
		return err
	}
	f.seq[d]++
	// The other side acknowledges it, as a peer's stack would.
	return w.segment(f, 1-d, t, &layers.TCP{ACK: true}, nil)
}

func side(fromLocal bool) int {
	if fromLocal {
		return 0
	}
	return 1
}

// segment writes one TCP segment from side d (0 local, 1 remote).
func (w *Writer) segment(f *Flow, d int, t time.Time, tcp *layers.TCP, payload []byte) error {
	src, dst := f.Local, f.Remote
	if d == 1 {
		src, dst = dst, src
	}
	tcp.SrcPort, tcp.DstPort = layers.TCPPort(src.Port()), layers.TCPPort(dst.Port())
	tcp.Seq = f.seq[d]
	if tcp.ACK {
		tcp.Ack = f.seq[1-d]
	}
	tcp.Window = 65535
	return w.frame(src.Addr(), dst.Addr(), layers.IPProtocolTCP, tcp, payload, f.Iface, t)
}

// Datagram writes one UDP datagram from src to dst.
func (w *Writer) Datagram(src, dst netip.AddrPort, data []byte, t time.Time) error {
	src, dst = sameFamily(src, dst)
	udp := &layers.UDP{SrcPort: layers.UDPPort(src.Port()), DstPort: layers.UDPPort(dst.Port())}
	return w.frame(src.Addr(), dst.Addr(), layers.IPProtocolUDP, udp, data, IfacePlain, t)
}

// transport is a TCP or UDP header that takes its pseudo-header from the
// IP layer for its checksum.
type transport interface {
	gopacket.SerializableLayer
	SetNetworkLayerForChecksum(gopacket.NetworkLayer) error
}

func (w *Writer) frame(src, dst netip.Addr, proto layers.IPProtocol, tp transport, payload []byte, iface int, t time.Time) error {
	var ip gopacket.SerializableLayer
	if src.Is4() {
		ip4 := &layers.IPv4{Version: 4, TTL: 64, Protocol: proto, SrcIP: src.AsSlice(), DstIP: dst.AsSlice(), Flags: layers.IPv4DontFragment}
		tp.SetNetworkLayerForChecksum(ip4)
		ip = ip4
	} else {
		ip6 := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: proto, SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}
		tp.SetNetworkLayerForChecksum(ip6)
		ip = ip6
	}
	if err := gopacket.SerializeLayers(w.buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
		ip, tp, gopacket.Payload(payload)); err != nil {
		return err
	}
	b := w.buf.Bytes()
	ci := gopacket.CaptureInfo{Timestamp: t, CaptureLength: len(b), Length: len(b), InterfaceIndex: iface}
	return w.w.WritePacket(ci, b)
}
