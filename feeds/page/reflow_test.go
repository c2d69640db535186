package page

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/realclient"
)

// longWord is an unbroken 91-character URL, as the reviewer's description
// held; long enough to overflow a phone's width in any font.
const longWord = "https://example.org/programmes/2026/los-angeles/winter-series/all-sessions-and-speakers.html"

// longWordsSnapshot has an unbroken long word in every field of user text
// a page shows.
func longWordsSnapshot(t testing.TB) agenda.Snapshot {
	t.Helper()
	long := func(prefix string) string { return prefix + longWord }
	return valid(t, agenda.Snapshot{
		Series: agenda.Series{
			Slug: "long", Title: long("Title"), Description: long("Description ") + "\n\n" + long(""),
			Homepage: longWord, Zone: "Europe/Madrid", Language: "en",
			Organizer: agenda.Organizer{Name: long("Organiser")},
		},
		Sessions: []agenda.Session{
			{
				UID: "long-1@agenda.example.org", Key: "long-session",
				Title:       long("Session"),
				Description: long("See ") + "\n\n" + long("Also "),
				Start:       wall(t, "2021-11-17T12:00"), End: wall(t, "2021-11-17T13:00"),
				Venue:     long("Venue"),
				Address:   long("Address ") + "\n" + long(""),
				OnlineURL: longWord + "?join",
				People: []agenda.Participant{
					person(agenda.RoleSpeaker, long("Name"), long("Affiliation")),
					{Person: agenda.Person{Name: long("Linked"), URL: longWord + "?person"}, Role: agenda.RoleModerator},
				},
				Tags: []string{strings.Repeat("t", agenda.MaxTag)},
				URL:  longWord + "?session",
			},
			{
				UID: "long-2@agenda.example.org", Key: "long-past",
				Title: long("Past"), Start: wall(t, "2021-11-10T12:00"), End: wall(t, "2021-11-10T13:00"),
				Venue: long("Venue"),
			},
		},
		Posts: []agenda.Post{{
			ID: "long-post", Title: long("Post"), Summary: long("Summary"), Author: long("Author"),
			Body:      long("Body "),
			BodyHTML:  "<p>" + long("Body ") + "</p>",
			Published: instant(t, "2021-11-10T09:00:00+01:00"),
			URL:       longWord + "?post",
		}},
	})
}

type reflowResult struct {
	Console    []struct{ Type, Text string }
	PageErrors []string
	Pages      []struct {
		URL         string
		Viewport    int
		ScrollWidth int
		Overflowing []string
		Print       struct {
			Links []struct{ Text, Href, After string }
			// Hidden lists what print should hide but shows.
			Hidden      []string
			ScrollWidth int
		}
	}
}

// TestBrowserReflow: at 375 CSS px, a phone's width, no page scrolls
// sideways whatever unbroken words its text holds (WCAG 1.4.10 Reflow);
// printed, the session's links that lead elsewhere show their address.
func TestBrowserReflow(t *testing.T) {
	node, pw, chromium := browserTools(t)

	opts := testOptions()
	snap := longWordsSnapshot(t)
	r := newRenderer(t)
	var page, index bytes.Buffer
	if err := r.WriteSeries(&page, snap, opts); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteIndex(&index, []agenda.Snapshot{snap}, opts); err != nil {
		t.Fatal(err)
	}
	// Complete before the server starts: its handlers only read it (the
	// race detector cannot see that the browser's requests come later).
	pages := map[string][]byte{"/long/": page.Bytes(), "/": index.Bytes()}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", feeds.Page.ContentType())
		_, _ = w.Write(body)
	}))
	defer srv.Close()

	stdout := realclient.Run(t, realclient.Script{
		What: "reflow script",
		Args: []string{node, filepath.Join("testdata", "reflow.cjs"), pw, chromium,
			filepath.Join(t.TempDir(), "profile"), srv.URL + "/long/", srv.URL + "/"},
		Timeout: 120 * time.Second,
	})
	var res reflowResult
	if err := json.Unmarshal(stdout, &res); err != nil {
		t.Fatalf("reflow script output: %v\n%s", err, stdout)
	}
	for _, m := range res.Console {
		if m.Type == "error" || m.Type == "warning" {
			t.Errorf("console %s: %s", m.Type, m.Text)
		}
	}
	for _, e := range res.PageErrors {
		t.Errorf("page error: %s", e)
	}
	if len(res.Pages) != 2 {
		t.Fatalf("%d pages seen, want 2", len(res.Pages))
	}
	for _, p := range res.Pages {
		if p.Viewport != 375 {
			t.Errorf("%s: viewport %d px, want 375", p.URL, p.Viewport)
		}
		if p.ScrollWidth > 375 {
			t.Errorf("%s: the document is %d px wide at a 375 px viewport: it scrolls sideways; past the edge:\n%s",
				p.URL, p.ScrollWidth, strings.Join(p.Overflowing, "\n"))
		}
		for _, h := range p.Print.Hidden {
			t.Errorf("%s: printed, %q shows", p.URL, h)
		}
	}

	// Printed, the links of the agenda page that lead out of it show their
	// address after their text; nothing else on either page gains one.
	wantAfter := map[string]bool{
		longWord + "?join": true, longWord + "?person": true, longWord: true, // online, a person, the series' website
	}
	seen := map[string]bool{}
	for i, p := range res.Pages {
		for _, l := range p.Print.Links {
			want := i == 0 && wantAfter[l.Href]
			switch {
			case want && l.After != `" <`+l.Href+`>"`:
				t.Errorf("%s printed: the link %q (%s) is followed by %q, want \" <%s>\"", p.URL, l.Text, l.Href, l.After, l.Href)
			case !want && l.After != "":
				t.Errorf("%s printed: the link %q (%s) is followed by %q, want nothing", p.URL, l.Text, l.Href, l.After)
			}
			if i == 0 {
				seen[l.Href] = true
			}
		}
	}
	for href := range wantAfter {
		if !seen[href] {
			t.Errorf("printed, no link to %s shows", href)
		}
	}
	if w := res.Pages[0].Print.ScrollWidth; w > 375 {
		t.Errorf("printed at 375 px, the page is %d px wide", w)
	}
}
