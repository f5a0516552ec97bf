package bindings

// The bin module: hex, unhex, hexdump, b64, unb64, escape, xor; the digests
// and random bytes are in bin_hash.go. (Lua 5.3's string.pack,
// string.unpack and string.packsize are in pack.go.)

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"unsafe"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"

	"github.com/gonetrepl/gonetrepl/internal/textesc"
)

const binSummary = "binary data: hex, hexdump, base64, escaping for logs, xor with a key, digests (sha1, sha256, sha512, md5, crc32, hmac), random bytes"

var binFuncs = []binding{
	{"hex", (*Runtime).binHex, "bin.hex(s) -> hex",
		"s as lowercase hex digits, two per byte.",
		`print(bin.hex("\r\n")) --> 0d0a`},
	{"unhex", (*Runtime).binUnhex, "bin.unhex(hex) -> s | nil, err",
		"The bytes that hex digits spell, in either case, with whitespace anywhere ignored; nil, err for an odd count or any other character.",
		`local magic = assert(bin.unhex("de ad BE EF"))`},
	{"hexdump", (*Runtime).binHexdump, "bin.hexdump(s) -> text",
		"s laid out exactly as hexdump -C prints it: offset, 16 bytes in hex, |text|, * for repeated lines, the length last; \"\" for \"\".",
		`io.write(bin.hexdump("GET / HTTP/1.1\r\n\r\n"))`},
	{"b64", (*Runtime).binB64, "bin.b64(s) -> text",
		"s in standard base64 (RFC 4648 alphabet, = padding).",
		`print(bin.b64("user:pass")) --> dXNlcjpwYXNz`},
	{"unb64", (*Runtime).binUnb64, "bin.unb64(text) -> s | nil, err",
		"Decodes standard base64 with its = padding (line breaks are ignored); nil, err for anything else.",
		`local s = assert(bin.unb64("dXNlcjpwYXNz"))`},
	{"escape", (*Runtime).binEscape, "bin.escape(s [, max]) -> text",
		"s made safe for a terminal or a log: control bytes, DEL, C1 controls, bidirectional overrides and invalid UTF-8 as Lua decimal escapes (\\27), backslashes doubled; printable text and UTF-8 as is. With max, only the first max bytes are shown, then …(N bytes). Use it for everything a peer sent before it reaches a log.",
		`io.stderr:write("got: ", bin.escape(line, 200), "\n")`},
	{"xor", (*Runtime).binXor, "bin.xor(data, key) -> s",
		"data XOR key repeated to its length (byte i with key byte (i-1) % #key + 1); the same call undoes it. key must not be empty.",
		`print(bin.hex(bin.xor("abc", "\1"))) --> 606362`},
	{"sha1", (*Runtime).binSha1, "bin.sha1(s) -> digest",
		"The SHA-1 digest of s, 20 raw bytes (bin.hex prints it as sha1sum does).",
		`print(bin.hex(bin.sha1("abc"))) --> a9993e364706816aba3e25717850c26c9cd0d89d`},
	{"sha256", (*Runtime).binSha256, "bin.sha256(s) -> digest",
		"The SHA-256 digest of s, 32 raw bytes (bin.hex prints it as sha256sum does).",
		`print(bin.hex(bin.sha256(""))) --> e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855`},
	{"sha512", (*Runtime).binSha512, "bin.sha512(s) -> digest",
		"The SHA-512 digest of s, 64 raw bytes.",
		`print(#bin.sha512("abc")) --> 64`},
	{"md5", (*Runtime).binMd5, "bin.md5(s) -> digest",
		"The MD5 digest of s, 16 raw bytes. MD5 is broken for security; use it only where a protocol asks for it.",
		`print(bin.hex(bin.md5("abc"))) --> 900150983cd24fb0d6963f7d28e17f72`},
	{"crc32", (*Runtime).binCrc32, "bin.crc32(s) -> digest",
		"The CRC-32 (IEEE, as zlib, gzip and zip use) of s as 4 raw bytes, big-endian like the other digests; string.unpack(\">I4\", d) gives the number.",
		`print(bin.hex(bin.crc32("abc"))) --> 352441c2`},
	{"hmac", (*Runtime).binHmac, "bin.hmac(alg, key, data) -> mac",
		`The HMAC of data under key with the hash alg, one of "sha1", "sha256", "sha512", "md5"; raw bytes as long as that hash's digest.`,
		`print(bin.hex(bin.hmac("sha256", "key", "data"))) --> 5031fe3d989c6d1537a013fa6e739da23463fdaec3b70137d828e36ace221bd0`},
	{"random", (*Runtime).binRandom, "bin.random(n) -> s",
		"n bytes from the system's cryptographic random source (crypto/rand), for keys, nonces and masks; n from 0 to 1048576 (1 MiB).",
		`local nonce = bin.random(16); print(#nonce) --> 16`},
}

