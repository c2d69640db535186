package api

import (
	"net/http"
	"strings"
	"testing"
)

// TestCreateLocation: every write that creates answers 201 with a Location
// that a GET resolves to the resource created, with the same ETag.
func TestCreateLocation(t *testing.T) {
	ta := newTestAPI(t)
	for _, tc := range []struct {
		name, path, body, key string
	}{
		{"series", "/api/v1/series", seriesBody, "series"},
		{"session", "/api/v1/sessions", sessionBody, "session"},
		{"session in series", "/api/v1/series/debates/sessions", `{"key": "expo", "title": "Expo", "all_day": true, "start_date": "2021-11-18", "end_date": "2021-11-18"}`, "session"},
		{"post", "/api/v1/series/debates/posts", `{"id": "welcome", "title": "Welcome", "published": "2021-11-01"}`, "post"},
		{"person", "/api/v1/people", `{"name": "Emilia Saiz"}`, "person"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := ta.do(t, req{method: "POST", path: tc.path, token: writeToken, body: tc.body})
			loc := w.Header().Get("Location")
			if w.Code != http.StatusCreated || !strings.HasPrefix(loc, Prefix+"/") {
				t.Fatalf("POST %s: %d, Location %q; want 201 and the new resource's path\n%s", tc.path, w.Code, loc, w.Body)
			}
			g := ta.do(t, req{method: "GET", path: loc, token: readToken})
			if g.Code != http.StatusOK || g.Header().Get("ETag") != w.Header().Get("ETag") {
				t.Errorf("GET %s (the Location): %d, ETag %q; want 200, %q", loc, g.Code, g.Header().Get("ETag"), w.Header().Get("ETag"))
			}
		})
	}
}

// TestReplaceNeverCreates: PUT and PATCH change an existing resource only;
// on a missing one they answer 404, saying which POST creates it, and
// create nothing, so a create always answers 201 with its Location.
func TestReplaceNeverCreates(t *testing.T) {
	ta := newTestAPI(t)
	ta.seed(t)
	for _, tc := range []struct {
		method, path, body, create string
	}{
		{"PUT", "/api/v1/series/nope", `{"title": "Nope"}`, "POST /api/v1/series"},
		{"PATCH", "/api/v1/series/nope", `{"title": "Nope"}`, "POST /api/v1/series"},
		{"PUT", "/api/v1/sessions/nope@test.example", `{"series": "debates", "key": "nope", "title": "Nope", "start": "2021-11-17T12:00", "end": "2021-11-17T13:00"}`, "POST /api/v1/sessions"},
		{"PUT", "/api/v1/series/debates/sessions/nope", `{"title": "Nope", "start": "2021-11-17T12:00", "end": "2021-11-17T13:00"}`, "POST /api/v1/series/debates/sessions"},
		{"PATCH", "/api/v1/series/debates/sessions/nope", `{"title": "Nope"}`, "POST /api/v1/series/debates/sessions"},
		{"PUT", "/api/v1/series/debates/posts/nope", `{"title": "Nope", "published": "2021-11-01"}`, "POST /api/v1/series/debates/posts"},
		{"PATCH", "/api/v1/series/debates/posts/nope", `{"title": "Nope"}`, "POST /api/v1/series/debates/posts"},
		{"PUT", "/api/v1/people/999", `{"name": "Nope"}`, "POST /api/v1/people"},
		{"PATCH", "/api/v1/people/999", `{"name": "Nope"}`, "POST /api/v1/people"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			before := ta.counter(t)
			m := ta.must(t, http.StatusNotFound, req{method: tc.method, path: tc.path, body: tc.body})
			if msg, _ := m["error"].(string); !strings.Contains(msg, "create it with "+tc.create) {
				t.Errorf("error = %q; want it to name %s", msg, tc.create)
			}
			if after := ta.counter(t); after != before {
				t.Errorf("change counter %d -> %d: a refused %s wrote", before, after, tc.method)
			}
		})
	}
}

// Under a series that does not exist, a PUT or PATCH gets the series' 404,
// without naming a POST that would fail the same way.
func TestWriteUnderMissingSeries(t *testing.T) {
	ta := newTestAPI(t)
	ta.seed(t)
	for _, tc := range []struct{ method, path, body string }{
		{"PUT", "/api/v1/series/nope/sessions/k1", `{"title": "Nope", "start": "2021-11-17T12:00", "end": "2021-11-17T13:00"}`},
		{"PATCH", "/api/v1/series/nope/sessions/k1", `{"title": "Nope"}`},
		{"PUT", "/api/v1/series/nope/posts/p1", `{"title": "Nope", "published": "2021-11-01"}`},
		{"PATCH", "/api/v1/series/nope/posts/p1", `{"title": "Nope"}`},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			m := ta.must(t, http.StatusNotFound, req{method: tc.method, path: tc.path, body: tc.body})
			msg, _ := m["error"].(string)
			if !strings.Contains(msg, `series "nope"`) || strings.Contains(msg, "POST") {
				t.Errorf("error = %q; want the series' 404 and no POST to try", msg)
			}
		})
	}
}
