package markup

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// TestRenderRawHTML holds raw HTML pasted into a body to what GitHub does with
// it: safe markup and its text kept, links marked as Markdown's are.
func TestRenderRawHTML(t *testing.T) {
	tests := []renderCase{
		{"pasted from a CMS",
			"# Outcome\n\n<p>The debate gathered mayors from <a href=\"https://www.uclg.org/\">UCLG</a> members.</p>\n" +
				"<ul><li>Quito</li><li>Tunis</li></ul>\n\nA <strong>strong</strong> word and a <br> break.",
			"<h4>Outcome</h4>\n" +
				`<p>The debate gathered mayors from <a href="https://www.uclg.org/" rel="nofollow noopener">UCLG</a> members.</p>` + "\n" +
				"<ul><li>Quito</li><li>Tunis</li></ul>\n" +
				"<p>A <strong>strong</strong> word and a <br> break.</p>\n"},
		{"inline tags", "x <em>e</em> <code>c</code> <b>b</b> <i>i</i> y",
			"<p>x <em>e</em> <code>c</code> <b>b</b> <i>i</i> y</p>\n"},
		{"blockquote and pre", "<blockquote><p>q</p></blockquote>\n\n<pre>a\n  b</pre>",
			"<blockquote><p>q</p></blockquote>\n<pre>a\n  b</pre>"},
		{"pre keeps its leading newline", "<pre>\n\nx</pre>", "<pre>\n\nx</pre>"},
		{"table", "<table><tr><th>a</th></tr><tr><td>1</td></tr></table>",
			"<table><tbody><tr><th>a</th></tr><tr><td>1</td></tr></tbody></table>"},
		{"raw image", `<img src="img/a.png" alt="A">`, `<img src="img/a.png" alt="A">`},
		{"raw link without rel", `<a href="/x">x</a>`, "<p>" + `<a href="/x" rel="nofollow noopener">x</a>` + "</p>\n"},
		{"raw link with another rel", `<a href="/x" rel="noopener">x</a>`, "<p>" + `<a href="/x" rel="nofollow noopener">x</a>` + "</p>\n"},
		{"raw link with rel before href", `<a rel="me" href="/x">x</a>`, "<p>" + `<a href="/x" rel="nofollow noopener">x</a>` + "</p>\n"},
		{"raw link with two rels", `<a href="/x" rel="nofollow noopener" rel="opener">x</a>`,
			"<p>" + `<a href="/x" rel="nofollow noopener">x</a>` + "</p>\n"},
		{"raw link with target", `<a href="https://example.org" target="_blank">x</a>`,
			"<p>" + `<a href="https://example.org" rel="nofollow noopener">x</a>` + "</p>\n"},
		{"raw anchor without href", `<a name="n" rel="nofollow noopener">x</a>`, "<p>x</p>\n"},
		{"raw anchor link", `<a href="#s070">x</a>`, "<p>" + `<a href="#s070" rel="nofollow noopener">x</a>` + "</p>\n"},
		{"title kept", `<a title="t" href="/x">x</a> [y](/y "u")`,
			`<p><a href="/x" rel="nofollow noopener" title="t">x</a> <a href="/y" rel="nofollow noopener" title="u">y</a></p>` + "\n"},
		{"mailto", `<a href="mailto:a@example.org">a</a>`, "<p>" + `<a href="mailto:a@example.org" rel="nofollow noopener">a</a>` + "</p>\n"},
		{"area", `<map name="m"><area href="/x" rel="opener" shape="rect" coords="0,0,1,1"></map>`,
			"<p>" + `<map name="m"><area coords="0,0,1,1" href="/x" rel="nofollow noopener" shape="rect"></map>` + "</p>\n"},
		{"id dropped", `<h2 id="_news-h">Fake</h2>`, "<h5>Fake</h5>"},
		{"class and style dropped", `<p class="x" style="color:red">t</p>`, "<p>t</p>"},
		{"unknown tag keeps its text", "<custom-el>kept</custom-el> <font color=red>too</font>",
			"<p>kept too</p>\n"},
		{"form keeps its text", `<form action="https://evil.example/"><label>Name</label><input name="n"><button>Go</button></form>`,
			"NameGo"},
		{"script content vanishes", "<script>alert('gone')</script>\n\nafter", "\n<p>after</p>\n"},
		{"style content vanishes", "<style>p{color:red}</style>\n\nafter", "\n<p>after</p>\n"},
		{"iframe content vanishes", `<iframe srcdoc="<script>alert(1)</script>">inner</iframe>`, ""},
		{"comment dropped", "<!-- secret -->\n\ntext", "\n<p>text</p>\n"},
		{"unclosed tags closed", "<div><table><tr><td>cell", "<div><table><tbody><tr><td>cell</td></tr></tbody></table></div>"},
		{"stray end tags dropped", "</div></section></main>\n\n<p>x</p></div></div>", "\n<p>x</p>"},
		{"misnested inline", "<b><i>x</b>y</i>", "<p><b><i>x</i></b><i>y</i></p>\n"},
		{"data image dropped", `<img src="data:image/png;base64,iVBORw0KGgo=" alt="d">`, `<img alt="d">`},
		{"javascript image dropped", `<img src="javascript:alert(1)">`, ""},
		{"escaped text stays text", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
			"<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"},
	}
	checkRenders(t, tests)
}

