package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

func TestUnchangedPutIsNoop(t *testing.T) {
	db, c := newTestDB(t)
	ctx := context.Background()
	mustPutSeries(t, db, madrid())
	sess := mustPutSession(t, db, fullSession(t, "uclg-debates", "finance"))
	post, err := db.PutPost(ctx, agenda.Post{Series: "uclg-debates", ID: "p", Title: "P", Body: "*b*",
		Published: time.Date(2021, 1, 1, 0, 0, 0, 5, time.UTC), SessionKey: "finance"}, Any)
	if err != nil {
		t.Fatal(err)
	}
	series, err := db.Series(ctx, "uclg-debates")
	if err != nil {
		t.Fatal(err)
	}
	counter := mustCounter(t, db)
	c.Advance(time.Hour)

	// The same input again, in a different but equivalent spelling.
	s2 := madrid()
	s2.Title = "  UCLG Policy Debates "
	s2.Reminders = []time.Duration{24 * time.Hour, 15 * time.Minute, 15 * time.Minute}
	gotSeries, err := db.PutSeries(ctx, s2, Any)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "unchanged series", gotSeries, series)

	in := fullSession(t, "uclg-debates", "finance")
	in.Description = strings.ReplaceAll(in.Description, "\n", "\r\n")
	in.Tags = []string{"Local Government", "finance", "finance"}
	in.People[1].URL = "" // empty URL keeps the person's
	gotSess := mustPutSession(t, db, in)
	assertEqual(t, "unchanged session by key", gotSess, sess)
	byUID := fullSession(t, "uclg-debates", "finance")
	byUID.UID = sess.UID
	assertEqual(t, "unchanged session by UID", mustPutSession(t, db, byUID), sess)

	gotPost, err := db.PutPost(ctx, agenda.Post{Series: "uclg-debates", ID: "p", Title: "P", Body: "*b*\r\n",
		Published: time.Date(2021, 1, 1, 1, 0, 0, 5, time.FixedZone("", 3600)), SessionKey: "finance"}, post.Version)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "unchanged post", gotPost, post)
	if _, err := db.Import(ctx, []agenda.Snapshot{{Series: madrid(), Sessions: []agenda.Session{fullSession(t, "", "finance")}}}); err != nil {
		t.Fatal(err)
	}

	if got := mustCounter(t, db); got != counter {
		t.Errorf("change counter moved from %d to %d on unchanged puts", counter, got)
	}
	after, _ := db.Series(ctx, "uclg-debates")
	assertEqual(t, "series after unchanged puts", after, series)
}

