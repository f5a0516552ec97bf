package repl

import (
	"container/heap"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fatih/color"
	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"

	"github.com/gonetrepl/gonetrepl/bindings"
	"github.com/gonetrepl/gonetrepl/internal/textesc"
)

// How values are shown at the prompt. A value at the prompt is a view,
// bounded whatever its size: print writes every byte.
const (
	maxDepth      = 5   // nested tables deeper than this show as {…}
	maxEntries    = 100 // entries shown per table; the rest are counted
	maxInlineLine = 72  // a table fits on one line up to this width
	maxEscaped    = 64  // binary strings longer than this show as a hexdump (at the top)
	maxNestedText = 200 // strings inside tables are cut after this many bytes

	// A string at the top is shown whole up to maxWholeText bytes (a
	// binary one up to maxWholeDump, as a hexdump); a longer one shows its
	// size, its first and last bytes, and how to see the rest. Showing it
	// costs the same for 5 KiB and for 256 MiB: a 16 MiB read_all shown
	// as a whole hexdump was 83 MB of text and 686 MB of memory.
	maxWholeText = 4096
	headText     = 2048
	tailText     = 512
	maxWholeDump = 512
	headDump     = 256
	tailDump     = 128
	// maxTopText cuts the text of a value shown by its tostring (an
	// error, a conn) at the top; nested, maxNestedText does.
	maxTopText = 2048

	// lineBudget bounds the bytes a line's values show: once they have
	// written this much, a table stops at the entry it is on and the
	// line at the value ("…N more"). Each table's maxEntries alone would
	// let nested tables (5 levels of 100, all the same table) show 10^10
	// entries.
	lineBudget = 8 << 10
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
// text and the reason, and the line's other values still print. What it
// shows is bounded (lineBudget, and a view of a long string): its time
// and memory grow with the number of entries of a table, never with the
// bytes of a string, and what it writes does not grow at all. Text a
// value's tostring gives is escaped for the terminal (textesc.Lines), as
// strings are (textesc.Quote).
func show(L *lua.LState, values []lua.LValue) string {
	parts := make([]string, 0, len(values))
	deadline := time.Now().Add(bindings.TostringBudget) // for the whole line
	left := lineBudget
	for i, v := range values {
		if left <= 0 {
			parts = append(parts, colDim.Sprintf("…%d more values", len(values)-i))
			break
		}
		p := &printer{L: L, seen: map[*lua.LTable]bool{}, deadline: deadline, left: &left}
		p.value(v, 0, true)
		parts = append(parts, p.b.String())
	}
	return strings.Join(parts, "\t")
}

type printer struct {
	L        *lua.LState
	b        strings.Builder
	seen     map[*lua.LTable]bool // tables on the path from the top: a cycle
	deadline time.Time            // for the __tostring metamethods of the line
	left     *int                 // bytes the line may still show (lineBudget)
}

// put writes s and charges it to the line's budget.
func (p *printer) put(s string) {
	p.b.WriteString(s)
	*p.left -= len(s)
}

func (p *printer) value(v lua.LValue, depth int, top bool) {
	switch v := v.(type) {
	case *lua.LNilType:
		p.put(colKeyword.Sprint("nil"))
	case lua.LBool:
		p.put(colKeyword.Sprint(v.String()))
	case lua.LNumber:
		p.put(colNumber.Sprint(v.String()))
	case lua.LString:
		p.str(string(v), top)
	case *lua.LTable:
		if hasMeta(p.L, v, "__tostring") {
			p.text(colValue, bindings.Text(p.L, v, p.deadline), top)
			return
		}
		p.table(v, depth)
	case *lua.LUserData:
		s := bindings.Text(p.L, v, p.deadline)
		if mt, ok := v.Metatable.(*lua.LTable); ok && mt.RawGetString("__name") == lua.LString("net.error") {
			p.text(colError, s, top)
			return
		}
		p.text(colValue, s, top)
	default:
		p.text(colValue, bindings.Text(p.L, v, p.deadline), top)
	}
}

func hasMeta(L *lua.LState, v lua.LValue, event string) bool {
	return L.GetMetaField(v, event) != lua.LNil
}

// text shows what a value's tostring gave: a __tostring's text may be
// anything, an error's may quote what a peer sent, so it is escaped for
// the terminal, and cut (maxTopText at the top, maxNestedText inside a
// table).
func (p *printer) text(c *color.Color, s string, top bool) {
	limit := maxNestedText
	if top {
		limit = maxTopText
	}
	if len(s) <= limit {
		p.put(c.Sprint(textesc.Lines(s)))
		return
	}
	p.put(c.Sprint(textesc.Lines(s[:runeStart(s, limit)])) + colDim.Sprintf("…(%d bytes)", len(s)))
}

// str shows a string quoted, with Lua escapes, so every byte is visible; a
// long binary one at the top as a hexdump. A string too long to show whole
// at the top shows its first and last bytes, as text if they are text:
// showing it looks at those bytes only, whatever its length.
func (p *printer) str(s string, top bool) {
	head, tail := runeStart(s, min(headText, len(s))), runeStart(s, max(0, len(s)-tailText))
	switch {
	case !top && len(s) > maxNestedText:
		p.put(colString.Sprint(textesc.Quote(s[:maxNestedText])) + colDim.Sprintf("…(%d bytes)", len(s)))
	case !top:
		p.put(colString.Sprint(textesc.Quote(s)))
	case len(s) <= maxWholeText && textesc.IsText(s):
		p.put(colString.Sprint(textesc.Quote(s)))
	case len(s) > maxWholeText && textesc.IsText(s[:head]) && textesc.IsText(s[tail:]):
		p.put(colDim.Sprintf("<%d bytes: the first %d and the last %d follow; print(s) writes them all, s:sub(i, j) shows bytes i to j>", len(s), head, len(s)-tail) + "\n" +
			colString.Sprint(textesc.Quote(s[:head])) + colDim.Sprint("…") + "\n" +
			colDim.Sprint("…") + colString.Sprint(textesc.Quote(s[tail:])))
	case len(s) <= maxEscaped:
		p.put(colString.Sprint(textesc.Quote(s)))
	case len(s) <= maxWholeDump:
		p.put(colDim.Sprintf("<%d bytes>", len(s)) + "\n" + hexdump(s, 0, true))
	default:
		tail := (len(s) - tailDump) &^ 15 // a whole line of 16, as the offsets say
		p.put(colDim.Sprintf("<%d bytes: the first %d and the last %d follow; bin.hexdump(s:sub(i, j)) shows bytes i to j, print(s) writes them all>", len(s), headDump, len(s)-tail) + "\n" +
			hexdump(s[:headDump], 0, false) + "\n" + colDim.Sprint("…") + "\n" +
			hexdump(s[tail:], tail, true))
	}
}

// runeStart moves i back to the start of the UTF-8 sequence it is in (at
// most 3 bytes), so that a cut text does not end or begin in the middle of
// a character, which would show as escapes.
func runeStart(s string, i int) int {
	if i >= len(s) {
		return len(s)
	}
	for j := i; j > 0 && j > i-utf8.UTFMax+1; j-- {
		if utf8.RuneStart(s[j]) {
			return j
		}
	}
	return i
}

// hexdump shows s as bin.hexdump does, coloured, its offsets counted from
// base (a view of the end of a long string); the final line, the length,
// only if last.
func hexdump(s string, base int, last bool) string {
	dump := strings.Split(strings.TrimSuffix(bindings.Hexdump([]byte(s)), "\n"), "\n")
	if !last {
		dump = dump[:len(dump)-1]
	}
	var b strings.Builder
	for i, line := range dump {
		if i > 0 {
			b.WriteByte('\n')
		}
		// "00000000  68 65 …  |he…|": the offset dim, the rest as a
		// string; "*" (repeated lines) and the final length, dim.
		off, rest, ok := strings.Cut(line, "  ")
		if n, err := strconv.ParseUint(off, 16, 64); err == nil && base > 0 {
			off = fmt.Sprintf("%08x", int(n)+base)
		}
		if !ok {
			b.WriteString(colDim.Sprint(off))
			continue
		}
		b.WriteString(colDim.Sprint(off) + "  " + colString.Sprint(rest))
	}
	return b.String()
}

// An entry of a table, sorted for showing: the array part first, in order,
// then numbers, then strings, then other keys by their type.
type entry struct {
	k, v lua.LValue
}

func (p *printer) table(t *lua.LTable, depth int) {
	if p.seen[t] {
		p.put(colDim.Sprint("<cycle>"))
		return
	}
	if depth >= maxDepth {
		p.put(colDim.Sprint("{…}"))
		return
	}
	p.seen[t] = true
	defer delete(p.seen, t)

	n := 0 // the array part: 1..n, all non-nil
	for t.RawGetInt(n+1) != lua.LNil {
		n++
		p.L.Charge(1)
	}
	rest, others := firstEntries(p.L, t, n, maxEntries)

	// Each item costs its text (charged as it is made) and its place in
	// the table: indent, separator, " = ".
	place := 2*depth + 7
	var items []string
	for i := 1; i <= n && len(items) < maxEntries && *p.left > 0; i++ {
		items = append(items, p.sub(t.RawGetInt(i), depth))
		*p.left -= place
	}
	for _, e := range rest {
		if len(items) >= maxEntries || *p.left <= 0 {
			break
		}
		items = append(items, p.key(e.k, depth)+" = "+p.sub(e.v, depth))
		*p.left -= place
	}
	if more := n + others - len(items); more > 0 {
		items = append(items, colDim.Sprintf("…%d more", more))
	}
	if len(items) == 0 {
		p.put("{}")
		return
	}
	// The items' text is charged already: the table's writes go to b as is.
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

// firstEntries returns the entries of t outside its array part 1..n that
// sort first (keyLess), at most k of them, in order, and how many such
// entries t has. It keeps k entries at a time, not all of them (a
// million-entry table shown at the prompt was copied whole to be sorted),
// and walks the hash part with Next, whose keys are stored as they are
// given: ForEach makes each key a new interface value, a small allocation
// per entry. Each entry is charged to L as work (L.Charge), so that a big
// table lets the other tasks run on every time slice and Ctrl-C stops it;
// another task may change t meanwhile, which at worst shows a few entries
// twice or not at all, as a Lua loop over it with next would.
func firstEntries(L *lua.LState, t *lua.LTable, n, k int) (first []entry, count int) {
	h := &entryHeap{}
	add := func(key, v lua.LValue) {
		L.Charge(1)
		if i, ok := key.(lua.LNumber); ok && float64(i) == float64(int(i)) && int(i) >= 1 && int(i) <= n {
			return // in the array part (RawGetInt finds keys past its slice too)
		}
		count++
		switch {
		case h.Len() < k:
			heap.Push(h, entry{key, v})
		case keyLess(key, (*h)[0].k):
			(*h)[0] = entry{key, v}
			heap.Fix(h, 0)
		}
	}
	// The array slice past n (after a hole), then the hash part, which
	// Next reaches from the slice's last key.
	m := t.MaxN()
	for i := n + 1; i <= m; i++ {
		if v := t.RawGetInt(i); v != lua.LNil {
			add(lua.LNumber(i), v)
		}
	}
	var from lua.LValue = lua.LNil
	if m > 0 {
		from = lua.LNumber(m)
	}
	for key, v := t.Next(from); key != lua.LNil; key, v = t.Next(key) {
		add(key, v)
	}
	first = *h
	sort.Slice(first, func(i, j int) bool { return keyLess(first[i].k, first[j].k) })
	return first, count
}

// entryHeap is a heap with the entry that sorts last on top: the one to
// drop when an entry that sorts before it comes.
type entryHeap []entry

func (h entryHeap) Len() int           { return len(h) }
func (h entryHeap) Less(i, j int) bool { return keyLess(h[j].k, h[i].k) }
func (h entryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *entryHeap) Push(x any)        { *h = append(*h, x.(entry)) }
func (h *entryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// sub formats a nested value on its own printer, sharing the cycle marks
// and the line's budget.
func (p *printer) sub(v lua.LValue, depth int) string {
	q := &printer{L: p.L, seen: p.seen, deadline: p.deadline, left: p.left}
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

// keyLess orders keys: numbers, strings, booleans (false first), then
// other keys by type. Keys of one such type (tables, functions) have no
// order to show but their addresses: they compare equal, and their text
// is not made for every comparison.
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
	case lua.LBool:
		return !bool(a) && bool(b.(lua.LBool))
	}
	return a.Type() < b.Type()
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
