// Package markup owns the one way agendafeed turns a post's Markdown body into
// HTML: CommonMark plus the GitHub extensions people expect (autolinked URLs,
// tables, strikethrough), rendered without raw-HTML passthrough and then
// sanitised with bluemonday's user-generated-content policy, so that whatever
// an editor or an import file writes, the stored HTML carries no script, no
// event handler and no javascript: URL into a feed reader or the agenda page.
//
// Rendering is pure: no clock, no I/O, and the same Markdown always gives
// byte-identical HTML.
package markup

import (
	"bytes"
	"fmt"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
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
		// The rel is set on the AST rather than by bluemonday because
		// bluemonday adds noopener only together with target="_blank", and
		// links here must not open new windows.
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(relTransformer{}, 1000))),
		// No html.WithUnsafe: raw HTML in the Markdown is dropped by goldmark
		// already, and bluemonday is the second line of defence.
	)
	policy := bluemonday.UGCPolicy()
	policy.RequireNoFollowOnLinks(true)
	policy.AddTargetBlankToFullyQualifiedLinks(false)
	// Only the exact rel value the transformer writes survives; the Markdown
	// has no way to set attributes itself.
	policy.AllowAttrs("rel").Matching(regexp.MustCompile(`^` + linkRel + `$`)).OnElements("a")
	return &Renderer{md: md, policy: policy}
}

// Render converts Markdown to sanitised HTML.
func (r *Renderer) Render(md string) (string, error) {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(md), &buf); err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	return r.policy.SanitizeReader(&buf).String(), nil
}

// Render converts Markdown to sanitised HTML with a Renderer built for this
// call. Code that renders many documents should keep one Renderer from New.
func Render(md string) (string, error) { return New().Render(md) }

// relTransformer marks every link and autolink with linkRel.
type relTransformer struct{}

func (relTransformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	source := reader.Source()
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch l := n.(type) {
		case *ast.Link:
			// A dangerous URL is blanked by goldmark and its href then
			// dropped by bluemonday; without a rel the empty <a> goes too.
			if !html.IsDangerousURL(l.Destination) {
				n.SetAttributeString("rel", []byte(linkRel))
			}
		case *ast.AutoLink:
			if !html.IsDangerousURL(l.URL(source)) {
				n.SetAttributeString("rel", []byte(linkRel))
			}
		}
		return ast.WalkContinue, nil
	})
}
