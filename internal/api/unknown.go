package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"github.com/agendafeed/agendafeed/internal/jsontext"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// unknownFieldPath finds where in data the unknown field encoding/json
// reported as name lies, as a path such as "people[1].nme": the decoder
// names only the key, which for a nested object ("organizer": {"phone":
// ...}) does not tell the client where to look. It walks the body against
// the type v decodes into, matching keys as encoding/json does (json tags,
// else field names, case-insensitively); ok is false if it finds no such
// key, and the caller keeps the bare name.
func unknownFieldPath(data []byte, v any, name string) (path string, ok bool) {
	var doc any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if dec.Decode(&doc) != nil {
		return "", false
	}
	return findUnknown(doc, reflect.TypeOf(v), "", name)
}

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

func findUnknown(doc any, t reflect.Type, path, name string) (string, bool) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || reflect.PointerTo(t).Implements(unmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return "", false // decodes itself: its keys are its own business
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
				if p, ok := findUnknown(x[k], t.Elem(), jsontext.Join(path, k), name); ok {
					return p, true
				}
			}
		case reflect.Struct:
			fields := structFields(t)
			for _, k := range keys {
				ft, known := fieldType(fields, k)
				if !known {
					if k == name {
						return jsontext.Join(path, k), true
					}
					continue
				}
				if p, ok := findUnknown(x[k], ft, jsontext.Join(path, k), name); ok {
					return p, true
				}
			}
		}
	case []any:
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			for i, e := range x {
				if p, ok := findUnknown(e, t.Elem(), path+"["+strconv.Itoa(i)+"]", name); ok {
					return p, true
				}
			}
		}
	}
	return "", false
}

// structFields lists the JSON names of t's fields, embedded structs' fields
// included, as encoding/json sees them.
func structFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range structFields(ft) {
					if _, shadowed := out[k]; !shadowed {
						out[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// fieldType matches a key to a field: exactly, else case-insensitively,
// as encoding/json does.
func fieldType(fields map[string]reflect.Type, key string) (reflect.Type, bool) {
	if t, ok := fields[key]; ok {
		return t, true
	}
	for k, t := range fields {
		if strings.EqualFold(k, key) {
			return t, true
		}
	}
	return nil, false
}
