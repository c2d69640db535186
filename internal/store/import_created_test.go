package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// An import dates a session it creates at the file's created time (the
// series re-created from its export), never changes an existing session's,
// and refuses one in the future of the store's clock; PutSession (the API,
// the CLI) ignores it.
func TestImportSessionCreated(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	db := openTestDB(t, filepath.Join(t.TempDir(), "agenda.db"), c)
	past := time.Date(2020, 5, 6, 7, 8, 9, 0, time.UTC)
	sess := func(key string, created time.Time) agenda.Session {
		s := timedSession(t, "uclg-debates", key, "2024-05-01T09:00", "2024-05-01T10:00")
		s.Created = created
		return s
	}
	if _, err := db.Import(ctx, []agenda.Snapshot{{Series: madrid(), Sessions: []agenda.Session{sess("a", past), sess("b", time.Time{})}}}); err != nil {
		t.Fatal(err)
	}
	createdOf := func(key string) time.Time {
		t.Helper()
		s, err := db.SessionByKey(ctx, "uclg-debates", key)
		if err != nil {
			t.Fatal(err)
		}
		return s.Created
	}
	if got := createdOf("a"); !got.Equal(past) {
		t.Errorf("a created %v, want the file's %v", got, past)
	}
	if got := createdOf("b"); !got.Equal(c.stamp()) {
		t.Errorf("b created %v, want now %v", got, c.stamp())
	}

	c.Advance(time.Hour)
	other := past.Add(24 * time.Hour)
	res, err := db.Import(ctx, []agenda.Snapshot{{Series: madrid(), Sessions: []agenda.Session{sess("a", other), sess("b", other)}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.SessionsUnchanged != 2 {
		t.Errorf("another created alone changed sessions: %+v", res)
	}
	if got := createdOf("a"); !got.Equal(past) {
		t.Errorf("a created %v after a second import, want still %v", got, past)
	}

	_, err = db.Import(ctx, []agenda.Snapshot{{Series: madrid(), Sessions: []agenda.Session{sess("c", c.Now().Add(time.Hour))}}})
	if !errors.Is(err, agenda.ErrInvalid) || !strings.Contains(err.Error(), "sessions[0].created: ") {
		t.Errorf("import of a session created in the future: %v, want a field error on created", err)
	}

	if s := mustPutSession(t, db, sess("d", past)); !s.Created.Equal(c.stamp()) {
		t.Errorf("PutSession created %v, want now %v: only an import dates a session", s.Created, c.stamp())
	}
}
