package app

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
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
	waitFor(t, "a failed pass retried", func() bool { return strings.Count(logs.String(), "pass failed; retrying") >= 2 })
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
