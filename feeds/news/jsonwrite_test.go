package news

import (
	"bufio"
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	gfeeds "github.com/gorilla/feeds"
)

// encodingJSON is what writeJSONItem and appendJSONString must match:
// encoding/json without HTML escaping, as the feed's head is written.
func encodingJSON(t testing.TB, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

var jsonStringCases = []string{
	"",
	"plain ASCII text, long enough to take the eight-byte path twice",
	`<p class="x">a &amp; b</p>`,
	`quote " and backslash \ inside`,
	"\"\\\"\\\"\\\"\\", // every byte needs escaping
	"tab\tnewline\ncr\rformfeed\fbackspace\bnul\x00unit\x1fdel\x7f",
	"12345678\x01",      // a control byte after a clean block
	"1234567\"abcdefgh", // a quote at the end of a block
	"Café · 12:00–13:00 CET, 東京, emoji 🎉",
	"line\u2028separator\u2029paragraph",
	"bad \xff byte and \xe2\x80 cut sequence, \xed\xa0\x80 surrogate",
	"\x80\x80\x80\x80\x80\x80\x80\x80\x80",
	strings.Repeat("a\"", 40),
}

func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range jsonStringCases {
		got := string(appendJSONString(nil, s)) + "\n"
		if want := encodingJSON(t, s); got != want {
			t.Errorf("appendJSONString(%q)\n got %s\nwant %s", s, got, want)
		}
	}
}

func TestJSONItemsMatchEncodingJSON(t *testing.T) {
	full := jsonItem{
		JSONItem: gfeeds.JSONItem{
			Id:          "urn:uid:a@b",
			Url:         "https://agenda.example.org/s/#a",
			Title:       "17 Nov 2021, 12:00-13:00 CET · Open \"policy\" debate",
			ContentHTML: "<p><strong>When:</strong> 17 Nov 2021</p>\n<p>José &amp; co</p>",
			Summary:     "When: 17 Nov 2021\n\nJosé & co\u2028",
			Authors:     []*gfeeds.JSONAuthor{{Name: "City network"}},
			Tags:        []string{"housing", "fin\"ance"},
		},
		Published: "2021-11-01T10:00:00Z",
		Modified:  "2021-11-02T10:00:00Z",
		Language:  "es",
	}
	cases := map[string]jsonItem{
		"every field": full,
		"id only":     {JSONItem: gfeeds.JSONItem{Id: "x"}},
		"nothing":     {},
		"empty lists": {JSONItem: gfeeds.JSONItem{Id: "x", Tags: []string{}, Authors: []*gfeeds.JSONAuthor{}}},
		"nameless author and empty tag": {JSONItem: gfeeds.JSONItem{Id: "x",
			Authors: []*gfeeds.JSONAuthor{{}, {Name: "b"}}, Tags: []string{""}}},
	}
	for name, it := range cases {
		var b bytes.Buffer
		w := bufio.NewWriter(&b)
		writeJSONItem(w, &it, nil)
		w.Flush()
		if want := encodingJSON(t, &it); b.String() != want {
			t.Errorf("%s:\n got %s\nwant %s", name, b.String(), want)
		}
	}
}

// FuzzJSONString holds appendJSONString to encoding/json's bytes for any
// string, valid UTF-8 or not.
func FuzzJSONString(f *testing.F) {
	for _, s := range jsonStringCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := string(appendJSONString(nil, s)) + "\n"
		if want := encodingJSON(t, s); got != want {
			t.Errorf("appendJSONString(%q)\n got %s\nwant %s", s, got, want)
		}
	})
}

// TestJSONItemEveryField sets each field of a JSON Feed item, one at a
// time, by reflection (so a field gorilla/feeds adds is covered too), and
// holds writeJSONItem to encoding/json's bytes: a field the hand-written
// encoding does not know must not be dropped.
func TestJSONItemEveryField(t *testing.T) {
	var walk func(v reflect.Value, path string, set func(path string))
	walk = func(v reflect.Value, path string, set func(string)) {
		for i := range v.NumField() {
			f := v.Type().Field(i)
			p := path + "." + f.Name
			if f.Anonymous {
				walk(v.Field(i), p, set)
				continue
			}
			set(p)
		}
	}
	walk(reflect.ValueOf(jsonItem{}), "jsonItem", func(path string) {
		it := jsonItem{JSONItem: gfeeds.JSONItem{Id: "x"}}
		fillField(t, reflect.ValueOf(&it).Elem(), path[len("jsonItem."):])
		var b bytes.Buffer
		w := bufio.NewWriter(&b)
		writeJSONItem(w, &it, nil)
		w.Flush()
		if want := encodingJSON(t, &it); b.String() != want {
			t.Errorf("%s set:\n got %s\nwant %s", path, b.String(), want)
		}
	})
}

// fillField gives the field at path (Name or Embedded.Name) of v a value
// that is not empty, whatever its type.
func fillField(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	for name := range strings.SplitSeq(path, ".") {
		v = v.FieldByName(name)
	}
	fillValue(t, v, path)
}

func fillValue(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		v.SetString("set \"" + path + "\"")
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(42)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillValue(t, v.Elem(), path)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fillValue(t, v.Index(0), path)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2021, 11, 17, 12, 0, 0, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillValue(t, v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		}
	default:
		t.Fatalf("%s: cannot fill a %s", path, v.Kind())
	}
}
