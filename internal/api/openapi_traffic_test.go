package api

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/agendafeed/agendafeed/internal/realclient"
)

// exchange is one request the API answered, for checking against
// openapi.json.
type exchange struct {
	q          req
	refused    bool // the request body is one the server refuses, so its schema must too
	status     int
	header     http.Header
	body       []byte
	opKey      string // "METHOD path" of the route that served it
	wantStatus int
}

// schemaCheck is one instance to validate against one schema of the
// document; see testdata/validate_openapi.py.
type schemaCheck struct {
	What     string `json:"what"`
	Ref      string `json:"ref,omitempty"`    // a schema in the document
	Schema   any    `json:"schema,omitempty"` // or one given inline (a header's)
	Instance any    `json:"instance"`
	Valid    bool   `json:"valid"`
}

// traffic records exchanges with one test API.
type traffic struct {
	t   *testing.T
	ta  *testAPI
	log []exchange
}

func (tr *traffic) send(want int, q req, refused bool) *exchange {
	tr.t.Helper()
	if q.token == "" {
		q.token = writeToken
	}
	w := tr.ta.do(tr.t, q)
	if w.Code != want {
		tr.t.Fatalf("%s %s: status %d, want %d; body:\n%s", q.method, q.path, w.Code, want, w.Body.String())
	}
	_, pattern := tr.ta.h.(*API).mux.Handler(httptest.NewRequest(q.method, q.path, nil))
	tr.log = append(tr.log, exchange{q: q, refused: refused, status: w.Code, header: w.Header(), body: w.Body.Bytes(), opKey: pattern})
	return &tr.log[len(tr.log)-1]
}

func (tr *traffic) ok(want int, q req) map[string]any {
	tr.t.Helper()
	x := tr.send(want, q, false)
	var m map[string]any
	if len(x.body) > 0 {
		if err := json.Unmarshal(x.body, &m); err != nil {
			tr.t.Fatalf("%s %s: %v", q.method, q.path, err)
		}
	}
	return m
}

