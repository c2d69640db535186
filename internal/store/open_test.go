package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agendafeed/agendafeed/internal/markup"
)

// TestOpenCreate: only Options.Create makes a missing database; without it
// a mistyped path fails and leaves no file behind.
func TestOpenCreate(t *testing.T) {
	existing := filepath.Join(t.TempDir(), "agenda.db")
	openTestDB(t, existing, newClock()).Close()
	for _, tc := range []struct {
		name    string
		path    string
		create  bool
		wantErr bool
	}{
		{"missing without Create", filepath.Join(t.TempDir(), "typo.db"), false, true},
		{"missing with Create", filepath.Join(t.TempDir(), "new.db"), true, false},
		{"existing without Create", existing, false, false},
		{"existing with Create", existing, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := Open(context.Background(), tc.path, Options{UIDDomain: "test.example", Create: tc.create})
			if tc.wantErr {
				if err == nil {
					db.Close()
					t.Fatal("Open succeeded, want ErrNoDatabase")
				}
				if !errors.Is(err, ErrNoDatabase) || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), tc.path) {
					t.Errorf("Open error = %v; want one naming %s and matching ErrNoDatabase and fs.ErrNotExist", err, tc.path)
				}
				if _, err := os.Stat(tc.path); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("Open without Create left a file at %s: %v", tc.path, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer db.Close()
			if _, err := db.ListSeries(context.Background()); err != nil {
				t.Errorf("ListSeries: %v", err)
			}
		})
	}
}

// TestReplaced: once the path names another file (deleted, or a copy moved
// over it) the open database is one nobody else sees, and Ping, which the
// daemon's /healthz uses, says so.
func TestReplaced(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, path string)
	}{
		{"deleted", func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}},
		{"replaced by a copy", func(t *testing.T, path string) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			tmp := path + ".restore"
			if err := os.WriteFile(tmp, b, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, path); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "agenda.db")
			db := openTestDB(t, path, newClock())
			if r, err := db.Replaced(); r || err != nil {
				t.Fatalf("Replaced right after Open = %v, %v; want false, nil", r, err)
			}
			if err := db.Ping(ctx); err != nil {
				t.Fatalf("Ping right after Open: %v", err)
			}
			tc.change(t, path)
			if r, err := db.Replaced(); !r || err != nil {
				t.Errorf("Replaced = %v, %v; want true, nil", r, err)
			}
			if err := db.Ping(ctx); !errors.Is(err, ErrReplaced) {
				t.Errorf("Ping = %v; want ErrReplaced", err)
			}
		})
	}
}

// staleDB returns the path of a closed database whose series' packed
// sessions are out of date, as after a crash between a write and a pack.
func staleDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "agenda.db")
	db := openTestDB(t, path, newClock())
	mustPutSeries(t, db, madrid())
	for i := range 50 {
		mustPutSession(t, db, timedSession(t, "uclg-debates", fmt.Sprintf("s%02d", i), "2024-05-01T10:00", "2024-05-01T11:00"))
	}
	if n, err := db.StalePacks(ctx); err != nil || n == 0 {
		t.Fatalf("StalePacks = %d, %v; want stale series", n, err)
	}
	db.Close()
	return path
}

// TestPackSkipsReadOnlyDatabase: Open's pack is skipped, not fatal, when
// the database cannot be written, so read-only commands still read. Tests
// run as root, where a 0444 file is still writable, so the writer here is
// opened with mode=ro, which makes SQLite fail writes with SQLITE_READONLY
// just as a read-only file or mount does.
func TestPackSkipsReadOnlyDatabase(t *testing.T) {
	ctx := context.Background()
	path := staleDB(t)
	ro, err := sql.Open("sqlite", "file:"+path+"?mode=ro&"+pragmas+"&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	ro.SetMaxOpenConns(1)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	db := &DB{writer: ro, reader: ro, wstmts: newStmtCache(ro), rstmts: newStmtCache(ro),
		opts: Options{Now: newClock().Now}, md: markup.New(), path: path, file: fi}
	defer db.Close()
	if _, err := db.Pack(ctx); err == nil || !unwritable(err) {
		t.Fatalf("Pack on a read-only database = %v; want an SQLITE_READONLY error", err)
	}
	if err := db.packIfFree(ctx); err != nil {
		t.Fatalf("packIfFree on a read-only database: %v", err)
	}
	snap, err := db.Snapshot(ctx, "uclg-debates")
	if err != nil || len(snap.Sessions) != 50 {
		t.Fatalf("Snapshot = %d sessions, %v; want 50, nil", len(snap.Sessions), err)
	}
}

