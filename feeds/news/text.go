package news

import (
	"html"
	"strings"
	"unicode/utf8"
)

// xmlText returns s reduced to characters XML 1.0 allows (the Char
// production: tab, newline, carriage return, U+0020-U+D7FF, U+E000-U+FFFD,
// U+10000-U+10FFFF). Everything else is removed: C0 controls, U+FFFE and
// U+FFFF, and bytes that are not UTF-8 (which is how a lone surrogate arrives
// in a Go string). Line ends become LF, as an XML parser would turn them
// inside CDATA, so that every format carries the same text. encoding/xml replaces such characters in character data
// but writes CDATA raw, where one of them makes the whole document
// unreadable; cleaning every string once here keeps the three formats
// identical. The common case, clean text, returns s without allocating.
func xmlText(s string) string {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for i := 0; i < len(s); {
		// Eight bytes at a time while they are all printable ASCII (no
		// byte below 0x20 or from 0x80): most of a feed's text. The test
		// can report a byte below 0x20 that is not there (a borrow), never
		// miss one; such blocks take the byte-wise path below.
		if i+8 <= len(s) {
			x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
				uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
			if (x-0x20*ones)&^x&highs == 0 && x&highs == 0 {
				i += 8
				continue
			}
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' {
				return xmlTextFrom(s, i)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || !isXMLChar(r) {
			return xmlTextFrom(s, i)
		}
		i += n
	}
	return s
}

// xmlTextFrom rebuilds s, whose first i bytes are clean.
func xmlTextFrom(s string, i int) string {
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		if s[i] == '\r' {
			if i+1 >= len(s) || s[i+1] != '\n' {
				b.WriteByte('\n')
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !(r == utf8.RuneError && n == 1) && isXMLChar(r) {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func isXMLChar(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r >= 0x20 && r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	case r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

func xmlTexts(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if s = xmlText(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// escapeHTML escapes user text for HTML content, as html.EscapeString.
func escapeHTML(s string) string { return html.EscapeString(s) }

// writeHTML writes s escaped as html.EscapeString does, straight into b: the
// content of 10,000 sessions is built this way without a string per piece.
func writeHTML(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '&':
			esc = "&amp;"
		case '\'':
			esc = "&#39;"
		case '"':
			esc = "&#34;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(esc)
		last = i + 1
	}
	b.WriteString(s[last:])
}

// writeLink writes <a href="u">text</a> for an http(s) URL and the escaped
// text alone for anything else, so that a javascript: or data: URL that
// slipped past validation never becomes a link in a reader.
func writeLink(b *strings.Builder, u, text string) {
	if !isWebURL(u) {
		writeHTML(b, text)
		return
	}
	b.WriteString(`<a href="`)
	writeHTML(b, u)
	b.WriteString(`">`)
	writeHTML(b, text)
	b.WriteString("</a>")
}

func isWebURL(u string) bool {
	return len(u) > 8 && (strings.EqualFold(u[:7], "http://") || strings.EqualFold(u[:8], "https://"))
}

// iriEscape percent-escapes what may not stand in the path of a URN: a
// character outside the ASCII unreserved, sub-delims, ':', '@' and '/' set
// (or '%', so that escaping stays one-to-one). '&' is escaped too although
// IRIs allow it: some readers (@rowanmanning/feed-parser) decode entities a
// second time, and an id must read back exactly. Session UIDs are
// "<uuid>@<domain>" in practice and come out unchanged.
func iriEscape(s string) string {
	const hex = "0123456789ABCDEF"
	clean := true
	for i := 0; i < len(s); i++ {
		if !iriSafe(s[i]) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if iriSafe(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func iriSafe(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$'()*+,;=:@/", c) >= 0
}
