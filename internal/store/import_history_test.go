package store

import (
	"context"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// A session removed and re-imported from its export keeps its SEQUENCE
// (calendars keep the higher one, so a lower one would be ignored), and an
// import never lowers a stored sequence.
func TestImportSequenceFloor(t *testing.T) {
	db, _ := newTestDB(t)
	ctx := context.Background()
	mustPutSeries(t, db, madrid())
	s := mustPutSession(t, db, timedSession(t, "uclg-debates", "a", "2021-11-17T12:00", "2021-11-17T13:00"))
	for _, title := range []string{"A, edited", "A, edited again"} {
		s.Title = title
		s = mustPutSession(t, db, s)
	}
	if s.Sequence != 2 {
		t.Fatalf("sequence after two edits = %d", s.Sequence)
	}
	exported, err := db.Snapshot(ctx, "uclg-debates")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteSession(ctx, s.UID, Any); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		name   string
		edit   func(*agenda.Snapshot)
		want   int64
		result string // how the import report counts the session
	}{
		// Above the deleted session's last sequence (its tombstone), 2.
		{"re-created from the export", func(*agenda.Snapshot) {}, 3, "created"},
		{"unchanged", func(*agenda.Snapshot) {}, 3, "unchanged"},
		{"changed: one more than stored", func(x *agenda.Snapshot) { x.Sessions[0].Title = "A, third" }, 4, "updated"},
		{"changed, an older file: never lower", func(x *agenda.Snapshot) { x.Sessions[0].Title = "A, fourth"; x.Sessions[0].Sequence = 1 }, 5, "updated"},
		{"changed, a file ahead of the store: at least the file's", func(x *agenda.Snapshot) { x.Sessions[0].Title = "A, fifth"; x.Sessions[0].Sequence = 9 }, 9, "updated"},
		// After a restore, a file exported later is ahead with nothing
		// else different: the stored sequence is raised all the same.
		{"unchanged, a file ahead of the store: the file's", func(x *agenda.Snapshot) { x.Sessions[0].Title = "A, fifth"; x.Sessions[0].Sequence = 13 }, 13, "updated"},
		{"unchanged, an older file: never lower", func(x *agenda.Snapshot) { x.Sessions[0].Title = "A, fifth"; x.Sessions[0].Sequence = 3 }, 13, "unchanged"},
		{"unchanged, the file at the store's", func(x *agenda.Snapshot) { x.Sessions[0].Title = "A, fifth"; x.Sessions[0].Sequence = 13 }, 13, "unchanged"},
	} {
		doc := exported
		doc.Sessions = []agenda.Session{exported.Sessions[0]}
		step.edit(&doc)
		res, err := db.Import(ctx, []agenda.Snapshot{doc})
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		counts := map[string]int{"created": res.SessionsCreated, "updated": res.SessionsUpdated, "unchanged": res.SessionsUnchanged}
		if counts[step.result] != 1 {
			t.Errorf("%s: report %+v, want the session %s", step.name, res, step.result)
		}
		got, err := db.Session(ctx, s.UID)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if got.Sequence != step.want {
			t.Errorf("%s: sequence %d, want %d", step.name, got.Sequence, step.want)
		}
	}

	// Without a UID the store mints a new event: its sequence starts at 0.
	fresh := timedSession(t, "", "b", "2021-11-18T12:00", "2021-11-18T13:00")
	fresh.Sequence = 5
	if _, err := db.Import(ctx, []agenda.Snapshot{{Series: madrid(), Sessions: []agenda.Session{fresh}}}); err != nil {
		t.Fatal(err)
	}
	if b, _ := db.SessionByKey(ctx, "uclg-debates", "b"); b.Sequence != 0 {
		t.Errorf("new UID at sequence %d, want 0", b.Sequence)
	}
	// PutSession (the CLI, the API) ignores a sequence it is given.
	c := timedSession(t, "uclg-debates", "c", "2021-11-19T12:00", "2021-11-19T13:00")
	c.UID, c.Sequence = "c@test.example", 7
	if got := mustPutSession(t, db, c); got.Sequence != 0 {
		t.Errorf("PutSession created at sequence %d, want 0", got.Sequence)
	}
}

