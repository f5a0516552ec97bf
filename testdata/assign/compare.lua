-- Multiple assignment, compared with the real lua5.1 by
-- lua51_assign_test.go: every value is computed before any variable is
-- assigned (Lua 5.1 manual, 2.4.3), whether the variables are locals,
-- globals, upvalues or table fields (gopher-lua patch 23).
local a, b = "xa", "yb"; a, b = b, a; print(a, b)
local x, y = "x1","y1"; x, y = y:sub(2), x:sub(2); print(x, y)
local t = {1,2}; t[1], t[2] = t[2], t[1]; print(t[1], t[2])
g1, g2 = "g1", "g2"; g1, g2 = g2, g1; print(g1, g2)
local p, q = 0, 0; p, q = p + 1, p + q; print(p, q)
local i = 1; local arr = {}; arr[i], i = 20, 2; print(arr[1], arr[2], i)
local i2 = 3; local arr2 = {}; i2, arr2[i2] = i2 + 1, 20; print(arr2[3], arr2[4], i2)
local tt, uu = {}, {}; local t0 = tt; tt.x, tt = 1, uu; print(t0.x, tt.x, tt == uu)
local c1, c2, c3 = 1, 2, 3; c1, c2, c3 = c3, c1, c2; print(c1, c2, c3)
local m = 5; m = m + 1, m; print(m)
local function f() return 7, 8 end
local v1, v2 = 1, 2; v1, v2 = f(); print(v1, v2)
local w1, w2, w3 = 1, 2, 3; w1, w2, w3 = w3, f(); print(w1, w2, w3)
local z1, z2 = 1, 2; z1, z2 = z2; print(z1, z2)
local up1, up2 = "u1", "u2"; local function sw() up1, up2 = up2, up1 end; sw(); print(up1, up2)
local k1, k2 = "a", "b"; local kt = {}; kt[k1], k1 = k2, "z"; print(kt.a, kt.z, k1)
local n1, n2 = 1, 2; n1, n2 = n2 * 10, n1 * 10; print(n1, n2)
local s1, s2 = "s1", "s2"; s1, s2 = s2 .. s1, #s1; print(s1, s2)
local b1, b2 = true, false; b1, b2 = b2, not b1; print(b1, b2)
local o1, o2 = 1, nil; o1, o2 = o2 or 5, o1 and 9; print(o1, o2)
local e1, e2 = {}, {}; e1, e2 = e2, e1; e1.n = 1; print(e2.n, e1.n)
for r = 1, 3 do local l, h = r, r * 2; l, h = h, l; print(r, l, h) end
