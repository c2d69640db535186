package ical

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// unfold undoes RFC 5545 line folding, so that a test can look for a
// whole property line.
func unfold(b []byte) string { return strings.ReplaceAll(string(b), "\r\n ", "") }

// A variant's calendar names its own URL in SOURCE (where RFC 7986 says a
// client refreshes it from) and, when filtered, says so in its name; every
// way of writing a calendar does the same.
func TestVariantHeader(t *testing.T) {
	demo, other := demoSnapshot(t), otherSnapshot(t)
	key := demo.Sessions[0].Key
	write := map[string]func(io.Writer, Options) error{
		"series": func(w io.Writer, o Options) error { return WriteSeries(w, demo, o) },
		"prepared": func(w io.Writer, o Options) error {
			r := NewRenderer()
			if _, err := r.Prepare(demo, goldenOptions()); err != nil { // a cached Prepared of the published options
				return err
			}
			pr, err := r.Prepare(demo, o)
			if err != nil {
				return err
			}
			return pr.WriteSeries(w)
		},
		"combined": func(w io.Writer, o Options) error { return WriteCombined(w, []agenda.Snapshot{demo, other}, o) },
		"combined-spilled": func(w io.Writer, o Options) error {
			c := NewRenderer().NewCombined(o, nil)
			defer c.Close()
			for _, s := range []agenda.Snapshot{demo, other} {
				if err := c.Add(s); err != nil {
					return err
				}
			}
			return c.Write(w)
		},
		"session": func(w io.Writer, o Options) error { return WriteSession(w, demo, key, o) },
	}
	source := map[string]string{
		"series": "https://agenda.example.org/smart-cities/calendar.ics", "prepared": "https://agenda.example.org/smart-cities/calendar.ics",
		"combined": "https://agenda.example.org/calendar.ics", "combined-spilled": "https://agenda.example.org/calendar.ics",
		"session": "https://agenda.example.org/smart-cities/sessions/" + key + ".ics",
	}
	name := map[string]string{
		"series": demo.Series.Title, "prepared": demo.Series.Title,
		"combined": DefaultCombinedTitle, "combined-spilled": DefaultCombinedTitle, "session": demo.Sessions[0].Title,
	}
	for _, tc := range []struct {
		variant    Variant
		query      string // appended to SOURCE
		nameSuffix string // appended to the name
	}{
		{Variant{}, "", ""},
		{Variant{Query: "reminders=15m,1d"}, "?reminders=15m,1d", ""},
		{Variant{Query: "tag=la", Tag: "la"}, "?tag=la", " (tag: la)"},
		{Variant{Query: "speaker=Jane+Roe&tag=la", Tag: "la", Speaker: "Jane Roe"}, "?speaker=Jane+Roe&tag=la", " (tag: la, speaker: Jane Roe)"},
	} {
		for what, f := range write {
			if what == "session" && tc.variant.Tag != "" {
				continue // a session's calendar has no filters
			}
			t.Run(fmt.Sprintf("%s/%s", what, tc.variant.Query), func(t *testing.T) {
				opts := goldenOptions()
				opts.Variant = tc.variant
				var b bytes.Buffer
				if err := f(&b, opts); err != nil {
					t.Fatal(err)
				}
				got := unfold(b.Bytes())
				wantName := text(name[what] + tc.nameSuffix)
				for _, line := range []string{
					"\r\nSOURCE;VALUE=URI:" + source[what] + tc.query + "\r\n",
					"\r\nNAME:" + wantName + "\r\n",
					"\r\nX-WR-CALNAME:" + wantName + "\r\n",
				} {
					if !strings.Contains(got, line) {
						t.Errorf("no %q in\n%.900s", strings.TrimSpace(line), got)
					}
				}
			})
		}
	}
}

// text escapes s as a TEXT value.
func text(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`).Replace(s)
}

// emptyCalendars are calendars without events, by name: a series without
// sessions, and all-series calendars whose series have none (one zone, two
// zones, no series at all), each written by every path that writes one.
func emptyCalendars(t testing.TB) map[string][]byte {
	t.Helper()
	demo, other := demoSnapshot(t), otherSnapshot(t)
	demo.Sessions, other.Sessions = nil, nil
	opts := goldenOptions()
	opts.Variant = Variant{Query: "tag=nonexistent", Tag: "nonexistent"}
	out := map[string][]byte{}
	put := func(name string, f func(w io.Writer) error) {
		var b bytes.Buffer
		if err := f(&b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = b.Bytes()
	}
	put("empty-series", func(w io.Writer) error { return WriteSeries(w, demo, opts) })
	put("empty-prepared", func(w io.Writer) error {
		pr, err := NewRenderer().Prepare(demo, opts)
		if err != nil {
			return err
		}
		return pr.WriteSeries(w)
	})
	for name, snaps := range map[string][]agenda.Snapshot{
		"empty-combined-one-zone":  {demo},
		"empty-combined-two-zones": {demo, other},
		"empty-combined-none":      nil,
	} {
		put(name, func(w io.Writer) error { return WriteCombined(w, snaps, opts) })
		put(name+"-spilled", func(w io.Writer) error {
			c := NewRenderer().NewCombined(opts, nil)
			defer c.Close()
			for _, s := range snaps {
				if err := c.Add(s); err != nil {
					return err
				}
			}
			return c.Write(w)
		})
	}
	return out
}

// A calendar without events still holds a component, as RFC 5545's
// grammar requires: the VTIMEZONE of its zone, over a span taken from the
// data (the series' Updated), so the bytes depend on nothing else.
func TestEmptyCalendarHasTimezone(t *testing.T) {
	cals := emptyCalendars(t)
	wantZone := map[string]string{
		"empty-series": "Europe/Madrid", "empty-prepared": "Europe/Madrid",
		"empty-combined-one-zone": "Europe/Madrid", "empty-combined-two-zones": "Europe/Madrid", // the first series'
		"empty-combined-none": "UTC",
	}
	for name, cal := range cals {
		got := unfold(cal)
		zone := wantZone[strings.TrimSuffix(name, "-spilled")]
		if strings.Count(got, "BEGIN:VTIMEZONE\r\n") != 1 || !strings.Contains(got, "\r\nTZID:"+zone+"\r\n") || strings.Contains(got, "BEGIN:VEVENT") {
			t.Errorf("%s: want one VTIMEZONE %s and no event:\n%s", name, zone, got)
		}
		if _, err := Parse(bytes.NewReader(cal)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Both ways of writing each calendar give the same bytes.
	for _, name := range []string{"empty-combined-one-zone", "empty-combined-two-zones", "empty-combined-none"} {
		if !bytes.Equal(cals[name], cals[name+"-spilled"]) {
			t.Errorf("%s: Combined and WriteCombined differ", name)
		}
	}
	if !bytes.Equal(cals["empty-series"], cals["empty-prepared"]) {
		t.Errorf("empty series: Prepared and WriteSeries differ")
	}
	// The span comes from the series' Updated: a later one moves it, the
	// clock does not.
	demo := demoSnapshot(t)
	demo.Sessions = nil
	var a, b bytes.Buffer
	if err := WriteSeries(&a, demo, goldenOptions()); err != nil {
		t.Fatal(err)
	}
	demo.Series.Updated = demo.Series.Updated.Add(30 * 365 * 24 * time.Hour)
	if err := WriteSeries(&b, demo, goldenOptions()); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("the empty calendar's VTIMEZONE does not follow the series' Updated")
	}
}
