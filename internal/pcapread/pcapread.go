// Package pcapread reads a capture file (pcap or pcapng, as tcpdump,
// Wireshark's tools or gonetrepl write them) into decoded packets and
// reassembled streams, within limits a hostile file cannot exceed.
//
// The file formats are gopacket's pcapgo readers, the layers are
// gopacket's decoders and TCP reassembly is gopacket's reassembly
// package: this package maps their results onto plain values and bounds
// what they may cost (file size, packet size, packet and stream counts,
// payload held, reassembly pages). Every failure is an error value;
// a panic inside the libraries on a corrupt file is recovered as one.
package pcapread

import (
	"errors"
	"fmt"
	"time"
)

// Limits bound what reading one file may cost. A zero field takes its
// default (see DefaultLimits).
type Limits struct {
	MaxBytes   int64 // the file's size
	MaxPackets int   // packets read
	MaxStreams int   // TCP streams and UDP flows together
	MaxPayload int64 // payload bytes held, packets' and streams' together
}

// DefaultLimits are the limits of a zero Limits.
var DefaultLimits = Limits{
	MaxBytes:   256 << 20,
	MaxPackets: 1_000_000,
	MaxStreams: 10_000,
	MaxPayload: 256 << 20,
}

// MaxInterfaces is the most interface description blocks a pcapng file
// may hold: gopacket keeps a struct of five strings for each, so a file
// of nothing but 20-byte descriptions (13 million in 256 MiB) would take
// gigabytes. Real captures describe a handful.
const MaxInterfaces = 65536

// MaxPacket is the largest packet read, whatever the file's snap length
// says: 256 KiB (tcpdump's MAXIMUM_SNAPLEN is 262144).
const MaxPacket = 256 << 10

// Reassembly page limits: at most this many 1900-byte pages wait for
// out-of-order segments, in all and per connection (about 7.6 MB and
// 1.9 MB); past them the assembler skips ahead and the gap is counted as
// missing.
const (
	maxPagesTotal   = 4096
	maxPagesPerConn = 1024
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultLimits.MaxBytes
	}
	if l.MaxPackets <= 0 {
		l.MaxPackets = DefaultLimits.MaxPackets
	}
	if l.MaxStreams <= 0 {
		l.MaxStreams = DefaultLimits.MaxStreams
	}
	if l.MaxPayload <= 0 {
		l.MaxPayload = DefaultLimits.MaxPayload
	}
	return l
}

// ErrTooLarge is wrapped by every error that a limit caused.
var ErrTooLarge = errors.New("too large")

// FormatError says where a file stops being a capture: which packet (1 is
// the first; 0 for the file's header) and at which byte offset.
type FormatError struct {
	Packet int
	Offset int64
	Err    error
}

func (e *FormatError) Error() string {
	if e.Packet == 0 {
		return fmt.Sprintf("pcap: at offset %d: %v", e.Offset, e.Err)
	}
	return fmt.Sprintf("pcap: packet %d at offset %d: %v", e.Packet, e.Offset, e.Err)
}

func (e *FormatError) Unwrap() error { return e.Err }

// Packet is one decoded packet.
type Packet struct {
	Number   int       // 1 for the file's first packet
	Time     time.Time // its capture time
	Length   int       // its length on the wire
	Captured int       // the bytes of it the file holds

	Protocol string // "tcp", "udp", "icmp", "icmpv6", another IP protocol's name, or the link's payload ("arp")
	SrcIP    string // "" when not IP
	DstIP    string
	SrcPort  int // 0 when neither TCP nor UDP
	DstPort  int

	Flags    string // TCP flags, in the order FSRPAUECN ("SA" for SYN+ACK)
	Seq, Ack uint32 // TCP
	Payload  []byte // the transport's payload (the IP payload for other protocols)
}

// Chunk is one piece of a stream: the data one side sent, in order.
type Chunk struct {
	Time     time.Time
	FromServ bool // s2c; else c2s
	Data     []byte
}

// Stream is a reassembled TCP connection or a UDP flow (its datagrams,
// one chunk each).
type Stream struct {
	Protocol       string // "tcp" or "udp"
	Client, Server string // "ip:port": TCP's SYN sender, else the first sender
	Chunks         []Chunk
	ClientBytes    int64
	ServerBytes    int64
	SynSeen        bool // TCP: the client's SYN is in the capture
	ClientFin      bool // TCP: each side's FIN
	ServerFin      bool
	Reset          bool  // TCP: an RST was seen
	Missing        int64 // TCP: bytes the capture lacks (see seqTrack)

	seqs [2]seqTrack // TCP: client to server, server to client
}

// Complete says the capture holds the whole TCP connection: its opening
// SYN and a FIN from each side, with no gap.
func (s *Stream) Complete() bool {
	return s.Protocol == "tcp" && s.SynSeen && s.ClientFin && s.ServerFin && s.Missing == 0
}

// Capture is what a file holds.
type Capture struct {
	Format   string // "pcap" or "pcapng"
	LinkType string // the first interface's link type (gopacket's name)
	Packets  []Packet
	Streams  []*Stream
}
