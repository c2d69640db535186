package news

import (
	"bytes"
	"strings"
	"testing"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/markup"
)

// relLinksPostID is the post relLinkSnapshots adds.
const relLinksPostID = "relative-links"

// relLinkSnapshots is the demo data with one more post, in the second
// series, whose Markdown has relative links, rendered as the store would.
func relLinkSnapshots(t *testing.T) []agenda.Snapshot {
	t.Helper()
	body, err := markup.Render("See [the programme](programme.html), ![](img/a.png), [top](/about), " +
		"[the calendar](sessions/x.ics), [the session](#s070), [back](../x?a=1&b=2), " +
		"[the site](https://www.uclg.org/en?a=1&b=2) and <press@example.org>.\n\n" +
		// Raw HTML, as pasted from a CMS, is resolved as Markdown is.
		`<p>Pasted: <a href="raw/page.html">raw</a> <img src="raw/i.png" alt=""> <a href="#s071">anchor</a></p>`)
	if err != nil {
		t.Fatal(err)
	}
	snaps := demoSnapshots(t)
	s := &snaps[1]
	s.Posts = append([]agenda.Post{{
		ID: relLinksPostID, Series: s.Series.Slug, Title: "Relative links", Summary: "Links.",
		Body: "(see BodyHTML)", BodyHTML: body, Author: "Equipo",
		Published: utc("2030-01-01T00:00:00Z"),
	}}, s.Posts...)
	return snaps
}

// relLinksWant are the links of relLinkSnapshots' post, in order, resolved
// against its series' page.
var relLinksWant = []string{
	"https://agenda.example.org/direitos-digitais/programme.html",
	"https://agenda.example.org/direitos-digitais/img/a.png",
	"https://agenda.example.org/about",
	"https://agenda.example.org/direitos-digitais/sessions/x.ics",
	"https://agenda.example.org/direitos-digitais/#s070",
	"https://agenda.example.org/x?a=1&amp;b=2",
	"https://www.uclg.org/en?a=1&amp;b=2",
	"mailto:press@example.org",
	"https://agenda.example.org/direitos-digitais/raw/page.html",
	"https://agenda.example.org/direitos-digitais/raw/i.png",
	"https://agenda.example.org/direitos-digitais/#s071",
}

// TestPostLinksResolved checks that a post's relative links come out
// resolved against its series' page in its series' feed, in the
// all-series feed Build makes and in the one Combined makes: one base
// whatever feed the post is in.
func TestPostLinksResolved(t *testing.T) {
	snaps := relLinkSnapshots(t)
	opts := Options{Layout: testLayout}
	series, err := Build(snaps, "direitos-digitais", opts)
	if err != nil {
		t.Fatal(err)
	}
	all, err := Build(snaps, "", opts)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewCombined(opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range snaps {
		if err := c.Add(&snaps[i]); err != nil {
			t.Fatal(err)
		}
	}
	streamed, err := c.Feed()
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]*Feed{"series": series, "all": all, "combined": streamed} {
		var content string
		for _, it := range f.items {
			if strings.HasSuffix(it.id, "/posts/"+relLinksPostID) {
				content = it.content
			}
		}
		if content == "" {
			t.Fatalf("%s: no item for the post", name)
		}
		for _, w := range relLinksWant {
			if !strings.Contains(content, `="`+w+`"`) {
				t.Errorf("%s: no link to %s in %s", name, w, content)
			}
		}
		for _, rel := range []string{`"programme.html"`, `"img/a.png"`, `"/about"`, `"sessions/x.ics"`, `"#s070"`, `"../x`} {
			if strings.Contains(content, rel) {
				t.Errorf("%s: relative link %s left in %s", name, rel, content)
			}
		}
		// The encoders carry the resolved links as they are.
		for _, fm := range formats {
			var b bytes.Buffer
			if err := fm.write(f, &b); err != nil {
				t.Fatal(err)
			}
			if link := "https://agenda.example.org/direitos-digitais/#s070"; !bytes.Contains(b.Bytes(), []byte(link)) {
				t.Errorf("%s %s: no %s", name, fm.name, link)
			}
		}
	}
}
