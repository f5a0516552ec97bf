package parse

import "strconv"

// gonetrepl patch (Syntax error messages): the lexer of the syntax
// checker, a port of Lua 5.1's llex.c. It exists only to word errors as
// lua5.1 does: its tokens are Lua 5.1's, its buffer holds a token's text
// as llex's does ("near '\"abc'" for an unfinished string), and its line
// counts newlines as llex's linenumber does. See check.go.

// Tokens past the single bytes, in the order of llex.c's luaX_tokens so
// that token2str can index checkTokenNames.
const (
	tkAnd = 257 + iota
	tkBreak
	tkDo
	tkElse
	tkElseif
	tkEnd
	tkFalse
	tkFor
	tkFunction
	tkIf
	tkIn
	tkLocal
	tkNil
	tkNot
	tkOr
	tkRepeat
	tkReturn
	tkThen
	tkTrue
	tkUntil
	tkWhile
	tkConcat
	tkDots
	tkEq
	tkGe
	tkLe
	tkNe
	tkNumber
	tkName
	tkString
	tkEOS
	// gopher-lua's Lua 5.2 additions, which Lua 5.1 does not have: goto
	// is a reserved word and "::" a token there, so the checker takes
	// them as gopher-lua's parser does.
	tkGoto
	tkDbColon
)

var checkTokenNames = [...]string{
	"and", "break", "do", "else", "elseif",
	"end", "false", "for", "function", "if",
	"in", "local", "nil", "not", "or", "repeat",
	"return", "then", "true", "until", "while",
	"..", "...", "==", ">=", "<=", "~=",
	"<number>", "<name>", "<string>", "<eof>",
	"goto", "::",
}

var checkReserved = func() map[string]int {
	m := map[string]int{"goto": tkGoto}
	for t := tkAnd; t <= tkWhile; t++ {
		m[checkTokenNames[t-tkAnd]] = t
	}
	return m
}()

const eoz = -1

// checkError is a syntax error in lua5.1's words: Msg is what follows
// "chunkname:line: ".
type checkError struct {
	Line int
	Msg  string
}

// checkLexer scans src as llex.c does.
type checkLexer struct {
	src     []byte
	pos     int // index of the byte after current
	current int // the byte under the cursor, or eoz
	line    int // llex's linenumber
	buf     []byte
}

func newCheckLexer(src []byte) *checkLexer {
	lx := &checkLexer{src: src, line: 1}
	lx.next()
	return lx
}

func (lx *checkLexer) next() {
	if lx.pos < len(lx.src) {
		lx.current = int(lx.src[lx.pos])
		lx.pos++
	} else {
		lx.current = eoz
	}
}

func (lx *checkLexer) save(c int) { lx.buf = append(lx.buf, byte(c)) }

func (lx *checkLexer) saveAndNext() {
	lx.save(lx.current)
	lx.next()
}

func (lx *checkLexer) currIsNewline() bool { return lx.current == '\n' || lx.current == '\r' }

func (lx *checkLexer) inclinenumber() {
	old := lx.current
	lx.next() // skip '\n' or '\r'
	if lx.currIsNewline() && lx.current != old {
		lx.next() // skip "\n\r" or "\r\n"
	}
	lx.line++
}

// checkNext saves and skips the current byte when it is one of set.
func (lx *checkLexer) checkNext(set string) bool {
	for i := 0; i < len(set); i++ {
		if lx.current == int(set[i]) {
			lx.saveAndNext()
			return true
		}
	}
	return false
}

// token2str is llex.c's luaX_token2str.
func token2str(tok int) string {
	if tok < tkAnd {
		if tok < 32 || tok == 127 { // iscntrl in the C locale
			return "char(" + strconv.Itoa(tok) + ")"
		}
		return string([]byte{byte(tok)})
	}
	return checkTokenNames[tok-tkAnd]
}

// txtToken is llex.c's txtToken: a name, string or number shows the
// buffer (the text scanned last), anything else its spelling. C reads the
// buffer up to its first NUL, so that ends the text here too.
func (lx *checkLexer) txtToken(tok int) string {
	switch tok {
	case tkName, tkString, tkNumber:
		b := lx.buf
		for i, c := range b {
			if c == 0 {
				b = b[:i]
				break
			}
		}
		return string(b)
	}
	return token2str(tok)
}

// lexError is luaX_lexerror: the message, and "near" the token unless
// tok is 0.
func (lx *checkLexer) lexError(msg string, tok int) {
	if tok != 0 {
		msg += " near '" + lx.txtToken(tok) + "'"
	}
	panic(&checkError{Line: lx.line, Msg: msg})
}

func isCheckDigit(c int) bool { return '0' <= c && c <= '9' }

func isCheckAlpha(c int) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isCheckAlnum(c int) bool { return isCheckAlpha(c) || isCheckDigit(c) }

func isCheckSpace(c int) bool { return c == ' ' || '\t' <= c && c <= '\r' }

// skipSep is llex.c's skip_sep: the count of '=' of a long bracket, or
// -count-1 when it is not one.
func (lx *checkLexer) skipSep() int {
	count := 0
	s := lx.current
	lx.saveAndNext()
	for lx.current == '=' {
		lx.saveAndNext()
		count++
	}
	if lx.current == s {
		return count
	}
	return -count - 1
}

