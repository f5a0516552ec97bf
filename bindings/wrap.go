package bindings

import (
	"strings"
	"unicode/utf8"
)

// wrap breaks text into lines of at most width columns at spaces, the
// first line starting with first and the others with rest, and ends it
// with a newline. A word longer than a line keeps a line of its own;
// width 0 (not a terminal), or a text that fits, is kept as it is.
func wrap(text string, width int, first, rest string) string {
	if width <= 0 || utf8.RuneCountInString(first+text) <= width {
		return first + text + "\n"
	}
	var b strings.Builder
	b.WriteString(first)
	col := utf8.RuneCountInString(first)
	lineStart := true
	for _, word := range strings.Fields(text) {
		if !lineStart && width > 0 && col+1+utf8.RuneCountInString(word) > width {
			b.WriteString("\n")
			b.WriteString(rest)
			col = utf8.RuneCountInString(rest)
			lineStart = true
		}
		if !lineStart {
			b.WriteString(" ")
			col++
		}
		b.WriteString(word)
		col += utf8.RuneCountInString(word)
		lineStart = false
	}
	b.WriteString("\n")
	return b.String()
}
