package parse

// gonetrepl patch: a limit on nesting, as Lua 5.1's "chunk has too many
// syntax levels".
//
// The parser is goyacc's, table-driven: it does not recurse, but its stack
// holds one entry (about 250 bytes) per open construct, and the compiler
// then recurses over the tree it builds. A chunk nested a million levels
// deep ("((((...", "do do do ...") took gigabytes and then a fatal Go stack
// overflow in the compiler. Lua 5.1 allows LUAI_MAXCCALLS (200) levels;
// the deepest construct, a numeric for, takes 8 entries of the stack a
// level, so MaxParseStack lets any construct nest at least 250 deep (and
// parentheses about 2000 deep).

// MaxParseStack is the depth of the parser's stack past which a chunk is
// refused with "chunk has too many syntax levels". The check is in the
// generated parser.go (after "yyp++" in yystack): goyacc's template has no
// hook for it, so it must be put back when parser.go is regenerated.
const MaxParseStack = 2000