// TestOpenReadOnlyFile is the same through Open with a 0444 file, where
// that stops writes (not as root).
func TestOpenReadOnlyFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes 0444 files; TestPackSkipsReadOnlyDatabase covers this")
	}
	ctx := context.Background()
	path := staleDB(t)
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, path, Options{UIDDomain: "test.example"})
	if err != nil {
		t.Fatalf("Open read-only file: %v", err)
	}
	defer db.Close()
	snap, err := db.Snapshot(ctx, "uclg-debates")
	if err != nil || len(snap.Sessions) != 50 {
		t.Fatalf("Snapshot = %d sessions, %v; want 50, nil", len(snap.Sessions), err)
	}
}

// TestFullDatabase: a write that runs out of room says the disk is full,
// and Open's pack gives way to it. max_page_count makes SQLite fail with
// SQLITE_FULL exactly as a full disk does.
func TestFullDatabase(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t, filepath.Join(t.TempDir(), "agenda.db"), newClock())
	mustPutSeries(t, db, madrid())
	for i := range 50 {
		mustPutSession(t, db, timedSession(t, "uclg-debates", fmt.Sprintf("s%02d", i), "2024-05-01T10:00", "2024-05-01T11:00"))
	}
	var pages int
	if err := db.writer.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.writer.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
		t.Fatal(err)
	}
	_, err := db.Pack(ctx)
	if !errors.Is(err, ErrFull) || !strings.Contains(err.Error(), "the disk holding the database is full") {
		t.Fatalf("Pack on a full database = %v; want ErrFull", err)
	}
	if err := db.packIfFree(ctx); err != nil {
		t.Errorf("packIfFree on a full database: %v", err)
	}
}

// TestOpenRefusesWhatIsNoAgenda: a file that holds no agendafeed data, one
// written by a newer agendafeed and a directory are refused, each with an
// error naming the path and matching its sentinel, and left as they were;
// Create initialises the empty ones only.
func TestOpenRefusesWhatIsNoAgenda(t *testing.T) {
	ctx := context.Background()
	rawExec := func(t *testing.T, path, query string) {
		t.Helper()
		raw, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		if _, err := raw.Exec(query); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name        string
		make        func(t *testing.T, path string)
		want        []error
		msg         string
		createOpens bool
	}{
		{"0 bytes", func(t *testing.T, path string) {
			if err := os.WriteFile(path, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}, []error{ErrEmptyDatabase, ErrNoDatabase}, "is empty (0 bytes)", true},
		{"SQLite without tables", func(t *testing.T, path string) { rawExec(t, path, `VACUUM`) },
			[]error{ErrEmptyDatabase, ErrNoDatabase}, "without any agendafeed table", true},
		{"another program's database", func(t *testing.T, path string) { rawExec(t, path, `CREATE TABLE other (x)`) },
			[]error{ErrNotAgendafeed}, "tables but no agendafeed schema", false},
		{"newer schema", func(t *testing.T, path string) {
			openTestDB(t, path, newClock()).Close()
			rawExec(t, path, fmt.Sprintf(`INSERT INTO schema_migrations (version, applied) VALUES (%d, 'x')`, latestVersion(t)+1))
		}, []error{ErrNewerSchema}, fmt.Sprintf("has schema version %d, newer than version %d", latestVersion(t)+1, latestVersion(t)), false},
		{"directory", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
		}, []error{ErrNotDatabaseFile}, "is a directory, not a database file", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "agenda.db")
			tc.make(t, path)
			before, _ := os.ReadFile(path)
			for _, fallback := range []bool{false, true} {
				db, err := Open(ctx, path, Options{UIDDomain: "test.example", ReadOnlyFallback: fallback})
				if err == nil {
					db.Close()
					t.Fatal("Open succeeded")
				}
				for _, want := range tc.want {
					if !errors.Is(err, want) {
						t.Errorf("Open error %v does not match %v", err, want)
					}
				}
				if !strings.Contains(err.Error(), path+" ") || !strings.Contains(err.Error(), tc.msg) {
					t.Errorf("Open error = %v; want one naming %s and saying %q", err, path, tc.msg)
				}
			}
			if after, _ := os.ReadFile(path); string(after) != string(before) {
				t.Error("a refused Open changed the file")
			}
			db, err := Open(ctx, path, Options{UIDDomain: "test.example", Create: true})
			if !tc.createOpens {
				if err == nil {
					db.Close()
					t.Fatal("Open with Create succeeded")
				}
				return
			}
			if err != nil {
				t.Fatalf("Open with Create: %v", err)
			}
			defer db.Close()
			if v, err := db.SchemaVersion(ctx); err != nil || v != latestVersion(t) {
				t.Errorf("SchemaVersion = %d, %v; want %d", v, err, latestVersion(t))
			}
		})
	}
}
