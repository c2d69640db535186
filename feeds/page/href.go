package page

import (
	"html/template"
	"strings"
)

// The links the page builds itself (a session's .ics, "add to Google
// Calendar", "add to Outlook.com") are long, and html/template's filter,
// normaliser and attribute escaper would walk each of them byte by byte
// through three reflective calls, per session. hrefAttr does exactly what
// that pipeline does for <a href="{{.}}"> and returns the whole attribute as
// template.HTMLAttr, which the template inserts as is. It is only ever given
// URLs this package assembled from escaped parts (values encoded through queryOut
// after a fixed base); user-entered URLs still go through the template.
// TestHrefAttrMatchesTemplate and FuzzHrefAttr hold the bytes to
// html/template's own.

// hrefAttr returns href="u", with u filtered, normalised and escaped as
// html/template does for a string in a URL attribute.
func hrefAttr(u string) template.HTMLAttr {
	b := make([]byte, 0, len(u)+len(u)/8+8)
	return template.HTMLAttr(appendHrefAttr(b, u))
}

// appendHrefAttr appends href="u" to b; see hrefAttr.
func appendHrefAttr(b []byte, u string) []byte {
	b = append(b, `href="`...)
	b = appendURLAttrValue(b, u)
	return append(b, '"')
}

const lowerHex = "0123456789abcdef"

// urlKeep reports whether html/template's URL normaliser keeps c as it is
// (RFC 3986 unreserved and reserved characters, but for the quote and
// parentheses, which it encodes) and its attribute escaper leaves it alone
// too ('&' and '+' are kept by the first and escaped by the second).
func urlKeep(c byte) bool {
	switch c {
	case '!', '#', '$', '*', ',', '/', ':', ';', '=', '?', '@', '[', ']', '-', '.', '_', '~':
		return true
	}
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isSafeURL is html/template's test: no scheme, or http, https or mailto.
func isSafeURL(s string) bool {
	if protocol, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(protocol, "/") {
		if !strings.EqualFold(protocol, "http") && !strings.EqualFold(protocol, "https") && !strings.EqualFold(protocol, "mailto") {
			return false
		}
	}
	return true
}
