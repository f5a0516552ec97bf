package pcapread

import (
	"fmt"
	"net"
	"strconv"

	"github.com/gonetrepl/gonetrepl/third_party/gopacket"
	"github.com/gonetrepl/gonetrepl/third_party/gopacket/layers"
	"github.com/gonetrepl/gonetrepl/third_party/gopacket/reassembly"
)

// streams builds Capture.Streams: TCP through gopacket's reassembly,
// UDP flows by their pair of addresses.
type streams struct {
	c   *Capture
	rd  *reader
	asm *reassembly.Assembler
	udp map[[2]string]*Stream
	// ended holds the TCP streams the assembler has let go of, by
	// client and server: the last ACK after both FINs (or a late
	// retransmission) comes back as a new connection, and belongs to
	// the old stream unless it opens a new one with a SYN.
	ended map[[2]string]*Stream
	err   error // a limit passed inside a callback of the assembler
}

func newStreams(c *Capture, rd *reader) *streams {
	s := &streams{c: c, rd: rd, udp: map[[2]string]*Stream{}, ended: map[[2]string]*Stream{}}
	s.asm = reassembly.NewAssembler(reassembly.NewStreamPool(s))
	s.asm.AssemblerOptions.MaxBufferedPagesTotal = maxPagesTotal
	s.asm.AssemblerOptions.MaxBufferedPagesPerConnection = maxPagesPerConn
	return s
}

// newStream appends a stream, within MaxStreams.
func (s *streams) newStream(proto, client, server string) *Stream {
	if len(s.c.Streams) >= s.rd.lim.MaxStreams {
		if s.err == nil {
			s.err = fmt.Errorf("pcap: more than max_streams %d streams: %w", s.rd.lim.MaxStreams, ErrTooLarge)
		}
		return nil
	}
	st := &Stream{Protocol: proto, Client: client, Server: server}
	s.c.Streams = append(s.c.Streams, st)
	return st
}

// add feeds one packet to its stream.
func (s *streams) add(p *Packet, gp gopacket.Packet, ci gopacket.CaptureInfo) error {
	switch p.Protocol {
	case "tcp":
		tcp, ok := gp.TransportLayer().(*layers.TCP)
		if ok && gp.NetworkLayer() != nil {
			s.asm.AssembleWithContext(gp.NetworkLayer().NetworkFlow(), tcp, captureContext(ci))
		}
	case "udp":
		src, dst := hostPort(p.SrcIP, p.SrcPort), hostPort(p.DstIP, p.DstPort)
		st := s.udp[[2]string{src, dst}]
		fromServer := false
		if st == nil {
			st = s.udp[[2]string{dst, src}]
			fromServer = st != nil
		}
		if st == nil {
			if st = s.newStream("udp", src, dst); st == nil {
				return s.err
			}
			s.udp[[2]string{src, dst}] = st
		}
		if err := s.rd.hold(len(p.Payload)); err != nil {
			return err
		}
		st.Chunks = append(st.Chunks, Chunk{Time: p.Time, FromServ: fromServer, Data: p.Payload})
		if fromServer {
			st.ServerBytes += int64(len(p.Payload))
		} else {
			st.ClientBytes += int64(len(p.Payload))
		}
	}
	return s.err
}

// finish hands the assembler's buffered segments to their streams, and
// counts what each TCP stream lacks.
func (s *streams) finish() error {
	s.asm.FlushAll()
	for _, st := range s.c.Streams {
		if st.Protocol == "tcp" {
			st.Missing = st.seqs[0].missing(st.ClientBytes) + st.seqs[1].missing(st.ServerBytes)
		}
	}
	return s.err
}

// New is reassembly.StreamFactory's: a TCP connection's first packet.
// Its client is the SYN's sender (the SYN+ACK's receiver), else the
// first packet's sender.
func (s *streams) New(netFlow, tcpFlow gopacket.Flow, tcp *layers.TCP, ac reassembly.AssemblerContext) reassembly.Stream {
	src := hostPort(netFlow.Src().String(), int(tcp.SrcPort))
	dst := hostPort(netFlow.Dst().String(), int(tcp.DstPort))
	if !tcp.SYN {
		if st := s.ended[[2]string{src, dst}]; st != nil {
			return &tcpStream{s: s, st: st, ended: true}
		}
		if st := s.ended[[2]string{dst, src}]; st != nil {
			return &tcpStream{s: s, st: st, flip: true, ended: true}
		}
	}
	flip := tcp.SYN && tcp.ACK
	if flip {
		src, dst = dst, src
	}
	return &tcpStream{s: s, st: s.newStream("tcp", src, dst), flip: flip}
}

// tcpStream is reassembly.Stream's: it appends what the assembler
// delivers, in order, to its Stream.
type tcpStream struct {
	s     *streams
	st    *Stream // nil past MaxStreams
	flip  bool    // the assembler's client-to-server is this stream's s2c
	ended bool    // packets after the stream ended: counted, not delivered again
}

