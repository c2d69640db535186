package api

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
)

// TestImportListsOnlyWhatChanged: an import's "changed" names the files
// whose content it changes, as a single session's PUT does: the calendars
// of the sessions it created, changed or renamed (the old key's too), not
// those it repeats as stored; a post alone changes the series' feeds and
// page, not its calendar; a file that changes nothing lists nothing.
func TestImportListsOnlyWhatChanged(t *testing.T) {
	ta := newTestAPI(t)
	ta.seed(t) // series debates, session smart-cities
	yaml := map[string]string{"Content-Type": "application/yaml"}
	file := func(otherUID, otherKey, otherVenue, postTitle string) string {
		uid := ""
		if otherUID != "" {
			uid = "    uid: " + otherUID + "\n"
		}
		return "series:\n  slug: debates\n  title: Open Policy Debates\n" +
			"sessions:\n" +
			"  - key: smart-cities\n    title: Smart Cities\n    start: 2021-11-17T12:00\n    end: 2021-11-17T13:30\n" +
			"  - key: " + otherKey + "\n" + uid + "    title: Other\n    start: 2021-11-18T12:00\n    end: 2021-11-18T13:00\n    venue: " + otherVenue + "\n" +
			"posts:\n  - {id: p, title: " + postTitle + ", published: 2021-11-12}\n"
	}
	b := baseURL
	series := func(kinds ...string) []string {
		var out []string
		for _, k := range kinds {
			out = append(out, b+"debates/"+k)
		}
		return out
	}
	all := []string{b + "calendar.ics", b + "rss.xml", b + "atom.xml", b + "feed.json", b}
	// The index page shows no posts.
	feedsOnly := []string{b + "rss.xml", b + "atom.xml", b + "feed.json"}
	calAndFeeds := series("calendar.ics", "rss.xml", "atom.xml", "feed.json", "")
	postFeeds := series("rss.xml", "atom.xml", "feed.json", "")

	// The first import makes the stored series what the file says.
	ta.must(t, http.StatusOK, req{method: "POST", path: "/api/v1/import", header: yaml, body: file("", "other", "Hall 1", "P")})
	m := ta.must(t, http.StatusOK, req{method: "GET", path: "/api/v1/series/debates/sessions/other"})
	uid := obj(t, m, "session")["uid"].(string)

	for _, tt := range []struct {
		name string
		body string
		want []string
	}{
		{"the same file", file("", "other", "Hall 1", "P"), nil},
		{"the same file with the uid", file(uid, "other", "Hall 1", "P"), nil},
		{"one session changed", file("", "other", "Hall 9", "P"),
			slices.Concat(calAndFeeds, series("sessions/other.ics"), all)},
		{"one post changed", file("", "other", "Hall 9", "Q"), slices.Concat(postFeeds, feedsOnly)},
		{"one session renamed by its uid", file(uid, "renamed", "Hall 9", "Q"),
			slices.Concat(calAndFeeds, series("sessions/other.ics", "sessions/renamed.ics"), all)},
		{"the renamed file again", file(uid, "renamed", "Hall 9", "Q"), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := ta.must(t, http.StatusOK, req{method: "POST", path: "/api/v1/import", header: yaml, body: tt.body})
			var got []string
			for _, u := range out["changed"].([]any) {
				got = append(got, u.(string))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("changed =\n%q\nwant\n%q\n(imported %v)", got, tt.want, fmt.Sprint(out["imported"]))
			}
		})
	}
}
