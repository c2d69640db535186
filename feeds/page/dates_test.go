package page

import (
	"testing"
	"time"

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

// beforeAll is an AsOf before every session of these tests: all upcoming.
func beforeAll() Options {
	opts := testOptions()
	opts.AsOf = time.Date(2021, 11, 1, 0, 0, 0, 0, time.UTC)
	return opts
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
