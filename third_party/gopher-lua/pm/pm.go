// Lua pattern match functions for Go
package pm

import (
	"fmt"
	"math"
	"sync"
)

const (
	EOS      = -1
	_UNKNOWN = -2
	// gonetrepl patch: the matcher recurses once per capture and per
	// repeated item of the pattern on the path it tries (see opMaxExpand),
	// about 400 bytes of Go stack each. It was 1,000,000 and the greedy
	// repeats recursed once per byte matched: "a*" on a megabyte of a's
	// took 424 MB of stack.
	maxRecursionLevel = 10000
	// MaxCaptures is Lua's LUA_MAXCAPTURES (gonetrepl patch): the parser
	// recursed once per open parenthesis, and 400,000 of them were a fatal
	// Go stack overflow.
	MaxCaptures = 32
)

/* Error {{{ */

type Error struct {
	Pos     int
	Message string
}

func newError(pos int, message string, args ...interface{}) *Error {
	if len(args) == 0 {
		return &Error{pos, message}
	}
	return &Error{pos, fmt.Sprintf(message, args...)}
}

func (e *Error) Error() string {
	switch e.Pos {
	case EOS:
		return fmt.Sprintf("%s at EOS", e.Message)
	case _UNKNOWN:
		return fmt.Sprintf("%s", e.Message)
	default:
		return fmt.Sprintf("%s at %d", e.Message, e.Pos)
	}
}

/* }}} */

/* MatchData {{{ */

type MatchData struct {
	// captured positions
	// layout
	// xxxx xxxx xxxx xxx0 : caputured positions
	// xxxx xxxx xxxx xxx1 : position captured positions
	captures []uint32
}

func newMatchState() *MatchData { return &MatchData{[]uint32{}} }

func (st *MatchData) addPosCapture(s, pos int) {
	for s+1 >= len(st.captures) {
		st.captures = append(st.captures, 0)
	}
	st.captures[s] = (uint32(pos) << 1) | 1
	st.captures[s+1] = (uint32(pos) << 1) | 1
}

func (st *MatchData) setCapture(s, pos int) uint32 {
	for s >= len(st.captures) {
		st.captures = append(st.captures, 0)
	}
	v := st.captures[s]
	st.captures[s] = (uint32(pos) << 1)
	return v
}

func (st *MatchData) restoreCapture(s int, pos uint32) { st.captures[s] = pos }

func (st *MatchData) CaptureLength() int { return len(st.captures) }

func (st *MatchData) IsPosCapture(idx int) bool { return (st.captures[idx] & 1) == 1 }

func (st *MatchData) Capture(idx int) int { return int(st.captures[idx] >> 1) }

/* }}} */

/* scanner {{{ */

type scannerState struct {
	Pos     int
	started bool
}

type scanner struct {
	src      []byte
	State    scannerState
	saved    scannerState
	captures int // gonetrepl patch: captures opened so far
}

func newScanner(src []byte) *scanner {
	return &scanner{
		src: src,
		State: scannerState{
			Pos:     0,
			started: false,
		},
		saved: scannerState{},
	}
}

func (sc *scanner) Length() int { return len(sc.src) }

func (sc *scanner) Next() int {
	if !sc.State.started {
		sc.State.started = true
		if len(sc.src) == 0 {
			sc.State.Pos = EOS
		}
	} else {
		sc.State.Pos = sc.NextPos()
	}
	if sc.State.Pos == EOS {
		return EOS
	}
	return int(sc.src[sc.State.Pos])
}

func (sc *scanner) CurrentPos() int {
	return sc.State.Pos
}

func (sc *scanner) NextPos() int {
	if sc.State.Pos == EOS || sc.State.Pos >= len(sc.src)-1 {
		return EOS
	}
	if !sc.State.started {
		return 0
	} else {
		return sc.State.Pos + 1
	}
}

