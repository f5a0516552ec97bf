package lua

import (
	"fmt"
	"strings"

	"github.com/gonetrepl/gonetrepl/third_party/gopher-lua/pm"
)

const emptyLString LString = LString("")

func OpenString(L *LState) int {
	var mod *LTable
	//_, ok := L.G.builtinMts[int(LTString)]
	//if !ok {
	mod = L.RegisterModule(StringLibName, strFuncs).(*LTable)
	gmatch := L.NewClosure(strGmatch, L.NewFunction(strGmatchIter))
	mod.RawSetString("gmatch", gmatch)
	mod.RawSetString("gfind", gmatch)
	mod.RawSetString("__index", mod)
	L.G.builtinMts[int(LTString)] = mod
	//}
	L.Push(mod)
	return 1
}

var strFuncs = map[string]LGFunction{
	"byte":    strByte,
	"char":    strChar,
	"dump":    strDump,
	"find":    strFind,
	"format":  strFormat,
	"gsub":    strGsub,
	"len":     strLen,
	"lower":   strLower,
	"match":   strMatch,
	"rep":     strRep,
	"reverse": strReverse,
	"sub":     strSub,
	"upper":   strUpper,
}

func strByte(L *LState) int {
	str := L.CheckString(1)
	start := L.OptInt(2, 1) - 1
	end := L.OptInt(3, -1)
	l := len(str)
	if start < 0 {
		start = l + start + 1
	}
	if end < 0 {
		end = l + end + 1
	}

	if L.GetTop() == 2 {
		if start < 0 || start >= l {
			return 0
		}
		L.Push(LNumber(str[start]))
		return 1
	}

	start = intMax(start, 0)
	end = intMin(end, l)
	if end < 0 || end <= start || start >= l {
		return 0
	}

	for i := start; i < end; i++ {
		L.Push(LNumber(str[i]))
	}
	return end - start
}

func strChar(L *LState) int {
	top := L.GetTop()
	bytes := make([]byte, L.GetTop())
	for i := 1; i <= top; i++ {
		bytes[i-1] = uint8(L.CheckInt(i))
	}
	L.Push(LString(string(bytes)))
	return 1
}

func strDump(L *LState) int {
	L.RaiseError("GopherLua does not support the string.dump")
	return 0
}

func strFind(L *LState) int {
	str := L.CheckString(1)
	pattern := L.CheckString(2)
	if len(pattern) == 0 {
		L.Push(LNumber(1))
		L.Push(LNumber(0))
		return 2
	}
	init := luaIndex2StringIndex(str, L.OptInt(3, 1), true)
	plain := false
	if L.GetTop() == 4 {
		plain = LVAsBool(L.Get(4))
	}

	if plain {
		pos := strings.Index(str[init:], pattern)
		if pos < 0 {
			L.Push(LNil)
			return 1
		}
		L.Push(LNumber(init+pos) + 1)
		L.Push(LNumber(init + pos + len(pattern)))
		return 2
	}

	mds, err := pm.FindMeter(pattern, unsafeFastStringToReadOnlyBytes(str), init, 1, L.findMeter())
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
	if len(mds) == 0 {
		L.Push(LNil)
		return 1
	}
	md := mds[0]
	L.Push(LNumber(md.Capture(0) + 1))
	L.Push(LNumber(md.Capture(1)))
	for i := 2; i < md.CaptureLength(); i += 2 {
		if md.IsPosCapture(i) {
			L.Push(LNumber(md.Capture(i)))
		} else {
			L.Push(LString(str[md.Capture(i):md.Capture(i+1)]))
		}
	}
	return md.CaptureLength()/2 + 1
}

func strFormat(L *LState) int {
	str := L.CheckString(1)
	args := make([]interface{}, L.GetTop()-1)
	top := L.GetTop()
	for i := 2; i <= top; i++ {
		args[i-2] = L.Get(i)
	}
	npat := strings.Count(str, "%") - strings.Count(str, "%%")
	args = args[:intMin(npat, len(args))]
	// gonetrepl patch 10: refuse a result over the largest string.
	L.CheckStringSize("string.format", formatBound(str, args))
	L.Push(LString(fmt.Sprintf(str, args...)))
	return 1
}

