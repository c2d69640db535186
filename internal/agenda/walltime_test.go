package agenda

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := LoadZone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestParseWallTime(t *testing.T) {
	tests := []struct {
		in, out string
		wantErr bool
	}{
		{"2021-11-17T12:00", "2021-11-17T12:00", false},
		{"2021-11-17T12:00:30", "2021-11-17T12:00:30", false},
		{"2021-11-17 12:00", "2021-11-17T12:00", false},
		{"2021-10-31T02:30+01:00", "2021-10-31T02:30+01:00", false},
		{"2021-10-31T02:30+0200", "2021-10-31T02:30+02:00", false},
		{"2021-10-31T02:30Z", "2021-10-31T02:30+00:00", false},
		{"2021-10-31T02:30-05:30", "2021-10-31T02:30-05:30", false},
		{"2021-11-17", "", true},
		{"2021-13-17T12:00", "", true},
		{"2021-11-17T25:00", "", true},
		{"17/11/2021 12:00", "", true},
		{"2021-11-17T12:00+25:00", "", true},
		{"2021-11-17T12:00+1:0", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		w, err := ParseWallTime(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseWallTime(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && w.String() != tt.out {
			t.Errorf("ParseWallTime(%q) = %q, want %q", tt.in, w.String(), tt.out)
		}
	}
}

func TestWallTimeIn(t *testing.T) {
	madrid := mustZone(t, "Europe/Madrid")
	tests := []struct {
		in      string
		zone    *time.Location
		want    string // UTC RFC 3339, or "" for an error
		wantErr string
	}{
		{"2021-11-17T12:00", madrid, "2021-11-17T11:00:00Z", ""},
		{"2021-07-01T12:00", madrid, "2021-07-01T10:00:00Z", ""},
		{"2021-03-28T02:30", madrid, "", "2021-03-28T02:30 does not exist in Europe/Madrid (clocks skip it for daylight saving time); write an explicit offset to choose 2021-03-28T02:30+01:00 (2021-03-28T01:30:00Z) or 2021-03-28T02:30+02:00 (2021-03-28T00:30:00Z)"},
		{"2021-03-28T02:30+01:00", madrid, "2021-03-28T01:30:00Z", ""},
		{"2021-10-31T02:30", madrid, "", "2021-10-31T02:30 happens twice in Europe/Madrid (clocks go back); write an explicit offset to choose 2021-10-31T02:30+02:00 (2021-10-31T00:30:00Z) or 2021-10-31T02:30+01:00 (2021-10-31T01:30:00Z)"},
		{"2021-10-31T02:30+02:00", madrid, "2021-10-31T00:30:00Z", ""},
		{"2021-10-31T02:30+01:00", madrid, "2021-10-31T01:30:00Z", ""},
		{"2021-11-17T12:00+02:00", madrid, "", "UTC offset +02:00 is not in effect at 2021-11-17T12:00 in Europe/Madrid; expected +01:00"},
		{"2021-11-17T12:00+01:00", madrid, "2021-11-17T11:00:00Z", ""},
		{"2021-09-26T03:00", mustZone(t, "Pacific/Chatham"), "", "does not exist"},
		{"2021-06-01T09:00", mustZone(t, "Asia/Kathmandu"), "2021-06-01T03:15:00Z", ""},
	}
	for _, tt := range tests {
		w, err := ParseWallTime(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := w.In(tt.zone)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s in %s: error %v, want %q", tt.in, tt.zone, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s in %s: %v", tt.in, tt.zone, err)
			continue
		}
		if s := got.UTC().Format(time.RFC3339); s != tt.want {
			t.Errorf("%s in %s = %s, want %s", tt.in, tt.zone, s, tt.want)
		}
	}
}

// Every wall time of a whole year, minute by 15 minutes, resolves to an instant
// whose wall clock is itself, or is reported as a gap or fold.
func TestCandidatesAgreeWithGo(t *testing.T) {
	for _, name := range []string{"Europe/Madrid", "America/Sao_Paulo", "Australia/Sydney", "Pacific/Chatham", "Asia/Kolkata"} {
		loc := mustZone(t, name)
		for c := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC); c.Year() < 2020; c = c.Add(15 * time.Minute) {
			w := WallTimeOf(c)
			for _, inst := range w.Candidates(loc) {
				if got := WallTimeOf(inst.In(loc)); !got.Equal(w) {
					t.Fatalf("%s: candidate %v of %v reads %v", name, inst, w, got)
				}
			}
			got := time.Date(c.Year(), c.Month(), c.Day(), c.Hour(), c.Minute(), 0, 0, loc)
			if n := len(w.Candidates(loc)); n == 1 && !WallTimeOf(got).Equal(w) {
				t.Fatalf("%s: %v has one candidate but Go reads it as %v", name, w, got)
			}
		}
	}
}

func TestReminders(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		out  string
	}{
		{"15m", 15 * time.Minute, "15m"},
		{"1h", time.Hour, "1h"},
		{"1d", 24 * time.Hour, "1d"},
		{"1w", 7 * 24 * time.Hour, "1w"},
		{"1d12h", 36 * time.Hour, "1d12h"},
		{"90m", 90 * time.Minute, "1h30m"},
		{"1h30m0s", 90 * time.Minute, "1h30m"},
	}
	for _, tt := range tests {
		d, err := ParseReminder(tt.in)
		if err != nil || d != tt.want {
			t.Errorf("ParseReminder(%q) = %v, %v; want %v", tt.in, d, err, tt.want)
		}
		if s := FormatReminder(d); s != tt.out {
			t.Errorf("FormatReminder(%v) = %q, want %q", d, s, tt.out)
		}
	}
	for _, bad := range []string{"", "15", "m", "15s", "1y", "-15m", "15 m", "9999999m"} {
		if _, err := ParseReminder(bad); err == nil {
			t.Errorf("ParseReminder(%q) succeeded", bad)
		}
	}
}

