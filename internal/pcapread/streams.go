package pcapread

import (
	"fmt"
	"net"
	"strconv"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/reassembly"
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

// finish hands the assembler's buffered segments to their streams.
func (s *streams) finish() error {
	s.asm.FlushAll()
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
			return &tcpStream{s: s, st: st}
		}
		if st := s.ended[[2]string{dst, src}]; st != nil {
			return &tcpStream{s: s, st: st, flip: true}
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
	s    *streams
	st   *Stream // nil past MaxStreams
	flip bool    // the assembler's client-to-server is this stream's s2c
}

func (t *tcpStream) fromServer(dir reassembly.TCPFlowDirection) bool {
	return (dir == reassembly.TCPDirServerToClient) != t.flip
}

// Accept takes every segment, and starts a direction whose SYN the
// capture missed at its first segment.
func (t *tcpStream) Accept(tcp *layers.TCP, ci gopacket.CaptureInfo, dir reassembly.TCPFlowDirection, nextSeq reassembly.Sequence, start *bool, ac reassembly.AssemblerContext) bool {
	if t.st == nil {
		return false
	}
	if nextSeq == -1 && !tcp.SYN { // reassembly's invalidSequence
		*start = true
	}
	fromServer := t.fromServer(dir)
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
	return true
}

// ReassembledSG appends a copy of the data now in order.
func (t *tcpStream) ReassembledSG(sg reassembly.ScatterGather, ac reassembly.AssemblerContext) {
	if t.st == nil || t.s.err != nil {
		return
	}
	dir, _, _, skip := sg.Info()
	if skip > 0 {
		t.st.Missing += int64(skip)
	}
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
