package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agendafeed/agendafeed/internal/asnobody"
	"github.com/agendafeed/agendafeed/internal/store"
)

// A reading command another user ran, killed before it closed the
// database, leaves -wal and -shm files the owner cannot write: the owner's
// next write names them and what to do, not the database file, which the
// owner can write. The owner is nobody, and the leftovers root's (SQLite
// run by root would give the files it creates to the database's owner, so
// they are made root's afterwards).
func TestWriteAfterOthersReadingCommand(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, to leave files the database's owner cannot write")
	}
	ctx := context.Background()
	te := newTestEnv(t)
	dir := filepath.Join(te.dir, "db")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "agendafeed.db")
	te.env["AGENDAFEED_DATABASE"] = db
	te.must("demo")
	for _, p := range []string{dir, db} {
		if err := os.Chown(p, asnobody.UID, asnobody.GID); err != nil {
			t.Fatal(err)
		}
	}
	reader, err := store.Open(ctx, db, store.Options{ReadOnlyFallback: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reader.ListSeries(ctx); err != nil {
		t.Fatal(err)
	}
	// Links keep the files its Close removes, as a killed process leaves them.
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Link(db+suffix, db+suffix+".kept"); err != nil {
			t.Fatal(err)
		}
	}
	if err := reader.Close(); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		for _, err := range []error{os.Rename(db+suffix+".kept", db+suffix), os.Chown(db+suffix, 0, 0), os.Chmod(db+suffix, 0o644)} {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	bin := filepath.Join(te.dir, "agendafeed.test")
	asnobody.CopyTestBinary(t, bin)
	for _, d := range []string{filepath.Dir(te.dir), te.dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	if stderr, code := runAsNobody(t, bin, te.dir, db, "series", "list"); code != 0 {
		t.Fatalf("series list: exit %d\n%s", code, stderr)
	}
	stderr, code := runAsNobody(t, bin, te.dir, db, "series", "edit", "cities-are-listening", "-title", "X")
	for _, want := range []string{
		`agendafeed: edit series "cities-are-listening": ` + db + " cannot be written: " + db + "-wal and " + db + "-shm are owned by uid 0 (root)",
		"give them to the database's owner (chown 65534:65534 " + db + "-wal " + db + "-shm)",
		" (the path is config key database / AGENDAFEED_DATABASE)\n",
	} {
		if code != 1 || !strings.Contains(stderr, want) {
			t.Errorf("series edit: exit %d, stderr:\n%s\nwant exit 1 and %q", code, stderr, want)
		}
	}
	if strings.Contains(stderr, "the file is read-only") {
		t.Errorf("series edit blames the database file, which its owner can write:\n%s", stderr)
	}
}
