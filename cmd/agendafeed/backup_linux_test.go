package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agendafeed/agendafeed/internal/asnobody"
)

// A backup is read as the database by a user who cannot write it, in a
// directory it cannot write or as a read-only file (the documented
// `AGENDAFEED_DATABASE=/backups/x.db agendafeed check`), and a write to it
// says what cannot be written. It used to be a rollback-journal file,
// which SQLite would switch to WAL mode on opening: a write.
func TestBackupReadOnly(t *testing.T) {
	te := newTestEnv(t)
	te.must("demo")
	base := te.dir
	roDir := filepath.Join(base, "rodir")  // the directory cannot be written
	roFile := filepath.Join(base, "rwdir") // the directory can, the file cannot
	backup := filepath.Join(base, "backup.db")
	te.must("backup", backup)
	bin := filepath.Join(base, "agendafeed.test")
	asnobody.CopyTestBinary(t, bin)
	for _, d := range []string{roDir, roFile} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		copyPlain(t, backup, filepath.Join(d, "backup.db"))
	}
	public := filepath.Join(base, "public") // check wants an output directory it can write
	if err := os.Mkdir(public, 0o777); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		mode os.FileMode
	}{
		{filepath.Dir(base), 0o755}, {base, 0o755}, {public, 0o777},
		{filepath.Join(roDir, "backup.db"), 0o644}, {roDir, 0o555},
		{filepath.Join(roFile, "backup.db"), 0o444}, {roFile, 0o777},
	} {
		if err := os.Chmod(c.path, c.mode); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { os.Chmod(roDir, 0o755) })

	for _, dir := range []string{roDir, roFile} {
		db := filepath.Join(dir, "backup.db")
		for _, args := range [][]string{{"series", "list"}, {"export", "cities-are-listening"}, {"check"}} {
			t.Run(filepath.Base(dir)+" "+strings.Join(args, " "), func(t *testing.T) {
				if stderr, code := runAsNobody(t, bin, base, db, args...); code != 0 {
					t.Errorf("exit %d, stderr:\n%s", code, stderr)
				}
			})
		}
		t.Run(filepath.Base(dir)+" series edit", func(t *testing.T) {
			problem := db + " cannot be written: the file is read-only for this user"
			if dir == roDir {
				problem = db + " is open for reading only: its directory " + dir + " cannot be written"
			}
			stderr, code := runAsNobody(t, bin, base, db, "series", "edit", "cities-are-listening", "-title", "X")
			if code != 1 || !strings.Contains(stderr, `edit series "cities-are-listening": `+problem) ||
				!strings.HasSuffix(stderr, databaseKey+"\n") {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and %s ...%s", code, stderr, problem, databaseKey)
			}
		})
		// Nothing is left beside the file, in the writable directory
		// too: there SQLite would create the -wal and -shm as nobody and
		// could not remove them (that takes a write to the file), and the
		// owner's next write would fail on them.
		if entries, err := os.ReadDir(dir); err != nil || len(entries) != 1 {
			t.Errorf("%s holds %v (%v), want only backup.db", dir, entries, err)
		}
	}
}

// copyPlain copies a file as cp does.
func copyPlain(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