func FuzzParseWallTime(f *testing.F) {
	for _, s := range []string{"2021-11-17T12:00", "2021-10-31T02:30+01:00", "2021-11-17T12:00:30Z", "x", "2021-11-17T12:00-"} {
		f.Add(s)
	}
	madrid, _ := LoadZone("Europe/Madrid")
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseWallTime(s)
		if err != nil {
			return
		}
		again, err := ParseWallTime(w.String())
		if err != nil || !again.Equal(w) {
			t.Fatalf("%q -> %q -> %v, %v", s, w.String(), again, err)
		}
		_, _ = w.In(madrid) // must not panic
	})
}

func FuzzParseReminder(f *testing.F) {
	for _, s := range []string{"15m", "1d12h", "1w", "0m", "99999m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseReminder(s)
		if err != nil || d <= 0 {
			return
		}
		back, err := ParseReminder(FormatReminder(d))
		if err != nil || back != d {
			t.Fatalf("%q -> %v -> %q -> %v, %v", s, d, FormatReminder(d), back, err)
		}
	})
}

// In's fast path gives what listing the candidates gives (inSlow): the
// same instant, or an error either way, for wall times every 15 minutes
// within 30 hours of each DST change of 2019-2020 and at random moments, in
// zones with gaps, folds, half-hour and 45-minute offsets, with and
// without explicit offsets, in slim and fattened zones.
func TestInFastPathAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, name := range []string{"Europe/Madrid", "America/Sao_Paulo", "Australia/Sydney", "Pacific/Chatham", "Asia/Kolkata", "Australia/Lord_Howe"} {
		slim := mustZone(t, name)
		fat, err := LoadFastZone(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, loc := range []*time.Location{slim, fat} {
			check := func(c time.Time) {
				w := WallTimeOf(c)
				_, off := c.In(loc).Zone() // near this wall time's own offsets
				for _, v := range []WallTime{w, w.WithOffset(off), w.WithOffset(off + 1800), w.WithOffset(off - 3600)} {
					got, gerr := v.In(loc)
					want, werr := v.inSlow(loc)
					if (gerr == nil) != (werr == nil) || !got.Equal(want) || (gerr == nil && got.Location() != want.Location()) {
						t.Fatalf("%s: %v.In = %v, %v; inSlow = %v, %v", name, v, got, gerr, want, werr)
					}
				}
			}
			for at := time.Date(2019, 1, 1, 0, 0, 0, 0, loc); at.Year() < 2021; {
				_, end := at.ZoneBounds()
				if end.IsZero() || !end.After(at) {
					break
				}
				wall := time.Date(end.Year(), end.Month(), end.Day(), end.Hour(), end.Minute(), 0, 0, time.UTC)
				for c := wall.Add(-30 * time.Hour); c.Before(wall.Add(30 * time.Hour)); c = c.Add(15 * time.Minute) {
					check(c)
				}
				at = end
			}
			for range 2000 {
				check(time.Unix(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Unix()+rng.Int64N(50*365*86400), 0).UTC().Truncate(time.Minute))
			}
		}
	}
}

