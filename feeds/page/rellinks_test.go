package page

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/markup"
)

// TestPostLinksResolved checks that a post's relative links are resolved
// against its series' page (where the feeds resolve them too), and that the
// index, which lists series and not posts, carries none of them.
func TestPostLinksResolved(t *testing.T) {
	body, err := markup.Render("See [the programme](programme.html), ![](img/a.png), [top](/about), " +
		"[the calendar](sessions/x.ics), [the session](#scewc-2021), [back](../x?a=1&b=2) " +
		"and [the site](https://www.uclg.org/en?a=1&b=2).\n\n" +
		`<p>Pasted: <a href="raw/page.html">raw</a> <img src="raw/i.png" alt=""> <a href="#s071">anchor</a></p>`)
	if err != nil {
		t.Fatal(err)
	}
	snap := debateSnapshot(t)
	snap.Posts = append(snap.Posts, agenda.Post{
		ID: "relative-links", Series: snap.Series.Slug, Title: "Relative links",
		Body: "(see BodyHTML)", BodyHTML: body, Published: instant(t, "2021-11-11T09:00:00Z"),
	})
	r := newRenderer(t)
	got := urlAttrs(t, renderSeries(t, r, snap, testOptions()))
	for _, want := range []string{
		"https://agenda.example.org/scewc/programme.html",
		"https://agenda.example.org/scewc/img/a.png",
		"https://agenda.example.org/about",
		"https://agenda.example.org/scewc/sessions/x.ics",
		"https://agenda.example.org/scewc/#scewc-2021",
		"https://agenda.example.org/x?a=1&b=2",
		"https://www.uclg.org/en?a=1&b=2",
		"https://agenda.example.org/scewc/raw/page.html",
		"https://agenda.example.org/scewc/raw/i.png",
		"https://agenda.example.org/scewc/#s071",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("series page: no link to %s", want)
		}
	}
	relative := []string{"programme.html", "img/a.png", "/about", "sessions/x.ics", "#scewc-2021", "../x?a=1&b=2",
		"raw/page.html", "raw/i.png", "#s071"}
	for _, rel := range relative {
		if slices.Contains(got, rel) {
			t.Errorf("series page: relative link %q left as it was", rel)
		}
	}

	var b bytes.Buffer
	if err := r.WriteIndex(&b, []agenda.Snapshot{snap, dialoguesSnapshot(t)}, testOptions()); err != nil {
		t.Fatal(err)
	}
	index := urlAttrs(t, b.String())
	for _, rel := range relative {
		if slices.Contains(index, rel) {
			t.Errorf("index page: relative link %q", rel)
		}
	}
}

// urlAttrs lists the href and src values of a page, as a browser reads them.
func urlAttrs(t *testing.T, page string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, k := range []string{"href", "src"} {
				if v := attr(n, k); v != "" {
					out = append(out, v)
				}
			}
		}
	})
	return out
}
