package store

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// clock is a settable test clock. It hands out times with nanoseconds and a
// non-UTC zone, so the store's truncation and UTC conversion are exercised.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2024, 3, 1, 10, 0, 0, 123456789, time.FixedZone("X", 3600))}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// stamp is what the store records for the clock's current time.
func (c *clock) stamp() time.Time { return c.Now().Truncate(time.Second).UTC() }

func openTestDB(t *testing.T, path string, c *clock) *DB {
	t.Helper()
	db, err := Open(context.Background(), path, Options{UIDDomain: "test.example", Now: c.Now, Readers: 4, Create: true})
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newTestDB(t *testing.T) (*DB, *clock) {
	t.Helper()
	c := newClock()
	return openTestDB(t, filepath.Join(t.TempDir(), "agenda.db"), c), c
}

func madrid() agenda.Series {
	return agenda.Series{
		Slug:        "uclg-debates",
		Title:       "UCLG Policy Debates",
		Description: "Debates of the city network.\nSecond line.",
		Homepage:    "https://example.org/debates",
		Zone:        "Europe/Madrid",
		Language:    "en",
		Reminders:   []time.Duration{15 * time.Minute, 24 * time.Hour},
		Organizer:   agenda.Organizer{Name: "UCLG", Email: "events@example.org"},
	}
}

func wall(t *testing.T, s string) agenda.WallTime {
	t.Helper()
	w, err := agenda.ParseWallTime(s)
	if err != nil {
		t.Fatalf("ParseWallTime(%q): %v", s, err)
	}
	return w
}

func date(t *testing.T, s string) agenda.Date {
	t.Helper()
	d, err := agenda.ParseDate(s)
	if err != nil {
		t.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}

// fullSession has every field set; its end falls in the autumn fold of
// Europe/Madrid and carries an explicit offset to pick the second 02:30.
func fullSession(t *testing.T, series, key string) agenda.Session {
	t.Helper()
	return agenda.Session{
		Series:      series,
		Key:         key,
		Title:       "Local finance after the pandemic",
		Description: "A debate.\n\nWith two paragraphs.",
		Start:       wall(t, "2021-10-30T12:00"),
		End:         wall(t, "2021-10-31T02:30+01:00"),
		Zone:        "Europe/Madrid",
		Venue:       "Sala 1",
		Address:     "Carrer Avinyó 15\n08002 Barcelona",
		OnlineURL:   "https://example.org/live",
		Status:      agenda.StatusTentative,
		People: []agenda.Participant{
			{Person: agenda.Person{Name: "Ana Ruiz", Affiliation: "Mayor of Somewhere", URL: "https://example.org/ana"}, Role: agenda.RoleModerator},
			{Person: agenda.Person{Name: "Bo Chen", Affiliation: "Minister of Cities"}, Role: agenda.RolePanelist},
		},
		Language: "es-ES",
		Tags:     []string{"finance", "local government"},
		URL:      "https://example.org/debates/finance",
	}
}

func timedSession(t *testing.T, series, key, start, end string) agenda.Session {
	t.Helper()
	return agenda.Session{Series: series, Key: key, Title: "Session " + key, Start: wall(t, start), End: wall(t, end)}
}

func mustPutSeries(t *testing.T, db *DB, s agenda.Series) agenda.Series {
	t.Helper()
	out, err := db.PutSeries(context.Background(), s, Any)
	if err != nil {
		t.Fatalf("PutSeries(%s): %v", s.Slug, err)
	}
	return out
}

func mustPutSession(t *testing.T, db *DB, s agenda.Session) agenda.Session {
	t.Helper()
	out, err := db.PutSession(context.Background(), s, Any)
	if err != nil {
		t.Fatalf("PutSession(%s/%s): %v", s.Series, s.Key, err)
	}
	return out
}

func mustRevision(t *testing.T, db *DB, slug string) int64 {
	t.Helper()
	s, err := db.Series(context.Background(), slug)
	if err != nil {
		t.Fatalf("Series(%s): %v", slug, err)
	}
	return s.Revision
}

func mustCounter(t *testing.T, db *DB) int64 {
	t.Helper()
	n, err := db.ChangeCounter(context.Background())
	if err != nil {
		t.Fatalf("ChangeCounter: %v", err)
	}
	return n
}

func assertEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %s\nwant %s", what, dump(got), dump(want))
	}
}

// dump prints values with wall times and dates readable.
func dump(v any) string { return fmt.Sprintf("%+v", v) }

func countRows(t *testing.T, db *DB, table string) int {
	t.Helper()
	var n int
	if err := db.reader.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}
