package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

func importDocs(t *testing.T) []agenda.Snapshot {
	t.Helper()
	withUID := timedSession(t, "", "opening", "2022-10-10T09:00", "2022-10-10T10:00")
	withUID.UID = "opening-2022@congress.example"
	withUID.People = []agenda.Participant{{Person: agenda.Person{Name: "Ana Ruiz", Affiliation: "Mayor"}, Role: agenda.RoleKeynote}}
	return []agenda.Snapshot{
		{
			Series:   madrid(),
			Sessions: []agenda.Session{fullSession(t, "", "finance"), timedSession(t, "uclg-debates", "housing", "2022-02-01T17:00", "2022-02-01T18:30")},
			Posts: []agenda.Post{{ID: "welcome", Title: "Welcome", Body: "Hello **all**",
				Published: time.Date(2022, 1, 1, 9, 0, 0, 0, time.UTC), SessionKey: "housing"}},
		},
		{
			Series:   agenda.Series{Slug: "congress", Title: "World Congress", Zone: "Africa/Lagos", Language: "en"},
			Sessions: []agenda.Session{withUID},
		},
	}
}

func TestImport(t *testing.T) {
	db, _ := newTestDB(t)
	ctx := context.Background()
	docs := importDocs(t)
	res, err := db.Import(ctx, docs)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "first import", res, ImportResult{Series: 2, SeriesCreated: 2, SessionsCreated: 3, PostsCreated: 1})
	s, err := db.SessionByKey(ctx, "congress", "opening")
	if err != nil {
		t.Fatal(err)
	}
	if s.UID != "opening-2022@congress.example" || s.Zone != "Africa/Lagos" {
		t.Errorf("imported session uid %q zone %q", s.UID, s.Zone)
	}
	p, err := db.Post(ctx, "uclg-debates", "welcome")
	if err != nil {
		t.Fatal(err)
	}
	housing, _ := db.SessionByKey(ctx, "uclg-debates", "housing")
	if p.SessionUID != housing.UID || p.BodyHTML != "<p>Hello <strong>all</strong></p>\n" {
		t.Errorf("imported post = %+v", p)
	}
	if docs[0].Sessions[0].Series != "" {
		t.Error("Import changed the caller's documents")
	}

	// Re-import: nothing changes, nothing is written.
	revs, _ := db.Revisions(ctx)
	counter := mustCounter(t, db)
	snap, _ := db.Snapshot(ctx, "uclg-debates")
	res, err = db.Import(ctx, importDocs(t))
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "re-import", res, ImportResult{Series: 2, SeriesUnchanged: 2, SessionsUnchanged: 3, PostsUnchanged: 1})
	if got := mustCounter(t, db); got != counter {
		t.Errorf("re-import moved the change counter %d -> %d", counter, got)
	}
	revs2, _ := db.Revisions(ctx)
	assertEqual(t, "revisions after re-import", revs2, revs)
	snap2, _ := db.Snapshot(ctx, "uclg-debates")
	assertEqual(t, "snapshot after re-import", snap2, snap)

	// A changed document: only what changed is counted; what is absent stays.
	docs = importDocs(t)
	docs[0].Sessions = docs[0].Sessions[1:]
	docs[0].Sessions[0].Title = "Housing, revisited"
	docs[1].Sessions[0].Key = "opening-ceremony" // by UID: a rename
	res, err = db.Import(ctx, docs)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "changed import", res, ImportResult{Series: 2, SeriesUnchanged: 2, SessionsUpdated: 2, PostsUnchanged: 1, SessionsLeftAlone: 1})
	if _, err := db.SessionByKey(ctx, "uclg-debates", "finance"); err != nil {
		t.Errorf("session absent from the document was removed: %v", err)
	}
	if s, err := db.Session(ctx, "opening-2022@congress.example"); err != nil || s.Key != "opening-ceremony" || s.Sequence != 1 {
		t.Errorf("renamed by UID = %+v, %v", s, err)
	}
	revs3, _ := db.Revisions(ctx)
	assertEqual(t, "revisions after changed import", revs3, map[string]int64{"uclg-debates": revs["uclg-debates"] + 1, "congress": revs["congress"] + 1})
}

