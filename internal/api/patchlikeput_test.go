package api

import (
	"fmt"
	"net/http"
	"testing"
)

// TestPatchReportsLikePut: of the fields of a body, PATCH reports the
// unknown, wrongly cased or wrongly typed one that PUT (and POST) report,
// in the same words: the first in the order sent, with the suggestion of
// the right case.
func TestPatchReportsLikePut(t *testing.T) {
	ta := newTestAPI(t)
	ta.seed(t)
	ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/series/debates/posts", body: `{"id": "welcome", "title": "Welcome", "published": "2021-11-01"}`})
	m := ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/people", body: `{"name": "Emilia Saiz"}`})
	person := "/api/v1/people/" + fmt.Sprint(obj(t, m, "person")["id"])

	for _, c := range []struct {
		path, envelope, body string
		field                string
	}{
		{"/api/v1/series/debates", "series", `{"TITLE": "x"}`, "TITLE"},
		{"/api/v1/series/debates", "series", `{"title": "x", "organizer": {"EMAIL": "a@example.org"}}`, "organizer.EMAIL"},
		{"/api/v1/series/debates/sessions/smart-cities", "session", `{"Venue": "x"}`, "Venue"},
		{"/api/v1/series/debates/sessions/smart-cities", "session", `{"venue": 1, "address": 2}`, "venue"},
		{"/api/v1/series/debates/sessions/smart-cities", "session", `{"tags": "x", "all_day": "no"}`, "tags"},
		{"/api/v1/series/debates/posts/welcome", "post", `{"Summary": "x"}`, "Summary"},
		{"/api/v1/series/debates/posts/welcome", "post", `{"url": 1, "author": 2}`, "url"},
		{person, "person", `{"Affiliation": "x"}`, "Affiliation"},
		{person, "person", `{"url": 1, "affiliation": 2}`, "url"},
	} {
		for _, wrap := range []bool{false, true} {
			body, field := c.body, c.field
			if wrap {
				body, field = `{"`+c.envelope+`": `+body+`}`, c.envelope+"."+field
			}
			t.Run(c.path+" "+body, func(t *testing.T) {
				put := ta.must(t, http.StatusBadRequest, req{method: "PUT", path: c.path, body: body})
				patch := ta.must(t, http.StatusBadRequest, req{method: "PATCH", path: c.path, body: body})
				if put["field"] != field {
					t.Fatalf("PUT names %v, want %s: %v", put["field"], field, put["error"])
				}
				if patch["field"] != put["field"] || patch["error"] != put["error"] {
					t.Errorf("PATCH: field %v, %q\nPUT:   field %v, %q", patch["field"], patch["error"], put["field"], put["error"])
				}
			})
		}
	}
}
