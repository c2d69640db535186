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

	"github.com/agendafeed/agendafeed/internal/jsontext"
)

// checkJSONText holds a request body to the JSON text rules of package
// jsontext (UTF-8, no half surrogate pairs, no key twice), the rules import
// files follow too, in the API's words.
func checkJSONText(data []byte) error {
	e := jsontext.Check(data)
	if e == nil {
		return nil
	}
	switch e.Kind {
	case jsontext.InvalidUTF8:
		return errf(http.StatusBadRequest, "", "", "invalid UTF-8 at byte %d of the body; expected UTF-8 text", e.Offset+1)
	case jsontext.DuplicateKey:
		return errf(http.StatusBadRequest, e.Path, "", "%s", e.Error())
	}
	return errf(http.StatusBadRequest, "", "", "%s", e.Error())
}

// The rest holds bodies to what encoding/json does not: it matches keys to
// fields case-insensitively, which silently stores a field the client did
// not name.

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
				if p, w, ok := findInexact(x[k], t.Elem(), jsontext.Join(path, k)); ok {
					return p, w, true
				}
			}
		case reflect.Struct:
			fields := structFields(t)
			for _, k := range keys {
				ft, exact := fields[k]
				if !exact {
					if name, ok := foldedField(fields, k); ok {
						return jsontext.Join(path, k), name, true
					}
					continue // unknown: the decoder names it
				}
				if p, w, ok := findInexact(x[k], ft, jsontext.Join(path, k)); ok {
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
