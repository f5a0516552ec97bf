-- The bin module's digests, HMAC and random bytes: published test vectors
-- (FIPS 180 and RFC 1321 examples, RFC 4231 and RFC 2202 for HMAC, the
-- CRC-32 check value), argument errors and random's caps. bin_hash_test.go
-- compares them with openssl, sha256sum and python3 on random files.

local abc448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"

function TestDigestVectors(t)
  for _, c in ipairs{
    {bin.sha1, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
    {bin.sha1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
    {bin.sha1, abc448, "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
    {bin.sha256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {bin.sha256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {bin.sha256, abc448, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {bin.sha512, "abc", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
      .. "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
    {bin.sha512, "", "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
      .. "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"},
    {bin.md5, "", "d41d8cd98f00b204e9800998ecf8427e"},
    {bin.md5, "abc", "900150983cd24fb0d6963f7d28e17f72"},
    {bin.md5, "message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
    {bin.crc32, "", "00000000"},
    {bin.crc32, "123456789", "cbf43926"}, -- the CRC-32 check value
    {bin.crc32, "abc", "352441c2"},
  } do
    local got = bin.hex(c[1](c[2]))
    if got ~= c[3] then error(("digest of %q: got %s, want %s"):format(c[2], got, c[3])) end
  end
  -- Raw bytes, as long as the hash's digest.
  assert(#bin.sha1("x") == 20 and #bin.sha256("x") == 32 and #bin.sha512("x") == 64)
  assert(#bin.md5("x") == 16 and #bin.crc32("x") == 4)
  -- crc32 is big-endian: string.unpack(">I4") is the usual number.
  assert(string.unpack(">I4", bin.crc32("123456789")) == 0xcbf43926)
  -- Numbers are strings, as in Lua's string functions.
  assert(bin.sha256(12) == bin.sha256("12"))
  -- A million "a" (FIPS 180-2's long message).
  assert(bin.hex(bin.sha1(("a"):rep(1000000))) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
end

function TestHmacVectors(t)
  for _, c in ipairs{
    -- RFC 4231 test case 2 and 6 (a key longer than the block)
    {"sha256", "Jefe", "what do ya want for nothing?",
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
    {"sha512", "Jefe", "what do ya want for nothing?",
      "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
      .. "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
    {"sha256", ("\170"):rep(131), "Test Using Larger Than Block-Size Key - Hash Key First",
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
    -- RFC 2202 test case 2
    {"sha1", "Jefe", "what do ya want for nothing?", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
    {"md5", "Jefe", "what do ya want for nothing?", "750c783e6ab0b503eaa86e310a5db738"},
    -- an empty key and empty data
    {"sha256", "", "", "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"},
  } do
    local got = bin.hex(bin.hmac(c[1], c[2], c[3]))
    if got ~= c[4] then error(("hmac %s: got %s, want %s"):format(c[1], got, c[4])) end
  end
end

function TestHashErrorsNameArguments(t)
  for _, c in ipairs{
    {function() return bin.sha1() end, "bad argument #1", "s: string expected, got nil"},
    {function() return bin.sha256({}) end, "bad argument #1", "s: string expected, got table"},
    {function() return bin.crc32(true) end, "bad argument #1", "s: string expected, got boolean"},
    {function() return bin.hmac("sha3", "k", "d") end, "bad argument #1",
      'alg: "sha1", "sha256", "sha512" or "md5" expected, got "sha3"'},
    {function() return bin.hmac("SHA256", "k", "d") end, "bad argument #1", 'got "SHA256"'},
    {function() return bin.hmac(nil, "k", "d") end, "bad argument #1", "alg: string expected, got nil"},
    {function() return bin.hmac("sha1", nil, "d") end, "bad argument #2", "key: string expected, got nil"},
    {function() return bin.hmac("sha1", "k") end, "bad argument #3", "data: string expected, got nil"},
    {function() return bin.random() end, "bad argument #1", "n: number expected, got nil"},
    {function() return bin.random(-1) end, "bad argument #1", "n: must be between 0 and 1048576, got -1"},
    {function() return bin.random(1048577) end, "bad argument #1", "n: must be between 0 and 1048576, got 1048577"},
    {function() return bin.random(1.5) end, "bad argument #1", "n: integer expected, got 1.5"},
  } do
    local ok, err = pcall(c[1])
    assert(not ok and err:find(c[2], 1, true) and err:find(c[3], 1, true), tostring(err))
  end
end

function TestRandom(t)
  assert(bin.random(0) == "")
  for _, n in ipairs{1, 16, 1000, 1048576} do
    assert(#bin.random(n) == n, n)
  end
  -- Two draws differ (2^-128 that 16 bytes repeat).
  local a, b = bin.random(16), bin.random(16)
  assert(a ~= b, "two calls returned the same 16 bytes: " .. bin.hex(a))
  -- Not degenerate: 64 KiB holds every byte value (each misses with
  -- probability (255/256)^65536, about e^-256), and none is far off its
  -- share of 256 (binomial sd 16; 6 sd either way).
  local counts = {}
  local s = bin.random(65536)
  for i = 1, #s do
    local v = s:byte(i)
    counts[v] = (counts[v] or 0) + 1
  end
  for v = 0, 255 do
    local c = counts[v] or 0
    if c < 256 - 96 or c > 256 + 96 then
      error(("byte %d appears %d times in 64 KiB of bin.random, want about 256"):format(v, c))
    end
  end
end

function TestDigestBigInputLetsOthersRun(t)
  -- From 1 MiB, digests (and bin.random's bytes) are computed without
  -- the interpreter lock (as bin.xor): a ticker task goes on during the
  -- calls, and the digest is right (the values of Python's hashlib, hmac
  -- and zlib).
  local ticks, stop = 0, false
  local ticker = task.spawn(function()
    while not stop do time.sleep(0.001); ticks = ticks + 1 end
  end)
  local data = ("a"):rep(2 * 2 ^ 20)
  local want = {
    sha1 = "b84b7b775430232c2ee4e2216db1a591d97b2db0",
    sha256 = "5256ec18f11624025905d057d6befb03d77b243511ac5f77ed5e0221ce6d84b5",
    sha512 = "0e40a436f8fb0e52220bfc58105122a14bb42e90ddc03e6366334c6d9e8ed50f"
      .. "afb075fbaee9183980e86fe2990a6291a5374b7e3d916f8614c7a5c68f8bbfd7",
    md5 = "de89461b64701958984c95d1bfb0065a",
    crc32 = "236542d7",
    hmac = "c0879ce9b61e433b6390e477da71993279b2117bb6f3f504c8274dab96a0da78", -- sha256, key "k"
  }
  for _, name in ipairs{"sha1", "sha256", "sha512", "md5", "crc32", "hmac", "random"} do
    local f = bin[name]
    if name == "hmac" then f = function(s) return bin.hmac("sha256", "k", s) end end
    if name == "random" then f = function() return bin.random(2 ^ 20) end end
    local during, n, sum = false, 0, nil
    repeat
      -- Back from a blocking call, the task has a fresh time slice: a
      -- tick seen after the call came while the digest was computed.
      time.sleep(0)
      local before = ticks
      sum = f(data)
      during, n = ticks > before, n + 1
    until during or n == 2000 -- crc32 of 2 MiB takes 0.1 ms: a 1 ms tick falls in one call of ten
    assert(during, ("the ticker never ran during bin.%s of %s (%d calls)"):format(name, name == "random" and "1 MiB" or "2 MiB", n))
    t:log(("the ticker ran during bin.%s's call %d"):format(name, n))
    if name == "random" then
      assert(#sum == 2 ^ 20)
    else
      assert(bin.hex(sum) == want[name], name .. ": " .. bin.hex(sum))
    end
  end
  stop = true
  ticker:wait()
end
