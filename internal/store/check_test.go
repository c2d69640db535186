package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name    string
		corrupt []string
		want    []string
	}{
		{"clean", nil, nil},
		{"invalid zone", []string{`UPDATE sessions SET zone = 'Mars/Olympus' WHERE key = 'finance'`},
			[]string{"session uclg-debates/finance", `zone: "Mars/Olympus"`}},
		{"unparsable wall time", []string{`UPDATE sessions SET start_wall = 'soon' WHERE key = 'finance'`},
			[]string{"session row", "start"}},
		{"stale instants", []string{`UPDATE sessions SET start_at = start_at + 3600 WHERE key = 'finance'`},
			[]string{"stored instants"}},
		{"bad series and post and person", []string{
			`UPDATE series SET language = 'not a language'`,
			`UPDATE posts SET title = ''`,
			`UPDATE people SET url = 'javascript:alert(1)' WHERE name = 'Bo Chen'`,
		}, []string{`series "uclg-debates": language`, "post uclg-debates/news: title", `person 2 "Bo Chen": url`}},
		{"dangling foreign key", []string{
			`PRAGMA foreign_keys = OFF`,
			`INSERT INTO session_people (session_id, person_id, role, affiliation, position) VALUES (1, 999, 'speaker', '', 9)`,
			`PRAGMA foreign_keys = ON`,
		}, []string{"foreign_key_check: session_people"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := newTestDB(t)
			ctx := context.Background()
			mustPutSeries(t, db, madrid())
			mustPutSession(t, db, fullSession(t, "uclg-debates", "finance"))
			if _, err := db.PutPost(ctx, agenda.Post{Series: "uclg-debates", ID: "news", Title: "News",
				Published: time.Now(), SessionKey: "finance"}, Any); err != nil {
				t.Fatal(err)
			}
			for _, q := range tc.corrupt {
				if _, err := db.writer.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			err := db.Check(ctx)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("Check on a clean database: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Check found nothing")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Check error does not mention %q:\n%v", w, err)
				}
			}
		})
	}
}

// A deleted change counter row is reported by Check and recreated by the
// next write at a value unlike any the counter had, so a poller that saw
// the old value notices the edit.
func TestMissingChangeCounter(t *testing.T) {
	db, _ := newTestDB(t)
	ctx := context.Background()
	mustPutSeries(t, db, madrid())
	before, err := db.ChangeCounter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.writer.Exec(`DELETE FROM meta`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ChangeCounter(ctx); !errors.Is(err, ErrNoChangeCounter) {
		t.Fatalf("ChangeCounter without its row: %v, want ErrNoChangeCounter", err)
	}
	if err := db.Check(ctx); err == nil || !strings.Contains(err.Error(), "change counter row (id 1) is missing") {
		t.Fatalf("Check without the counter row: %v", err)
	}
	s := madrid()
	s.Title = "Renamed"
	mustPutSeries(t, db, s)
	after, err := db.ChangeCounter(ctx)
	if err != nil {
		t.Fatalf("ChangeCounter after a write: %v", err)
	}
	if after == before {
		t.Errorf("recreated counter %d equals the old one", after)
	}
	if err := db.Check(ctx); err != nil {
		t.Errorf("Check after the write: %v", err)
	}
}
