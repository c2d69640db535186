package page

import (
	"bytes"
	"html/template"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// checkSafe parses page and fails unless it has exactly our one script
// element, no event-handler attribute, no javascript: URL and no element
// that only injected markup would make.
func checkSafe(t testing.TB, page string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatalf("output does not parse as HTML: %v", err)
	}
	scripts := 0
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		switch n.Data {
		case "script":
			scripts++
		case "img", "iframe", "object", "embed", "b", "svg", "math", "base", "form":
			// Post bodies could carry <img> or <b>, but no fixture that
			// goes through here has a post body with them.
			t.Errorf("injected <%s> element: %v", n.Data, n.Attr)
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				t.Errorf("event handler attribute %s=%q on <%s>", a.Key, a.Val, n.Data)
			}
			if (a.Key == "href" || a.Key == "src") && strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:") {
				t.Errorf("javascript: URL in <%s %s>", n.Data, a.Key)
			}
		}
	})
	if scripts != 1 {
		t.Errorf("%d script elements, want our one", scripts)
	}
	if n := strings.Count(strings.ToLower(page), "<script"); n != 1 {
		t.Errorf("%d occurrences of <script in the bytes, want 1", n)
	}
	return doc
}

// textOf returns the text content of the element with the given id.
func textOf(doc *html.Node, id string) string {
	var out strings.Builder
	var found *html.Node
	walk(doc, func(n *html.Node) {
		if found == nil && n.Type == html.ElementNode && attr(n, "id") == id {
			found = n
		}
	})
	if found == nil {
		return ""
	}
	walk(found, func(n *html.Node) {
		if n.Type == html.TextNode {
			out.WriteString(n.Data)
		}
	})
	return out.String()
}

