package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/peer"
)

// Issue 24, item 6: os.date matches C's strftime. testdata/osdate/
// compare.lua prints os.date's result for every conversion at many times
// (year boundaries for %U %V %W %G %g %j, leap years, midnight and noon,
// single-digit days, times before 1970 and years outside 1000-9999),
// local and "!" (UTC), the "*t" tables, every byte after "%", Lua 5.1's
// rules (a NUL ends the format, exactly "*t", a nil time) and the times C
// cannot break down; the real lua5.1 (Debian package lua5.1; ./test.sh
// installs it, and with CI=true a missing one fails the test) and
// gonetrepl run it under the same TZ, and every line must be the same.

// osdateZones are the TZ values both run under: UTC, negative and
// positive offsets with DST (New York, Lord Howe's half hour of DST),
// offsets of half and three quarters of an hour (Kolkata, St John's,
// Chatham), and Dublin, whose tzdata DST is negative in winter.
var osdateZones = []string{
	"UTC", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
	"America/St_Johns", "Pacific/Chatham", "Europe/Dublin",
}

func TestOSDateMatchesLua51(t *testing.T) {
	t.Parallel()
	lua51 := peer.Find(t, "lua5.1", "lua5.1")
	const script = "testdata/osdate/compare.lua"
	for _, zone := range osdateZones {
		t.Run(strings.ReplaceAll(zone, "/", "_"), func(t *testing.T) {
			if _, err := time.LoadLocation(zone); err != nil {
				t.Fatalf("zone %s: %v (Debian package tzdata)", zone, err)
			}
			env := []string{"TZ=" + zone}
			ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
			defer cancel()
			cmd := exec.CommandContext(ctx, lua51, script)
			cmd.Env = append(os.Environ(), env...)
			cmd.WaitDelay = 5 * time.Second
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("lua5.1 %s: %v", script, err)
			}
			want := strings.Split(string(out), "\n")
			if len(want) < 20000 {
				t.Fatalf("lua5.1 printed %d lines; want the whole corpus (over 20000)", len(want))
			}
			r := runPlainCLIEnv(t, env, "", script)
			if r.code != 0 {
				t.Errorf("gonetrepl %s: status %d, stderr %q; comparing what it printed", script, r.code, r.stderr)
			}
			got := strings.Split(r.stdout, "\n")
			if differ := compareLines(t, "lua5.1", "gonetrepl", want, got); differ > 0 {
				t.Errorf("TZ=%s: %d of %d lines differ", zone, differ, len(want))
			}
		})
	}
}