func (sc *scanner) Peek() int {
	cureof := sc.State.Pos == EOS
	ch := sc.Next()
	if !cureof {
		if sc.State.Pos == EOS {
			sc.State.Pos = len(sc.src) - 1
		} else {
			sc.State.Pos--
			if sc.State.Pos < 0 {
				sc.State.Pos = 0
				sc.State.started = false
			}
		}
	}
	return ch
}

func (sc *scanner) Save() { sc.saved = sc.State }

func (sc *scanner) Restore() { sc.State = sc.saved }

/* }}} */

/* bytecode {{{ */

type opCode int

const (
	opChar opCode = iota
	opMatch
	opTailMatch
	opJmp
	opSplit
	opSave
	opPSave
	opBrace
	opNumber
	// opMaxExpand (gonetrepl patch) is a greedy repeat of one class, "c*"
	// (Operand1 = 0) or "c+" (Operand1 = 1), matched as Lua's max_expand
	// does: count the run of matching bytes, then try the rest of the
	// pattern after the longest run first. The split/jump loop it replaces
	// recursed once per byte.
	opMaxExpand
)

type inst struct {
	OpCode   opCode
	Class    class
	Operand1 int
	Operand2 int
}

/* }}} */

/* classes {{{ */

type class interface {
	Matches(ch int) bool
}

type dotClass struct{}

func (pn *dotClass) Matches(ch int) bool { return true }

type charClass struct {
	Ch int
}

func (pn *charClass) Matches(ch int) bool { return pn.Ch == ch }

type singleClass struct {
	Class int
}

func (pn *singleClass) Matches(ch int) bool {
	ret := false
	switch pn.Class {
	case 'a', 'A':
		ret = 'A' <= ch && ch <= 'Z' || 'a' <= ch && ch <= 'z'
	case 'c', 'C':
		ret = (0x00 <= ch && ch <= 0x1F) || ch == 0x7F
	case 'd', 'D':
		ret = '0' <= ch && ch <= '9'
	case 'l', 'L':
		ret = 'a' <= ch && ch <= 'z'
	case 'p', 'P':
		ret = (0x21 <= ch && ch <= 0x2f) || (0x3a <= ch && ch <= 0x40) || (0x5b <= ch && ch <= 0x60) || (0x7b <= ch && ch <= 0x7e)
	case 's', 'S':
		switch ch {
		case ' ', '\f', '\n', '\r', '\t', '\v':
			ret = true
		}
	case 'u', 'U':
		ret = 'A' <= ch && ch <= 'Z'
	case 'w', 'W':
		ret = '0' <= ch && ch <= '9' || 'A' <= ch && ch <= 'Z' || 'a' <= ch && ch <= 'z'
	case 'x', 'X':
		ret = '0' <= ch && ch <= '9' || 'a' <= ch && ch <= 'f' || 'A' <= ch && ch <= 'F'
	case 'z', 'Z':
		ret = ch == 0
	default:
		return ch == pn.Class
	}
	if 'A' <= pn.Class && pn.Class <= 'Z' {
		return !ret
	}
	return ret
}

type setClass struct {
	IsNot   bool
	Classes []class
}

func (pn *setClass) Matches(ch int) bool {
	for _, class := range pn.Classes {
		if class.Matches(ch) {
			return !pn.IsNot
		}
	}
	return pn.IsNot
}

type rangeClass struct {
	Begin class
	End   class
}

func (pn *rangeClass) Matches(ch int) bool {
	switch begin := pn.Begin.(type) {
	case *charClass:
		end, ok := pn.End.(*charClass)
		if !ok {
			return false
		}
		return begin.Ch <= ch && ch <= end.Ch
	}
	return false
}

// }}}

// patterns {{{

type pattern interface{}

type singlePattern struct {
	Class class
}

type seqPattern struct {
	MustHead bool
	MustTail bool
	Patterns []pattern
}

type repeatPattern struct {
	Type  int
	Class class
}