func TestImportAllOrNothing(t *testing.T) {
	tables := []string{"series", "sessions", "people", "session_people", "posts"}
	for _, tc := range []struct {
		name   string
		break_ func(t *testing.T, docs []agenda.Snapshot) []agenda.Snapshot
		want   string
		is     error
	}{
		{"second series invalid", func(t *testing.T, docs []agenda.Snapshot) []agenda.Snapshot {
			docs[1].Series.Zone = "Nowhere/Special"
			return docs
		}, "series.zone", agenda.ErrInvalid},
		{"session of the second doc invalid", func(t *testing.T, docs []agenda.Snapshot) []agenda.Snapshot {
			docs[1].Sessions[0].End = wall(t, "2022-10-10T08:00")
			return docs
		}, "sessions[0].end", agenda.ErrInvalid},
		{"duplicate key in a doc", func(t *testing.T, docs []agenda.Snapshot) []agenda.Snapshot {
			docs[0].Sessions[1].Key = "finance"
			return docs
		}, "sessions[1].key", agenda.ErrInvalid},
		// Found only while writing, after the first document is written.
		{"post of the second doc links an unknown session", func(t *testing.T, docs []agenda.Snapshot) []agenda.Snapshot {
			docs[1].Posts = []agenda.Post{{ID: "x", Title: "X", Published: time.Now(), SessionKey: "nope"}}
			return docs
		}, "posts[0].session", agenda.ErrInvalid},
		{"UID of the second doc belongs to another series", func(t *testing.T, docs []agenda.Snapshot) []agenda.Snapshot {
			docs[1].Sessions[0].UID = "taken@test.example"
			return docs
		}, "sessions[0].uid", agenda.ErrInvalid},
		{"UID change in the second doc", func(t *testing.T, docs []agenda.Snapshot) []agenda.Snapshot {
			docs[1].Series = agenda.Series{Slug: "other", Title: "Other", Zone: "UTC", Language: "en"}
			docs[1].Sessions[0].Key = "kept"
			return docs
		}, "UID never changes", agenda.ErrConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := newTestDB(t)
			ctx := context.Background()
			// Something stored already, for the clashes.
			mustPutSeries(t, db, agenda.Series{Slug: "uclg-debates", Title: "Old title", Zone: "Europe/Madrid", Language: "en"})
			taken := timedSession(t, "uclg-debates", "existing", "2020-01-01T10:00", "2020-01-01T11:00")
			taken.UID = "taken@test.example"
			mustPutSession(t, db, taken)
			mustPutSeries(t, db, agenda.Series{Slug: "other", Title: "Other", Zone: "UTC", Language: "en"})
			mustPutSession(t, db, timedSession(t, "other", "kept", "2020-01-01T10:00", "2020-01-01T11:00"))
			counter := mustCounter(t, db)
			revs, _ := db.Revisions(ctx)
			rows := map[string]int{}
			for _, table := range tables {
				rows[table] = countRows(t, db, table)
			}

			_, err := db.Import(ctx, tc.break_(t, importDocs(t)))
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Import = %v; want %v mentioning %q", err, tc.is, tc.want)
			}
			if got := mustCounter(t, db); got != counter {
				t.Errorf("change counter moved %d -> %d", counter, got)
			}
			for _, table := range tables {
				if got := countRows(t, db, table); got != rows[table] {
					t.Errorf("%s: %d rows, had %d", table, got, rows[table])
				}
			}
			revs2, _ := db.Revisions(ctx)
			assertEqual(t, "revisions", revs2, revs)
			if s, _ := db.Series(ctx, "uclg-debates"); s.Title != "Old title" {
				t.Errorf("first document's series was written: %q", s.Title)
			}
		})
	}
}

