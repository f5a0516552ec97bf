// Package strftime expands os.date formats as Lua 5.1 does on glibc, in
// the C locale: every conversion of C99 and POSIX strftime, and glibc's
// extensions %k %l %P %s.
//
// gonetrepl patch: os.date as C's strftime (third_party/gopher-lua/
// GONETREPL.md). Upstream gopher-lua mapped a few conversions onto Go's
// time layouts, wrongly for some (%a was the literal "mon", %x the time)
// and not at all for most (%j %e %D %T %u %U came out as written).
//
// Lua 5.1's os.date (loslib.c) reads the format as a C string, so it
// ends at its first NUL byte; it copies every byte but "%", and hands
// each "%" with the one byte after it to strftime alone, so no flag,
// width or E/O modifier ever reaches strftime with its conversion; a "%"
// that ends the format is copied. glibc answers a pair that is no
// conversion with the pair itself, padded with spaces to the width when
// the byte is a digit 3-9 ("%5" is "   %5"). This package does the same
// for every byte, and tests compare it with the real lua5.1.
package strftime

import (
	"strconv"
	"strings"
)

// MaxPerByte bounds the bytes a byte of format expands to: the longest
// conversion is %c with an 11-character year ("Thu Jan  1 00:00:00
// -2147481748", 31 bytes for 2); any other byte gives one.
const MaxPerByte = 16

// chunk is the most bytes Size scans or Append writes between two calls
// of their charge function.
const chunk = 64 << 10

// An Expander expands formats for one broken-down time. Each conversion
// is worked out once and reused, so a format costs a copy per byte.
type Expander struct {
	tm   *Tm
	conv [128]string // the expansion of "%" and the byte, once known
	have [128]bool
}

// New returns an Expander for tm.
func New(tm *Tm) *Expander { return &Expander{tm: tm} }

// CString returns format up to its first NUL byte, as C reads it.
func CString(format string) string {
	if i := strings.IndexByte(format, 0); i >= 0 {
		return format[:i]
	}
	return format
}

// Size returns the length of format's expansion, calling charge (when
// not nil) with the bytes of format scanned, every 64 KiB or so.
func (e *Expander) Size(format string, charge func(int)) int64 {
	format = CString(format)
	var n int64
	last := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			n++
		} else {
			n += int64(len(e.expand(format[i : i+2])))
			i++
		}
		if charge != nil && i-last >= chunk {
			charge(i - last)
			last = i
		}
	}
	return n
}

// Append writes format's expansion to b, calling charge (when not nil)
// with the bytes written, every 64 KiB or so.
func (e *Expander) Append(b *strings.Builder, format string, charge func(int)) {
	format = CString(format)
	written := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			b.WriteByte(format[i])
			written++
		} else {
			s := e.expand(format[i : i+2])
			b.WriteString(s)
			written += len(s)
			i++
		}
		if charge != nil && written >= chunk {
			charge(written)
			written = 0
		}
	}
}

// Format returns format's expansion for tm.
func Format(tm *Tm, format string) string {
	var b strings.Builder
	e := New(tm)
	b.Grow(int(e.Size(format, nil)))
	e.Append(&b, format, nil)
	return b.String()
}

// expand returns what pair, "%" and a byte, expands to.
func (e *Expander) expand(pair string) string {
	c := pair[1]
	if c >= 128 {
		return pair // no conversion
	}
	if !e.have[c] {
		e.conv[c] = conversion(e.tm, pair)
		e.have[c] = true
	}
	return e.conv[c]
}

var (
	weekdays = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	months   = [12]string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
)

