// Package markup owns the one way agendafeed turns a post's Markdown body into
// HTML: CommonMark plus the GitHub extensions people expect (autolinked URLs,
// tables, strikethrough). Raw HTML in the Markdown passes through goldmark,
// as on GitHub and Gitea, because organisers paste HTML from their CMS and
// dropping it would drop their text with it. The one security boundary is
// then the sanitiser's allowlist (policy): whatever an editor or an import
// file writes, the stored HTML carries no script, no style, no frame, no
// form, no event handler, no id and no javascript: or data: URL into a feed
// reader or the agenda page. Elements the policy does not know are dropped
// and their text kept; script, style and frame content goes with its tags.
//
// After sanitising, the HTML is parsed as a browser parses a fragment and
// written back, so that a stray or missing end tag can never close or swallow
// the agenda page's own elements around the post. On that tree every link
// gets exactly rel="nofollow noopener", and headings are moved below the
// post's own <h3> on the agenda page (see shiftHeading).
//
// Rendering is pure: no clock, no I/O, and the same Markdown always gives
// byte-identical HTML.
package markup

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
	nethtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// linkRel is the rel every link carries: nofollow because the text is user
// content, noopener so that a linked page can never reach window.opener.
const linkRel = "nofollow noopener"

// Renderer turns Markdown into sanitised HTML. Build it once with New and
// reuse it; it is safe for concurrent use (goldmark and bluemonday objects
// are read-only once built).
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// New builds a Renderer.
func New() *Renderer {
	md := goldmark.New(
		goldmark.WithExtensions(extension.Linkify, extension.Table, extension.Strikethrough),
		// Unsafe also lets goldmark write javascript: link targets; the
		// policy drops those hrefs, and with them the <a>.
		goldmark.WithRendererOptions(html.WithUnsafe()),
	)
	return &Renderer{md: md, policy: policy()}
}

// Render converts Markdown to sanitised HTML.
func (r *Renderer) Render(md string) (string, error) {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(md), &buf); err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	out, err := normalise(r.policy.SanitizeReader(&buf).String())
	if err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	return out, nil
}

// Render converts Markdown to sanitised HTML with a Renderer built for this
// call. Code that renders many documents should keep one Renderer from New.
func Render(md string) (string, error) { return New().Render(md) }

// policy is bluemonday's user-generated-content policy (UGCPolicy) written
// out, less the global id attribute: an id from a post would duplicate the
// agenda page's own ids (the #anchors sessions and posts are linked by, the
// targets of its aria-labelledby) or clobber a global name in its script.
// Written out because a bluemonday policy can only be added to. lang is
// anchored, where UGCPolicy's pattern would accept any value with two letters
// in it.
//
// Not allowed: class, style, target and every on* attribute; form, its
// controls, svg, math, embed, video, audio, link, meta and base, which go
// but leave their text; and script, style, iframe, frame, object,
// noscript, noembed, noframes and title, which go with their content.
func policy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowAttrs("dir").Matching(bluemonday.Direction).Globally()
	p.AllowAttrs("lang").Matching(regexp.MustCompile(`^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$`)).Globally()
	p.AllowAttrs("title").Matching(bluemonday.Paragraph).Globally()

	// http, https, mailto and relative URLs only, which must parse; no
	// data: (so no data: images) and no javascript:.
	p.AllowStandardURLs()
	// bluemonday adds rel="nofollow" to a link; normalise makes it
	// exactly linkRel. No AddTargetBlankToFullyQualifiedLinks: links here
	// must not open new windows.
	p.RequireNoFollowOnLinks(true)

	p.AllowElements("article", "aside", "figure", "section", "summary")
	p.AllowAttrs("open").Matching(regexp.MustCompile(`(?i)^(|open)$`)).OnElements("details")
	p.AllowElements("h1", "h2", "h3", "h4", "h5", "h6", "hgroup")
	p.AllowAttrs("cite").OnElements("blockquote")
	p.AllowElements("br", "div", "hr", "p", "span", "wbr")

	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("name").Matching(regexp.MustCompile(`^([\p{L}\p{N}_-]+)$`)).OnElements("map")
	p.AllowAttrs("alt").Matching(bluemonday.Paragraph).OnElements("area")
	p.AllowAttrs("coords").Matching(regexp.MustCompile(`^([0-9]+,)+[0-9]+$`)).OnElements("area")
	p.AllowAttrs("href").OnElements("area")
	p.AllowAttrs("shape").Matching(regexp.MustCompile(`(?i)^(default|circle|rect|poly)$`)).OnElements("area")
	p.AllowAttrs("usemap").Matching(regexp.MustCompile(`(?i)^#[\p{L}\p{N}_-]+$`)).OnElements("img")

	p.AllowElements("abbr", "acronym", "cite", "code", "dfn", "em",
		"figcaption", "mark", "s", "samp", "strong", "sub", "sup", "var")
	p.AllowAttrs("cite").OnElements("q")
	p.AllowAttrs("datetime").Matching(bluemonday.ISO8601).OnElements("time")
	p.AllowElements("b", "i", "pre", "small", "strike", "tt", "u")
	p.AllowAttrs("dir").Matching(bluemonday.Direction).OnElements("bdi", "bdo")
	p.AllowElements("rp", "rt", "ruby")
	p.AllowAttrs("cite").Matching(bluemonday.Paragraph).OnElements("del", "ins")
	p.AllowAttrs("datetime").Matching(bluemonday.ISO8601).OnElements("del", "ins")

	p.AllowLists()
	p.AllowTables()
	p.AllowAttrs("value", "min", "max", "low", "high", "optimum").Matching(bluemonday.Number).OnElements("meter")
	p.AllowAttrs("value", "max").Matching(bluemonday.Number).OnElements("progress")
	p.AllowImages()
	return p
}

