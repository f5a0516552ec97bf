package pm

// gonetrepl patch 14: Stream, a pattern matched again and again against a
// subject that only grows (the bytes of a connection as they arrive), with
// the work of one search proportional to the new bytes for the patterns
// whose single search is linear.
//
// The matcher is deterministic: an attempt (the match tried from one start
// position, or the rest of the pattern tried from one state) does the same
// steps on the same bytes. An attempt that failed without ever looking at
// the end of the subject (a class tested at len(src), a run counted up to
// it, `$` met there) looked only at bytes that stay as they are when more
// arrive, so it fails again: it need not be tried again. An attempt that
// did meet the end may match later and is tried again. Find keeps, across
// searches, the start positions to try again, and for each greedy run
// (`c*`, `c+`) and lazy run (`c-`) it went through, how far the run got and
// which lengths met the end; the first match found is the one Find (and
// string.find) gives on the same bytes.
//
// The memo of runs assumes that the rest of a pattern from one instruction
// and one position succeeds or fails the same way whatever the captures
// are, which back-references (%1) break: a pattern with one keeps only the
// start positions.

// maxStreamMemo bounds the runs remembered, and maxStreamMet the lengths
// or positions remembered in all of them together (a run's met grows with
// the run: "a*a*\n" on a run of letters keeps one per letter). A pattern
// that goes through more (a backtracking one) only searches as much as
// before past them: a run not remembered is searched as the first time.
const maxStreamMemo = 1 << 14

var maxStreamMet = 1 << 20 // a variable for a test

// Stream finds the first match of one pattern in a subject that grows
// between searches. Its zero value is not usable: see NewStream.
type Stream struct {
	insts    []inst
	mustHead bool
	memoOK   bool // no back-reference: runs can be remembered

	src     []byte
	next    int   // start positions below next have been tried
	retry   []int // those of them whose attempt met the end, ascending
	runs    map[runKey]runMemo
	met     int  // the entries of the met of all runs
	touched bool // the current attempt has looked at the end of src
	mt      *Meter
}

type runKey struct{ pc, sp int }

// runMemo is what a search learned about one run (an opMaxExpand, a lazy
// split loop, or a %b that reached the end) entered at one position.
type runMemo struct {
	srcLen int  // the length of the subject it was learned on
	n      int  // greedy: the run's length; lazy: where the loop stopped
	closed bool // the run ended before the end of the subject
	count  int  // %b: the depth at n, the end of the subject
	// met are the lengths (greedy, descending) or positions (lazy,
	// ascending) where the rest of the pattern met the end: to try again.
	met []int
}

// NewStream compiles p. A malformed pattern is an *Error.
func NewStream(p string) (s *Stream, err error) {
	defer func() {
		if v := recover(); v != nil {
			if perr, ok := v.(*Error); ok {
				err = perr
			} else {
				panic(v)
			}
		}
	}()
	pat := parsePattern(newScanner([]byte(p)), true)
	insts := compilePattern(pat)
	s = &Stream{insts: insts, mustHead: pat.MustHead, memoOK: true}
	for _, in := range insts {
		if in.OpCode == opNumber {
			s.memoOK = false
		}
	}
	return s, nil
}

// Find returns the first match in src, or nil. src must begin with the
// src of the previous call (Reset otherwise). mt, if not nil, counts the
// steps, as FindMeter's; if it abandons the search (ErrBudget, or a panic
// of its Check), the Stream is unusable until Reset. An invalid capture
// index is an *Error.
func (s *Stream) Find(src []byte, mt *Meter) (md *MatchData, err error) {
	defer func() {
		if v := recover(); v != nil {
			if perr, ok := v.(*Error); ok {
				err = perr
			} else {
				panic(v)
			}
		}
	}()
	if len(src) < len(s.src) {
		s.Reset()
	}
	s.src, s.mt = src, mt
	md = s.find()
	mt.Flush()
	return md, nil
}

// find is Find's search of s.src.
func (s *Stream) find() *MatchData {
	src := s.src
	// retry collects, in order, the starts to try again next time: those
	// whose attempt met the end, and a start that matched.
	retry := make([]int, 0, len(s.retry))
	for i, sp := range s.retry {
		m, met := s.attempt(sp)
		if m != nil || met {
			retry = append(retry, sp)
		}
		if m != nil {
			s.retry = append(retry, s.retry[i+1:]...)
			return m
		}
	}
	for ; s.next <= len(src) && !(s.mustHead && s.next > 0); s.next++ {
		m, met := s.attempt(s.next)
		if m != nil { // next stays here: it is tried again next time
			s.retry = retry
			return m
		}
		if met {
			retry = append(retry, s.next)
		}
	}
	s.retry = retry
	return nil
}