// TestOpenAPIDescribesTraffic validates real requests and responses against
// openapi.json: each request body against its operation's request schema,
// each response body against the schema documented for its status, and the
// Location, ETag and Retry-After headers against those documented. Bodies
// the server refuses (a patch of a read-only field) must be refused by the
// schema too. The JSON Schema validation is Python's jsonschema (Debian:
// python3-jsonschema); it skips without it, unless CI=true.
func TestOpenAPIDescribesTraffic(t *testing.T) {
	tr := &traffic{t: t, ta: newTestAPI(t)}
	get := func(path string) req { return req{method: "GET", path: path, token: readToken} }

	// Series: create, read, conditional read, round trip, replace, patch.
	tr.ok(201, req{method: "POST", path: "/api/v1/series", body: seriesBody})
	g := tr.send(200, get("/api/v1/series/debates"), false)
	tr.send(304, req{method: "GET", path: "/api/v1/series/debates", token: readToken, header: map[string]string{"If-None-Match": g.header.Get("ETag")}}, false)
	roundTrip(tr, "/api/v1/series/debates", "series", g.body)
	tr.ok(200, req{method: "PUT", path: "/api/v1/series/debates", body: `{"title": "Debates", "zone": "America/New_York", "reminders": ["15m"], "homepage": "https://example.org/"}`})
	tr.ok(200, req{method: "PATCH", path: "/api/v1/series/debates", body: `{"description": "About cities.", "organizer": {"email": "x@example.org"}, "reminders": ["1h"]}`})
	tr.ok(200, req{method: "PATCH", path: "/api/v1/series/debates", body: `{"homepage": null, "organizer": {"name": null}, "reminders": null}`})
	tr.send(422, req{method: "PATCH", path: "/api/v1/series/debates", body: `{"slug": "e2", "title": "X"}`}, true)
	tr.send(422, req{method: "PATCH", path: "/api/v1/series/debates", body: `{"title": null}`}, true)
	tr.ok(200, req{method: "PATCH", path: "/api/v1/series/debates", body: `{"series": {"description": "In an envelope."}}`})
	tr.send(400, req{method: "PATCH", path: "/api/v1/series/debates", body: `{"series": {"description": "X"}, "title": "Y"}`}, true)
	tr.send(400, req{method: "PUT", path: "/api/v1/series/debates", body: `{"session": {"title": "X"}}`}, true)
	notModified := func(path string) {
		tr.t.Helper()
		g := tr.send(200, get(path), false)
		tr.send(304, req{method: "GET", path: path, token: readToken, header: map[string]string{"If-None-Match": g.header.Get("ETag")}}, false)
	}
	notModified("/api/v1/series")
	notModified("/api/v1/openapi.json")

	// Sessions: timed and all-day, both URL forms, patch, replace, cancel.
	m := tr.ok(201, req{method: "POST", path: "/api/v1/sessions", body: sessionBody})
	uid, _ := obj(t, m, "session")["uid"].(string)
	tr.ok(201, req{method: "POST", path: "/api/v1/series/debates/sessions",
		body: `{"key": "expo", "title": "Expo", "all_day": true, "start_date": "2021-11-18", "end_date": "2021-11-19", "online_url": "https://example.org/live"}`})
	g = tr.send(200, get("/api/v1/series/debates/sessions/smart-cities"), false)
	tr.send(304, req{method: "GET", path: "/api/v1/series/debates/sessions/smart-cities", token: readToken, header: map[string]string{"If-None-Match": g.header.Get("ETag")}}, false)
	roundTrip(tr, "/api/v1/series/debates/sessions/smart-cities", "session", g.body)
	roundTrip(tr, "/api/v1/series/debates/sessions/expo", "session", tr.send(200, get("/api/v1/series/debates/sessions/expo"), false).body)
	tr.ok(200, req{method: "PATCH", path: "/api/v1/series/debates/sessions/smart-cities", body: `{"venue": "Hall 2"}`})
	tr.ok(200, req{method: "PATCH", path: "/api/v1/series/debates/sessions/expo", body: `{"online_url": null, "status": null, "tags": null}`})
	tr.ok(200, req{method: "PUT", path: "/api/v1/sessions/" + uid, body: `{"title": "Smart Cities", "start": "2021-11-17T12:00", "end": "2021-11-17T14:00",
		"people": [{"name": "Ada Colau", "affiliation": "Mayor of Barcelona", "url": "https://example.org/ada"}]}`})
	tr.ok(200, req{method: "PATCH", path: "/api/v1/sessions/" + uid, body: `{"key": "smart"}`})
	tr.send(422, req{method: "PATCH", path: "/api/v1/sessions/" + uid, body: `{"uid": "other@example.org"}`}, true)
	tr.send(422, req{method: "PATCH", path: "/api/v1/sessions/" + uid, body: `{"key": null}`}, true)
	tr.send(200, get("/api/v1/sessions/"+uid), false)
	notModified("/api/v1/sessions?series=debates")
	notModified("/api/v1/series/debates/sessions")
	tr.ok(200, req{method: "POST", path: "/api/v1/series/debates/sessions/expo/cancel"})

	// Posts.
	tr.ok(201, req{method: "POST", path: "/api/v1/series/debates/posts",
		body: `{"id": "welcome", "title": "Welcome", "published": "2021-11-01", "body": "Hello *world*", "session": "smart", "url": "https://example.org/welcome"}`})
	g = tr.send(200, get("/api/v1/series/debates/posts/welcome"), false)
	roundTrip(tr, "/api/v1/series/debates/posts/welcome", "post", g.body)
	tr.ok(200, req{method: "PATCH", path: "/api/v1/series/debates/posts/welcome", body: `{"summary": "Short.", "url": null, "session": null}`})
	tr.send(422, req{method: "PATCH", path: "/api/v1/series/debates/posts/welcome", body: `{"id": "other"}`}, true)
	tr.send(422, req{method: "PATCH", path: "/api/v1/series/debates/posts/welcome", body: `{"published": null}`}, true)
	tr.ok(200, req{method: "PUT", path: "/api/v1/series/debates/posts/welcome", body: `{"title": "Welcome!", "published": "2021-11-01T10:00:00+01:00"}`})
	notModified("/api/v1/series/debates/posts")

	// People.
	notModified("/api/v1/people?limit=1")
	m = tr.ok(200, get("/api/v1/people"))
	people, _ := m["people"].([]any)
	if len(people) == 0 {
		t.Fatalf("people = %v", m)
	}
	person := fmt.Sprintf("/api/v1/people/%d", int64(people[0].(map[string]any)["id"].(float64)))
	g = tr.send(200, get(person), false)
	roundTrip(tr, person, "person", g.body)
	tr.ok(200, req{method: "PATCH", path: person, body: `{"url": "https://example.org/ada"}`})
	tr.ok(200, req{method: "PATCH", path: person, body: `{"affiliation": null}`})
	tr.send(422, req{method: "PATCH", path: person, body: `{"id": 7}`}, true)
	tr.send(422, req{method: "PATCH", path: person, body: `{"name": null}`}, true)
	tr.ok(200, req{method: "PUT", path: person, body: `{"name": "Ada Colau"}`})
	tr.ok(201, req{method: "POST", path: "/api/v1/people", body: `{"name": "Emilia Saiz", "affiliation": "UCLG"}`})

	// An import.
	tr.ok(200, req{method: "POST", path: "/api/v1/import", header: map[string]string{"Content-Type": "application/yaml"},
		body: "series:\n  slug: imported\n  title: Imported\nsessions:\n  - key: one\n    title: One\n    start: 2021-11-17T12:00\n    end: 2021-11-17T13:00\n"})

	// Errors.
	tr.send(404, get("/api/v1/series/nope"), false)
	tr.send(401, req{method: "GET", path: "/api/v1/series", token: "af_unknown"}, false)
	tr.send(403, req{method: "POST", path: "/api/v1/people", token: readToken, body: `{"name": "X"}`}, false)
	tr.send(422, req{method: "POST", path: "/api/v1/series", body: `{"slug": "x"}`}, true)
	tr.send(422, req{method: "POST", path: "/api/v1/series", body: `{"slug": "x", "title": "X", "zone": "Mars/Olympus"}`}, false)
	tr.send(400, req{method: "POST", path: "/api/v1/series", body: `{"slug": "x", "title": 1}`}, true)
	tr.send(409, req{method: "POST", path: "/api/v1/series", body: seriesBody}, false)
	tr.send(412, req{method: "PATCH", path: "/api/v1/series/debates", header: map[string]string{"If-Match": `"r-1"`}, body: `{"title": "Y"}`}, false)
	tr.send(422, req{method: "POST", path: "/api/v1/import", header: map[string]string{"Content-Type": "application/yaml"},
		body: "series:\n  slug: bad\n  title: Bad\nsessions:\n  - key: one\n    title: One\n    start: 2021-11-17T12:00\n    end: 2021-11-17T11:00\n"}, false)

	// Deletes.
	tr.ok(200, req{method: "DELETE", path: "/api/v1/series/debates/posts/welcome"})
	tr.ok(200, req{method: "DELETE", path: "/api/v1/sessions/" + uid})
	tr.ok(200, req{method: "DELETE", path: "/api/v1/series/debates"})

	tr.log = append(tr.log, busyExchange(t))
	checkTraffic(t, tr.log)
}

