package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// An import dates the series and sessions it creates at the file's updated
// times (a series re-created from its export publishes the same DTSTAMP,
// LAST-MODIFIED and feed dates), never before their creation; an import
// that changes nothing leaves the stored times, one that changes a session
// sets its time to now, and never back; a time in the future is refused;
// PutSeries and PutSession (the API, the CLI) ignore it.
func TestImportUpdated(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	db := openTestDB(t, filepath.Join(t.TempDir(), "agenda.db"), c)
	created := time.Date(2020, 5, 6, 7, 8, 9, 0, time.UTC)
	changed := time.Date(2021, 1, 2, 3, 4, 5, 0, time.UTC)
	series := func(updated time.Time) agenda.Series {
		s := madrid()
		s.Created, s.Updated = created, updated
		return s
	}
	sess := func(key string, created, updated time.Time) agenda.Session {
		s := timedSession(t, "uclg-debates", key, "2024-05-01T09:00", "2024-05-01T10:00")
		s.Created, s.Updated = created, updated
		return s
	}
	importSnap := func(snap agenda.Snapshot) ImportResult {
		t.Helper()
		res, err := db.Import(ctx, []agenda.Snapshot{snap})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	updatedOf := func(key string) time.Time {
		t.Helper()
		s, err := db.SessionByKey(ctx, "uclg-debates", key)
		if err != nil {
			t.Fatal(err)
		}
		return s.Updated
	}
	seriesUpdated := func() time.Time {
		t.Helper()
		s, err := db.Series(ctx, "uclg-debates")
		if err != nil {
			t.Fatal(err)
		}
		return s.Updated
	}

	importSnap(agenda.Snapshot{Series: series(changed), Sessions: []agenda.Session{
		sess("a", created, changed),
		sess("b", created, created.Add(-time.Hour)), // before its creation: raised to it
	}})
	if got := seriesUpdated(); !got.Equal(changed) {
		t.Errorf("series updated %v, want the file's %v", got, changed)
	}
	for key, want := range map[string]time.Time{"a": changed, "b": created} {
		if got := updatedOf(key); !got.Equal(want) {
			t.Errorf("%s updated %v, want %v", key, got, want)
		}
	}

	// The same file again, with other times: nothing changes.
	c.Advance(time.Hour)
	res := importSnap(agenda.Snapshot{Series: series(changed.Add(time.Hour)), Sessions: []agenda.Session{
		sess("a", created, changed.Add(time.Hour)), sess("b", created, changed.Add(time.Hour))}})
	if res.SeriesUnchanged != 1 || res.SessionsUnchanged != 2 {
		t.Errorf("other updated times alone changed something: %+v", res)
	}
	if got := updatedOf("a"); !got.Equal(changed) {
		t.Errorf("a updated %v after an import that changed nothing, want still %v", got, changed)
	}
	if got := seriesUpdated(); !got.Equal(changed) {
		t.Errorf("series updated %v after an import that changed nothing, want still %v", got, changed)
	}

	// A change: now, whatever the file says.
	edited := sess("a", created, changed)
	edited.Title = "Edited"
	importSnap(agenda.Snapshot{Series: series(changed), Sessions: []agenda.Session{edited}})
	if got := updatedOf("a"); !got.Equal(c.stamp()) {
		t.Errorf("a updated %v after an edit, want now %v", got, c.stamp())
	}
	if got := seriesUpdated(); !got.Equal(c.stamp()) {
		t.Errorf("series updated %v after an edit, want now %v", got, c.stamp())
	}

	// The clock set back: an edit does not move the time back.
	last := c.stamp()
	c.Advance(-24 * time.Hour)
	edited.Title = "Edited again"
	importSnap(agenda.Snapshot{Series: series(changed), Sessions: []agenda.Session{edited}})
	if got := updatedOf("a"); !got.Equal(last) {
		t.Errorf("a updated %v after an edit with the clock set back, want still %v", got, last)
	}
	if got := seriesUpdated(); !got.Equal(last) {
		t.Errorf("series updated %v after an edit with the clock set back, want still %v", got, last)
	}
	c.Advance(48 * time.Hour)

	// A new session dated by the file in a stored series: the series
	// changed now.
	importSnap(agenda.Snapshot{Series: series(changed), Sessions: []agenda.Session{sess("c", created, changed)}})
	if got := updatedOf("c"); !got.Equal(changed) {
		t.Errorf("c updated %v, want the file's %v", got, changed)
	}
	if got := seriesUpdated(); !got.Equal(c.stamp()) {
		t.Errorf("series updated %v after a session was added, want now %v", got, c.stamp())
	}

	_, err := db.Import(ctx, []agenda.Snapshot{{Series: series(changed), Sessions: []agenda.Session{sess("d", created, c.Now().Add(time.Hour))}}})
	if !errors.Is(err, agenda.ErrInvalid) || !strings.Contains(err.Error(), "sessions[0].updated: ") {
		t.Errorf("import of a session changed in the future: %v, want a field error on updated", err)
	}

	if s := mustPutSession(t, db, sess("e", created, changed)); !s.Updated.Equal(c.stamp()) {
		t.Errorf("PutSession updated %v, want now %v: only an import dates a session", s.Updated, c.stamp())
	}
}

// A series re-created from a file with updated times keeps the file's time
// for what the file restores, and takes now as soon as the same import
// writes something dated now (a session without updated, added by hand).
func TestImportUpdatedNewSeries(t *testing.T) {
	ctx := context.Background()
	changed := time.Date(2021, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tt := range []struct {
		name    string
		updated []time.Time // of each session; zero: none in the file
		created bool        // the sessions have a created time in the file
		wantNow bool
	}{
		{"all dated", []time.Time{changed, changed.Add(-time.Hour)}, true, false},
		{"one not dated", []time.Time{changed, {}}, true, true},
		// Raised to their creation, now.
		{"dated but not created", []time.Time{changed}, false, true},
		{"no sessions", nil, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			db := openTestDB(t, filepath.Join(t.TempDir(), "agenda.db"), c)
			snap := agenda.Snapshot{Series: madrid()}
			snap.Series.Created, snap.Series.Updated = changed.Add(-48*time.Hour), changed
			for i, u := range tt.updated {
				s := timedSession(t, "uclg-debates", string(rune('a'+i)), "2024-05-01T09:00", "2024-05-01T10:00")
				s.Updated = u
				if tt.created {
					s.Created = changed.Add(-24 * time.Hour)
				}
				snap.Sessions = append(snap.Sessions, s)
			}
			snap.Posts = []agenda.Post{{Series: "uclg-debates", ID: "p", Title: "P", Published: changed.Add(-time.Hour)}}
			if _, err := db.Import(ctx, []agenda.Snapshot{snap}); err != nil {
				t.Fatal(err)
			}
			s, err := db.Series(ctx, "uclg-debates")
			if err != nil {
				t.Fatal(err)
			}
			want := changed
			if tt.wantNow {
				want = c.stamp()
			}
			if !s.Updated.Equal(want) {
				t.Errorf("series updated %v, want %v", s.Updated, want)
			}
			if s.Revision != 1 {
				t.Errorf("series at revision %d, want 1: one import, one revision", s.Revision)
			}
		})
	}
}
