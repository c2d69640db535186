package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A backup copied over the database in place (cp keeps the inode, so the
// path still names the file opened) is noticed: Ping, writes and failing
// reads say the file was overwritten in place, instead of ok or SQLite's
// "malformed".
func TestOverwrittenInPlace(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		copy func(t *testing.T, db *DB) string // the file to copy over the database
	}{
		{"a backup", func(t *testing.T, db *DB) string {
			dst := filepath.Join(t.TempDir(), "backup.db")
			if _, err := db.Backup(ctx, dst); err != nil {
				t.Fatal(err)
			}
			return dst
		}},
		{"a rollback-journal copy", func(t *testing.T, db *DB) string {
			dst := filepath.Join(t.TempDir(), "vacuum.db")
			if _, err := db.reader.ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
				t.Fatal(err)
			}
			return dst
		}},
		{"an empty file", func(t *testing.T, db *DB) string {
			dst := filepath.Join(t.TempDir(), "empty")
			if err := os.WriteFile(dst, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			return dst
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := newTestDB(t)
			mustPutSeries(t, db, madrid())
			src := tt.copy(t, db)
			mustPutSession(t, db, fullSession(t, "uclg-debates", "finance"))
			if err := db.Ping(ctx); err != nil {
				t.Fatalf("Ping before the copy: %v", err)
			}
			b, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			// What cp does: truncate and write the same inode.
			if err := os.WriteFile(db.path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			const want = "the database file was overwritten in place (cp over it?) while this process had it open: "
			if err := db.Ping(ctx); !errors.Is(err, ErrReplaced) || !strings.Contains(err.Error(), want+db.path) {
				t.Errorf("Ping: %v, want %q", err, want)
			}
			s := madrid()
			s.Title = "Renamed"
			if _, err := db.PutSeries(ctx, s, Any); !errors.Is(err, ErrReplaced) || !strings.Contains(err.Error(), want) {
				t.Errorf("PutSeries: %v, want %q", err, want)
			}
			if _, err := db.ChangeCounter(ctx); !errors.Is(err, ErrReplaced) {
				t.Errorf("ChangeCounter: %v, want ErrReplaced", err)
			}
			// A pass's reads: what they would read is a mix of two files.
			if _, err := db.Snapshot(ctx, "uclg-debates"); !errors.Is(err, ErrReplaced) || !strings.Contains(err.Error(), want) {
				t.Errorf("Snapshot: %v, want %q", err, want)
			}
			if err := db.Close(); !errors.Is(err, ErrReplaced) {
				t.Errorf("Close: %v, want ErrReplaced", err)
			}
		})
	}
}

// What other connections do to the file while it is open (writes,
// checkpoints, a checkpoint that truncates the -wal) is not taken for an
// overwrite.
func TestCheckpointsAreNotOverwrites(t *testing.T) {
	ctx := context.Background()
	db, _ := newTestDB(t)
	if err := db.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	other := openTestDB(t, db.path, newClock())
	defer other.Close()
	raw, err := sql.Open("sqlite", "file:"+db.path+"?"+pragmas)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	mustPutSeries(t, other, madrid())
	for i, key := range []string{"a", "b", "c"} {
		mustPutSession(t, other, fullSession(t, "uclg-debates", key))
		if _, err := raw.ExecContext(ctx, []string{`PRAGMA wal_checkpoint(PASSIVE)`, `PRAGMA wal_checkpoint(FULL)`, `PRAGMA wal_checkpoint(TRUNCATE)`}[i]); err != nil {
			t.Fatal(err)
		}
		if err := db.Ping(ctx); err != nil {
			t.Fatalf("Ping after checkpoint %d: %v", i, err)
		}
		mustPutSession(t, db, fullSession(t, "uclg-debates", key+"2"))
	}
	if err := db.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}
