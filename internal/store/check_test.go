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
			[]string{"session uclg-debates/finance", `start_wall: stored value "soon"`}},
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

// Each problem with a stored value is one line naming the row by its key,
// the column, the value as stored and what was expected.
func TestCheckDamagedValues(t *testing.T) {
	for _, tc := range []struct {
		name    string
		corrupt []string
		want    []string // whole lines of the report, in order
	}{
		{"reminders on two series", []string{`UPDATE series SET reminders = 'abc'`}, []string{
			`series "other": reminders: stored value "abc": expected whole minutes before the start, comma-separated, such as 15,1440`,
			`series "uclg-debates": reminders: stored value "abc": expected whole minutes before the start, comma-separated, such as 15,1440`,
		}},
		{"series created", []string{`UPDATE series SET created = 'yesterday' WHERE slug = 'other'`}, []string{
			`series "other": created: stored value "yesterday": expected a UTC time as 2006-01-02T15:04:05.000000000Z`,
		}},
		{"series revision", []string{`UPDATE series SET revision = 'abc' WHERE slug = 'other'`}, []string{
			`series "other": revision: stored value "abc": expected an integer`,
		}},
		{"start wall", []string{`UPDATE sessions SET start_wall = 'soon' WHERE key = 'finance'`}, []string{
			`session uclg-debates/finance (finance@test.example): start_wall: stored value "soon": expected a local date and time as YYYY-MM-DDTHH:MM, optionally with seconds and a UTC offset such as +01:00`,
		}},
		{"end wall", []string{`UPDATE sessions SET end_wall = '2021-10-31T25:00' WHERE key = 'finance'`}, []string{
			`session uclg-debates/finance (finance@test.example): end_wall: stored value "2021-10-31T25:00": expected a local date and time as YYYY-MM-DDTHH:MM, optionally with seconds and a UTC offset such as +01:00`,
		}},
		{"start date", []string{`UPDATE sessions SET start_date = '2021-13-01' WHERE key = 'finance'`}, []string{
			`session uclg-debates/finance (finance@test.example): start_date: stored value "2021-13-01": expected a date as YYYY-MM-DD`,
		}},
		{"session sequence and updated", []string{`UPDATE sessions SET sequence = 'x', updated = 'later' WHERE key = 'finance'`}, []string{
			`session uclg-debates/finance (finance@test.example): sequence: stored value "x": expected an integer`,
		}},
		{"session stamp", []string{`UPDATE sessions SET updated = 'later' WHERE key = 'finance'`}, []string{
			`session uclg-debates/finance (finance@test.example): updated: stored value "later": expected a UTC time as 2006-01-02T15:04:05.000000000Z`,
		}},
		{"post published", []string{`UPDATE posts SET published = '2024-02-30'`}, []string{
			`post uclg-debates/news: published: stored value "2024-02-30": expected a UTC time as 2006-01-02T15:04:05.000000000Z`,
		}},
		{"post version", []string{`UPDATE posts SET version = 'v2'`}, []string{
			`post uclg-debates/news: version: stored value "v2": expected an integer`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := newTestDB(t)
			ctx := context.Background()
			mustPutSeries(t, db, madrid())
			other := madrid()
			other.Slug = "other"
			mustPutSeries(t, db, other)
			s := fullSession(t, "uclg-debates", "finance")
			s.UID = "finance@test.example"
			mustPutSession(t, db, s)
			if _, err := db.PutPost(ctx, agenda.Post{Series: "uclg-debates", ID: "news", Title: "News",
				Published: time.Now()}, Any); err != nil {
				t.Fatal(err)
			}
			for _, q := range tc.corrupt {
				if _, err := db.writer.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			err := db.Check(ctx)
			if err == nil {
				t.Fatal("Check found nothing")
			}
			lines := strings.Split(err.Error(), "\n")[1:]
			if strings.Join(lines, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("Check reported:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