// readLongString reads a long string (str) or long comment up to its
// closing bracket, with Lua 5.1's LUA_COMPAT_LSTR 1 (a nested "[[" is an
// error), as Debian's lua5.1 is built.
func (lx *checkLexer) readLongString(str bool, sep int) {
	lx.saveAndNext() // skip the 2nd '['
	if lx.currIsNewline() {
		lx.inclinenumber()
	}
	for {
		switch lx.current {
		case eoz:
			if str {
				lx.lexError("unfinished long string", tkEOS)
			}
			lx.lexError("unfinished long comment", tkEOS)
		case '[':
			if lx.skipSep() == sep {
				lx.saveAndNext()
				if sep == 0 {
					lx.lexError("nesting of [[...]] is deprecated", '[')
				}
			}
		case ']':
			if lx.skipSep() == sep {
				lx.saveAndNext()
				return
			}
		case '\n', '\r':
			lx.save('\n')
			lx.inclinenumber()
			if !str {
				lx.buf = lx.buf[:0]
			}
		default:
			if str {
				lx.saveAndNext()
			} else {
				lx.next()
			}
		}
	}
}

func (lx *checkLexer) readString(del int) {
	lx.saveAndNext()
	for lx.current != del {
		switch lx.current {
		case eoz:
			lx.lexError("unfinished string", tkEOS)
		case '\n', '\r':
			lx.lexError("unfinished string", tkString)
		case '\\':
			lx.next() // the '\' is not saved
			var c int
			switch lx.current {
			case 'a':
				c = '\a'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'v':
				c = '\v'
			case '\n', '\r':
				lx.save('\n')
				lx.inclinenumber()
				continue
			case eoz:
				continue // the loop reports it
			default:
				if !isCheckDigit(lx.current) {
					lx.saveAndNext() // \\, \", \' and any other
					continue
				}
				c = 0
				for i := 0; i < 3 && isCheckDigit(lx.current); i++ {
					c = 10*c + lx.current - '0'
					lx.next()
				}
				if c > 255 {
					lx.lexError("escape sequence too large", tkString)
				}
				lx.save(c)
				continue
			}
			lx.save(c)
			lx.next()
		default:
			lx.saveAndNext()
		}
	}
	lx.saveAndNext() // the closing delimiter
}

func (lx *checkLexer) readNumeral() {
	for {
		lx.saveAndNext()
		if !isCheckDigit(lx.current) && lx.current != '.' {
			break
		}
	}
	if lx.checkNext("Ee") {
		lx.checkNext("+-")
	}
	for isCheckAlnum(lx.current) || lx.current == '_' {
		lx.saveAndNext()
	}
	if !luaNumber(lx.buf) {
		lx.lexError("malformed number", tkNumber)
	}
}

// luaNumber reports whether Lua 5.1 on glibc converts s whole: strtod
// (decimal, or hexadecimal with an optional binary exponent), else
// strtoul in base 16.
func luaNumber(s []byte) bool {
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		i := 2
		for i < len(s) && (isCheckDigit(int(s[i])) || 'a' <= s[i]|0x20 && s[i]|0x20 <= 'f') {
			i++
		}
		if i == 2 {
			return false
		}
		if i < len(s) && s[i]|0x20 == 'p' {
			return digitsOnly(s[i+1:])
		}
		return i == len(s)
	}
	i, digits := 0, 0
	for i < len(s) && isCheckDigit(int(s[i])) {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isCheckDigit(int(s[i])) {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && s[i]|0x20 == 'e' {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		return digitsOnly(s[i:])
	}
	return i == len(s)
}

func digitsOnly(s []byte) bool {
	for _, c := range s {
		if !isCheckDigit(int(c)) {
			return false
		}
	}
	return len(s) > 0
}

// llex scans the next token; a name, string or number leaves its text in
// buf.
func (lx *checkLexer) llex() int {
	lx.buf = lx.buf[:0]
	for {
		switch c := lx.current; c {
		case '\n', '\r':
			lx.inclinenumber()
		case '-':
			lx.next()
			if lx.current != '-' {
				return '-'
			}
			lx.next()
			if lx.current == '[' {
				sep := lx.skipSep()
				lx.buf = lx.buf[:0]
				if sep >= 0 {
					lx.readLongString(false, sep)
					lx.buf = lx.buf[:0]
					continue
				}
			}
			for !lx.currIsNewline() && lx.current != eoz {
				lx.next()
			}
		case '[':
			sep := lx.skipSep()
			if sep >= 0 {
				lx.readLongString(true, sep)
				return tkString
			} else if sep == -1 {
				return '['
			}
			lx.lexError("invalid long string delimiter", tkString)
		case '=':
			lx.next()
			if lx.current != '=' {
				return '='
			}
			lx.next()
			return tkEq
		case '<':
			lx.next()
			if lx.current != '=' {
				return '<'
			}
			lx.next()
			return tkLe
		case '>':
			lx.next()
			if lx.current != '=' {
				return '>'
			}
			lx.next()
			return tkGe
		case '~':
			lx.next()
			if lx.current != '=' {
				return '~'
			}
			lx.next()
			return tkNe
		case ':':
			lx.next()
			if lx.current != ':' {
				return ':'
			}
			lx.next()
			return tkDbColon
		case '"', '\'':
			lx.readString(c)
			return tkString
		case '.':
			lx.saveAndNext()
			if lx.checkNext(".") {
				if lx.checkNext(".") {
					return tkDots
				}
				return tkConcat
			}
			if !isCheckDigit(lx.current) {
				return '.'
			}
			lx.readNumeral()
			return tkNumber
		case eoz:
			return tkEOS
		default:
			switch {
			case isCheckSpace(c):
				lx.next()
			case isCheckDigit(c):
				lx.readNumeral()
				return tkNumber
			case isCheckAlpha(c) || c == '_':
				for isCheckAlnum(lx.current) || lx.current == '_' {
					lx.saveAndNext()
				}
				if t, ok := checkReserved[string(lx.buf)]; ok {
					return t
				}
				return tkName
			default:
				lx.next()
				return c // a single-byte token
			}
		}
	}
}
