package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A file renamed over the database while a connection has the old one open
// (a restore under the daemon) is refused: its -wal and -shm are the old
// file's. The open connection stands for the daemon; locks are per
// process and file, so one process shows the case as well as two.
func TestOpenRefusesForeignWAL(t *testing.T) {
	if _, err := os.Stat("/proc/locks"); err != nil {
		t.Skip("no /proc/locks:", err)
	}
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "agenda.db")
	backup := filepath.Join(dir, "backup.db")
	daemon := openTestDB(t, path, newClock())
	mustPutSeries(t, daemon, madrid())
	if _, err := daemon.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	// Opening the database again while nothing was replaced is fine.
	again, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("second Open of the same file: %v", err)
	}
	again.Close()

	if err := os.Rename(backup, path); err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, path, Options{})
	if !errors.Is(err, ErrForeignWAL) || !strings.Contains(err.Error(), "process "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("Open after the file was replaced: %v, want ErrForeignWAL naming this process", err)
	}
	// The old file is still whole, for the daemon.
	if ss, err := daemon.ListSeries(ctx); err != nil || len(ss) != 1 {
		t.Errorf("the daemon's ListSeries: %v, %v", ss, err)
	}

	// Once the daemon closed its file, the -wal and -shm are gone from the
	// path (it moved them away), and the restored file opens.
	if err := daemon.Close(); !errors.Is(err, ErrReplaced) {
		t.Fatalf("the daemon's Close: %v, want ErrReplaced", err)
	}
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("Open after the daemon closed: %v", err)
	}
	db.Close()
}
