package strftime

import (
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The comparison with the real lua5.1 is TestOSDateMatchesLua51 at the
// module's root; these check the package against Go's time package, an
// independent implementation of the calendar, and its own invariants.

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("zone %s: %v (Debian package tzdata)", name, err)
	}
	return loc
}

// TestBreakDownMatchesGo: Gmtime and Localtime give the fields Go's time
// gives, for random times over ±300,000 years and every day of 1890-2110.
func TestBreakDownMatchesGo(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	rng := rand.New(rand.NewSource(1))
	var secs []int64
	for range 20000 {
		secs = append(secs, rng.Int63n(2e13)-1e13)
	}
	for d := int64(-29220); d < 51500; d++ { // 1890 to 2110
		secs = append(secs, d*86400+rng.Int63n(86400))
	}
	for _, sec := range secs {
		for _, loc := range []*time.Location{time.UTC, ny} {
			var tm Tm
			var ok bool
			if loc == time.UTC {
				tm, ok = Gmtime(sec, ny)
			} else {
				tm, ok = Localtime(sec, loc)
			}
			if !ok {
				t.Fatalf("%d in %s: not broken down", sec, loc)
			}
			g := time.Unix(sec, 0).In(loc)
			zone, off := g.Zone()
			if loc == time.UTC {
				zone = "GMT"
			}
			want := Tm{
				Year: int64(g.Year()), Month: int(g.Month()), Day: g.Day(),
				Hour: g.Hour(), Min: g.Minute(), Sec: g.Second(),
				Wday: int(g.Weekday()), Yday: g.YearDay() - 1, IsDST: g.IsDST(), Offset: off, Zone: zone,
			}
			got := tm
			got.unix, got.mktimeIn = 0, nil
			if got != want {
				t.Fatalf("%d in %s:\n got %+v\nwant %+v", sec, loc, got, want)
			}
		}
	}
}

// TestISOWeekMatchesGo: %G, %g and %V are Go's ISOWeek on every day of
// 1600-2400.
func TestISOWeekMatchesGo(t *testing.T) {
	for d := int64(-135140); d < 157054; d++ {
		sec := d*86400 + 43200
		tm, _ := Gmtime(sec, time.UTC)
		year, week := time.Unix(sec, 0).UTC().ISOWeek()
		got := Format(&tm, "%G %V %g")
		want := strconv.Itoa(year) + " " + two(week) + " " + two(((year%100)+100)%100)
		if got != want {
			t.Fatalf("%s: want %q; got %q", time.Unix(sec, 0).UTC(), want, got)
		}
	}
}

