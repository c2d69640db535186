package api

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestPatchRacingAnotherProcess: a PATCH with If-Match "s-0" reads a
// never-edited session (sequence 0) and passes the If-Match check; before
// it writes, another process (the CLI, say) commits an edit that moves the
// session to sequence 1. The API's write lock does not cover that process,
// so only the store's condition on sequence 0 stops the PATCH from
// overwriting the other edit: the answer must be 412, and the other edit
// must survive.
//
// The other process is a raw connection that holds the database's write
// lock with its edit pending while the PATCH runs, and commits after a
// pause: the PATCH reads the old committed state (WAL) and then waits for
// the lock. Should the pause be too short for the PATCH to have read (it
// then fails the If-Match check up front, also 412), the attempt is
// repeated with a longer one.
func TestPatchRacingAnotherProcess(t *testing.T) {
	ta := newTestAPI(t)
	ctx := context.Background()
	ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/series", body: seriesBody})
	other, err := sql.Open("sqlite", "file:"+ta.path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	for attempt, pause := range []time.Duration{50 * time.Millisecond, 200 * time.Millisecond, time.Second, 3 * time.Second} {
		key := fmt.Sprintf("race-%d", attempt)
		m := ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/sessions",
			body: strings.Replace(sessionBody, `"smart-cities"`, `"`+key+`"`, 1)})
		uid := obj(t, m, "session")["uid"].(string)

		conn, err := other.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`BEGIN IMMEDIATE`,
			`UPDATE sessions SET title = 'Edited elsewhere', sequence = sequence + 1 WHERE uid = '` + uid + `'`,
			`UPDATE series SET revision = revision + 1 WHERE slug = 'debates'`,
			`UPDATE meta SET change_counter = change_counter + 1 WHERE id = 1`,
		} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		answer := make(chan *httptest.ResponseRecorder, 1)
		go func() {
			answer <- ta.do(t, req{method: "PATCH", path: "/api/v1/sessions/" + uid, token: writeToken,
				body: `{"venue": "Hall 2"}`, header: map[string]string{"If-Match": `"s-0"`}})
		}()
		time.Sleep(pause)
		if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
			t.Fatalf("COMMIT: %v", err)
		}
		conn.Close()
		w := <-answer

		if w.Code != http.StatusPreconditionFailed {
			t.Fatalf("PATCH racing another process: status %d, want 412; body:\n%s", w.Code, w.Body)
		}
		s, err := ta.db.Session(ctx, uid)
		if err != nil {
			t.Fatal(err)
		}
		if s.Sequence != 1 || s.Title != "Edited elsewhere" || s.Venue != "Hall 1" {
			t.Fatalf("after the refused PATCH: sequence %d, title %q, venue %q; want 1, the other process's title, Hall 1",
				s.Sequence, s.Title, s.Venue)
		}
		if strings.Contains(w.Body.String(), "changed meanwhile") {
			return // the store refused the write: the PATCH had read sequence 0
		}
		t.Logf("attempt %d: the PATCH read after the other edit (%s); retrying with a longer pause", attempt, w.Body)
	}
	t.Fatal("the PATCH never read the session before the other edit committed")
}
