package api

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// TestSessionETagFollowsBody: a session's ETag changes whenever its GET
// body does, also where its sequence cannot show it (stopped at
// agenda.MaxSequence, or a change made through a person the session shows),
// and stays put while the body does.
func TestSessionETagFollowsBody(t *testing.T) {
	ta := newTestAPI(t)
	ta.seed(t) // series debates, with Ada Colau in smart-cities
	m := ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/series/debates/sessions",
		body: fmt.Sprintf(`{"key": "capped", "uid": "capped@example.org", "sequence": %d, "title": "Capped",
			"start": "2021-11-20T12:00", "end": "2021-11-20T13:00"}`, agenda.MaxSequence)})
	if obj(t, m, "session")["sequence"] != float64(agenda.MaxSequence) {
		t.Fatalf("created at sequence %v", obj(t, m, "session")["sequence"])
	}
	ada := "/api/v1/people/" + fmt.Sprint(ta.personID(t, "Ada Colau"))

	for _, c := range []struct {
		name, session string
		edit          req
	}{
		{"sequence at its cap", "/api/v1/series/debates/sessions/capped",
			req{method: "PATCH", path: "/api/v1/series/debates/sessions/capped", body: `{"venue": "Hall A"}`}},
		{"cancelled at its cap", "/api/v1/series/debates/sessions/capped",
			req{method: "POST", path: "/api/v1/series/debates/sessions/capped/cancel"}},
		{"a person's new URL", "/api/v1/series/debates/sessions/smart-cities",
			req{method: "PATCH", path: ada, body: `{"url": "https://ada.example.org/"}`}},
		{"a person's new name", "/api/v1/series/debates/sessions/smart-cities",
			req{method: "PATCH", path: ada, body: `{"name": "Ada Colau Ballano"}`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := etagOf(t, ta, c.session)
			if again := etagOf(t, ta, c.session); again != before {
				t.Fatalf("two GETs with nothing between: ETags %s and %s", before, again)
			}
			body := ta.do(t, req{method: "GET", path: c.session, token: readToken}).Body.String()
			edit := c.edit
			if edit.path == c.session || edit.path == c.session+"/cancel" {
				edit.header = map[string]string{"If-Match": before}
			}
			ta.must(t, http.StatusOK, edit)
			w := ta.do(t, req{method: "GET", path: c.session, token: readToken, header: map[string]string{"If-None-Match": before}})
			if w.Code != http.StatusOK || w.Body.String() == body {
				t.Fatalf("If-None-Match with the ETag from before the edit: status %d, body changed: %v", w.Code, w.Body.String() != body)
			}
			// The edit again, on the ETag read before it: the resource has
			// changed meanwhile, so nothing may be written.
			if edit.header != nil {
				ta.must(t, http.StatusPreconditionFailed, req{method: "PATCH", path: c.session, body: `{"venue": "Hall B"}`,
					header: map[string]string{"If-Match": before}})
			}
		})
	}
}

// personID is the id of the person named name.
func (ta *testAPI) personID(t *testing.T, name string) int64 {
	t.Helper()
	people, err := ta.db.People(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range people {
		if p.Name == name {
			return p.ID
		}
	}
	t.Fatalf("no person %q", name)
	return 0
}
