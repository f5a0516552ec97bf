package lua

import "fmt"

// gonetrepl patch 18: Lua 5.1's runtime type errors. When the VM meets a
// value it cannot call, index, do arithmetic on, concatenate or take the
// length of, the message names where the value came from, as Lua 5.1's
// luaG_typeerror does with getobjname (ldebug.c): "attempt to call global
// 'foo' (a nil value)", "attempt to index local 't' (a nil value)", or
// "attempt to concatenate a nil value" when no name is found. The name is
// worked out from the running function's bytecode only when the error is
// raised; the VM's loop does nothing more than before.

// typeError raises "attempt to <op> <kind> '<name>' (a <type> value)", or
// "attempt to <op> a <type> value" when reg (a register of the running Lua
// function, -1 for none) has no name.
func (ls *LState) typeError(v LValue, op string, reg int) {
	kind, name := ls.regName(reg)
	if kind != "" {
		ls.RaiseError("attempt to %s %s '%s' (a %s value)", op, kind, name, v.Type().String())
	}
	ls.RaiseError("attempt to %s a %s value", op, v.Type().String())
}

// currentInst returns the running Lua function's instruction that is being
// executed, or opInvalidInstruction when a Go function runs.
func (ls *LState) currentInst() uint32 {
	cf := ls.currentFrame
	if cf == nil || cf.Fn == nil || cf.Fn.IsG || cf.Pc < 1 || cf.Pc > len(cf.Fn.Proto.Code) {
		return opInvalidInstruction
	}
	return cf.Fn.Proto.Code[cf.Pc-1]
}

// regName names register reg of the running Lua function at its current
// instruction: a kind ("local", "global", "field", "method", "upvalue") and
// a name, or "" when it has none (a constant, a temporary, a Go function).
func (ls *LState) regName(reg int) (string, string) {
	if reg < 0 || reg&opBitRk != 0 || ls.currentInst() == opInvalidInstruction {
		return "", ""
	}
	cf := ls.currentFrame
	return objName(cf.Fn.Proto, cf.Pc-1, reg)
}

// objName is Lua 5.1's getobjname: the name of register reg at pc of proto.
func objName(proto *FunctionProto, pc, reg int) (string, string) {
	for depth := 0; depth < 256; depth++ { // a MOVE chain goes to lower registers
		if name := localName(proto, reg, pc); name != "" {
			return "local", name
		}
		inst := symbexec(proto, pc, reg)
		switch opGetOpCode(inst) {
		case OP_GETGLOBAL:
			return "global", constName(proto, opGetArgBx(inst)|opBitRk)
		case OP_MOVE, OP_MOVEN:
			a, b := opGetArgA(inst), opGetArgB(inst)
			if b >= a {
				return "", ""
			}
			reg = b
		case OP_GETTABLE, OP_GETTABLEKS:
			return "field", constName(proto, opGetArgC(inst))
		case OP_GETUPVAL:
			b := opGetArgB(inst)
			if b < len(proto.DbgUpvalues) {
				return "upvalue", proto.DbgUpvalues[b]
			}
			return "upvalue", "?"
		case OP_SELF:
			return "method", constName(proto, opGetArgC(inst))
		default:
			return "", ""
		}
	}
	return "", ""
}

// constName is Lua 5.1's kname: the constant string an RK operand names, or
// "?".
func constName(proto *FunctionProto, rk int) string {
	if rk&opBitRk != 0 {
		if k := rk &^ opBitRk; k < len(proto.Constants) {
			if s, ok := proto.Constants[k].(LString); ok {
				return string(s)
			}
		}
	}
	return "?"
}

// localName is Lua 5.1's luaF_getlocalname: the local variable held in
// register reg at pc, or "". The n-th local active at pc is in register n-1;
// a local is active from its StartPc to its EndPc, both included (the
// compiler sets EndPc to the last instruction of its block).
func localName(proto *FunctionProto, reg, pc int) string {
	n := reg
	for _, l := range proto.DbgLocals {
		if l.StartPc > pc {
			break
		}
		if pc <= l.EndPc {
			if n == 0 {
				return l.Name
			}
			n--
		}
	}
	return ""
}

