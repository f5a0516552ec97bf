package repl

import (
	"sort"
	"strings"
	"time"

	"github.com/fatih/color"
	lua "github.com/yuin/gopher-lua"

	"github.com/gonetrepl/gonetrepl/bindings"
	"github.com/gonetrepl/gonetrepl/internal/textesc"
)

// How values are shown at the prompt.
const (
	maxDepth      = 5   // nested tables deeper than this show as {…}
	maxEntries    = 100 // entries shown per table; the rest are counted
	maxInlineLine = 72  // a table fits on one line up to this width
	maxEscaped    = 64  // binary strings longer than this show as a hexdump (at the top)
	maxNestedText = 200 // strings inside tables are cut after this many bytes
	// maxShownText: strings at the top are cut after this many bytes, so
	// that showing one (a hexdump is 5 bytes of text a byte) never makes
	// a string over the largest one, string.MAX_SIZE.
	maxShownText = 1 << 20
)

// Colours of results; fatih/color turns them all off with color.NoColor.
var (
	colString  = color.New(color.FgGreen)
	colNumber  = color.New(color.FgCyan)
	colKeyword = color.New(color.FgMagenta) // nil, true, false
	colValue   = color.New(color.FgYellow)  // conns, listeners, tasks, functions
	colError   = color.New(color.FgRed)
	colDim     = color.New(color.Faint)
)

// show formats the results of a line, tab-separated, as the prompt prints
// them. It runs inside the line's task with the lock held: __tostring
// metamethods are called as print would, but protected and bounded
// (bindings.Text): one that raises or loops shows as its value's plain
// text and the reason, and the line's other values still print.
func show(L *lua.LState, values []lua.LValue) string {
	parts := make([]string, len(values))
	deadline := time.Now().Add(bindings.TostringBudget) // for the whole line
	for i, v := range values {
		p := &printer{L: L, seen: map[*lua.LTable]bool{}, deadline: deadline}
		p.value(v, 0, true)
		parts[i] = p.b.String()
	}
	return strings.Join(parts, "\t")
}

type printer struct {
	L        *lua.LState
	b        strings.Builder
	seen     map[*lua.LTable]bool // tables on the path from the top: a cycle
	deadline time.Time            // for the __tostring metamethods of the line
}

func (p *printer) value(v lua.LValue, depth int, top bool) {
	switch v := v.(type) {
	case *lua.LNilType:
		p.b.WriteString(colKeyword.Sprint("nil"))
	case lua.LBool:
		p.b.WriteString(colKeyword.Sprint(v.String()))
	case lua.LNumber:
		p.b.WriteString(colNumber.Sprint(v.String()))
	case lua.LString:
		p.str(string(v), top)
	case *lua.LTable:
		if hasMeta(p.L, v, "__tostring") {
			p.b.WriteString(colValue.Sprint(bindings.Text(p.L, v, p.deadline)))
			return
		}
		p.table(v, depth)
	case *lua.LUserData:
		s := bindings.Text(p.L, v, p.deadline)
		if mt, ok := v.Metatable.(*lua.LTable); ok && mt.RawGetString("__name") == lua.LString("net.error") {
			p.b.WriteString(colError.Sprint(s))
			return
		}
		p.b.WriteString(colValue.Sprint(s))
	default:
		p.b.WriteString(colValue.Sprint(bindings.Text(p.L, v, p.deadline)))
	}
}

func hasMeta(L *lua.LState, v lua.LValue, event string) bool {
	return L.GetMetaField(v, event) != lua.LNil
}

// str shows a string quoted, with Lua escapes, so every byte is visible; a
// long binary one at the top as a hexdump.
func (p *printer) str(s string, top bool) {
	binary := !textesc.IsText(s)
	size := len(s)
	if top && len(s) > maxShownText {
		s = s[:maxShownText]
	}
	switch {
	case top && binary && len(s) > maxEscaped:
		dump := strings.TrimSuffix(bindings.Hexdump([]byte(s)), "\n")
		p.b.WriteString(colDim.Sprintf("<%d bytes>", size) + "\n")
		for i, line := range strings.Split(dump, "\n") {
			if i > 0 {
				p.b.WriteByte('\n')
			}
			// "00000000  68 65 …  |he…|": the offset dim, the rest as a
			// string; "*" (repeated lines) and the final length, dim.
			off, rest, ok := strings.Cut(line, "  ")
			if !ok {
				p.b.WriteString(colDim.Sprint(line))
				continue
			}
			p.b.WriteString(colDim.Sprint(off) + "  " + colString.Sprint(rest))
		}
		if size > len(s) {
			p.b.WriteString("\n" + colDim.Sprintf("…(%d bytes)", size))
		}
	case !top && len(s) > maxNestedText:
		p.b.WriteString(colString.Sprint(textesc.Quote(s[:maxNestedText])) + colDim.Sprintf("…(%d bytes)", len(s)))
	default:
		p.b.WriteString(colString.Sprint(textesc.Quote(s)))
		if size > len(s) {
			p.b.WriteString(colDim.Sprintf("…(%d bytes)", size))
		}
	}
}

