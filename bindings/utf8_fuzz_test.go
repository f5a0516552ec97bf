package bindings

import (
	"sync"
	"testing"
	"unicode/utf8"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// FuzzUTF8 checks the utf8 library's decoder against Go's (which differs
// from Lua 5.3's only in refusing surrogates), and the Lua functions
// against the decoder: utf8.len counts what utf8.codes iterates, or names
// the first invalid byte; utf8.offset finds each character where codes
// found it; utf8.char of each code point gives its bytes back. No input
// may panic.
func FuzzUTF8(f *testing.F) {
	for _, s := range utf8Strings() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := string(b)
		// The decoder against Go's, at every byte.
		var starts []int
		var codes []uint32
		valid := true
		for i := 0; i < len(s); i++ {
			code, next, ok := utf8Decode(s, i)
			wantCode, wantSize, wantOK := goDecodeLua53(s, i)
			if ok != wantOK || ok && (code != wantCode || next != i+wantSize) {
				t.Fatalf("%q at %d: decoded %#x, %d, %v; want %#x, %d, %v", s, i, code, next, ok, wantCode, i+wantSize, wantOK)
			}
			if ok {
				if enc := string(utf8Encode(nil, code)); enc != s[i:next] {
					t.Fatalf("%q at %d: %#x encodes as %q", s, i, code, enc)
				}
			}
		}
		for i := 0; i < len(s) && valid; {
			code, next, ok := utf8Decode(s, i)
			if !ok {
				valid = false
				break
			}
			starts, codes = append(starts, i), append(codes, code)
			i = next
		}
		n, bad, ok := utf8Count(s, 0, len(s), nil)
		if ok != valid || ok && n != len(starts) {
			t.Fatalf("%q: utf8Count %d, %d, %v; decoding found %d characters, valid %v", s, n, bad, ok, len(starts), valid)
		}

		// The Lua functions, on a runtime shared by the fuzz inputs.
		rt := fuzzRuntime()
		rt.gil.Lock()
		defer rt.gil.Unlock()
		L := rt.L
		call := func(fn string, nret int, args ...lua.LValue) ([]lua.LValue, error) {
			top := L.GetTop()
			err := L.CallByParam(lua.P{Fn: L.GetField(L.GetGlobal("utf8"), fn), NRet: nret, Protect: true}, args...)
			if err != nil {
				L.SetTop(top)
				return nil, err
			}
			out := make([]lua.LValue, nret)
			for i := range out {
				out[i] = L.Get(top + 1 + i)
			}
			L.SetTop(top)
			return out, nil
		}
		ls := lua.LString(s)
		got, err := call("len", 2, ls)
		if err != nil {
			t.Fatalf("%q: utf8.len raised %v", s, err)
		}
		if valid {
			if got[0] != lua.LNumber(len(starts)) {
				t.Fatalf("%q: utf8.len = %v, want %d", s, got[0], len(starts))
			}
			for k, start := range starts {
				pos, err := call("offset", 1, ls, lua.LNumber(k+1))
				if err != nil || pos[0] != lua.LNumber(start+1) {
					t.Fatalf("%q: utf8.offset(s, %d) = %v, %v; want %d", s, k+1, pos, err, start+1)
				}
				ch, err := call("char", 1, lua.LNumber(codes[k]))
				if err != nil || ch[0] != lua.LString(s[start:start+len(utf8Encode(nil, codes[k]))]) {
					t.Fatalf("%q: utf8.char(%#x) = %v, %v", s, codes[k], ch, err)
				}
			}
		} else if got[0] != lua.LNil || got[1] != lua.LNumber(bad+1) {
			t.Fatalf("%q: utf8.len = %v, %v; want nil, %d", s, got[0], got[1], bad+1)
		}
		// Every position, every direction: results or Lua errors only.
		for i := -len(s) - 1; i <= len(s)+1; i++ {
			for _, k := range []int{-2, -1, 0, 1, 2} {
				call("offset", 1, ls, lua.LNumber(k), lua.LNumber(i))
			}
			call("codepoint", 1, ls, lua.LNumber(i), lua.LNumber(-1))
			call("len", 2, ls, lua.LNumber(i))
		}
	})
}

// goDecodeLua53 decodes the sequence at s[i] with Go's decoder, taking
// surrogates as Lua 5.3 does (Go refuses them).
func goDecodeLua53(s string, i int) (code uint32, size int, ok bool) {
	r, size := utf8.DecodeRuneInString(s[i:])
	if r != utf8.RuneError || size > 1 {
		return uint32(r), size, true
	}
	if i+2 < len(s) && s[i] == 0xED && s[i+1]&0xE0 == 0xA0 && s[i+2]&0xC0 == 0x80 {
		return 0xD000 | uint32(s[i+1]&0x3F)<<6 | uint32(s[i+2]&0x3F), 3, true
	}
	return 0, 0, false
}

var (
	fuzzRTOnce sync.Once
	fuzzRT     *Runtime
)

// fuzzRuntime is one runtime for all the inputs of a fuzz process: making
// one per input would cost more than the checks.
func fuzzRuntime() *Runtime {
	fuzzRTOnce.Do(func() { fuzzRT = New(Options{Stdout: &syncBuffer{}, Stderr: &syncBuffer{}}) })
	return fuzzRT
}