type posCapPattern struct{}

type capPattern struct {
	Pattern pattern
}

type numberPattern struct {
	N int
}

type bracePattern struct {
	Begin int
	End   int
}

// }}}

/* parse {{{ */

func parseClass(sc *scanner, allowset bool) class {
	ch := sc.Next()
	switch ch {
	case '%':
		return &singleClass{sc.Next()}
	case '.':
		if allowset {
			return &dotClass{}
		}
		return &charClass{ch}
	case '[':
		if allowset {
			return parseClassSet(sc)
		}
		return &charClass{ch}
	//case '^' '$', '(', ')', ']', '*', '+', '-', '?':
	//	panic(newError(sc.CurrentPos(), "invalid %c", ch))
	case EOS:
		panic(newError(sc.CurrentPos(), "unexpected EOS"))
	default:
		return &charClass{ch}
	}
}

func parseClassSet(sc *scanner) class {
	set := &setClass{false, []class{}}
	if sc.Peek() == '^' {
		set.IsNot = true
		sc.Next()
	}
	isrange := false
	for {
		ch := sc.Peek()
		switch ch {
		// case '[':
		// 	panic(newError(sc.CurrentPos(), "'[' can not be nested"))
		case EOS:
			panic(newError(sc.CurrentPos(), "unexpected EOS"))
		case ']':
			if len(set.Classes) > 0 {
				sc.Next()
				goto exit
			}
			fallthrough
		case '-':
			if len(set.Classes) > 0 {
				sc.Next()
				isrange = true
				continue
			}
			fallthrough
		default:
			set.Classes = append(set.Classes, parseClass(sc, false))
		}
		if isrange {
			begin := set.Classes[len(set.Classes)-2]
			end := set.Classes[len(set.Classes)-1]
			set.Classes = set.Classes[0 : len(set.Classes)-2]
			set.Classes = append(set.Classes, &rangeClass{begin, end})
			isrange = false
		}
	}
exit:
	if isrange {
		set.Classes = append(set.Classes, &charClass{'-'})
	}

	return set
}

func parsePattern(sc *scanner, toplevel bool) *seqPattern {
	pat := &seqPattern{}
	if toplevel {
		if sc.Peek() == '^' {
			sc.Next()
			pat.MustHead = true
		}
	}
	for {
		ch := sc.Peek()
		switch ch {
		case '%':
			sc.Save()
			sc.Next()
			switch sc.Peek() {
			case '0':
				panic(newError(sc.CurrentPos(), "invalid capture index"))
			case '1', '2', '3', '4', '5', '6', '7', '8', '9':
				pat.Patterns = append(pat.Patterns, &numberPattern{sc.Next() - 48})
			case 'b':
				sc.Next()
				pat.Patterns = append(pat.Patterns, &bracePattern{sc.Next(), sc.Next()})
			default:
				sc.Restore()
				pat.Patterns = append(pat.Patterns, &singlePattern{parseClass(sc, true)})
			}
		case '.', '[', ']':
			pat.Patterns = append(pat.Patterns, &singlePattern{parseClass(sc, true)})
		//case ']':
		//	panic(newError(sc.CurrentPos(), "invalid ']'"))
		case ')':
			if toplevel {
				panic(newError(sc.CurrentPos(), "invalid ')'"))
			}
			return pat
		case '(':
			if sc.captures++; sc.captures > MaxCaptures { // gonetrepl patch
				panic(newError(sc.CurrentPos(), "too many captures"))
			}
			sc.Next()
			if sc.Peek() == ')' {
				sc.Next()
				pat.Patterns = append(pat.Patterns, &posCapPattern{})
			} else {
				ret := &capPattern{parsePattern(sc, false)}
				if sc.Peek() != ')' {
					panic(newError(sc.CurrentPos(), "unfinished capture"))
				}
				sc.Next()
				pat.Patterns = append(pat.Patterns, ret)
			}
		case '*', '+', '-', '?':
			sc.Next()
			if len(pat.Patterns) > 0 {
				spat, ok := pat.Patterns[len(pat.Patterns)-1].(*singlePattern)
				if ok {
					pat.Patterns = pat.Patterns[0 : len(pat.Patterns)-1]
					pat.Patterns = append(pat.Patterns, &repeatPattern{ch, spat.Class})
					continue
				}
			}
			pat.Patterns = append(pat.Patterns, &singlePattern{&charClass{ch}})
		case '$':
			if toplevel && (sc.NextPos() == sc.Length()-1 || sc.NextPos() == EOS) {
				pat.MustTail = true
			} else {
				pat.Patterns = append(pat.Patterns, &singlePattern{&charClass{ch}})
			}
			sc.Next()
		case EOS:
			sc.Next()
			goto exit
		default:
			sc.Next()
			pat.Patterns = append(pat.Patterns, &singlePattern{&charClass{ch}})
		}
	}
exit:
	return pat
}

