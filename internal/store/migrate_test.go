package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func latestVersion(t *testing.T) int {
	t.Helper()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 2 {
		t.Fatalf("expected at least 2 migrations, have %d", len(ms))
	}
	return ms[len(ms)-1].version
}

// schemaOf lists the schema objects of a database file.
func schemaOf(t *testing.T, path string) string {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT type, name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var typ, name, text string
		if err := rows.Scan(&typ, &name, &text); err != nil {
			t.Fatal(err)
		}
		b.WriteString(typ + " " + name + ": " + text + "\n")
	}
	return b.String()
}

func TestMigrateFresh(t *testing.T) {
	c := newClock()
	path := filepath.Join(t.TempDir(), "fresh.db")
	db := openTestDB(t, path, c)
	ctx := context.Background()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := latestVersion(t); v != want {
		t.Errorf("SchemaVersion = %d, want %d", v, want)
	}
	rows, err := db.reader.Query(`SELECT version, applied FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var ver int
		var applied string
		if err := rows.Scan(&ver, &applied); err != nil {
			t.Fatal(err)
		}
		n++
		if ver != n {
			t.Errorf("migration row %d has version %d", n, ver)
		}
		got, err := parseTime(applied)
		if err != nil || !got.Equal(c.stamp()) {
			t.Errorf("migration %d applied %q (%v), want %v", ver, applied, err, c.stamp())
		}
	}
	if n != latestVersion(t) {
		t.Errorf("%d migrations recorded, want %d", n, latestVersion(t))
	}
	var mode string
	if err := db.writer.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q (%v), want wal", mode, err)
	}
	var fk int
	if err := db.reader.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("reader foreign_keys = %d (%v), want 1", fk, err)
	}
	// The reader pool really is read-only.
	if _, err := db.reader.Exec(`UPDATE meta SET change_counter = 99`); err == nil {
		t.Error("write through the reader pool succeeded; want a read-only error")
	}
}

// TestMigrateFromEveryVersion builds a database at each older schema, with
// data written in that schema's shape, and opens it with the store.
func TestMigrateFromEveryVersion(t *testing.T) {
	ctx := context.Background()
	latest := latestVersion(t)
	freshPath := filepath.Join(t.TempDir(), "fresh.db")
	fresh := openTestDB(t, freshPath, newClock())
	fresh.Close()
	want := schemaOf(t, freshPath)

	for v := 1; v < latest; v++ {
		t.Run(fmt.Sprintf("from %d", v), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "old.db")
			raw, err := sql.Open("sqlite", "file:"+path+"?"+pragmas)
			if err != nil {
				t.Fatal(err)
			}
			if err := migrate(ctx, raw, time.Now, v); err != nil {
				t.Fatalf("migrate to %d: %v", v, err)
			}
			// Rows as schema 1 stores them.
			for _, q := range []string{
				`INSERT INTO series VALUES (1, 'old', 'Old series', '', '', 'Europe/Madrid', 'en', '30', '', '',
					'2020-01-01T00:00:00.000000000Z', '2020-01-02T00:00:00.000000000Z', 7)`,
				`INSERT INTO sessions VALUES (1, 'u1@old.example', 1, 'k1', 'Kick-off', '', 0, '2020-05-01T10:00',
					'2020-05-01T11:00', '', '', 'Europe/Madrid', 1588320000, 1588323600, '', '', '', 'confirmed', 'en',
					'a', '', 3, '2020-01-01T00:00:00.000000000Z', '2020-01-02T00:00:00.000000000Z')`,
				`INSERT INTO people VALUES (1, 'Old Speaker', 'Somewhere', '')`,
				`INSERT INTO session_people VALUES (1, 1, 'speaker', 'Somewhere', 0)`,
			} {
				if _, err := raw.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			raw.Close()

			db := openTestDB(t, path, newClock())
			got, err := db.SchemaVersion(ctx)
			if err != nil || got != latest {
				t.Fatalf("SchemaVersion = %d, %v; want %d", got, err, latest)
			}
			s, err := db.SessionByKey(ctx, "old", "k1")
			if err != nil {
				t.Fatalf("SessionByKey after migration: %v", err)
			}
			if s.UID != "u1@old.example" || s.Sequence != 3 || len(s.People) != 1 || s.People[0].Name != "Old Speaker" {
				t.Errorf("migrated session = %+v", s)
			}
			if rev := mustRevision(t, db, "old"); rev != 7 {
				t.Errorf("migrated revision = %d, want 7", rev)
			}
			if err := db.Check(ctx); err != nil {
				t.Errorf("Check after migration: %v", err)
			}
			assertPackedCurrent(t, db, fmt.Sprintf("migrating from %d", v))
			db.Close()
			if got := schemaOf(t, path); got != want {
				t.Errorf("schema after migrating from %d differs from a fresh one:\n%s\nwant\n%s", v, got, want)
			}
		})
	}
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	path := filepath.Join(t.TempDir(), "reopen.db")
	db := openTestDB(t, path, c)
	mustPutSeries(t, db, madrid())
	sess := mustPutSession(t, db, fullSession(t, "uclg-debates", "finance"))
	before, err := db.Snapshot(ctx, "uclg-debates")
	if err != nil {
		t.Fatal(err)
	}
	counter := mustCounter(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = openTestDB(t, path, c)
	after, err := db.Snapshot(ctx, "uclg-debates")
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "snapshot after reopen", after, before)
	if got := mustCounter(t, db); got != counter {
		t.Errorf("change counter after reopen = %d, want %d", got, counter)
	}
	if v, _ := db.SchemaVersion(ctx); v != latestVersion(t) {
		t.Errorf("SchemaVersion after reopen = %d", v)
	}
	if _, err := db.Session(ctx, sess.UID); err != nil {
		t.Errorf("Session(%s) after reopen: %v", sess.UID, err)
	}
}

func TestMigrationsAreOrdered(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range ms {
		if m.version != i+1 || !strings.HasSuffix(m.name, ".sql") || strings.TrimSpace(m.sql) == "" {
			t.Errorf("migration %d: %+v", i, m.name)
		}
	}
}
