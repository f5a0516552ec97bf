package parse

import "strconv"

// gonetrepl patch (Syntax error messages): a syntax checker that words
// errors as Lua 5.1 does.
//
// gopher-lua's parser is goyacc's: when it fails it knows only "syntax
// error" and where. Lua 5.1's recursive-descent parser (lparser.c) says
// what it expected and, for a construct left open, where it opened:
// "')' expected (to close '(' at line 1) near '<eof>'". So when the yacc
// parser fails, Parse runs this checker over the same source; it mirrors
// lparser.c and llex.c (check_lex.go) and stops at the first error, with
// lua5.1's message and line. The yacc parser still builds the tree; when
// the checker finds no error, the yacc parser's message stands.
//
// The checker accepts the language gopher-lua's parser accepts (goto and
// labels, a parenthesized call as a statement, stray ';', repeated field
// separators in a table), so it does not report what is no error here.
// Where Lua 5.1 is stricter than gopher-lua, it words the error as Lua 5.1
// does although gopher-lua's parser would not stop there (checkerStricter
// in check_test.go lists these for FuzzSyntaxMessage): a malformed number
// ("3x"), a decimal escape over 255, a nested "[[", a call's '(' on a new
// line, "break" outside a loop and "..." outside a vararg function (the
// last two gopher-lua's compiler refuses).
//
// It is bounded: it reads each byte once (one token of lookahead, no
// backtracking; expressions in a loop, not by precedence recursion), and
// it nests at most maxCheckLevels deep, so a deep chunk cannot exhaust the
// Go stack ("chunk has too many syntax levels"), yet never refuses a depth
// the yacc parser's stack takes.

// maxCheckLevels bounds the checker's recursion: a block, a parenthesis,
// a table, a call's arguments and a function body each take a level, and
// the yacc parser at least one entry of its stack for each.
const maxCheckLevels = MaxParseStack

// Expression kinds, as far as statements need them.
const (
	expOther = iota
	expVar   // a name or an indexed value: assignable
	expCall  // a call, or gopher-lua's parenthesized call
)

type checker struct {
	lx       *checkLexer
	tok      int // the current token
	ahead    int // the lookahead token, or tkEOS when there is none
	lastline int // the line of the last token consumed
	level    int
	fn       *checkFunc
}

// checkFunc is what the checker tracks of a function being read.
type checkFunc struct {
	vararg bool
	loops  int // enclosing loops, for "no loop to break"
	parent *checkFunc
}

// checkSyntax reads src as Lua 5.1's parser would and returns its first
// syntax error, or nil.
func checkSyntax(src []byte) (err *checkError) {
	defer func() {
		if r := recover(); r != nil {
			ce, ok := r.(*checkError)
			if !ok {
				panic(r)
			}
			err = ce
		}
	}()
	p := &checker{lx: newCheckLexer(src), ahead: tkEOS, fn: &checkFunc{vararg: true}}
	p.next()
	p.chunk()
	p.check(tkEOS)
	return nil
}

func (p *checker) next() {
	p.lastline = p.lx.line
	if p.ahead != tkEOS {
		p.tok, p.ahead = p.ahead, tkEOS
	} else {
		p.tok = p.lx.llex()
	}
}

func (p *checker) lookahead() { p.ahead = p.lx.llex() }

// syntaxError is luaX_syntaxerror: msg near the current token.
func (p *checker) syntaxError(msg string) { p.lx.lexError(msg, p.tok) }

func (p *checker) errorExpected(tok int) { p.syntaxError("'" + token2str(tok) + "' expected") }

func (p *checker) check(tok int) {
	if p.tok != tok {
		p.errorExpected(tok)
	}
}

func (p *checker) checkNext(tok int) {
	p.check(tok)
	p.next()
}

func (p *checker) testNext(tok int) bool {
	if p.tok == tok {
		p.next()
		return true
	}
	return false
}

// checkMatch expects what to close who, opened at line where.
func (p *checker) checkMatch(what, who, where int) {
	if p.testNext(what) {
		return
	}
	if where == p.lx.line {
		p.errorExpected(what)
	}
	p.syntaxError("'" + token2str(what) + "' expected (to close '" + token2str(who) + "' at line " + strconv.Itoa(where) + ")")
}

func (p *checker) checkName() {
	p.check(tkName)
	p.next()
}

func (p *checker) enterLevel() {
	p.level++
	if p.level > maxCheckLevels {
		p.lx.lexError("chunk has too many syntax levels", 0)
	}
}

