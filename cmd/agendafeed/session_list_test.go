package main

import (
	"strings"
	"testing"
)

// session list selects the sessions overlapping [-from, -to), as the API
// does: -to equal to -from selects nothing, and -to before -from is
// refused, naming both flags and values, where it printed an empty list.
func TestSessionListRange(t *testing.T) {
	te := newTestEnv(t)
	te.must("series", "add", "debates", "-title", "Debates", "-zone", "UTC")
	// Runs through midnight, so that it overlaps both days.
	te.must("session", "add", "debates/night", "-title", "Night", "-start", "2026-12-21T23:00", "-end", "2026-12-22T01:00")
	for _, tt := range []struct {
		from, to string
		code     int
		listed   bool
		msg      string
	}{
		{"2026-12-21", "2026-12-23", 0, true, ""},
		{"2026-12-22", "2026-12-23", 0, true, ""},
		{"2026-12-22", "2026-12-22", 0, false, ""},
		{"2026-12-22", "2026-12-21", 1, false, `-to: "2026-12-21": expected a date on or after -from "2026-12-22"`},
		{"2026-12-22", "notadate", 2, false, `-to: "notadate": expected a date as YYYY-MM-DD`},
	} {
		out, errs, code := te.run("", "session", "list", "-from", tt.from, "-to", tt.to)
		if code != tt.code || !strings.Contains(errs, tt.msg) || strings.Contains(out, "debates/night") != tt.listed {
			t.Errorf("-from %s -to %s: exit %d, stdout %q, stderr %q; want exit %d, listed %v, %q",
				tt.from, tt.to, code, out, errs, tt.code, tt.listed, tt.msg)
		}
		if tt.code == 1 && strings.Contains(errs, "Run 'agendafeed help'") {
			t.Errorf("-from %s -to %s: a refused range is not a usage error: %q", tt.from, tt.to, errs)
		}
	}
}

// An unknown -series is refused, naming the flag and value, where it
// printed an empty table that read as "no sessions".
func TestSessionListUnknownSeries(t *testing.T) {
	te := newTestEnv(t)
	te.must("series", "add", "debates", "-title", "Debates", "-zone", "UTC")
	out, errs, code := te.run("", "session", "list", "-series", "debtes")
	if want := `-series: "debtes": expected the slug of an existing series`; code != 1 || !strings.Contains(errs, want) || strings.Contains(out, "REF") {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and %q", code, out, errs, want)
	}
	if _, errs, code := te.run("", "session", "list", "-series", "debates"); code != 0 {
		t.Errorf("a known series: exit %d, stderr %q", code, errs)
	}
}
