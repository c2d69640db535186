package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestNotFoundNamesWhatTheClientAddressed: every 404 of the API names the
// missing resource as the URL addressed it, with no internal prefix such as
// "get post:", and under a series that does not exist, names the series.
func TestNotFoundNamesWhatTheClientAddressed(t *testing.T) {
	ta := newTestAPI(t)
	ta.seed(t)
	const (
		series  = `series "nope" not found`
		put     = "; PUT changes an existing resource only: create it with POST "
		patch   = "; PATCH changes an existing resource only: create it with POST "
		post    = `post "nope" not found in series "debates"`
		session = `session "nope" not found in series "debates"`
		byUID   = `session "nope@x" not found`
	)
	tests := []struct{ method, path, want string }{
		{"GET", "/api/v1/series/nope", series},
		{"PUT", "/api/v1/series/nope", series + put + "/api/v1/series"},
		{"PATCH", "/api/v1/series/nope", series + patch + "/api/v1/series"},
		{"DELETE", "/api/v1/series/nope", series},

		{"GET", "/api/v1/sessions/nope@x", byUID},
		{"PUT", "/api/v1/sessions/nope@x", byUID + put + "/api/v1/sessions"},
		{"PATCH", "/api/v1/sessions/nope@x", byUID + patch + "/api/v1/sessions"},
		{"DELETE", "/api/v1/sessions/nope@x", byUID},
		{"POST", "/api/v1/sessions/nope@x/cancel", byUID},

		{"GET", "/api/v1/series/nope/sessions", series},
		{"POST", "/api/v1/series/nope/sessions", series},
		{"GET", "/api/v1/series/nope/sessions/k", series},
		{"PUT", "/api/v1/series/nope/sessions/k", series},
		{"PATCH", "/api/v1/series/nope/sessions/k", series},
		{"DELETE", "/api/v1/series/nope/sessions/k", series},
		{"POST", "/api/v1/series/nope/sessions/k/cancel", series},
		{"GET", "/api/v1/series/debates/sessions/nope", session},
		{"PUT", "/api/v1/series/debates/sessions/nope", session + put + "/api/v1/series/debates/sessions"},
		{"PATCH", "/api/v1/series/debates/sessions/nope", session + patch + "/api/v1/series/debates/sessions"},
		{"DELETE", "/api/v1/series/debates/sessions/nope", session},
		{"POST", "/api/v1/series/debates/sessions/nope/cancel", session},

		{"GET", "/api/v1/series/nope/posts", series},
		{"POST", "/api/v1/series/nope/posts", series},
		{"GET", "/api/v1/series/nope/posts/p", series},
		{"PUT", "/api/v1/series/nope/posts/p", series},
		{"PATCH", "/api/v1/series/nope/posts/p", series},
		{"DELETE", "/api/v1/series/nope/posts/p", series},
		{"GET", "/api/v1/series/debates/posts/nope", post},
		{"PUT", "/api/v1/series/debates/posts/nope", post + put + "/api/v1/series/debates/posts"},
		{"PATCH", "/api/v1/series/debates/posts/nope", post + patch + "/api/v1/series/debates/posts"},
		{"DELETE", "/api/v1/series/debates/posts/nope", post},

		{"GET", "/api/v1/people/999", `person "999" not found`},
		{"PUT", "/api/v1/people/999", `person "999" not found` + put + "/api/v1/people"},
		{"PATCH", "/api/v1/people/999", `person "999" not found` + patch + "/api/v1/people"},
		{"GET", "/api/v1/people/abc", `person "abc" not found`},
		{"PATCH", "/api/v1/people/abc", `person "abc" not found`},

		{"GET", "/api/v1/nothing", "no such endpoint: GET /api/v1/nothing; see /api/v1/openapi.json"},
	}
	body := func(method, path string) string {
		const when = `, "start": "2021-11-17T12:00", "end": "2021-11-17T13:00"`
		switch {
		case method == "GET" || method == "DELETE" || strings.HasSuffix(path, "/cancel"):
			return ""
		case strings.Contains(path, "/people/"):
			return `{"name": "N"}`
		case method == "PATCH", !strings.Contains(path, "/sessions") && !strings.Contains(path, "/posts"):
			return `{"title": "T"}`
		case strings.Contains(path, "/posts") && method == "POST":
			return `{"id": "p", "title": "T", "published": "2021-11-01"}`
		case strings.Contains(path, "/posts"):
			return `{"title": "T", "published": "2021-11-01"}`
		case method == "POST":
			return `{"key": "k", "title": "T"` + when + `}`
		}
		return `{"title": "T"` + when + `}`
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			w := ta.do(t, req{method: tc.method, path: tc.path, token: writeToken, body: body(tc.method, tc.path)})
			var b errorBody
			if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil || w.Code != http.StatusNotFound {
				t.Fatalf("%d %q (%v); want 404 with a JSON error", w.Code, w.Body, err)
			}
			if b.Error != tc.want {
				t.Errorf("error %q\n want %q", b.Error, tc.want)
			}
			if strings.Contains(b.Error, "get ") || strings.Contains(b.Error, "list ") || strings.Contains(b.Error, ": not found") {
				t.Errorf("error %q carries the store's wording", b.Error)
			}
		})
	}
}
