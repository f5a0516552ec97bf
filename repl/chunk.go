package repl

import (
	"strings"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"

	"github.com/gonetrepl/gonetrepl/bindings"
)

// chunkName is what error messages call the prompt's input, as lua's own
// prompt does: "stdin:1: ...".
const chunkName = "stdin"

// A chunk is the compiled input of one prompt: one line or several.
type chunk struct {
	fn         *lua.LFunction
	expression bool // compiled as "return <input>": its values are shown even when nil
}

// compile turns the lines typed so far into a chunk. Input that reads as
// an expression is compiled as "return <input>" so its values can be shown
// ("1+1" prints 2); "=expr" is Lua 5.1's spelling of the same. A
// *bindings.SyntaxError with Incomplete set asks for more lines.
func compile(rt *bindings.Runtime, lines []string) (*chunk, error) {
	src := strings.Join(lines, "\n")
	if rest, ok := strings.CutPrefix(src, "="); ok {
		src = "return " + rest
	} else if fn, err := rt.Load(strings.NewReader("return "+src), chunkName); err == nil {
		return &chunk{fn: fn, expression: true}, nil
	}
	fn, err := rt.Load(strings.NewReader(src), chunkName)
	if err != nil {
		return nil, err
	}
	return &chunk{fn: fn, expression: strings.HasPrefix(src, "return ")}, nil
}

// joinable reports whether a multi-line chunk means the same joined with
// spaces into one history line: not when a comment, a long string or a
// line-continued string spans its lines.
func joinable(lines []string) bool {
	for _, l := range lines {
		if strings.Contains(l, "--") || strings.Contains(l, "[[") || strings.Contains(l, "[=") || strings.HasSuffix(l, `\`) {
			return false
		}
	}
	return true
}