// conversion is glibc 2.36's strftime_l.c for the format pair alone, in
// the C locale.
func conversion(tm *Tm, pair string) string {
	hour12 := tm.Hour % 12
	if hour12 == 0 {
		hour12 = 12
	}
	switch c := pair[1]; c {
	case 'a':
		return weekdays[tm.Wday][:3]
	case 'A':
		return weekdays[tm.Wday]
	case 'b', 'h':
		return months[tm.Month-1][:3]
	case 'B':
		return months[tm.Month-1]
	case 'c': // the C locale's "%a %b %e %H:%M:%S %Y"
		return weekdays[tm.Wday][:3] + " " + months[tm.Month-1][:3] + " " + space2(tm.Day) + " " +
			clock(tm.Hour, tm.Min, tm.Sec) + " " + number(tm.Year, 1)
	case 'C': // the century, rounded down, at least one digit
		return number(floorDiv(tm.Year, 100), 1)
	case 'd':
		return number(int64(tm.Day), 2)
	case 'D', 'x': // "%m/%d/%y"; %x is the C locale's date
		return number(int64(tm.Month), 2) + "/" + number(int64(tm.Day), 2) + "/" + number(floorMod(tm.Year, 100), 2)
	case 'e':
		return space2(tm.Day)
	case 'F': // "%Y-%m-%d", the year at least one digit
		return number(tm.Year, 1) + "-" + number(int64(tm.Month), 2) + "-" + number(int64(tm.Day), 2)
	case 'g':
		year, _ := isoWeek(tm)
		return number(floorMod(year, 100), 2)
	case 'G':
		year, _ := isoWeek(tm)
		return number(year, 1)
	case 'H':
		return number(int64(tm.Hour), 2)
	case 'I':
		return number(int64(hour12), 2)
	case 'j':
		return number(int64(tm.Yday+1), 3)
	case 'k': // GNU: the hour, padded with a space
		return space2(tm.Hour)
	case 'l': // GNU: the 12-hour hour, padded with a space
		return space2(hour12)
	case 'm':
		return number(int64(tm.Month), 2)
	case 'M':
		return number(int64(tm.Min), 2)
	case 'n':
		return "\n"
	case 'p':
		if tm.Hour < 12 {
			return "AM"
		}
		return "PM"
	case 'P': // GNU: %p in lower case
		if tm.Hour < 12 {
			return "am"
		}
		return "pm"
	case 'r': // the C locale's "%I:%M:%S %p"
		ampm := "AM"
		if tm.Hour >= 12 {
			ampm = "PM"
		}
		return clock(hour12, tm.Min, tm.Sec) + " " + ampm
	case 'R':
		return number(int64(tm.Hour), 2) + ":" + number(int64(tm.Min), 2)
	case 's': // GNU: seconds since the epoch
		return strconv.FormatInt(tm.epoch(), 10)
	case 'S':
		return number(int64(tm.Sec), 2)
	case 't':
		return "\t"
	case 'T', 'X': // "%H:%M:%S"; %X is the C locale's time
		return clock(tm.Hour, tm.Min, tm.Sec)
	case 'u': // the weekday, Monday 1 to Sunday 7
		return strconv.Itoa((tm.Wday+6)%7 + 1)
	case 'U': // the week, weeks starting on Sunday, week 1 at the first
		return number(int64((tm.Yday-tm.Wday+7)/7), 2)
	case 'V':
		_, week := isoWeek(tm)
		return number(int64(week), 2)
	case 'w':
		return strconv.Itoa(tm.Wday)
	case 'W': // the week, weeks starting on Monday, week 1 at the first
		return number(int64((tm.Yday-(tm.Wday+6)%7+7)/7), 2)
	case 'y':
		return number(floorMod(tm.Year, 100), 2)
	case 'Y':
		return number(tm.Year, 1)
	case 'z': // +hhmm, the offset's seconds dropped
		sign, off := "+", tm.Offset
		if off < 0 {
			sign, off = "-", -off
		}
		off /= 60
		return sign + number(int64(off/60*100+off%60), 4)
	case 'Z':
		return tm.Zone
	case '%':
		return "%"
	case '3', '4', '5', '6', '7', '8', '9':
		// glibc reads the digit as a width, then finds no conversion:
		// it writes the pair, padded with spaces to the width.
		return strings.Repeat(" ", int(c-'0')-2) + pair
	default:
		return pair
	}
}

// number is glibc's DO_NUMBER: v in decimal, zero-padded to digits
// characters, a minus sign counted among them ("-1" for -1 in 2).
func number(v int64, digits int) string {
	s := strconv.FormatInt(v, 10)
	if len(s) >= digits {
		return s
	}
	zeros := strings.Repeat("0", digits-len(s))
	if v < 0 {
		return "-" + zeros + s[1:]
	}
	return zeros + s
}

// space2 is glibc's DO_NUMBER_SPACEPAD(2): v padded with a space to two
// characters.
func space2(v int) string {
	if 0 <= v && v < 10 {
		return " " + strconv.Itoa(v)
	}
	return strconv.Itoa(v)
}

// clock is "%H:%M:%S" of the three numbers.
func clock(h, m, s int) string {
	return number(int64(h), 2) + ":" + number(int64(m), 2) + ":" + number(int64(s), 2)
}

// isoWeek returns the ISO 8601 week-based year and week number (%G, %V)
// as glibc's iso_week_days computes them.
func isoWeek(tm *Tm) (year int64, week int) {
	year = tm.Year
	days := isoWeekDays(tm.Yday, tm.Wday)
	if days < 0 {
		// The week belongs to the year before.
		year--
		days = isoWeekDays(tm.Yday+daysIn(year), tm.Wday)
	} else if d := isoWeekDays(tm.Yday-daysIn(year), tm.Wday); d >= 0 {
		// The week belongs to the year after.
		year++
		days = d
	}
	return year, days/7 + 1
}

// isoWeekDays is the number of days from the first day of the first ISO
// week of the year to yday (negative before it); wday is yday's weekday.
func isoWeekDays(yday, wday int) int {
	const bigEnoughMultipleOf7 = (366/7 + 2) * 7
	return yday - (yday-wday+4+bigEnoughMultipleOf7)%7 + 4 - 1
}

// daysIn is the number of days in year.
func daysIn(year int64) int {
	if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		return 366
	}
	return 365
}