type iptr struct {
	insts   []inst
	capture int
}

func compilePattern(p pattern, ps ...*iptr) []inst {
	var ptr *iptr
	toplevel := false
	if len(ps) == 0 {
		toplevel = true
		ptr = &iptr{[]inst{inst{opSave, nil, 0, -1}}, 2}
	} else {
		ptr = ps[0]
	}
	switch pat := p.(type) {
	case *singlePattern:
		ptr.insts = append(ptr.insts, inst{opChar, pat.Class, -1, -1})
	case *seqPattern:
		for _, cp := range pat.Patterns {
			compilePattern(cp, ptr)
		}
	case *repeatPattern:
		idx := len(ptr.insts)
		switch pat.Type {
		case '*': // gonetrepl patch: opMaxExpand, not a loop of splits
			ptr.insts = append(ptr.insts, inst{opMaxExpand, pat.Class, 0, -1})
		case '+':
			ptr.insts = append(ptr.insts, inst{opMaxExpand, pat.Class, 1, -1})
		case '-':
			ptr.insts = append(ptr.insts,
				inst{opSplit, nil, idx + 3, idx + 1},
				inst{opChar, pat.Class, -1, -1},
				inst{opJmp, nil, idx, -1})
		case '?':
			ptr.insts = append(ptr.insts,
				inst{opSplit, nil, idx + 1, idx + 2},
				inst{opChar, pat.Class, -1, -1})
		}
	case *posCapPattern:
		ptr.insts = append(ptr.insts, inst{opPSave, nil, ptr.capture, -1})
		ptr.capture += 2
	case *capPattern:
		c0, c1 := ptr.capture, ptr.capture+1
		ptr.capture += 2
		ptr.insts = append(ptr.insts, inst{opSave, nil, c0, -1})
		compilePattern(pat.Pattern, ptr)
		ptr.insts = append(ptr.insts, inst{opSave, nil, c1, -1})
	case *bracePattern:
		ptr.insts = append(ptr.insts, inst{opBrace, nil, pat.Begin, pat.End})
	case *numberPattern:
		ptr.insts = append(ptr.insts, inst{opNumber, nil, pat.N, -1})
	}
	if toplevel {
		if p.(*seqPattern).MustTail {
			ptr.insts = append(ptr.insts, inst{opSave, nil, 1, -1}, inst{opTailMatch, nil, -1, -1})
		}
		ptr.insts = append(ptr.insts, inst{opSave, nil, 1, -1}, inst{opMatch, nil, -1, -1})
	}
	return ptr.insts
}

/* }}} parse */

/* VM {{{ */