func (p *checker) leaveLevel() { p.level-- }

func blockFollow(tok int) bool {
	switch tok {
	case tkElse, tkElseif, tkEnd, tkUntil, tkEOS:
		return true
	}
	return false
}

// chunk -> { stat [';'] }
func (p *checker) chunk() {
	p.enterLevel()
	for last := false; !last && !blockFollow(p.tok); {
		if p.tok == ';' { // gopher-lua takes empty statements
			p.next()
			continue
		}
		last = p.statement()
		p.testNext(';')
	}
	p.leaveLevel()
}

func (p *checker) loopBlock() {
	p.fn.loops++
	p.chunk()
	p.fn.loops--
}

// statement reads one statement and reports whether it must be the last
// of its block (return, break).
func (p *checker) statement() bool {
	line := p.lx.line
	switch p.tok {
	case tkIf:
		p.ifStat(line)
	case tkWhile:
		p.next()
		p.expr()
		p.checkNext(tkDo)
		p.loopBlock()
		p.checkMatch(tkEnd, tkWhile, line)
	case tkDo:
		p.next()
		p.chunk()
		p.checkMatch(tkEnd, tkDo, line)
	case tkFor:
		p.forStat(line)
	case tkRepeat:
		p.next()
		p.loopBlock()
		p.checkMatch(tkUntil, tkRepeat, line)
		p.expr()
	case tkFunction:
		p.next()
		p.checkName() // funcname -> NAME {'.' NAME} [':' NAME]
		for p.tok == '.' {
			p.next()
			p.checkName()
		}
		if p.tok == ':' {
			p.next()
			p.checkName()
		}
		p.body(line)
	case tkLocal:
		p.next()
		if p.testNext(tkFunction) {
			p.checkName()
			p.body(p.lx.line)
		} else {
			p.localStat()
		}
	case tkReturn:
		p.next()
		if !blockFollow(p.tok) && p.tok != ';' {
			p.exprList()
		}
		return true
	case tkBreak:
		p.next()
		if p.fn.loops == 0 {
			p.syntaxError("no loop to break")
		}
		return true
	case tkGoto: // gopher-lua: goto NAME
		p.next()
		p.checkName()
	case tkDbColon: // gopher-lua: '::' NAME '::'
		p.next()
		p.checkName()
		p.checkNext(tkDbColon)
	default:
		p.exprStat()
	}
	return false
}

// ifStat -> IF cond THEN block {ELSEIF cond THEN block} [ELSE block] END
func (p *checker) ifStat(line int) {
	p.testThenBlock()
	for p.tok == tkElseif {
		p.testThenBlock()
	}
	if p.tok == tkElse {
		p.next()
		p.chunk()
	}
	p.checkMatch(tkEnd, tkIf, line)
}

func (p *checker) testThenBlock() {
	p.next() // IF or ELSEIF
	p.expr()
	p.checkNext(tkThen)
	p.chunk()
}

func (p *checker) forStat(line int) {
	p.next()
	p.checkName()
	switch p.tok {
	case '=': // fornum -> NAME = exp1, exp1 [, exp1] forbody
		p.next()
		p.expr()
		p.checkNext(',')
		p.expr()
		if p.testNext(',') {
			p.expr()
		}
	case ',', tkIn: // forlist -> NAME {, NAME} IN explist1 forbody
		for p.testNext(',') {
			p.checkName()
		}
		p.checkNext(tkIn)
		p.exprList()
	default:
		p.syntaxError("'=' or 'in' expected")
	}
	p.checkNext(tkDo)
	p.loopBlock()
	p.checkMatch(tkEnd, tkFor, line)
}

func (p *checker) localStat() {
	p.checkName()
	for p.testNext(',') {
		p.checkName()
	}
	if p.testNext('=') {
		p.exprList()
	}
}

// exprStat -> call | assignment. Each target of an assignment must be a
// name or an indexed value (lparser.c's check_condition in assignment).
func (p *checker) exprStat() {
	kind := p.primaryExp()
	if kind == expCall {
		return
	}
	for {
		if kind != expVar {
			p.syntaxError("syntax error")
		}
		if !p.testNext(',') {
			break
		}
		kind = p.primaryExp()
	}
	p.checkNext('=')
	p.exprList()
}

