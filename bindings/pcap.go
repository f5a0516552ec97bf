package bindings

// The pcap module: pcap.open reads a capture file (pcap or pcapng, as
// tcpdump, Wireshark's tools or gonetrepl write them) into a capture
// value whose packets() iterates over decoded packets and whose
// streams() lists TCP streams reassembled in order and UDP flows. The
// file format, the decoding and the reassembly are gopacket's, in
// internal/pcapread; this file maps their results onto Lua values. The
// whole file is read at open, with the interpreter lock released.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gonetrepl/gonetrepl/internal/pcapread"
	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

const pcapSummary = "read capture files (pcap, pcapng): decoded packets, TCP streams reassembled in order, UDP flows"

const captureType = "pcap.capture"

const captureSummary = "a capture file read by pcap.open: its packets and streams"

var pcapFuncs = []binding{
	{"open", (*Runtime).pcapOpen, "pcap.open(path [, opts]) -> capture | nil, err",
		`Reads the capture file at path, pcap or pcapng (told by its magic number; as tcpdump -w, Wireshark, tshark, editcap or gonetrepl write them), with the interpreter lock released, and returns a capture: cap:packets() iterates over its packets, decoded (Ethernet, Linux cooked SLL and SLL2 as tcpdump -i any writes, BSD loopback, raw IPv4 and IPv6; TCP, UDP, ICMP), and cap:streams() lists its TCP streams, reassembled in order by gopacket's reassembly (retransmissions and reordered segments fall into place; a gap the capture never filled is counted in missing), and its UDP flows. Everything is bounded: opts.max_bytes (the file's size, default 256 MiB), opts.max_packets (default 1,000,000), opts.max_streams (TCP streams and UDP flows, default 10,000) and opts.max_payload (payload bytes held by packets and streams together, default 256 MiB) give nil, err of kind too_large when passed; a packet over the file's snap length or 256 KiB is refused too, and at most about 8 MB wait for out-of-order segments (past that the assembler skips ahead and counts the gap as missing). A file that is not a capture, or stops being one, is nil, err of kind other naming the packet and its byte offset ("pcap: packet 13 at offset 1308: ..."); a missing file is nil, err too. A cancel stops the read.`,
		`local cap = assert(pcap.open(path)); for _, s in ipairs(cap:streams()) do print(s.protocol, s.client, s.server, #s.client_bytes, #s.server_bytes) end`},
}

var captureMethods = []binding{
	{"packets", (*Runtime).capturePackets, "cap:packets() -> iterator",
		`An iterator over the capture's packets, in file order: each a table {number, time, length, protocol, src, dst, src_ip, dst_ip, src_port, dst_port, flags, seq, ack, payload} (see gonetrepl.pcap_packet). Addresses are strings as net writes them: src and dst are "ip:port" for TCP and UDP ("[::1]:80" for IPv6), the bare ip for other IP protocols, nil for frames that are not IP. protocol is "tcp", "udp", "icmp", "icmpv6", another IP protocol's name, or for other frames what they carry ("arp"). flags are TCP's, in scapy's order FSRPAUECN ("S", "SA", "PA", "FA"). payload is the transport's payload (the IP payload for other protocols). Raises an error value of kind closed after cap:close().`,
		`for pkt in cap:packets() do if pkt.protocol == "tcp" then print(pkt.number, pkt.src, pkt.dst, pkt.flags, #pkt.payload) end end`},
	{"streams", (*Runtime).captureStreams, "cap:streams() -> list | nil, err",
		`The capture's TCP streams and UDP flows, in the order their first packet came, as a new list of tables {protocol, client, server, chunks, client_bytes, server_bytes, complete, missing, reset} (see gonetrepl.pcap_stream). TCP's client is the side that sent the SYN (the first packet's sender when the capture missed it; a stream whose SYN was not captured starts at its first captured segment); chunks are the data each side sent, in order, each {time, dir = "c2s"|"s2c", data}; client_bytes and server_bytes are each side's chunks joined. complete: the SYN and a FIN from each side were seen and nothing is missing; missing counts the bytes the capture lacks (a packet tcpdump dropped), from how far each side's sequence numbers and the other side's ACKs went. A UDP flow's chunks are its datagrams, one each, in order. A chunk's data is a piece of its side's bytes: each stream is copied once. A big capture's list is built in turns with the other tasks (every time slice), and a cancel stops it. After cap:close(), nil, err of kind closed.`,
		`local s = cap:streams()[1]; print(s.client, "->", s.server, s.complete); print(s.client_bytes)`},
	{"close", (*Runtime).captureClose, "cap:close() -> true",
		`Lets the capture's packets and streams go (the memory is the garbage collector's again); the file was closed when pcap.open returned. Closing again is harmless.`,
		`cap:close()`},
}

