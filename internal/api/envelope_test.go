package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestGetBodySentBackAsIs: docs/api.md promises that the body of a GET can
// be edited and sent back. A GET answers {"session": {...}}, so a PUT takes
// that envelope as well as the bare object, for every resource, and a PATCH
// takes its patch in the same envelope.
func TestGetBodySentBackAsIs(t *testing.T) {
	ta := newTestAPI(t)
	uid := ta.seed(t)
	ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/series/debates/posts",
		body: `{"id": "welcome", "title": "Welcome", "published": "2021-11-01", "session": "smart-cities"}`})
	people := ta.must(t, http.StatusOK, req{method: "GET", path: "/api/v1/people"})["people"].([]any)
	person := fmt.Sprintf("/api/v1/people/%d", int64(people[0].(map[string]any)["id"].(float64)))

	tests := []struct {
		path, key, field, value string
	}{
		{"/api/v1/series/debates", "series", "title", "Debates, edited"},
		{"/api/v1/sessions/" + uid, "session", "title", "Smart Cities, edited"},
		{"/api/v1/series/debates/sessions/smart-cities", "session", "venue", "Hall 9"},
		{"/api/v1/series/debates/posts/welcome", "post", "title", "Welcome, edited"},
		{person, "person", "affiliation", "Barcelona"},
	}
	for _, tt := range tests {
		t.Run(tt.key+" "+tt.path, func(t *testing.T) {
			got := ta.do(t, req{method: "GET", path: tt.path, token: readToken}).Body.Bytes()

			// Sent back unchanged, envelope and all: nothing changes.
			out := ta.must(t, http.StatusOK, req{method: "PUT", path: tt.path, body: string(got)})
			if c := out["changed"].([]any); len(c) != 0 {
				t.Errorf("PUT of the GET body as it came changed %v", c)
			}

			// Edited inside the envelope.
			var m map[string]map[string]any
			if err := json.Unmarshal(got, &m); err != nil {
				t.Fatal(err)
			}
			m[tt.key][tt.field] = tt.value
			edited, _ := json.Marshal(m)
			out = ta.must(t, http.StatusOK, req{method: "PUT", path: tt.path, body: string(edited)})
			if v := obj(t, out, tt.key)[tt.field]; v != tt.value {
				t.Errorf("PUT in the envelope: %s = %v, want %q", tt.field, v, tt.value)
			}

			// A patch in the envelope.
			out = ta.must(t, http.StatusOK, req{method: "PATCH", path: tt.path,
				body: fmt.Sprintf(`{%q: {%q: %q}}`, tt.key, tt.field, tt.value+" again")})
			if v := obj(t, out, tt.key)[tt.field]; v != tt.value+" again" {
				t.Errorf("PATCH in the envelope: %s = %v, want %q", tt.field, v, tt.value+" again")
			}

			// The bare object still works.
			bare, _ := json.Marshal(m[tt.key])
			out = ta.must(t, http.StatusOK, req{method: "PUT", path: tt.path, body: string(bare)})
			if v := obj(t, out, tt.key)[tt.field]; v != tt.value {
				t.Errorf("bare PUT: %s = %v, want %q", tt.field, v, tt.value)
			}
		})
	}
}

// TestEnvelopeErrors: anything but the bare object or the one-key envelope
// of the resource is refused as before, and errors inside the envelope
// name the field with its path as sent.
func TestEnvelopeErrors(t *testing.T) {
	ta := newTestAPI(t)
	uid := ta.seed(t)
	tests := []struct {
		name, method, path, body string
		status                   int
		field, msg               string
	}{
		{"another resource's envelope", "PUT", "/api/v1/series/debates", `{"session": {"title": "X"}}`, 400, "session", `unknown field "session"`},
		{"envelope beside other keys", "PUT", "/api/v1/sessions/" + uid, `{"session": {"title": "X"}, "revision": 3}`, 400, "session", `unknown field "session"`},
		{"envelope of a non-object", "PUT", "/api/v1/series/debates", `{"series": "debates"}`, 400, "series", `series: expected an object (the series, as a GET answers it), not a string`},
		{"unknown field inside", "PUT", "/api/v1/sessions/" + uid, `{"session": {"title": "X", "key": "k", "start": "2021-11-17T12:00", "end": "2021-11-17T13:00", "people": [{"nme": "Ada"}]}}`,
			400, "session.people[0].nme", `unknown field "session.people[0].nme"`},
		{"case-folded field inside", "PUT", "/api/v1/series/debates", `{"series": {"TITLE": "X"}}`, 400, "series.TITLE", `did you mean "series.title"?`},
		{"null envelope", "PUT", "/api/v1/sessions/" + uid, `{"session": null}`, 400, "session", `session: expected an object (the session, as a GET answers it), not null`},
		{"patch: null envelope", "PATCH", "/api/v1/sessions/" + uid, `{"session": null}`, 400, "session", `session: expected an object`},
		{"patch: wrong type inside", "PATCH", "/api/v1/series/debates", `{"series": {"title": 5}}`, 400, "series.title", "series.title: expected a string"},
		{"validation inside", "PUT", "/api/v1/sessions/" + uid, `{"session": {"title": "X", "key": "k", "start": "2021-11-17T12:00", "end": "2021-11-17T11:00"}}`,
			422, "session.end", `session.end: "2021-11-17T11:00": expected a time after start`},
		{"wrong type inside", "PUT", "/api/v1/series/debates", `{"series": {"title": 1}}`, 400, "series.title", "expected a string"},
		{"patch: unknown field inside", "PATCH", "/api/v1/series/debates", `{"series": {"titel": "X"}}`, 400, "series.titel", `unknown field "series.titel"`},
		{"patch: read-only field inside", "PATCH", "/api/v1/series/debates", `{"series": {"revision": 9}}`, 422, "series.revision", "read-only"},
		{"patch: envelope beside other keys", "PATCH", "/api/v1/series/debates", `{"series": {"title": "X"}, "title": "Y"}`, 400, "series", `unknown field "series"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := ta.do(t, req{method: tt.method, path: tt.path, token: writeToken, body: tt.body})
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", w.Code, tt.status, w.Body)
			}
			var e errorBody
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
				t.Fatal(err)
			}
			if e.Field != tt.field || !strings.Contains(e.Error, tt.msg) {
				t.Errorf("error %q (field %q); want field %q and %q in the message", e.Error, e.Field, tt.field, tt.msg)
			}
		})
	}
}

// TestZoneSuggestion: the API's 422 for a mistyped zone names the closest
// IANA zone, as the CLI and import files do.
func TestZoneSuggestion(t *testing.T) {
	ta := newTestAPI(t)
	w := ta.do(t, req{method: "POST", path: "/api/v1/series", token: writeToken, body: `{"slug": "x", "title": "X", "zone": "Europe/madrid"}`})
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), `did you mean \"Europe/Madrid\"?`) {
		t.Errorf("status %d, body %s; want 422 suggesting Europe/Madrid", w.Code, w.Body)
	}
}