// Simple recursive virtual machine based on the
// "Regular Expression Matching: the Virtual Machine Approach" (https://swtch.com/~rsc/regexp/regexp2.html)
//
// gonetrepl patch: mt, if not nil, counts every step (see Meter).
//
// gonetrepl patch 21: m is a parameter, not a variadic one, whose slice
// escaped and was allocated at every recursion (a capture, a repeat).
// nil makes a new MatchData.
func recursiveVM(src []byte, insts []inst, pc, sp, recLevel int, mt *Meter, m *MatchData) (bool, int, *MatchData) {
	recLevel++
	if recLevel > maxRecursionLevel {
		panic(newError(_UNKNOWN, "pattern/input too complex"))
	}
	if m == nil {
		m = newMatchState()
	}
redo:
	mt.step()
	inst := insts[pc]
	switch inst.OpCode {
	case opChar:
		if sp >= len(src) || !inst.Class.Matches(int(src[sp])) {
			return false, sp, m
		}
		pc++
		sp++
		goto redo
	case opMatch:
		return true, sp, m
	case opTailMatch:
		return sp >= len(src), sp, m
	case opJmp:
		pc = inst.Operand1
		goto redo
	case opSplit:
		if ok, nsp, _ := recursiveVM(src, insts, inst.Operand1, sp, recLevel, mt, m); ok {
			return true, nsp, m
		}
		pc = inst.Operand2
		goto redo
	case opSave:
		s := m.setCapture(inst.Operand1, sp)
		if ok, nsp, _ := recursiveVM(src, insts, pc+1, sp, recLevel, mt, m); ok {
			return true, nsp, m
		}
		m.restoreCapture(inst.Operand1, s)
		return false, sp, m
	case opPSave:
		m.addPosCapture(inst.Operand1, sp+1)
		pc++
		goto redo
	case opBrace:
		if sp >= len(src) || int(src[sp]) != inst.Operand1 {
			return false, sp, m
		}
		count := 1
		for sp = sp + 1; sp < len(src); sp++ {
			mt.step() // gonetrepl patch: a step per byte scanned
			if int(src[sp]) == inst.Operand2 {
				count--
			}
			if count == 0 {
				pc++
				sp++
				goto redo
			}
			if int(src[sp]) == inst.Operand1 {
				count++
			}
		}
		return false, sp, m
	case opMaxExpand: // gonetrepl patch
		n := 0
		for sp+n < len(src) && inst.Class.Matches(int(src[sp+n])) {
			mt.step()
			n++
		}
		if n < inst.Operand1 {
			return false, sp, m
		}
		for ; n > inst.Operand1; n-- {
			mt.step()
			if ok, nsp, _ := recursiveVM(src, insts, pc+1, sp+n, recLevel, mt, m); ok {
				return true, nsp, m
			}
		}
		pc++ // the shortest run last, without recursing
		sp += n
		goto redo
	case opNumber:
		idx := inst.Operand1 * 2
		if idx >= m.CaptureLength()-1 {
			panic(newError(_UNKNOWN, "invalid capture index"))
		}
		// gonetrepl patch 13: a capture still open (or a position
		// capture at the end) sliced src backwards: a Go runtime error.
		if m.Capture(idx+1) < m.Capture(idx) {
			panic(newError(_UNKNOWN, "invalid capture index"))
		}
		// gonetrepl patch 22: a back-reference to a position capture
		// ("()%1") fails, as in Lua 5.1, whose length for it (CAP_POSITION,
		// -2) is more than any rest of the subject; here it sliced past
		// the end of src, a Go runtime error.
		if m.IsPosCapture(idx) {
			return false, sp, m
		}
		capture := src[m.Capture(idx):m.Capture(idx+1)]
		for i := 0; i < len(capture); i++ {
			mt.step()
			if i+sp >= len(src) || capture[i] != src[i+sp] {
				return false, sp, m
			}
		}
		pc++
		sp += len(capture)
		goto redo
	}
	panic("should not reach here")
}

/* }}} */

/* API {{{ */

// A program is a pattern parsed and compiled. The VM only reads it, so
// one program serves every match of its pattern, in any goroutine.
type program struct {
	insts    []inst
	mustHead bool
	slots    int // the capture slots a match fills (two per capture, the whole match's too)
}

