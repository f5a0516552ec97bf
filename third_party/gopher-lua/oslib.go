package lua

import (
	"math"
	"os"
	"strings"
	"time"

	"github.com/gonetrepl/gonetrepl/third_party/gopher-lua/strftime"
)

var startedAt time.Time

func init() {
	startedAt = time.Now()
}

func getIntField(L *LState, tb *LTable, key string, v int) int {
	ret := tb.RawGetString(key)

	switch lv := ret.(type) {
	case LNumber:
		return int(lv)
	case LString:
		slv := string(lv)
		slv = strings.TrimLeft(slv, " ")
		if strings.HasPrefix(slv, "0") && !strings.HasPrefix(slv, "0x") && !strings.HasPrefix(slv, "0X") {
			// Standard lua interpreter only support decimal and hexadecimal
			slv = strings.TrimLeft(slv, "0")
			if slv == "" {
				return 0
			}
		}
		if num, err := parseNumber(slv); err == nil {
			return int(num)
		}
	default:
		return v
	}

	return v
}

func getBoolField(L *LState, tb *LTable, key string, v bool) bool {
	ret := tb.RawGetString(key)
	if lb, ok := ret.(LBool); ok {
		return bool(lb)
	}
	return v
}

func OpenOs(L *LState) int {
	osmod := L.RegisterModule(OsLibName, osFuncs)
	L.Push(osmod)
	return 1
}

var osFuncs = map[string]LGFunction{
	"clock":     osClock,
	"difftime":  osDiffTime,
	"execute":   osExecute,
	"exit":      osExit,
	"date":      osDate,
	"getenv":    osGetEnv,
	"remove":    osRemove,
	"rename":    osRename,
	"setenv":    osSetEnv,
	"setlocale": osSetLocale,
	"time":      osTime,
	"tmpname":   osTmpname,
}

func osClock(L *LState) int {
	L.Push(LNumber(float64(time.Now().Sub(startedAt)) / float64(time.Second)))
	return 1
}

func osDiffTime(L *LState) int {
	L.Push(LNumber(L.CheckInt64(1) - L.CheckInt64(2)))
	return 1
}

func osExecute(L *LState) int {
	var procAttr os.ProcAttr
	procAttr.Files = []*os.File{os.Stdin, os.Stdout, os.Stderr}
	cmd, args := popenArgs(L.CheckString(1))
	args = append([]string{cmd}, args...)
	process, err := os.StartProcess(cmd, args, &procAttr)
	if err != nil {
		L.Push(LNumber(1))
		return 1
	}

	ps, err := process.Wait()
	if err != nil || !ps.Success() {
		L.Push(LNumber(1))
		return 1
	}
	L.Push(LNumber(0))
	return 1
}

func osExit(L *LState) int {
	L.Close()
	os.Exit(L.OptInt(1, 0))
	return 1
}

// osDate is Lua 5.1's os.date over glibc's strftime in the C locale.
//
// gonetrepl patch: os.date as C's strftime. The time is the second
// argument (a number, truncated as C casts it to time_t) or now; a format
// starting with "!" breaks it down in UTC (gmtime), else in the local
// zone (localtime: TZ, as the C library reads it). A time whose year C's
// struct tm cannot hold gives nil, as gmtime's failure does in Lua 5.1.
// The format is read as a C string (up to its first NUL byte): exactly
// "*t" returns the fields as a table, anything else is expanded by the
// strftime package. Upstream took a format merely starting with "*t" for
// "*t", left yday 0 and isdst false, refused a nil time, and expanded most
// conversions wrongly or not at all.
func osDate(L *LState) int {
	format := "%c"
	if L.Get(1) != LNil {
		format = L.CheckString(1)
	}
	sec := time.Now().Unix()
	if L.Get(2) != LNil {
		n := float64(L.CheckNumber(2))
		if math.IsNaN(n) || n <= -(1<<63) || n >= 1<<63 {
			L.Push(LNil) // C's cast gives a time gmtime cannot break down
			return 1
		}
		sec = int64(n)
	}
	var tm strftime.Tm
	var ok bool
	if rest, utc := strings.CutPrefix(format, "!"); utc {
		format = rest
		tm, ok = strftime.Gmtime(sec, time.Local)
	} else {
		tm, ok = strftime.Localtime(sec, time.Local)
	}
	if !ok {
		L.Push(LNil)
		return 1
	}
	format = strftime.CString(format)
	if format == "*t" {
		ret := L.CreateTable(0, 9)
		ret.RawSetString("sec", LNumber(tm.Sec))
		ret.RawSetString("min", LNumber(tm.Min))
		ret.RawSetString("hour", LNumber(tm.Hour))
		ret.RawSetString("day", LNumber(tm.Day))
		ret.RawSetString("month", LNumber(tm.Month))
		ret.RawSetString("year", LNumber(tm.Year))
		ret.RawSetString("wday", LNumber(tm.Wday+1))
		ret.RawSetString("yday", LNumber(tm.Yday+1))
		ret.RawSetString("isdst", LBool(tm.IsDST))
		L.Push(ret)
		return 1
	}
	if len(format) <= smallDateFormat {
		// The common case, a date: no charges, no closures (which would
		// put the Expander on the heap).
		e := strftime.New(&tm)
		size := e.Size(format, nil)
		var b strings.Builder
		b.Grow(int(size))
		e.Append(&b, format, nil)
		L.Push(LString(b.String()))
		return 1
	}
	L.Push(LString(osDateBig(L, &tm, format)))
	return 1
}

