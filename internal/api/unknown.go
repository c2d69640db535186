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
// ...}) does not tell the client where to look. ok is false if it finds no
// such key, and the caller keeps the bare name.
func unknownFieldPath(data []byte, v any, name string) (path string, ok bool) {
	walkKeys(data, v, func(p, key string, fields map[string]reflect.Type) bool {
		if _, known := fieldType(fields, key); !known && key == name {
			path, ok = p, true
		}
		return ok
	})
	return path, ok
}

// inexactKey finds the first key of data that names a field of v only when
// case is ignored ("TITLE" for "title"), which encoding/json would accept.
func inexactKey(data []byte, v any) (path, want string, found bool) {
	walkKeys(data, v, func(p, key string, fields map[string]reflect.Type) bool {
		if _, exact := fields[key]; !exact {
			want, found = foldedField(fields, key)
			path = p
		}
		return found
	})
	return path, want, found
}

// walkKeys walks the JSON body data against the type v decodes into,
// matching keys to fields as encoding/json does (json tags, else field
// names, case-insensitively), and calls visit with the path of each key
// of an object that decodes into a struct, that key and the struct's
// fields, in a stable order, until visit returns true.
func walkKeys(data []byte, v any, visit func(path, key string, fields map[string]reflect.Type) bool) {
	var doc any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if dec.Decode(&doc) != nil {
		return
	}
	walkValue(doc, reflect.TypeOf(v), "", visit)
}

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

func walkValue(doc any, t reflect.Type, path string, visit func(path, key string, fields map[string]reflect.Type) bool) (stop bool) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || reflect.PointerTo(t).Implements(unmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return false // decodes itself: its keys are its own business
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
				if walkValue(x[k], t.Elem(), jsontext.Join(path, k), visit) {
					return true
				}
			}
		case reflect.Struct:
			fields := structFields(t)
			for _, k := range keys {
				p := jsontext.Join(path, k)
				if visit(p, k, fields) {
					return true
				}
				if ft, known := fieldType(fields, k); known && walkValue(x[k], ft, p, visit) {
					return true
				}
			}
		}
	case []any:
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			for i, e := range x {
				if walkValue(e, t.Elem(), path+"["+strconv.Itoa(i)+"]", visit) {
					return true
				}
			}
		}
	}
	return false
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

// foldedField is the field name key matches when case is ignored: the
// field encoding/json would store a key such as "TITLE" in, which the API
// refuses.
func foldedField(fields map[string]reflect.Type, key string) (string, bool) {
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range fields {
			if !yield(k) {
				return
			}
		}
	})
	for _, name := range names {
		if strings.EqualFold(name, key) {
			return name, true
		}
	}
	return "", false
}
