package app

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/store"
)

// restoreHelperEnv names the directory the daemon helper runs in. Not an
// AGENDAFEED_ one: config refuses any of those it does not know.
const restoreHelperEnv = "RESTORE_DAEMON_HELPER_DIR"

// TestRestoreDaemonHelper is the daemon of TestRestoreUnderRunningDaemon,
// in a process of its own (SQLite's locks are per process): it serves
// until SIGTERM, then closes, logging to stderr, and prints its address.
func TestRestoreDaemonHelper(t *testing.T) {
	dir := os.Getenv(restoreHelperEnv)
	if dir == "" {
		t.Skip("helper process for TestRestoreUnderRunningDaemon")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	cfg := testConfig(t, dir)
	a, err := Open(ctx, Options{Config: cfg, Logger: slog.New(slog.NewTextHandler(os.Stderr, nil)), WatchInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	err = a.Run(ctx, func(addr net.Addr) { fmt.Printf("LISTENING %s\n", addr) })
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
}

// syncBuf collects a process's output while it runs.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// A backup restored over the database while the daemon runs, after other
// processes' edits left commits in its -wal (the reviewer's sequence):
// /healthz says to stop the daemon and restore again, the daemon moves
// the old file's -wal away from the path, and after it stops the
// restored file opens whole, with the backup's data. Before, /healthz
// said to restart, and the restart replayed the old -wal over the
// restored file: "database disk image is malformed".
func TestRestoreUnderRunningDaemon(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a daemon process")
	}
	ctx := context.Background()
	dir := t.TempDir()
	cfg := testConfig(t, dir)
	series := func(slug, title string) agenda.Series {
		return agenda.Series{Slug: slug, Title: title, Zone: "Europe/Madrid", Language: "en"}
	}
	db, err := store.Open(ctx, cfg.Database, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		if _, err := db.PutSeries(ctx, series(fmt.Sprintf("s%d", i), "S"), store.Any); err != nil {
			t.Fatal(err)
		}
	}
	backup := filepath.Join(dir, "b.db")
	if _, err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestRestoreDaemonHelper$")
	cmd.Env = append(os.Environ(), restoreHelperEnv+"="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuf
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := false
	t.Cleanup(func() {
		if !exited {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	lines := bufio.NewScanner(stdout)
	var base string
	for lines.Scan() {
		if addr, ok := strings.CutPrefix(lines.Text(), "LISTENING "); ok {
			base = "http://" + addr
			break
		}
	}
	if base == "" {
		t.Fatalf("the daemon did not listen; its log:\n%s", logs.String())
	}
	go io.Copy(io.Discard, stdout)

	// Edits by other processes (the CLI): this one is not the daemon.
	for i := 1; i <= 20; i++ {
		cli, err := store.Open(ctx, cfg.Database, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cli.PutSeries(ctx, series("s1", fmt.Sprintf("T%d", i)), store.Any); err != nil {
			t.Fatal(err)
		}
		if err := cli.Close(); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg.Database+".tmp", b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(cfg.Database+".tmp", cfg.Database); err != nil {
		t.Fatal(err)
	}

	var health string
	waitFor(t, "/healthz to report the replaced database", func() bool {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		health = string(body)
		return resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(health, "replaced")
	})
	for _, want := range []string{"stop the daemon, then restore again", "docs/publishing.md", "-wal.replaced-"} {
		if !strings.Contains(health, want) {
			t.Errorf("/healthz %s does not say %q", health, want)
		}
	}
	if strings.Contains(health, "restart to use") {
		t.Errorf("/healthz %s still says to restart", health)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	exited = true
	if err != nil {
		t.Fatalf("the daemon: %v; its log:\n%s", err, logs.String())
	}
	if !strings.Contains(logs.String(), `level=ERROR msg="database file replaced while the daemon ran"`) {
		t.Errorf("the daemon's log does not tell at its stop; log:\n%s", logs.String())
	}
	if _, err := os.Lstat(cfg.Database + "-wal"); err == nil {
		t.Error("the old file's -wal is beside the restored file after the daemon stopped")
	}
	aside, _ := filepath.Glob(cfg.Database + "-wal.replaced-*")
	if len(aside) != 1 {
		t.Errorf("-wal files moved aside: %q, want one", aside)
	}

	// The restart.
	a, err := Open(ctx, Options{Config: cfg})
	if err != nil {
		t.Fatalf("opening the restored database: %v", err)
	}
	defer a.Close()
	if err := a.DB().Check(ctx); err != nil {
		t.Errorf("Check of the restored database: %v", err)
	}
	ss, err := a.DB().ListSeries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		if s.Title != "S" {
			t.Errorf("series %s: title %q after the restore, want the backup's S", s.Slug, s.Title)
		}
	}
	if len(ss) != 5 {
		t.Errorf("%d series after the restore, want the backup's 5", len(ss))
	}
}
