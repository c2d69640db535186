package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/agendafeed/agendafeed/config"
)

func TestNewWithoutTokens(t *testing.T) {
	ta := newTestAPI(t)
	h, err := New(Options{Store: ta.db})
	if !errors.Is(err, ErrNoTokens) || h != nil {
		t.Fatalf("New without tokens = %v, %v; want nil, ErrNoTokens", h, err)
	}
	want := "admin API off: no admin_tokens configured; create one with 'agendafeed token NAME' and add it to the config"
	if err.Error() != want {
		t.Errorf("message = %q, want %q", err, want)
	}
	_, err = New(Options{Store: ta.db, Tokens: []config.Token{{Name: "x", SHA256: "nothex", Access: "write"}}})
	if err == nil {
		t.Error("New accepted a token whose sha256 is not hex")
	}
}

func TestSeriesEndpoints(t *testing.T) {
	ta := newTestAPI(t)
	w := ta.do(t, req{method: "POST", path: "/api/v1/series", token: writeToken, body: seriesBody})
	if w.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	if got := w.Header().Get("ETag"); got != `"r-1"` {
		t.Errorf("ETag = %s, want \"r-1\"", got)
	}
	if got := w.Header().Get("Location"); got != "/api/v1/series/debates" {
		t.Errorf("Location = %s", got)
	}
	if ta.triggers.Load() != 1 {
		t.Errorf("triggers = %d after one write, want 1", ta.triggers.Load())
	}
	m := ta.must(t, 200, req{method: "GET", path: "/api/v1/series/debates", token: readToken})
	s := obj(t, m, "series")
	if s["title"] != "Open Policy Debates" || s["revision"] != 1.0 || fmt.Sprint(s["reminders"]) != "[15m 1d]" {
		t.Errorf("series = %v", s)
	}
	// If-None-Match with the current ETag: 304.
	if w := ta.do(t, req{method: "GET", path: "/api/v1/series/debates", token: readToken,
		header: map[string]string{"If-None-Match": `"r-1"`}}); w.Code != http.StatusNotModified {
		t.Errorf("conditional GET = %d, want 304", w.Code)
	}

	// Replace: absent fields take defaults (reminders from the config).
	m = ta.must(t, 200, req{method: "PUT", path: "/api/v1/series/debates", header: map[string]string{"If-Match": `"r-1"`},
		body: `{"title": "Debates", "zone": "America/New_York"}`})
	s = obj(t, m, "series")
	if s["title"] != "Debates" || s["zone"] != "America/New_York" || s["language"] != "en" || fmt.Sprint(s["reminders"]) != "[15m]" || m["revision"] != 2.0 {
		t.Errorf("after PUT: %v", m)
	}
	changed := fmt.Sprint(m["changed"])
	for _, u := range []string{baseURL + "debates/calendar.ics", baseURL + "debates/rss.xml", baseURL + "calendar.ics", baseURL + "feeds.opml"} {
		if !strings.Contains(changed, u) {
			t.Errorf("changed %s lacks %s", changed, u)
		}
	}
	// Patch: only the fields named change; null removes (reminders -> default).
	m = ta.must(t, 200, req{method: "PATCH", path: "/api/v1/series/debates",
		body: `{"description": "About cities.", "organizer": {"email": "x@example.org"}, "reminders": ["1h"]}`})
	s = obj(t, m, "series")
	if s["title"] != "Debates" || s["description"] != "About cities." || fmt.Sprint(s["organizer"]) != "map[email:x@example.org]" || fmt.Sprint(s["reminders"]) != "[1h]" {
		t.Errorf("after PATCH: %v", s)
	}
	// A put that changes nothing keeps the revision and changes no file.
	m = ta.must(t, 200, req{method: "PATCH", path: "/api/v1/series/debates", body: `{"description": "About cities."}`})
	if m["revision"] != 3.0 || fmt.Sprint(m["changed"]) != "[]" {
		t.Errorf("no-op PATCH: revision %v changed %v", m["revision"], m["changed"])
	}

	// Lists page with a next link.
	ta.must(t, 201, req{method: "POST", path: "/api/v1/series", body: `{"slug": "congress", "title": "Congress"}`})
	m = ta.must(t, 200, req{method: "GET", path: "/api/v1/series?limit=1", token: readToken})
	if list := m["series"].([]any); len(list) != 1 || m["next"] != "/api/v1/series?limit=1&offset=1" {
		t.Errorf("page 1: %v", m)
	}
	m = ta.must(t, 200, req{method: "GET", path: "/api/v1/series?limit=1&offset=1", token: readToken})
	if list := m["series"].([]any); len(list) != 1 || m["next"] != nil || list[0].(map[string]any)["slug"] != "debates" {
		t.Errorf("page 2: %v", m)
	}

	m = ta.must(t, 200, req{method: "DELETE", path: "/api/v1/series/congress", header: map[string]string{"If-Match": `"r-1"`}})
	if fmt.Sprint(m["deleted"]) != "map[series:congress]" {
		t.Errorf("delete: %v", m)
	}
	ta.must(t, 404, req{method: "GET", path: "/api/v1/series/congress"})
}

