package store

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
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
	if _, err := db.Backup(ctx, dst); err != nil {
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
	if _, err := db.Backup(ctx, dst); err == nil || !strings.Contains(err.Error(), "the file exists") {
		t.Errorf("Backup over an existing file: %v", err)
	}
	if _, err := db.Backup(ctx, db.path); err == nil {
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

// A backup that was killed leaves its temporary file and -journal behind;
// the next backup into the same directory removes them, whatever its own
// name (cron backups are dated), and leaves the temporary file of a
// backup still running (its lock is held) and other files.
func TestBackupRemovesStaleTemps(t *testing.T) {
	ctx := context.Background()
	db, _ := newTestDB(t)
	mustPutSeries(t, db, madrid())
	dir := t.TempDir()
	dst := filepath.Join(dir, "k.db")
	write := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("partial copy"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stale := []string{
		write(".k.db.agendafeed-backup-1234"), write(".k.db.agendafeed-backup-1234-journal"),
		write(".yesterday.db.agendafeed-backup-42"),
		write(".k.db.agendafeed-backup-99-journal"),                          // its file gone
		write(".k.db.tmp-2525595413"), write(".k.db.tmp-2525595413-journal"), // named by older releases
	}
	running := write(".k.db.agendafeed-backup-5678")
	kept := []string{running, write(".k.db.agendafeed-backup-5678-journal"),
		write(".other.db.tmp-1"), write(".k.db.agendafeed-backup-x"), write("k.db.agendafeed-backup-2"), write("notes.txt")}
	f, err := os.Open(running)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if ok, err := lockTemp(f); !ok || err != nil {
		t.Fatalf("lock %s: %v, %v", running, ok, err)
	}

	removed, err := db.Backup(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(removed)
	slices.Sort(stale)
	if !slices.Equal(removed, stale) {
		t.Errorf("Backup removed %v, want %v", removed, stale)
	}
	for _, p := range stale {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s is still there: %v", p, err)
		}
	}
	for _, p := range kept {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
	if _, err := os.Stat(dst); err != nil {
		t.Errorf("no backup: %v", err)
	}
	// Once the running backup is gone, its files go with the next one.
	f.Close()
	removed, err = db.Backup(ctx, filepath.Join(dir, "k2.db"))
	if want := []string{running + "-journal", running}; err != nil || !slices.Equal(removed, want) {
		t.Errorf("Backup removed %v, %v; want %v", removed, err, want)
	}
}

// The README's own example, `agendafeed backup /backups/agendafeed.db`,
// on a machine without /backups: the message named the backup's temporary
// file (open /backups/.agendafeed.db.agendafeed-backup-123: no such file
// or directory), a name the user never gave, instead of the directory
// that is missing; and a directory given as FILE was told "the file
// exists; remove it".
func TestBackupDirectoryProblems(t *testing.T) {
	ctx := context.Background()
	db, _ := newTestDB(t)
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, dst, want string
	}{
		{"missing directory", filepath.Join(tmp, "backups", "agendafeed.db"),
			"backup to " + filepath.Join(tmp, "backups", "agendafeed.db") + ": directory " + filepath.Join(tmp, "backups") +
				" does not exist; create it, or name a file in an existing directory"},
		{"file as directory", filepath.Join(file, "agendafeed.db"),
			"backup to " + filepath.Join(file, "agendafeed.db") + ": " + file +
				" is not a directory; expected the directory to write the copy in"},
		{"under a file", filepath.Join(file, "sub", "agendafeed.db"),
			"backup to " + filepath.Join(file, "sub", "agendafeed.db") + ": directory " + filepath.Join(file, "sub") +
				" does not exist; create it, or name a file in an existing directory"},
		// Told to remove it, as an existing file is, the user might.
		{"a directory", tmp,
			"backup to " + tmp + ": it is a directory; expected the name of the file to write, such as " +
				filepath.Join(tmp, "agendafeed-YYYY-MM-DD.db")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.Backup(ctx, tt.dst)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Backup(%s) = %v;\nwant %s", tt.dst, err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), backupTempMark) {
				t.Errorf("the message names the temporary file: %v", err)
			}
		})
	}
}