// pcapOptsShape lists the options pcapOpen reads.
var pcapOptsShape = shape{class: "gonetrepl.pcap_opts", opts: true, code: "pcapOpen",
	doc: "The options of pcap.open: what reading one file may cost.",
	fields: []field{
		{"max_bytes", "integer", "the largest file read, in bytes (default 256 MiB)"},
		{"max_packets", "integer", "the most packets read (default 1,000,000)"},
		{"max_streams", "integer", "the most TCP streams and UDP flows together (default 10,000)"},
		{"max_payload", "integer", "the most payload bytes held, by packets and streams together (default 256 MiB)"},
	}}

// pcapPacketShape is a packet of cap:packets().
var pcapPacketShape = shape{class: "gonetrepl.pcap_packet", code: "pcapPacketTable",
	doc: "A packet of a capture, from cap:packets().",
	fields: []field{
		{"number", "integer", "its place in the file, 1 for the first"},
		{"time", "number", "its capture time, in seconds since the epoch as time.now() gives"},
		{"length", "integer", "its length on the wire (the file may hold less: a snap length)"},
		{"protocol", "string", `"tcp", "udp", "icmp", "icmpv6", another IP protocol's name, or what a non-IP frame carries ("arp"; "unknown")`},
		{"src?", "string", `the sender, "ip:port" for TCP and UDP, the ip for other IP protocols; nil when not IP`},
		{"dst?", "string", "the receiver, as src"},
		{"src_ip?", "string", "the sender's IP address"},
		{"dst_ip?", "string", "the receiver's IP address"},
		{"src_port?", "integer", "TCP and UDP: the sender's port"},
		{"dst_port?", "integer", "TCP and UDP: the receiver's port"},
		{"flags?", "string", `TCP: the flags set, in the order FSRPAUECN ("SA" for SYN+ACK)`},
		{"seq?", "integer", "TCP: the sequence number"},
		{"ack?", "integer", "TCP: the acknowledgment number"},
		{"payload", "string", "the transport's payload (the IP payload for other protocols); may be empty"},
	}}

// pcapStreamShape is a stream of cap:streams().
var pcapStreamShape = shape{class: "gonetrepl.pcap_stream", code: "pcapStreamTable",
	doc: "A TCP stream or UDP flow of a capture, from cap:streams().",
	fields: []field{
		{"protocol", `"tcp"|"udp"`, "the transport"},
		{"client", "string", `"ip:port" of the side that opened it (TCP's SYN; else the first sender)`},
		{"server", "string", `"ip:port" of the other side`},
		{"chunks", "gonetrepl.pcap_chunk[]", "the data in order, each side's piece by piece (UDP: one chunk a datagram)"},
		{"client_bytes", "string", "every byte the client sent, in order"},
		{"server_bytes", "string", "every byte the server sent, in order"},
		{"complete", "boolean", "TCP: the SYN and a FIN from each side were seen, and nothing is missing"},
		{"missing", "integer", "TCP: bytes the capture lacks (dropped by the kernel, or before a late start): how far each side's segments, FIN and the other side's ACKs reached, past the bytes in its chunks"},
		{"reset", "boolean", "TCP: an RST was seen"},
	}}

// pcapChunkShape is a chunk of a stream.
var pcapChunkShape = shape{class: "gonetrepl.pcap_chunk", code: "pcapChunkTable",
	doc: "A piece of a stream: what one side sent, in order.",
	fields: []field{
		{"time", "number", "the capture time of its first segment, in seconds since the epoch"},
		{"dir", `"c2s"|"s2c"`, "client to server, or server to client"},
		{"data", "string", "the bytes"},
	}}

