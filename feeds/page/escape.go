package page

import (
	"fmt"
	"html/template"
	"reflect"
	"slices"
	"strings"
)

// The escaper chains html/template puts on the actions of this package's
// templates, re-implemented to append to a buffer. Each matches the Go
// source of html/template (html.go, url.go, css.go, js.go) for the input
// types the views hold; a chain or type not listed here makes compile fail.
// TestProgramMatchesTemplate and the fuzz targets compare the bytes with
// html/template's.

type appendEscaper func(dst []byte, s string) []byte

var (
	typeHTML     = reflect.TypeFor[template.HTML]()
	typeHTMLAttr = reflect.TypeFor[template.HTMLAttr]()
	typeURL      = reflect.TypeFor[template.URL]()
	typeCSS      = reflect.TypeFor[template.CSS]()
	typeJS       = reflect.TypeFor[template.JS]()
)

func escaperFor(chain []string, typ reflect.Type) (appendEscaper, error) {
	if typ.Kind() != reflect.String {
		return nil, fmt.Errorf("printing a %s is not supported", typ)
	}
	plain := typ == reflect.TypeFor[string]()
	is := func(names ...string) bool { return slices.Equal(chain, names) }
	switch {
	// Text in an element and attribute values: typed HTML stays as it is
	// in text; everything else has the same five characters (and NUL)
	// replaced. The views hold template.HTML only for a post's body.
	case is("_html_template_htmlescaper") && typ == typeHTML:
		return appendRaw, nil
	case is("_html_template_htmlescaper") && (plain || typ == typeURL),
		is("_html_template_attrescaper") && (plain || typ == typeURL),
		is("_html_template_rcdataescaper") && plain:
		return appendHTMLEscaped, nil
	// A URL attribute: filter (unless typed URL), normalise, escape.
	case is("_html_template_urlfilter", "_html_template_urlnormalizer", "_html_template_attrescaper") && plain:
		return appendURLAttrValue, nil
	case is("_html_template_urlfilter", "_html_template_urlnormalizer", "_html_template_attrescaper") && typ == typeURL:
		return appendNormalizedURL, nil
	// Trusted content where its type says so: whole attributes we built
	// (hrefAttr), our own style sheet and script.
	case is("_html_template_htmlnamefilter") && typ == typeHTMLAttr,
		is("_html_template_cssvaluefilter") && typ == typeCSS,
		is("_html_template_jsvalescaper") && typ == typeJS:
		return appendRaw, nil
	}
	return nil, fmt.Errorf("escaper chain %s for a %s is not supported", strings.Join(chain, " | "), typ)
}

func appendRaw(dst []byte, s string) []byte { return append(dst, s...) }

// appendHTMLEscaped is htmlReplacer with htmlReplacementTable. That table
// only holds ASCII characters, which are never part of a multi-byte UTF-8
// sequence, so a byte loop replaces exactly what html/template's rune loop
// does and leaves invalid UTF-8 as it is, as that does.
func appendHTMLEscaped(dst []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); {
		// Most of a page's text has nothing to replace: skip it eight
		// bytes at a time (a fifth of a series page's CPU went to this
		// loop when it looked at every byte in the table).
		if i+8 <= len(s) {
			w := s[i : i+8]
			if !mayHoldHTMLSpecial(uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
				uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56) {
				i += 8
				continue
			}
		}
		c := s[i]
		i++
		if !htmlSpecial[c] {
			continue
		}
		var repl string
		switch c {
		case 0:
			repl = "\uFFFD"
		case '"':
			repl = "&#34;"
		case '&':
			repl = "&amp;"
		case '\'':
			repl = "&#39;"
		case '+':
			repl = "&#43;"
		case '<':
			repl = "&lt;"
		case '>':
			repl = "&gt;"
		}
		dst = append(dst, s[last:i-1]...)
		dst = append(dst, repl...)
		last = i
	}
	return append(dst, s[last:]...)
}

// htmlSpecial marks the bytes appendHTMLEscaped replaces.
var htmlSpecial = [256]bool{0: true, '"': true, '&': true, '\'': true, '+': true, '<': true, '>': true}

// mayHoldHTMLSpecial reports whether the eight bytes of x (a word loaded
// from the text) may hold one that appendHTMLEscaped replaces: never false
// when one does, and true for one other ('#'). It tests all eight at once:
// x has a zero byte iff (x - 0x01...01) & ^x & 0x80...80 is not zero, and a
// byte equals c iff it is zero once xored with c. Setting bits first lets
// one test cover bytes that differ in those bits only: 0x22, 0x23, 0x26 and
// 0x27 (double quote, '#', '&', apostrophe), and 0x3c and 0x3e ('<', '>');
// NUL and '+' have a test each.
func mayHoldHTMLSpecial(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	a, b, c := (x|0x05*ones)^0x27*ones, x^0x2b*ones, (x|0x02*ones)^0x3e*ones
	return ((x-ones)&^x|(a-ones)&^a|(b-ones)&^b|(c-ones)&^c)&highs != 0
}

// appendURLAttrValue is urlFilter | urlNormalizer | attrEscaper on a plain
// string.
func appendURLAttrValue(dst []byte, s string) []byte {
	if !isSafeURL(s) {
		return append(dst, "#ZgotmplZ"...)
	}
	return appendNormalizedURL(dst, s)
}

// appendNormalizedURL is urlNormalizer | attrEscaper: the normaliser leaves
// only ASCII, of which the escaper changes '&' and '+'.
func appendNormalizedURL(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '&':
			dst = append(dst, "&amp;"...)
		case c == '+':
			dst = append(dst, "&#43;"...)
		case urlKeep(c):
			dst = append(dst, c)
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			dst = append(dst, c)
		default:
			dst = append(dst, '%', lowerHex[c>>4], lowerHex[c&15])
		}
	}
	return dst
}