func TestSessionEndpoints(t *testing.T) {
	ta := newTestAPI(t)
	ta.must(t, 201, req{method: "POST", path: "/api/v1/series", body: seriesBody})
	w := ta.do(t, req{method: "POST", path: "/api/v1/sessions", token: writeToken, body: sessionBody})
	if w.Code != 201 {
		t.Fatalf("create session: %d %s", w.Code, w.Body)
	}
	created := w.Header().Get("ETag")
	if !strings.HasPrefix(created, `"s-`) {
		t.Errorf("ETag = %s", created)
	}
	m := ta.must(t, 201, req{method: "POST", path: "/api/v1/series/debates/sessions",
		body: `{"key": "all-day", "title": "Congress day", "all_day": true, "start_date": "2021-11-18", "end_date": "2021-11-18", "status": "tentative"}`})
	if obj(t, m, "session")["series"] != "debates" || m["revision"] != 3.0 {
		t.Errorf("create in series: %v", m)
	}
	m = ta.must(t, 200, req{method: "GET", path: "/api/v1/series/debates/sessions/smart-cities", token: readToken})
	s := obj(t, m, "session")
	uid := s["uid"].(string)
	if !strings.HasSuffix(uid, "@test.example") || s["zone"] != "Europe/Madrid" || fmt.Sprint(s["tags"]) != "[cities smart]" ||
		s["start"] != "2021-11-17T12:00" || s["status"] != "confirmed" || s["sequence"] != 0.0 {
		t.Errorf("session = %v", s)
	}
	byUID := "/api/v1/sessions/" + url.PathEscape(uid)
	ta.must(t, 200, req{method: "GET", path: byUID, token: readToken})
	if got := etagOf(t, ta, byUID); got != created {
		t.Errorf("GET ETag %s, the POST's %s: nothing changed between them", got, created)
	}

	// Filters.
	for _, c := range []struct {
		query string
		keys  string
	}{
		{"", "[smart-cities all-day]"},
		{"?series=debates&status=tentative", "[all-day]"},
		{"?from=2021-11-18", "[all-day]"},
		{"?to=2021-11-17T12:00:00Z", "[smart-cities]"},
		{"?limit=1", "[smart-cities]"},
	} {
		m := ta.must(t, 200, req{method: "GET", path: "/api/v1/sessions" + c.query, token: readToken})
		var keys []string
		for _, x := range m["sessions"].([]any) {
			keys = append(keys, x.(map[string]any)["key"].(string))
		}
		if got := fmt.Sprint(keys); got != c.keys && !(c.keys == "[]" && keys == nil) {
			t.Errorf("sessions%s = %s, want %s", c.query, got, c.keys)
		}
	}
	m = ta.must(t, 200, req{method: "GET", path: "/api/v1/series/debates/sessions?limit=1", token: readToken})
	if m["next"] != "/api/v1/series/debates/sessions?limit=1&offset=1" {
		t.Errorf("next = %v", m["next"])
	}

	// Replace by UID: the body of a GET can go back as a PUT.
	s["venue"] = "Hall 2"
	m = ta.must(t, 200, req{method: "PUT", path: byUID, header: map[string]string{"If-Match": created}, body: mustJSON(t, s)})
	if got := obj(t, m, "session"); got["venue"] != "Hall 2" || got["sequence"] != 1.0 {
		t.Errorf("after PUT: %v", got)
	}
	changed := m["changed"].([]any)
	if !slices.Contains(changed, any(baseURL+"debates/sessions/smart-cities.ics")) || !slices.Contains(changed, any(baseURL+"debates/calendar.ics")) {
		t.Errorf("changed = %v", changed)
	}
	// Patch by key, renaming the key: both session files change.
	m = ta.must(t, 200, req{method: "PATCH", path: "/api/v1/series/debates/sessions/smart-cities",
		header: map[string]string{"If-Match": etagOf(t, ta, byUID)}, body: `{"key": "smart", "venue": null, "people": []}`})
	got := obj(t, m, "session")
	if got["key"] != "smart" || got["venue"] != nil || len(got["people"].([]any)) != 0 || got["uid"] != uid {
		t.Errorf("after PATCH: %v", got)
	}
	if c := fmt.Sprint(m["changed"]); !strings.Contains(c, "sessions/smart.ics") || !strings.Contains(c, "sessions/smart-cities.ics") {
		t.Errorf("changed after rename = %s", c)
	}
	// Cancel by UID, then by key.
	m = ta.must(t, 200, req{method: "POST", path: byUID + "/cancel"})
	if obj(t, m, "session")["status"] != "cancelled" {
		t.Errorf("cancel: %v", m)
	}
	m = ta.must(t, 200, req{method: "POST", path: "/api/v1/series/debates/sessions/all-day/cancel"})
	if obj(t, m, "session")["status"] != "cancelled" {
		t.Errorf("cancel by key: %v", m)
	}
	ta.must(t, 200, req{method: "DELETE", path: "/api/v1/series/debates/sessions/all-day"})
	m = ta.must(t, 200, req{method: "DELETE", path: byUID, header: map[string]string{"If-Match": etagOf(t, ta, byUID)}})
	if fmt.Sprint(obj(t, m, "deleted")["uid"]) != uid {
		t.Errorf("delete: %v", m)
	}
	ta.must(t, 404, req{method: "GET", path: byUID})
}

