package lua

import "strings"

// gonetrepl patch (Syntax error messages): chunkID is Lua 5.1's
// luaO_chunkid, the name its messages give a chunk: "=name" is name,
// "@file" is file (its last part when long), and any other chunkname, the
// source itself by default, is `[string "its first line..."]`. max is
// Lua's buffer size with its NUL: 80 (MAXSRC) in syntax errors. loadstring
// and load name their chunks with it, so that messages read as lua5.1's.
func chunkID(source string, max int) string {
	if rest, ok := strings.CutPrefix(source, "="); ok {
		if len(rest) > max-1 {
			rest = rest[:max-1]
		}
		return rest
	}
	if file, ok := strings.CutPrefix(source, "@"); ok {
		if room := max - len(" '...' ") - 1; len(file) > room {
			return "..." + file[len(file)-room:]
		}
		return file
	}
	n := strings.IndexAny(source, "\n\r")
	if n < 0 {
		n = len(source)
	}
	if room := max - len(` [string "..."] `) - 1; n > room {
		n = room
	}
	if n < len(source) {
		return `[string "` + source[:n] + `..."]`
	}
	return `[string "` + source + `"]`
}