// TestRenderHeadings holds headings, Markdown or raw, below the <h3> a post's
// title is on the agenda page.
func TestRenderHeadings(t *testing.T) {
	tests := []struct{ md, want string }{
		{"# a", "<h4>a</h4>\n"},
		{"## **Agenda**", "<h5><strong>Agenda</strong></h5>\n"},
		{"### a", "<h6>a</h6>\n"},
		{"#### a", "<h6>a</h6>\n"},
		{"###### a", "<h6>a</h6>\n"},
		{"a\n===", "<h4>a</h4>\n"},
		{"a\n---", "<h5>a</h5>\n"},
		{"<h1>a</h1>", "<h4>a</h4>"},
		{"<H2>a</H2>", "<h5>a</h5>"},
		{"<h3>a</h3><h4>b</h4><h5>c</h5><h6>d</h6>", "<h6>a</h6><h6>b</h6><h6>c</h6><h6>d</h6>"},
		{"<h1>a<h2>b</h2></h1>", "<h4>a</h4><h5>b</h5>"},
	}
	r := New()
	for _, tt := range tests {
		got, err := r.Render(tt.md)
		if err != nil {
			t.Fatalf("Render(%q): %v", tt.md, err)
		}
		if got != tt.want {
			t.Errorf("Render(%q)\n got %q\nwant %q", tt.md, got, tt.want)
		}
	}
}

// TestRenderDeep holds bodies nested deeper than the HTML parser takes (512
// elements) to keeping their text.
func TestRenderDeep(t *testing.T) {
	var reopen strings.Builder
	// Each paragraph reopens every formatting element the one before left
	// open, so the tree grows deeper than the tags read.
	for p := 0; p < 6; p++ {
		reopen.WriteString("<p>")
		for i := 0; i < 200; i++ {
			fmt.Fprintf(&reopen, `<b title="%d-%d">`, p, i)
		}
		reopen.WriteString("deep</p>")
	}
	tests := []struct{ name, md string }{
		{"raw", strings.Repeat("<div><b>", 600) + "deep"},
		{"markdown", strings.Repeat("> ", 700) + "deep"},
		{"lists", strings.Repeat("<ul><li>", 400) + "deep"},
		{"tables", strings.Repeat("<table><tr><td>", 300) + "deep"},
		{"formatting reopened", reopen.String()},
	}
	r := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Render(tt.md)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if !strings.Contains(got, "deep") {
				t.Errorf("Render lost the text: %q", got)
			}
			assertSafe(t, tt.md, got)
		})
	}
}

// hostile are inputs in the style of the OWASP XSS filter evasion cheat
// sheet; none may leave anything that runs, loads or restyles in the output.
var hostile = []string{
	`<img src=x onerror=alert(1)>`,
	`<IMG SRC="javascript:alert('XSS');">`,
	`<img src=x onerror="alert(1)"//`,
	`<img """><script>alert("XSS")</script>">`,
	`<a href="jAvAsCrIpT:alert(1)">x</a>`,
	`<a href=" javascript:alert(1)">x</a>`,
	`<a href="java&#x09;script:alert(1)">x</a>`,
	`<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>`,
	`<a href="jav	ascript:alert(1)">x</a>`,
	`<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>`,
	`<a href="vbscript:msgbox(1)">x</a>`,
	"[x](javascript:alert(1)) <javascript:alert(1)> [y](data:text/html,<script>alert(1)</script>)",
	`<svg onload=alert(1)>`,
	`<svg><script>alert(1)</script></svg>`,
	`<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>`,
	`<math href="javascript:alert(1)">x</math>`,
	`<div><p><b><i>unclosed`,
	`<table><tr><td><table><tr><td>nested`,
	`<!-- <img src=x onerror=alert(1)> -->`,
	`<!--><img src=x onerror=alert(1)>-->`,
	`<![CDATA[<img src=x onerror=alert(1)>]]>`,
	`<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>`,
	`<iframe src="https://evil.example/"></iframe>`,
	`<p style="background:url(javascript:alert(1))">x</p>`,
	`<div style="behavior: url(x.htc)">x</div>`,
	`<base href="https://evil.example/">`,
	`<form action="https://evil.example/"><input type="submit" formaction="javascript:alert(1)"></form>`,
	`<button formaction="javascript:alert(1)">x</button>`,
	`<meta http-equiv="refresh" content="0;url=https://evil.example/">`,
	`<link rel="stylesheet" href="https://evil.example/x.css">`,
	`<object data="https://evil.example/x.swf"></object>`,
	`<embed src="https://evil.example/x.swf">`,
	`<video><source onerror="alert(1)"></video>`,
	`<body onload=alert(1)>`,
	`<details open ontoggle=alert(1)>`,
	`<a href="https://example.org" onclick="alert(1)" onmouseover=alert(1)>x</a>`,
	`<a href="https://example.org" target="_blank" rel="opener">x</a>`,
	`<textarea><img src=x onerror=alert(1)></textarea>`,
	`<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
	`<xmp><img src=x onerror=alert(1)></xmp>`,
	`<plaintext><img src=x onerror=alert(1)>`,
	`<template><img src=x onerror=alert(1)></template>`,
	`<scr<script>ipt>alert(1)</scr</script>ipt>`,
	`<<script>alert(1)//<</script>`,
	`<img src="x` + "`" + `onerror=alert(1)` + "`" + `">`,
	`<p id="_news-h" name="x">x</p>`,
	`<h1 id="top">x</h1>`,
	`<style>@import "https://evil.example/x.css";</style>`,
	"</div></section></main></body><h1>fake</h1>",
}