func (rt *Runtime) binHex(L *lua.LState) int {
	s := argData(L, 1, "s")
	L.CheckStringSize("bin.hex", lua.SizeProduct(int64(len(s)), 2))
	var text string
	rt.offLock(L, len(s), func() { text = hex.EncodeToString(bytesOf(s)) })
	L.Push(lua.LString(text))
	return 1
}

// binDecodeHex decodes hex digits of either case, skipping ASCII whitespace.
func binDecodeHex(h string) ([]byte, error) {
	out := make([]byte, 0, len(h)/2)
	var hi byte
	half := false
	for i := 0; i < len(h); i++ {
		c := h[i]
		var v byte
		switch {
		case '0' <= c && c <= '9':
			v = c - '0'
		case 'a' <= c && c <= 'f':
			v = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			v = c - 'A' + 10
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			continue
		default:
			return nil, fmt.Errorf("invalid hex character %q at byte %d", c, i+1)
		}
		if half {
			out = append(out, hi<<4|v)
		}
		hi, half = v, !half
	}
	if half {
		return nil, fmt.Errorf("odd number of hex digits")
	}
	return out, nil
}

func (rt *Runtime) binUnhex(L *lua.LState) int {
	return rt.pushDecoded(L, "unhex", argData(L, 1, "hex"), binDecodeHex)
}

// pushDecoded pushes decode(input) as a string, decoded without the lock
// when the input is big (offLock), or nil and an error of kind other
// naming op.
func (rt *Runtime) pushDecoded(L *lua.LState, op, input string, decode func(string) ([]byte, error)) int {
	var text string
	var err error
	rt.offLock(L, len(input), func() {
		var b []byte
		if b, err = decode(input); err == nil {
			text = string(b)
		}
	})
	if err != nil {
		return rt.pushError(L, &Error{Kind: kindOther, Op: op, Err: fmt.Errorf("%s: %w", op, err)}, op, "")
	}
	L.Push(lua.LString(text))
	return 1
}

// Hexdump formats b as hexdump -C does: lines of 16 bytes, a line equal
// to the one before shown once as "*", and the length as a last line;
// nothing at all for no bytes.
func Hexdump(b []byte) string {
	var sb strings.Builder
	sb.Grow(int(min(hexdumpSize(len(b)), lua.MaxStringSize)))
	hexdumpTo(&sb, b, nil)
	return sb.String()
}

// hexdumpTo writes Hexdump(b) to sb. If flush is not nil, it is called
// whenever sb holds 64 KiB or more, to take the text so far, so that a
// big b never makes a big string (tracing).
func hexdumpTo(sb *strings.Builder, b []byte, flush func()) {
	if len(b) == 0 {
		return
	}
	const digits = "0123456789abcdef"
	var prev []byte
	starred := false
	for off := 0; off < len(b); off += 16 {
		line := b[off:min(off+16, len(b))]
		if len(line) == 16 && bytes.Equal(line, prev) {
			if !starred {
				sb.WriteString("*\n")
				starred = true
			}
			continue
		}
		prev, starred = line, false
		fmt.Fprintf(sb, "%08x ", off)
		for i := range 16 {
			if i == 8 {
				sb.WriteByte(' ')
			}
			if i < len(line) {
				sb.WriteByte(' ')
				sb.WriteByte(digits[line[i]>>4])
				sb.WriteByte(digits[line[i]&15])
			} else {
				sb.WriteString("   ")
			}
		}
		sb.WriteString("  |")
		for _, c := range line {
			if c < 0x20 || c > 0x7e {
				c = '.'
			}
			sb.WriteByte(c)
		}
		sb.WriteString("|\n")
		if flush != nil && sb.Len() >= traceFlushSize {
			flush()
		}
	}
	fmt.Fprintf(sb, "%08x\n", len(b))
}

