package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// seriesTitles maps every series' slug to its title.
func seriesTitles(t *testing.T, db *DB) map[string]string {
	t.Helper()
	ss, err := db.ListSeries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, s := range ss {
		out[s.Slug] = s.Title
	}
	return out
}

// A backup restored over the database while a process (the daemon) has it
// open: that process stops writing at once, moves the old file's -wal
// away from the path and deletes its -shm, so that when it closes, the
// next Open finds the restored file alone and reads it whole. Before,
// SQLite left the old -wal beside the new file (it does not checkpoint a
// file that moved) and the next Open replayed it over the restored
// file: "database disk image is malformed". Whether the process notices
// through Ping (/healthz), its poll of the change counter, a write, or
// only when it closes, the outcome is the same.
func TestRestoreWhileOpen(t *testing.T) {
	for _, notice := range []string{"ping", "change counter", "write", "close"} {
		t.Run(notice, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			path := filepath.Join(dir, "agenda.db")
			backup := filepath.Join(dir, "b.db")
			c := newClock()
			daemon := openTestDB(t, path, c)
			for i := range 5 {
				s := madrid()
				s.Slug, s.Title = fmt.Sprintf("s%d", i), "S"
				mustPutSeries(t, daemon, s)
			}
			if _, err := daemon.Backup(ctx, backup); err != nil {
				t.Fatal(err)
			}
			want := seriesTitles(t, daemon)
			// Edits by other connections (the CLI), left in the -wal:
			// the daemon's connections keep it from being checkpointed
			// away on their close.
			for i := range 20 {
				cli := openTestDB(t, path, c)
				s := madrid()
				s.Slug, s.Title = "s1", fmt.Sprintf("T%d", i)
				mustPutSeries(t, cli, s)
				if err := cli.Close(); err != nil {
					t.Fatal(err)
				}
			}
			if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() == 0 {
				t.Fatalf("the edits should be in the -wal: %v", err)
			}
			// The restore, as docs/publishing.md's step 3 does it.
			b, err := os.ReadFile(backup)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path+".tmp", b, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(path+".tmp", path); err != nil {
				t.Fatal(err)
			}

			checkReplacedErr := func(what string, err error) {
				t.Helper()
				if !errors.Is(err, ErrReplaced) || !errors.Is(err, agenda.ErrUnavailable) {
					t.Errorf("%s: %v, want ErrReplaced and agenda.ErrUnavailable (a 503 in both servers)", what, err)
					return
				}
				msg := err.Error()
				for _, want := range []string{"stop the daemon, then restore again", "docs/publishing.md", "-wal.replaced-"} {
					if !strings.Contains(msg, want) {
						t.Errorf("%s: %q does not say %q", what, msg, want)
					}
				}
				if strings.Contains(msg, "restart to use") {
					t.Errorf("%s: %q still tells to restart", what, msg)
				}
			}
			switch notice {
			case "ping":
				checkReplacedErr("Ping", daemon.Ping(ctx))
			case "change counter":
				_, err := daemon.ChangeCounter(ctx)
				checkReplacedErr("ChangeCounter", err)
			case "write":
				s := madrid()
				s.Slug, s.Title = "s2", "lost"
				_, err := daemon.PutSeries(ctx, s, Any)
				checkReplacedErr("PutSeries", err)
			}
			if notice != "close" {
				if _, err := os.Lstat(path + "-wal"); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("the old -wal is still beside the restored file: %v", err)
				}
				// It goes on reading the old file, and writes nothing.
				if got := seriesTitles(t, daemon); got["s1"] != "T19" {
					t.Errorf("the daemon reads s1 as %q, want the old file's T19", got["s1"])
				}
				s := madrid()
				s.Slug, s.Title = "s3", "lost"
				if _, err := daemon.PutSeries(ctx, s, Any); !errors.Is(err, ErrReplaced) {
					t.Errorf("a write after the replacement: %v, want ErrReplaced", err)
				}
			}
			checkReplacedErr("Close", daemon.Close())
			aside, _ := filepath.Glob(path + "-wal.replaced-*")
			if len(aside) != 1 {
				t.Errorf("moved aside: %q, want one -wal", aside)
			}
			entries, _ := os.ReadDir(dir)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if slices.Contains(names, "agenda.db-wal") || slices.Contains(names, "agenda.db-shm") {
				t.Errorf("after Close the directory holds %q, want no -wal or -shm at the path", names)
			}

			// The restart: the restored file, whole.
			db, err := Open(ctx, path, Options{UIDDomain: "test.example", Now: c.Now})
			if err != nil {
				t.Fatalf("Open after the restore: %v", err)
			}
			defer db.Close()
			if err := db.Check(ctx); err != nil {
				t.Errorf("Check of the restored file: %v", err)
			}
			if got := seriesTitles(t, db); !maps.Equal(got, want) {
				t.Errorf("restored series %v, want the backup's %v", got, want)
			}
		})
	}
}
