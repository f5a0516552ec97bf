package strftime

import (
	"math"
	"time"
)

// gonetrepl patch: os.date as C's strftime. This file is C's gmtime and
// localtime: a time in seconds broken down into the fields strftime reads.

// Tm is a broken-down time, C's struct tm as glibc fills it. Make one with
// Gmtime or Localtime.
type Tm struct {
	Year   int64 // the year itself (C's tm_year + 1900): 1994, 0, -1
	Month  int   // 1-12
	Day    int   // 1-31
	Hour   int   // 0-23
	Min    int   // 0-59
	Sec    int   // 0-59 (tz leap seconds are not counted, as in Go)
	Wday   int   // days since Sunday, 0-6
	Yday   int   // days since January 1, 0-365
	IsDST  bool
	Offset int    // seconds east of UTC (%z)
	Zone   string // the zone's abbreviation (%Z): "GMT" for Gmtime

	unix int64 // the time broken down
	// mktimeIn is, for a Gmtime, the zone in which %s reads the fields:
	// glibc's %s is mktime of the fields, local time whatever made them.
	mktimeIn *time.Location
}

// MinYear and MaxYear are the years a Tm can hold: C's tm_year is an int,
// so gmtime and localtime fail outside (and Lua 5.1's os.date returns
// nil).
const (
	MinYear = math.MinInt32 + 1900
	MaxYear = math.MaxInt32 + 1900
)

// secBound is beyond any time whose year is within MinYear..MaxYear
// (about 6.8e16 seconds); a time past it fails before any arithmetic
// that could overflow.
const secBound = 1e17

// Gmtime breaks sec seconds since the epoch down in UTC, as C's gmtime,
// and reports whether its year is within MinYear..MaxYear. local is the
// zone in which %s reads the fields (glibc calls mktime, which takes them
// as local time with tm_isdst 0).
func Gmtime(sec int64, local *time.Location) (Tm, bool) {
	tm, ok := breakDown(sec, 0)
	tm.Zone = "GMT"
	tm.mktimeIn = local
	return tm, ok
}

// Localtime breaks sec seconds since the epoch down in loc, as C's
// localtime with TZ naming loc, and reports whether its year is within
// MinYear..MaxYear.
func Localtime(sec int64, loc *time.Location) (Tm, bool) {
	if sec <= -secBound || sec >= secBound {
		return Tm{}, false
	}
	t := time.Unix(sec, 0).In(loc)
	zone, offset := t.Zone()
	tm, ok := breakDown(sec, offset)
	tm.IsDST = t.IsDST()
	tm.Offset = offset
	tm.Zone = zone
	return tm, ok
}

// breakDown fills the calendar fields of sec shifted by offset seconds.
func breakDown(sec int64, offset int) (Tm, bool) {
	if sec <= -secBound || sec >= secBound {
		return Tm{}, false
	}
	local := sec + int64(offset)
	days := floorDiv(local, 86400)
	rem := int(local - days*86400)
	year, month, day := civil(days)
	tm := Tm{
		Year: year, Month: month, Day: day,
		Hour: rem / 3600, Min: rem / 60 % 60, Sec: rem % 60,
		Wday: int(floorMod(days+4, 7)), // 1970-01-01 was a Thursday
		Yday: int(days - daysFromCivil(year, 1, 1)),
		unix: sec,
	}
	return tm, MinYear <= year && year <= MaxYear
}

// civil returns the proleptic Gregorian date of days since 1970-01-01
// (Howard Hinnant's civil_from_days).
func civil(days int64) (year int64, month, day int) {
	z := days + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // [0, 365], from March 1
	mp := (5*doy + 2) / 153                                // [0, 11], March = 0
	day = int(doy - (153*mp+2)/5 + 1)
	month = int(mp + 3)
	if month > 12 {
		month -= 12
	}
	year = yoe + era*400
	if month <= 2 {
		year++
	}
	return year, month, day
}

// daysFromCivil is the inverse of civil.
func daysFromCivil(year int64, month, day int) int64 {
	if month <= 2 {
		year--
	}
	era := floorDiv(year, 400)
	yoe := year - era*400
	m := int64(month+9) % 12 // March = 0
	doy := (153*m+2)/5 + int64(day) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// epoch is what %s shows: mktime of the fields. For a Localtime that is
// the time itself; for a Gmtime, the fields read as local standard time
// in mktimeIn (glibc's mktime with tm_isdst 0).
func (tm *Tm) epoch() int64 {
	if tm.mktimeIn == nil {
		return tm.unix
	}
	return mktimeStandard(tm.unix, tm.mktimeIn)
}

// mktimeStandard returns the time whose wall clock in loc, read as
// standard time, is wall (wall clock fields counted as seconds since the
// epoch, as if UTC): glibc's mktime with tm_isdst 0. Where the wall time
// is daylight saving time, glibc probes neighbouring times a stride apart
// for one that is not, and uses its offset; so does this.
func mktimeStandard(wall int64, loc *time.Location) int64 {
	_, off := time.Unix(wall, 0).In(loc).Zone()
	t := wall - int64(off)
	at := time.Unix(t, 0).In(loc)
	if _, off2 := at.Zone(); off2 != off {
		t = wall - int64(off2)
		at = time.Unix(t, 0).In(loc)
	}
	if !at.IsDST() {
		return t
	}
	// glibc's mktime (time/mktime.c): a stride shorter than any DST or
	// standard period of tzdata, over half the longest DST period.
	const stride, bound = 601200, 536454000/2 + 601200
	for delta := int64(stride); delta < bound; delta += stride {
		for _, probe := range [2]int64{t - delta, t + delta} {
			if p := time.Unix(probe, 0).In(loc); !p.IsDST() {
				_, off := p.Zone()
				return wall - int64(off)
			}
		}
	}
	return t
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }
