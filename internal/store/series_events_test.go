package store

import (
	"context"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// TestSeriesEditRevisesEvents: a series edit that changes what its
// sessions' calendar events carry (the ORGANIZER, the VALARMs) moves each
// affected session's updated time, which feeds/ical writes as DTSTAMP and
// LAST-MODIFIED, and an ORGANIZER change also bumps SEQUENCE. Edits the
// events do not show leave the sessions alone. Through PutSeries (API,
// CLI) and through an import alike.
func TestSeriesEditRevisesEvents(t *testing.T) {
	noEmail := madrid()
	noEmail.Organizer.Email = ""
	tests := []struct {
		name       string
		start      agenda.Series
		edit       func(s *agenda.Series)
		seq        int64 // added to every session's sequence
		touched    bool  // the confirmed session's updated moves
		touchedCxl bool  // the cancelled session's updated moves
	}{
		{"organizer name", madrid(), func(s *agenda.Series) { s.Organizer.Name = "UCLG World" }, 1, true, true},
		{"organizer email", madrid(), func(s *agenda.Series) { s.Organizer.Email = "other@example.org" }, 1, true, true},
		{"organizer removed", madrid(), func(s *agenda.Series) { s.Organizer = agenda.Organizer{} }, 1, true, true},
		{"organizer name without an email: no ORGANIZER either way", noEmail, func(s *agenda.Series) { s.Organizer.Name = "Other" }, 0, false, false},
		{"reminders", madrid(), func(s *agenda.Series) { s.Reminders = []time.Duration{time.Hour} }, 0, true, false},
		{"reminders to none", madrid(), func(s *agenda.Series) { s.Reminders = []time.Duration{} }, 0, true, false},
		{"title only", madrid(), func(s *agenda.Series) { s.Title = "Another title" }, 0, false, false},
	}
	for _, via := range []string{"PutSeries", "Import"} {
		for _, tt := range tests {
			t.Run(via+"/"+tt.name, func(t *testing.T) {
				ctx := context.Background()
				db, c := newTestDB(t)
				mustPutSeries(t, db, tt.start)
				confirmed := mustPutSession(t, db, timedSession(t, tt.start.Slug, "a", "2021-11-17T12:00", "2021-11-17T13:00"))
				cx := timedSession(t, tt.start.Slug, "b", "2021-11-18T12:00", "2021-11-18T13:00")
				cx.Status = agenda.StatusCancelled
				cancelled := mustPutSession(t, db, cx)
				c.Advance(time.Hour)

				next := tt.start
				tt.edit(&next)
				switch via {
				case "PutSeries":
					mustPutSeries(t, db, next)
				case "Import":
					snap, err := db.Snapshot(ctx, next.Slug)
					if err != nil {
						t.Fatal(err)
					}
					snap.Series = next
					dry, err := db.DryImportDocs(ctx, asDocs([]agenda.Snapshot{snap}))
					if err != nil {
						t.Fatalf("DryImportDocs: %v", err)
					}
					res, err := db.Import(ctx, []agenda.Snapshot{snap})
					if err != nil {
						t.Fatalf("Import: %v", err)
					}
					// A session the series edit revised is updated, though
					// the file repeats it as it was: its event changed.
					want := ImportResult{Series: 1, SeriesUpdated: 1}
					for _, revised := range []bool{tt.touched || tt.seq > 0, tt.touchedCxl || tt.seq > 0} {
						if revised {
							want.SessionsUpdated++
						} else {
							want.SessionsUnchanged++
						}
					}
					assertEqual(t, "import counts", res, want)
					assertEqual(t, "dry import counts", dry, want)
				}
				for _, x := range []struct {
					before  agenda.Session
					touched bool
				}{{confirmed, tt.touched}, {cancelled, tt.touchedCxl}} {
					after, err := db.SessionByKey(ctx, x.before.Series, x.before.Key)
					if err != nil {
						t.Fatal(err)
					}
					if got, want := after.Sequence, x.before.Sequence+tt.seq; got != want {
						t.Errorf("session %s (%s): sequence %d, want %d", after.Key, after.Status, got, want)
					}
					want := x.before.Updated
					if x.touched {
						want = c.stamp()
					}
					if !after.Updated.Equal(want) {
						t.Errorf("session %s (%s): updated %v, want %v", after.Key, after.Status, after.Updated, want)
					}
				}
			})
		}
	}
}

// TestPersonRenameRevisesEvents: a person's name is in the events of the
// sessions they appear in, so renaming them revises those sessions, and
// only those; a new URL or affiliation, which the events do not show,
// revises none.
func TestPersonRenameRevisesEvents(t *testing.T) {
	ctx := context.Background()
	db, c := newTestDB(t)
	mustPutSeries(t, db, madrid())
	with := fullSession(t, "uclg-debates", "with") // Ana Ruiz, Bo Chen
	with = mustPutSession(t, db, with)
	without := mustPutSession(t, db, timedSession(t, "uclg-debates", "without", "2021-11-17T12:00", "2021-11-17T13:00"))
	ana := with.People[0].Person
	c.Advance(time.Hour)

	check := func(what string, s agenda.Session, seq int64, updated time.Time) {
		t.Helper()
		got, err := db.SessionByKey(ctx, s.Series, s.Key)
		if err != nil {
			t.Fatal(err)
		}
		if got.Sequence != seq || !got.Updated.Equal(updated) {
			t.Errorf("%s: session %s at sequence %d, updated %v; want %d, %v", what, s.Key, got.Sequence, got.Updated, seq, updated)
		}
	}
	moved := ana
	moved.URL, moved.Affiliation = "https://example.org/ana-2", "Elsewhere"
	if _, err := db.PutPerson(ctx, moved, nil); err != nil {
		t.Fatal(err)
	}
	check("new URL", with, with.Sequence, with.Updated)

	renamed := moved
	renamed.Name = "Ana Ruiz Pérez"
	if _, err := db.PutPerson(ctx, renamed, nil); err != nil {
		t.Fatal(err)
	}
	check("rename", with, with.Sequence+1, c.stamp())
	check("rename", without, without.Sequence, without.Updated)
}
