package pcapread

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// pcapng block types whose fields scanNg checks.
const (
	ngSectionHeader = 0x0a0d0d0a
	ngInterface     = 1
	ngPacket        = 2 // obsolete, still read
	ngSimplePacket  = 3
	ngStatistics    = 5
	ngEnhanced      = 6
)

// scanNg walks a pcapng file's block headers before pcapgo reads it, and
// returns where each packet block starts. pcapgo allocates what a
// packet block claims to hold before reading it (4 GiB for a corrupt
// one); here every block must fit in the file and every packet in its
// block and in MaxPacket, so pcapgo never allocates more than a packet.
//
// It also returns each packet's link type, from its interface's
// description (pcapgo keeps link types as a byte: Linux SLL2 is 276).
func scanNg(r io.ReaderAt, size int64, lim Limits) (offsets []int64, links []uint16, err error) {
	br := bufio.NewReaderSize(io.NewSectionReader(r, 0, size), 64<<10)
	var order binary.ByteOrder = binary.LittleEndian
	var ifaces []uint16 // the section's interfaces' link types
	described := 0      // interface blocks in the whole file (MaxInterfaces)
	cur := 0            // the packet the block at hand is, or 0
	bad := func(off int64, format string, args ...any) error {
		return &FormatError{Packet: cur, Offset: off, Err: fmt.Errorf(format, args...)}
	}
	for off := int64(0); off < size; {
		hdr, err := br.Peek(12)
		if len(hdr) < 8 {
			return nil, nil, bad(off, "the file ends inside a block header")
		}
		typ := binary.LittleEndian.Uint32(hdr[0:4]) // the SHB's type reads the same both ways
		if typ == ngSectionHeader {
			if err != nil {
				return nil, nil, bad(off, "the file ends inside a section header")
			}
			switch {
			case binary.LittleEndian.Uint32(hdr[8:12]) == 0x1a2b3c4d:
				order = binary.LittleEndian
			case binary.BigEndian.Uint32(hdr[8:12]) == 0x1a2b3c4d:
				order = binary.BigEndian
			default:
				return nil, nil, bad(off, "a section header with no byte-order magic")
			}
		} else if off == 0 {
			return nil, nil, bad(off, "not a pcapng file (no section header first)")
		}
		typ = order.Uint32(hdr[0:4])
		cur = 0
		if typ == ngPacket || typ == ngEnhanced || typ == ngSimplePacket {
			cur = len(offsets) + 1
		}
		blen := int64(order.Uint32(hdr[4:8]))
		min := int64(12)
		switch typ {
		case ngSectionHeader:
			min = 28
		case ngInterface:
			min = 20
		case ngSimplePacket:
			min = 16
		case ngStatistics:
			min = 24
		case ngPacket, ngEnhanced:
			min = 32
		}
		if blen < min || blen > size-off {
			return nil, nil, bad(off, "a block of type %#x claims %d bytes (at least %d, at most the %d left)", typ, blen, min, size-off)
		}
		switch typ {
		case ngSectionHeader:
			ifaces = ifaces[:0]
		case ngInterface:
			if described++; described > MaxInterfaces {
				return nil, nil, fmt.Errorf("pcap: more than %d interface descriptions: %w", MaxInterfaces, ErrTooLarge)
			}
			fields, err := br.Peek(10)
			if err != nil {
				return nil, nil, bad(off, "the file ends inside an interface block")
			}
			ifaces = append(ifaces, order.Uint16(fields[8:10]))
		case ngPacket, ngEnhanced, ngSimplePacket:
			if len(offsets) > lim.MaxPackets {
				return nil, nil, fmt.Errorf("pcap: more than max_packets %d packets: %w", lim.MaxPackets, ErrTooLarge)
			}
			offsets = append(offsets, off)
			fields, err := br.Peek(24)
			if err != nil {
				return nil, nil, bad(off, "the file ends inside a packet block")
			}
			var ifc uint32
			switch typ {
			case ngEnhanced:
				ifc = order.Uint32(fields[8:12])
			case ngPacket:
				ifc = uint32(order.Uint16(fields[8:10]))
			}
			if int64(ifc) >= int64(len(ifaces)) {
				return nil, nil, bad(off, "a packet of interface %d, which is not described", ifc)
			}
			links = append(links, ifaces[ifc])
			if typ == ngSimplePacket {
				if n := order.Uint32(fields[8:12]); n > MaxPacket {
					return nil, nil, bad(off, "a packet of %d bytes, over %d: %w", n, MaxPacket, ErrTooLarge)
				}
			} else {
				n := int64(order.Uint32(fields[20:24]))
				if n > MaxPacket {
					return nil, nil, bad(off, "a packet of %d bytes, over %d: %w", n, MaxPacket, ErrTooLarge)
				}
				if n > blen-32 {
					return nil, nil, bad(off, "a packet of %d bytes in a block of %d", n, blen)
				}
			}
		}
		if _, err := br.Discard(int(blen)); err != nil {
			return nil, nil, bad(off, "the file ends inside a block")
		}
		off += blen
	}
	if len(offsets) == 0 && size < 28 {
		return nil, nil, &FormatError{Err: errors.New("not a pcapng file (too short)")}
	}
	return offsets, links, nil
}
