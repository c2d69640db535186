package ical

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/realclient"
)

// alarmReminders are reminders of a day or more, whose nominal and exact
// readings differ by the hour a DST change adds or removes.
var alarmReminders = []time.Duration{15 * time.Minute, 24 * time.Hour, 36 * time.Hour, 7 * 24 * time.Hour}

// alarmSnapshot is a Europe/Madrid series with sessions on both 2026 DST
// change days, a week after each (a 1w reminder across the change) and an
// all-day session on each change day.
func alarmSnapshot(t testing.TB) agenda.Snapshot {
	t.Helper()
	series := agenda.Series{Slug: "dst-alarms", Title: "DST alarms", Zone: "Europe/Madrid", Language: "en",
		Reminders: alarmReminders, Created: created, Updated: updated}
	snap := agenda.Snapshot{Series: series}
	add := func(key string, s agenda.Session) {
		s.Key, s.UID, s.Series, s.Zone, s.Title = key, key+"@alarms.example.org", series.Slug, series.Zone, key
		s.Status, s.Created, s.Updated = agenda.StatusConfirmed, created, updated
		snap.Sessions = append(snap.Sessions, s)
	}
	for _, at := range []string{"2026-03-29T10:00", "2026-04-01T09:30", "2026-10-25T10:00", "2026-10-25T01:30", "2026-10-30T10:00"} {
		w := mustWall(t, at)
		add("t"+at[:10]+"-"+at[11:13], agenda.Session{Start: w, End: mustWall(t, at[:11]+"23:00")})
	}
	for _, d := range []string{"2026-03-29", "2026-10-25"} {
		add("d"+d, agenda.Session{AllDay: true, StartDate: mustDate(t, d), EndDate: mustDate(t, d)})
	}
	return snap
}

// expectedAlarms is when each alarm of snap rings with reminders rs: a timed
// session's at its start minus the exact duration, an all-day session's at
// the wall time that many nominal days and exact hours before its local
// midnight.
func expectedAlarms(t testing.TB, snap agenda.Snapshot, rs []time.Duration) map[string][]string {
	t.Helper()
	want := map[string][]string{}
	for _, s := range snap.Sessions {
		var alarms []string
		for _, r := range rs {
			if s.AllDay {
				days := int(r / (24 * time.Hour))
				y, m, d := s.StartDate.Year, s.StartDate.Month, s.StartDate.Day
				mid := time.Date(y, m, d-days, 0, 0, 0, 0, time.UTC)
				alarms = append(alarms, mid.Add(-(r % (24 * time.Hour))).Format("2006-01-02T15:04:05"))
				continue
			}
			start, _, err := s.Interval()
			if err != nil {
				t.Fatal(err)
			}
			alarms = append(alarms, start.Add(-r).UTC().Format(time.RFC3339))
		}
		want[s.UID] = alarms
	}
	return want
}

// alarmFiles renders snap as its series calendar, the all-series calendar,
// every session's own calendar and each of those as a ?reminders= variant,
// and returns the paths with the reminders each file carries.
func alarmFiles(t *testing.T, snap agenda.Snapshot) map[string][]time.Duration {
	t.Helper()
	dir := t.TempDir()
	files := map[string][]time.Duration{}
	variant := goldenOptions()
	variant.OverrideReminders, variant.Reminders = true, []time.Duration{1440 * time.Minute, 2160 * time.Minute}
	write := func(name string, rs []time.Duration, render func(*bytes.Buffer) error) {
		var b bytes.Buffer
		if err := render(&b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		path := filepath.Join(dir, name+".ics")
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		files[path] = rs
	}
	for _, o := range []struct {
		name string
		opts Options
		rs   []time.Duration
	}{{"own", goldenOptions(), snap.Series.Reminders}, {"variant", variant, variant.Reminders}} {
		write(o.name+"-series", o.rs, func(b *bytes.Buffer) error { return WriteSeries(b, snap, o.opts) })
		write(o.name+"-combined", o.rs, func(b *bytes.Buffer) error {
			return WriteCombined(b, []agenda.Snapshot{snap}, o.opts)
		})
		for _, s := range snap.Sessions {
			write(o.name+"-"+s.Key, o.rs, func(b *bytes.Buffer) error { return WriteSession(b, snap, s.Key, o.opts) })
		}
	}
	return files
}

// TestClientAlarmsAcrossDST checks that ical.js and python-icalendar ring
// every reminder at one instant, the start minus the reminder's exact
// duration, for sessions on and around the days Europe/Madrid changes
// offset, and an all-day session's at the wall time before its midnight.
func TestClientAlarmsAcrossDST(t *testing.T) {
	snap := alarmSnapshot(t)
	files := alarmFiles(t, snap)
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	node := realclient.Node(t, "ical.js")
	python := realclient.Python(t, "icalendar")
	mod := filepath.Join(realclient.RepoRoot(t), "node_modules", "ical.js", "dist", "ical.js")
	clients := []struct {
		name string
		args []string
	}{
		{"ical.js", append([]string{node, filepath.Join("testdata", "icaljs_alarms.mjs"), mod}, paths...)},
		{"python icalendar", append([]string{python, filepath.Join("testdata", "pyical_alarms.py")}, paths...)},
	}
	for _, c := range clients {
		t.Run(c.name, func(t *testing.T) {
			var got []struct {
				File, UID string
				Alarms    []string
			}
			runJSON(t, c.name, c.args, &got)
			seen := map[string]int{}
			for _, g := range got {
				seen[g.File]++
				if w := expectedAlarms(t, snap, files[g.File])[g.UID]; !slices.Equal(g.Alarms, w) {
					t.Errorf("%s: %s: alarms %v, want %v", filepath.Base(g.File), g.UID, g.Alarms, w)
				}
			}
			for _, p := range paths {
				if seen[p] == 0 {
					t.Errorf("%s: %s read no events", c.name, filepath.Base(p))
				}
			}
		})
	}
}