// roundTrip sends a GET body's resource back as a PUT, which must change
// nothing, as docs/api.md promises.
func roundTrip(tr *traffic, path, key string, got []byte) {
	tr.t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(got, &m); err != nil {
		tr.t.Fatal(err)
	}
	out := tr.ok(200, req{method: "PUT", path: path, body: string(m[key])})
	var before map[string]any
	if err := json.Unmarshal(got, &before); err != nil {
		tr.t.Fatal(err)
	}
	if b, a := mustJSON(tr.t, before[key]), mustJSON(tr.t, out[key]); b != a {
		tr.t.Errorf("PUT %s of its own GET body changed it:\n before %s\n after  %s", path, b, a)
	}
	if c, ok := out["changed"].([]any); ok && len(c) != 0 {
		tr.t.Errorf("PUT %s of its own GET body changed %v", path, c)
	}
	// And the GET body whole, in its envelope, as the document says a
	// request body may be.
	out = tr.ok(200, req{method: "PUT", path: path, body: string(got)})
	if c, ok := out["changed"].([]any); ok && len(c) != 0 {
		tr.t.Errorf("PUT %s of its own GET body, envelope and all, changed %v", path, c)
	}
}

// busyExchange is a write that meets a database another connection holds
// locked: 503 with Retry-After.
func busyExchange(t *testing.T) exchange {
	tr := &traffic{t: t, ta: lockedAPI(t)}
	return *tr.send(503, req{method: "POST", path: "/api/v1/series", body: seriesBody}, false)
}