// smallDateFormat is the longest format os.date expands without charging
// the thread: at most 16 KiB of result (strftime.MaxPerByte a byte).
const smallDateFormat = 1 << 10

// osDateBig expands a long format. gonetrepl patch 10: the result's exact
// size is known before it is built (each conversion is worked out once);
// one over the largest string is refused. Both passes are linear in the
// format and charged to the thread, or run without the host's lock when
// big (patch 13).
func osDateBig(L *LState, tm *strftime.Tm, format string) string {
	e := strftime.New(tm)
	var size int64
	if !L.bigWork(len(format), func() { size = e.Size(format, yieldEvery()) }) {
		size = e.Size(format, L.chargeBytes)
	}
	L.CheckStringSize("os.date", size)
	var b strings.Builder
	b.Grow(int(size))
	if !L.bigWork(int(size), func() { e.Append(&b, format, yieldEvery()) }) {
		e.Append(&b, format, L.chargeBytes)
	}
	return b.String()
}

func osGetEnv(L *LState) int {
	v := os.Getenv(L.CheckString(1))
	if len(v) == 0 {
		L.Push(LNil)
	} else {
		L.Push(LString(v))
	}
	return 1
}

func osRemove(L *LState) int {
	err := os.Remove(L.CheckString(1))
	if err != nil {
		L.Push(LNil)
		L.Push(LString(err.Error()))
		return 2
	} else {
		L.Push(LTrue)
		return 1
	}
}

func osRename(L *LState) int {
	err := os.Rename(L.CheckString(1), L.CheckString(2))
	if err != nil {
		L.Push(LNil)
		L.Push(LString(err.Error()))
		return 2
	} else {
		L.Push(LTrue)
		return 1
	}
}

func osSetLocale(L *LState) int {
	// setlocale is not supported
	L.Push(LFalse)
	return 1
}

func osSetEnv(L *LState) int {
	err := os.Setenv(L.CheckString(1), L.CheckString(2))
	if err != nil {
		L.Push(LNil)
		L.Push(LString(err.Error()))
		return 2
	} else {
		L.Push(LTrue)
		return 1
	}
}

func osTime(L *LState) int {
	if L.GetTop() == 0 {
		L.Push(LNumber(time.Now().Unix()))
	} else {
		lv := L.CheckAny(1)
		if lv == LNil {
			L.Push(LNumber(time.Now().Unix()))
		} else {
			tbl, ok := lv.(*LTable)
			if !ok {
				L.TypeError(1, LTTable)
			}
			sec := getIntField(L, tbl, "sec", 0)
			min := getIntField(L, tbl, "min", 0)
			hour := getIntField(L, tbl, "hour", 12)
			day := getIntField(L, tbl, "day", -1)
			month := getIntField(L, tbl, "month", -1)
			year := getIntField(L, tbl, "year", -1)
			isdst := getBoolField(L, tbl, "isdst", false)
			t := time.Date(year, time.Month(month), day, hour, min, sec, 0, time.Local)
			// TODO dst
			if false {
				print(isdst)
			}
			L.Push(LNumber(t.Unix()))
		}
	}
	return 1
}

func osTmpname(L *LState) int {
	file, err := os.CreateTemp("", "")
	if err != nil {
		L.RaiseError("unable to generate a unique filename")
	}
	file.Close()
	os.Remove(file.Name()) // ignore errors
	L.Push(LString(file.Name()))
	return 1
}

//
