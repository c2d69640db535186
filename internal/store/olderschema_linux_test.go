package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/asnobody"
)

// A database of an older schema (a backup made by an older release) that
// this user cannot write is refused by every command, since the update is
// a write; the error says so, with both versions and what to do, and keeps
// the read-only kind (the CLI then names the config key). It was SQLite's
// bare "migration 0005_…: attempt to write a readonly database" for a
// read-only file in a writable directory.
func TestOlderSchemaNotWritable(t *testing.T) {
	// roEnv (readonly_linux_test.go) names, in the test binary re-executed
	// as nobody, the databases to probe, separated by ':'.
	if paths := os.Getenv(roEnv); paths != "" {
		probeOlderSchema(t, strings.Split(paths, ":"))
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("runs as root, re-executing itself as nobody")
	}
	ctx := context.Background()
	base := t.TempDir()
	older := func(dir string) string {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "agenda.db")
		raw, err := sql.Open("sqlite", "file:"+path+"?"+pragmas)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(`PRAGMA journal_mode = WAL`); err != nil {
			t.Fatal(err)
		}
		if err := migrate(ctx, raw, time.Now, len(mustMigrations(t))-1); err != nil {
			t.Fatal(err)
		}
		raw.Close()
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	fileRO := older(filepath.Join(base, "rw-dir")) // a root-owned 0644 file in a 0777 directory
	if err := os.Chmod(filepath.Dir(fileRO), 0o777); err != nil {
		t.Fatal(err)
	}
	dirRO := older(filepath.Join(base, "ro-dir")) // a 0555 directory
	if err := os.Chmod(filepath.Dir(dirRO), 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Dir(dirRO), 0o755) })

	bin := filepath.Join(base, "store.test")
	asnobody.CopyTestBinary(t, bin)
	for _, d := range []string{filepath.Dir(base), base} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	asnobody.RunTest(t, bin, base, "TestOlderSchemaNotWritable", roEnv+"="+fileRO+":"+dirRO)
}

func mustMigrations(t *testing.T) []migration {
	t.Helper()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func probeOlderSchema(t *testing.T, paths []string) {
	ms := mustMigrations(t)
	want := ms[len(ms)-1].version
	for _, path := range paths {
		for _, fallback := range []bool{false, true} {
			if !fallback && strings.Contains(path, "ro-dir") {
				continue // the daemon needs a writable directory anyway, and says so first
			}
			_, err := Open(context.Background(), path, Options{ReadOnlyFallback: fallback})
			msg := "has schema version " + strconv.Itoa(want-1) + ", older than this agendafeed's " + strconv.Itoa(want) +
				", and updating it is a write, which failed"
			if err == nil || !strings.Contains(err.Error(), path+" "+msg) || !strings.Contains(err.Error(), "copy it somewhere this user can write") {
				t.Errorf("Open(%s, fallback %v): %v\nwant %q", path, fallback, err, msg)
			}
			if !errors.Is(err, ErrReadOnlyFile) && !errors.Is(err, ErrReadOnlyDir) {
				t.Errorf("Open(%s, fallback %v): %v is neither ErrReadOnlyFile nor ErrReadOnlyDir", path, fallback, err)
			}
			if strings.Contains(err.Error(), "attempt to write a readonly database") && !strings.Contains(err.Error(), "cannot be written") {
				t.Errorf("Open(%s): only SQLite's words: %v", path, err)
			}
		}
	}
}