// attempt tries the pattern from start position sp. met is whether the
// attempt looked at the end of the subject.
func (s *Stream) attempt(sp int) (m *MatchData, met bool) {
	s.touched = false
	ok, _, m := s.vm(0, sp, 0, nil)
	if !ok {
		m = nil
	}
	return m, s.touched
}

// Reset forgets what earlier searches learned: for a subject that changed
// other than by growing.
func (s *Stream) Reset() {
	s.src, s.next, s.retry, s.runs, s.met = nil, 0, nil, nil, 0
}

// sub runs the rest of the pattern from (pc, sp) as an attempt of its own:
// it returns whether it matched and whether it met the end, and marks the
// enclosing attempt as having met the end if it did.
func (s *Stream) sub(pc, sp, rec int, m *MatchData) (ok bool, met bool) {
	outer := s.touched
	s.touched = false
	ok, _, _ = s.vm(pc, sp, rec, m)
	met = s.touched
	s.touched = outer || met
	return ok, met
}

func (s *Stream) memo(pc, sp int) (runMemo, bool) {
	if !s.memoOK {
		return runMemo{}, false
	}
	r, ok := s.runs[runKey{pc, sp}]
	return r, ok
}

func (s *Stream) remember(pc, sp int, r runMemo) {
	if !s.memoOK {
		return
	}
	if s.runs == nil {
		s.runs = map[runKey]runMemo{}
	}
	key := runKey{pc, sp}
	old, had := s.runs[key]
	if !had && len(s.runs) >= maxStreamMemo {
		return
	}
	if s.met-len(old.met)+len(r.met) > maxStreamMet {
		if had { // forgotten rather than left stale
			delete(s.runs, key)
			s.met -= len(old.met)
		}
		return
	}
	s.runs[key] = r
	s.met += len(r.met) - len(old.met)
}

// isLazyLoop reports whether insts[pc] begins "c-": split to the rest (pc+3)
// or to one more c (pc+1), then jump back.
func (s *Stream) isLazyLoop(pc int) bool {
	in := s.insts[pc]
	return in.OpCode == opSplit && in.Operand1 == pc+3 && in.Operand2 == pc+1 &&
		pc+2 < len(s.insts) && s.insts[pc+1].OpCode == opChar &&
		s.insts[pc+2].OpCode == opJmp && s.insts[pc+2].Operand1 == pc
}