func TestPostEndpoints(t *testing.T) {
	ta := newTestAPI(t)
	ta.seed(t)
	w := ta.do(t, req{method: "POST", path: "/api/v1/series/debates/posts", token: writeToken,
		body: `{"id": "welcome", "title": "Welcome", "published": "2021-11-01", "session": "smart-cities", "body": "Hello *world*"}`})
	if w.Code != 201 || w.Header().Get("ETag") != `"v-1"` {
		t.Fatalf("create post: %d %s %s", w.Code, w.Header().Get("ETag"), w.Body)
	}
	m := ta.must(t, 200, req{method: "GET", path: "/api/v1/series/debates/posts/welcome", token: readToken})
	p := obj(t, m, "post")
	if p["published"] != "2021-10-31T23:00:00Z" || !strings.Contains(p["body_html"].(string), "<em>world</em>") || p["session_uid"] == "" {
		t.Errorf("post = %v", p)
	}
	m = ta.must(t, 200, req{method: "GET", path: "/api/v1/series/debates/posts", token: readToken})
	if len(m["posts"].([]any)) != 1 {
		t.Errorf("posts = %v", m)
	}
	m = ta.must(t, 200, req{method: "PUT", path: "/api/v1/series/debates/posts/welcome", header: map[string]string{"If-Match": `"v-1"`},
		body: `{"title": "Welcome!", "published": "2021-11-01T10:00:00+01:00"}`})
	if p := obj(t, m, "post"); p["title"] != "Welcome!" || p["session"] != nil || p["version"] != 2.0 {
		t.Errorf("after PUT: %v", p)
	}
	if c := fmt.Sprint(m["changed"]); strings.Contains(c, "calendar.ics") || !strings.Contains(c, "debates/rss.xml") {
		t.Errorf("a post changes feeds, not calendars: %s", c)
	}
	m = ta.must(t, 200, req{method: "PATCH", path: "/api/v1/series/debates/posts/welcome", body: `{"summary": "Short."}`})
	if p := obj(t, m, "post"); p["summary"] != "Short." || p["title"] != "Welcome!" {
		t.Errorf("after PATCH: %v", p)
	}
	ta.must(t, 200, req{method: "DELETE", path: "/api/v1/series/debates/posts/welcome"})
	ta.must(t, 404, req{method: "GET", path: "/api/v1/series/debates/posts/welcome"})
}