var (
	forbiddenTagRE  = regexp.MustCompile(`(?i)<\s*/?\s*(script|style|iframe|frame|svg|math|base|form|input|button|meta|link|object|embed|video|audio|source|body|html|textarea|noscript|xmp|plaintext|template|h1|h2|h3)\b`)
	forbiddenAttrRE = regexp.MustCompile(`(?i)\s(style|id|class|target|srcdoc|formaction|xlink:href|name|content|http-equiv)\s*=`)
	dataSchemeRE    = regexp.MustCompile(`(?i)data:`)
	markupRE        = regexp.MustCompile(`(?i)<!--|<!\[CDATA\[|<!doctype`)
)

func TestRenderHostile(t *testing.T) {
	r := New()
	for _, md := range hostile {
		got, err := r.Render(md)
		if err != nil {
			t.Fatalf("Render(%q): %v", md, err)
		}
		assertSafe(t, md, got)
	}
}

// assertTight fails when html holds anything beyond the policy, a heading
// above h4, a link without exactly linkRel, or an end tag that does not close
// the element open at that point.
func assertTight(t *testing.T, md, out string) {
	t.Helper()
	var open []string
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		raw := string(z.Raw())
		switch tt {
		case html.CommentToken, html.DoctypeToken:
			t.Errorf("Render(%q) kept %q: %q", md, raw, out)
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			if forbiddenTagRE.MatchString(raw) {
				t.Errorf("Render(%q) kept the tag %q: %q", md, raw, out)
			}
			if m := forbiddenAttrRE.FindString(raw); m != "" && !strings.HasPrefix(raw, "<map ") {
				t.Errorf("Render(%q) kept %q in %q: %q", md, m, raw, out)
			}
			if dataSchemeRE.MatchString(raw) {
				t.Errorf("Render(%q) kept a data: URL in %q", md, raw)
			}
		}
		tok := z.Token()
		switch tt {
		case html.StartTagToken:
			if tok.Data == "a" || tok.Data == "area" {
				checkRel(t, md, tok)
			}
			if !isVoid(tok.Data) {
				open = append(open, tok.Data)
			}
		case html.EndTagToken:
			if len(open) == 0 || open[len(open)-1] != tok.Data {
				t.Errorf("Render(%q): %q closes nothing open (open: %v): %q", md, raw, open, out)
				continue
			}
			open = open[:len(open)-1]
		case html.SelfClosingTagToken:
			t.Errorf("Render(%q) wrote a self-closing tag %q", md, raw)
		}
	}
	if len(open) > 0 {
		t.Errorf("Render(%q) left %v open: %q", md, open, out)
	}
	if markupRE.MatchString(out) {
		t.Errorf("Render(%q) kept a comment, CDATA or doctype: %q", md, out)
	}
}

// checkRel fails unless a link has one rel, exactly linkRel, and an <a>
// without href has none.
func checkRel(t *testing.T, md string, tok html.Token) {
	t.Helper()
	href, rels := false, 0
	for _, a := range tok.Attr {
		switch a.Key {
		case "href":
			href = true
		case "rel":
			rels++
			if a.Val != linkRel {
				t.Errorf("Render(%q): %s with rel %q, want %q", md, tok, a.Val, linkRel)
			}
		}
	}
	if href && rels != 1 || !href && rels != 0 {
		t.Errorf("Render(%q): %s has %d rel attributes", md, tok, rels)
	}
}

// assertStable fails unless a browser parsing Render's output inside a
// <div> builds the tree Render wrote: nothing in it is re-nested or moved.
func assertStable(t *testing.T, md, out string) {
	t.Helper()
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(out), ctx)
	if err != nil {
		t.Fatalf("parse Render(%q): %v", md, err)
	}
	var b strings.Builder
	for _, n := range nodes {
		writeNode(&b, n)
	}
	again := b.String()
	if again != out {
		t.Errorf("Render(%q) is not stable:\n once  %q\n again %q", md, out, again)
	}
}
