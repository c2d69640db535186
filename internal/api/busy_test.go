package api

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/store"
)

// TestWriteWhileAnotherProcessWrites: a write that cannot get the write
// lock (another process's import holds it) answers 503 with a message that
// says what happened, not the driver's SQLITE_BUSY text.
func TestWriteWhileAnotherProcessWrites(t *testing.T) {
	ta := lockedAPI(t)
	ta.must(t, http.StatusOK, req{method: "GET", path: "/api/v1/series", token: readToken})
	w := ta.do(t, req{method: "POST", path: "/api/v1/series", token: writeToken, body: seriesBody})
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("POST /api/v1/series under a held write lock: status %d, want 503; body:\n%s", w.Code, w.Body.String())
	}
	if got := w.Header().Get("Retry-After"); got == "" {
		t.Errorf("no Retry-After header")
	}
	var b errorBody
	if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
		t.Fatal(err)
	}
	if want := "the database is busy with another write (an import?); retry"; b.Error != want {
		t.Errorf("error = %q, want %q", b.Error, want)
	}
}

// lockedAPI is an API on a database whose write lock another connection
// holds (as another process's import would) until the test ends; its store
// gives up waiting after 1 ms.
func lockedAPI(t *testing.T) *testAPI {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "agenda.db")
	db, err := store.Open(ctx, path, store.Options{UIDDomain: "test.example", BusyTimeout: time.Millisecond, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h, err := New(Options{Store: db, Tokens: testTokens(), Layout: feeds.NewLayout(baseURL)})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.ExecContext(ctx, `ROLLBACK`) }) //nolint:errcheck // the test is over
	return &testAPI{h: h, db: db, path: path}
}
