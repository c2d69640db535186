package app

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/publish"
	"github.com/agendafeed/agendafeed/internal/store"
)

// TestPostLinksResolvedEverywhere writes a post whose Markdown has relative
// links through the store, renders every file of its series and of all
// series, and checks that each feed entry and the series page carry the
// links resolved against the series' page, the same in every file.
func TestPostLinksResolvedEverywhere(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, t.TempDir())
	a, err := Open(ctx, Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	loadDemo(t, a)
	const slug = "cities-are-listening"
	const page = "https://agenda.example.org/" + slug + "/"
	if _, err := a.DB().PutPost(ctx, agenda.Post{
		Series: slug, ID: "relative-links", Title: "Relative links",
		Body: "See [the programme](programme.html), ![](img/a.png), [top](/about), " +
			"[the calendar](sessions/x.ics), [the session](#s070), [back](../x?a=1&b=2) " +
			"and [the site](https://www.uclg.org/en?a=1&b=2) or <press@example.org>.",
		// Newest of all, so that no feed's item limit leaves it out.
		Published: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
	}, store.Absent); err != nil {
		t.Fatal(err)
	}
	want := []string{
		page + "programme.html",
		page + "img/a.png",
		"https://agenda.example.org/about",
		page + "sessions/x.ics",
		page + "#s070",
		"https://agenda.example.org/x?a=1&b=2",
		"https://www.uclg.org/en?a=1&b=2",
		"mailto:press@example.org",
	}
	relative := []string{"programme.html", "img/a.png", "/about", "sessions/x.ics", "#s070", "../x?a=1&b=2"}

	series, err := a.DB().ListSeries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var snaps []agenda.Snapshot
	var outs []publish.Output
	r, err := newRenderer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.setAsOf(time.Date(2021, 11, 17, 0, 0, 0, 0, time.UTC))
	for _, s := range series {
		snap, err := a.DB().Snapshot(ctx, s.Slug)
		if err != nil {
			t.Fatal(err)
		}
		snaps = append(snaps, snap)
		if s.Slug == slug {
			outs = append(outs, r.SeriesOutputs(snap)...)
		}
	}
	outs = append(outs, r.CombinedOutputs(snaps)...)

	checked := map[string]bool{}
	for _, o := range outs {
		var post []string // the post's HTML as the file holds it
		data := render(t, o)
		switch o.Kind {
		case feeds.RSS, feeds.Atom:
			post = xmlPostContent(t, o.Path, data)
		case feeds.JSONFeed:
			post = jsonPostContent(t, o.Path, data)
		case feeds.Page:
			post = []string{string(data)}
		default:
			continue
		}
		checked[o.Path] = true
		if o.Path == r.layout.SeriesPath("", feeds.Page) {
			// The index lists series, not posts: nothing of the post to
			// check but that no relative link of it turns up.
			for _, rel := range relative {
				if slices.Contains(urlAttrs(string(data)), rel) {
					t.Errorf("%s: relative link %q", o.Path, rel)
				}
			}
			continue
		}
		if len(post) != 1 {
			t.Fatalf("%s: the post is in %d entries, want 1", o.Path, len(post))
		}
		got := urlAttrs(post[0])
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("%s: no link to %q in %q", o.Path, w, got)
			}
		}
		for _, rel := range relative {
			if slices.Contains(got, rel) {
				t.Errorf("%s: relative link %q left as it was", o.Path, rel)
			}
		}
	}
	for _, k := range []feeds.Kind{feeds.RSS, feeds.Atom, feeds.JSONFeed, feeds.Page} {
		for _, s := range []string{slug, ""} {
			if p := r.layout.SeriesPath(s, k); !checked[p] {
				t.Errorf("%s was not rendered", p)
			}
		}
	}
}

// xmlPostContent returns the HTML content of the RSS items or Atom entries
// whose text mentions the post's title.
func xmlPostContent(t *testing.T, path string, data []byte) []string {
	t.Helper()
	var doc struct {
		Items []struct {
			Title   string `xml:"title"`
			Content string `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
		} `xml:"channel>item"`
		Entries []struct {
			Title   string `xml:"title"`
			Content string `xml:"content"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []string
	for _, it := range doc.Items {
		if it.Title == "Relative links" {
			out = append(out, it.Content)
		}
	}
	for _, e := range doc.Entries {
		if e.Title == "Relative links" {
			out = append(out, e.Content)
		}
	}
	return out
}

func jsonPostContent(t *testing.T, path string, data []byte) []string {
	t.Helper()
	var doc struct {
		Items []struct {
			Title       string `json:"title"`
			ContentHTML string `json:"content_html"`
		} `json:"items"`
	}
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []string
	for _, it := range doc.Items {
		if it.Title == "Relative links" {
			out = append(out, it.ContentHTML)
		}
	}
	return out
}

// urlAttrs lists the href, src and cite values in an HTML document, as a
// browser reads them.
func urlAttrs(doc string) []string {
	var out []string
	z := html.NewTokenizer(strings.NewReader(doc))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			for _, a := range z.Token().Attr {
				if a.Key == "href" || a.Key == "src" || a.Key == "cite" {
					out = append(out, a.Val)
				}
			}
		}
	}
}