func two(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// TestYearLimits: the first and last seconds of the years C's tm_year
// holds break down; one second beyond does not.
func TestYearLimits(t *testing.T) {
	first := daysFromCivil(MinYear, 1, 1) * 86400
	last := (daysFromCivil(MaxYear, 12, 31)+1)*86400 - 1
	for _, c := range []struct {
		sec  int64
		ok   bool
		want string
	}{
		{first, true, "Thu Jan  1 00:00:00 -2147481748"},
		{first - 1, false, ""},
		{last, true, "Wed Dec 31 23:59:59 2147485547"},
		{last + 1, false, ""},
		{-1e17, false, ""},
		{1e17, false, ""},
	} {
		tm, ok := Gmtime(c.sec, time.UTC)
		if ok != c.ok {
			t.Fatalf("Gmtime(%d): want ok %v; got %v", c.sec, c.ok, ok)
		}
		if ok {
			if got := Format(&tm, "%c"); got != c.want {
				t.Errorf("Gmtime(%d) %%c: want %q; got %q", c.sec, c.want, got)
			}
			if n := len(c.want); n > 2*MaxPerByte {
				t.Errorf("%%c is %d bytes, over MaxPerByte for 2", n)
			}
		}
	}
}

// TestGmtimeEpochIsMktime: "!%s" reads the UTC fields as local standard
// time, as glibc's mktime with tm_isdst 0 does, in summer too.
func TestGmtimeEpochIsMktime(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	kolkata := mustLoad(t, "Asia/Kolkata")
	for _, c := range []struct {
		sec   int64
		loc   *time.Location
		shift int64
	}{
		{1719835200, ny, 5 * 3600}, // 1 July 2024: EDT, but mktime takes EST
		{1704067200, ny, 5 * 3600}, // 1 January 2024
		{1719835200, kolkata, -19800},
		{1719835200, time.UTC, 0},
	} {
		tm, _ := Gmtime(c.sec, c.loc)
		want := strconv.FormatInt(c.sec+c.shift, 10)
		if got := Format(&tm, "%s"); got != want {
			t.Errorf("%d, %s: want %s; got %s", c.sec, c.loc, want, got)
		}
		lt, _ := Localtime(c.sec, c.loc)
		if got := Format(&lt, "%s"); got != strconv.FormatInt(c.sec, 10) {
			t.Errorf("local %d, %s: %%s is %s", c.sec, c.loc, got)
		}
	}
}

// TestChargeCountsTheWork: Size charges the format's bytes and Append the
// result's, in pieces of about 64 KiB.
func TestChargeCountsTheWork(t *testing.T) {
	tm, _ := Gmtime(784111777, time.UTC)
	e := New(&tm)
	format := strings.Repeat("%c.", 100000)
	var scanned, calls int
	size := e.Size(format, func(n int) { scanned += n; calls++ })
	if size != 2500000 || scanned < len(format)-chunk || calls < len(format)/chunk-1 {
		t.Fatalf("Size: %d bytes, %d scanned in %d charges", size, scanned, calls)
	}
	var b strings.Builder
	written := 0
	e.Append(&b, format, func(n int) { written += n })
	if b.Len() != 2500000 || written < b.Len()-chunk || written > b.Len() {
		t.Fatalf("Append: %d bytes, %d charged", b.Len(), written)
	}
	if !strings.HasPrefix(b.String(), "Sun Nov  6 08:49:37 1994.Sun") {
		t.Fatalf("Append: %q", b.String()[:40])
	}
}

// FuzzStrftime: any format at any time expands without a panic, to the
// size Size says, at most MaxPerByte a byte; text without "%" is copied,
// a format ends at a NUL, and expanding a format in two pieces cut
// between conversions gives the whole.
func FuzzStrftime(f *testing.F) {
	f.Add(int64(784111777), "!%a, %d %b %Y %H:%M:%S GMT", uint8(3))
	f.Add(int64(-62167219201), "%c %G %V %C %y %s %z %Z", uint8(0))
	f.Add(int64(0), "%5%3%E%O%%%\x00%c", uint8(200))
	f.Add(int64(-67768040609740800), "%c%c", uint8(1))
	f.Fuzz(func(t *testing.T, sec int64, format string, zone uint8) {
		locs := []*time.Location{time.UTC, mustLoad(t, "America/New_York"), mustLoad(t, "Asia/Kolkata")}
		loc := locs[int(zone)%len(locs)]
		var tm Tm
		var ok bool
		if zone&1 == 0 {
			tm, ok = Gmtime(sec, loc)
		} else {
			tm, ok = Localtime(sec, loc)
		}
		if !ok {
			if sec > -secBound/2 && sec < secBound/2 {
				t.Fatalf("%d not broken down", sec)
			}
			return
		}
		e := New(&tm)
		size := e.Size(format, nil)
		var b strings.Builder
		e.Append(&b, format, nil)
		out := b.String()
		if int64(len(out)) != size {
			t.Fatalf("%q: Size %d, expansion %d bytes", format, size, len(out))
		}
		c := CString(format)
		if size > int64(MaxPerByte*len(c)) {
			t.Fatalf("%q: %d bytes, over %d a byte", format, size, MaxPerByte)
		}
		if !strings.Contains(c, "%") && out != c {
			t.Fatalf("%q: text copied as %q", c, out)
		}
		// Cut after a conversion or a plain byte.
		for i := 0; i < len(c); i++ {
			if c[i] == '%' {
				i++
			}
			if i+1 < len(c) && i%7 == 3 {
				if two := Format(&tm, c[:i+1]) + Format(&tm, c[i+1:]); two != out {
					t.Fatalf("%q cut at %d: %q, whole %q", c, i+1, two, out)
				}
				break
			}
		}
	})
}
