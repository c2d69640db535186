package api

import (
	"net/http"
	"testing"
)

// blankBodies send "" for every optional field whose schema has a format,
// pattern or enum: the API takes "" as the field left out, as an import
// file does, and the request schemas must say so.
var blankBodies = []struct {
	method, path, body string
	status             int
}{
	{"POST", "/api/v1/series", `{"slug": "blank", "title": "Blank", "description": "", "homepage": "", "zone": "", "language": "",
		"organizer": {"name": "", "email": ""}, "created": "", "updated": ""}`, http.StatusCreated},
	{"PUT", "/api/v1/series/blank", `{"slug": "", "title": "Blank", "homepage": "", "organizer": {"email": ""}}`, http.StatusOK},
	{"PATCH", "/api/v1/series/blank", `{"homepage": "", "organizer": {"email": ""}}`, http.StatusOK},
	{"POST", "/api/v1/series/blank/sessions", `{"key": "one", "title": "One", "start": "2021-11-17T12:00", "end": "2021-11-17T13:00",
		"start_date": "", "end_date": "", "online_url": "", "url": "", "status": "", "uid": "", "series": "",
		"people": [{"name": "Ada", "role": "", "url": "", "affiliation": ""}], "created": "", "updated": ""}`, http.StatusCreated},
	{"PUT", "/api/v1/series/blank/sessions/one", `{"key": "", "title": "One", "start": "2021-11-17T12:00", "end": "2021-11-17T13:00",
		"start_date": "", "online_url": "", "status": "", "people": [{"name": "Ada", "role": "", "url": ""}]}`, http.StatusOK},
	{"PATCH", "/api/v1/series/blank/sessions/one", `{"url": "", "status": "", "end_date": "", "people": [{"name": "Ada", "url": ""}]}`, http.StatusOK},
	{"POST", "/api/v1/series/blank/posts", `{"id": "p", "title": "P", "published": "2021-11-01", "url": "", "updated": "", "session": ""}`, http.StatusCreated},
	{"PUT", "/api/v1/series/blank/posts/p", `{"id": "", "title": "P", "published": "2021-11-01", "url": ""}`, http.StatusOK},
	{"PATCH", "/api/v1/series/blank/posts/p", `{"url": ""}`, http.StatusOK},
	{"POST", "/api/v1/people", `{"name": "Blank Person", "url": "", "affiliation": ""}`, http.StatusCreated},
}

// TestBlankMeansUnset: "" on an optional field is accepted and leaves the
// field unset, so a response leaves it out.
func TestBlankMeansUnset(t *testing.T) {
	ta := newTestAPI(t)
	for _, b := range blankBodies {
		ta.must(t, b.status, req{method: b.method, path: b.path, body: b.body})
	}
	for path, fields := range map[string][]string{
		"/api/v1/series/blank":              {"homepage", "organizer", "description"},
		"/api/v1/series/blank/sessions/one": {"start_date", "end_date", "online_url", "url"},
		"/api/v1/series/blank/posts/p":      {"url", "updated", "session"},
	} {
		m := ta.must(t, http.StatusOK, req{method: "GET", path: path, token: readToken})
		for key, v := range m {
			res, _ := v.(map[string]any)
			for _, f := range fields {
				if got, ok := res[f]; ok {
					t.Errorf("GET %s: %s.%s = %v after \"\"; want it left out", path, key, f, got)
				}
			}
			if res["status"] != nil && res["status"] != "confirmed" {
				t.Errorf("GET %s: status %v after \"\"; want the default, confirmed", path, res["status"])
			}
		}
	}
}

// TestOpenAPIAcceptsBlank: the request schemas accept the "" the API
// accepts, while the responses stay strict (they never carry "").
func TestOpenAPIAcceptsBlank(t *testing.T) {
	tr := &traffic{t: t, ta: newTestAPI(t)}
	for _, b := range blankBodies {
		tr.send(b.status, req{method: b.method, path: b.path, body: b.body}, false)
	}
	checkTraffic(t, tr.log)
}
