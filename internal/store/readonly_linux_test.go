package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agendafeed/agendafeed/internal/asnobody"
)

// roEnv names, in the re-executed test binary, the database to probe.
const roEnv = "AGENDAFEED_TEST_READONLY_DB"

// A database in a directory this user cannot write is readable with
// ReadOnlyFallback while no -wal file exists, and every other case fails
// with an error naming the file and the directory. Permissions do not stop
// root, so as root the probe runs in this test binary re-executed as
// nobody (uid 65534).
func TestOpenReadOnlyDirectory(t *testing.T) {
	if path := os.Getenv(roEnv); path != "" {
		probeReadOnly(t, path)
		return
	}
	base := t.TempDir()
	dir := filepath.Join(base, "db")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "agenda.db")
	db := openTestDB(t, path, newClock())
	mustPutSeries(t, db, madrid())
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("-wal left after Close: %v", err)
	}
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })

	if os.Geteuid() != 0 {
		probeReadOnly(t, path)
		return
	}
	// The binary and every directory above the database must be usable by
	// nobody: t.TempDir's directories are 0700.
	bin := filepath.Join(base, "store.test")
	asnobody.CopyTestBinary(t, bin)
	for _, d := range []string{filepath.Dir(base), base} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	asnobody.RunTest(t, bin, base, "TestOpenReadOnlyDirectory", roEnv+"="+path)
}

func probeReadOnly(t *testing.T, path string) {
	ctx := context.Background()
	dir := filepath.Dir(path)
	if f, err := os.Create(filepath.Join(dir, "probe")); err == nil {
		f.Close()
		t.Fatalf("%s is writable: the probe would prove nothing", dir)
	}

	// Without the fallback (the daemon): an error naming file and directory.
	_, err := Open(ctx, path, Options{})
	if !errors.Is(err, ErrReadOnlyDir) || !strings.Contains(err.Error(), "cannot open "+path+": its directory "+dir+" cannot be written") {
		t.Fatalf("Open without ReadOnlyFallback: %v, want ErrReadOnlyDir naming %s and %s", err, path, dir)
	}

	db, err := Open(ctx, path, Options{ReadOnlyFallback: true})
	if err != nil {
		t.Fatalf("Open with ReadOnlyFallback: %v", err)
	}
	defer db.Close()
	ss, err := db.ListSeries(ctx)
	if err != nil || len(ss) != 1 || ss[0].Slug != "uclg-debates" {
		t.Fatalf("ListSeries = %v, %v; want the one series", ss, err)
	}
	if err := db.Check(ctx); err != nil {
		t.Errorf("Check: %v", err)
	}
	s := madrid()
	s.Title = "Renamed"
	if _, err := db.PutSeries(ctx, s, Any); !errors.Is(err, ErrReadOnlyDir) ||
		!strings.Contains(err.Error(), path+" is open for reading only: its directory "+dir+" cannot be written") {
		t.Errorf("PutSeries: %v, want ErrReadOnlyDir naming %s", err, path)
	}
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a -wal file appeared: %v", err)
	}
}

// A rollback-journal file (what VACUUM INTO writes: an old backup) that
// this user cannot write is read as it is, never switched to WAL mode,
// whether its directory is writable or not; writes fail with the error
// that says which of the two cannot be written. Run as nobody, as
// TestOpenReadOnlyDirectory is.
func TestOpenReadOnlyRollbackFile(t *testing.T) {
	// In the re-executed binary roEnv names the directory of the files.
	if dir := os.Getenv(roEnv); dir != "" {
		probeReadOnlyRollback(t, dir)
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root, to make files this test's user cannot write")
	}
	base := t.TempDir()
	src := openTestDB(t, filepath.Join(base, "src.db"), newClock())
	mustPutSeries(t, src, madrid())
	for _, c := range []struct{ dir, name string }{{"rodir", "agenda.db"}, {"rwdir", "agenda.db"}} {
		d := filepath.Join(base, c.dir)
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if _, err := src.reader.Exec(`VACUUM INTO ?`, filepath.Join(d, c.name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(base, "store.test")
	asnobody.CopyTestBinary(t, bin)
	for _, c := range []struct {
		path string
		mode os.FileMode
	}{
		{filepath.Dir(base), 0o755}, {base, 0o755},
		{filepath.Join(base, "rodir", "agenda.db"), 0o644}, {filepath.Join(base, "rodir"), 0o555},
		{filepath.Join(base, "rwdir", "agenda.db"), 0o444}, {filepath.Join(base, "rwdir"), 0o777},
	} {
		if err := os.Chmod(c.path, c.mode); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(base, "rodir"), 0o755) })
	asnobody.RunTest(t, bin, base, "TestOpenReadOnlyRollbackFile", roEnv+"="+base)
}

func probeReadOnlyRollback(t *testing.T, base string) {
	ctx := context.Background()
	for _, tt := range []struct {
		dir      string
		fallback bool
		openErr  error  // Open's error, or nil
		writeErr error  // the error of a write
		msg      string // how the write's error starts, after the path
	}{
		// The directory cannot be written (nor the file, owned by root):
		// as for a WAL file there, only reading commands may open it.
		{"rodir", false, ErrReadOnlyDir, nil, ""},
		{"rodir", true, nil, ErrReadOnlyDir, " is open for reading only: its directory "},
		// The directory can, the file cannot: SQLite could create a -wal,
		// but switching the file to WAL mode writes it. The daemon may
		// open it too, as it may a read-only WAL file.
		{"rwdir", false, nil, ErrReadOnlyFile, " cannot be written: the file is read-only for this user"},
		{"rwdir", true, nil, ErrReadOnlyFile, " cannot be written: the file is read-only for this user"},
	} {
		t.Run(fmt.Sprintf("%s fallback=%v", tt.dir, tt.fallback), func(t *testing.T) {
			path := filepath.Join(base, tt.dir, "agenda.db")
			header := readFileHeader(t, path)
			if header[18] != 1 || header[19] != 1 {
				t.Fatalf("bytes 18-19 = %v, want 1 1 (rollback journal)", header[18:20])
			}
			db, err := Open(ctx, path, Options{ReadOnlyFallback: tt.fallback})
			if tt.openErr != nil {
				if !errors.Is(err, tt.openErr) || !strings.Contains(err.Error(), "cannot open "+path) {
					t.Fatalf("Open: %v, want %v naming %s", err, tt.openErr, path)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer db.Close()
			ss, err := db.ListSeries(ctx)
			if err != nil || len(ss) != 1 || ss[0].Slug != "uclg-debates" {
				t.Fatalf("ListSeries = %v, %v; want the one series", ss, err)
			}
			if err := db.Check(ctx); err != nil {
				t.Errorf("Check: %v", err)
			}
			s := madrid()
			s.Title = "Renamed"
			if _, err := db.PutSeries(ctx, s, Any); !errors.Is(err, tt.writeErr) || !strings.HasPrefix(err.Error(), path+tt.msg) {
				t.Errorf("PutSeries: %v, want %v starting %s%s", err, tt.writeErr, path, tt.msg)
			}
			entries, err := os.ReadDir(filepath.Dir(path))
			if err != nil || len(entries) != 1 {
				t.Errorf("%s holds %v (%v), want only agenda.db", filepath.Dir(path), entries, err)
			}
			if got := readFileHeader(t, path); !bytes.Equal(got, header) {
				t.Errorf("the header changed:\n%v\nwant\n%v", got, header)
			}
		})
	}
}
