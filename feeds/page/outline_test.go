package page

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/markup"
)

// TestPostHeadingOutline renders posts whose bodies have headings of every
// level, in Markdown and raw HTML, and broken HTML that tries to leave the
// post, and walks the page as a browser parses it: inside a post nothing may
// rank with or above the post's <h3> title, and every post, the News section
// and the footer must stay where the template put them.
func TestPostHeadingOutline(t *testing.T) {
	bodies := []struct{ id, md string }{
		{"markdown", "# Outcome\n\nText.\n\n## **Agenda**\n\n1. One\n\n### Speakers\n\n#### Four\n\n##### Five\n\n###### Six\n"},
		{"setext", "Outcome\n=======\n\nAgenda\n------\n"},
		{"raw", "<h1>Raw one</h1>\n<h2>Raw two</h2>\n<h3>Raw three</h3>\n<p>Text.</p>\n"},
		{"escape", "</div></article></section></main><h1>Escaped</h1>\n\n<table><tr><td>unclosed"},
		{"stray", "<div><div><section>\n\n## Deep\n\n</section>"},
	}
	snap := debateSnapshot(t)
	for i, b := range bodies {
		body, err := markup.Render(b.md)
		if err != nil {
			t.Fatal(err)
		}
		snap.Posts = append(snap.Posts, agenda.Post{
			ID: "outline-" + b.id, Series: snap.Series.Slug, Title: "Outline " + b.id,
			Body: b.md, BodyHTML: body,
			Published: instant(t, "2021-11-1"+string(rune('0'+i))+"T09:00:00Z"),
		})
	}
	snap = valid(t, snap)
	page := renderSeries(t, newRenderer(t), snap, testOptions())
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}

	news := findElement(doc, func(n *html.Node) bool { return attr(n, "id") == "_news" })
	if news == nil {
		t.Fatal("no News section")
	}
	if p := news.Parent; p == nil || p.DataAtom != atom.Main {
		t.Errorf("the News section is not in <main> any more")
	}
	if f := findElement(doc, func(n *html.Node) bool { return n.DataAtom == atom.Footer }); f == nil || f.Parent.DataAtom != atom.Body {
		t.Errorf("the footer is not in <body> any more")
	}
	posts := 0
	for c := news.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		if c.DataAtom != atom.Article && c.DataAtom != atom.H2 {
			t.Errorf("News section holds a <%s>: a post's body left its article", c.Data)
			continue
		}
		if c.DataAtom != atom.Article {
			continue
		}
		posts++
		var levels []int
		var title string
		walk(c, func(n *html.Node) {
			if l := headingLevel(n); l > 0 {
				levels = append(levels, l)
				if title == "" {
					title = headingText(n)
				}
			}
		})
		if len(levels) == 0 || levels[0] != 3 {
			t.Errorf("post %s: headings %v, want its title as the first, an h3", attr(c, "id"), levels)
			continue
		}
		for _, l := range levels[1:] {
			if l <= 3 {
				t.Errorf("post %q: headings %v go back to h%d inside the post", title, levels, l)
				break
			}
		}
	}
	if want := len(snap.Posts); posts != want {
		t.Errorf("News section holds %d articles, want %d", posts, want)
	}
	h1s := 0
	walk(doc, func(n *html.Node) {
		if n.DataAtom == atom.H1 {
			h1s++
		}
	})
	if h1s != 1 {
		t.Errorf("page has %d <h1>, want 1 (the series title)", h1s)
	}
}

// headingLevel returns n's level for h1 to h6, and 0 for anything else.
func headingLevel(n *html.Node) int {
	if n.Type == html.ElementNode && len(n.Data) == 2 && n.Data[0] == 'h' && n.Data[1] >= '1' && n.Data[1] <= '6' {
		return int(n.Data[1] - '0')
	}
	return 0
}

// findElement returns the first element under n for which match is true.
func findElement(n *html.Node, match func(*html.Node) bool) *html.Node {
	var found *html.Node
	walk(n, func(c *html.Node) {
		if found == nil && c.Type == html.ElementNode && match(c) {
			found = c
		}
	})
	return found
}

// headingText is the text of heading n, trimmed.
func headingText(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return strings.TrimSpace(b.String())
}
