// Package transcript is the text format gonetrepl records sessions in
// (net.record, c:record, gonetrepl --record) and replays them from
// (the replay module, scripts/replay.lua): one event per line, readable
// with grep, every byte of the traffic kept exactly.
//
// The format, version 1 (docs/TRANSCRIPT.md says it for users):
//
//	# gonetrepl transcript 1
//	1733366400.123456 1 open tcp 127.0.0.1:50312 127.0.0.1:6379 dial
//	1733366400.123502 1 send 14 "*1\r\n$4\r\nPING\r\n"
//	1733366400.123790 1 recv 7 "+PONG\r\n"
//	1733366400.124001 1 shutdown
//	1733366400.124100 1 eof
//	1733366400.124200 1 close
//	1733366400.200000 2 open tcp 127.0.0.1:443 127.0.0.1:50400 accept tls version=1.3 alpn=h2 sni=example.com
//	1733366400.300000 3 open udp 127.0.0.1:5353 -
//	1733366400.300100 3 sendto 127.0.0.1:53 29 "\x12\x34..."
//	1733366400.300200 3 recvfrom 127.0.0.1:53 45 "..."
//	1733366400.400000 2 error reset "read tcp 127.0.0.1:443->127.0.0.1:50400: connection reset by peer"
//
// Each line: the time (seconds since the Unix epoch, six decimals), the
// session id (a positive decimal, unique within the file), the event
// name, and the event's fields, separated by one space:
//
//   - open NETWORK LOCAL REMOTE [ROLE] [tls KEY=VALUE...]: a session
//     starts. NETWORK is tcp, tcp4, tcp6, udp, udp4, udp6, unix,
//     unixgram, pipe or proc; an address that is not known is "-". ROLE
//     is dial (this side connected: it is the client) or accept (this
//     side accepted: it is the server); a packet socket has none. A TLS
//     conn is recorded as its plaintext, its open line ending in "tls"
//     and the handshake's facts (version, alpn, sni: values without
//     spaces; a fact not known is left out).
//   - send N DATA / recv N DATA: N bytes this side wrote / read on a
//     stream. DATA is the bytes in double quotes, escaped: \\ \" \n \r \t,
//     and \xHH for every other byte below 0x20 or from 0x7f (so the file
//     is ASCII). A write or read is split into events of at most 4096
//     bytes each; consecutive events of one direction are one stream.
//   - sendto ADDR N DATA / recvfrom ADDR N DATA: one datagram to or from
//     ADDR, never split.
//   - shutdown: this side half-closed (close_write). eof: the peer ended
//     its side (a read got EOF). close: this side closed the session.
//   - error KIND MESSAGE: a read or write failed, with the stable err.kind
//     and the message, quoted as DATA is.
//
// Lines starting with # are comments; the first line of a file is the
// header above. Readers refuse a line over MaxLine bytes and anything not
// listed here, naming the line number.
package transcript

import "time"

// Version is the format version the header names.
const Version = 1

// Header is the first line of every transcript.
const Header = "# gonetrepl transcript 1"

// MaxData is the most bytes one send or recv event carries; a longer
// write or read is recorded as several events.
const MaxData = 4096

// MaxLine bounds a line: a datagram of 64 KiB escaped at 4 bytes a byte,
// plus its fields.
const MaxLine = 4*65536 + 512

// Kind names an event.
type Kind string

// The events.
const (
	Open     Kind = "open"
	Send     Kind = "send"
	Recv     Kind = "recv"
	SendTo   Kind = "sendto"
	RecvFrom Kind = "recvfrom"
	Shutdown Kind = "shutdown"
	EOF      Kind = "eof"
	Close    Kind = "close"
	Error    Kind = "error"
)

// Event is one line of a transcript.
type Event struct {
	Time    time.Time
	Session int64
	Kind    Kind

	// open
	Network, Local, Remote string // "-" when not known
	Role                   string // "dial", "accept" or "" (a packet socket)
	TLS                    bool
	TLSFacts               map[string]string // version, alpn, sni

	// sendto, recvfrom: the peer
	Addr string
	// send, recv, sendto, recvfrom: the bytes; error: the message
	Data []byte
	// error
	ErrKind string
}