// newMatch is a MatchData with room for p's captures: filling them one
// append at a time grew the slice two or three times a match.
func (p *program) newMatch() *MatchData { return &MatchData{make([]uint32, 0, p.slots)} }

// Compiled programs are kept by pattern (gonetrepl patch 21): a server
// matching each request line against the same few patterns parsed and
// compiled each of them on every call, a tenth of its time. Only short
// patterns are kept, at most programCacheSize of them, and the cache is
// emptied when full: its memory stays bounded whatever patterns a script
// builds, and a pattern used often is back after one compile.
const (
	programCacheSize       = 256
	programCachePatternMax = 256
)

var programCache struct {
	sync.Mutex
	m map[string]*program
}

// compile returns the program of pattern p, from the cache if it is there.
// A malformed pattern panics with an *Error, as parsePattern does; it is
// not cached, so it is reported again each time.
func compile(p string) *program {
	keep := len(p) <= programCachePatternMax
	if keep {
		programCache.Lock()
		prog := programCache.m[p]
		programCache.Unlock()
		if prog != nil {
			return prog
		}
	}
	pat := parsePattern(newScanner([]byte(p)), true)
	prog := &program{insts: compilePattern(pat), mustHead: pat.MustHead}
	for _, in := range prog.insts {
		if (in.OpCode == opSave || in.OpCode == opPSave) && in.Operand1+2 > prog.slots {
			prog.slots = in.Operand1 + 2
		}
	}
	if keep {
		programCache.Lock()
		if programCache.m == nil || len(programCache.m) >= programCacheSize {
			programCache.m = make(map[string]*program, programCacheSize)
		}
		programCache.m[p] = prog
		programCache.Unlock()
	}
	return prog
}

func Find(p string, src []byte, offset, limit int) (matches []*MatchData, err error) {
	return FindMeter(p, src, offset, limit, nil)
}

// ErrBudget is the error of a match that takes more steps than its
// Meter's limit. (gonetrepl patch)
var ErrBudget = newError(_UNKNOWN, "pattern matching took more steps than its budget")

// FindBudget is Find with a cap on the work: budget, if not nil, is the
// number of matching steps left, decremented as they are taken, across
// calls if the caller reuses it. Backtracking patterns ("(%w+)\n" on a long
// run of letters) take time quadratic in the input; a server matching what
// a peer sends must bound it. (gonetrepl patch)
func FindBudget(p string, src []byte, offset, limit int, budget *int) (matches []*MatchData, err error) {
	if budget == nil {
		return FindMeter(p, src, offset, limit, nil)
	}
	mt := &Meter{Limit: *budget, Capped: true}
	matches, err = FindMeter(p, src, offset, limit, mt)
	*budget -= mt.Steps
	return matches, err
}

// FindMeter is Find with the steps counted by mt, if not nil (see Meter).
// (gonetrepl patch 13)
func FindMeter(p string, src []byte, offset, limit int, mt *Meter) (matches []*MatchData, err error) {
	defer func() {
		if v := recover(); v != nil {
			if perr, ok := v.(*Error); ok {
				err = perr
			} else {
				panic(v)
			}
		}
	}()
	prog := compile(p)
	if limit == 1 {
		matches = make([]*MatchData, 0, 1)
	} else {
		matches = []*MatchData{}
	}
	// One MatchData serves every start that fails (gonetrepl patch 21):
	// an unanchored find allocated one per byte of src it tried.
	md := prog.newMatch()
	for sp := offset; sp <= len(src); {
		ok, nsp, ms := recursiveVM(src, prog.insts, 0, sp, 0, mt, md)
		sp++
		if ok {
			if sp < nsp {
				sp = nsp
			}
			matches = append(matches, ms)
			md = prog.newMatch()
		} else {
			md.captures = md.captures[:0]
		}
		if len(matches) == limit || prog.mustHead {
			break
		}
	}
	mt.Flush()
	return
}

