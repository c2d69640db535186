package agenda

import (
	"reflect"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda/agendatest"
)

// Clone copies every string, however deep, so that a kept clone does not
// keep its snapshot's buffer. The walk is by reflection: a field added to
// Session later and not cloned fails here.
func TestSessionCloneSharesNothing(t *testing.T) {
	s := Session{
		UID: "u1@example.org", Series: "debates", Key: "d1", Title: "Open debate", Description: "About housing.",
		Start: mustWallTime(t, "2021-11-17T12:00:00"), End: NewWallTime(2021, 11, 17, 13, 0, 0), Zone: "Europe/Madrid",
		Venue: "Online", Address: "Carrer 1", OnlineURL: "https://example.org/live", Status: StatusConfirmed,
		People: []Participant{
			{Person: Person{ID: 1, Name: "Ana", Affiliation: "Mayor of Somewhere", URL: "https://example.org/ana"}, Role: RoleModerator},
			{Person: Person{ID: 2, Name: "Ben", Affiliation: "Deputy mayor"}, Role: RoleSpeaker},
		},
		Language: "en", Tags: []string{"housing", "mobility"}, URL: "https://example.org/s/d1",
		Sequence: 3, Created: time.Unix(1, 0), Updated: time.Unix(2, 0),
	}
	buf := agendatest.IntoOneBuffer(&s)
	if got := agendatest.InBuffer(&s, buf); len(got) == 0 {
		t.Fatal("the test session's strings are not in its buffer")
	}
	c := s.Clone()
	if !reflect.DeepEqual(c, s) {
		t.Fatalf("clone differs:\n%+v\n%+v", c, s)
	}
	if got := agendatest.InBuffer(&c, buf); len(got) != 0 {
		t.Errorf("the clone still points into the snapshot's buffer at %v", got)
	}
	// Every string field of the test session is set, so that the walk
	// above sees them all.
	v := reflect.ValueOf(s)
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.String && f.Len() == 0 {
			t.Errorf("the test leaves Session.%s empty", v.Type().Field(i).Name)
		}
	}
}

func mustWallTime(t *testing.T, s string) WallTime {
	t.Helper()
	w, err := ParseWallTime(s)
	if err != nil {
		t.Fatal(err)
	}
	if w.Text() != s || w.String() == s {
		t.Fatalf("ParseWallTime(%q) keeps no text of its own; the test needs one that does", s)
	}
	return w
}

// A zone name kept by the cache is a copy of the name asked for.
func TestZonesKeepACopyOfTheName(t *testing.T) {
	name := []string{"Europe/Madrid"}
	buf := agendatest.IntoOneBuffer(&name)
	var z Zones
	loc, err := z.Load(name[0])
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	z.m.Range(func(k, _ any) bool { keys = append(keys, k.(string)); return true })
	if len(keys) != 1 || len(agendatest.InBuffer(&keys, buf)) != 0 {
		t.Errorf("the cache's keys %q: want one, a copy of the caller's string", keys)
	}
	if s := []string{loc.String()}; len(agendatest.InBuffer(&s, buf)) != 0 {
		t.Error("the location's name is the caller's string")
	}
}