// pcapCapture is a capture value: what pcap.open read, until closed.
type pcapCapture struct {
	name string // the file's base name, for tostring
	c    *pcapread.Capture
}

var captureClass = &class{
	name:    captureType,
	methods: captureMethods,
	tostring: func(v any) string {
		c := v.(*pcapCapture)
		if c.c == nil {
			return fmt.Sprintf("<pcap capture %s closed>", c.name)
		}
		return fmt.Sprintf("<pcap capture %s (%s): %d packets, %d streams>", c.name, c.c.Format, len(c.c.Packets), len(c.c.Streams))
	},
	eq: func(a, b any) bool { return a == b },
}

func (rt *Runtime) pcapOpen(L *lua.LState) int {
	path := argString(L, 1, "path")
	opts := argOptions(L, 2, pcapOptsShape)
	var lim pcapread.Limits
	if n, ok := fieldCount(L, 2, opts, "max_bytes", 1, math.MaxInt32*8); ok {
		lim.MaxBytes = int64(n)
	}
	if n, ok := fieldCount(L, 2, opts, "max_packets", 1, 100_000_000); ok {
		lim.MaxPackets = n
	}
	if n, ok := fieldCount(L, 2, opts, "max_streams", 1, 10_000_000); ok {
		lim.MaxStreams = n
	}
	if n, ok := fieldCount(L, 2, opts, "max_payload", 1, lua.MaxStringSize*4); ok {
		lim.MaxPayload = int64(n)
	}
	var c *pcapread.Capture
	err := rt.block(L, nil, func(ctx context.Context) error {
		// openRegular: a FIFO or a device is refused, not waited on.
		f, err := openRegular(path)
		if err != nil {
			return err
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		c, err = pcapread.Read(ctx, f, fi.Size(), lim)
		return err
	})
	if err != nil {
		if errors.Is(err, pcapread.ErrTooLarge) {
			err = &Error{Kind: kindTooLarge, Op: "pcap.open", Addr: path, Err: err}
		}
		return rt.pushError(L, err, "pcap.open", path)
	}
	L.Push(rt.newUserData(captureType, &pcapCapture{name: filepath.Base(path), c: c}))
	return 1
}

var errCaptureClosed = simpleError(kindClosed, "pcap", "", "pcap: the capture is closed")

func (rt *Runtime) capturePackets(L *lua.LState) int {
	cp := checkClass[*pcapCapture](rt, L, 1, captureType)
	if cp.c == nil {
		L.Error(rt.errorValue(errCaptureClosed, "packets", ""), 1)
	}
	i := 0
	L.Push(L.NewFunction(func(L *lua.LState) int {
		if cp.c == nil {
			L.Error(rt.errorValue(errCaptureClosed, "packets", ""), 1)
		}
		if i >= len(cp.c.Packets) {
			L.Push(lua.LNil)
			return 1
		}
		i++
		L.Push(pcapPacketTable(L, &cp.c.Packets[i-1]))
		return 1
	}))
	return 1
}

func (rt *Runtime) captureStreams(L *lua.LState) int {
	cp := checkClass[*pcapCapture](rt, L, 1, captureType)
	if cp.c == nil {
		return rt.pushError(L, errCaptureClosed, "streams", "")
	}
	L.Push(pcapStreamList(L, cp.c))
	return 1
}

// pcapStreamList is the Lua list of c's streams. A capture may hold a
// million chunks and 256 MiB: each chunk and the bytes copied are charged
// as work, so the interpreter is handed on every time slice while the list
// is built (biglists.go). c is the caller's: a task that closes the
// capture meanwhile does not take it from under the list.
func pcapStreamList(L *lua.LState, c *pcapread.Capture) *lua.LTable {
	list := L.CreateTable(len(c.Streams), 0)
	for i, s := range c.Streams {
		list.RawSetInt(i+1, pcapStreamTable(L, s))
	}
	return list
}

func (rt *Runtime) captureClose(L *lua.LState) int {
	cp := checkClass[*pcapCapture](rt, L, 1, captureType)
	cp.c = nil
	L.Push(lua.LTrue)
	return 1
}

// pcapPacketTable is p as Lua sees it (gonetrepl.pcap_packet).
func pcapPacketTable(L *lua.LState, p *pcapread.Packet) *lua.LTable {
	t := L.CreateTable(0, 14)
	t.RawSetString("number", lua.LNumber(p.Number))
	t.RawSetString("time", unixSeconds(p.Time))
	t.RawSetString("length", lua.LNumber(p.Length))
	t.RawSetString("protocol", lua.LString(p.Protocol))
	t.RawSetString("payload", lua.LString(string(p.Payload)))
	if p.SrcIP != "" {
		t.RawSetString("src_ip", lua.LString(p.SrcIP))
		t.RawSetString("dst_ip", lua.LString(p.DstIP))
		src, dst := p.SrcIP, p.DstIP
		if p.Protocol == "tcp" || p.Protocol == "udp" {
			t.RawSetString("src_port", lua.LNumber(p.SrcPort))
			t.RawSetString("dst_port", lua.LNumber(p.DstPort))
			src = net.JoinHostPort(p.SrcIP, strconv.Itoa(p.SrcPort))
			dst = net.JoinHostPort(p.DstIP, strconv.Itoa(p.DstPort))
		}
		t.RawSetString("src", lua.LString(src))
		t.RawSetString("dst", lua.LString(dst))
	}
	if p.Protocol == "tcp" {
		t.RawSetString("flags", lua.LString(p.Flags))
		t.RawSetString("seq", lua.LNumber(p.Seq))
		t.RawSetString("ack", lua.LNumber(p.Ack))
	}
	return t
}

// pcapStreamTable is s as Lua sees it (gonetrepl.pcap_stream). Each
// side's bytes are copied once, joined, and its chunks' data are slices of
// that string (a chunk kept alone keeps its side's bytes alive): one copy
// of the stream, not three (a string per chunk, the joined bytes, a string
// of them).
func pcapStreamTable(L *lua.LState, s *pcapread.Stream) *lua.LTable {
	t := L.CreateTable(0, 9)
	t.RawSetString("protocol", lua.LString(s.Protocol))
	t.RawSetString("client", lua.LString(s.Client))
	t.RawSetString("server", lua.LString(s.Server))
	var sides [2]strings.Builder // client's, server's
	sides[0].Grow(int(s.ClientBytes))
	sides[1].Grow(int(s.ServerBytes))
	for i := range s.Chunks {
		ch := &s.Chunks[i]
		sides[pcapSide(ch)].Write(ch.Data)
		chargeItem(L, len(ch.Data))
	}
	joined := [2]string{sides[0].String(), sides[1].String()}
	chunks := L.CreateTable(len(s.Chunks), 0)
	var at [2]int
	for i := range s.Chunks {
		ch := &s.Chunks[i]
		side := pcapSide(ch)
		data := joined[side][at[side] : at[side]+len(ch.Data)]
		at[side] += len(ch.Data)
		chunks.RawSetInt(i+1, pcapChunkTable(L, ch, data))
		L.Charge(1)
	}
	t.RawSetString("chunks", chunks)
	t.RawSetString("client_bytes", lua.LString(joined[0]))
	t.RawSetString("server_bytes", lua.LString(joined[1]))
	t.RawSetString("complete", lua.LBool(s.Complete()))
	t.RawSetString("missing", lua.LNumber(s.Missing))
	t.RawSetString("reset", lua.LBool(s.Reset))
	return t
}

// pcapSide is 0 for a chunk the client sent, 1 for the server's.
func pcapSide(ch *pcapread.Chunk) int {
	if ch.FromServ {
		return 1
	}
	return 0
}

// pcapChunkTable is ch as Lua sees it (gonetrepl.pcap_chunk), data its
// bytes.
func pcapChunkTable(L *lua.LState, ch *pcapread.Chunk, data string) *lua.LTable {
	t := L.CreateTable(0, 3)
	t.RawSetString("time", unixSeconds(ch.Time))
	dir := "c2s"
	if ch.FromServ {
		dir = "s2c"
	}
	t.RawSetString("dir", lua.LString(dir))
	t.RawSetString("data", lua.LString(data))
	return t
}
