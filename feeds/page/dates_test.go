package page

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// zonesSnapshot is a Madrid series whose sessions sit in other zones: the
// day a session falls on in the series' zone is not always its own date.
func zonesSnapshot(t testing.TB, sessions ...agenda.Session) agenda.Snapshot {
	t.Helper()
	for i := range sessions {
		s := &sessions[i]
		s.UID = s.Key + "@agenda.example.org"
		if s.Title == "" {
			s.Title = "Session " + s.Key
		}
	}
	return valid(t, agenda.Snapshot{
		Series:   agenda.Series{Slug: "zones", Title: "Zones", Zone: "Europe/Madrid", Language: "en"},
		Sessions: sessions,
	})
}

func timed(t testing.TB, key, zone, start, end string) agenda.Session {
	return agenda.Session{Key: key, Zone: zone, Start: wall(t, start), End: wall(t, end)}
}

func allDay(t testing.TB, key, zone, start, end string) agenda.Session {
	return agenda.Session{Key: key, Zone: zone, AllDay: true, StartDate: date(t, start), EndDate: date(t, end)}
}

// beforeAll is an AsOf before every session of these tests: all upcoming.
func beforeAll() Options {
	opts := testOptions()
	opts.AsOf = time.Date(2021, 11, 1, 0, 0, 0, 0, time.UTC)
	return opts
}

// TestTimeShowsItsOwnDate checks that a time is never read against a date it
// does not fall on: 20:00 in Los Angeles on the 17th is the 18th in Madrid,
// so under the heading of the 18th the time line says the 17th.
func TestTimeShowsItsOwnDate(t *testing.T) {
	la := timed(t, "la", "America/Los_Angeles", "2021-11-17T20:00", "2021-11-17T21:00")
	tests := []struct {
		name     string
		sessions []agenda.Session
		want     []string
		notWant  []string
	}{
		{"date differs from the heading", []agenda.Session{la}, []string{
			`<h3 id="day_2021-11-18"><time datetime="2021-11-18">Thursday 18 November 2021</time></h3>`,
			`<p class="when" data-zone="America/Los_Angeles"><time datetime="2021-11-18T04:00:00Z">Wed 17 Nov, 20:00</time>–<time datetime="2021-11-18T05:00:00Z">21:00</time> PST</p>`,
		}, nil},
		{"same date as the heading", []agenda.Session{timed(t, "ny", "America/New_York", "2021-11-17T10:00", "2021-11-17T11:00")}, []string{
			`<h3 id="day_2021-11-17">`,
			`<p class="when" data-zone="America/New_York"><time datetime="2021-11-17T15:00:00Z">10:00</time>–<time datetime="2021-11-17T16:00:00Z">11:00</time> EST</p>`,
		}, []string{"Wed 17 Nov"}},
		{"over midnight, other date", []agenda.Session{timed(t, "late", "America/Los_Angeles", "2021-11-17T23:00", "2021-11-18T01:00")}, []string{
			`<h3 id="day_2021-11-18">`,
			`<time datetime="2021-11-18T07:00:00Z">Wed 17 Nov, 23:00 PST</time> – <time datetime="2021-11-18T09:00:00Z">Thursday 18 November 2021, 01:00 PST</time>`,
		}, nil},
	}
	r := newRenderer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := renderSeries(t, r, zonesSnapshot(t, tt.sessions...), beforeAll())
			for _, w := range tt.want {
				if !strings.Contains(page, w) {
					t.Errorf("page lacks %s", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(page, w) {
					t.Errorf("page holds %s", w)
				}
			}
		})
	}
}

// TestIndexNextShowsItsOwnDate checks the index's "Next session" line: the
// date beside the time is the session's own.
func TestIndexNextShowsItsOwnDate(t *testing.T) {
	snap := zonesSnapshot(t, timed(t, "la", "America/Los_Angeles", "2021-11-17T20:00", "2021-11-17T21:00"))
	var b bytes.Buffer
	if err := newRenderer(t).WriteIndex(&b, []agenda.Snapshot{snap}, beforeAll()); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	want := `<a href="https://agenda.example.org/zones/#la">Session la</a>, <time datetime="2021-11-17">Wednesday 17 November 2021</time></p>
<p class="when" data-zone="America/Los_Angeles"><time datetime="2021-11-18T04:00:00Z">20:00</time>–<time datetime="2021-11-18T05:00:00Z">21:00</time> PST</p>`
	if !strings.Contains(page, want) {
		t.Errorf("index lacks\n%s\nin\n%s", want, page)
	}
	if strings.Contains(page, "18 November") || strings.Contains(page, "18 Nov") {
		t.Error("index shows the 18th, the date in the series' zone, beside a time of the 17th")
	}
}