func (t *tcpStream) fromServer(dir reassembly.TCPFlowDirection) bool {
	return (dir == reassembly.TCPDirServerToClient) != t.flip
}

// Accept takes every segment, and starts a direction whose SYN the
// capture missed at its first segment. It notes the flags and how far
// each side's sequence numbers went (gopacket's assembler does not report
// a gap just before a FIN).
func (t *tcpStream) Accept(tcp *layers.TCP, ci gopacket.CaptureInfo, dir reassembly.TCPFlowDirection, nextSeq reassembly.Sequence, start *bool, ac reassembly.AssemblerContext) bool {
	if t.st == nil {
		return false
	}
	if nextSeq == -1 && !tcp.SYN { // reassembly's invalidSequence
		*start = true
	}
	fromServer := t.fromServer(dir)
	from, to := 0, 1
	if fromServer {
		from, to = 1, 0
	}
	t.st.seqs[from].sent(tcp)
	if tcp.ACK {
		t.st.seqs[to].acked(tcp.Ack)
	}
	switch {
	case tcp.SYN && !tcp.ACK && !fromServer:
		t.st.SynSeen = true
	case tcp.RST:
		t.st.Reset = true
	}
	if tcp.FIN {
		if fromServer {
			t.st.ServerFin = true
		} else {
			t.st.ClientFin = true
		}
	}
	return !t.ended
}

// ReassembledSG appends a copy of the data now in order.
func (t *tcpStream) ReassembledSG(sg reassembly.ScatterGather, ac reassembly.AssemblerContext) {
	if t.st == nil || t.s.err != nil {
		return
	}
	dir, _, _, _ := sg.Info()
	n, _ := sg.Lengths()
	if n == 0 {
		return
	}
	if err := t.s.rd.hold(n); err != nil {
		t.s.err = err
		return
	}
	data := append([]byte(nil), sg.Fetch(n)...)
	fromServer := t.fromServer(dir)
	t.st.Chunks = append(t.st.Chunks, Chunk{Time: sg.CaptureInfo(0).Timestamp, FromServ: fromServer, Data: data})
	if fromServer {
		t.st.ServerBytes += int64(n)
	} else {
		t.st.ClientBytes += int64(n)
	}
}

// ReassemblyComplete lets the assembler forget the connection: a new
// one on the same addresses is a new stream.
func (t *tcpStream) ReassemblyComplete(ac reassembly.AssemblerContext) bool {
	if t.st != nil {
		t.s.ended[[2]string{t.st.Client, t.st.Server}] = t.st
	}
	return true
}

// captureContext is reassembly.AssemblerContext's, carrying the
// packet's capture info (its time) to the stream.
type captureContext gopacket.CaptureInfo

func (c captureContext) GetCaptureInfo() gopacket.CaptureInfo { return gopacket.CaptureInfo(c) }

func hostPort(ip string, port int) string {
	return net.JoinHostPort(ip, strconv.Itoa(port))
}

// seqTrack follows one direction of a TCP stream in sequence numbers, to
// tell how many bytes its side sent that the capture lacks: the furthest
// point its segments, its FIN or the other side's ACKs reached, past the
// bytes delivered.
type seqTrack struct {
	started bool
	base    uint32 // the first data byte's number (the SYN's + 1, else the first segment's)
	end     int64  // how far the data reached, relative to base
	fin     bool
	finAt   int64 // the FIN's place, relative to base
}

// rel is seq relative to base, across wrap-around (-1 for older bytes).
func (k *seqTrack) rel(seq uint32) int64 {
	d := int64(int32(seq - k.base))
	if d < 0 {
		return -1
	}
	return d
}

func (k *seqTrack) sent(tcp *layers.TCP) {
	if !k.started {
		k.started = true
		k.base = tcp.Seq
		if tcp.SYN {
			k.base++
			return
		}
	}
	if tcp.SYN || tcp.RST {
		return
	}
	if r := k.rel(tcp.Seq); r >= 0 {
		end := r + int64(len(tcp.Payload))
		if tcp.FIN {
			k.fin, k.finAt = true, end
		} else if k.fin && end > k.finAt {
			end = k.finAt // a segment after the FIN is numbered past it
		}
		k.end = max(k.end, end)
	}
}

// acked notes the other side's acknowledgment of this side's bytes.
func (k *seqTrack) acked(ack uint32) {
	if !k.started {
		return
	}
	r := k.rel(ack)
	if k.fin && r > k.finAt {
		r = k.finAt // the FIN's own sequence number is no byte
	}
	k.end = max(k.end, r)
}

// missing is how many bytes the side sent beyond the delivered ones.
func (k *seqTrack) missing(delivered int64) int64 {
	return max(0, k.end-delivered)
}