// body -> '(' parlist ')' chunk END, opened at line.
func (p *checker) body(line int) {
	p.enterLevel()
	p.checkNext('(')
	fn := &checkFunc{parent: p.fn}
	p.fn = fn
	if p.tok != ')' {
		for {
			switch p.tok {
			case tkName:
				p.next()
			case tkDots:
				p.next()
				fn.vararg = true
			default:
				p.syntaxError("<name> or '...' expected")
			}
			if fn.vararg || !p.testNext(',') {
				break
			}
		}
	}
	p.checkNext(')')
	p.chunk()
	p.checkMatch(tkEnd, tkFunction, line)
	p.fn = fn.parent
	p.leaveLevel()
}

func (p *checker) exprList() {
	p.expr()
	for p.testNext(',') {
		p.expr()
	}
}

// expr -> {unop} simpleexp {binop {unop} simpleexp}, read in a loop: the
// checker needs no precedence, and a chain of operators costs no stack.
// The kind is the operand's when there is no operator.
func (p *checker) expr() int {
	kind, ops := expOther, 0
	for {
		for p.tok == tkNot || p.tok == '-' || p.tok == '#' {
			p.next()
			ops++
		}
		kind = p.simpleExp()
		if !isBinop(p.tok) {
			break
		}
		p.next()
		ops++
	}
	if ops > 0 {
		return expOther
	}
	return kind
}

func isBinop(tok int) bool {
	switch tok {
	case '+', '-', '*', '/', '%', '^', tkConcat, tkNe, tkEq, '<', tkLe, '>', tkGe, tkAnd, tkOr:
		return true
	}
	return false
}

// simpleexp -> NUMBER | STRING | NIL | true | false | ... | constructor
// | FUNCTION body | primaryexp
func (p *checker) simpleExp() int {
	switch p.tok {
	case tkNumber, tkString, tkNil, tkTrue, tkFalse:
		p.next()
	case tkDots:
		if !p.fn.vararg {
			p.syntaxError("cannot use '...' outside a vararg function")
		}
		p.next()
	case '{':
		p.constructor()
	case tkFunction:
		p.next()
		p.body(p.lx.line)
	default:
		return p.primaryExp()
	}
	return expOther
}

// prefixexp -> NAME | '(' expr ')'
func (p *checker) prefixExp() int {
	switch p.tok {
	case '(':
		line := p.lx.line
		p.enterLevel()
		p.next()
		kind := p.expr()
		p.checkMatch(')', '(', line)
		p.leaveLevel()
		if kind == expCall {
			return expCall // gopher-lua: "(f())" is still a call
		}
		return expOther
	case tkName:
		p.next()
		return expVar
	}
	p.syntaxError("unexpected symbol")
	return expOther
}

// primaryexp -> prefixexp { '.' NAME | '[' exp ']' | ':' NAME funcargs
// | funcargs }
func (p *checker) primaryExp() int {
	kind := p.prefixExp()
	for {
		switch p.tok {
		case '.':
			p.next()
			p.checkName()
			kind = expVar
		case '[':
			p.next()
			p.expr()
			p.checkNext(']')
			kind = expVar
		case ':':
			p.next()
			p.checkName()
			p.funcArgs()
			kind = expCall
		case '(', tkString, '{':
			p.funcArgs()
			kind = expCall
		default:
			return kind
		}
	}
}

func (p *checker) funcArgs() {
	line := p.lx.line
	switch p.tok {
	case '(':
		if line != p.lastline {
			p.syntaxError("ambiguous syntax (function call x new statement)")
		}
		p.enterLevel()
		p.next()
		if p.tok != ')' {
			p.exprList()
		}
		p.checkMatch(')', '(', line)
		p.leaveLevel()
	case '{':
		p.constructor()
	case tkString:
		p.next()
	default:
		p.syntaxError("function arguments expected")
	}
}

// constructor -> '{' [ field { fieldsep field } [fieldsep] ] '}'
func (p *checker) constructor() {
	line := p.lx.line
	p.enterLevel()
	p.checkNext('{')
	for p.tok != '}' {
		switch p.tok {
		case tkName:
			p.lookahead()
			if p.ahead != '=' {
				p.expr()
			} else {
				p.next()
				p.checkNext('=')
				p.expr()
			}
		case '[':
			p.next()
			p.expr()
			p.checkNext(']')
			p.checkNext('=')
			p.expr()
		default:
			p.expr()
		}
		if p.tok != ',' && p.tok != ';' {
			break
		}
		for p.tok == ',' || p.tok == ';' { // gopher-lua takes "1,,2"
			p.next()
		}
	}
	p.checkMatch('}', '{', line)
	p.leaveLevel()
}
