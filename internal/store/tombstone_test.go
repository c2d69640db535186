package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// A UID's SEQUENCE never goes backwards, whatever path deletes the session
// and whatever path creates it again: calendar clients keep the copy with
// the higher SEQUENCE, so a re-created event at a lower one would never
// reach them. Each case closes and reopens the file between the delete and
// the create, so the tombstone is what carries the sequence across.
func TestSessionTombstoneSequence(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		delete func(t *testing.T, db *DB, s agenda.Session)
		create func(t *testing.T, db *DB, s agenda.Session, export agenda.Snapshot) (agenda.Session, error)
		want   int64 // the session was at 4 when deleted, exported at 3
	}{
		{
			name:   "deleted, created again with its UID",
			delete: deleteSession,
			create: func(t *testing.T, db *DB, s agenda.Session, _ agenda.Snapshot) (agenda.Session, error) {
				s.Sequence = 0
				return db.PutSession(ctx, s, Absent)
			},
			want: 5,
		},
		{
			name:   "deleted, created again with its UID by an upsert",
			delete: deleteSession,
			create: func(t *testing.T, db *DB, s agenda.Session, _ agenda.Snapshot) (agenda.Session, error) {
				return db.PutSession(ctx, s, Any)
			},
			want: 5,
		},
		{
			name:   "deleted, created again with its UID and a sequence above the tombstone",
			delete: deleteSession,
			create: func(t *testing.T, db *DB, s agenda.Session, _ agenda.Snapshot) (agenda.Session, error) {
				s.Sequence = 9
				return db.PutSession(ctx, s, Absent)
			},
			want: 9,
		},
		{
			name:   "deleted, re-imported from an older export",
			delete: deleteSession,
			create: reimport,
			want:   5,
		},
		{
			name: "series deleted, re-imported from an older export",
			delete: func(t *testing.T, db *DB, s agenda.Session) {
				if err := db.DeleteSeries(ctx, s.Series, Any); err != nil {
					t.Fatal(err)
				}
			},
			create: reimport,
			want:   5,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "agenda.db")
			c := newClock()
			db := openTestDB(t, path, c)
			mustPutSeries(t, db, madrid())
			s := mustPutSession(t, db, timedSession(t, "uclg-debates", "a", "2021-11-17T12:00", "2021-11-17T13:00"))
			for _, title := range []string{"A1", "A2", "A3"} {
				s.Title = title
				s = mustPutSession(t, db, s)
			}
			export, err := db.Snapshot(ctx, "uclg-debates")
			if err != nil {
				t.Fatal(err)
			}
			s.Title = "A4, after the export"
			s = mustPutSession(t, db, s)
			if s.Sequence != 4 || export.Sessions[0].Sequence != 3 {
				t.Fatalf("set-up: sequence %d, exported %d; want 4 and 3", s.Sequence, export.Sessions[0].Sequence)
			}
			tc.delete(t, db, s)
			db.Close()

			db = openTestDB(t, path, c)
			got, err := tc.create(t, db, s, export)
			if err != nil {
				t.Fatal(err)
			}
			if got.UID != s.UID || got.Sequence != tc.want {
				t.Errorf("re-created session: uid %s sequence %d; want uid %s sequence %d", got.UID, got.Sequence, s.UID, tc.want)
			}
			// A second delete at a lower sequence than the first (never,
			// here, but a tombstone is only ever raised) and a create
			// again: still above every sequence the UID had.
			deleteSession(t, db, got)
			again, err := db.PutSession(ctx, got, Any)
			if err != nil {
				t.Fatal(err)
			}
			if again.Sequence != got.Sequence+1 {
				t.Errorf("created a third time: sequence %d, want %d", again.Sequence, got.Sequence+1)
			}
		})
	}
}

func deleteSession(t *testing.T, db *DB, s agenda.Session) {
	t.Helper()
	if err := db.DeleteSession(context.Background(), s.UID, Any); err != nil {
		t.Fatal(err)
	}
}

func reimport(t *testing.T, db *DB, s agenda.Session, export agenda.Snapshot) (agenda.Session, error) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.Import(ctx, []agenda.Snapshot{export}); err != nil {
		return agenda.Session{}, err
	}
	got, err := db.Session(ctx, s.UID)
	if err == nil && got.Title != export.Sessions[0].Title {
		t.Errorf("re-imported title %q, want the export's %q", got.Title, export.Sessions[0].Title)
	}
	return got, err
}

