package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

func TestSeriesRoundTrip(t *testing.T) {
	db, c := newTestDB(t)
	ctx := context.Background()
	in := madrid()
	in.Reminders = []time.Duration{24 * time.Hour, 15 * time.Minute} // stored sorted
	got := mustPutSeries(t, db, in)
	want := madrid()
	want.Created, want.Updated, want.Revision = c.stamp(), c.stamp(), 1
	assertEqual(t, "PutSeries", got, want)
	read, err := db.Series(ctx, in.Slug)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "Series", read, want)
	if got.Created.Location() != time.UTC {
		t.Errorf("Created in %v, want UTC", got.Created.Location())
	}

	other := agenda.Series{Slug: "a-first", Title: "A", Zone: "UTC", Language: "fr"}
	mustPutSeries(t, db, other)
	list, err := db.ListSeries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Slug != "a-first" || list[1].Slug != in.Slug || list[0].Reminders != nil {
		t.Errorf("ListSeries = %+v", list)
	}
	revs, err := db.Revisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "Revisions", revs, map[string]int64{"a-first": 1, in.Slug: 1})

	if _, err := db.Series(ctx, "missing"); !errors.Is(err, agenda.ErrNotFound) {
		t.Errorf("Series(missing) = %v, want ErrNotFound", err)
	}

	// Delete cascades and leaves Revisions.
	sess := mustPutSession(t, db, fullSession(t, in.Slug, "k"))
	if _, err := db.PutPost(ctx, agenda.Post{Series: in.Slug, ID: "p", Title: "P", Published: time.Now()}, Any); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteSeries(ctx, in.Slug, 99); !errors.Is(err, agenda.ErrConflict) {
		t.Errorf("DeleteSeries with stale revision = %v, want ErrConflict", err)
	}
	if err := db.DeleteSeries(ctx, in.Slug, mustRevision(t, db, in.Slug)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Session(ctx, sess.UID); !errors.Is(err, agenda.ErrNotFound) {
		t.Errorf("session after series delete: %v", err)
	}
	for _, table := range []string{"sessions", "posts", "session_people"} {
		if n := countRows(t, db, table); n != 0 {
			t.Errorf("%d rows left in %s", n, table)
		}
	}
	revs, _ = db.Revisions(ctx)
	assertEqual(t, "Revisions after delete", revs, map[string]int64{"a-first": 1})
	if err := db.DeleteSeries(ctx, in.Slug, Any); !errors.Is(err, agenda.ErrNotFound) {
		t.Errorf("deleting again = %v, want ErrNotFound", err)
	}
}