func TestPeopleEndpoints(t *testing.T) {
	ta := newTestAPI(t)
	ta.seed(t)
	m := ta.must(t, 200, req{method: "GET", path: "/api/v1/people", token: readToken})
	people := m["people"].([]any)
	if len(people) != 1 {
		t.Fatalf("people = %v", m)
	}
	id := people[0].(map[string]any)["id"].(float64)
	path := fmt.Sprintf("/api/v1/people/%d", int64(id))
	w := ta.do(t, req{method: "GET", path: path, token: readToken})
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("ETag"), `"p-`) {
		t.Fatalf("get person: %d %s", w.Code, w.Header())
	}
	etag := w.Header().Get("ETag")
	// A URL is published with every session the person is in.
	m = ta.must(t, 200, req{method: "PATCH", path: path, header: map[string]string{"If-Match": etag}, body: `{"url": "https://example.org/ada"}`})
	if obj(t, m, "person")["url"] != "https://example.org/ada" || fmt.Sprint(m["revisions"]) != "map[debates:3]" {
		t.Errorf("after PATCH: %v", m)
	}
	ta.must(t, 412, req{method: "PUT", path: path, header: map[string]string{"If-Match": etag}, body: `{"name": "Ada"}`})
	m = ta.must(t, 200, req{method: "PUT", path: path, body: `{"name": "Ada Colau Ballano", "affiliation": "Former mayor"}`})
	if p := obj(t, m, "person"); p["name"] != "Ada Colau Ballano" || p["url"] != nil {
		t.Errorf("after PUT: %v", p)
	}
	m = ta.must(t, 201, req{method: "POST", path: "/api/v1/people", body: `{"name": "Emilia Saiz", "affiliation": "UCLG"}`})
	if fmt.Sprint(m["revisions"]) != "map[]" || fmt.Sprint(m["changed"]) != "[]" {
		t.Errorf("a new person changes no series: %v", m)
	}
}

func TestImportEndpoint(t *testing.T) {
	ta := newTestAPI(t)
	yaml := "series:\n  slug: imported\n  title: Imported\nsessions:\n  - key: one\n    title: One\n    start: 2021-11-17T12:00\n    end: 2021-11-17T13:00\n"
	m := ta.must(t, 200, req{method: "POST", path: "/api/v1/import", body: yaml, header: map[string]string{"Content-Type": "application/yaml"}})
	if m["series"] != "imported" || m["revision"] != 1.0 || fmt.Sprint(m["imported"]) != "map[posts_created:0 posts_left_alone:0 posts_unchanged:0 posts_updated:0 series_created:1 series_unchanged:0 series_updated:0 sessions_created:1 sessions_left_alone:0 sessions_unchanged:0 sessions_updated:0]" {
		t.Errorf("import: %v", m)
	}
	if c := fmt.Sprint(m["changed"]); !strings.Contains(c, "imported/sessions/one.ics") {
		t.Errorf("changed = %s", c)
	}
	// JSON, and importing the same again changes nothing.
	json := `{"series": {"slug": "imported", "title": "Imported"}, "sessions": [{"key": "one", "title": "One", "start": "2021-11-17T12:00", "end": "2021-11-17T13:00"}]}`
	m = ta.must(t, 200, req{method: "POST", path: "/api/v1/import", body: json})
	if m["revision"] != 1.0 || fmt.Sprint(m["changed"]) != "[]" {
		t.Errorf("re-import: %v", m)
	}
}

