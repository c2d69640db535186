package api

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"testing"
)

// TestEnvelopeErrorPaths: docs/api.md says errors inside an envelope name
// the field with its path as sent. Every kind of error that names a field
// (unknown, read-only, wrong type, validation, a null envelope), from
// every step that raises one, for every resource and every method with a
// body, names it as the bare body would, under the envelope when the body
// came in one.
func TestEnvelopeErrorPaths(t *testing.T) {
	ta := newTestAPI(t)
	uid := ta.seed(t)
	ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/series/debates/posts",
		body: `{"id": "welcome", "title": "Welcome", "published": "2021-11-01"}`})
	people := ta.must(t, http.StatusOK, req{method: "GET", path: "/api/v1/people"})["people"].([]any)
	person := fmt.Sprintf("/api/v1/people/%d", int64(people[0].(map[string]any)["id"].(float64)))

	type kind struct {
		name   string
		fields map[string]any
		status int
		field  string // as named in a bare body
		msg    string // %s: the field as named
	}
	resources := []struct {
		envelope, collection, one string
		create, replace           map[string]any // valid bodies that the kinds' fields change
		kinds                     []kind
	}{
		{"series", "/api/v1/series", "/api/v1/series/debates",
			map[string]any{"slug": "new", "title": "New"}, map[string]any{"title": "Debates"},
			[]kind{
				{"unknown", map[string]any{"titel": "X"}, 400, "titel", `unknown field "%s"`},
				{"case-folded", map[string]any{"organizer": map[string]any{"EMAIL": "a@example.org"}}, 400, "organizer.EMAIL", `unknown field "%s"`},
				{"read-only", map[string]any{"revision": 9}, 422, "revision", "%s: is read-only"},
				{"type", map[string]any{"title": 5}, 400, "title", "%s: expected a string, not a number"},
				{"nested type", map[string]any{"organizer": map[string]any{"email": 5}}, 400, "organizer.email", "%s: expected a string"},
				{"validation", map[string]any{"zone": "Nowhere/X"}, 422, "zone", `%s: "Nowhere/X": expected an IANA time zone`},
				{"nested validation", map[string]any{"organizer": map[string]any{"email": "bad"}}, 422, "organizer.email", `%s: "bad": expected`},
				{"required", map[string]any{"title": " "}, 422, "title", `%s: "": required`},
			}},
		{"session", "/api/v1/series/debates/sessions", "/api/v1/series/debates/sessions/smart-cities",
			map[string]any{"key": "new", "title": "New", "start": "2021-11-18T12:00", "end": "2021-11-18T13:00"},
			map[string]any{"title": "Smart Cities", "start": "2021-11-17T12:00", "end": "2021-11-17T13:30"},
			[]kind{
				{"unknown", map[string]any{"people": []any{map[string]any{"name": "Ada", "nme": "Ada"}}}, 400, "people[0].nme", `unknown field "%s"`},
				{"read-only", map[string]any{"sequence": 9}, 422, "sequence", "%s: is read-only"},
				{"type", map[string]any{"all_day": "yes"}, 400, "all_day", "%s: expected true or false, not a string"},
				{"validation", map[string]any{"end": "2021-11-01T11:00"}, 422, "end", `%s: "2021-11-01T11:00": expected a time after`},
				{"list validation", map[string]any{"people": []any{map[string]any{"name": ""}}}, 422, "people[0].name", `%s: "": required`},
			}},
		{"session", "/api/v1/sessions", "/api/v1/sessions/" + uid,
			map[string]any{"series": "debates", "key": "new2", "title": "New", "start": "2021-11-18T12:00", "end": "2021-11-18T13:00"},
			map[string]any{"title": "Smart Cities", "key": "smart-cities", "start": "2021-11-17T12:00", "end": "2021-11-17T13:30"},
			[]kind{
				{"type", map[string]any{"tags": "x"}, 400, "tags", "%s: expected a list, not a string"},
				{"validation", map[string]any{"online_url": "nope"}, 422, "online_url", `%s: "nope": expected`},
			}},
		{"post", "/api/v1/series/debates/posts", "/api/v1/series/debates/posts/welcome",
			map[string]any{"id": "new", "title": "New", "published": "2021-11-02"}, map[string]any{"title": "Welcome", "published": "2021-11-01"},
			[]kind{
				{"unknown", map[string]any{"titel": "X"}, 400, "titel", `unknown field "%s"`},
				{"read-only", map[string]any{"version": 9}, 422, "version", "%s: is read-only"},
				{"type", map[string]any{"title": []any{}}, 400, "title", "%s: expected a string, not a list"},
				{"validation", map[string]any{"published": "bad"}, 422, "published", `%s: "bad": expected`},
			}},
		{"person", "/api/v1/people", person,
			map[string]any{"name": "Someone New"}, map[string]any{"name": "Ada Colau"},
			[]kind{
				{"unknown", map[string]any{"nme": "X"}, 400, "nme", `unknown field "%s"`},
				{"read-only", map[string]any{"id": 9}, 422, "id", "%s: is read-only"},
				{"type", map[string]any{"affiliation": true}, 400, "affiliation", "%s: expected a string, not true or false"},
				{"validation", map[string]any{"url": "notaurl"}, 422, "url", `%s: "notaurl": expected`},
			}},
	}
	check := func(t *testing.T, method, path, body string, status int, field, msg string) {
		t.Helper()
		w := ta.do(t, req{method: method, path: path, token: writeToken, body: body})
		var e errorBody
		if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
			t.Fatalf("%s %s: %v; body %s", method, body, err, w.Body)
		}
		if w.Code != status || e.Field != field || !strings.Contains(e.Error, msg) {
			t.Errorf("%s %s:\n got %d, field %q, %q\nwant %d, field %q, containing %q", method, body, w.Code, e.Field, e.Error, status, field, msg)
		}
	}
	for _, rs := range resources {
		for _, method := range []string{"POST", "PUT", "PATCH"} {
			path := rs.one
			if method == "POST" {
				path = rs.collection
			}
			t.Run(method+" "+path, func(t *testing.T) {
				for _, k := range rs.kinds {
					if k.name == "read-only" && method != "PATCH" {
						continue // accepted and ignored, so that a GET body can be sent back
					}
					body := map[string]any{}
					switch method {
					case "POST":
						maps.Copy(body, rs.create)
					case "PUT":
						maps.Copy(body, rs.replace)
					}
					maps.Copy(body, k.fields)
					bare := mustJSON(t, body)
					check(t, method, path, bare, k.status, k.field, fmt.Sprintf(k.msg, k.field))
					sent := rs.envelope + "." + k.field
					check(t, method, path, fmt.Sprintf(`{%q: %s}`, rs.envelope, bare), k.status, sent, fmt.Sprintf(k.msg, sent))
				}
				for _, v := range []string{"null", `"x"`, "[]"} {
					check(t, method, path, fmt.Sprintf(`{%q: %s}`, rs.envelope, v), 400, rs.envelope, rs.envelope+": expected an object")
				}
			})
		}
	}
}
