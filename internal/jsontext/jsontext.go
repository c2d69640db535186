// Package jsontext owns the JSON text rules every input path holds bodies
// and files to, the admin API's request bodies and JSON agenda files alike:
// the text is UTF-8, a \u escape never encodes half of a surrogate pair, and
// an object never holds one key twice. encoding/json is more lenient: it
// turns invalid UTF-8 and unpaired surrogate escapes into U+FFFD and keeps
// the last of two equal keys, each of which silently stores something the
// sender did not write. Text that is not well-formed JSON passes these
// checks: the decoder's own message says where it breaks.
package jsontext

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Kind is the rule a text breaks.
type Kind int

const (
	InvalidUTF8   Kind = iota + 1 // bytes that are not UTF-8
	LoneSurrogate                 // a \u escape of half a surrogate pair
	DuplicateKey                  // one key twice in an object
	TooDeep                       // arrays and objects nested more than MaxDepth deep
)

// MaxDepth bounds how deep arrays and objects may nest: the top-level
// object is depth 1. No input format needs more than a few levels; the
// bound keeps hostile text from making the walks below, and the decoders
// after them, recurse and allocate without end (a path string per level
// grows with the square of the depth).
const MaxDepth = 32

// Error is the first place a text breaks a rule.
type Error struct {
	Kind   Kind
	Offset int    // of the offending byte or escape (DuplicateKey: of the end of the key), from 0
	Escape string // LoneSurrogate: the escape as written (\ud800)
	Path   string // DuplicateKey: the key's path, such as people[1].name
}

func (e *Error) Error() string {
	switch e.Kind {
	case InvalidUTF8:
		return fmt.Sprintf("invalid UTF-8 at byte %d; expected UTF-8 text", e.Offset+1)
	case LoneSurrogate:
		return fmt.Sprintf("escape %s at byte %d is half of a UTF-16 surrogate pair; expected a pair (\\uD83D\\uDE00) or the character itself", e.Escape, e.Offset+1)
	case TooDeep:
		return fmt.Sprintf("nested more than %d levels deep at byte %d", MaxDepth, e.Offset+1)
	default:
		return fmt.Sprintf("%s: given twice; each field may appear once", e.Path)
	}
}

// CheckEncoding refuses text that is not UTF-8 or holds a \u escape of
// half a surrogate pair: what encoding/json would replace with U+FFFD.
func CheckEncoding(data []byte) *Error {
	if !utf8.Valid(data) {
		at := 0
		for at < len(data) {
			r, size := utf8.DecodeRune(data[at:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			at += size
		}
		return &Error{Kind: InvalidUTF8, Offset: at}
	}
	if at, ok := loneSurrogate(data); ok {
		return &Error{Kind: LoneSurrogate, Offset: at, Escape: string(data[at : at+6])}
	}
	return nil
}

// CheckDepth refuses text whose arrays and objects nest more than MaxDepth
// deep. It is one pass over the bytes with no allocation, so it runs
// before anything that walks or decodes the text.
func CheckDepth(data []byte) *Error {
	depth, inString := 0, false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case inString && c == '\\':
			i++ // the escaped byte cannot end the string
		case c == '"':
			inString = !inString
		case inString:
		case c == '[' || c == '{':
			if depth++; depth > MaxDepth {
				return &Error{Kind: TooDeep, Offset: i}
			}
		case c == ']' || c == '}':
			depth-- // unbalanced text is the decoder's to report
		}
	}
	return nil
}

// Check is CheckEncoding and CheckDepth, then refuses a key given twice in
// one object.
func Check(data []byte) *Error {
	if e := CheckEncoding(data); e != nil {
		return e
	}
	if e := CheckDepth(data); e != nil {
		return e
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if path, key, dup, _ := duplicateKey(dec, ""); dup {
		return &Error{Kind: DuplicateKey, Offset: int(dec.InputOffset()), Path: Join(path, key)}
	}
	return nil
}

// Join is the path of key in the object at path.
func Join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// loneSurrogate finds a \uD800-\uDFFF escape inside a string that is not a
// high half followed by a low half.
func loneSurrogate(data []byte) (at int, ok bool) {
	inString := false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			inString = !inString
		case c == '\\' && inString && i+1 < len(data):
			if data[i+1] != 'u' {
				i++ // \" or \\: the next byte is escaped
				continue
			}
			r, okHex := hex4(data, i+2)
			switch {
			case !okHex:
				continue // malformed: the decoder says where
			case r < 0xD800 || r > 0xDFFF:
			case r >= 0xDC00:
				return i, true
			default:
				if lo, okLo := hex4(data, i+8); i+7 < len(data) && data[i+6] == '\\' && data[i+7] == 'u' && okLo && lo >= 0xDC00 && lo <= 0xDFFF {
					i += 11
					continue
				}
				return i, true
			}
			i += 5
		}
	}
	return 0, false
}

func hex4(data []byte, at int) (rune, bool) {
	if at+4 > len(data) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(data[at:at+4]), 16, 16)
	return rune(n), err == nil
}

// duplicateKey walks one JSON value and reports the first key an object
// holds twice (dup), with the path of that object. Either that or a syntax
// error ends the walk (stop); a syntax error is not reported here: the
// decoder's own message says where.
func duplicateKey(dec *json.Decoder, path string) (at, key string, dup, stop bool) {
	tok, err := dec.Token()
	if err != nil {
		return "", "", false, true
	}
	switch tok {
	case json.Delim('{'):
		var seen []string
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				return "", "", false, true
			}
			k, _ := t.(string)
			if slices.Contains(seen, k) {
				return path, k, true, true
			}
			seen = append(seen, k)
			if at, key, dup, stop := duplicateKey(dec, Join(path, k)); stop {
				return at, key, dup, true
			}
		}
		if _, err := dec.Token(); err != nil {
			return "", "", false, true
		}
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if at, key, dup, stop := duplicateKey(dec, path+"["+strconv.Itoa(i)+"]"); stop {
				return at, key, dup, true
			}
		}
		if _, err := dec.Token(); err != nil {
			return "", "", false, true
		}
	}
	return "", "", false, false
}