func TestChangesBumpOnce(t *testing.T) {
	db, c := newTestDB(t)
	ctx := context.Background()
	mustPutSeries(t, db, madrid())
	sess := mustPutSession(t, db, fullSession(t, "uclg-debates", "finance"))
	created := c.stamp()
	rev := mustRevision(t, db, "uclg-debates")

	changes := []struct {
		name string
		edit func(s *agenda.Session)
	}{
		{"title", func(s *agenda.Session) { s.Title = "New title" }},
		{"offset only", func(s *agenda.Session) { s.End = wall(t, "2021-10-31T02:30+02:00") }},
		{"people order", func(s *agenda.Session) { s.People[0], s.People[1] = s.People[1], s.People[0] }},
		{"role", func(s *agenda.Session) { s.People[0].Role = agenda.RoleChair }},
		{"appearance affiliation", func(s *agenda.Session) { s.People[0].Affiliation = "Someone else" }},
		{"tags", func(s *agenda.Session) { s.Tags = nil }},
		{"key by UID", func(s *agenda.Session) { s.Key = "finance-renamed" }},
		{"to all-day", func(s *agenda.Session) {
			s.AllDay, s.Start, s.End = true, agenda.WallTime{}, agenda.WallTime{}
			s.StartDate, s.EndDate = date(t, "2021-10-30"), date(t, "2021-10-30")
		}},
	}
	cur := sess
	for i, ch := range changes {
		c.Advance(time.Minute)
		in := cur
		in.People = append([]agenda.Participant(nil), cur.People...)
		ch.edit(&in)
		counter := mustCounter(t, db)
		got, err := db.PutSession(ctx, in, cur.Sequence)
		if err != nil {
			t.Fatalf("%s: %v", ch.name, err)
		}
		if got.Sequence != int64(i+1) || !got.Updated.Equal(c.stamp()) || !got.Created.Equal(created) || got.UID != sess.UID {
			t.Errorf("%s: sequence %d updated %v created %v uid %s", ch.name, got.Sequence, got.Updated, got.Created, got.UID)
		}
		series, _ := db.Series(ctx, "uclg-debates")
		if series.Revision != rev+int64(i+1) || !series.Updated.Equal(c.stamp()) {
			t.Errorf("%s: revision %d (want %d), updated %v", ch.name, series.Revision, rev+int64(i+1), series.Updated)
		}
		if n := mustCounter(t, db); n != counter+1 {
			t.Errorf("%s: change counter %d, want %d", ch.name, n, counter+1)
		}
		cur = got
	}

	// Cancel is a change; cancelling again is not.
	cancelled, err := db.CancelSession(ctx, sess.UID, cur.Sequence)
	if err != nil {
		t.Fatal(err)
	}
	if cancelled.Status != agenda.StatusCancelled || cancelled.Sequence != cur.Sequence+1 {
		t.Errorf("cancelled = status %s sequence %d", cancelled.Status, cancelled.Sequence)
	}
	again, err := db.CancelSession(ctx, sess.UID, Any)
	if err != nil || again.Sequence != cancelled.Sequence {
		t.Errorf("cancel again = seq %d, %v", again.Sequence, err)
	}

	// A series edit bumps once; an import touching the series, two sessions
	// and a post bumps once too.
	rev = mustRevision(t, db, "uclg-debates")
	s := madrid()
	s.Title = "Renamed"
	if _, err := db.PutSeries(ctx, s, rev); err != nil {
		t.Fatal(err)
	}
	if got := mustRevision(t, db, "uclg-debates"); got != rev+1 {
		t.Errorf("revision after series edit = %d, want %d", got, rev+1)
	}
	s.Title = "Renamed again"
	_, err = db.Import(ctx, []agenda.Snapshot{{Series: s,
		Sessions: []agenda.Session{timedSession(t, "", "x", "2022-01-01T10:00", "2022-01-01T11:00"),
			timedSession(t, "", "y", "2022-01-02T10:00", "2022-01-02T11:00")},
		Posts: []agenda.Post{{ID: "n", Title: "N", Published: time.Now(), SessionKey: "y"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := mustRevision(t, db, "uclg-debates"); got != rev+2 {
		t.Errorf("revision after import = %d, want %d", got, rev+2)
	}
}

func TestConflicts(t *testing.T) {
	db, _ := newTestDB(t)
	ctx := context.Background()
	mustPutSeries(t, db, madrid())
	sess := mustPutSession(t, db, fullSession(t, "uclg-debates", "finance"))
	edit := sess
	edit.Title = "Edited"
	sess1 := mustPutSession(t, db, edit) // sequence 1

	conflict := func(name string, err error, mentions ...string) {
		t.Helper()
		if !errors.Is(err, agenda.ErrConflict) {
			t.Errorf("%s: error %v, want ErrConflict", name, err)
			return
		}
		for _, m := range mentions {
			if !strings.Contains(err.Error(), m) {
				t.Errorf("%s: error %q does not mention %q", name, err, m)
			}
		}
	}
	counter := mustCounter(t, db)
	s := madrid()
	s.Title = "x"
	_, err := db.PutSeries(ctx, s, mustRevision(t, db, "uclg-debates")+5)
	conflict("stale series revision", err, "revision 3", "not 8")
	_, err = db.PutSeries(ctx, agenda.Series{Slug: "new", Title: "N", Zone: "UTC", Language: "en"}, 4)
	conflict("revision on a new series", err)

	edit.Title = "Again"
	_, err = db.PutSession(ctx, edit, 7)
	conflict("stale sequence", err, "sequence 1", "not 7")
	_, err = db.CancelSession(ctx, sess.UID, 3)
	conflict("stale cancel", err)
	conflict("stale delete", db.DeleteSession(ctx, sess.UID, 4))
	_, err = db.PutSession(ctx, timedSession(t, "uclg-debates", "new", "2022-01-01T10:00", "2022-01-01T11:00"), 2)
	conflict("sequence on a new session", err)

	// UID change: the key belongs to a session with another UID.
	other := edit
	other.UID = "other@test.example"
	_, err = db.PutSession(ctx, other, Any)
	conflict("UID change", err, sess.UID)

	// Renaming onto another session's key.
	second := mustPutSession(t, db, timedSession(t, "uclg-debates", "second", "2022-01-01T10:00", "2022-01-01T11:00"))
	counter = mustCounter(t, db)
	second.Key = "finance"
	_, err = db.PutSession(ctx, second, Any)
	conflict("key clash", err)

	// Moving to another series: a field error.
	mustPutSeries(t, db, agenda.Series{Slug: "elsewhere", Title: "E", Zone: "UTC", Language: "en"})
	counter = mustCounter(t, db)
	moved := sess1
	moved.Series = "elsewhere"
	_, err = db.PutSession(ctx, moved, Any)
	var fe *agenda.FieldError
	if !errors.Is(err, agenda.ErrInvalid) || !errors.As(err, &fe) || fe.Field != "uid" {
		t.Errorf("moving series = %v, want a field error on uid (what matched the other series' session)", err)
	}

	if got := mustCounter(t, db); got != counter {
		t.Errorf("refused writes moved the change counter: %d -> %d", counter, got)
	}
	got, _ := db.Session(ctx, sess.UID)
	assertEqual(t, "session after refused writes", got, sess1)

	// A right value works.
	edit.Title = "Right"
	if _, err := db.PutSession(ctx, edit, 1); err != nil {
		t.Errorf("PutSession with the right sequence: %v", err)
	}
}

func TestValidationPassesThrough(t *testing.T) {
	db, _ := newTestDB(t)
	ctx := context.Background()
	mustPutSeries(t, db, madrid())
	mustPutSession(t, db, fullSession(t, "uclg-debates", "ok"))
	counter := mustCounter(t, db)
	rows := map[string]int{}
	for _, table := range []string{"series", "sessions", "people", "session_people", "posts"} {
		rows[table] = countRows(t, db, table)
	}

	badSeries := madrid()
	badSeries.Zone = "Mars/Olympus"
	gap := fullSession(t, "uclg-debates", "gap")
	gap.Start, gap.End = wall(t, "2021-03-28T02:30"), wall(t, "2021-03-28T04:00") // DST gap in Madrid
	badPeople := fullSession(t, "uclg-debates", "people")
	badPeople.People = append(badPeople.People, agenda.Participant{Person: agenda.Person{Name: "Ana Ruiz"}, Role: "boss"})

	for _, tc := range []struct {
		name  string
		write func() error
		field string
	}{
		{"series zone", func() error { _, err := db.PutSeries(ctx, badSeries, Any); return err }, "zone"},
		{"session in DST gap", func() error { _, err := db.PutSession(ctx, gap, Any); return err }, "start"},
		{"session without series", func() error {
			_, err := db.PutSession(ctx, agenda.Session{Key: "k", Title: "t"}, Any)
			return err
		}, "series"},
		{"bad role and duplicate person", func() error { _, err := db.PutSession(ctx, badPeople, Any); return err }, "people[2].role"},
		{"post without title", func() error {
			_, err := db.PutPost(ctx, agenda.Post{Series: "uclg-debates", ID: "p", Published: time.Now()}, Any)
			return err
		}, "title"},
		{"post published out of range", func() error {
			_, err := db.PutPost(ctx, agenda.Post{Series: "uclg-debates", ID: "p", Title: "T",
				Published: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, Any)
			return err
		}, "published"},
		{"person", func() error { _, err := db.PutPerson(ctx, agenda.Person{Name: "x", URL: "ftp://x"}, nil); return err }, "url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.write()
			if !errors.Is(err, agenda.ErrInvalid) {
				t.Fatalf("error %v, want ErrInvalid", err)
			}
			var es agenda.Errors
			if !errors.As(err, &es) {
				t.Fatalf("error %T is not agenda.Errors", err)
			}
			found := false
			for _, e := range es {
				found = found || e.Field == tc.field
			}
			if !found {
				t.Errorf("error %q has no field %q", err, tc.field)
			}
		})
	}
	if got := mustCounter(t, db); got != counter {
		t.Errorf("change counter moved: %d -> %d", counter, got)
	}
	for table, n := range rows {
		if got := countRows(t, db, table); got != n {
			t.Errorf("%s: %d rows, had %d", table, got, n)
		}
	}
}

func TestCreateWithoutUIDDomain(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, t.TempDir()+"/x.db", Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mustPutSeries(t, db, madrid())
	if _, err := db.PutSession(ctx, timedSession(t, "uclg-debates", "a", "2022-01-01T10:00", "2022-01-01T11:00"), Any); err == nil ||
		!strings.Contains(err.Error(), "UIDDomain") {
		t.Errorf("create without UID domain = %v", err)
	}
	s := timedSession(t, "uclg-debates", "b", "2022-01-01T10:00", "2022-01-01T11:00")
	s.UID = "given@elsewhere.example"
	got, err := db.PutSession(ctx, s, Any)
	if err != nil || got.UID != s.UID {
		t.Errorf("create with a given UID = %q, %v", got.UID, err)
	}
}
