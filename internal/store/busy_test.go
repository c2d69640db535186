package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// holdWriteLock takes the database's write lock from a second connection,
// as a long import in another process does, until the test ends.
func holdWriteLock(t *testing.T, path string) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?"+pragmas)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	conn, err := raw.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.ExecContext(context.Background(), `ROLLBACK`) //nolint:errcheck // ends with the test
		conn.Close()
	})
}

// TestOpenWhileAnotherWriteHoldsTheLock: opening a current database reads
// its schema version without the write lock, so read-only commands work
// while an import runs; a write that cannot get the lock says so plainly.
func TestOpenWhileAnotherWriteHoldsTheLock(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	path := filepath.Join(t.TempDir(), "agenda.db")
	first := openTestDB(t, path, c)
	if _, err := first.PutSeries(ctx, madrid(), Any); err != nil {
		t.Fatal(err)
	}
	first.Close()

	holdWriteLock(t, path)
	db, err := Open(ctx, path, Options{UIDDomain: "test.example", Now: c.Now, BusyTimeout: time.Millisecond})
	if err != nil {
		t.Fatalf("Open while another connection holds the write lock: %v", err)
	}
	defer db.Close()
	all, err := db.ListSeries(ctx)
	if err != nil || len(all) != 1 {
		t.Fatalf("ListSeries = %d series, %v; want 1, nil", len(all), err)
	}

	s := madrid()
	s.Title = "Changed"
	_, err = db.PutSeries(ctx, s, Any)
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("PutSeries under a held write lock: %v; want ErrBusy", err)
	}
	if errors.Is(err, agenda.ErrInvalid) || errors.Is(err, agenda.ErrConflict) {
		t.Errorf("busy error %v also matches a validation or conflict error", err)
	}
	if got, want := err.Error(), "the database is busy with another write (an import?); retry"; !strings.Contains(got, want) {
		t.Errorf("error = %q; want it to say %q", got, want)
	}
}
