package transcript

import (
	"errors"
	"fmt"
	"strings"
)

const hexDigits = "0123456789abcdef"

// AppendQuote appends data to b in double quotes, escaped as the format
// says: \\ \" \n \r \t, and \xHH for every other byte below 0x20 or from
// 0x7f, so the result is printable ASCII and holds no space-free surprise
// for grep. Linear in data.
func AppendQuote(b []byte, data []byte) []byte {
	b = append(b, '"')
	for _, c := range data {
		switch {
		case c == '\\':
			b = append(b, '\\', '\\')
		case c == '"':
			b = append(b, '\\', '"')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20 || c >= 0x7f:
			b = append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// Quote returns data quoted as AppendQuote does.
func Quote(data []byte) string { return string(AppendQuote(nil, data)) }

// Unquote reverses Quote: s must be one quoted DATA field exactly, with
// only the escapes Quote writes (hex digits in either case). Its errors
// say where in the data the problem is, for the reader's messages.
func Unquote(s string) ([]byte, error) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return nil, errors.New("data must be in double quotes")
	}
	s = s[1 : len(s)-1]
	data := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			return nil, fmt.Errorf("unescaped quote at byte %d of the data", i+1)
		case c < 0x20 || c >= 0x7f:
			return nil, fmt.Errorf("raw byte 0x%02x at byte %d of the data: want \\xHH", c, i+1)
		case c != '\\':
			data = append(data, c)
			continue
		}
		if i+1 >= len(s) {
			return nil, errors.New("data ends in a lone backslash")
		}
		i++
		switch s[i] {
		case '\\', '"':
			data = append(data, s[i])
		case 'n':
			data = append(data, '\n')
		case 'r':
			data = append(data, '\r')
		case 't':
			data = append(data, '\t')
		case 'x':
			if i+2 >= len(s) {
				return nil, errors.New("\\x wants two hex digits")
			}
			hi, lo := strings.IndexByte(hexDigits, lower(s[i+1])), strings.IndexByte(hexDigits, lower(s[i+2]))
			if hi < 0 || lo < 0 {
				return nil, fmt.Errorf("\\x%.2q: want two hex digits", s[i+1:i+3])
			}
			data = append(data, byte(hi<<4|lo))
			i += 2
		default:
			return nil, fmt.Errorf("unknown escape \\%c", s[i])
		}
	}
	return data, nil
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'F' {
		return c + 'a' - 'A'
	}
	return c
}
