package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/store"
)

// An import that creates the database and is killed before it commits
// must not leave an empty database at the path: serve and generate, which
// refuse a missing one, would take it for an agenda whose every series
// was removed, and delete what was published. The process is killed once
// a database is at the path; whatever is there must then hold the whole
// import.
func TestImportKilledLeavesNoEmptyDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("kill test skipped in -short mode")
	}
	const sessions = 3000
	var b strings.Builder
	b.WriteString("series:\n  slug: big\n  title: Big\n  zone: Europe/Madrid\nsessions:\n")
	for i := range sessions {
		fmt.Fprintf(&b, "  - key: k%d\n    title: Session %d\n    start: 2027-%02d-%02dT10:00\n    end: 2027-%02d-%02dT11:00\n    description: %s\n",
			i, i, 1+i%12, 1+i%28, 1+i%12, 1+i%28, strings.Repeat("Lorem ipsum ", 20))
	}
	for run := range 3 {
		dir := t.TempDir()
		file := filepath.Join(dir, "big.yaml")
		if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "agendafeed.db")
		cmd := daemonCmd(dir, nil, "import", file)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		killed := false
	poll:
		for {
			select {
			case <-done:
				break poll
			default:
			}
			// Past the moment SQLite creates the file (0 bytes, which
			// every command refuses): into the migrations or the import.
			if fi, err := os.Lstat(path); err == nil && fi.Size() > 0 {
				time.Sleep(time.Duration(run+1) * 25 * time.Millisecond)
				killed = cmd.Process.Signal(syscall.SIGKILL) == nil
				<-done
				break
			}
			time.Sleep(50 * time.Microsecond)
		}
		if _, err := os.Lstat(path); err != nil {
			t.Fatalf("run %d: no database after the import (killed %v): %v\n%s", run, killed, err, out.String())
		}
		db, err := store.Open(context.Background(), path, store.Options{})
		if err != nil {
			t.Fatalf("run %d: open the database the import left (killed %v): %v", run, killed, err)
		}
		all, err := db.ListSeries(context.Background())
		var snap agenda.Snapshot
		if err == nil && len(all) == 1 {
			snap, err = db.Snapshot(context.Background(), "big")
		}
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 1 {
			t.Fatalf("run %d: the import, killed (%v) once its database was at %s, left %d series there, not 1: "+
				"a database that serve would publish as empty", run, killed, path, len(all))
		}
		if got := len(snap.Sessions); got != sessions {
			t.Errorf("run %d: %d sessions, want %d", run, got, sessions)
		}
	}
}
