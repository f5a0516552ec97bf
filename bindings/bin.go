package bindings

// The bin module (hex, unhex, hexdump, b64, unb64) and Lua 5.3's
// string.pack, string.unpack and string.packsize, which gopher-lua (Lua
// 5.1) lacks. (Issue 5: to be filled in.)

const binSummary = "binary data: hex, hexdump, base64"

const stringPackSummary = "Lua 5.3's binary packing, added to the string library: pack, unpack, packsize"

var binFuncs = []binding{}

// stringPackFuncs are added to Lua's string table.
var stringPackFuncs = []binding{}