// Re-creating a series from its export on another day keeps its created
// time, which news feed ids carry; an existing series keeps its own; one
// in the future is refused.
func TestImportSeriesCreated(t *testing.T) {
	db, clk := newTestDB(t)
	ctx := context.Background()
	first := clk.stamp()
	mustPutSeries(t, db, madrid())
	exported, err := db.Snapshot(ctx, "uclg-debates")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteSeries(ctx, "uclg-debates", Any); err != nil {
		t.Fatal(err)
	}
	clk.Advance(72 * time.Hour)
	if _, err := db.Import(ctx, []agenda.Snapshot{exported}); err != nil {
		t.Fatal(err)
	}
	got, _ := db.Series(ctx, "uclg-debates")
	if !got.Created.Equal(first) {
		t.Errorf("re-created series created %v, want %v", got.Created, first)
	}

	other := exported
	other.Series.Created = first.Add(-24 * time.Hour)
	if _, err := db.Import(ctx, []agenda.Snapshot{other}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Series(ctx, "uclg-debates"); !got.Created.Equal(first) {
		t.Errorf("an import changed a stored series' created to %v", got.Created)
	}

	future := madrid()
	future.Slug = "future"
	future.Created = clk.stamp().Add(time.Hour)
	if _, err := db.Import(ctx, []agenda.Snapshot{{Series: future}}); err == nil {
		t.Error("a series created in the future was imported")
	}
	// PutSeries (the CLI, the API) dates a new series now, whatever it is given.
	future.Created = first.Add(-48 * time.Hour)
	if got := mustPutSeries(t, db, future); !got.Created.Equal(clk.stamp()) {
		t.Errorf("PutSeries created %v, want now %v", got.Created, clk.stamp())
	}
}

// A sequence without a UID is ignored: it belongs to no known event.
func TestImportSequenceNeedsUID(t *testing.T) {
	db, _ := newTestDB(t)
	ctx := context.Background()
	mustPutSeries(t, db, madrid())
	mustPutSession(t, db, timedSession(t, "uclg-debates", "a", "2021-11-17T12:00", "2021-11-17T13:00"))
	byKey := timedSession(t, "", "a", "2021-11-17T12:00", "2021-11-17T13:00")
	byKey.Title, byKey.Sequence = "A, edited", 9
	if _, err := db.Import(ctx, []agenda.Snapshot{{Series: madrid(), Sessions: []agenda.Session{byKey}}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.SessionByKey(ctx, "uclg-debates", "a"); got.Sequence != 1 {
		t.Errorf("sequence %d, want 1: one change", got.Sequence)
	}
}

// A session at the largest SEQUENCE iCalendar allows stays there when it is
// edited, when its series' organizer changes, and when it is deleted and
// created again: a larger one would be published as an invalid SEQUENCE and
// refused when its export is imported.
func TestSequenceStaysInICalendarsRange(t *testing.T) {
	db, _ := newTestDB(t)
	ctx := context.Background()
	series := mustPutSeries(t, db, madrid())
	s := timedSession(t, "uclg-debates", "a", "2021-11-17T12:00", "2021-11-17T13:00")
	s.UID, s.Sequence = "a@agenda.example.org", agenda.MaxSequence
	if _, err := db.Import(ctx, []agenda.Snapshot{{Series: series, Sessions: []agenda.Session{s}}}); err != nil {
		t.Fatal(err)
	}
	check := func(step string) agenda.Session {
		t.Helper()
		got, err := db.Session(ctx, "a@agenda.example.org")
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if got.Sequence != agenda.MaxSequence {
			t.Errorf("%s: sequence %d, want %d", step, got.Sequence, agenda.MaxSequence)
		}
		return got
	}
	got := check("imported at the largest")
	got.Title = "A, edited"
	mustPutSession(t, db, got)
	check("edited")
	series.Organizer = agenda.Organizer{Name: "UCLG", Email: "info@uclg.example"}
	mustPutSeries(t, db, series)
	got = check("organizer changed")
	if err := db.DeleteSession(ctx, got.UID, Any); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Import(ctx, []agenda.Snapshot{{Series: series, Sessions: []agenda.Session{s}}}); err != nil {
		t.Fatal(err)
	}
	check("created again after its deletion")
}
