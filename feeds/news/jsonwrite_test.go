package news

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"

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
