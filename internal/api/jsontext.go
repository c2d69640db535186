package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"unicode/utf8"
)

// The checks below hold request bodies to the rules import files already
// follow (docs/agenda-format.md), where encoding/json is more lenient: it
// turns invalid UTF-8 and unpaired surrogate escapes into U+FFFD, keeps the
// last of two equal keys, and matches keys to fields case-insensitively.
// Each of those silently stores something the client did not send.

// checkJSONText refuses a body that is not UTF-8, holds a \u escape of half
// a surrogate pair, or repeats a key within one object. A body that is not
// well-formed JSON passes: the decoder's own message says where it breaks.
func checkJSONText(data []byte) error {
	if !utf8.Valid(data) {
		at := 0
		for at < len(data) {
			r, size := utf8.DecodeRune(data[at:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			at += size
		}
		return errf(http.StatusBadRequest, "", "", "invalid UTF-8 at byte %d of the body; expected UTF-8 text", at+1)
	}
	if at, ok := loneSurrogate(data); ok {
		return errf(http.StatusBadRequest, "", "", "escape %s at byte %d is half of a UTF-16 surrogate pair; expected a pair (\\uD83D\\uDE00) or the character itself", data[at:at+6], at+1)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if path, key, dup, _ := duplicateKey(dec, ""); dup {
		return errf(http.StatusBadRequest, join(path, key), "", "%s: given twice; each field may appear once", join(path, key))
	}
	return nil
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
			if at, key, dup, stop := duplicateKey(dec, join(path, k)); stop {
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

// inexactKey finds the first key of data that names a field of v only when
// case is ignored ("TITLE" for "title"), which encoding/json would accept.
func inexactKey(data []byte, v any) (path, want string, found bool) {
	var doc any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return "", "", false
	}
	return findInexact(doc, reflect.TypeOf(v), "")
}

func findInexact(doc any, t reflect.Type, path string) (string, string, bool) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || reflect.PointerTo(t).Implements(unmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return "", "", false
	}
	switch x := doc.(type) {
	case map[string]any:
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range x {
				if !yield(k) {
					return
				}
			}
		})
		switch t.Kind() {
		case reflect.Map:
			for _, k := range keys {
				if p, w, ok := findInexact(x[k], t.Elem(), join(path, k)); ok {
					return p, w, true
				}
			}
		case reflect.Struct:
			fields := structFields(t)
			for _, k := range keys {
				ft, exact := fields[k]
				if !exact {
					if name, ok := foldedField(fields, k); ok {
						return join(path, k), name, true
					}
					continue // unknown: the decoder names it
				}
				if p, w, ok := findInexact(x[k], ft, join(path, k)); ok {
					return p, w, true
				}
			}
		}
	case []any:
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			for i, e := range x {
				if p, w, ok := findInexact(e, t.Elem(), path+"["+strconv.Itoa(i)+"]"); ok {
					return p, w, true
				}
			}
		}
	}
	return "", "", false
}

// foldedField is the field name key matches when case is ignored.
func foldedField(fields map[string]reflect.Type, key string) (string, bool) {
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range fields {
			if !yield(k) {
				return
			}
		}
	})
	for _, name := range names {
		if bytes.EqualFold([]byte(name), []byte(key)) {
			return name, true
		}
	}
	return "", false
}
