package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// A dry import fails where the import fails, with the same error, and
// otherwise counts what the import then does, writing nothing itself.
func TestDryImportDocs(t *testing.T) {
	tables := []string{"series", "sessions", "people", "session_people", "posts"}
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, docs []agenda.Snapshot) []agenda.Snapshot
		want   ImportResult // when the import succeeds
	}{
		{"valid", func(t *testing.T, docs []agenda.Snapshot) []agenda.Snapshot { return docs },
			ImportResult{Series: 2, SeriesCreated: 1, SeriesUpdated: 1, SessionsCreated: 3, PostsCreated: 1, SessionsLeftAlone: 1}},
		// The two the reviewer found: only the database can tell.
		{"post linked to a missing session", func(t *testing.T, docs []agenda.Snapshot) []agenda.Snapshot {
			docs[0].Sessions = nil
			docs[0].Posts[0].SessionKey = "pilars"
			return docs
		}, ImportResult{}},
		{"UID of a session of another series", func(t *testing.T, docs []agenda.Snapshot) []agenda.Snapshot {
			docs[1].Sessions[0].UID = "taken@test.example"
			return docs
		}, ImportResult{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := newTestDB(t)
			ctx := context.Background()
			mustPutSeries(t, db, agenda.Series{Slug: "uclg-debates", Title: "Old title", Zone: "Europe/Madrid", Language: "en"})
			taken := timedSession(t, "uclg-debates", "existing", "2020-01-01T10:00", "2020-01-01T11:00")
			taken.UID = "taken@test.example"
			mustPutSession(t, db, taken)
			counter := mustCounter(t, db)
			revs, _ := db.Revisions(ctx)
			rows := map[string]int{}
			for _, table := range tables {
				rows[table] = countRows(t, db, table)
			}

			dry, dryErr := db.DryImportDocs(ctx, asDocs(tc.change(t, importDocs(t))))
			if got := mustCounter(t, db); got != counter {
				t.Errorf("dry run moved the change counter %d -> %d", counter, got)
			}
			for _, table := range tables {
				if got := countRows(t, db, table); got != rows[table] {
					t.Errorf("dry run left %d rows in %s, had %d", got, table, rows[table])
				}
			}
			revs2, _ := db.Revisions(ctx)
			assertEqual(t, "revisions after the dry run", revs2, revs)

			res, err := db.ImportDocs(ctx, asDocs(tc.change(t, importDocs(t))))
			if (err == nil) != (dryErr == nil) || err != nil && err.Error() != dryErr.Error() {
				t.Fatalf("dry run error:\n%v\nimport error:\n%v", dryErr, err)
			}
			if err == nil {
				assertEqual(t, "dry run", dry, tc.want)
				assertEqual(t, "import", res, tc.want)
			}
		})
	}
}

func asDocs(snaps []agenda.Snapshot) []ImportDoc {
	out := make([]ImportDoc, len(snaps))
	for i, s := range snaps {
		out[i] = ImportDoc{Snapshot: s}
	}
	return out
}

// An import prepared from the stored series (the keys a file leaves out
// keep their stored values) is written only if the series is still as it
// was read: an edit made in between is never silently written back over.
func TestImportIfRevision(t *testing.T) {
	for _, tc := range []struct {
		name       string
		ifRevision func(stored int64) int64
		wantErr    error
	}{
		{"no condition", func(int64) int64 { return 0 }, nil},
		{"any", func(int64) int64 { return Any }, nil},
		{"as read", func(rev int64) int64 { return rev }, nil},
		{"edited since", func(rev int64) int64 { return rev - 1 }, agenda.ErrConflict},
		{"created since", func(int64) int64 { return Absent }, agenda.ErrConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := newTestDB(t)
			ctx := context.Background()
			mustPutSeries(t, db, madrid())
			edited := madrid()
			edited.Description = "Edited"
			stored := mustPutSeries(t, db, edited)
			s := madrid()
			s.Title = "From the file"
			doc := ImportDoc{Snapshot: agenda.Snapshot{Series: s, Posts: []agenda.Post{{ID: "p", Title: "P", Published: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)}}},
				IfRevision: tc.ifRevision(stored.Revision)}
			_, err := db.ImportDocs(ctx, []ImportDoc{doc})
			if !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
				t.Fatalf("ImportDocs = %v; want %v", err, tc.wantErr)
			}
			got, _ := db.Series(ctx, s.Slug)
			if want := map[bool]string{true: "From the file", false: edited.Title}[err == nil]; got.Title != want {
				t.Errorf("title %q, want %q", got.Title, want)
			}
			if err != nil && countRows(t, db, "posts") != 0 {
				t.Error("a refused import wrote its posts")
			}
		})
	}
}
