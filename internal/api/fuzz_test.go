package api

import (
	"errors"
	"net/http"
	"reflect"
	"testing"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// FuzzSessionBody: any body decodes to a session or to a 400/422 error
// (never a panic, never another status), and a session that validates
// survives the trip back to JSON and in again unchanged. The same bytes
// are also tried as a merge patch on a valid session.
func FuzzSessionBody(f *testing.F) {
	for _, seed := range []string{
		sessionBody,
		`{"series": "s", "key": "k", "title": "T", "all_day": true, "start_date": "2021-11-18", "end_date": "2021-11-19"}`,
		`{"series": "s", "key": "k", "title": "T", "start": "2021-10-31T02:30+01:00", "end": "2021-10-31T04:00", "zone": "Europe/Madrid"}`,
		`{"title": null, "tags": ["A", "a", " b "], "people": [{"name": "X", "role": "CHAIR"}]}`,
		`{"start": 5}`, `{"venu": ""}`, `[]`, `{`, `{} {}`, `"x"`, `null`, ``,
		`{"people": [{"name": "A"}, {"name": "A"}]}`, `{"start": "2021-03-28T02:30"}`,
	} {
		f.Add([]byte(seed))
	}
	series := agenda.Series{Slug: "s", Title: "S", Zone: "Europe/Madrid", Language: "en"}
	base := agenda.Session{Series: "s", Key: "k", Title: "T", Start: agenda.NewWallTime(2021, 11, 17, 12, 0, 0),
		End: agenda.NewWallTime(2021, 11, 17, 13, 0, 0), UID: "u@example.org"}
	base.Normalize(&series)
	if err := base.Validate(); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var in sessionJSON
		err := decodeStrict(data, &in)
		checkStatus(t, err, http.StatusBadRequest)
		if err == nil {
			check(t, in, &series)
		}
		var patched sessionJSON
		err = applyPatch(data, toSessionJSON(base), sessionPatch, &patched, &sentPath{})
		checkStatus(t, err, http.StatusBadRequest, http.StatusUnprocessableEntity)
		if err == nil {
			check(t, patched, &series)
		}
	})
}

func checkStatus(t *testing.T, err error, allowed ...int) {
	t.Helper()
	if err == nil {
		return
	}
	var he *httpError
	if !errors.As(err, &he) {
		t.Fatalf("decoding failed with %T %v, want an httpError", err, err)
	}
	for _, s := range allowed {
		if he.status == s {
			return
		}
	}
	t.Fatalf("status %d for %v", he.status, err)
}

// check converts and validates a decoded session; a valid one must
// round-trip through its JSON form.
func check(t *testing.T, in sessionJSON, series *agenda.Series) {
	t.Helper()
	s, err := fromSessionJSON(in)
	if err != nil {
		if statusOf(err) != http.StatusUnprocessableEntity {
			t.Fatalf("conversion error %v maps to %d, want 422", err, statusOf(err))
		}
		return
	}
	s.Normalize(series)
	if err := s.Validate(); err != nil {
		if statusOf(err) != http.StatusUnprocessableEntity {
			t.Fatalf("validation error %v maps to %d, want 422", err, statusOf(err))
		}
		return
	}
	again, err := fromSessionJSON(toSessionJSON(s))
	if err != nil {
		t.Fatalf("a valid session does not convert back: %v", err)
	}
	again.Normalize(series)
	if !reflect.DeepEqual(normPeople(again), normPeople(s)) {
		t.Fatalf("round trip changed the session:\n%+v\n%+v", s, again)
	}
}

// normPeople makes nil and empty slices compare equal.
func normPeople(s agenda.Session) agenda.Session {
	if len(s.People) == 0 {
		s.People = nil
	}
	if len(s.Tags) == 0 {
		s.Tags = nil
	}
	return s
}
