package news

import (
	"bufio"
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// The JSON Feed's items are written by hand rather than by encoding/json:
// its string encoder looks at one byte at a time and was half the cost of
// writing a feed (the items' HTML content is most of the bytes), which
// put the three formats of 10,000 items past their 250 ms. The bytes are
// those of encoding/json with SetEscapeHTML(false) on jsonItem:
// TestJSONItemsMatchEncodingJSON and FuzzJSONString compare them.

// writeJSONItem writes it as one line, the fields in encoding/json's order
// for jsonItem (gorilla/feeds' JSONItem fields first, then ours), empty
// optional fields left out as its omitempty tags say. It builds the line in
// scratch and returns it, grown, for the next item.
func writeJSONItem(w *bufio.Writer, it *jsonItem, scratch []byte) []byte {
	if !writtenByHand(it) {
		// A field this writer leaves out is set: encoding/json writes
		// the item, so nothing is lost (TestJSONItemEveryField).
		b := bytes.NewBuffer(scratch[:0])
		enc := json.NewEncoder(b)
		enc.SetEscapeHTML(false)
		enc.Encode(it) //nolint:errcheck // strings, slices and times: nothing fails
		w.Write(b.Bytes())
		return b.Bytes()
	}
	b := append(scratch[:0], `{"id":`...)
	b = appendJSONString(b, it.Id)
	b = appendJSONField(b, "url", it.Url)
	b = appendJSONField(b, "title", it.Title)
	b = appendJSONField(b, "content_html", it.ContentHTML)
	b = appendJSONField(b, "summary", it.Summary)
	if len(it.Authors) > 0 {
		b = append(b, `,"authors":[`...)
		for i, a := range it.Authors {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			if a.Name != "" {
				b = append(b, `"name":`...)
				b = appendJSONString(b, a.Name)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(it.Tags) > 0 {
		b = append(b, `,"tags":[`...)
		for i, t := range it.Tags {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, t)
		}
		b = append(b, ']')
	}
	b = appendJSONField(b, "date_published", it.Published)
	b = appendJSONField(b, "date_modified", it.Modified)
	b = appendJSONField(b, "language", it.Language)
	b = append(b, "}\n"...)
	w.Write(b)
	return b
}

// writtenByHand reports whether writeJSONItem's own encoding covers every
// field set in it: the ones Feed.WriteJSON sets. gorilla/feeds' JSONItem
// has more (and may gain more: TestJSONItemEveryField sets every field it
// has by reflection).
func writtenByHand(it *jsonItem) bool {
	j := &it.JSONItem
	if j.ExternalUrl != "" || j.ContentText != "" || j.Image != "" || j.BannerImage != "" ||
		j.PublishedDate != nil || j.ModifiedDate != nil || j.Author != nil || len(j.Attachments) > 0 {
		return false
	}
	for _, a := range j.Authors {
		if a == nil || a.Url != "" || a.Avatar != "" {
			return false
		}
	}
	return true
}

// appendJSONField appends ,"key":value unless value is empty (omitempty).
func appendJSONField(b []byte, key, value string) []byte {
	if value == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return appendJSONString(b, value)
}

// appendJSONString appends s quoted as encoding/json does without HTML
// escaping: '"' and '\\' escaped, control characters as \b \f \n \r \t or
// \u00XX, invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped (JavaScript
// would end a line there); everything else as it is.
func appendJSONString(b []byte, s string) []byte {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	b = append(b, '"')
	last := 0
	for i := 0; i < len(s); {
		// Eight bytes at a time while none needs a look: no byte below
		// 0x20 or from 0x80, no '"' and no '\\'. A borrow can flag a block
		// that needs nothing; it never hides one that does.
		if i+8 <= len(s) {
			x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
				uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
			q := x ^ '"'*ones
			bs := x ^ '\\'*ones
			if ((x-0x20*ones)|(q-ones)|(bs-ones)|x)&highs == 0 {
				i += 8
				continue
			}
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[last:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			last = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = append(b, s[last:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[last:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += n
			continue
		}
		i += n
		last = i
	}
	b = append(b, s[last:]...)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"
