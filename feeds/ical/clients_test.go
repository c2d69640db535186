package ical

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/realclient"
)

// corpusZones are the zones the real-client test covers.
var corpusZones = []string{"Europe/Madrid", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
	"Asia/Kuala_Lumpur", "Pacific/Chatham", "America/Sao_Paulo"}

// triggers are the TRIGGER values the corpus reminders must come out as in
// a timed session (exact hours) and in an all-day one (nominal days).
var triggers = map[bool]map[time.Duration]string{
	false: {15 * time.Minute: "-PT15M", time.Hour: "-PT1H", 24 * time.Hour: "-PT24H", 7 * 24 * time.Hour: "-PT168H"},
	true:  {15 * time.Minute: "-PT15M", time.Hour: "-PT1H", 24 * time.Hour: "-P1D", 7 * 24 * time.Hour: "-P1W"},
}

// clientEvent is what every client reports for an event.
type clientEvent struct {
	UID, Start, End string
	Alarms          []string
}

// wallAt is the wall time of instant x in loc, with an explicit offset when
// that wall time is not unique there (a fold) so that it names x.
func wallAt(x time.Time, loc *time.Location) agenda.WallTime {
	x = x.In(loc)
	w := agenda.WallTimeOf(x)
	if len(w.Candidates(loc)) != 1 {
		_, off := x.Zone()
		w = w.WithOffset(off)
	}
	return w
}

// dstCorpus builds one snapshot per zone with sessions before, after, at and
// across every offset change of 2019-2030, plus two plain sessions a month.
func dstCorpus(t testing.TB) []agenda.Snapshot {
	t.Helper()
	var snaps []agenda.Snapshot
	for zi, zone := range corpusZones {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		series := agenda.Series{Slug: fmt.Sprintf("zone-%d", zi), Title: zone, Zone: zone, Language: "en",
			Reminders: []time.Duration{15 * time.Minute, 24 * time.Hour}, Updated: updated}
		n := 0
		add := func(s agenda.Session) {
			n++
			s.UID = fmt.Sprintf("z%d-%d@test.example.org", zi, n)
			s.Key = fmt.Sprintf("s%d", n)
			s.Series, s.Zone, s.Status = series.Slug, zone, agenda.StatusConfirmed
			if s.Title == "" {
				s.Title = fmt.Sprintf("%s session %d", zone, n)
			}
			s.Created, s.Updated = created, updated
			series.Title = zone
			snaps = append(snaps[:len(snaps):len(snaps)], agenda.Snapshot{}) // placeholder, replaced below
			snaps = snaps[:len(snaps)-1]
			if len(snaps) == zi {
				snaps = append(snaps, agenda.Snapshot{Series: series})
			}
			snaps[zi].Sessions = append(snaps[zi].Sessions, s)
		}
		timed := func(a, b time.Time) {
			add(agenda.Session{Start: wallAt(a, loc), End: wallAt(b, loc)})
		}
		from := time.Date(2019, 1, 1, 0, 0, 0, 0, loc)
		to := time.Date(2031, 1, 1, 0, 0, 0, 0, loc)
		for _, o := range goOnsets(loc, from, to) {
			T := o.at
			xs := []time.Time{T.Add(-90 * time.Minute), T.Add(-time.Minute), T, T.Add(time.Minute), T.Add(90 * time.Minute)}
			for _, p := range [][2]int{{0, 1}, {1, 2}, {1, 3}, {2, 4}, {0, 4}, {3, 4}} {
				timed(xs[p[0]], xs[p[1]])
			}
			d := agenda.DateOf(T.In(loc))
			add(agenda.Session{AllDay: true, StartDate: d, EndDate: d})
		}
		for y := 2019; y <= 2030; y++ {
			for m := time.January; m <= time.December; m++ {
				timed(time.Date(y, m, 15, 9, 30, 0, 0, loc), time.Date(y, m, 15, 11, 0, 0, 0, loc))
				timed(time.Date(y, m, 28, 23, 0, 0, 0, loc), time.Date(y, m, 29, 1, 15, 0, 0, loc))
			}
		}
		if len(snaps) == zi {
			snaps = append(snaps, agenda.Snapshot{Series: series})
		}
	}
	return snaps
}

// expected is what Go says every event of snaps is.
func expected(t testing.TB, snaps []agenda.Snapshot) map[string]clientEvent {
	t.Helper()
	want := map[string]clientEvent{}
	for _, snap := range snaps {
		for _, s := range snap.Sessions {
			e := clientEvent{UID: s.UID, Alarms: []string{}}
			if s.AllDay {
				e.Start, e.End = s.StartDate.String(), s.EndDate.AddDays(1).String()
			} else {
				a, b, err := s.Interval()
				if err != nil {
					t.Fatal(err)
				}
				e.Start, e.End = a.UTC().Format(time.RFC3339), b.UTC().Format(time.RFC3339)
			}
			if s.Status != agenda.StatusCancelled {
				for _, r := range snap.Series.Reminders {
					e.Alarms = append(e.Alarms, triggers[s.AllDay][r])
				}
			}
			want[s.UID] = e
		}
	}
	return want
}