func TestSessionRoundTrip(t *testing.T) {
	db, c := newTestDB(t)
	ctx := context.Background()
	mustPutSeries(t, db, madrid())

	timed := fullSession(t, "uclg-debates", "finance")
	allDay := agenda.Session{
		Series: "uclg-debates", Key: "congress", Title: "World Congress", AllDay: true,
		StartDate: date(t, "2022-10-10"), EndDate: date(t, "2022-10-14"), Zone: "Africa/Lagos",
		People: []agenda.Participant{
			{Person: agenda.Person{Name: "Ana Ruiz", Affiliation: "Former Mayor"}, Role: agenda.RoleKeynote},
		},
		Tags: []string{"Congress", "congress", " b "},
	}
	for _, tc := range []struct {
		name string
		in   agenda.Session
		want func(got agenda.Session) agenda.Session
	}{
		{"timed with offset", timed, func(got agenda.Session) agenda.Session {
			w := fullSession(t, "uclg-debates", "finance")
			w.UID = got.UID
			w.Created, w.Updated = c.stamp(), c.stamp()
			w.People[0].ID, w.People[1].ID = got.People[0].ID, got.People[1].ID
			return w
		}},
		{"all day, defaults from series", allDay, func(got agenda.Session) agenda.Session {
			w := allDay
			w.UID = got.UID
			w.Created, w.Updated = c.stamp(), c.stamp()
			w.Status, w.Language = agenda.StatusConfirmed, "en"
			w.Tags = []string{"b", "congress"}
			w.People = []agenda.Participant{{Person: agenda.Person{ID: got.People[0].ID, Name: "Ana Ruiz",
				Affiliation: "Former Mayor", URL: "https://example.org/ana"}, Role: agenda.RoleKeynote}}
			return w
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mustPutSession(t, db, tc.in)
			if len(got.UID) < 36 || got.UID[len(got.UID)-len("@test.example"):] != "@test.example" {
				t.Errorf("UID = %q, want <uuid>@test.example", got.UID)
			}
			want := tc.want(got)
			assertEqual(t, "PutSession", got, want)
			byUID, err := db.Session(ctx, got.UID)
			if err != nil {
				t.Fatal(err)
			}
			assertEqual(t, "Session", byUID, want)
			byKey, err := db.SessionByKey(ctx, "uclg-debates", tc.in.Key)
			if err != nil {
				t.Fatal(err)
			}
			assertEqual(t, "SessionByKey", byKey, want)
			for _, p := range got.People {
				if p.ID == 0 {
					t.Errorf("participant %q has no ID", p.Name)
				}
			}
		})
	}
	// Ana appears in both with different affiliation lines; her row has the latest.
	people, err := db.People(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(people) != 2 || people[0].Name != "Ana Ruiz" || people[0].Affiliation != "Former Mayor" ||
		people[0].URL != "https://example.org/ana" || people[1].Name != "Bo Chen" {
		t.Errorf("People = %+v", people)
	}
	fin, _ := db.SessionByKey(ctx, "uclg-debates", "finance")
	if fin.People[0].Affiliation != "Mayor of Somewhere" {
		t.Errorf("appearance affiliation = %q, want the one of that session", fin.People[0].Affiliation)
	}
	p, err := db.Person(ctx, people[1].ID)
	if err != nil || p != people[1] {
		t.Errorf("Person(%d) = %+v, %v", people[1].ID, p, err)
	}
	if _, err := db.Person(ctx, 9999); !errors.Is(err, agenda.ErrNotFound) {
		t.Errorf("Person(9999) = %v", err)
	}
	if _, err := db.Session(ctx, "nope@x"); !errors.Is(err, agenda.ErrNotFound) {
		t.Errorf("Session(nope) = %v", err)
	}
}

func TestSessionsFilter(t *testing.T) {
	db, _ := newTestDB(t)
	ctx := context.Background()
	mustPutSeries(t, db, madrid())
	mustPutSeries(t, db, agenda.Series{Slug: "ny", Title: "NY", Zone: "America/New_York", Language: "en"})
	// 10:00 Madrid = 08:00Z in May; 04:00 New York = 08:00Z too: same instant, series decides.
	mustPutSession(t, db, timedSession(t, "uclg-debates", "b", "2022-05-02T10:00", "2022-05-02T11:00"))
	mustPutSession(t, db, timedSession(t, "ny", "a", "2022-05-02T04:00", "2022-05-02T05:00"))
	mustPutSession(t, db, timedSession(t, "uclg-debates", "a", "2022-05-01T10:00", "2022-05-01T11:00"))
	cancelled := mustPutSession(t, db, timedSession(t, "uclg-debates", "c", "2022-05-03T10:00", "2022-05-03T11:00"))
	if _, err := db.CancelSession(ctx, cancelled.UID, Any); err != nil {
		t.Fatal(err)
	}
	keys := func(ss []agenda.Session) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Series+"/"+s.Key)
		}
		return out
	}
	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, tc := range []struct {
		name string
		f    SessionFilter
		want []string
	}{
		{"all", SessionFilter{}, []string{"uclg-debates/a", "ny/a", "uclg-debates/b", "uclg-debates/c"}},
		{"series", SessionFilter{Series: "uclg-debates"}, []string{"uclg-debates/a", "uclg-debates/b", "uclg-debates/c"}},
		{"window overlaps", SessionFilter{From: utc("2022-05-02T08:30:00Z"), To: utc("2022-05-03T08:00:00Z")}, []string{"ny/a", "uclg-debates/b"}},
		{"end is exclusive", SessionFilter{From: utc("2022-05-02T09:00:00Z")}, []string{"uclg-debates/c"}},
		{"start is exclusive of To", SessionFilter{To: utc("2022-05-01T08:00:00Z")}, nil},
		{"status", SessionFilter{Status: agenda.StatusCancelled}, []string{"uclg-debates/c"}},
		{"limit offset", SessionFilter{Limit: 2, Offset: 1}, []string{"ny/a", "uclg-debates/b"}},
		{"offset only", SessionFilter{Offset: 3}, []string{"uclg-debates/c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.Sessions(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			assertEqual(t, "keys", keys(got), tc.want)
		})
	}
}