// A series deleted and created again continues from its last revision:
// everything keyed by slug and revision (the publisher's manifest, the
// server's caches, ETags) must never take the new series for the old one.
func TestSeriesTombstoneRevision(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		create func(t *testing.T, db *DB, export agenda.Snapshot) error
	}{
		{"PutSeries", func(t *testing.T, db *DB, export agenda.Snapshot) error {
			_, err := db.PutSeries(ctx, export.Series, Absent)
			return err
		}},
		{"import of its export", func(t *testing.T, db *DB, export agenda.Snapshot) error {
			_, err := db.Import(ctx, []agenda.Snapshot{export})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "agenda.db")
			c := newClock()
			db := openTestDB(t, path, c)
			mustPutSeries(t, db, madrid())
			s := mustPutSession(t, db, timedSession(t, "uclg-debates", "a", "2021-11-17T12:00", "2021-11-17T13:00"))
			export, err := db.Snapshot(ctx, "uclg-debates")
			if err != nil {
				t.Fatal(err)
			}
			s.Title = "A, edited"
			mustPutSession(t, db, s)
			last := mustRevision(t, db, "uclg-debates")
			if err := db.DeleteSeries(ctx, "uclg-debates", last); err != nil {
				t.Fatal(err)
			}
			db.Close()

			db = openTestDB(t, path, c)
			if err := tc.create(t, db, export); err != nil {
				t.Fatal(err)
			}
			if got := mustRevision(t, db, "uclg-debates"); got != last+1 {
				t.Errorf("re-created series at revision %d, want %d (after the deleted one's %d)", got, last+1, last)
			}
			// Another series is not affected by the tombstone.
			other := madrid()
			other.Slug = "other"
			if got := mustPutSeries(t, db, other); got.Revision != 1 {
				t.Errorf("a new slug starts at revision %d, want 1", got.Revision)
			}
			if err := db.Check(ctx); err != nil {
				t.Errorf("Check: %v", err)
			}
		})
	}
}

// A database from before the tombstones migrates to a schema that has
// them, and keeps the rows it had: a delete and a create after the
// migration continue from what was stored.
func TestTombstonesAfterMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", "file:"+path+"?"+pragmas)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, raw, time.Now, 3); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO series VALUES (1, 'old', 'Old series', '', '', 'Europe/Madrid', 'en', '30', '', '',
			'2020-01-01T00:00:00.000000000Z', '2020-01-02T00:00:00.000000000Z', 7)`,
		`INSERT INTO sessions VALUES (1, 'u1@old.example', 1, 'k1', 'Kick-off', '', 0, '2020-05-01T10:00',
			'2020-05-01T11:00', '', '', 'Europe/Madrid', 1588320000, 1588323600, '', '', '', 'confirmed', 'en',
			'a', '', 3, '2020-01-01T00:00:00.000000000Z', '2020-01-02T00:00:00.000000000Z')`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()

	db := openTestDB(t, path, newClock())
	export, err := db.Snapshot(ctx, "old")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteSeries(ctx, "old", Any); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Import(ctx, []agenda.Snapshot{export}); err != nil {
		t.Fatal(err)
	}
	if rev := mustRevision(t, db, "old"); rev != 8 {
		t.Errorf("revision after delete and re-import = %d, want 8", rev)
	}
	s, err := db.Session(ctx, "u1@old.example")
	if err != nil {
		t.Fatal(err)
	}
	if s.Sequence != 4 {
		t.Errorf("sequence after delete and re-import = %d, want 4", s.Sequence)
	}
}

// Only a create with a UID carries a sequence in: an update's sequence is
// the stored one plus one, and a new UID is a new event at 0.
func TestPutSessionSequenceInput(t *testing.T) {
	ctx := context.Background()
	db, _ := newTestDB(t)
	mustPutSeries(t, db, madrid())
	for _, tc := range []struct {
		name string
		in   func() agenda.Session
		cond int64
		want int64
		bad  bool
	}{
		{"create with a UID", func() agenda.Session {
			s := timedSession(t, "uclg-debates", "a", "2021-11-17T12:00", "2021-11-17T13:00")
			s.UID, s.Sequence = "a@elsewhere.example", 5
			return s
		}, Absent, 5, false},
		{"create without a UID", func() agenda.Session {
			s := timedSession(t, "uclg-debates", "b", "2021-11-17T12:00", "2021-11-17T13:00")
			s.Sequence = 5
			return s
		}, Absent, 0, false},
		{"upsert", func() agenda.Session {
			s := timedSession(t, "uclg-debates", "c", "2021-11-17T12:00", "2021-11-17T13:00")
			s.UID, s.Sequence = "c@elsewhere.example", 5
			return s
		}, Any, 0, false},
		{"update", func() agenda.Session {
			s := timedSession(t, "uclg-debates", "a", "2021-11-17T12:00", "2021-11-17T14:00")
			s.UID, s.Sequence = "a@elsewhere.example", 50
			return s
		}, 5, 6, false},
		{"negative", func() agenda.Session {
			s := timedSession(t, "uclg-debates", "d", "2021-11-17T12:00", "2021-11-17T13:00")
			s.UID, s.Sequence = "d@elsewhere.example", -1
			return s
		}, Absent, 0, true},
	} {
		got, err := db.PutSession(ctx, tc.in(), tc.cond)
		switch {
		case tc.bad:
			if !errors.Is(err, agenda.ErrInvalid) {
				t.Errorf("%s: error %v, want a field error", tc.name, err)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case got.Sequence != tc.want:
			t.Errorf("%s: sequence %d, want %d", tc.name, got.Sequence, tc.want)
		}
	}
}
