-- bin's digests and HMAC against openssl dgst, sha256sum and python3's
-- zlib.crc32 on random files (bin_openssl_setup_test.go makes them and
-- the manifest of what the programs printed: MANIFEST, CHECKS lines).

local digests = {
  sha1 = bin.sha1, sha256 = bin.sha256, sha512 = bin.sha512, md5 = bin.md5, crc32 = bin.crc32,
}

local function read_file(path)
  local f = assert(io.open(path, "rb"))
  local data = f:read("*a")
  f:close()
  return data
end

function TestDigestsMatchPrograms(t)
  local files, checked, by = {}, 0, {}
  for line in io.lines(MANIFEST) do
    local program, alg, key, path, want = line:match("^(%S+)\t(%S+)\t(%S+)\t([^\t]+)\t(%x+)$")
    assert(program, "bad manifest line: " .. line)
    files[path] = files[path] or read_file(path)
    local data, got = files[path], nil
    local hmac_alg = alg:match("^hmac%-(.+)$")
    if hmac_alg then
      got = bin.hmac(hmac_alg, assert(bin.unhex(key)), data)
    else
      got = assert(digests[alg], alg)(data)
    end
    if bin.hex(got) ~= want then
      error(("%s of %d bytes (key %s): bin says %s, %s says %s"):format(alg, #data, key, bin.hex(got), program, want))
    end
    checked = checked + 1
    by[program .. " " .. alg] = (by[program .. " " .. alg] or 0) + 1
  end
  assert(checked == tonumber(CHECKS) and checked > 0, ("checked %d of %s"):format(checked, CHECKS))
  -- Every program and alg was compared, on files from 0 to over 3 MiB.
  for _, k in ipairs{"openssl sha1", "openssl sha256", "openssl sha512", "openssl md5", "openssl hmac-sha1",
    "openssl hmac-sha256", "openssl hmac-sha512", "openssl hmac-md5", "sha256sum sha256", "python3 crc32"} do
    assert(by[k], k .. " was not compared")
  end
  local sizes = {}
  for _, data in pairs(files) do sizes[#sizes + 1] = #data end
  table.sort(sizes)
  assert(sizes[1] == 0 and sizes[#sizes] > 3 * 2 ^ 20, "sizes " .. table.concat(sizes, " "))
  t:log(("%d digests of %d files (%s bytes) equal the programs'"):format(checked, #sizes, table.concat(sizes, " ")))
end