// formatBound is an upper bound of the length of fmt.Sprintf(format,
// args...), computed without formatting: the format's own bytes, and for
// each directive its width and precision (Go's fmt refuses either over
// 10^6) plus the longest its argument can print as (4 bytes a byte for
// %q, 400 for a number or anything that is not a string). A directive may
// name its argument ("%[1]s"), so one argument may print many times.
// (gonetrepl patch 10)
func formatBound(format string, args []interface{}) int64 {
	const numeral = 400 // the longest number fmt writes, as a float64 with %f
	bound := int64(len(format))
	argi := 0
	reordered := false
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		var width, prec int64
		num := &width
		for ; i < len(format); i++ {
			c := format[i]
			switch {
			case c >= '0' && c <= '9':
				*num = SizeSum(SizeProduct(*num, 10), int64(c-'0'))
				continue
			case c == '.':
				num = &prec
				continue
			case c == '[':
				reordered = true
				n := 0
				for i++; i < len(format) && format[i] >= '0' && format[i] <= '9'; i++ {
					if n < 1<<20 {
						n = n*10 + int(format[i]-'0')
					}
				}
				argi = n - 1
				continue
			case c == '*':
				argi++
				continue
			case c == '+' || c == '-' || c == '#' || c == ' ':
				continue
			}
			break
		}
		if i >= len(format) || format[i] == '%' {
			bound = SizeSum(bound, 1)
			continue
		}
		verb := format[i]
		item := int64(numeral)
		if argi >= 0 && argi < len(args) {
			if s, ok := args[argi].(LString); ok {
				item = SizeSum(int64(len(s)), numeral)
				if verb == 'q' || verb == 'x' || verb == 'X' {
					item = SizeProduct(item, 4)
				}
			}
		} else {
			item = 0
			for _, a := range args {
				if s, ok := a.(LString); ok && int64(len(s)) > item {
					item = int64(len(s))
				}
			}
			item = SizeProduct(SizeSum(item, numeral), 4)
		}
		argi++
		bound = SizeSum(bound, SizeSum(SizeSum(width, prec), item))
	}
	if !reordered && argi < len(args) {
		// fmt prints the arguments no directive took: "%!(EXTRA ...)".
		for _, a := range args[argi:] {
			item := int64(numeral)
			if s, ok := a.(LString); ok {
				item = SizeSum(int64(len(s)), numeral)
			}
			bound = SizeSum(bound, item)
		}
	}
	return bound
}

func strGsub(L *LState) int {
	str := L.CheckString(1)
	pat := L.CheckString(2)
	L.CheckTypes(3, LTString, LTTable, LTFunction)
	repl := L.CheckAny(3)
	limit := L.OptInt(4, -1)

	// gonetrepl patch 11: one match at a time, and the result built as
	// it goes, in one buffer capped at the largest string (patch 10).
	// Upstream found every match first (16 million of them for "." on
	// 16 MiB: gigabytes) and then copied the whole string once per
	// replacement (quadratic: 4 s for 64 KiB).
	m, err := pm.NewMatcher(pat, unsafeFastStringToReadOnlyBytes(str), 0)
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
	m.Meter = L.patternMeter()
	out := gsubOutput{L: L}
	prev, n := 0, 0
	for {
		match, err := m.Next()
		if err != nil {
			L.RaiseError("%s", err.Error())
		}
		if match == nil {
			break
		}
		n++
		start, end := match.Capture(0), match.Capture(1)
		out.add(str[prev:start])
		var rs string
		switch lv := repl.(type) {
		case LString:
			rs = strGsubExpand(L, str, string(lv), match, MaxStringSize-out.size)
		case *LTable:
			rs = strGsubTableValue(L, str, lv, match)
		case *LFunction:
			rs = strGsubFuncValue(L, str, lv, match)
		}
		out.add(rs)
		prev = end
		if n == limit {
			break
		}
	}
	if n == 0 {
		L.SetTop(1)
		L.Push(LNumber(0))
		return 2
	}
	out.add(str[prev:])
	L.Push(LString(out.String()))
	L.Push(LNumber(n))
	return 2
}

// gsubOutput builds gsub's result from pieces: the parts of the subject
// between matches and the replacements, which are mostly strings that
// exist already (the replacement string, a function's results). It keeps
// up to gsubPending of them before copying, and counts every byte as it
// is added, so a result over the largest string is mostly refused before
// it is built. (gonetrepl patch 10)
type gsubOutput struct {
	L       *LState
	b       strings.Builder
	pending []string
	size    int64
}

const gsubPending = 1024

func (o *gsubOutput) add(piece string) {
	if piece == "" {
		return
	}
	o.size += int64(len(piece))
	o.L.CheckStringSize("string.gsub", o.size)
	o.pending = append(o.pending, piece)
	if len(o.pending) >= gsubPending {
		o.flush()
	}
}