func TestPostRoundTrip(t *testing.T) {
	db, c := newTestDB(t)
	ctx := context.Background()
	mustPutSeries(t, db, madrid())
	sess := mustPutSession(t, db, fullSession(t, "uclg-debates", "finance"))
	published := time.Date(2020, 11, 23, 10, 0, 0, 987654321, time.FixedZone("CET", 3600))
	in := agenda.Post{
		ID: "recap", Series: "uclg-debates", Title: "Recap of the finance debate",
		Summary: "What was said.", Body: "# Recap\n\nSee [the video](https://example.org/v) <script>x()</script>",
		Author: "Press office", Published: published, Updated: published.Add(48 * time.Hour),
		URL: "https://example.org/news/recap", SessionKey: "finance",
	}
	got, err := db.PutPost(ctx, in, Any)
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.Published, want.Updated = published.UTC(), published.Add(48*time.Hour).UTC()
	want.SessionUID = sess.UID
	want.Version = 1
	want.BodyHTML = "<h4>Recap</h4>\n<p>See <a href=\"https://example.org/v\" rel=\"nofollow noopener\">the video</a> </p>\n"
	assertEqual(t, "PutPost", got, want)
	read, err := db.Post(ctx, "uclg-debates", "recap")
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "Post", read, want)
	_ = c

	older := agenda.Post{ID: "a-old", Title: "Older", Series: "uclg-debates", Published: published.Add(-time.Hour)}
	same := agenda.Post{ID: "b-same", Title: "Same time", Series: "uclg-debates", Published: published}
	for _, p := range []agenda.Post{older, same} {
		if _, err := db.PutPost(ctx, p, Any); err != nil {
			t.Fatal(err)
		}
	}
	posts, err := db.Posts(ctx, "uclg-debates")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range posts {
		ids = append(ids, p.ID)
	}
	assertEqual(t, "post order", ids, []string{"b-same", "recap", "a-old"})
	if posts[2].Updated != (time.Time{}) || posts[2].SessionKey != "" {
		t.Errorf("zero fields did not round-trip: %+v", posts[2])
	}

	// Unknown session key: a field error "session", nothing written.
	bad := in
	bad.ID, bad.SessionKey = "bad", "nope"
	_, err = db.PutPost(ctx, bad, Any)
	var fe *agenda.FieldError
	if !errors.Is(err, agenda.ErrInvalid) || !errors.As(err, &fe) || fe.Field != "session" {
		t.Errorf("PutPost with unknown session = %v, want field error session", err)
	}
	if _, err := db.Post(ctx, "uclg-debates", "bad"); !errors.Is(err, agenda.ErrNotFound) {
		t.Errorf("bad post was written: %v", err)
	}

	// Renaming the session keeps the link and bumps the post's version;
	// deleting it drops the link and bumps again.
	renamed := sess
	renamed.Key = "finance-2021"
	mustPutSession(t, db, renamed)
	p, _ := db.Post(ctx, "uclg-debates", "recap")
	if p.SessionKey != "finance-2021" || p.SessionUID != sess.UID || p.Version != 2 {
		t.Errorf("post after session rename = key %q uid %q version %d", p.SessionKey, p.SessionUID, p.Version)
	}
	if err := db.DeleteSession(ctx, sess.UID, Any); err != nil {
		t.Fatal(err)
	}
	p, _ = db.Post(ctx, "uclg-debates", "recap")
	if p.SessionKey != "" || p.SessionUID != "" || p.Version != 3 {
		t.Errorf("post after session delete = key %q uid %q version %d", p.SessionKey, p.SessionUID, p.Version)
	}

	if err := db.DeletePost(ctx, "uclg-debates", "recap", 1); !errors.Is(err, agenda.ErrConflict) {
		t.Errorf("DeletePost stale = %v", err)
	}
	if err := db.DeletePost(ctx, "uclg-debates", "recap", 3); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Post(ctx, "uclg-debates", "recap"); !errors.Is(err, agenda.ErrNotFound) {
		t.Errorf("post after delete: %v", err)
	}
	if _, err := db.Posts(ctx, "nope"); !errors.Is(err, agenda.ErrNotFound) {
		t.Errorf("Posts of missing series = %v", err)
	}
}

