package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// TestConditions: a write's condition is Any (no condition), Absent (a put
// that only creates) or the exact revision, sequence or version the row must
// be at; 0 included, since a session starts at sequence 0. Every refused
// write leaves everything as it was.
func TestConditions(t *testing.T) {
	ctx := context.Background()
	const slug, key, postID = "uclg-debates", "finance", "news"

	// edited returns the stored session with a new title.
	edited := func(db *DB, uid string) agenda.Session {
		s, err := db.Session(ctx, uid)
		if err != nil {
			t.Fatal(err)
		}
		s.Title = "My edit"
		return s
	}
	renamed := func() agenda.Series {
		s := madrid()
		s.Title = "Renamed"
		return s
	}
	post := func(title string) agenda.Post {
		return agenda.Post{Series: slug, ID: postID, Title: title, Published: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)}
	}
	newSession := func() agenda.Session {
		return timedSession(t, slug, "new", "2022-01-01T10:00", "2022-01-01T11:00")
	}
	newSeries := func() agenda.Series {
		return agenda.Series{Slug: "new", Title: "New", Zone: "UTC", Language: "en"}
	}

	type write func(db *DB, uid string) error
	putSession := func(cond int64) write {
		return func(db *DB, uid string) error { _, err := db.PutSession(ctx, edited(db, uid), cond); return err }
	}
	cancelSession := func(cond int64) write {
		return func(db *DB, uid string) error { _, err := db.CancelSession(ctx, uid, cond); return err }
	}
	deleteSession := func(cond int64) write {
		return func(db *DB, uid string) error { return db.DeleteSession(ctx, uid, cond) }
	}

	tests := []struct {
		name    string
		bumped  bool  // another writer moved the session to sequence 1 first
		write   write // the write under test
		want    error // nil, agenda.ErrConflict or agenda.ErrInvalid
		mention string
	}{
		// Sequence 0 is a condition a never-edited session meets...
		{name: "put session at 0 if 0", write: putSession(0)},
		{name: "cancel session at 0 if 0", write: cancelSession(0)},
		{name: "delete session at 0 if 0", write: deleteSession(0)},
		// ...and one that fails once another writer has changed it.
		{name: "put session at 1 if 0", bumped: true, write: putSession(0), want: agenda.ErrConflict, mention: "is at sequence 1, not 0"},
		{name: "cancel session at 1 if 0", bumped: true, write: cancelSession(0), want: agenda.ErrConflict, mention: "is at sequence 1, not 0"},
		{name: "delete session at 1 if 0", bumped: true, write: deleteSession(0), want: agenda.ErrConflict, mention: "it is at sequence 1, not 0"},
		{name: "put session at 0 if 1", write: putSession(1), want: agenda.ErrConflict, mention: "is at sequence 0, not 1"},
		{name: "put session at 1 if 1", bumped: true, write: putSession(1)},

		// Any is unconditional, for every kind.
		{name: "put session at 1 if Any", bumped: true, write: putSession(Any)},
		{name: "cancel session at 1 if Any", bumped: true, write: cancelSession(Any)},
		{name: "delete session at 1 if Any", bumped: true, write: deleteSession(Any)},
		{name: "put series if Any", write: func(db *DB, _ string) error { _, err := db.PutSeries(ctx, renamed(), Any); return err }},
		{name: "delete series if Any", write: func(db *DB, _ string) error { return db.DeleteSeries(ctx, slug, Any) }},
		{name: "put post if Any", write: func(db *DB, _ string) error { _, err := db.PutPost(ctx, post("Changed"), Any); return err }},
		{name: "delete post if Any", write: func(db *DB, _ string) error { return db.DeletePost(ctx, slug, postID, Any) }},
		{name: "create session if Any", write: func(db *DB, _ string) error { _, err := db.PutSession(ctx, newSession(), Any); return err }},

		// 0 is a condition for series and posts too, which no row meets.
		{name: "put series if 0", write: func(db *DB, _ string) error { _, err := db.PutSeries(ctx, renamed(), 0); return err },
			want: agenda.ErrConflict, mention: "not 0"},
		{name: "delete series if 0", write: func(db *DB, _ string) error { return db.DeleteSeries(ctx, slug, 0) },
			want: agenda.ErrConflict, mention: "not 0"},
		{name: "put post if 0", write: func(db *DB, _ string) error { _, err := db.PutPost(ctx, post("Changed"), 0); return err },
			want: agenda.ErrConflict, mention: "is at version 1, not 0"},
		{name: "delete post if 0", write: func(db *DB, _ string) error { return db.DeletePost(ctx, slug, postID, 0) },
			want: agenda.ErrConflict, mention: "it is at version 1, not 0"},

		// A condition on a row that does not exist is a conflict.
		{name: "create session if 0", write: func(db *DB, _ string) error { _, err := db.PutSession(ctx, newSession(), 0); return err },
			want: agenda.ErrConflict, mention: "session uclg-debates/new does not exist, but sequence 0 was given"},
		{name: "create series if 1", write: func(db *DB, _ string) error { _, err := db.PutSeries(ctx, newSeries(), 1); return err },
			want: agenda.ErrConflict, mention: `series "new" does not exist, but revision 1 was given`},
		{name: "create series if 0", write: func(db *DB, _ string) error { _, err := db.PutSeries(ctx, newSeries(), 0); return err },
			want: agenda.ErrConflict, mention: "does not exist"},
		{name: "create post if 1", write: func(db *DB, _ string) error {
			p := post("New")
			p.ID = "other"
			_, err := db.PutPost(ctx, p, 1)
			return err
		}, want: agenda.ErrConflict, mention: "post uclg-debates/other does not exist, but version 1 was given"},

		// Absent creates, and refuses a row that exists, however it is named.
		{name: "create series if Absent", write: func(db *DB, _ string) error { _, err := db.PutSeries(ctx, newSeries(), Absent); return err }},
		{name: "put series if Absent", write: func(db *DB, _ string) error { _, err := db.PutSeries(ctx, renamed(), Absent); return err },
			want: agenda.ErrConflict, mention: `series "uclg-debates" already exists (revision 3)`},
		{name: "create session if Absent", write: func(db *DB, _ string) error { _, err := db.PutSession(ctx, newSession(), Absent); return err }},
		{name: "put session at 0 if Absent", write: putSession(Absent), want: agenda.ErrConflict, mention: "already exists (uclg-debates/finance)"},
		{name: "put session by key if Absent", write: func(db *DB, _ string) error {
			s := newSession()
			s.Key = key
			_, err := db.PutSession(ctx, s, Absent)
			return err
		}, want: agenda.ErrConflict, mention: "session uclg-debates/finance already exists (uid "},
		{name: "create session with a taken UID if Absent", write: func(db *DB, uid string) error {
			s := newSession()
			s.UID = uid
			_, err := db.PutSession(ctx, s, Absent)
			return err
		}, want: agenda.ErrConflict, mention: "already exists (uclg-debates/finance)"},
		{name: "create post if Absent", write: func(db *DB, _ string) error {
			p := post("New")
			p.ID = "other"
			_, err := db.PutPost(ctx, p, Absent)
			return err
		}},
		{name: "put post if Absent", write: func(db *DB, _ string) error { _, err := db.PutPost(ctx, post("Changed"), Absent); return err },
			want: agenda.ErrConflict, mention: "post uclg-debates/news already exists (version 1)"},

		// Any other negative condition is invalid input, and so is Absent
		// for what cannot create.
		{name: "put session if -3", write: putSession(-3), want: agenda.ErrInvalid, mention: "ifSequence"},
		{name: "cancel session if -2", write: cancelSession(-2), want: agenda.ErrInvalid, mention: "ifSequence"},
		{name: "delete session if -5", write: deleteSession(-5), want: agenda.ErrInvalid, mention: "ifSequence"},
		{name: "delete session if Absent", write: deleteSession(Absent), want: agenda.ErrInvalid, mention: "ifSequence"},
		{name: "put series if -3", write: func(db *DB, _ string) error { _, err := db.PutSeries(ctx, renamed(), -3); return err },
			want: agenda.ErrInvalid, mention: "ifRevision"},
		{name: "delete series if -2", write: func(db *DB, _ string) error { return db.DeleteSeries(ctx, slug, -2) },
			want: agenda.ErrInvalid, mention: "ifRevision"},
		{name: "put post if -3", write: func(db *DB, _ string) error { _, err := db.PutPost(ctx, post("Changed"), -3); return err },
			want: agenda.ErrInvalid, mention: "ifVersion"},
		{name: "delete post if -2", write: func(db *DB, _ string) error { return db.DeletePost(ctx, slug, postID, -2) },
			want: agenda.ErrInvalid, mention: "ifVersion"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := newTestDB(t)
			mustPutSeries(t, db, madrid())
			sess := mustPutSession(t, db, fullSession(t, slug, key))
			if _, err := db.PutPost(ctx, post("News"), Any); err != nil {
				t.Fatal(err)
			}
			if sess.Sequence != 0 {
				t.Fatalf("new session at sequence %d, want 0", sess.Sequence)
			}
			if tc.bumped {
				other := sess
				other.Title = "Another writer's edit"
				if sess = mustPutSession(t, db, other); sess.Sequence != 1 {
					t.Fatalf("edited session at sequence %d, want 1", sess.Sequence)
				}
			}
			type state struct {
				Session agenda.Session
				Series  agenda.Series
				Posts   []agenda.Post
				Rows    map[string]int
				Counter int64
			}
			read := func() state {
				t.Helper()
				var st state
				var err error
				if st.Session, err = db.Session(ctx, sess.UID); err != nil {
					t.Fatal(err)
				}
				if st.Series, err = db.Series(ctx, slug); err != nil {
					t.Fatal(err)
				}
				if st.Posts, err = db.Posts(ctx, slug); err != nil {
					t.Fatal(err)
				}
				st.Rows = map[string]int{}
				for _, table := range []string{"series", "sessions", "posts"} {
					st.Rows[table] = countRows(t, db, table)
				}
				st.Counter = mustCounter(t, db)
				return st
			}
			before := read()

			err := tc.write(db, sess.UID)
			checkConditionalWrite(t, db, err, tc.want, tc.mention, before.Counter, "state", before, read)
		})
	}
}