func (o *gsubOutput) flush() {
	o.b.Grow(int(o.size) - o.b.Len())
	for i, p := range o.pending {
		o.b.WriteString(p)
		o.pending[i] = ""
	}
	o.pending = o.pending[:0]
}

func (o *gsubOutput) String() string {
	o.flush()
	return o.b.String()
}

func checkCaptureIndex(L *LState, m *pm.MatchData, idx int) {
	if idx <= 2 {
		return
	}
	if idx >= m.CaptureLength() {
		L.RaiseError("invalid capture index")
	}
}

func capturedString(L *LState, m *pm.MatchData, str string, idx int) string {
	checkCaptureIndex(L, m, idx)
	if idx >= m.CaptureLength() && idx == 2 {
		idx = 0
	}
	if m.IsPosCapture(idx) {
		return fmt.Sprint(m.Capture(idx))
	} else {
		return str[m.Capture(idx):m.Capture(idx+1)]
	}

}

// strGsubExpand is the replacement string repl for one match, with %0-%9
// replaced by captures; over room bytes raises "not enough memory"
// ("%0%0%0..." repeats the whole match). (gonetrepl patch 10)
func strGsubExpand(L *LState, str string, repl string, match *pm.MatchData, room int64) string {
	if strings.IndexByte(repl, '%') < 0 {
		return repl // nothing to expand: no copy
	}
	// The length first, so that "%0%0%0..." over room is refused before
	// anything is copied.
	size := int64(0)
	for i := 0; i < len(repl); i++ {
		switch c := repl[i]; {
		case c != '%' || i+1 == len(repl):
			size++
		case repl[i+1] == '%':
			size++
			i++
		case repl[i+1] >= '0' && repl[i+1] <= '9':
			size += int64(len(capturedString(L, match, str, 2*int(repl[i+1]-'0'))))
			i++
		default: // kept as it is
			size += 2
			i++
		}
	}
	L.CheckStringSize("string.gsub", int64(MaxStringSize)-room+size)
	sc := newFlagScanner('%', "", "", repl)
	for c, eos := sc.Next(); !eos; c, eos = sc.Next() {
		if !sc.ChangeFlag {
			if sc.HasFlag {
				if c >= '0' && c <= '9' {
					sc.AppendString(capturedString(L, match, str, 2*(int(c)-48)))
				} else {
					sc.AppendChar('%')
					sc.AppendChar(c)
				}
				sc.HasFlag = false
			} else {
				sc.AppendChar(c)
			}
		}
	}
	return sc.String()
}

// strGsubTableValue is the replacement for one match from a table: the
// value at the first capture (or the whole match), or the match itself
// when that is false or nil.
func strGsubTableValue(L *LState, str string, repl *LTable, match *pm.MatchData) string {
	idx := 0
	if match.CaptureLength() > 2 { // has captures
		idx = 2
	}
	var value LValue
	if match.IsPosCapture(idx) {
		value = L.GetTable(repl, LNumber(match.Capture(idx)))
	} else {
		value = L.GetField(repl, str[match.Capture(idx):match.Capture(idx+1)])
	}
	if !LVIsFalse(value) {
		return LVAsString(value)
	}
	return str[match.Capture(0):match.Capture(1)]
}

// strGsubFuncValue is the replacement for one match from a function
// called with the captures (or the whole match), or the match itself when
// it returns false or nil.
func strGsubFuncValue(L *LState, str string, repl *LFunction, match *pm.MatchData) string {
	L.Push(repl)
	nargs := 0
	if match.CaptureLength() > 2 { // has captures
		for i := 2; i < match.CaptureLength(); i += 2 {
			if match.IsPosCapture(i) {
				L.Push(LNumber(match.Capture(i)))
			} else {
				L.Push(LString(capturedString(L, match, str, i)))
			}
			nargs++
		}
	} else {
		L.Push(LString(capturedString(L, match, str, 0)))
		nargs++
	}
	L.Call(nargs, 1)
	ret := L.reg.Pop()
	if !LVIsFalse(ret) {
		return LVAsString(ret)
	}
	return str[match.Capture(0):match.Capture(1)]
}

// strMatchData is the state of a gmatch iterator: the subject and a
// Matcher that finds one match per call (gonetrepl patch 11; upstream
// found all of them when the iterator was made).
type strMatchData struct {
	str     string
	matcher *pm.Matcher
	busy    bool // in a call of the iterator (patch 13: it may let other threads run)
}

