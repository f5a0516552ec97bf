-- The bin module: hex, unhex, hexdump, b64, unb64. (bin.hexdump is compared
-- byte for byte with hexdump -C in pack_test.go; string.pack with lua5.3.)

local function all_bytes()
  local t = {}
  for i = 0, 255 do t[#t + 1] = string.char(i) end
  return table.concat(t)
end

function TestHex(t)
  assert(bin.hex("") == "")
  assert(bin.hex("\r\n") == "0d0a")
  assert(bin.hex("\0\127\128\255") == "007f80ff")
  local all = all_bytes()
  local h = bin.hex(all)
  assert(#h == 512 and h:sub(1, 8) == "00010203" and h:sub(-4) == "feff", h)
  assert(not h:find("[A-F]"), "hex is lowercase")
  assert(bin.hex(12) == "3132", "numbers are strings, as in Lua's string functions")
end

function TestUnhexRoundTrip(t)
  local all = all_bytes()
  assert(bin.unhex(bin.hex(all)) == all)
  assert(bin.unhex("") == "")
  assert(bin.unhex("DEADbeef") == "\222\173\190\239", "either case")
  -- Whitespace anywhere is ignored, so pasted dumps decode.
  assert(bin.unhex(" de ad\tbe\r\nef\n") == "\222\173\190\239")
  assert(bin.unhex("d e a d") == "\222\173")
  assert(bin.unhex("   ") == "")
end

function TestUnhexErrors(t)
  local cases = {
    {"abc", "odd number of hex digits"},
    {"a", "odd number of hex digits"},
    {"zz", "invalid hex character 'z' at byte 1"},
    {"00 1g", "invalid hex character 'g' at byte 5"},
    {"0x41", "invalid hex character 'x' at byte 2"},
    {"de:ad", "invalid hex character ':' at byte 3"},
    {"41\0", "invalid hex character '\\x00' at byte 3"},
  }
  for _, c in ipairs(cases) do
    local s, err = bin.unhex(c[1])
    assert(s == nil and err ~= nil, c[1])
    assert(err.kind == "other" and err.op == "unhex", tostring(err))
    assert(tostring(err) == "unhex: " .. c[2], tostring(err))
  end
  -- A wrong type is a bad argument, not nil, err.
  local ok, err = pcall(bin.unhex, {})
  assert(not ok and err:find("bad argument #1", 1, true) and err:find("hex: string expected, got table", 1, true), err)
end

function TestB64(t)
  -- RFC 4648's test vectors.
  local vectors = {
    {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  }
  for _, v in ipairs(vectors) do
    assert(bin.b64(v[1]) == v[2], v[1])
    assert(bin.unb64(v[2]) == v[1], v[2])
  end
  -- The standard alphabet: + and /, not - and _.
  assert(bin.b64("\251\255\191") == "+/+/")
  local all = all_bytes()
  assert(bin.unb64(bin.b64(all)) == all)
  for n = 0, 40 do
    local s = all:sub(100, 100 + n)
    assert(bin.unb64(bin.b64(s)) == s, n)
  end
  -- Line breaks, as in PEM or MIME bodies, are ignored.
  assert(bin.unb64("Zm9v\r\nYmFy\n") == "foobar")
end

function TestUnb64Errors(t)
  local bad = {
    "Zg",      -- padding missing
    "Zg=",     -- padding short
    "Zm9v!",   -- not in the alphabet
    "Zm9v-_",  -- the URL alphabet
    "Zg==Zg==", -- data after padding
    "Z",
    "Zm 9v",   -- spaces are not ignored
  }
  for _, s in ipairs(bad) do
    local r, err = bin.unb64(s)
    assert(r == nil and err ~= nil, s)
    assert(err.kind == "other" and err.op == "unb64", tostring(err))
    assert(tostring(err):find("^unb64: illegal base64 data at input byte %d+$"), tostring(err))
  end
end

function TestHexdump(t)
  assert(bin.hexdump("") == "", "hexdump -C prints nothing for no input")
  assert(bin.hexdump("a") ==
    "00000000  61                                                |a|\n" ..
    "00000001\n")
  local line = "0123456789abcdef"
  assert(bin.hexdump(line:rep(3) .. "!") ==
    "00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|\n" ..
    "*\n" ..
    "00000030  21                                                |!|\n" ..
    "00000031\n")
  assert(bin.hexdump("\0\31 ~\127\128\255") ==
    "00000000  00 1f 20 7e 7f 80 ff                              |.. ~...|\n" ..
    "00000007\n")
end

function TestPackRoundTrip(t)
  local fmt = "<!4 b B h H i6 I5 j J f d s1 z c4 x Xi4 i16"
  local values = {-128, 255, -32768, 65535, -8388608, 2^40 - 1, -2^53, 2^53, 0.5, 1 / 3, "hi", "zero", "abcd", -2}
  local s = string.pack(fmt, unpack(values))
  assert(#s > string.packsize("<!4 b B h H i6 I5 j J f d"))
  local got = {string.unpack(fmt, s)}
  for i, v in ipairs(values) do
    assert(got[i] == v, i .. ": " .. tostring(got[i]) .. " ~= " .. tostring(v))
  end
  assert(got[#values + 1] == #s + 1, "next position")
  -- A frame: big-endian length, then the body; unpack from a position.
  local frames = string.pack(">s2", "one") .. string.pack(">s2", "two")
  local a, next = string.unpack(">s2", frames)
  local b = string.unpack(">s2", frames, next)
  assert(a == "one" and b == "two")
end

-- bin.escape is the one helper that makes peer bytes safe for a log: what
-- a terminal would act on comes out as Lua escapes, text stays as is.
function TestEscape(t)
  local cases = {
    {"plain text, ünïcödé", "plain text, ünïcödé"},
    {"\27]0;owned\7", "\\27]0;owned\\7"},        -- retitle the terminal
    {"\27[2J\r\n", "\\27[2J\\r\\n"},              -- clear it
    {"a\0001", "a\\0001"},                         -- a digit after an escape
    {"back\\slash \"q\"", "back\\\\slash \"q\""},
    {"\127\255", "\\127\\255"},                    -- DEL, invalid UTF-8
    {"\194\155" .. "1m", "\\194\\155" .. "1m"},    -- U+009B, a C1 CSI
    {"\226\128\174", "\\226\\128\\174"},           -- U+202E, right-to-left override
  }
  for _, c in ipairs(cases) do
    local got = bin.escape(c[1])
    if got ~= c[2] then t:Fatalf("bin.escape(%q) = %q, want %q", c[1], got, c[2]) end
    if got:find("[%c\127]") then t:Fatalf("bin.escape(%q) left a control byte", c[1]) end
    -- it reads back as the same bytes
    local back = assert(loadstring("return \"" .. got:gsub('"', '\\"') .. "\""))()
    if back ~= c[1] then t:Fatalf("bin.escape(%q) reads back as %q", c[1], back) end
  end
  local long = ("\27"):rep(1000)
  local cut = bin.escape(long, 10)
  if cut ~= ("\\27"):rep(10) .. "…(1000 bytes)" then t:Fatalf("bin.escape(long, 10) = %q", cut) end
  if bin.escape("short", 10) ~= "short" then t:Fatal("a string under max is cut") end
end

function TestXor(t)
  -- A known vector: "abc" with key 0x01, and with a longer key, which
  -- repeats (the last block is cut short).
  assert(bin.xor("abc", "\1") == "`cb")
  assert(bin.hex(bin.xor("\0\0\0\0\0", "\1\2\3")) == "0102030102")
  assert(bin.xor("Hello", "Hello") == "\0\0\0\0\0")
  assert(bin.xor("", "k") == "")
  -- A key longer than the data uses its first bytes.
  assert(bin.hex(bin.xor("\255\255", "\1\2\3\4")) == "fefd")
  -- Twice gives the data back, for every byte and key length.
  local all = all_bytes()
  for _, key in ipairs{"\0", "\255", "k", "key", ("0123456789abcdef"):rep(17), all} do
    local once = bin.xor(all, key)
    assert(#once == #all and bin.xor(once, key) == all, "key of " .. #key .. " bytes")
  end
  assert(bin.xor(12, "\0") == "12", "numbers are strings, as in Lua's string functions")
end

function TestXorErrorsNameArguments(t)
  for _, c in ipairs{
    {function() return bin.xor("data", "") end, "bad argument #2", "key: must not be empty"},
    {function() return bin.xor("data") end, "bad argument #2", "key: string expected, got nil"},
    {function() return bin.xor(nil, "k") end, "bad argument #1", "data: string expected, got nil"},
    {function() return bin.xor({}, "k") end, "bad argument #1", "data: string expected, got table"},
  } do
    local ok, err = pcall(c[1])
    assert(not ok and err:find(c[2], 1, true) and err:find(c[3], 1, true), tostring(err))
  end
end

function TestXorBigInputLetsOthersRun(t)
  -- 2 MiB and more are xored without the interpreter lock: a ticker task
  -- goes on during the calls, and the result is exact.
  local ticks, stop = 0, false
  local ticker = task.spawn(function()
    while not stop do time.sleep(0.001); ticks = ticks + 1 end
  end)
  local data = ("\0\1\2\3\4\5\6\7\8\9\10\11\12\13\14\15"):rep(2 ^ 17) -- 2 MiB
  local key = "\170\85\15"
  local during, n, out = false, 0, nil
  repeat
    -- Back from a blocking call, the task has a fresh time slice: the
    -- interpreter cannot pass to the ticker between here and the call,
    -- so a tick seen after it came while bin.xor ran.
    time.sleep(0)
    local before = ticks
    out = bin.xor(data, key)
    during, n = ticks > before, n + 1
  until during or n == 200
  assert(during, "the ticker never ran during bin.xor of 2 MiB (" .. n .. " calls)")
  t:log("the ticker ran during call " .. n)
  assert(#out == #data)
  for _, i in ipairs{1, 2, 3, 4, 1000, #data - 1, #data} do
    assert(out:byte(i) == bit.bxor(data:byte(i), key:byte((i - 1) % 3 + 1)), "byte " .. i)
  end
  assert(bin.xor(out, key) == data)
  stop = true
  ticker:wait()
end