// vm is recursiveVM with the end of src noted in s.touched and runs
// remembered. Steps are counted where recursiveVM counts them.
func (s *Stream) vm(pc, sp, recLevel int, m *MatchData) (bool, int, *MatchData) {
	recLevel++
	if recLevel > maxRecursionLevel {
		panic(newError(_UNKNOWN, "pattern/input too complex"))
	}
	if m == nil {
		m = newMatchState()
	}
	src, insts := s.src, s.insts
redo:
	s.mt.step()
	inst := insts[pc]
	switch inst.OpCode {
	case opChar:
		if sp >= len(src) {
			s.touched = true
			return false, sp, m
		}
		if !inst.Class.Matches(int(src[sp])) {
			return false, sp, m
		}
		pc++
		sp++
		goto redo
	case opMatch:
		return true, sp, m
	case opTailMatch:
		if sp >= len(src) {
			s.touched = true
			return true, sp, m
		}
		return false, sp, m
	case opJmp:
		pc = inst.Operand1
		goto redo
	case opSplit:
		if s.isLazyLoop(pc) {
			return s.lazy(pc, sp, recLevel, m)
		}
		if ok, _ := s.sub(inst.Operand1, sp, recLevel, m); ok {
			return true, sp, m
		}
		pc = inst.Operand2
		goto redo
	case opSave:
		old := m.setCapture(inst.Operand1, sp)
		if ok, _ := s.sub(pc+1, sp, recLevel, m); ok {
			return true, sp, m
		}
		m.restoreCapture(inst.Operand1, old)
		return false, sp, m
	case opPSave:
		m.addPosCapture(inst.Operand1, sp+1)
		pc++
		goto redo
	case opBrace:
		if sp >= len(src) {
			s.touched = true
			return false, sp, m
		}
		if int(src[sp]) != inst.Operand1 {
			return false, sp, m
		}
		count, start := 1, sp
		sp++
		if old, known := s.memo(pc, start); known { // scanned to the end before
			sp, count = old.n, old.count
		}
		for ; sp < len(src); sp++ {
			s.mt.step()
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
		s.touched = true
		s.remember(pc, start, runMemo{srcLen: len(src), n: sp, count: count})
		return false, sp, m
	case opMaxExpand:
		return s.greedy(pc, sp, recLevel, m)
	case opNumber:
		idx := inst.Operand1 * 2
		if idx >= m.CaptureLength()-1 {
			panic(newError(_UNKNOWN, "invalid capture index"))
		}
		// A capture still open: recursiveVM slices src backwards here (a
		// Go runtime error).
		if m.Capture(idx+1) < m.Capture(idx) {
			panic(newError(_UNKNOWN, "invalid capture index"))
		}
		if m.IsPosCapture(idx) { // fails, as in recursiveVM (patch 22)
			return false, sp, m
		}
		capture := src[m.Capture(idx):m.Capture(idx+1)]
		for i := 0; i < len(capture); i++ {
			if i+sp >= len(src) {
				s.touched = true
				return false, sp, m
			}
			if capture[i] != src[i+sp] {
				return false, sp, m
			}
		}
		pc++
		sp += len(capture)
		goto redo
	}
	panic("should not reach here")
}

// greedy matches "c*" or "c+" at (pc, sp) as opMaxExpand does: the rest of
// the pattern after the longest run first. What an earlier search of a
// shorter subject learned spares counting the run again and trying again
// the lengths whose rest failed before the end.
func (s *Stream) greedy(pc, sp, recLevel int, m *MatchData) (bool, int, *MatchData) {
	src, inst := s.src, s.insts[pc]
	old, known := s.memo(pc, sp)
	if known && old.srcLen == len(src) { // failed already in this search
		if len(old.met) > 0 || !old.closed {
			s.touched = true
		}
		return false, sp, m
	}
	n, tried := 0, -1 // lengths above tried are new
	if known {
		n, tried = old.n, old.n
	}
	closed := known && old.closed
	for !closed {
		if sp+n >= len(src) {
			s.touched = true
			break
		}
		if !inst.Class.Matches(int(src[sp+n])) {
			closed = true
			break
		}
		s.mt.step()
		n++
	}
	if n < inst.Operand1 {
		if known || !closed { // remember a short run that met the end
			s.remember(pc, sp, runMemo{srcLen: len(src), n: n, closed: closed})
		}
		return false, sp, m
	}
	var met []int
	try := func(k int) bool {
		s.mt.step()
		ok, hit := s.sub(pc+1, sp+k, recLevel, m)
		if !ok && hit {
			met = append(met, k)
		}
		return ok
	}
	for k := n; k > tried && k >= inst.Operand1; k-- {
		if try(k) {
			return true, sp, m
		}
	}
	if known {
		for _, k := range old.met {
			if try(k) {
				return true, sp, m
			}
		}
	}
	s.remember(pc, sp, runMemo{srcLen: len(src), n: n, closed: closed, met: met})
	return false, sp, m
}

// lazy matches "c-" at (pc, sp) (the split loop compiled for it): the rest
// of the pattern after the shortest run first, one more c at a time.
func (s *Stream) lazy(pc, sp, recLevel int, m *MatchData) (bool, int, *MatchData) {
	src, class := s.src, s.insts[pc+1].Class
	old, known := s.memo(pc, sp)
	if known && old.srcLen == len(src) {
		if len(old.met) > 0 || !old.closed {
			s.touched = true
		}
		return false, sp, m
	}
	var met []int
	try := func(at int) bool {
		ok, hit := s.sub(pc+3, at, recLevel, m)
		if !ok && hit {
			met = append(met, at)
		}
		return ok
	}
	at := sp
	if known {
		for _, p := range old.met {
			s.mt.step()
			if try(p) {
				return true, sp, m
			}
		}
		at = old.n // its rest was tried; the class there is not
		if old.closed {
			s.remember(pc, sp, runMemo{srcLen: len(src), n: at, closed: true, met: met})
			return false, sp, m
		}
	} else {
		s.mt.step()
		if try(at) {
			return true, sp, m
		}
	}
	closed := false
	for {
		// The split, the class and the jump: steps as recursiveVM takes.
		s.mt.step()
		if at >= len(src) {
			s.touched = true
			break
		}
		if !class.Matches(int(src[at])) {
			closed = true
			break
		}
		at++
		s.mt.step()
		s.mt.step()
		if try(at) {
			return true, sp, m
		}
	}
	s.remember(pc, sp, runMemo{srcLen: len(src), n: at, closed: closed, met: met})
	return false, sp, m
}
