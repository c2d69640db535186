package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// tableSnapshot is Snapshot read from the tables alone, never the packed
// row.
func tableSnapshot(t *testing.T, db *DB, slug string) agenda.Snapshot {
	t.Helper()
	ctx := context.Background()
	var snap agenda.Snapshot
	err := db.read(ctx, func(q queryer) error {
		id, series, err := loadSeries(ctx, q, slug)
		if err != nil {
			return err
		}
		sessions, err := loadSnapshotSessions(ctx, q, id, slug)
		if err != nil {
			return err
		}
		posts, err := loadPosts(ctx, q, `WHERE p.series_id = ?`+postOrder, id)
		snap = agenda.Snapshot{Series: series, Sessions: sessions, Posts: posts}
		return err
	})
	if err != nil {
		t.Fatalf("table snapshot of %q: %v", slug, err)
	}
	return snap
}

// packedRevisions maps each series' slug to the revision of its packed
// row (absent: none).
func packedRevisions(t *testing.T, db *DB) map[string]int64 {
	t.Helper()
	rows, err := db.reader.Query(`SELECT s.slug, p.revision FROM series_sessions p JOIN series s ON s.id = p.series_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var slug string
		var rev int64
		if err := rows.Scan(&slug, &rev); err != nil {
			t.Fatal(err)
		}
		out[slug] = rev
	}
	return out
}

// assertPackedCurrent checks that every series has a packed row of its
// current revision, and that Snapshot (which reads it) returns what the
// tables hold.
func assertPackedCurrent(t *testing.T, db *DB, after string) {
	t.Helper()
	ctx := context.Background()
	revs, err := db.Revisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	packed := packedRevisions(t, db)
	if len(packed) != len(revs) {
		t.Errorf("after %s: %d packed rows for %d series", after, len(packed), len(revs))
	}
	for _, slug := range slices.Sorted(func(yield func(string) bool) {
		for s := range revs {
			if !yield(s) {
				return
			}
		}
	}) {
		if packed[slug] != revs[slug] {
			t.Errorf("after %s: series %q at revision %d, its packed row at %d", after, slug, revs[slug], packed[slug])
		}
		got, err := db.Snapshot(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		assertEqual(t, fmt.Sprintf("after %s: snapshot of %q", after, slug), got, tableSnapshot(t, db, slug))
	}
}

// After every kind of write, Snapshot returns what the tables hold, from
// them while the series' packed row is behind, and Pack brings every row
// up to its series' revision without bumping the change counter.
func TestPackFollowsEveryWrite(t *testing.T) {
	db, c := newTestDB(t)
	ctx := context.Background()
	tunis := agenda.Series{Slug: "tunis", Title: "Tunis", Zone: "Africa/Tunis", Language: "fr"}
	debate := fullSession(t, "", "finance")
	other := timedSession(t, "", "water", "2021-11-18T10:00", "2021-11-18T11:00")
	other.People = []agenda.Participant{{Person: agenda.Person{Name: "Ana Ruiz", Affiliation: "Mayor of Elsewhere"}, Role: agenda.RoleSpeaker}}
	other.Tags = []string{"water"}
	docs := []agenda.Snapshot{
		{Series: madrid(), Sessions: []agenda.Session{debate, other}},
		{Series: tunis, Sessions: []agenda.Session{other}},
	}
	steps := []struct {
		name  string
		write func() error
	}{
		{"import", func() error { _, err := db.Import(ctx, docs); return err }},
		{"session edited", func() error {
			s, err := db.SessionByKey(ctx, "uclg-debates", "finance")
			if err != nil {
				return err
			}
			s.Title, s.Tags = "Edited", []string{"a", "finance"}
			s.People = append(s.People[:1:1], agenda.Participant{Person: agenda.Person{Name: "New Person"}, Role: agenda.RoleChair})
			_, err = db.PutSession(ctx, s, s.Sequence)
			return err
		}},
		{"session added", func() error {
			_, err := db.PutSession(ctx, timedSession(t, "tunis", "late", "2022-01-05T18:00", "2022-01-05T19:30"), Any)
			return err
		}},
		{"session cancelled", func() error {
			s, err := db.SessionByKey(ctx, "tunis", "water")
			if err != nil {
				return err
			}
			_, err = db.CancelSession(ctx, s.UID, s.Sequence)
			return err
		}},
		{"person renamed (two series)", func() error {
			people, err := db.People(ctx)
			if err != nil {
				return err
			}
			for _, p := range people {
				if p.Name == "Ana Ruiz" {
					p.Name, p.URL = "Ana Ruiz Pérez", "https://example.org/ana-ruiz"
					_, err = db.PutPerson(ctx, p, nil)
					return err
				}
			}
			return fmt.Errorf("no Ana Ruiz among %v", people)
		}},
		{"post added", func() error {
			_, err := db.PutPost(ctx, agenda.Post{Series: "tunis", ID: "news", Title: "News", Body: "*news*",
				Published: time.Date(2021, 11, 1, 9, 0, 0, 0, time.UTC)}, Any)
			return err
		}},
		{"series edited", func() error {
			s, err := db.Series(ctx, "uclg-debates")
			if err != nil {
				return err
			}
			s.Zone = "Europe/Lisbon"
			_, err = db.PutSeries(ctx, s, s.Revision)
			return err
		}},
		{"session deleted", func() error {
			s, err := db.SessionByKey(ctx, "uclg-debates", "water")
			if err != nil {
				return err
			}
			return db.DeleteSession(ctx, s.UID, s.Sequence)
		}},
		{"last session deleted", func() error {
			s, err := db.SessionByKey(ctx, "uclg-debates", "finance")
			if err != nil {
				return err
			}
			return db.DeleteSession(ctx, s.UID, s.Sequence)
		}},
		{"series deleted", func() error { return db.DeleteSeries(ctx, "tunis", Any) }},
	}
	for _, step := range steps {
		c.Advance(time.Minute)
		if err := step.write(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		revs, err := db.Revisions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		packed := packedRevisions(t, db)
		behind := 0
		for slug, rev := range revs {
			if packed[slug] != rev {
				behind++
			}
			got, err := db.Snapshot(ctx, slug)
			if err != nil {
				t.Fatal(err)
			}
			assertEqual(t, fmt.Sprintf("after %s, before Pack: snapshot of %q", step.name, slug), got, tableSnapshot(t, db, slug))
		}
		if behind == 0 && step.name != "series deleted" {
			t.Errorf("after %s: no packed row behind; the test no longer tests Pack", step.name)
		}
		counter := mustCounter(t, db)
		n, err := db.Pack(ctx)
		if err != nil || n != behind {
			t.Errorf("after %s: Pack = %d, %v; want %d rows", step.name, n, err, behind)
		}
		if got := mustCounter(t, db); got != counter {
			t.Errorf("after %s: Pack moved the change counter %d -> %d", step.name, counter, got)
		}
		assertPackedCurrent(t, db, step.name)
		if n, err := db.Pack(ctx); err != nil || n != 0 {
			t.Errorf("after %s: second Pack = %d, %v; want 0", step.name, n, err)
		}
	}
	if n := countRows(t, db, "series_sessions"); n != 1 {
		t.Errorf("%d packed rows left for 1 series", n)
	}
	if err := db.Check(ctx); err != nil {
		t.Errorf("Check: %v", err)
	}
}

// Without a packed row of the current revision, or with one that does not
// decode, Snapshot reads the tables; Check reports a damaged row, and Open
// repacks what is missing or behind.
func TestSnapshotWithoutCurrentPackedRow(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	path := t.TempDir() + "/agenda.db"
	db := openTestDB(t, path, c)
	doc := agenda.Snapshot{Series: madrid(), Sessions: []agenda.Session{fullSession(t, "", "finance"),
		timedSession(t, "", "water", "2021-11-18T10:00", "2021-11-18T11:00")}}
	if _, err := db.Import(ctx, []agenda.Snapshot{doc}); err != nil {
		t.Fatal(err)
	}
	want := tableSnapshot(t, db, "uclg-debates")
	if len(want.Sessions) != 2 || len(want.Sessions[0].People) != 2 {
		t.Fatalf("fixture: %+v", want)
	}
	for _, tc := range []struct {
		name, sql string
		check     string // what Check must say, "" for nothing
	}{
		{"missing", `DELETE FROM series_sessions`, ""},
		{"behind", `UPDATE series_sessions SET revision = revision - 1`, ""},
		{"truncated", `UPDATE series_sessions SET data = substr(data, 1, length(data) - 3)`, "packed sessions"},
		{"other version", `UPDATE series_sessions SET data = x'02' || substr(data, 2)`, "packed sessions"},
		{"differs", `UPDATE series_sessions SET data = replace(data, CAST('Sala 1' AS BLOB), CAST('Sala 2' AS BLOB))`, "differ from the tables"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := refreshPackedFor(db, "uclg-debates"); err != nil {
				t.Fatal(err)
			}
			if _, err := db.writer.Exec(tc.sql); err != nil {
				t.Fatal(err)
			}
			got, err := db.Snapshot(ctx, "uclg-debates")
			if err != nil {
				t.Fatal(err)
			}
			if tc.name == "differs" {
				// Snapshot trusts a row that decodes: Check is what finds it.
				if got.Sessions[0].Venue != "Sala 2" {
					t.Errorf("venue %q: the packed row was not read", got.Sessions[0].Venue)
				}
			} else {
				assertEqual(t, "snapshot", got, want)
			}
			err = db.Check(ctx)
			switch {
			case tc.check == "" && err != nil:
				t.Errorf("Check: %v", err)
			case tc.check != "" && (err == nil || !strings.Contains(err.Error(), tc.check)):
				t.Errorf("Check = %v, want a problem mentioning %q", err, tc.check)
			}
		})
	}

	// Open repacks a row that is missing or behind.
	if _, err := db.writer.Exec(`DELETE FROM series_sessions`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = openTestDB(t, path, c)
	assertPackedCurrent(t, db, "reopen")
}

// refreshPackedFor rewrites a series' packed row from the tables.
func refreshPackedFor(db *DB, slug string) error {
	ctx := context.Background()
	return db.write(ctx, func(w *writeTx) error {
		var id int64
		if err := w.tx.QueryRowContext(ctx, `SELECT id FROM series WHERE slug = ?`, slug).Scan(&id); err != nil {
			return err
		}
		w.quiet = true
		return refreshPacked(ctx, w.tx, id)
	})
}

// FuzzUnpackSessions: any bytes either decode or give an error; never a
// panic or a huge allocation. Seeds are real packed rows.
func FuzzUnpackSessions(f *testing.F) {
	ctx := context.Background()
	db, err := Open(ctx, f.TempDir()+"/fuzz.db", Options{UIDDomain: "test.example", Create: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	start := agenda.NewWallTime(2021, 11, 17, 12, 0, 0)
	end := agenda.NewWallTime(2021, 11, 17, 13, 0, 0)
	doc := agenda.Snapshot{Series: madrid(), Sessions: []agenda.Session{
		{Key: "a", Title: "A", Start: start, End: end, Tags: []string{"x", "y"}, People: []agenda.Participant{
			{Person: agenda.Person{Name: "Ana Ruiz", Affiliation: "Mayor", URL: "https://example.org/ana"}, Role: agenda.RoleModerator}}},
		{Key: "b", Title: "B", AllDay: true, StartDate: agenda.Date{Year: 2021, Month: 11, Day: 18}, EndDate: agenda.Date{Year: 2021, Month: 11, Day: 19}},
	}}
	if _, err := db.Import(ctx, []agenda.Snapshot{doc}); err != nil {
		f.Fatal(err)
	}
	if _, err := db.Pack(ctx); err != nil {
		f.Fatal(err)
	}
	var data []byte
	if err := db.reader.QueryRow(`SELECT data FROM series_sessions`).Scan(&data); err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte{packVersion, 0, 0})
	f.Add([]byte{packVersion, 1, 0})
	f.Add([]byte{packVersion, 0xff, 0xff, 0xff, 0xff, 0x0f, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		sessions, err := unpackSessions(b, "s")
		if err == nil && len(sessions) > len(b)/21 {
			t.Errorf("%d sessions from %d bytes", len(sessions), len(b))
		}
	})
}
