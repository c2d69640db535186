package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
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

// blanks are the values an optional field may take to mean "left out":
// "", and white space only (a space, a tab, a no-break space), which the
// server trims to "" as it trims every string, in the API and in an import
// file alike.
var blanks = []struct{ name, json string }{{"empty", `""`}, {"white space", `" \t\u00a0 "`}}

// blankBodiesOf is blankBodies with blank in place of every "".
func blankBodiesOf(blank string) []struct {
	method, path, body string
	status             int
} {
	out := slices.Clone(blankBodies)
	for i := range out {
		out[i].body = strings.ReplaceAll(out[i].body, `""`, blank)
	}
	return out
}

// TestBlankMeansUnset: "" or white space on an optional field is accepted
// and leaves the field unset, so a response leaves it out.
func TestBlankMeansUnset(t *testing.T) {
	for _, blank := range blanks {
		t.Run(blank.name, func(t *testing.T) {
			ta := newTestAPI(t)
			for _, b := range blankBodiesOf(blank.json) {
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
							t.Errorf("GET %s: %s.%s = %q after %s; want it left out", path, key, f, got, blank.json)
						}
					}
					if res["status"] != nil && res["status"] != "confirmed" {
						t.Errorf("GET %s: status %v after %s; want the default, confirmed", path, res["status"], blank.json)
					}
				}
			}
		})
	}
}

// TestImportBlankMeansUnset: an agenda file reads white space on an
// optional field as the field left out, which is what the API and its
// schemas follow.
func TestImportBlankMeansUnset(t *testing.T) {
	ta := newTestAPI(t)
	ta.must(t, http.StatusOK, req{method: "POST", path: "/api/v1/import", header: map[string]string{"Content-Type": "application/yaml"},
		body: "series:\n  slug: imported\n  title: Imported\n  homepage: \"  \"\n  organizer:\n    email: \"\\t\"\n" +
			"sessions:\n  - key: one\n    title: One\n    start: 2021-11-17T12:00\n    end: 2021-11-17T13:00\n    url: \" \"\n    status: \" \"\n"})
	s := obj(t, ta.must(t, http.StatusOK, req{method: "GET", path: "/api/v1/series/imported", token: readToken}), "series")
	if _, ok := s["homepage"]; ok {
		t.Errorf("imported series: homepage %q; want none", s["homepage"])
	}
	if _, ok := s["organizer"]; ok {
		t.Errorf("imported series: organizer %v; want none", s["organizer"])
	}
	sess := obj(t, ta.must(t, http.StatusOK, req{method: "GET", path: "/api/v1/series/imported/sessions/one", token: readToken}), "session")
	if _, ok := sess["url"]; ok || sess["status"] != "confirmed" {
		t.Errorf("imported session: url %v, status %v; want no url, confirmed", sess["url"], sess["status"])
	}
}

// TestOpenAPIAcceptsBlank: the request schemas accept the "" and white
// space the API accepts, while the responses stay strict (they never
// carry either).
func TestOpenAPIAcceptsBlank(t *testing.T) {
	for _, blank := range blanks {
		t.Run(blank.name, func(t *testing.T) {
			tr := &traffic{t: t, ta: newTestAPI(t)}
			for _, b := range blankBodiesOf(blank.json) {
				tr.send(b.status, req{method: b.method, path: b.path, body: b.body}, false)
			}
			checkTraffic(t, tr.log)
		})
	}
}

// TestRequiredRefusesBlank: a required field sent as "" or white space is
// refused by the server (422, as agenda's validation has it) and by the
// request schema alike; before, the schema let "" through.
func TestRequiredRefusesBlank(t *testing.T) {
	for _, blank := range blanks {
		t.Run(blank.name, func(t *testing.T) {
			ta := newTestAPI(t)
			ta.seed(t)
			ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/series/debates/posts", body: `{"id": "welcome", "title": "Welcome", "published": "2021-11-01"}`})
			m := ta.must(t, http.StatusOK, req{method: "GET", path: "/api/v1/people", token: readToken})
			person := "/api/v1/people/" + strconv.FormatFloat(m["people"].([]any)[0].(map[string]any)["id"].(float64), 'f', -1, 64)
			tr := &traffic{t: t, ta: ta}
			b := blank.json
			for _, q := range []req{
				{method: "POST", path: "/api/v1/series", body: `{"slug": "x", "title": ` + b + `}`},
				{method: "PUT", path: "/api/v1/series/debates", body: `{"title": ` + b + `}`},
				{method: "PATCH", path: "/api/v1/series/debates", body: `{"title": ` + b + `}`},
				{method: "POST", path: "/api/v1/series/debates/sessions", body: `{"key": ` + b + `, "title": "T", "start": "2021-11-17T12:00", "end": "2021-11-17T13:00"}`},
				{method: "POST", path: "/api/v1/series/debates/sessions", body: `{"key": "k", "title": ` + b + `, "start": "2021-11-17T12:00", "end": "2021-11-17T13:00"}`},
				{method: "POST", path: "/api/v1/series/debates/sessions", body: `{"key": "k", "title": "T", "start": "2021-11-17T12:00", "end": "2021-11-17T13:00", "people": [{"name": ` + b + `}]}`},
				{method: "PATCH", path: "/api/v1/series/debates/sessions/smart-cities", body: `{"title": ` + b + `}`},
				{method: "POST", path: "/api/v1/series/debates/posts", body: `{"id": ` + b + `, "title": "T", "published": "2021-11-01"}`},
				{method: "POST", path: "/api/v1/series/debates/posts", body: `{"id": "q", "title": ` + b + `, "published": "2021-11-01"}`},
				{method: "POST", path: "/api/v1/series/debates/posts", body: `{"id": "q", "title": "T", "published": ` + b + `}`},
				{method: "PATCH", path: "/api/v1/series/debates/posts/welcome", body: `{"published": ` + b + `}`},
				{method: "POST", path: "/api/v1/people", body: `{"name": ` + b + `}`},
				{method: "PATCH", path: person, body: `{"name": ` + b + `}`},
			} {
				tr.send(http.StatusUnprocessableEntity, q, true)
			}
			checkTraffic(t, tr.log)
		})
	}
}