// TestPersonConditions: a person has no counter, so a put's condition is
// the person as the caller read it (nil: none; the zero person: nobody,
// create only). A stale one is a conflict, and every refused write leaves
// the people as they were.
func TestPersonConditions(t *testing.T) {
	ctx := context.Background()
	read := agenda.Person{ID: 1, Name: "Ana Ruiz", Affiliation: "Mayor"} // as the caller read her
	edit := read
	edit.Affiliation = "Governor"
	tests := []struct {
		name      string
		elsewhere bool // another writer set Ana's URL after the caller read
		p         agenda.Person
		ifCurrent *agenda.Person
		want      error // nil, agenda.ErrConflict or agenda.ErrInvalid
		mention   string
	}{
		{name: "unconditional", elsewhere: true, p: edit},
		{name: "as read", p: edit, ifCurrent: &read},
		{name: "changed since read", elsewhere: true, p: edit, ifCurrent: &read, want: agenda.ErrConflict,
			mention: `put person 1: it changed meanwhile (now "Ana Ruiz", "Mayor", "https://example.org/ana")`},
		{name: "create only", p: agenda.Person{Name: "Bo Chen"}, ifCurrent: &agenda.Person{}},
		{name: "create only, name taken", p: agenda.Person{Name: "Ana Ruiz", Affiliation: "Other"}, ifCurrent: &agenda.Person{},
			want: agenda.ErrConflict, mention: `person "Ana Ruiz" already exists (id 1)`},
		{name: "create only with an ID", p: edit, ifCurrent: &agenda.Person{}, want: agenda.ErrInvalid,
			mention: `id: "1": expected none: a create-only put finds the person by name`},
		{name: "condition on another person", p: agenda.Person{ID: 2, Name: "Bo Chen"}, ifCurrent: &read, want: agenda.ErrInvalid,
			mention: `id: "2": expected 1, the ID of the person the condition names`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := newTestDB(t)
			if got, err := db.PutPerson(ctx, agenda.Person{Name: "Ana Ruiz", Affiliation: "Mayor"}, nil); err != nil || got != read {
				t.Fatalf("seed: %+v, %v", got, err)
			}
			if tc.elsewhere {
				other := read
				other.URL = "https://example.org/ana"
				if _, err := db.PutPerson(ctx, other, nil); err != nil {
					t.Fatal(err)
				}
			}
			type state struct {
				People  []agenda.Person
				Counter int64
			}
			snapshot := func() state {
				t.Helper()
				people, err := db.People(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return state{people, mustCounter(t, db)}
			}
			before := snapshot()

			_, err := db.PutPerson(ctx, tc.p, tc.ifCurrent)
			checkConditionalWrite(t, db, err, tc.want, tc.mention, before.Counter, "people", before, snapshot)
		})
	}
}

// checkConditionalWrite checks what a conditional write did. With want nil:
// that it succeeded and moved the change counter (counter before it) by
// one. Otherwise: that it failed with want, its message naming mention,
// and that what read returns is still before.
func checkConditionalWrite[S any](t *testing.T, db *DB, err, want error, mention string, counter int64, what string, before S, read func() S) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("write failed: %v", err)
		}
		if got := mustCounter(t, db); got != counter+1 {
			t.Errorf("change counter %d after the write, want %d", got, counter+1)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
	if !strings.Contains(err.Error(), mention) {
		t.Errorf("error %q does not mention %q", err, mention)
	}
	assertEqual(t, what+" after the refused write", read(), before)
}