// A validation error quotes a wall time as it was written: "Z" is not
// turned into "+00:00", nor ":00" seconds dropped, in the value or in
// the message about another field.
func TestValidateQuotesWallTimeAsWritten(t *testing.T) {
	for _, tt := range []struct {
		name, zone, start, end string
		want                   string // the error text
	}{
		{"offset not in effect, Z", "Europe/Madrid", "2021-11-17T13:00Z", "2021-11-17T15:00+01:00",
			`start: "2021-11-17T13:00Z": UTC offset +00:00 is not in effect at 2021-11-17T13:00 in Europe/Madrid; expected +01:00`},
		{"offset not in effect, seconds and Z", "Europe/Madrid", "2021-11-17T13:00:00Z", "2021-11-17T15:00+01:00",
			`start: "2021-11-17T13:00:00Z": UTC offset +00:00 is not in effect at 2021-11-17T13:00 in Europe/Madrid; expected +01:00`},
		{"end before start", "UTC", "2021-11-17T13:00:00Z", "2021-11-17T12:00Z",
			`end: "2021-11-17T12:00Z": expected a time after start 2021-11-17T13:00:00Z`},
		{"other spellings", "UTC", "2021-11-17 13:00+0000", "2021-11-17T12:00:00z",
			`end: "2021-11-17T12:00:00z": expected a time after start 2021-11-17 13:00+0000`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			start, err := ParseWallTime(tt.start)
			if err != nil {
				t.Fatal(err)
			}
			end, err := ParseWallTime(tt.end)
			if err != nil {
				t.Fatal(err)
			}
			s := Session{Series: "debates", Key: "k", Title: "T", Zone: tt.zone, Start: start, End: end}
			s.Normalize(nil)
			err = s.Validate()
			if err == nil || err.Error() != tt.want {
				t.Errorf("Validate() = %v\nwant %s", err, tt.want)
			}
		})
	}
	// What is stored and sent stays canonical.
	w, _ := ParseWallTime("2021-11-17T13:00:00Z")
	if got := w.String(); got != "2021-11-17T13:00+00:00" {
		t.Errorf("String() = %q, want the canonical 2021-11-17T13:00+00:00", got)
	}
	if c, _ := ParseWallTime("2021-11-17T13:00+00:00"); !w.Equal(c) {
		t.Error("Z and +00:00 are not Equal")
	}
}

// The gap and fold messages name the wall time as written too; the
// readings they offer are canonical.
func TestInQuotesWallTimeAsWritten(t *testing.T) {
	madrid, err := LoadZone("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"2021-03-28 02:30:00": "2021-03-28 02:30:00 does not exist in Europe/Madrid (clocks skip it for daylight saving time); write an explicit offset to choose 2021-03-28T02:30+01:00 (2021-03-28T01:30:00Z) or 2021-03-28T02:30+02:00 (2021-03-28T00:30:00Z)",
		"2021-10-31T02:30:00": "2021-10-31T02:30:00 happens twice in Europe/Madrid (clocks go back); write an explicit offset to choose 2021-10-31T02:30+02:00 (2021-10-31T00:30:00Z) or 2021-10-31T02:30+01:00 (2021-10-31T01:30:00Z)",
	} {
		w, err := ParseWallTime(in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.In(madrid); err == nil || err.Error() != want {
			t.Errorf("In(%q) = %v\nwant %s", in, err, want)
		}
	}
}

func TestWallTimeSameIn(t *testing.T) {
	for _, tt := range []struct {
		zone, a, b string
		want       bool
	}{
		{"America/New_York", "2027-06-01T10:00", "2027-06-01T10:00", true},
		{"America/New_York", "2027-06-01T10:00-04:00", "2027-06-01T10:00", true},
		{"America/New_York", "2027-06-01T10:00-04:00", "2027-06-01T10:00-04:00", true},
		{"America/New_York", "2027-06-01T10:00", "2027-06-01T10:01", false},
		{"America/New_York", "2027-06-01T10:00-04:00", "2027-06-01T11:00", false},
		// A wrong offset does not resolve: only an equal value is the same.
		{"America/New_York", "2027-06-01T10:00-05:00", "2027-06-01T10:00", false},
		// In the autumn fold the offset picks the instant.
		{"Europe/Madrid", "2026-10-25T02:30+02:00", "2026-10-25T02:30+01:00", false},
		{"Europe/Madrid", "2026-10-25T02:30+01:00", "2026-10-25T02:30+01:00", true},
		// In the spring gap the two offsets name two instants.
		{"Europe/Madrid", "2026-03-29T02:30+01:00", "2026-03-29T02:30+02:00", false},
		// 02:30+01:00 in the gap is the instant of 03:30, but published as
		// a UTC time, not as 03:30 with TZID: a change.
		{"Europe/Madrid", "2026-03-29T02:30+01:00", "2026-03-29T03:30", false},
		{"Asia/Kolkata", "2026-03-29T09:00+05:30", "2026-03-29T09:00", true},
	} {
		loc := mustZone(t, tt.zone)
		a, err := ParseWallTime(tt.a)
		if err != nil {
			t.Fatal(err)
		}
		b, err := ParseWallTime(tt.b)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.SameIn(b, loc); got != tt.want {
			t.Errorf("%s: SameIn(%s, %s) = %v, want %v", tt.zone, tt.a, tt.b, got, tt.want)
		}
		if got := b.SameIn(a, loc); got != tt.want {
			t.Errorf("%s: SameIn(%s, %s) = %v, want %v", tt.zone, tt.b, tt.a, got, tt.want)
		}
	}
}