// A Meter counts the steps of a match: one per instruction of the pattern
// tried, per byte of a run or a back reference compared, per length of a
// greedy run tried. It caps them (Capped: more than Limit panics with
// ErrBudget, which Find and Matcher return as their error), and it reports
// them: every Every steps, and at the end of a Find or a Matcher's Next,
// Check is called with the steps since its last call. Check may panic to
// abandon the match (a canceled task), and may let other goroutines run:
// the matcher holds nothing but the subject and the pattern.
// (gonetrepl patch 13)
type Meter struct {
	Limit  int
	Capped bool
	Every  int
	Check  func(steps int)
	Steps  int // taken so far

	reported int // Steps at the last Check
	next     int // Steps at which step must look at the limit or Check
}

func (mt *Meter) step() {
	if mt == nil {
		return
	}
	mt.Steps++
	if mt.Steps >= mt.next {
		mt.slow()
	}
}

func (mt *Meter) slow() {
	if mt.Capped && mt.Steps > mt.Limit {
		panic(ErrBudget)
	}
	if mt.Check != nil && mt.Every > 0 && mt.Steps-mt.reported >= mt.Every {
		mt.Flush()
	}
	mt.next = math.MaxInt
	if mt.Capped {
		mt.next = mt.Limit + 1
	}
	if mt.Check != nil && mt.Every > 0 {
		mt.next = min(mt.next, mt.reported+mt.Every)
	}
}

// Restart makes mt count a new match from zero, keeping its settings: a
// caller that matches often reuses one Meter.
func (mt *Meter) Restart() { mt.Steps, mt.reported, mt.next = 0, 0, 0 }

// Flush reports the steps taken since the last Check.
func (mt *Meter) Flush() {
	if mt == nil || mt.Check == nil || mt.Steps == mt.reported {
		return
	}
	n := mt.Steps - mt.reported
	mt.reported = mt.Steps
	mt.Check(n)
}

/* }}} */

/* Matcher {{{ */

// Matcher finds the matches of one pattern in one subject one at a time,
// in the order and with the rules of Find, so that string.gsub and
// string.gmatch hold one match at a time rather than a slice of all of
// them: Find with "." on a 16 MiB string kept 16 million matches, over a
// gigabyte. The pattern is compiled once. (gonetrepl patch 11)
type Matcher struct {
	Meter    *Meter // counts the steps of every Next, if not nil (patch 13)
	insts    []inst
	mustHead bool
	src      []byte
	sp       int
	done     bool
}

// NewMatcher compiles p for matches in src from offset on. A malformed
// pattern is an *Error.
func NewMatcher(p string, src []byte, offset int) (m *Matcher, err error) {
	defer func() {
		if v := recover(); v != nil {
			if perr, ok := v.(*Error); ok {
				err = perr
			} else {
				panic(v)
			}
		}
	}()
	prog := compile(p)
	return &Matcher{insts: prog.insts, mustHead: prog.mustHead, src: src, sp: offset}, nil
}

// Next returns the next match, or nil when there are no more. An error
// (an invalid capture index) is an *Error.
func (m *Matcher) Next() (md *MatchData, err error) {
	defer func() {
		if v := recover(); v != nil {
			if perr, ok := v.(*Error); ok {
				m.done, err = true, perr
			} else {
				panic(v)
			}
		}
	}()
	for !m.done && m.sp <= len(m.src) {
		ok, nsp, ms := recursiveVM(m.src, m.insts, 0, m.sp, 0, m.Meter, nil)
		m.sp++
		if m.mustHead {
			m.done = true
		}
		if ok {
			if m.sp < nsp {
				m.sp = nsp
			}
			m.Meter.Flush()
			return ms, nil
		}
	}
	m.done = true
	m.Meter.Flush()
	return nil, nil
}

/* }}} */