// normalise parses the sanitised fragment as a browser would inside the
// agenda page's <div class="body">, marks links and moves headings on the
// tree, and writes the tree back. Writing a tree closes every element it
// opens and no other: raw HTML with a stray </div> or an unclosed <table>
// stays inside its post.
func normalise(fragment string) (string, error) {
	if fragment == "" {
		return "", nil
	}
	nodes, err := parseFragment(fragment)
	// The parser refuses a tree more than 512 elements deep, which only
	// a crafted body reaches. Rather than refuse the post, its deepest
	// tags go (their text stays), as few as it takes. At depth 0 only void
	// elements are left, which always parse.
	for depth := 256; err != nil; depth /= 2 {
		nodes, err = parseFragment(flatten(fragment, depth))
		if depth == 0 {
			break
		}
	}
	if err != nil {
		return "", fmt.Errorf("parse sanitised html: %w", err)
	}
	var b strings.Builder
	b.Grow(len(fragment) + len(fragment)/8)
	for _, n := range nodes {
		rewrite(n)
		writeNode(&b, n)
	}
	return b.String(), nil
}

// parseFragment parses s as a browser parses it inside a <div>.
func parseFragment(s string) ([]*nethtml.Node, error) {
	ctx := &nethtml.Node{Type: nethtml.ElementNode, Data: "div", DataAtom: atom.Div}
	return nethtml.ParseFragment(strings.NewReader(s), ctx)
}

// flatten returns s, sanitised HTML, without the start tags that would open
// an element more than depth deep as the tags read (the parser can open more
// than that, so normalise may have to ask again for less), nor the end tags
// that close nothing open.
func flatten(s string, depth int) string {
	var b strings.Builder
	var open []string
	z := nethtml.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		if tt == nethtml.ErrorToken {
			return b.String()
		}
		// TagName lower-cases the name in the buffer Raw points into.
		raw := slices.Clone(z.Raw())
		switch tt {
		case nethtml.StartTagToken, nethtml.SelfClosingTagToken:
			name, _ := z.TagName()
			if !isVoid(string(name)) {
				if len(open) >= depth {
					continue
				}
				open = append(open, string(name))
			}
		case nethtml.EndTagToken:
			name, _ := z.TagName()
			i := len(open) - 1
			for i >= 0 && open[i] != string(name) {
				i--
			}
			if i < 0 {
				continue
			}
			open = open[:i]
		}
		b.Write(raw)
	}
}

