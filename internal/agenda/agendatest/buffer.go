// Package agendatest helps test code that keeps agenda values past the
// snapshot they came from. The store decodes each series' sessions so
// that all their strings are parts of one buffer: something that keeps one
// of them keeps the whole buffer alive. These helpers build such values
// and find the strings that still point into a buffer.
package agendatest

import (
	"fmt"
	"reflect"
	"strings"
	"unsafe"
)

// IntoOneBuffer rewrites every non-empty string reachable from v (a
// pointer) so that all are parts of one new buffer, which it returns, as
// the store's packed snapshots are.
func IntoOneBuffer(v any) string {
	var all []reflect.Value
	walk(reflect.ValueOf(v), "", func(s reflect.Value, _ string) { all = append(all, s) })
	var b strings.Builder
	for _, s := range all {
		b.WriteString(s.String())
	}
	buf := b.String()
	off := 0
	for _, s := range all {
		n := s.Len()
		if !s.CanSet() {
			panic(fmt.Sprintf("agendatest: a string of %T cannot be set", v))
		}
		s.SetString(buf[off : off+n])
		off += n
	}
	return buf
}

// InBuffer returns the paths of the strings reachable from v that point
// into buf's memory, map keys included.
func InBuffer(v any, buf string) []string {
	var out []string
	walk(reflect.ValueOf(v), "", func(s reflect.Value, path string) {
		if within(s.String(), buf) {
			out = append(out, path)
		}
	})
	return out
}

func within(s, buf string) bool {
	if s == "" || buf == "" {
		return false
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	start := uintptr(unsafe.Pointer(unsafe.StringData(buf)))
	return p >= start && p < start+uintptr(len(buf))
}

// walk calls f on every non-empty string reachable from v, in a fixed
// order. Unexported fields are read (and, through an addressable value,
// written) with unsafe: what a package keeps is mostly unexported.
func walk(v reflect.Value, path string, f func(s reflect.Value, path string)) {
	seen := map[uintptr]bool{}
	var rec func(v reflect.Value, path string)
	rec = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.String:
			if v.Len() > 0 {
				f(v, path)
			}
		case reflect.Pointer:
			if v.IsNil() || seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
			rec(v.Elem(), path)
		case reflect.Interface:
			if !v.IsNil() {
				rec(v.Elem(), path)
			}
		case reflect.Struct:
			for i := range v.NumField() {
				fv := v.Field(i)
				if !fv.CanInterface() && fv.CanAddr() {
					fv = reflect.NewAt(fv.Type(), unsafe.Pointer(fv.UnsafeAddr())).Elem()
				}
				rec(fv, path+"."+v.Type().Field(i).Name)
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				rec(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
			}
		case reflect.Map:
			it := v.MapRange()
			for it.Next() {
				k := it.Key()
				if k.Kind() == reflect.String && k.Len() > 0 {
					f(k, fmt.Sprintf("%s[key %q]", path, k.String()))
				}
				rec(it.Value(), fmt.Sprintf("%s[%v]", path, k))
			}
		}
	}
	rec(v, path)
}