// checkTraffic checks statuses, headers and content types in Go, and hands
// the bodies to testdata/validate_openapi.py for the schemas.
func checkTraffic(t *testing.T, log []exchange) {
	var doc map[string]any
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	var checks []schemaCheck
	for _, x := range log {
		what := fmt.Sprintf("%s %s -> %d", x.q.method, x.q.path, x.status)
		method, path, _ := strings.Cut(x.opKey, " ")
		op, _ := dig(doc, "paths", path, strings.ToLower(method)).(map[string]any)
		if op == nil {
			t.Errorf("%s: no operation %s in openapi.json", what, x.opKey)
			continue
		}
		if x.q.body != "" && x.status != http.StatusForbidden {
			ct := x.q.header["Content-Type"]
			if ct == "" {
				ct = "application/json"
				if x.q.method == http.MethodPatch {
					ct = "application/merge-patch+json"
				}
			}
			media, _ := dig(op, "requestBody", "content", ct).(map[string]any)
			switch {
			case media == nil:
				t.Errorf("%s: request Content-Type %s is not documented", what, ct)
			case media["schema"] != nil:
				var inst any
				if err := json.Unmarshal([]byte(x.q.body), &inst); err != nil {
					t.Fatalf("%s: request body: %v", what, err)
				}
				checks = append(checks, schemaCheck{What: what + " request", Ref: refOf(t, doc, media["schema"]), Instance: inst, Valid: !x.refused})
			}
		}
		resp, explicit := dig(op, "responses", fmt.Sprint(x.status)).(map[string]any)
		if resp == nil {
			resp, _ = dig(op, "responses", "default").(map[string]any)
		}
		if x.status < 400 || x.status == http.StatusServiceUnavailable {
			if !explicit {
				t.Errorf("%s: status %d is not documented for %s", what, x.status, x.opKey)
			}
		}
		resp = deref(t, doc, resp)
		headers, _ := resp["headers"].(map[string]any)
		for _, h := range []string{"Location", "ETag", "Retry-After"} {
			if x.header.Get(h) != "" && headers[h] == nil {
				t.Errorf("%s: sends %s, not documented for %d", what, h, x.status)
			}
		}
		for h, spec := range headers {
			v := x.header.Get(h)
			if req, _ := dig(spec, "required").(bool); req && v == "" {
				t.Errorf("%s: documents header %s as always sent; it is not", what, h)
			}
			if v != "" {
				checks = append(checks, schemaCheck{What: what + " header " + h, Schema: dig(spec, "schema"), Instance: headerValue(v, dig(spec, "schema")), Valid: true})
			}
		}
		if len(x.body) == 0 {
			if content := resp["content"]; content != nil && x.status != http.StatusNotModified {
				t.Errorf("%s: empty body, documented with content", what)
			}
			continue
		}
		mt, _, _ := mime.ParseMediaType(x.header.Get("Content-Type"))
		media, _ := dig(resp, "content", mt).(map[string]any)
		if media == nil {
			t.Errorf("%s: response Content-Type %q is not documented", what, x.header.Get("Content-Type"))
			continue
		}
		if media["schema"] == nil {
			continue // the OpenAPI document, which has no schema of its own here
		}
		var inst any
		if err := json.Unmarshal(x.body, &inst); err != nil {
			t.Fatalf("%s: response body: %v", what, err)
		}
		checks = append(checks, schemaCheck{What: what + " response", Ref: refOf(t, doc, media["schema"]), Instance: inst, Valid: true})
	}
	validateSchemas(t, doc, checks)
}

// validateSchemas runs the JSON Schema checks in Python's jsonschema.
func validateSchemas(t *testing.T, doc map[string]any, checks []schemaCheck) {
	python := realclient.Python(t, "jsonschema")
	in, err := json.Marshal(map[string]any{"doc": doc, "checks": checks})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "checks.json")
	if err := os.WriteFile(file, in, 0o644); err != nil {
		t.Fatal(err)
	}
	realclient.Run(t, realclient.Script{What: "jsonschema check of the API traffic against openapi.json", Install: "apt-get install python3-jsonschema",
		Args: []string{python, filepath.Join("testdata", "validate_openapi.py"), file}})
	t.Logf("%d bodies validated against openapi.json", len(checks))
}

// headerValue is a header's value as OpenAPI's simple style reads it for
// the schema: a number where the schema is an integer and the text is one.
func headerValue(v string, schema any) any {
	if dig(schema, "type") == "integer" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	return v
}

// dig walks decoded JSON objects by key; nil if a key is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// deref follows a "$ref" to a component in the document.
func deref(t *testing.T, doc map[string]any, v map[string]any) map[string]any {
	t.Helper()
	ref, ok := v["$ref"].(string)
	if !ok {
		return v
	}
	target, _ := dig(doc, strings.Split(strings.TrimPrefix(ref, "#/"), "/")...).(map[string]any)
	if target == nil {
		t.Fatalf("openapi.json: dangling $ref %s", ref)
	}
	return target
}

// refOf is the "$ref" of an operation's schema; the generator refers to
// named components only.
func refOf(t *testing.T, doc map[string]any, schema any) string {
	t.Helper()
	ref, _ := dig(schema, "$ref").(string)
	if ref == "" {
		t.Fatalf("openapi.json: an inline schema where a component reference was expected: %v", schema)
	}
	deref(t, doc, map[string]any{"$ref": ref})
	return ref
}