// TestImportRenameFreesKey: a file that renames a stored session (matched by
// its UID) and reuses the old key for a new session imports both, whatever
// their order in the document: UIDs claim stored sessions before keys do.
func TestImportRenameFreesKey(t *testing.T) {
	for _, uidFirst := range []bool{false, true} {
		t.Run(map[bool]string{false: "key entry first", true: "uid entry first"}[uidFirst], func(t *testing.T) {
			db, _ := newTestDB(t)
			ctx := context.Background()
			if _, err := db.Import(ctx, []agenda.Snapshot{{Series: madrid(),
				Sessions: []agenda.Session{timedSession(t, "", "a", "2021-11-17T12:00", "2021-11-17T13:00")}}}); err != nil {
				t.Fatal(err)
			}
			old, err := db.SessionByKey(ctx, "uclg-debates", "a")
			if err != nil {
				t.Fatal(err)
			}
			newA := timedSession(t, "", "a", "2021-11-17T09:00", "2021-11-17T10:00")
			newA.Title = "New session A"
			renamed := timedSession(t, "", "b", "2021-11-17T12:00", "2021-11-17T13:00")
			renamed.UID = old.UID
			renamed.Title = "Old A, renamed b"
			sessions := []agenda.Session{newA, renamed}
			if uidFirst {
				sessions = []agenda.Session{renamed, newA}
			}
			res, err := db.Import(ctx, []agenda.Snapshot{{Series: madrid(), Sessions: sessions}})
			if err != nil {
				t.Fatal(err)
			}
			assertEqual(t, "result", res, ImportResult{Series: 1, SeriesUnchanged: 1, SessionsCreated: 1, SessionsUpdated: 1})
			b, err := db.SessionByKey(ctx, "uclg-debates", "b")
			if err != nil {
				t.Fatal(err)
			}
			if b.UID != old.UID || b.Title != "Old A, renamed b" {
				t.Errorf("b = UID %q title %q; want UID %q title %q", b.UID, b.Title, old.UID, "Old A, renamed b")
			}
			a, err := db.SessionByKey(ctx, "uclg-debates", "a")
			if err != nil {
				t.Fatalf("the new session a was lost: %v", err)
			}
			if a.UID == old.UID || a.Title != "New session A" {
				t.Errorf("a = UID %q title %q; want a fresh UID and title %q", a.UID, a.Title, "New session A")
			}
		})
	}
}

// TestImportErrorsNameTheSourceItem: errors of the write pass name the item
// as its source does, not by its place in the (sorted) snapshot.
func TestImportErrorsNameTheSourceItem(t *testing.T) {
	db, _ := newTestDB(t)
	ctx := context.Background()
	other := madrid()
	other.Slug = "other"
	if _, err := db.Import(ctx, []agenda.Snapshot{{Series: other,
		Sessions: []agenda.Session{timedSession(t, "", "x", "2021-11-17T12:00", "2021-11-17T13:00")}}}); err != nil {
		t.Fatal(err)
	}
	x, err := db.SessionByKey(ctx, "other", "x")
	if err != nil {
		t.Fatal(err)
	}
	moved := timedSession(t, "", "moved", "2021-11-17T08:00", "2021-11-17T09:00")
	moved.UID = x.UID
	doc := agenda.Snapshot{Series: madrid(), Sessions: []agenda.Session{
		moved, timedSession(t, "", "fine", "2021-11-17T12:00", "2021-11-17T13:00")},
		Posts: []agenda.Post{{ID: "p", Title: "P", Published: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), SessionKey: "nosuch"}}}
	// The source listed "fine" first and the post third.
	locate := func(kind string, i int) (string, string, int) {
		if kind == "sessions" {
			return fmt.Sprintf("sessions[%d]", 1-i), "agenda.yaml", 10 + 10*(1-i)
		}
		return fmt.Sprintf("posts[%d]", i+2), "agenda.yaml", 99
	}

	_, err = db.ImportDocs(ctx, []ImportDoc{{Snapshot: doc, Locate: locate}})
	want := `agenda.yaml:20: sessions[1].uid: "` + x.UID + `": is the UID of a session of series "other", not "uclg-debates"`
	if err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, agenda.ErrInvalid) {
		t.Fatalf("moving a session from another series: %v; want ErrInvalid containing %q", err, want)
	}

	doc.Sessions = doc.Sessions[1:]
	_, err = db.ImportDocs(ctx, []ImportDoc{{Snapshot: doc, Locate: locate}})
	if want := `agenda.yaml:99: posts[2].session: "nosuch"`; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("a post linked to no session: %v; want it to contain %q", err, want)
	}

	// Without a source, items are named by their place in the snapshot.
	_, err = db.Import(ctx, []agenda.Snapshot{doc})
	if want := `import series "uclg-debates": posts[0].session: "nosuch"`; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("a post linked to no session: %v; want it to contain %q", err, want)
	}
}
