package bindings

import (
	"fmt"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// A class describes a userdata type: its name, its methods and its
// metamethods. Methods live in their own table, apart from the metatable, so
// completion of "c:" lists methods only. Metatables live in the registry,
// never in globals.
type class struct {
	name     string    // type name, as in "net.conn expected"
	methods  []binding // called with ':'
	tostring func(v any) string
	// index, if set, serves fields (err.kind, addr.port) before methods.
	index  func(rt *Runtime, L *lua.LState, v any, key string) (lua.LValue, bool)
	concat bool // support '..' through tostring
	eq     func(a, b any) bool
}

// registerClass makes c known to newUserData, which builds its metatable
// when the first value of the class is made: a script pays start-up time
// only for the classes it uses. The gil must be held.
func (rt *Runtime) registerClass(c *class) {
	rt.classDefs[c.name] = c
}

// buildClass builds the metatable of c and keeps it for newUserData and
// checkClass. The gil must be held.
func (rt *Runtime) buildClass(c *class) *lua.LTable {
	L := rt.L
	mt := L.NewTypeMetatable(c.name)
	methods := L.NewTable()
	for _, b := range c.methods {
		L.SetField(methods, b.name, rt.function(b))
	}
	if c.index == nil {
		L.SetField(mt, "__index", methods)
	} else {
		L.SetField(mt, "__index", L.NewFunction(func(L *lua.LState) int {
			self := selfOf(L, mt, c.name)
			if key, ok := L.Get(2).(lua.LString); ok {
				if v, ok := c.index(rt, L, self, string(key)); ok {
					L.Push(v)
					return 1
				}
			}
			L.Push(L.GetTable(methods, L.Get(2)))
			return 1
		}))
	}
	L.SetField(mt, "__methods", methods)
	L.SetField(mt, "__name", lua.LString(c.name))
	if c.tostring != nil {
		tostring := L.NewFunction(func(L *lua.LState) int {
			L.Push(lua.LString(c.tostring(selfOf(L, mt, c.name))))
			return 1
		})
		L.SetField(mt, "__tostring", tostring)
		rt.classTostring[tostring] = c
	}
	if c.concat {
		L.SetField(mt, "__concat", L.NewFunction(func(L *lua.LState) int {
			L.Push(lua.LString(L.ToStringMeta(L.Get(1)).String() + L.ToStringMeta(L.Get(2)).String()))
			return 1
		}))
	}
	if c.eq != nil {
		L.SetField(mt, "__eq", L.NewFunction(func(L *lua.LState) int {
			a, aok := L.Get(1).(*lua.LUserData)
			b, bok := L.Get(2).(*lua.LUserData)
			L.Push(lua.LBool(aok && bok && a.Metatable == b.Metatable && c.eq(a.Value, b.Value)))
			return 1
		}))
	}
	rt.classes[c.name] = mt
	return mt
}

// selfOf returns the Go value of argument 1 of a metamethod, which must be
// a value of the class whose metatable is mt: called directly, as
// getmetatable(x).__tostring(y), it may be given anything.
func selfOf(L *lua.LState, mt *lua.LTable, name string) any {
	if ud, ok := L.Get(1).(*lua.LUserData); ok && ud.Metatable == mt {
		return ud.Value
	}
	L.ArgError(1, fmt.Sprintf("%s expected, got %s", name, typeName(L.Get(1))))
	return nil
}

// newUserData wraps v as a value of the class named typ. Until a class's
// first value is made, rt.classes has no metatable for it, and so no value
// can pass for one of it.
func (rt *Runtime) newUserData(typ string, v any) *lua.LUserData {
	ud := rt.L.NewUserData()
	ud.Value = v
	ud.Metatable = rt.classMeta(typ)
	return ud
}

// classMeta returns the metatable of the class named typ, built now if no
// value of the class was made yet. The gil must be held.
func (rt *Runtime) classMeta(typ string) *lua.LTable {
	if mt := rt.classes[typ]; mt != nil {
		return mt
	}
	return rt.buildClass(rt.classDefs[typ])
}

// checkClass returns the Go value of argument n, which must be of the class
// named typ; otherwise it raises "bad argument #n to f (typ expected, got t)".
// Classes are named, not referenced, so that a class's methods can check
// their own receiver without an initialisation cycle.
func checkClass[T any](rt *Runtime, L *lua.LState, n int, typ string) T {
	if ud, ok := L.Get(n).(*lua.LUserData); ok && ud.Metatable == rt.classes[typ] {
		if v, ok := ud.Value.(T); ok {
			return v
		}
	}
	L.ArgError(n, fmt.Sprintf("%s expected, got %s", typ, typeName(L.Get(n))))
	var zero T
	return zero
}

// typeName names a value's type for error messages, using a userdata's
// class name where it has one.
func typeName(v lua.LValue) string {
	if ud, ok := v.(*lua.LUserData); ok {
		if mt, ok := ud.Metatable.(*lua.LTable); ok {
			if name, ok := mt.RawGetString("__name").(lua.LString); ok {
				return string(name)
			}
		}
	}
	return v.Type().String()
}