// symbexec is the part of Lua 5.1's symbexec that getobjname uses: the last
// instruction before lastpc that set register reg, going over the code
// from its start and taking the forward jumps that do not pass lastpc; or
// opInvalidInstruction.
func symbexec(proto *FunctionProto, lastpc, reg int) uint32 {
	code := proto.Code
	last := opInvalidInstruction
	if lastpc > len(code) {
		lastpc = len(code)
	}
	for pc := 0; pc < lastpc; pc++ {
		inst := code[pc]
		op := opGetOpCode(inst)
		a := opGetArgA(inst)
		switch op {
		case OP_LOADNIL:
			if a <= reg && reg <= opGetArgB(inst) {
				last = inst
			}
		case OP_CALL, OP_TAILCALL:
			if reg >= a {
				last = inst
			}
		case OP_TFORLOOP:
			if reg >= a+2 {
				last = inst
			}
		case OP_SELF:
			if reg == a || reg == a+1 {
				last = inst
			}
		case OP_VARARG:
			if b := opGetArgB(inst); reg >= a && (b == 0 || reg < a+b-1) {
				last = inst
			}
		case OP_CLOSURE:
			if reg == a {
				last = inst
			}
			// the closure's upvalues follow as pseudo-instructions
			if bx := opGetArgBx(inst); bx < len(proto.FunctionPrototypes) {
				pc += int(proto.FunctionPrototypes[bx].NumUpvalues)
			}
		case OP_JMP, OP_FORLOOP, OP_FORPREP:
			if op != OP_JMP && reg >= a && reg <= a+3 {
				last = inst
			}
			if dest := pc + 1 + opGetArgSbx(inst); pc < dest && dest <= lastpc {
				pc = dest - 1
			}
		case OP_SETLIST:
			if opGetArgC(inst) == 0 {
				pc++ // the next instruction is the block number
			}
		default:
			if op <= opCodeMax && opProps[op].SetRegA && reg == a {
				last = inst
			}
		}
	}
	return last
}

// callError raises the error for a call of v, which is not callable. The
// register is named when the running instruction is the call itself; a
// call from Go, or of a generic for's iterator, has no name, as in Lua 5.1.
func (ls *LState) callError(v LValue) {
	reg := -1
	if inst := ls.currentInst(); inst != opInvalidInstruction {
		switch opGetOpCode(inst) {
		case OP_CALL, OP_TAILCALL:
			reg = opGetArgA(inst)
		}
	}
	ls.typeError(v, "call", reg)
}

// indexError raises the error for indexing v, which is neither a table nor
// has an __index (or __newindex) metamethod. first says v is the value the
// running instruction indexes, not one met along a chain of __index tables.
func (ls *LState) indexError(v LValue, first bool) {
	reg := -1
	if inst := ls.currentInst(); first && inst != opInvalidInstruction {
		switch opGetOpCode(inst) {
		case OP_GETTABLE, OP_GETTABLEKS, OP_SELF:
			reg = opGetArgB(inst)
		case OP_SETTABLE, OP_SETTABLEKS:
			reg = opGetArgA(inst)
		}
	}
	ls.typeError(v, "index", reg)
}

// arithError raises the error for arithmetic on lhs and rhs (strings that
// read as numbers already converted): as Lua 5.1's luaG_aritherror, it
// names lhs unless it is a number, else rhs.
func (ls *LState) arithError(lhs, rhs LValue) {
	b, c := -1, -1
	if inst := ls.currentInst(); inst != opInvalidInstruction {
		switch opGetOpCode(inst) {
		case OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_POW:
			b, c = opGetArgB(inst), opGetArgC(inst)
		}
	}
	if _, ok := lhs.(LNumber); !ok {
		ls.typeError(lhs, "perform arithmetic on", b)
	}
	ls.typeError(rhs, "perform arithmetic on", c)
}

// concatError raises the error for concatenating lhs, held in the absolute
// register lhsReg, and rhs, the value after it: as Lua 5.1's
// luaG_concaterror, it names lhs unless it is a string or a number, else
// rhs.
func (ls *LState) concatError(lhs, rhs LValue, lhsReg int) {
	culprit, reg := lhs, lhsReg
	if LVCanConvToString(lhs) {
		culprit, reg = rhs, lhsReg+1
	}
	if inst := ls.currentInst(); inst == opInvalidInstruction || opGetOpCode(inst) != OP_CONCAT ||
		ls.reg.Get(reg) != culprit {
		// not the VM's concatenation, or a metamethod's result
		ls.typeError(culprit, "concatenate", -1)
	}
	ls.typeError(culprit, "concatenate", reg-ls.currentFrame.LocalBase)
}

// whereLevel is Lua 5.1's luaL_where: "source:line: " of the function at
// level (0 the running one), or "" for a Go function or past the stack.
func (ls *LState) whereLevel(level int) string {
	frame := ls.currentFrame
	for ; level > 0 && frame != nil; frame = frame.Parent {
		level--
		if !frame.Fn.IsG {
			level -= frame.TailCall
		}
	}
	if level != 0 || frame == nil || frame.Fn.IsG || frame.Pc < 1 {
		return ""
	}
	proto := frame.Fn.Proto
	return fmt.Sprintf("%s:%d: ", proto.SourceName, proto.DbgSourcePositions[frame.Pc-1])
}
