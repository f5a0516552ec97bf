-- os.list_dir: the names of a directory, sorted, directories (and links
-- to them) marked with "/", cut at max names with truncated = true.

local th = require "testhelp"
local expect_error = th.expect_error

local function touch(path)
  local f = assert(io.open(path, "wb"))
  f:close()
end

local function sh(cmd)
  local ok = os.execute(cmd)
  assert(ok == 0 or ok == true, cmd .. ": failed")
end

local function join(list) return table.concat(list, "|") end

function TestListDir(t)
  local dir = t:tempdir()
  touch(dir .. "/b.txt")
  touch(dir .. "/a<&>.txt")
  touch(dir .. "/ctl\27x")
  sh("mkdir " .. dir .. "/sub && ln -s sub " .. dir .. "/link && ln -s nowhere " .. dir .. "/dangling")
  local names, more = os.list_dir(dir)
  assert(join(names) == "a<&>.txt|b.txt|ctl\27x|dangling|link/|sub/", join(names))
  assert(more == false, "7 names, max 1000: not truncated")

  -- Exactly max names: whole. One fewer: truncated, max of them, sorted.
  names, more = os.list_dir(dir, 6)
  assert(#names == 6 and more == false, ("max 6 of 6: %d names, truncated %s"):format(#names, tostring(more)))
  names, more = os.list_dir(dir, 4)
  assert(#names == 4 and more == true, ("max 4 of 6: %d names, truncated %s"):format(#names, tostring(more)))
  for i = 2, #names do assert(names[i - 1] < names[i], "sorted: " .. join(names)) end

  -- An empty directory.
  names, more = os.list_dir(dir .. "/sub")
  assert(#names == 0 and more == false)
end

function TestListDirErrors(t)
  local dir = t:tempdir()
  touch(dir .. "/file")
  local v, err = os.list_dir(dir .. "/missing")
  expect_error("other", v, err, "a missing path")
  assert(tostring(err):find("no such file", 1, true), tostring(err))
  v, err = os.list_dir(dir .. "/file")
  expect_error("other", v, err, "a regular file")
  assert(tostring(err):find("not a directory", 1, true), tostring(err))

  for _, bad in ipairs({ 0, -1, 1.5, 2 ^ 21 }) do
    local ok, msg = pcall(os.list_dir, dir, bad)
    assert(not ok and tostring(msg):find("max", 1, true), "max " .. bad .. ": " .. tostring(msg))
  end
  local ok, msg = pcall(os.list_dir, nil)
  assert(not ok and tostring(msg):find("path", 1, true), tostring(msg))
end
