package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agendafeed/agendafeed/internal/store"
)

const keptSlug = "cities-are-listening"

// ownerFiles are files of the owner's in a series directory, as
// docs/publishing.md allows and post bodies link (img/a.png).
var ownerFiles = map[string]string{"notes.txt": "precious\n", "img/logo.png": "x\n"}

func writeOwnerFiles(t *testing.T, seriesDir string) {
	t.Helper()
	for name, data := range ownerFiles {
		full := filepath.Join(seriesDir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkOwnerFiles checks that the owner's files are intact and that
// nothing the publisher wrote is left in the series directory.
func checkOwnerFiles(t *testing.T, seriesDir string, published []string) {
	t.Helper()
	for name, data := range ownerFiles {
		if b, err := os.ReadFile(filepath.Join(seriesDir, filepath.FromSlash(name))); err != nil || string(b) != data {
			t.Errorf("the owner's %s after the series was removed: %q, %v", name, b, err)
		}
	}
	for _, path := range published {
		if _, err := os.Lstat(filepath.Join(filepath.Dir(seriesDir), filepath.FromSlash(path))); err == nil {
			t.Errorf("%s is still on disk after its series was removed", path)
		}
	}
}

func publishedOf(t *testing.T, a *App, slug string) []string {
	t.Helper()
	var out []string
	for path, fi := range a.Publisher().Manifest().Files {
		if fi.Series == slug {
			out = append(out, path)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s has no published file", slug)
	}
	return out
}

// Removing a series deletes what was published for it and keeps the
// owner's files, saying so in one line, both in a pass run by hand
// (generate) and in a running daemon.
func TestRemovedSeriesKeepsOwnersFiles(t *testing.T) {
	keptLine := func(seriesDir string) string {
		return fmt.Sprintf(`level=INFO msg="removed series: its directory stays, with files agendafeed did not write" dir=%s kept_files=%d`,
			seriesDir, len(ownerFiles))
	}
	t.Run("generate", func(t *testing.T) {
		a, logs := passedOnce(t, slog.LevelInfo)
		loadDemo(t, a)
		ctx := context.Background()
		if _, err := a.Pass(ctx, false); err != nil {
			t.Fatal(err)
		}
		seriesDir := filepath.Join(a.Config().OutputDir, keptSlug)
		published := publishedOf(t, a, keptSlug)
		writeOwnerFiles(t, seriesDir)
		if err := a.DB().DeleteSeries(ctx, keptSlug, store.Any); err != nil {
			t.Fatal(err)
		}
		res, err := a.Pass(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		if res.FilesRemoved != len(published) {
			t.Errorf("removed %d files, want the series' %d", res.FilesRemoved, len(published))
		}
		checkOwnerFiles(t, seriesDir, published)
		if n := strings.Count(logs.String(), keptLine(seriesDir)+"\n"); n != 1 {
			t.Errorf("log has %d lines telling the directory was kept, want 1:\n%s", n, logs.String())
		}
	})
	t.Run("daemon", func(t *testing.T) {
		cfg := testConfig(t, t.TempDir())
		logs := &logBuffer{}
		a, _ := startDaemonLogging(t, cfg, slog.New(slog.NewTextHandler(logs, nil)))
		waitFor(t, keptSlug+" published", func() bool {
			_, ok := a.Publisher().Manifest().Revisions[keptSlug]
			return ok
		})
		seriesDir := filepath.Join(cfg.OutputDir, keptSlug)
		published := publishedOf(t, a, keptSlug)
		writeOwnerFiles(t, seriesDir)
		// Another process's edit, as series remove is: the daemon
		// finds it by polling.
		other, err := store.Open(context.Background(), cfg.Database, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := other.DeleteSeries(context.Background(), keptSlug, store.Any); err != nil {
			t.Fatal(err)
		}
		other.Close()
		waitFor(t, "the kept directory logged", func() bool { return strings.Contains(logs.String(), keptLine(seriesDir)) })
		checkOwnerFiles(t, seriesDir, published)
	})
}