// writeCorpus renders one file per snapshot plus the demo files and returns
// the paths and the expected events.
func writeCorpus(t *testing.T) ([]string, map[string]clientEvent) {
	t.Helper()
	dir := t.TempDir()
	snaps := dstCorpus(t)
	demo := []agenda.Snapshot{demoSnapshot(t), otherSnapshot(t)}
	var files []string
	for i, s := range snaps {
		path := filepath.Join(dir, fmt.Sprintf("zone-%d.ics", i))
		var b bytes.Buffer
		if err := WriteSeries(&b, s, goldenOptions()); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	var b bytes.Buffer
	if err := WriteCombined(&b, demo, goldenOptions()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "combined.ics")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	files = append(files, path)
	// Calendars without events (a filter that matched nothing, a series
	// without sessions, no series at all): each carries only a VTIMEZONE,
	// which every client must read (the checkers build a zone from it).
	for name, cal := range emptyCalendars(t) {
		path := filepath.Join(dir, name+".ics")
		if err := os.WriteFile(path, cal, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	return files, expected(t, append(snaps, demo...))
}

// writeSessionCorpus renders every session of the same snapshots as its
// own calendar (WriteSession: the "add to calendar" file, whose VTIMEZONE
// covers only that one event's span, DST changes included) and returns the
// paths and the expected events.
func writeSessionCorpus(t *testing.T) ([]string, map[string]clientEvent) {
	t.Helper()
	dir := t.TempDir()
	snaps := append(dstCorpus(t), demoSnapshot(t), otherSnapshot(t))
	var files []string
	for _, snap := range snaps {
		for _, s := range snap.Sessions {
			var b bytes.Buffer
			if err := WriteSession(&b, snap, s.Key, goldenOptions()); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, snap.Series.Slug+"-"+s.Key+".ics")
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, path)
		}
	}
	return files, expected(t, snaps)
}

// corpora are what every client reads: the series and all-series
// calendars, then every session's own calendar.
var corpora = []struct {
	name  string
	write func(t *testing.T) ([]string, map[string]clientEvent)
}{
	{"series", writeCorpus},
	{"sessions", writeSessionCorpus},
}

func compareEvents(t *testing.T, client string, got []clientEvent, want map[string]clientEvent, checkAlarms bool) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d events, want %d", client, len(got), len(want))
	}
	bad := 0
	for _, g := range got {
		w, ok := want[g.UID]
		if !ok {
			t.Errorf("%s: unexpected UID %q", client, g.UID)
			continue
		}
		if g.Start != w.Start || g.End != w.End || (checkAlarms && !slices.Equal(g.Alarms, w.Alarms)) {
			if bad++; bad <= 10 {
				t.Errorf("%s: %s: got %s..%s %v, Go says %s..%s %v", client, g.UID, g.Start, g.End, g.Alarms, w.Start, w.End, w.Alarms)
			}
		}
	}
	if bad > 10 {
		t.Errorf("%s: %d events differ in all", client, bad)
	}
	t.Logf("%s: %d events checked, %d differ", client, len(got), bad)
}

func TestClientIcalJS(t *testing.T) {
	for _, c := range corpora {
		t.Run(c.name, func(t *testing.T) {
			files, want := c.write(t)
			var got []clientEvent
			runJSON(t, "node and ical.js", icalJSCommand(t, files), &got)
			compareEvents(t, "ical.js", got, want, true)
		})
	}
}

// icalJSCommand is the command line that reads files with ical.js.
func icalJSCommand(t *testing.T, files []string) []string {
	t.Helper()
	node := realclient.Node(t, "ical.js")
	mod := filepath.Join(realclient.RepoRoot(t), "node_modules", "ical.js", "dist", "ical.js")
	return append([]string{node, filepath.Join("testdata", "icaljs_check.mjs"), mod}, files...)
}

func runJSON(t *testing.T, what string, args []string, v any) {
	t.Helper()
	out := realclient.Run(t, realclient.Script{What: what, Args: args})
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("%s: output: %v\n%.500s", what, err, out)
	}
}

func TestClientLibical(t *testing.T) {
	gcc, err := exec.LookPath("gcc")
	realclient.Need(t, "gcc", "apt-get install gcc", err)
	flags, err := exec.Command("pkg-config", "--cflags", "--libs", "libical").Output()
	realclient.Need(t, "pkg-config and libical", "apt-get install pkg-config libical-dev", err)
	bin := filepath.Join(t.TempDir(), "libical_check")
	args := append([]string{gcc, "-O1", "-o", bin, filepath.Join("testdata", "libical_check.c")}, strings.Fields(string(flags))...)
	realclient.Run(t, realclient.Script{What: "compile libical_check.c", Args: args})
	for _, c := range corpora {
		t.Run(c.name, func(t *testing.T) {
			files, want := c.write(t)
			out := realclient.Run(t, realclient.Script{What: "libical_check", Args: append([]string{bin}, files...)})
			var got []clientEvent
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				var e clientEvent
				if err := json.Unmarshal([]byte(line), &e); err != nil {
					t.Fatalf("libical_check output %q: %v", line, err)
				}
				got = append(got, e)
			}
			compareEvents(t, "libical", got, want, false)
		})
	}
}

func TestClientPythonIcalendar(t *testing.T) {
	python := realclient.Python(t, "icalendar")
	for _, c := range corpora {
		t.Run(c.name, func(t *testing.T) {
			files, want := c.write(t)
			var raw []struct {
				UID, Start, End, VStart, VEnd string
			}
			runJSON(t, "python3 icalendar", append([]string{python, filepath.Join("testdata", "pyical_check.py")}, files...), &raw)
			byName := make([]clientEvent, len(raw))
			byVTZ := make([]clientEvent, len(raw))
			for i, r := range raw {
				byName[i] = clientEvent{UID: r.UID, Start: r.Start, End: r.End}
				byVTZ[i] = clientEvent{UID: r.UID, Start: r.VStart, End: r.VEnd}
			}
			compareEvents(t, "python icalendar (TZID by name, pytz)", byName, want, false)
			compareEvents(t, "python icalendar (VTIMEZONE.to_tz)", byVTZ, want, false)
		})
	}
}
