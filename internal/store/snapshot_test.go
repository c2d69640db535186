package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// TestSnapshotMatchesGeneralLoader: Snapshot's own loader returns exactly
// what the general one (Sessions, Posts) does, for sessions of every shape:
// all-day, explicit offsets, seconds, no people, no tags, shared people.
func TestSnapshotMatchesGeneralLoader(t *testing.T) {
	db, c := newTestDB(t)
	ctx := context.Background()
	doc := agenda.Snapshot{Series: madrid()}
	full := fullSession(t, "", "finance") // offset end, people with URLs, tags
	allDay := agenda.Session{Key: "summit", Title: "Summit", AllDay: true,
		StartDate: date(t, "2021-11-15"), EndDate: date(t, "2021-11-17"), Zone: "America/New_York",
		People: []agenda.Participant{{Person: agenda.Person{Name: "Ana Ruiz", Affiliation: "Mayor of Elsewhere"}, Role: agenda.RoleKeynote}}}
	seconds := timedSession(t, "", "odd", "2021-11-16T09:00:30", "2021-11-16T10:15:45")
	seconds.Tags = []string{"finance"}
	bare := timedSession(t, "", "bare", "2021-11-16T09:00", "2021-11-16T10:00") // same start as a-same: ordered by key
	sameStart := timedSession(t, "", "a-same", "2021-11-16T09:00", "2021-11-16T11:00")
	sameStart.People = []agenda.Participant{
		{Person: agenda.Person{Name: "Bo Chen", Affiliation: "Minister of Cities"}, Role: agenda.RoleSpeaker},
		{Person: agenda.Person{Name: "Ana Ruiz"}, Role: agenda.RoleChair},
	}
	doc.Sessions = []agenda.Session{full, allDay, seconds, bare, sameStart}
	for i := range 30 { // enough for the backing arrays to matter
		s := timedSession(t, "", fmt.Sprintf("k%02d", i), "2022-03-01T10:00", "2022-03-01T11:00")
		s.Tags = []string{"a", "b", fmt.Sprintf("t%d", i%4), "z"}
		for p := range i % 5 {
			s.People = append(s.People, agenda.Participant{Person: agenda.Person{Name: fmt.Sprintf("P%d", (i+p)%7), Affiliation: "City"}})
		}
		doc.Sessions = append(doc.Sessions, s)
	}
	doc.Posts = []agenda.Post{
		{ID: "one", Title: "One", Body: "*one*", Published: time.Date(2021, 10, 1, 8, 0, 0, 0, time.UTC), SessionKey: "finance"},
		{ID: "two", Title: "Two", Body: "two", Published: time.Date(2021, 10, 2, 8, 0, 0, 0, time.UTC)},
	}
	if _, err := db.Import(ctx, []agenda.Snapshot{doc}); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Hour)
	edited := seconds // a later stamp on one session
	edited.Series, edited.Title = "uclg-debates", "Edited"
	mustPutSession(t, db, edited)

	// From the tables, then from the packed row.
	for _, pack := range []bool{false, true} {
		if pack {
			if n, err := db.Pack(ctx); err != nil || n != 1 {
				t.Fatalf("Pack = %d, %v; want 1 row", n, err)
			}
		}
		snapshotMatchesGeneralLoader(t, db, len(doc.Sessions))
	}

	empty := agenda.Series{Slug: "empty", Title: "Empty", Zone: "Europe/Madrid", Language: "en"}
	mustPutSeries(t, db, empty)
	if snap, err := db.Snapshot(ctx, "empty"); err != nil || snap.Sessions != nil || snap.Posts != nil {
		t.Errorf("empty series: %+v, %v", snap, err)
	}
	if _, err := db.Pack(ctx); err != nil {
		t.Fatal(err)
	}
	if snap, err := db.Snapshot(ctx, "empty"); err != nil || snap.Sessions != nil || snap.Posts != nil {
		t.Errorf("empty series, packed: %+v, %v", snap, err)
	}
}

