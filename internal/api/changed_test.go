package api

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
)

// TestPersonWriteListsEachURLOnce: a person who appears in two series
// changes both; the answer lists each series' files, the calendars of the
// sessions the person is in, and the all-series files once, in a stable
// order (series by slug, the all-series files last).
func TestPersonWriteListsEachURLOnce(t *testing.T) {
	ta := newTestAPI(t)
	ta.seed(t) // series debates, session smart-cities with Ada Colau
	ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/series", body: `{"slug": "assembly", "title": "Assembly"}`})
	ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/series/assembly/sessions", body: `{"key": "opening", "title": "Opening",
		"start": "2021-11-18T10:00", "end": "2021-11-18T11:00", "people": [{"name": "Ada Colau"}]}`})
	ta.must(t, http.StatusCreated, req{method: "POST", path: "/api/v1/series/assembly/sessions", body: `{"key": "closing", "title": "Closing",
		"start": "2021-11-18T17:00", "end": "2021-11-18T18:00"}`})
	people := ta.must(t, http.StatusOK, req{method: "GET", path: "/api/v1/people"})["people"].([]any)
	id := int64(people[0].(map[string]any)["id"].(float64))

	out := ta.must(t, http.StatusOK, req{method: "PATCH", path: fmt.Sprintf("/api/v1/people/%d", id), body: `{"name": "Ada Colau Ballano"}`})
	var got []string
	for _, u := range out["changed"].([]any) {
		got = append(got, u.(string))
	}
	b := baseURL
	want := []string{
		b + "assembly/calendar.ics", b + "assembly/rss.xml", b + "assembly/atom.xml", b + "assembly/feed.json", b + "assembly/",
		b + "assembly/sessions/opening.ics",
		b + "debates/calendar.ics", b + "debates/rss.xml", b + "debates/atom.xml", b + "debates/feed.json", b + "debates/",
		b + "debates/sessions/smart-cities.ics",
		b + "calendar.ics", b + "rss.xml", b + "atom.xml", b + "feed.json", // not the index page, which shows no people
	}
	if !slices.Equal(got, want) {
		t.Errorf("changed =\n%q\nwant\n%q", got, want)
	}
}

// TestImportListsRevisedEvents: an import that gives a series a new
// organizer revises the events of every session of the series, those the
// file does not name included, so their calendars are listed as changed.
func TestImportListsRevisedEvents(t *testing.T) {
	ta := newTestAPI(t)
	ta.seed(t) // series debates, session smart-cities
	file := "series:\n  slug: debates\n  title: Open Policy Debates\n  zone: Europe/Madrid\n  language: en\n  reminders: [15m, 1d]\n" +
		"  organizer: {name: UCLG World, email: events@example.org}\n" +
		"sessions:\n  - key: other\n    title: Other\n    start: 2021-11-18T12:00\n    end: 2021-11-18T13:00\n"
	out := ta.must(t, http.StatusOK, req{method: "POST", path: "/api/v1/import", header: map[string]string{"Content-Type": "application/yaml"}, body: file})
	var got []string
	for _, u := range out["changed"].([]any) {
		got = append(got, u.(string))
	}
	for _, key := range []string{"other", "smart-cities"} {
		u := baseURL + "debates/sessions/" + key + ".ics"
		if n := len(slices.DeleteFunc(slices.Clone(got), func(s string) bool { return s != u })); n != 1 {
			t.Errorf("changed lists %s %d times, want once; changed = %q", u, n, got)
		}
	}
}

// TestChangedListsOPMLWhenItChanges: the OPML list of every feed shows
// each series' slug, title and language, so a write's changed URLs name it
// when a series is created, deleted, retitled or given another language,
// and not for any other write, which leaves its bytes as they were.
func TestChangedListsOPMLWhenItChanges(t *testing.T) {
	ta := newTestAPI(t)
	ta.seed(t) // series debates, session smart-cities
	yaml := map[string]string{"Content-Type": "application/yaml"}
	for _, tc := range []struct {
		name string
		code int
		req  req
		opml bool
	}{
		{"series created", http.StatusCreated, req{method: "POST", path: "/api/v1/series", body: `{"slug": "assembly", "title": "Assembly"}`}, true},
		{"description", http.StatusOK, req{method: "PATCH", path: "/api/v1/series/debates", body: `{"description": "About cities."}`}, false},
		{"reminders and organizer", http.StatusOK, req{method: "PATCH", path: "/api/v1/series/debates", body: `{"reminders": ["1h"], "organizer": {"name": "X"}}`}, false},
		{"title", http.StatusOK, req{method: "PATCH", path: "/api/v1/series/debates", body: `{"title": "Debates"}`}, true},
		{"language", http.StatusOK, req{method: "PATCH", path: "/api/v1/series/debates", body: `{"language": "es"}`}, true},
		{"session edited", http.StatusOK, req{method: "PATCH", path: "/api/v1/series/debates/sessions/smart-cities", body: `{"venue": "Room 2"}`}, false},
		{"post created", http.StatusCreated, req{method: "POST", path: "/api/v1/series/debates/posts", body: `{"id": "p", "title": "P", "published": "2021-11-12T10:00:00Z"}`}, false},
		{"import of sessions", http.StatusOK, req{method: "POST", path: "/api/v1/import", header: yaml,
			body: "series: {slug: assembly, title: Assembly}\nsessions:\n  - {key: o, title: O, start: 2021-11-18T10:00, end: 2021-11-18T11:00}\n"}, false},
		{"import that retitles", http.StatusOK, req{method: "POST", path: "/api/v1/import", header: yaml, body: "series: {slug: assembly, title: General Assembly}\n"}, true},
		{"import that creates", http.StatusOK, req{method: "POST", path: "/api/v1/import", header: yaml, body: "series: {slug: congress, title: Congress}\n"}, true},
		{"series deleted", http.StatusOK, req{method: "DELETE", path: "/api/v1/series/congress"}, true},
	} {
		out := ta.must(t, tc.code, tc.req)
		changed, _ := out["changed"].([]any)
		if len(changed) == 0 {
			t.Errorf("%s: changed nothing: %v", tc.name, out)
			continue
		}
		if got := slices.Contains(changed, any(baseURL+"feeds.opml")); got != tc.opml {
			t.Errorf("%s: changed lists feeds.opml: %v, want %v; changed = %v", tc.name, got, tc.opml, changed)
		}
	}
}