func TestEscaping(t *testing.T) {
	snap := hostileSnapshot(t)
	snap.Sessions[len(snap.Sessions)-1].OnlineURL = "javascript:alert(1)"
	snap.Sessions[len(snap.Sessions)-1].People[0].URL = "javascript:window.__pwned=1"
	snap.Sessions[len(snap.Sessions)-1].URL = `https://example.org/"><script>alert(1)</script>`
	page := renderSeries(t, newRenderer(t), snap, testOptions())
	doc := checkSafe(t, page)

	// Everything shows as the text it is.
	session := textOf(doc, "xss")
	for _, want := range []string{
		`<script>alert(1)</script>`,
		`"><img src=x onerror=alert(1)>`,
		`<script>window.__pwned="description"</script>`,
		`<iframe src="javascript:alert(1)"></iframe>`,
		`</p><script>window.__pwned="address"</script>`,
		`<img src=x onerror="window.__pwned='name'">`,
		`</dd><script>window.__pwned="affiliation"</script>`,
		`<b onmouseover=alert(1)>bold</b>`,
	} {
		if !strings.Contains(session, want) {
			t.Errorf("session text lacks %s", want)
		}
	}
	if got := textOf(doc, "post_xss-post"); !strings.Contains(got, `<script>alert("post")</script>`) ||
		!strings.Contains(got, `<img src=x onerror=alert(1)>`) || !strings.Contains(got, `<script>alert("summary")</script>`) {
		t.Errorf("post text = %q", got)
	}
	for _, want := range []string{
		`<h4 id="xss_h">&lt;script&gt;alert(1)&lt;/script&gt;</h4>`,
		`<title>Agenda &lt;b&gt;&#34;bold&#34;&lt;/b&gt; &amp; co</title>`,
		`<meta name="description" content="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;">`,
		// html/template refuses the javascript: URLs.
		`href="#ZgotmplZ">Join online`,
		`href="#ZgotmplZ">&lt;img src=x`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

// TestPostBodyIsHTML checks the one field inserted as HTML, and that its
// neighbours are not.
func TestPostBodyIsHTML(t *testing.T) {
	snap := debateSnapshot(t)
	snap.Posts = []agenda.Post{{
		ID: "p", Series: "scewc", Title: "<em>title</em>", Author: "<em>author</em>",
		BodyHTML:  "<p>Body with <em>emphasis</em></p>",
		Published: instant(t, "2021-11-11T10:00:00Z"),
	}}
	page := renderSeries(t, newRenderer(t), snap, testOptions())
	for _, want := range []string{
		`<div class="body"><p>Body with <em>emphasis</em></p></div>`,
		`<h3>&lt;em&gt;title&lt;/em&gt;</h3>`,
		`· &lt;em&gt;author&lt;/em&gt;`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

// FuzzWriteSeries renders arbitrary text in the fields people type and
// wants well-formed output with our one script and nothing injected, the
// same bytes as html/template's own Execute.
func FuzzWriteSeries(f *testing.F) {
	f.Add("Smart Cities", "Open Policy debate.\n\nSecond paragraph.", "Armand Béouindé", "Mayor of Ouagadougou", "Fira", "tag")
	f.Add(`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `</dd><script>`, `<!--`, `<![CDATA[`, `<b>`)
	f.Add(`</title><script>`, `</style></script><svg onload=alert(1)>`, "\x00\xff\xfe", "\u2028\u2029", `{{.}}`, `javascript:alert(1)`)
	f.Add(`'"><textarea>`, "<plaintext>", "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">", "&lt;script&gt;", "<xmp>", "<iframe srcdoc=x>")
	r := newRenderer(f)
	opts := testOptions()
	base := debateSnapshot(f)
	f.Fuzz(func(t *testing.T, title, desc, name, affiliation, venue, tag string) {
		snap := base
		snap.Series.Title = "Series " + title // a title is required
		snap.Series.Description = desc
		s := snap.Sessions[0]
		s.Title, s.Description, s.Venue, s.Address = title, desc, venue, affiliation
		s.People = []agenda.Participant{person(agenda.RoleModerator, name, affiliation), person(agenda.Role(tag), affiliation, name)}
		s.Tags = []string{tag}
		// The same text in URL and attribute contexts too.
		s.URL, s.OnlineURL, s.Language = tag, venue, tag
		s.People[0].URL = name
		snap.Series.Homepage = affiliation
		snap.Sessions = []agenda.Session{s}
		snap.Posts = []agenda.Post{{ID: "p", Series: "scewc", Title: title, Author: name, Summary: desc, Published: s.Created}}
		var b bytes.Buffer
		if err := r.WriteSeries(&b, snap, opts); err != nil {
			t.Fatalf("WriteSeries: %v", err)
		}
		checkSafe(t, b.String())
		// The compiled program writes what html/template's Execute would.
		checkMatchesTemplate(t, r, snap, opts, b.String())
	})
}

// BenchmarkAppendHTMLEscaped escapes a description-like text with a few
// characters to replace, as most of a page's text is.
func BenchmarkAppendHTMLEscaped(b *testing.B) {
	text := strings.Repeat(`Cities share what they learned about affordable housing, heat waves and "open data"; speakers' notes follow. `, 4)
	buf := make([]byte, 0, 2*len(text))
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		buf = appendHTMLEscaped(buf[:0], text)
	}
}

// htmlTextSeeds put each byte appendHTMLEscaped replaces, the one more
// that mayHoldHTMLSpecial flags ('#') and bytes near them, at every offset
// of a word.
var htmlTextSeeds = func() []string {
	seeds := []string{"", "plain text, nothing to replace at all", "é中\xff\xfe", "\u2028\u2029 \x7f"}
	for _, c := range []string{"\x00", `"`, "#", "%", "&", "'", "+", "<", ">", "!", "$", "*", ",", ";", "=", "?", "\x80", "\xa2", "\xbc"} {
		for i := range 17 {
			seeds = append(seeds, strings.Repeat("a", i)+c+strings.Repeat("b", 16-i), strings.Repeat(c, i+1))
		}
	}
	return seeds
}()

// viaTemplateText is what html/template writes for <p>{{.}}</p>.
func viaTemplateText(t testing.TB, tmpl *template.Template, s string) string {
	t.Helper()
	var b strings.Builder
	if err := tmpl.Execute(&b, s); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestAppendHTMLEscaped(t *testing.T) {
	tmpl := template.Must(template.New("p").Parse(`<p>{{.}}</p>`))
	for _, s := range htmlTextSeeds {
		if got, want := "<p>"+string(appendHTMLEscaped(nil, s))+"</p>", viaTemplateText(t, tmpl, s); got != want {
			t.Errorf("appendHTMLEscaped(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzAppendHTMLEscaped(f *testing.F) {
	for _, s := range htmlTextSeeds {
		f.Add(s)
	}
	tmpl := template.Must(template.New("p").Parse(`<p>{{.}}</p>`))
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := "<p>"+string(appendHTMLEscaped(nil, s))+"</p>", viaTemplateText(t, tmpl, s); got != want {
			t.Errorf("appendHTMLEscaped(%q) = %q, want %q", s, got, want)
		}
	})
}