func snapshotMatchesGeneralLoader(t *testing.T, db *DB, nSessions int) {
	t.Helper()
	ctx := context.Background()
	snap, err := db.Snapshot(ctx, "uclg-debates")
	if err != nil {
		t.Fatal(err)
	}
	series, err := db.Series(ctx, "uclg-debates")
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := db.Sessions(ctx, SessionFilter{Series: "uclg-debates"})
	if err != nil {
		t.Fatal(err)
	}
	posts, err := db.Posts(ctx, "uclg-debates")
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Sessions) != nSessions || len(snap.Posts) != 2 {
		t.Fatalf("snapshot has %d sessions, %d posts", len(snap.Sessions), len(snap.Posts))
	}
	assertEqual(t, "series", snap.Series, series)
	for i := range sessions {
		assertEqual(t, fmt.Sprintf("session %d", i), snap.Sessions[i], sessions[i])
	}
	assertEqual(t, "posts", snap.Posts, posts)

	// Appending to one session's people or tags must not reach another's.
	for i := range snap.Sessions {
		s := &snap.Sessions[i]
		if cap(s.People) != len(s.People) || cap(s.Tags) != len(s.Tags) {
			t.Errorf("session %s: people %d/%d, tags %d/%d (len/cap)", s.Key, len(s.People), cap(s.People), len(s.Tags), cap(s.Tags))
		}
	}
}

func TestParseWallAndStamp(t *testing.T) {
	walls := []string{
		"2021-11-17T12:00", "2021-11-17T12:00:30", "2021-10-31T02:30+01:00", "2021-10-31T02:30:05-05:00",
		"2021-11-17T12:00Z", "2024-02-29T23:59", "2023-02-29T10:00", "2021-04-31T10:00", "2021-13-01T10:00",
		"2021-11-17T24:00", "2021-11-17T12:60", "2021-11-17T12:00:60", "2021-11-17 12:00", "2021-11-17T1a:00",
		"0001-01-01T00:00", "9999-12-31T23:59:59", "", "garbage", "2021-11-17T12:0", "+021-11-17T12:00",
	}
	for _, s := range walls {
		got, gerr := parseWall(s)
		want, werr := agenda.ParseWallTime(s)
		if (gerr == nil) != (werr == nil) || gerr == nil && got != want {
			t.Errorf("parseWall(%q) = %v, %v; ParseWallTime: %v, %v", s, got, gerr, want, werr)
		}
	}
	stamps := []string{
		"2024-03-01T09:00:00.000000000Z", "2024-02-29T23:59:59.999999999Z", "2023-02-29T00:00:00.000000000Z",
		"2024-03-01T24:00:00.000000000Z", "2024-03-01T09:00:60.000000000Z", "2024-03-01T09:00:00.00000000aZ",
		"2024-03-01T09:00:00Z", "0001-01-01T00:00:00.000000000Z", "x024-03-01T09:00:00.000000000Z",
	}
	for _, s := range stamps {
		got, gerr := parseTime(s)
		want, werr := time.Parse(timeLayout, s)
		if (gerr == nil) != (werr == nil) || gerr == nil && got != want.UTC() {
			t.Errorf("parseTime(%q) = %v, %v; time.Parse: %v, %v", s, got, gerr, want, werr)
		}
	}
}

// FuzzParseStored checks the hand decoders against the library ones.
func FuzzParseStored(f *testing.F) {
	for _, s := range []string{"2021-11-17T12:00", "2021-11-17T12:00:30", "2021-02-30T12:00", "2024-03-01T09:00:00.000000000Z", "2024-13-01T09:00:00.000000000Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, gerr := parseWall(s)
		want, werr := agenda.ParseWallTime(s)
		if (gerr == nil) != (werr == nil) || gerr == nil && got != want {
			t.Errorf("parseWall(%q) = %v, %v; ParseWallTime: %v, %v", s, got, gerr, want, werr)
		}
		gt, gerr := parseTime(s)
		wt, werr := time.Parse(timeLayout, s)
		if s == "" {
			return // parseTime reads "" as the zero time
		}
		if (gerr == nil) != (werr == nil) || gerr == nil && gt != wt.UTC() {
			t.Errorf("parseTime(%q) = %v, %v; time.Parse: %v, %v", s, gt, gerr, wt, werr)
		}
	})
}
