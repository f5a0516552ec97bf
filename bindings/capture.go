package bindings

// The pcapng sink of a recorder (net.capture, c:capture, pc:capture, the
// CLI's --pcap): each event becomes synthesized frames (internal/pcapsynth).
// A TLS conn is written as its plaintext, on an interface named
// gonetrepl-tls-plaintext: the ciphertext is below the tls.Conn gonetrepl
// reads through and its handshake happens before the conn exists, so the
// plaintext is what every recorder sees; it needs no keys to read. Unix
// sockets, pipes and process tubes have no IP addresses: they are left out.
//
// When both ends of a conn are the runtime's own (a loopback server and
// its client in one script), the wire carried its bytes once: the capture
// writes the conn as the side it saw first, and the other side's events
// (the same bytes, seen from the peer) are left out; a datagram received
// from a socket of the same capture was written when it was sent.

import (
	"io"
	"net"
	"net/netip"

	"github.com/gonetrepl/gonetrepl/internal/pcapsynth"
	"github.com/gonetrepl/gonetrepl/internal/transcript"
)

type captureSink struct {
	w     *pcapsynth.Writer
	flows map[[2]netip.AddrPort]bool // (local, remote) of the TCP flows written and open
	udp   map[netip.AddrPort]int     // local addresses of the UDP sockets open
}

// mirrorFlow is the state of a session whose peer is written already.
type mirrorFlow struct{}

// udpLocal is the state of a UDP session: its local address, counted in
// captureSink.udp while it is open.
type udpLocal struct{ addr netip.AddrPort }

func newCaptureSink(f io.Writer, _ bool) (recSink, error) {
	// Appending starts a new pcapng section, which readers take as the
	// rest of the file.
	w, err := pcapsynth.NewWriter(f)
	if err != nil {
		return nil, err
	}
	return &captureSink{w: w, flows: map[[2]netip.AddrPort]bool{}, udp: map[netip.AddrPort]int{}}, w.Flush()
}

// ipPort is a net address's IP and port, if it has them.
func ipPort(a net.Addr) (netip.AddrPort, bool) {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.AddrPort(), true
	case *net.UDPAddr:
		return a.AddrPort(), true
	}
	return netip.AddrPort{}, false
}

func (s *captureSink) write(ss *recSession, ev *transcript.Event) error {
	err := s.frames(ss, ev)
	// Into the recorder's buffer: the file's size stays exact for
	// max_bytes.
	if ferr := s.w.Flush(); err == nil {
		err = ferr
	}
	return err
}

func (s *captureSink) frames(ss *recSession, ev *transcript.Event) error {
	if ev.Kind == transcript.Open {
		if ss.datagram {
			if local, ok := ipPort(ss.local); ok {
				ss.sinkState = udpLocal{local}
				s.udp[local]++
			}
			return nil
		}
		local, ok1 := ipPort(ss.local)
		remote, ok2 := ipPort(ss.remote)
		if !ok1 || !ok2 {
			return nil // no IP addresses: left out
		}
		iface := pcapsynth.IfacePlain
		if ss.tls {
			iface = pcapsynth.IfaceTLSPlaintext
		}
		f := pcapsynth.NewFlow(local, remote, iface)
		if s.flows[[2]netip.AddrPort{f.Remote, f.Local}] {
			ss.sinkState = mirrorFlow{}
			return nil
		}
		s.flows[[2]netip.AddrPort{f.Local, f.Remote}] = true
		ss.sinkState = f
		return s.w.Open(f, ss.role != "accept", ev.Time)
	}
	switch st := ss.sinkState.(type) {
	case mirrorFlow:
		return nil
	case udpLocal:
		if ev.Kind == transcript.Close {
			if s.udp[st.addr]--; s.udp[st.addr] <= 0 {
				delete(s.udp, st.addr)
			}
			return nil
		}
	}
	if f, ok := ss.sinkState.(*pcapsynth.Flow); ok {
		switch ev.Kind {
		case transcript.Send, transcript.Recv:
			return s.w.Data(f, ev.Kind == transcript.Send, ev.Data, ev.Time)
		case transcript.Shutdown:
			return s.w.Fin(f, true, ev.Time)
		case transcript.Close:
			delete(s.flows, [2]netip.AddrPort{f.Local, f.Remote})
			return s.w.Fin(f, true, ev.Time)
		case transcript.EOF:
			return s.w.Fin(f, false, ev.Time)
		}
		return nil
	}
	if ev.Kind != transcript.SendTo && ev.Kind != transcript.RecvFrom {
		return nil
	}
	local, ok := ipPort(ss.local)
	if !ok {
		return nil
	}
	peer, err := netip.ParseAddrPort(ev.Addr)
	if err != nil {
		return nil // a unixgram peer
	}
	if local.Addr().IsUnspecified() {
		// A socket bound to every address: the frame names the
		// unspecified address of the peer's family.
		u := netip.IPv4Unspecified()
		if !peer.Addr().Unmap().Is4() {
			u = netip.IPv6Unspecified()
		}
		local = netip.AddrPortFrom(u, local.Port())
	}
	if ev.Kind == transcript.SendTo {
		return s.w.Datagram(local, peer, ev.Data, ev.Time)
	}
	if s.sentHere(peer) {
		return nil // written when the capture's own socket sent it
	}
	return s.w.Datagram(peer, local, ev.Data, ev.Time)
}

// flush: write has flushed each event into the recorder's buffer.
func (s *captureSink) flush() error { return nil }

func (s *captureSink) size() int64 { return s.w.Size() }

func (s *captureSink) end(string) error {
	// pcapng has no comment to say why a capture stopped early; the
	// transcript does.
	return s.w.Flush()
}

// sentHere reports whether peer is a UDP socket this capture records
// (bound to that address, or to every address on its port).
func (s *captureSink) sentHere(peer netip.AddrPort) bool {
	p := peer.Addr().Unmap()
	for _, a := range []netip.Addr{p, netip.IPv4Unspecified(), netip.IPv6Unspecified()} {
		if s.udp[netip.AddrPortFrom(a, peer.Port())] > 0 {
			return true
		}
	}
	return false
}