func TestOpenAPIServedWithoutToken(t *testing.T) {
	ta := newTestAPI(t)
	w := ta.do(t, req{method: "GET", path: "/api/v1/openapi.json"})
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"openapi": "3.1.0"`) {
		t.Fatalf("openapi.json: %d %.200s", w.Code, w.Body)
	}
}

// Series keys an imported file leaves out keep their stored values, as
// `agendafeed import` keeps them.
func TestImportKeepsSeriesKeysLeftOut(t *testing.T) {
	ta := newTestAPI(t)
	ct := map[string]string{"Content-Type": "application/yaml"}
	ta.must(t, 200, req{method: "POST", path: "/api/v1/import", header: ct, body: `series: {slug: debates, title: Debates, description: Open debates,
  zone: America/New_York, reminders: [30m], organizer: {name: UCLG, email: info@uclg.org}}
`})
	ta.must(t, 200, req{method: "POST", path: "/api/v1/import", header: ct, body: "series: {slug: debates, title: Debates}\nposts:\n  - {id: p, title: P, published: 2021-11-12}\n"})
	m := ta.must(t, 200, req{method: "GET", path: "/api/v1/series/debates"})
	got := fmt.Sprint(m["series"])
	for _, want := range []string{"description:Open debates", "zone:America/New_York", "reminders:[30m]", "email:info@uclg.org"} {
		if !strings.Contains(got, want) {
			t.Errorf("series after a posts-only import lacks %s: %s", want, got)
		}
	}
}

// TestImportCounts: POST /api/v1/import answers the counts agendafeed
// import prints, series and left-alone ones included, and a session the
// file repeats as stored counts as updated when a new organizer revised
// its event (its SEQUENCE moved), as the CLI counts it.
func TestImportCounts(t *testing.T) {
	ta := newTestAPI(t)
	yamlType := map[string]string{"Content-Type": "application/yaml"}
	file := "series:\n  slug: s\n  title: S\n  organizer:\n    name: Org\n%ssessions:\n  - key: one\n    title: One\n    start: 2021-11-17T12:00\n    end: 2021-11-17T13:00\n"
	ta.must(t, 200, req{method: "POST", path: "/api/v1/import", body: fmt.Sprintf(file, ""), header: yamlType})
	ta.must(t, 201, req{method: "POST", path: "/api/v1/series/s/sessions", body: `{"key": "two", "title": "Two", "start": "2021-11-18T12:00", "end": "2021-11-18T13:00"}`})
	seq := func(key string) any {
		return obj(t, ta.must(t, 200, req{method: "GET", path: "/api/v1/series/s/sessions/" + key}), "session")["sequence"]
	}
	before := seq("one")

	m := ta.must(t, 200, req{method: "POST", path: "/api/v1/import", body: fmt.Sprintf(file, "    email: org@example.org\n"), header: yamlType})
	want := map[string]any{
		"series_created": 0.0, "series_updated": 1.0, "series_unchanged": 0.0,
		"sessions_created": 0.0, "sessions_updated": 1.0, "sessions_unchanged": 0.0, "sessions_left_alone": 1.0,
		"posts_created": 0.0, "posts_updated": 0.0, "posts_unchanged": 0.0, "posts_left_alone": 0.0,
	}
	if got := obj(t, m, "imported"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("imported = %v\nwant       %v", got, want)
	}
	if after := seq("one"); after == before {
		t.Errorf("sequence of the repeated session stayed %v: the new organizer did not revise it", after)
	}

	// The same file again: nothing is revised any more.
	m = ta.must(t, 200, req{method: "POST", path: "/api/v1/import", body: fmt.Sprintf(file, "    email: org@example.org\n"), header: yamlType})
	want["series_updated"], want["series_unchanged"], want["sessions_updated"], want["sessions_unchanged"] = 0.0, 1.0, 0.0, 1.0
	if got := obj(t, m, "imported"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("re-import: imported = %v\nwant                   %v", got, want)
	}
}