func strGmatchIter(L *LState) int {
	md, ok := L.CheckUserData(1).Value.(*strMatchData)
	if !ok {
		L.ArgError(1, "gmatch state expected")
	}
	if md.busy {
		L.RaiseError("gmatch iterator called again while it is matching")
	}
	str := md.str
	md.busy = true
	defer func() { md.busy = false }()
	md.matcher.Meter = L.patternMeter() // the thread calling it is charged
	match, err := md.matcher.Next()
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
	if match == nil {
		return 0
	}
	L.Push(L.Get(1))
	if match.CaptureLength() == 2 {
		L.Push(LString(str[match.Capture(0):match.Capture(1)]))
		return 1
	}

	for i := 2; i < match.CaptureLength(); i += 2 {
		if match.IsPosCapture(i) {
			L.Push(LNumber(match.Capture(i)))
		} else {
			L.Push(LString(str[match.Capture(i):match.Capture(i+1)]))
		}
	}
	return match.CaptureLength()/2 - 1
}

func strGmatch(L *LState) int {
	str := L.CheckString(1)
	pattern := L.CheckString(2)
	m, err := pm.NewMatcher(pattern, unsafeFastStringToReadOnlyBytes(str), 0)
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
	L.Push(L.Get(UpvalueIndex(1)))
	ud := L.NewUserData()
	ud.Value = &strMatchData{str: str, matcher: m}
	L.Push(ud)
	return 2
}

func strLen(L *LState) int {
	str := L.CheckString(1)
	L.Push(LNumber(len(str)))
	return 1
}

func strLower(L *LState) int {
	str := L.CheckString(1)
	L.Push(LString(unlockedText(L, str, strings.ToLower))) // gonetrepl patch 13
	return 1
}

func strMatch(L *LState) int {
	str := L.CheckString(1)
	pattern := L.CheckString(2)
	offset := L.OptInt(3, 1)
	l := len(str)
	if offset < 0 {
		offset = l + offset + 1
	}
	offset--
	if offset < 0 {
		offset = 0
	}

	mds, err := pm.FindMeter(pattern, unsafeFastStringToReadOnlyBytes(str), offset, 1, L.findMeter())
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
	if len(mds) == 0 {
		L.Push(LNil)
		return 0
	}
	md := mds[0]
	nsubs := md.CaptureLength() / 2
	switch nsubs {
	case 1:
		L.Push(LString(str[md.Capture(0):md.Capture(1)]))
		return 1
	default:
		for i := 2; i < md.CaptureLength(); i += 2 {
			if md.IsPosCapture(i) {
				L.Push(LNumber(md.Capture(i)))
			} else {
				L.Push(LString(str[md.Capture(i):md.Capture(i+1)]))
			}
		}
		return nsubs - 1
	}
}

func strRep(L *LState) int {
	str := L.CheckString(1)
	n := L.CheckInt(2)
	if n < 0 {
		L.Push(emptyLString)
	} else {
		// gonetrepl patch 10: refuse a result over the largest string.
		L.CheckStringSize("string.rep", SizeProduct(int64(len(str)), int64(n)))
		L.Push(LString(repeatCharged(L, str, n)))
	}
	return 1
}

func strReverse(L *LState) int {
	str := L.CheckString(1)
	L.Push(LString(unlockedText(L, str, reverseString))) // gonetrepl patch 13
	return 1
}

func reverseString(str string) string {
	out := make([]byte, len(str))
	for i, j := 0, len(str)-1; j >= 0; i, j = i+1, j-1 {
		out[i] = str[j]
	}
	return string(out)
}

func strSub(L *LState) int {
	str := L.CheckString(1)
	start := luaIndex2StringIndex(str, L.CheckInt(2), true)
	end := luaIndex2StringIndex(str, L.OptInt(3, -1), false)
	l := len(str)
	if start >= l || end < start {
		L.Push(emptyLString)
	} else {
		L.Push(LString(str[start:end]))
	}
	return 1
}

func strUpper(L *LState) int {
	str := L.CheckString(1)
	L.Push(LString(unlockedText(L, str, strings.ToUpper))) // gonetrepl patch 13
	return 1
}

func luaIndex2StringIndex(str string, i int, start bool) int {
	if start && i != 0 {
		i -= 1
	}
	l := len(str)
	if i < 0 {
		i = l + i + 1
	}
	i = intMax(0, i)
	if !start && i > l {
		i = l
	}
	return i
}

//