// TestDayHeadings checks that headings run in date order, ascending for
// upcoming and descending for past, and that no id repeats, whatever mix of
// zones and all-day sessions the days hold.
func TestDayHeadings(t *testing.T) {
	// An all-day session on the 18th in Auckland starts at 12:00 on the
	// 17th in Madrid, before the Madrid session of 14:00 on the 17th.
	mixed := []agenda.Session{
		allDay(t, "auckland", "Pacific/Auckland", "2021-11-18", "2021-11-18"),
		timed(t, "madrid-17", "Europe/Madrid", "2021-11-17T14:00", "2021-11-17T15:00"),
		timed(t, "madrid-18", "Europe/Madrid", "2021-11-18T10:00", "2021-11-18T11:00"),
	}
	tests := []struct {
		name     string
		sessions []agenda.Session
		asOf     time.Time
		want     []string // ids in page order
	}{
		{"upcoming", mixed, time.Date(2021, 11, 1, 0, 0, 0, 0, time.UTC), []string{
			"day_2021-11-17", "madrid-17", "day_2021-11-18", "auckland", "madrid-18",
		}},
		{"past", mixed, time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), []string{
			"day_2021-11-18", "madrid-18", "auckland", "day_2021-11-17", "madrid-17",
		}},
		// The 18th has a session over and one to come: a heading in each
		// section, with ids of their own.
		{"one day in both sections", []agenda.Session{
			timed(t, "morning", "Europe/Madrid", "2021-11-18T09:00", "2021-11-18T10:00"),
			timed(t, "evening", "Europe/Madrid", "2021-11-18T18:00", "2021-11-18T19:00"),
		}, time.Date(2021, 11, 18, 12, 0, 0, 0, time.UTC), []string{
			"_upcoming", "day_2021-11-18", "evening", "_past", "day_2021-11-18-past", "morning",
		}},
	}
	r := newRenderer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions()
			opts.AsOf = tt.asOf
			page := renderSeries(t, r, zonesSnapshot(t, tt.sessions...), opts)
			doc, err := html.Parse(strings.NewReader(page))
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			var ids []string
			walk(doc, func(n *html.Node) {
				id := attr(n, "id")
				if n.Type != html.ElementNode || id == "" {
					return
				}
				if seen[id] {
					t.Errorf("id %q repeats", id)
				}
				seen[id] = true
				ids = append(ids, id)
			})
			// Check the wanted ids come in this order among all of them.
			at := 0
			for _, w := range tt.want {
				for at < len(ids) && ids[at] != w {
					at++
				}
				if at == len(ids) {
					t.Fatalf("id %q missing or out of order; ids: %v", w, ids)
				}
			}
			for _, id := range ids {
				if strings.HasPrefix(id, "day_") && !strings.HasSuffix(id, "_h") && !slices.Contains(tt.want, id) {
					t.Errorf("unexpected heading %q; ids: %v", id, ids)
				}
			}
		})
	}
}

// TestPostsNewestFirst checks that posts of one day come newest first, as
// in the snapshot and the feeds, not by ID.
func TestPostsNewestFirst(t *testing.T) {
	snap := zonesSnapshot(t)
	snap.Posts = []agenda.Post{
		{ID: "zeta", Title: "Morning post (older)", Summary: "m", Published: instant(t, "2021-11-17T09:00:00+01:00")},
		{ID: "alpha", Title: "Evening post (newest)", Summary: "e", Published: instant(t, "2021-11-17T18:00:00+01:00")},
		{ID: "beta", Title: "Evening post, same instant", Summary: "e", Published: instant(t, "2021-11-17T18:00:00+01:00")},
	}
	snap = valid(t, snap)
	page := renderSeries(t, newRenderer(t), snap, beforeAll())
	// Same instant: by ID, as the store and the feeds order them.
	inOrder(t, page, `id="post_alpha"`, `id="post_beta"`, `id="post_zeta"`)
}
