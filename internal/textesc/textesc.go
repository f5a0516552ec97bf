// Package textesc makes bytes that came from a peer safe to show on a
// terminal: every byte that a terminal could act on (control characters,
// DEL, the C1 controls U+0080–U+009F, the bidirectional overrides that
// reorder what the operator reads) is written as a Lua decimal escape, so
// a peer cannot retitle, clear or repaint the operator's terminal, and the
// text reads back as the same bytes.
//
// Quote is the prompt's string display; Escape is the same without the
// quotes, for logs; Lines is for reports of several lines (an error and
// its traceback), keeping their newlines, tabs and backslashes. All are
// linear in the input.
package textesc

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Quote writes s as a Lua 5.1 string literal that reads back as the same
// bytes: decimal escapes (\0, \255), as gopher-lua has no \x.
func Quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	write(&b, s, quoted)
	b.WriteByte('"')
	return b.String()
}

// Escape returns s with every byte a terminal could act on escaped as in
// Quote, and a backslash doubled, but no quotes added or escaped. If max is
// positive and s is longer, only its first max bytes are shown, followed
// by "…(N bytes)" with N the whole length.
func Escape(s string, max int) string {
	var b strings.Builder
	if max > 0 && max < len(s) {
		b.Grow(max)
	} else {
		b.Grow(len(s))
	}
	escape(&b, s, max)
	return b.String()
}

// EscapedLen is len(Escape(s, max)), counted without building it: up to
// four bytes a byte, so a caller can refuse a result too big to make.
func EscapedLen(s string, max int) int64 {
	var n counter
	escape(&n, s, max)
	return int64(n)
}

func escape(b writer, s string, max int) {
	whole := len(s)
	cut := max > 0 && whole > max
	if cut {
		s = s[:max]
	}
	write(b, s, plain)
	if cut {
		b.WriteString("…(")
		b.WriteString(strconv.Itoa(whole))
		b.WriteString(" bytes)")
	}
}

// Lines returns s for a terminal that shows it as lines of text: a report
// such as a failed task's error and traceback, which may quote what a
// peer sent. Every byte a terminal could act on is escaped as in Escape,
// but newline and tab are kept as they are, so the report stays readable,
// and so is a backslash: text that is already escaped (bin.escape, the
// protocol errors of http and resp) is not escaped twice. Lines is
// idempotent, Lines(Lines(s)) == Lines(s), so each place that writes a
// report to the terminal can call it whatever its text went through
// before; s itself is returned when nothing needs escaping. The result
// no longer reads back as s byte for byte (a peer's "\27" and an escaped
// ESC look the same); use Escape where that matters.
func Lines(s string) string {
	if IsText(s) && strings.IndexByte(s, '\r') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	write(&b, s, lines)
	return b.String()
}

// A mode is how write shows the characters that need no escape on a
// terminal but mean something in a Lua string literal.
type mode int

const (
	quoted mode = iota // a literal's contents: \" \\ \n \r \t escaped
	plain              // as quoted, but " as is
	lines              // " \ newline and tab as they are; \r escaped
)

// A writer is where write puts the text: a strings.Builder, or a counter
// of its length.
type writer interface {
	WriteString(string) (int, error)
	WriteByte(byte) error
}

type counter int

func (c *counter) WriteString(s string) (int, error) { *c += counter(len(s)); return len(s), nil }
func (c *counter) WriteByte(byte) error              { *c++; return nil }

// IsText reports whether s is UTF-8 that needs no escape but for newline,
// tab and carriage return.
func IsText(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\n' && c != '\t' && c != '\r' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 || unsafeRune(r) {
			return false
		}
		i += n
	}
	return true
}

// unsafeRune reports the non-ASCII runes a terminal acts on or that change
// the order text is shown in: C1 controls (U+009B is a CSI on many
// terminals), the bidirectional embeddings, overrides and isolates, and the
// line and paragraph separators.
func unsafeRune(r rune) bool {
	return r >= 0x80 && r <= 0x9f ||
		r >= 0x202a && r <= 0x202e ||
		r >= 0x2066 && r <= 0x2069 ||
		r == 0x200e || r == 0x200f || r == 0x061c ||
		r == 0x2028 || r == 0x2029
}

func write(b writer, s string, m mode) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case m == lines && (c == '\n' || c == '\t' || c == '\\' || c == '"'):
			b.WriteByte(c)
			continue
		case c == '"' && m == quoted:
			b.WriteString(`\"`)
			continue
		case c == '\\':
			b.WriteString(`\\`)
			continue
		case c == '\n':
			b.WriteString(`\n`)
			continue
		case c == '\r':
			b.WriteString(`\r`)
			continue
		case c == '\t':
			b.WriteString(`\t`)
			continue
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
			continue
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(s[i:])
			if !(r == utf8.RuneError && n <= 1) && !unsafeRune(r) {
				b.WriteString(s[i : i+n])
				i += n - 1
				continue
			}
			if !(r == utf8.RuneError && n <= 1) {
				// An unsafe rune: escape each of its bytes.
				for j := 0; j < n; j++ {
					escapeByte(b, s[i+j], i+j+1 < len(s) && isDigit(s[i+j+1]))
				}
				i += n - 1
				continue
			}
		}
		escapeByte(b, c, i+1 < len(s) && isDigit(s[i+1]))
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// escapeByte writes \ddd; three digits when a digit follows, since a
// shorter escape would take it in.
func escapeByte(b writer, c byte, digitFollows bool) {
	b.WriteByte('\\')
	d := decimal[c]
	if digitFollows {
		b.WriteString("000"[len(d):])
	}
	b.WriteString(d)
}

// decimal holds each byte's value in decimal: strconv.Itoa allocated a
// string for each escaped byte of 100 or more, which made escaping (or
// counting, EscapedLen) a 65 MiB run of \200 take seconds.
var decimal = func() (d [256]string) {
	for c := range d {
		d[c] = strconv.Itoa(c)
	}
	return d
}()