// hexdumpSize bounds the length of Hexdump's text for n bytes: 78 bytes
// a line of 16, and the last line.
func hexdumpSize(n int) int64 { return lua.SizeProduct(int64(n/16+2), 78) }

func (rt *Runtime) binHexdump(L *lua.LState) int {
	s := argData(L, 1, "s")
	L.CheckStringSize("bin.hexdump", hexdumpSize(len(s)))
	var text string
	rt.offLock(L, len(s), func() { text = Hexdump(bytesOf(s)) })
	L.Push(lua.LString(text))
	return 1
}

func (rt *Runtime) binB64(L *lua.LState) int {
	s := argData(L, 1, "s")
	L.CheckStringSize("bin.b64", int64(base64.StdEncoding.EncodedLen(len(s))))
	var text string
	rt.offLock(L, len(s), func() { text = base64.StdEncoding.EncodeToString(bytesOf(s)) })
	L.Push(lua.LString(text))
	return 1
}

func (rt *Runtime) binEscape(L *lua.LState) int {
	s := argData(L, 1, "s")
	max := optSize(L, 2, "max", 0, 1, math.MaxInt32)
	// Up to four bytes a byte: when that could pass the largest string,
	// count before building.
	shown := len(s)
	if max > 0 && max < shown {
		shown = max
	}
	if 4*int64(shown) > lua.MaxStringSize {
		var n int64
		rt.offLock(L, shown, func() { n = textesc.EscapedLen(s, max) })
		L.CheckStringSize("bin.escape", n)
	}
	var text string
	rt.offLock(L, shown, func() { text = textesc.Escape(s, max) })
	L.Push(lua.LString(text))
	return 1
}

// binDecodeB64 decodes standard base64 with padding; line breaks are
// skipped, as in PEM and MIME bodies.
func binDecodeB64(text string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(text)
}

func (rt *Runtime) binUnb64(L *lua.LState) int {
	return rt.pushDecoded(L, "unb64", argData(L, 1, "text"), binDecodeB64)
}

func (rt *Runtime) binXor(L *lua.LState) int {
	data := argData(L, 1, "data")
	key := argData(L, 2, "key")
	if key == "" {
		argError(L, 2, "key", "must not be empty")
	}
	var text string
	rt.offLock(L, len(data), func() { text = xorRepeat(data, key) })
	L.Push(lua.LString(text))
	return 1
}

// xorBlock is about how many bytes of the repeated key xorRepeat lays
// out at once: enough for crypto/subtle.XORBytes's vector loop to run
// long, small enough to allocate per call.
const xorBlock = 4096

// xorRepeat is data XOR key repeated to data's length; key is not empty.
// The key is repeated into a block (a whole number of keys, at most
// xorBlock bytes or the data's length) and the data XORed with it block
// by block by crypto/subtle.XORBytes, 8 to 64 bytes a step: the
// WebSocket module unmasks every payload with a 4-byte key, which byte by
// byte was a third of an echo server's time.
func xorRepeat(data, key string) string {
	out := make([]byte, len(data))
	n := min(len(key)*max(1, xorBlock/len(key)), len(data))
	// The block lives on the stack unless a key longer than xorBlock needs
	// more: a WebSocket frame's unmask allocates only its result.
	var onStack [xorBlock]byte
	var block []byte
	if n <= xorBlock {
		block = onStack[:n]
	} else {
		block = make([]byte, n)
	}
	for i := 0; i < n; i += len(key) {
		copy(block[i:], key)
	}
	src := bytesOf(data)
	for off := 0; off < len(data); off += n {
		subtle.XORBytes(out[off:], src[off:min(off+n, len(data))], block)
	}
	// out is not written again: the string may share it.
	return unsafe.String(unsafe.SliceData(out), len(out))
}
