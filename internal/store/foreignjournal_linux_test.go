package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agendafeed/agendafeed/internal/asnobody"
)

// foreignJournalCases are the databases the probe writes to: which of the
// -wal and -shm another user left, unwritable by the database's owner.
var foreignJournalCases = []struct {
	dir     string
	foreign []string
	want    []string // in the write's error, after the database path
}{
	{"both", []string{"-wal", "-shm"}, []string{
		" cannot be written: {db}-wal and {db}-shm are owned by uid 0 (root) and not writable by this user (uid 65534 (nobody))",
		"another user's process opened the database and left them; give them to the database's owner (chown 65534:65534 {db}-wal {db}-shm)",
		"; do not remove {db}-wal: it may hold writes not yet in the database",
	}},
	{"shm", []string{"-shm"}, []string{
		" cannot be written: {db}-shm is owned by uid 0 (root) and not writable by this user (uid 65534 (nobody))",
		"left it; give it to the database's owner (chown 65534:65534 {db}-shm), or remove it while no process uses the database",
	}},
}

// A reading command run as another user leaves -wal and -shm files that
// user owns (killed before it closed, or while the owner's daemon had the
// database open); the owner's writes then fail with SQLite's "readonly
// database", which blames the database file. The error names the files,
// their owner and what to do instead. Run as nobody, the database's owner
// here, as TestOpenReadOnlyDirectory is.
func TestWriteBlamesOthersWALFiles(t *testing.T) {
	// In the re-executed binary roEnv names the directory of the databases.
	if base := os.Getenv(roEnv); base != "" {
		probeOthersWALFiles(t, base)
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root, to leave files the database's owner cannot write")
	}
	base := t.TempDir()
	for _, c := range foreignJournalCases {
		leaveForeignJournal(t, filepath.Join(base, c.dir), c.foreign)
	}
	bin := filepath.Join(base, "store.test")
	asnobody.CopyTestBinary(t, bin)
	for _, d := range []string{filepath.Dir(base), base} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	asnobody.RunTest(t, bin, base, "TestWriteBlamesOthersWALFiles", roEnv+"="+base)
}

// leaveForeignJournal makes dir/agenda.db, owned by nobody as its
// directory is, with the -wal and -shm of a connection that never closed
// beside it, those named by foreign owned by root and 0644. SQLite run by
// root gives the files it creates to the database's owner, so it is
// another ordinary user's that they stand for.
func leaveForeignJournal(t *testing.T, dir string, foreign []string) {
	t.Helper()
	ctx := context.Background()
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "agenda.db")
	db := openTestDB(t, path, newClock())
	mustPutSeries(t, db, madrid())
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir, path} {
		if err := os.Chown(p, asnobody.UID, asnobody.GID); err != nil {
			t.Fatal(err)
		}
	}
	reader, err := Open(ctx, path, Options{ReadOnlyFallback: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reader.ListSeries(ctx); err != nil {
		t.Fatal(err)
	}
	// Links keep the files its Close removes, as a killed process leaves them.
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Link(path+suffix, path+suffix+".kept"); err != nil {
			t.Fatal(err)
		}
	}
	if err := reader.Close(); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Rename(path+suffix+".kept", path+suffix); err != nil {
			t.Fatal(err)
		}
	}
	for _, suffix := range foreign {
		if err := os.Chown(path+suffix, 0, 0); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path+suffix, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func probeOthersWALFiles(t *testing.T, base string) {
	ctx := context.Background()
	for _, c := range foreignJournalCases {
		t.Run(c.dir, func(t *testing.T) {
			path := filepath.Join(base, c.dir, "agenda.db")
			db, err := Open(ctx, path, Options{})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer db.Close()
			if ss, err := db.ListSeries(ctx); err != nil || len(ss) != 1 {
				t.Fatalf("ListSeries = %v, %v; want the one series", ss, err)
			}
			s := madrid()
			s.Title = "Renamed"
			_, err = db.PutSeries(ctx, s, Any)
			if !errors.Is(err, ErrReadOnlyFile) || !strings.HasPrefix(err.Error(), path+" cannot be written: ") {
				t.Fatalf("PutSeries: %v, want ErrReadOnlyFile naming %s", err, path)
			}
			for _, w := range c.want {
				if w = strings.ReplaceAll(w, "{db}", path); !strings.Contains(err.Error(), w) {
					t.Errorf("PutSeries: %v\nwant it to say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "the file is read-only") {
				t.Errorf("PutSeries: %v\nblames the database file, which this user can write", err)
			}
		})
	}
}
