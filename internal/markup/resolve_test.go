package markup

import (
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

const testPage = "https://agenda.example.org/cities/"

func mustBase(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestResolveURLs(t *testing.T) {
	const rel = ` rel="nofollow noopener"`
	a := func(href string) string { return `<p><a href="` + href + `"` + rel + `>x</a></p>` }
	tests := []struct {
		name, in, want string
	}{
		{"relative path", a("programme.html"), a(testPage + "programme.html")},
		{"relative directory", a("sessions/x.ics"), a(testPage + "sessions/x.ics")},
		{"dot segment", a("./x"), a(testPage + "x")},
		{"parent", a("../about"), a("https://agenda.example.org/about")},
		{"parent past the root", a("../../../x"), a("https://agenda.example.org/x")},
		{"root", a("/about"), a("https://agenda.example.org/about")},
		{"query", a("?lang=es"), a(testPage + "?lang=es")},
		{"fragment", a("#s070"), a(testPage + "#s070")},
		{"empty href is the page", a(""), a(testPage)},
		{"protocol-relative", a("//other.example.net/x"), a("https://other.example.net/x")},
		{"entities stay escaped", a("x?a=1&amp;b=2"), a(testPage + "x?a=1&amp;b=2")},
		{"quote in value stays escaped", a("q&#34;x"), a(testPage + "q%22x")},
		{"space is percent-encoded", a("a b.html"), a(testPage + "a%20b.html")},
		{"surrounding space trimmed", a(" x.html\n"), a(testPage + "x.html")},
		// As a browser reads them (WHATWG URL), not as RFC 3986 alone would.
		{"newline inside dropped", a("pro&#10;gramme.html"), a(testPage + "programme.html")},
		{"three slashes start a host", a("///other.example.net/x"), a("https://other.example.net/x")},
		{"backslash is a slash", a(`a\b.html`), a(testPage + "a/b.html")},
		{"two backslashes start a host", a(`\\other.example.net/x`), a("https://other.example.net/x")},
		{"backslash in the query kept", a(`x?p=a\b`), a(testPage + `x?p=a\b`)},
		{"image", `<p><img src="img/a.png" alt="a &#34;b&#34; &amp; c"></p>`,
			`<p><img src="` + testPage + `img/a.png" alt="a &#34;b&#34; &amp; c"></p>`},
		{"blockquote cite", `<blockquote cite="/src"><p>q</p></blockquote>`,
			`<blockquote cite="https://agenda.example.org/src"><p>q</p></blockquote>`},
		{"q, del and ins cite", `<q cite="a">1</q><del cite="b">2</del><ins cite="c">3</ins>`,
			`<q cite="` + testPage + `a">1</q><del cite="` + testPage + `b">2</del><ins cite="` + testPage + `c">3</ins>`},
		{"two links, one relative", a("https://x.example/?a=1&amp;b=2") + a("y"),
			a("https://x.example/?a=1&amp;b=2") + a(testPage+"y")},
		{"text after the last tag kept", a("y") + "\ntail &amp; more", a(testPage+"y") + "\ntail &amp; more"},

		// Left byte for byte as they are.
		{"absolute", a("https://Example.org/a/../b?x=1&amp;y#f"), a("https://Example.org/a/../b?x=1&amp;y#f")},
		{"mailto", a("mailto:foo@example.org"), a("mailto:foo@example.org")},
		{"other scheme", a("tel:+34-600"), a("tel:+34-600")},
		{"upper-case scheme", a("HTTP://example.org"), a("HTTP://example.org")},
		{"usemap is not a URL", `<img src="https://x.example/i.png" usemap="#m">`, `<img src="https://x.example/i.png" usemap="#m">`},
		{"href on another element", `<span href="x">a</span>`, `<span href="x">a</span>`},
		{"src in text", `<p>src=&#34;x&#34; and href="y"</p>`, `<p>src=&#34;x&#34; and href="y"</p>`},
		{"tag cut short at the end", `<p>a</p><a href="x`, `<p>a</p><a href="x`},
		{"no tags", "plain text", "plain text"},
		{"empty", "", ""},
	}
	base := mustBase(t, testPage)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ResolveURLs(tt.in, base); got != tt.want {
				t.Errorf("ResolveURLs(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// Hosts that are not ASCII stay as written (in base_url, or in the link):
// percent-encoded, as URL.String writes them, a feed reader cannot look
// them up.
func TestResolveURLsNonASCIIHost(t *testing.T) {
	base := mustBase(t, "https://bücher.example/agenda/cities/")
	in := `<a href="programme.html">x</a><a href="//другой.example/y?q=é">y</a>`
	want := `<a href="https://bücher.example/agenda/cities/programme.html">x</a><a href="https://другой.example/y?q=é">y</a>`
	if got := ResolveURLs(in, base); got != want {
		t.Errorf("ResolveURLs(%q)\n got %q\nwant %q", in, got, want)
	}
}

// TestResolveURLsRendered runs Render's own output through: what the store
// holds.
func TestResolveURLsRendered(t *testing.T) {
	r := New()
	got, err := r.Render("[the programme](programme.html), ![](img/a.png), [top](/about), [s](sessions/x.ics), [here](#s070), [abs](https://example.org/x?a=1&b=2), <foo@example.org>")
	if err != nil {
		t.Fatal(err)
	}
	got = ResolveURLs(got, mustBase(t, testPage))
	want := `<p><a href="https://agenda.example.org/cities/programme.html" rel="nofollow noopener">the programme</a>, ` +
		`<img src="https://agenda.example.org/cities/img/a.png" alt="">, ` +
		`<a href="https://agenda.example.org/about" rel="nofollow noopener">top</a>, ` +
		`<a href="https://agenda.example.org/cities/sessions/x.ics" rel="nofollow noopener">s</a>, ` +
		`<a href="https://agenda.example.org/cities/#s070" rel="nofollow noopener">here</a>, ` +
		`<a href="https://example.org/x?a=1&amp;b=2" rel="nofollow noopener">abs</a>, ` +
		`<a href="mailto:foo@example.org" rel="nofollow noopener">foo@example.org</a></p>` + "\n"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// TestResolveURLsRawHTML resolves the links and images of raw HTML in a body
// as it does Markdown's.
func TestResolveURLsRawHTML(t *testing.T) {
	got, err := New().Render(`<p><a href="programme.html">the programme</a> <img src="img/a.png" alt="A"> ` +
		`<a href="#s070" title="t">here</a> <a href="../other/">other</a></p>` + "\n<blockquote cite=\"q.html\"><p>q</p></blockquote>")
	if err != nil {
		t.Fatal(err)
	}
	got = ResolveURLs(got, mustBase(t, testPage))
	want := `<p><a href="https://agenda.example.org/cities/programme.html" rel="nofollow noopener">the programme</a> ` +
		`<img src="https://agenda.example.org/cities/img/a.png" alt="A"> ` +
		`<a href="https://agenda.example.org/cities/#s070" rel="nofollow noopener" title="t">here</a> ` +
		`<a href="https://agenda.example.org/other/" rel="nofollow noopener">other</a></p>` + "\n" +
		`<blockquote cite="https://agenda.example.org/cities/q.html"><p>q</p></blockquote>`
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// TestResolveURLsUntouched checks that a fragment with no relative URL comes
// back as it was, without an allocation: no parse.
func TestResolveURLsUntouched(t *testing.T) {
	for _, in := range []string{
		`<p><a href="https://example.org/" rel="nofollow noopener">x</a> <img src="https://example.org/i.png" alt=""></p>`,
		"<p>5 &lt; 6 = true, a=b</p>",
		"<p>Excited, she recited the srcset: cited.</p>",
		`<blockquote cite="https://example.org/"><p>q</p></blockquote>`,
	} {
		if mayHaveRelativeURL(in) {
			t.Errorf("mayHaveRelativeURL(%q) = true, want false", in)
		}
		base := mustBase(t, testPage)
		if got := ResolveURLs(in, base); got != in {
			t.Errorf("ResolveURLs(%q) = %q", in, got)
		}
		if n := testing.AllocsPerRun(10, func() { ResolveURLs(in, base) }); n != 0 {
			t.Errorf("ResolveURLs(%q): %v allocations, want 0", in, n)
		}
	}
}

// TestMayHaveRelativeURL holds the cheap check to never missing what the
// tokenizer would resolve.
func TestMayHaveRelativeURL(t *testing.T) {
	for _, in := range []string{
		`<a href="x">`,
		`<a HREF="x">`,
		`<a href = "x">`,
		`<a href=x>`,
		`<a href='x'>`,
		`<a href="">`,
		`<a href=" /x">`,
		`<a href="&#104;ttps://x">`,
		`<img src="i.png">`,
		`<q cite="c">`,
		`<a title="t" href="x">`,
		`<a href="https://a" x="1"><a href="b">`,
		`<a href>`,
		`<a href/>`,
		`<a HREF`,
		`<a href =`,
	} {
		if !mayHaveRelativeURL(in) {
			t.Errorf("mayHaveRelativeURL(%q) = false, want true", in)
		}
	}
}

// TestURLAttrsMatchPolicy holds isURLAttr to the policy New builds: every
// attribute it names survives the sanitiser with a relative URL, and the
// URL attributes of elements it does not name do not survive at all, so
// none is left unresolved.
func TestURLAttrsMatchPolicy(t *testing.T) {
	policy := New().policy
	kept := []struct{ el, attr string }{
		{"a", "href"}, {"area", "href"}, {"img", "src"},
		{"blockquote", "cite"}, {"q", "cite"}, {"del", "cite"}, {"ins", "cite"},
	}
	for _, k := range kept {
		in := "<" + k.el + " " + k.attr + `="rel/x">t</` + k.el + ">"
		if out := policy.Sanitize(in); !strings.Contains(out, k.attr+`="rel/x"`) {
			t.Errorf("policy drops %s %s: %q; drop it from isURLAttr", k.el, k.attr, out)
		}
		if !isURLAttr(k.el, k.attr) || !hasURLAttr(k.el) {
			t.Errorf("isURLAttr(%q, %q) = false, but the policy lets it through", k.el, k.attr)
		}
	}
	dropped := []struct{ el, attr string }{
		{"link", "href"}, {"base", "href"}, {"video", "src"}, {"video", "poster"}, {"audio", "src"},
		{"source", "src"}, {"source", "srcset"}, {"img", "srcset"}, {"img", "longdesc"},
		{"iframe", "src"}, {"embed", "src"}, {"object", "data"}, {"form", "action"},
		{"button", "formaction"}, {"input", "src"}, {"track", "src"}, {"table", "background"},
		{"body", "background"}, {"a", "ping"}, {"td", "background"},
	}
	for _, d := range dropped {
		in := "<" + d.el + " " + d.attr + `="rel/x">t</` + d.el + ">"
		if out := policy.Sanitize(in); strings.Contains(out, "rel/x") {
			t.Errorf("policy lets %s %s through: %q; add it to isURLAttr", d.el, d.attr, out)
		}
	}
}

func FuzzResolveURLs(f *testing.F) {
	for _, s := range []string{
		`<p><a href="programme.html" rel="nofollow noopener">x</a></p>`,
		`<img src="img/a.png" alt="&#34;">`,
		`<a href="x?a=1&amp;b=2">`,
		`<a href="https://example.org/">`,
		`<q cite=x>`, `<a href="x`, `<a href= '#y' >`, "<!-- href=x -->", "<textarea><a href=x></textarea>",
	} {
		f.Add(s)
	}
	f.Add(`<A HREF="https://x"> href=y`)
	f.Add(`<textarea><a title="</textarea><a href=rel>">`)
	f.Add(`<p title='a>b' class=x/><img alt="" src = 'x.png'>`)
	base := mustBase(f, testPage)
	f.Fuzz(func(t *testing.T, in string) {
		out := ResolveURLs(in, base)
		// Nothing to resolve: the input comes back as it was.
		if !relativeURLIn(in) && out != in {
			t.Fatalf("ResolveURLs(%q) = %q, changed with nothing to resolve", in, out)
		}
		// Done once, nothing is left to do.
		if relativeURLIn(out) {
			t.Fatalf("ResolveURLs(%q) = %q still holds a relative URL", in, out)
		}
	})
}

// relativeURLIn is what ResolveURLs does, the slow way: tokenize everything
// and look at every URL attribute.
func relativeURLIn(s string) bool {
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return false
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			for _, a := range tok.Attr {
				if isURLAttr(tok.Data, a.Key) {
					if _, ok := resolve(&url.URL{Scheme: "https", Host: "h", Path: "/"}, a.Val); ok {
						return true
					}
				}
			}
		}
	}
}