// rewrite moves the headings and marks the links in the tree under n.
func rewrite(n *nethtml.Node) {
	if n.Type == nethtml.ElementNode {
		shiftHeading(n)
		if n.DataAtom == atom.A || n.DataAtom == atom.Area {
			setRel(n)
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		rewrite(c)
	}
}

// writeNode writes n as the sanitiser writes HTML (html.EscapeString for
// text and attribute values, void elements without a slash), so that
// Markdown without raw HTML keeps the bytes it had before normalise existed.
// Only text and elements reach it: the sanitiser drops comments and doctypes.
func writeNode(b *strings.Builder, n *nethtml.Node) {
	switch n.Type {
	case nethtml.TextNode:
		b.WriteString(nethtml.EscapeString(n.Data))
		return
	case nethtml.ElementNode:
	default:
		return
	}
	if n.Namespace != "" || isRawText(n.Data) {
		// Neither can come out of the sanitiser; were one to, its
		// content would not be text, so it goes whole.
		return
	}
	b.WriteByte('<')
	b.WriteString(n.Data)
	for _, a := range n.Attr {
		b.WriteByte(' ')
		b.WriteString(a.Key)
		b.WriteString(`="`)
		b.WriteString(nethtml.EscapeString(a.Val))
		b.WriteByte('"')
	}
	b.WriteByte('>')
	if isVoid(n.Data) {
		return
	}
	if c := n.FirstChild; c != nil && c.Type == nethtml.TextNode && strings.HasPrefix(c.Data, "\n") &&
		(n.DataAtom == atom.Pre || n.DataAtom == atom.Listing) {
		// The parser drops a newline right after <pre>: one written
		// here keeps the text's own leading newline.
		b.WriteByte('\n')
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		writeNode(b, c)
	}
	b.WriteString("</")
	b.WriteString(n.Data)
	b.WriteByte('>')
}

// shiftHeading moves a heading three levels down, h1 to h4, h2 to h5, and
// h3 to h6 to h6. On the agenda page a post sits under the series' <h1>, the
// "News" <h2> and the post's own <h3> title; "# Outcome" in its body is a
// section of the post, so one level below its title. Raw <h1> is moved as
// Markdown's "#" is, so the outline holds however the heading was written.
// In the feeds, where the post has no title heading around it, the levels
// are only smaller.
func shiftHeading(n *nethtml.Node) {
	switch n.DataAtom {
	case atom.H1:
		n.Data, n.DataAtom = "h4", atom.H4
	case atom.H2:
		n.Data, n.DataAtom = "h5", atom.H5
	case atom.H3, atom.H4, atom.H5:
		n.Data, n.DataAtom = "h6", atom.H6
	}
}

// setRel gives a link exactly linkRel, in place of the sanitiser's "nofollow"
// or whatever the raw HTML wrote, and an <a> or <area> with no href (so no
// link) no rel at all.
func setRel(n *nethtml.Node) {
	hasHref := false
	attrs := n.Attr[:0]
	for _, a := range n.Attr {
		switch {
		case a.Namespace != "":
		case a.Key == "rel":
			continue
		case a.Key == "href":
			hasHref = true
		}
		attrs = append(attrs, a)
	}
	if hasHref {
		attrs = append(attrs, nethtml.Attribute{Key: "rel", Val: linkRel})
	}
	// In key order, as the parser puts the attributes of an <a> (a
	// formatting element), so that a browser reads back the tree as
	// written; and as goldmark wrote Markdown links before normalise.
	slices.SortStableFunc(attrs, func(a, b nethtml.Attribute) int { return strings.Compare(a.Key, b.Key) })
	n.Attr = attrs
}

// isVoid reports whether element is an HTML void element: no content, no
// end tag.
func isVoid(element string) bool {
	switch element {
	case "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta",
		"param", "source", "track", "wbr":
		return true
	}
	return false
}

// isRawText reports whether the parser reads element's content as something
// other than markup.
func isRawText(element string) bool {
	switch element {
	case "iframe", "noembed", "noframes", "noscript", "plaintext", "script", "style", "textarea",
		"title", "xmp":
		return true
	}
	return false
}
