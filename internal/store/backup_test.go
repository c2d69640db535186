package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A backup taken while the database is open with commits still in its
// -wal holds every commit, opens on its own, and checks clean.
func TestBackup(t *testing.T) {
	ctx := context.Background()
	db, _ := newTestDB(t)
	mustPutSeries(t, db, madrid())
	mustPutSession(t, db, fullSession(t, "uclg-debates", "finance"))
	if fi, err := os.Stat(db.path + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("the commits should be in the -wal: %v", err)
	}
	dst := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(ctx, dst); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dst); err != nil || fi.Mode().Perm() != db.file.Mode().Perm() {
		t.Errorf("backup mode: %v, %v; want the database's %v", fi.Mode(), err, db.file.Mode())
	}
	// WAL mode (bytes 18-19 of the header are 2 2), as the daemon runs it:
	// VACUUM INTO writes a rollback-journal file, which a reader that
	// cannot write it would have to leave unswitched.
	if h := readFileHeader(t, dst); h[18] != 2 || h[19] != 2 {
		t.Errorf("backup header bytes 18-19 = %v, want 2 2 (WAL)", h[18:20])
	}
	entries, err := os.ReadDir(filepath.Dir(dst))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("backup directory holds %v, want only backup.db", entries)
	}
	b, err := Open(ctx, dst, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Check(ctx); err != nil {
		t.Errorf("Check of the backup: %v", err)
	}
	ss, err := b.Sessions(ctx, SessionFilter{Series: "uclg-debates"})
	if err != nil || len(ss) != 1 || ss[0].Key != "finance" {
		t.Errorf("backup sessions = %v, %v; want finance", ss, err)
	}

	// An existing file is never overwritten.
	if err := db.Backup(ctx, dst); err == nil || !strings.Contains(err.Error(), "the file exists") {
		t.Errorf("Backup over an existing file: %v", err)
	}
	if err := db.Backup(ctx, db.path); err == nil {
		t.Error("Backup over the database itself succeeded")
	}
}

func readFileHeader(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 100 {
		t.Fatalf("read %s: %d bytes, %v", path, len(b), err)
	}
	return b[:100]
}