func TestPersonRoundTrip(t *testing.T) {
	db, _ := newTestDB(t)
	ctx := context.Background()
	mustPutSeries(t, db, madrid())
	mustPutSeries(t, db, agenda.Series{Slug: "other", Title: "Other", Zone: "UTC", Language: "en"})
	mustPutSeries(t, db, agenda.Series{Slug: "third", Title: "Third", Zone: "UTC", Language: "en"})
	mustPutSession(t, db, fullSession(t, "uclg-debates", "a"))
	o := timedSession(t, "other", "b", "2022-01-01T10:00", "2022-01-01T11:00")
	o.People = []agenda.Participant{{Person: agenda.Person{Name: "Ana Ruiz"}}}
	mustPutSession(t, db, o)

	revs := func() map[string]int64 {
		r, err := db.Revisions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	before := revs()

	// A new person.
	np, err := db.PutPerson(ctx, agenda.Person{Name: "  Cleo Diaz ", Affiliation: "Researcher"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if np.ID == 0 || np.Name != "Cleo Diaz" {
		t.Errorf("new person = %+v", np)
	}
	got, _ := db.Person(ctx, np.ID)
	assertEqual(t, "Person", got, np)
	assertEqual(t, "revisions after new person", revs(), before)

	// Affiliation only: the row changes, no series does.
	people, _ := db.People(ctx)
	ana := people[0]
	ana.Affiliation = "Governor"
	counter := mustCounter(t, db)
	if _, err := db.PutPerson(ctx, ana, nil); err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "revisions after affiliation change", revs(), before)
	if mustCounter(t, db) != counter+1 {
		t.Error("change counter did not move")
	}

	// URL change by ID: both series Ana appears in bump once, the third not.
	ana.URL = "https://example.org/ana-new"
	if _, err := db.PutPerson(ctx, ana, nil); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"uclg-debates": before["uclg-debates"] + 1, "other": before["other"] + 1, "third": before["third"]}
	assertEqual(t, "revisions after URL change", revs(), want)
	s, _ := db.SessionByKey(ctx, "other", "b")
	if s.People[0].URL != ana.URL || s.Sequence != 0 {
		t.Errorf("participant after URL change: %+v seq %d", s.People[0], s.Sequence)
	}

	// Unchanged: nothing.
	counter = mustCounter(t, db)
	if _, err := db.PutPerson(ctx, ana, nil); err != nil {
		t.Fatal(err)
	}
	if mustCounter(t, db) != counter {
		t.Error("unchanged PutPerson moved the change counter")
	}
	// Rename onto another's name: conflict. Unknown ID: not found.
	ana.Name = "Bo Chen"
	if _, err := db.PutPerson(ctx, ana, nil); !errors.Is(err, agenda.ErrConflict) {
		t.Errorf("rename onto Bo = %v, want ErrConflict", err)
	}
	if _, err := db.PutPerson(ctx, agenda.Person{ID: 999, Name: "X"}, nil); !errors.Is(err, agenda.ErrNotFound) {
		t.Errorf("unknown ID = %v, want ErrNotFound", err)
	}
	if _, err := db.PutPerson(ctx, agenda.Person{Name: ""}, nil); !errors.Is(err, agenda.ErrInvalid) {
		t.Errorf("empty name = %v, want ErrInvalid", err)
	}
	// Rename by ID works and shows in sessions.
	ana.Name = "Ana Ruiz García"
	if _, err := db.PutPerson(ctx, ana, nil); err != nil {
		t.Fatal(err)
	}
	s, _ = db.SessionByKey(ctx, "other", "b")
	if s.People[0].Name != "Ana Ruiz García" {
		t.Errorf("renamed participant = %q", s.People[0].Name)
	}
}