// An entry of a table, sorted for showing: the array part first, in order,
// then numbers, then strings, then other keys by their text.
type entry struct {
	k, v lua.LValue
}

func (p *printer) table(t *lua.LTable, depth int) {
	if p.seen[t] {
		p.b.WriteString(colDim.Sprint("<cycle>"))
		return
	}
	if depth >= maxDepth {
		p.b.WriteString(colDim.Sprint("{…}"))
		return
	}
	p.seen[t] = true
	defer delete(p.seen, t)

	n := 0 // the array part: 1..n, all non-nil
	for t.RawGetInt(n+1) != lua.LNil {
		n++
	}
	var rest []entry
	t.ForEach(func(k, v lua.LValue) {
		if i, ok := k.(lua.LNumber); ok && float64(i) == float64(int(i)) && int(i) >= 1 && int(i) <= n {
			return
		}
		rest = append(rest, entry{k, v})
	})
	sort.Slice(rest, func(i, j int) bool { return keyLess(rest[i].k, rest[j].k) })

	var items []string
	for i := 1; i <= n && len(items) < maxEntries; i++ {
		items = append(items, p.sub(t.RawGetInt(i), depth))
	}
	for _, e := range rest {
		if len(items) >= maxEntries {
			break
		}
		items = append(items, p.key(e.k, depth)+" = "+p.sub(e.v, depth))
	}
	if more := n + len(rest) - len(items); more > 0 {
		items = append(items, colDim.Sprintf("…%d more", more))
	}
	if len(items) == 0 {
		p.b.WriteString("{}")
		return
	}
	inline := "{" + strings.Join(items, ", ") + "}"
	if !strings.Contains(inline, "\n") && visibleLen(inline)+2*depth <= maxInlineLine {
		p.b.WriteString(inline)
		return
	}
	indent := strings.Repeat("  ", depth+1)
	p.b.WriteString("{\n")
	for _, item := range items {
		p.b.WriteString(indent + item + ",\n")
	}
	p.b.WriteString(strings.Repeat("  ", depth) + "}")
}

// sub formats a nested value on its own printer, sharing the cycle marks.
func (p *printer) sub(v lua.LValue, depth int) string {
	q := &printer{L: p.L, seen: p.seen, deadline: p.deadline}
	q.value(v, depth+1, false)
	return q.b.String()
}

// key shows a table key: name for identifiers, [expr] otherwise.
func (p *printer) key(k lua.LValue, depth int) string {
	if s, ok := k.(lua.LString); ok && isIdent(string(s)) {
		return string(s)
	}
	return "[" + p.sub(k, depth) + "]"
}

var luaKeywords = map[string]bool{
	"and": true, "break": true, "do": true, "else": true, "elseif": true, "end": true,
	"false": true, "for": true, "function": true, "if": true, "in": true, "local": true,
	"nil": true, "not": true, "or": true, "repeat": true, "return": true, "then": true,
	"true": true, "until": true, "while": true,
}

func isIdent(s string) bool {
	if s == "" || luaKeywords[s] {
		return false
	}
	for i, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func keyLess(a, b lua.LValue) bool {
	ra, rb := keyRank(a), keyRank(b)
	if ra != rb {
		return ra < rb
	}
	switch a := a.(type) {
	case lua.LNumber:
		return a < b.(lua.LNumber)
	case lua.LString:
		return a < b.(lua.LString)
	}
	return a.String() < b.String()
}

func keyRank(k lua.LValue) int {
	switch k.(type) {
	case lua.LNumber:
		return 0
	case lua.LString:
		return 1
	case lua.LBool:
		return 2
	}
	return 3
}

// visibleLen is the width of s without colour escapes.
func visibleLen(s string) int {
	n, esc := 0, false
	for _, r := range s {
		switch {
		case esc:
			esc = r != 'm'
		case r == 0x1b:
			esc = true
		default:
			n++
		}
	}
	return n
}
