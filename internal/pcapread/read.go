package pcapread

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gonetrepl/gonetrepl/third_party/gopacket"
	"github.com/gonetrepl/gonetrepl/third_party/gopacket/pcapgo"
)

// File magic numbers: classic pcap (microsecond and nanosecond, either
// byte order) and pcapng's Section Header Block type.
const (
	magicMicro   = 0xa1b2c3d4
	magicNano    = 0xa1b23c4d
	magicNgBlock = 0x0a0d0d0a
)

// ReadFile reads the capture at path (a regular file of at most
// lim.MaxBytes) with ReadAt.
func ReadFile(ctx context.Context, path string, lim Limits) (*Capture, error) {
	lim = lim.withDefaults()
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("pcap: %s is not a regular file", path)
	}
	return Read(ctx, f, fi.Size(), lim)
}

// Read reads a capture of size bytes from r. The format is told by its
// magic number. A file over lim.MaxBytes, or one that would make the
// reader pass another limit, is an error wrapping ErrTooLarge; a file
// that is not a capture, or stops being one, is a *FormatError. ctx
// stops a long read.
func Read(ctx context.Context, r io.ReaderAt, size int64, lim Limits) (c *Capture, err error) {
	lim = lim.withDefaults()
	if size > lim.MaxBytes {
		return nil, fmt.Errorf("pcap: the file is %d bytes, over max_bytes %d: %w", size, lim.MaxBytes, ErrTooLarge)
	}
	var head [4]byte
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return nil, &FormatError{Offset: 0, Err: errors.New("not a pcap or pcapng file (too short)")}
	}
	rd := &reader{lim: lim, ctx: ctx}
	defer func() {
		// gopacket's readers and decoders index slices by what the file
		// says; a corrupt file must be an error, not a crash.
		if p := recover(); p != nil {
			c, err = nil, &FormatError{Packet: rd.number, Offset: rd.offset, Err: fmt.Errorf("corrupt capture (%v)", p)}
		}
	}()
	sr := io.NewSectionReader(r, 0, size)
	le, be := binary.LittleEndian.Uint32(head[:]), binary.BigEndian.Uint32(head[:])
	switch {
	case le == magicNgBlock:
		offsets, links, err := scanNg(r, size, lim)
		if err != nil {
			return nil, err
		}
		ng, err := pcapgo.NewNgReader(sr, pcapgo.NgReaderOptions{WantMixedLinkType: true})
		if err != nil {
			return nil, &FormatError{Err: err}
		}
		rd.format = "pcapng"
		rd.ngOffsets, rd.ngLinks = offsets, links
		if len(links) > 0 {
			rd.link = links[0]
		}
		return rd.run(ng)
	case le == magicMicro || le == magicNano || be == magicMicro || be == magicNano:
		pr, err := pcapgo.NewReader(sr)
		if err != nil {
			return nil, &FormatError{Err: err}
		}
		// A packet over the file's snap length is refused by pcapgo
		// before it allocates; so is one over MaxPacket.
		if pr.Snaplen() > MaxPacket || pr.Snaplen() == 0 {
			pr.SetSnaplen(MaxPacket)
		}
		rd.format = "pcap"
		// pcapgo's LinkType is a byte; the header's field is 32 bits
		// (Linux SLL2 is 276).
		var lt [4]byte
		r.ReadAt(lt[:], 20)
		if le == magicMicro || le == magicNano {
			rd.link = uint16(binary.LittleEndian.Uint32(lt[:]))
		} else {
			rd.link = uint16(binary.BigEndian.Uint32(lt[:]))
		}
		rd.offset = 24
		return rd.run(pr)
	default:
		return nil, &FormatError{Err: fmt.Errorf("not a pcap or pcapng file (magic %08x)", be)}
	}
}

// packetSource is what pcapgo's two readers have in common.
type packetSource interface {
	ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
}

// reader is one read in progress.
type reader struct {
	ctx       context.Context
	lim       Limits
	format    string
	link      uint16
	number    int      // the packet being read
	offset    int64    // where it starts
	ngOffsets []int64  // pcapng: where each packet's block starts
	ngLinks   []uint16 // pcapng: each packet's link type
	held      int64    // payload bytes held
	streams   *streams
}

func (rd *reader) run(src packetSource) (*Capture, error) {
	c := &Capture{Format: rd.format, LinkType: linkName(rd.link)}
	rd.streams = newStreams(c, rd)
	for {
		rd.number++
		if rd.ngOffsets != nil && rd.number-1 < len(rd.ngOffsets) {
			rd.offset = rd.ngOffsets[rd.number-1]
		}
		if rd.number%256 == 0 && rd.ctx != nil {
			if err := rd.ctx.Err(); err != nil {
				return nil, err
			}
		}
		data, ci, err := src.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			if err == io.ErrUnexpectedEOF {
				err = errors.New("the file ends inside the packet")
			}
			return nil, &FormatError{Packet: rd.number, Offset: rd.offset, Err: err}
		}
		if rd.number > rd.lim.MaxPackets {
			return nil, fmt.Errorf("pcap: more than max_packets %d packets: %w", rd.lim.MaxPackets, ErrTooLarge)
		}
		if len(data) > MaxPacket {
			return nil, &FormatError{Packet: rd.number, Offset: rd.offset, Err: fmt.Errorf("a packet of %d bytes, over %d: %w", len(data), MaxPacket, ErrTooLarge)}
		}
		link := rd.link
		if rd.ngLinks != nil {
			if rd.number-1 >= len(rd.ngLinks) {
				return nil, &FormatError{Packet: rd.number, Offset: rd.offset, Err: errors.New("a packet the block scan did not see")}
			}
			link = rd.ngLinks[rd.number-1]
		}
		p, gp := decode(data, ci, link)
		p.Number = rd.number
		if err := rd.hold(len(p.Payload)); err != nil {
			return nil, err
		}
		c.Packets = append(c.Packets, p)
		if err := rd.streams.add(&c.Packets[len(c.Packets)-1], gp, ci); err != nil {
			return nil, err
		}
		if rd.format == "pcap" {
			rd.offset += 16 + int64(len(data))
		}
	}
	rd.number = 0
	if err := rd.streams.finish(); err != nil {
		return nil, err
	}
	return c, nil
}

// hold counts n more payload bytes against MaxPayload.
func (rd *reader) hold(n int) error {
	rd.held += int64(n)
	if rd.held > rd.lim.MaxPayload {
		return fmt.Errorf("pcap: more than max_payload %d bytes of payload: %w", rd.lim.MaxPayload, ErrTooLarge)
	}
	return nil
}
