package app

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A pass that fails (here: its manifest cannot be saved, as on a full or
// read-only disk) is retried soon, with no edit and no cron tick (the
// test's schedule is hourly), and the edit it carried is published once
// the cause is gone.
func TestFailedPassRetried(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	logs := &logBuffer{}
	a, _ := startDaemonWith(t, Options{Config: cfg, WatchInterval: 50 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(logs, nil)), RetryAfter: 200 * time.Millisecond})
	waitFor(t, "the demo published", func() bool { return a.Publisher().Manifest().Files[repairPath].ETag != "" })
	if _, err := a.Pass(context.Background(), false); err != nil {
		t.Fatal(err)
	}

	// A non-empty directory where the manifest goes: every save fails.
	blocker := filepath.Join(cfg.OutputDir, ".manifest.json")
	if err := os.Remove(blocker); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(blocker, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	moveDebate(t, a, "Retry Hall")
	waitFor(t, "a failed pass retried", func() bool { return strings.Count(logs.String(), "regeneration pass failed") >= 2 })
	// One failure, one line: at ERROR, with its trigger and the retry's
	// delay; nothing else logged about it.
	for _, line := range strings.Split(logs.String(), "\n") {
		if !strings.Contains(line, "level=ERROR") && !strings.Contains(line, "level=WARN") {
			continue
		}
		if !strings.Contains(line, `msg="regeneration pass failed" trigger=`) || !strings.Contains(line, " retry_in=") {
			t.Errorf("a failed pass logged %q; want only one 'regeneration pass failed' line with trigger and retry_in", line)
		}
	}
	if !strings.Contains(logs.String(), "trigger=retry") {
		t.Errorf("no pass logged as a retry:\n%s", logs.String())
	}
	if err := os.RemoveAll(blocker); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the edit published after the retry", func() bool {
		b, err := os.ReadFile(filepath.Join(cfg.OutputDir, "open-policy-debates", "calendar.ics"))
		_, statErr := os.Stat(blocker)
		return err == nil && strings.Contains(string(b), "Retry Hall") && statErr == nil
	})
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 20 s", what)
		}
	}
}

// A pass that writes nothing is logged at DEBUG, so that log_level debug
// shows every pass and info only those that changed files.
func TestNoChangePassLoggedAtDebug(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelDebug, slog.LevelInfo} {
		t.Run(level.String(), func(t *testing.T) {
			a, logs := passedOnce(t, level)
			res, err := a.Pass(context.Background(), false)
			if err != nil {
				t.Fatal(err)
			}
			if res.FilesWritten != 0 || res.FilesRemoved != 0 {
				t.Fatalf("second pass wrote %d, removed %d", res.FilesWritten, res.FilesRemoved)
			}
			want := regexp.MustCompile(`level=DEBUG msg="regeneration pass" trigger=manual series=0 written=0 unchanged=\d+ removed=0 duration_ms=\d+ all_series_left_for_next=false\n$`)
			if got := logs.String(); (level == slog.LevelDebug) != want.MatchString(got) {
				t.Errorf("at %v, log:\n%s", level, got)
			}
		})
	}
}

// A repair pass is logged at INFO even when it wrote nothing the counts
// show (a deleted manifest, written again): its request was.
func TestRepairPassLoggedAtInfo(t *testing.T) {
	a, logs := passedOnce(t, slog.LevelInfo)
	if _, err := a.repairPass(context.Background()); err != nil {
		t.Fatal(err)
	}
	if want := regexp.MustCompile(`level=INFO msg="regeneration pass" trigger=repair `); !want.MatchString(logs.String()) {
		t.Errorf("log:\n%s\nwant an INFO line for the repair pass", logs.String())
	}
}

// passedOnce opens an app on a new directory, runs its first pass, and
// then logs what follows, at level, into the buffer it returns.
func passedOnce(t *testing.T, level slog.Level) (*App, *logBuffer) {
	t.Helper()
	a, err := Open(context.Background(), Options{Config: testConfig(t, t.TempDir())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if _, err := a.Pass(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	a.log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: level}))
	return a, logs
}
