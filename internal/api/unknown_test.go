package api

import (
	"encoding/json"
	"testing"
	"time"
)

type inner struct {
	Name string `json:"name"`
}

type Embedded struct {
	Lang string `json:"lang"`
}

type outer struct {
	Embedded
	Title  string            `json:"title"`
	Plain  string            // no tag: matched by field name
	Hidden string            `json:"-"`
	Who    *inner            `json:"who"`
	People []inner           `json:"people"`
	ByKey  map[string]inner  `json:"by_key"`
	When   time.Time         `json:"when"` // decodes itself
	Raw    json.RawMessage   `json:"raw"`
	Tags   map[string]string `json:"tags"`
}

func TestUnknownFieldPath(t *testing.T) {
	tests := []struct {
		body, name, want string
		ok               bool
	}{
		{`{"titl": 1}`, "titl", "titl", true},
		{`{"who": {"nme": "a"}}`, "nme", "who.nme", true},
		{`{"people": [{"name": "a"}, {"name": "b", "x": 1}]}`, "x", "people[1].x", true},
		{`{"by_key": {"k": {"y": 1}}}`, "y", "by_key.k.y", true},
		{`{"LANG": "en", "plain": "p", "TITLE": "t", "z": 1}`, "z", "z", true}, // case-insensitive, embedded, untagged
		{`{"Hidden": "h"}`, "Hidden", "Hidden", true},
		{`{"when": {"q": 1}}`, "q", "", false}, // inside a type that decodes itself
		{`{"raw": {"q": 1}}`, "q", "", false},
		{`{"title": "t"}`, "nothing", "", false},
		{`not json`, "x", "", false},
	}
	for _, tt := range tests {
		got, ok := unknownFieldPath([]byte(tt.body), &outer{}, tt.name)
		if got != tt.want || ok != tt.ok {
			t.Errorf("unknownFieldPath(%s, %q) = %q, %v; want %q, %v", tt.body, tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzUnknownFieldPath(f *testing.F) {
	f.Add([]byte(`{"people": [{"nme": 1}]}`), "nme")
	f.Add([]byte(`{"who": {"who": {"who": null}}}`), "who")
	f.Add([]byte(`[1, {"a": [2]}]`), "a")
	f.Fuzz(func(t *testing.T, body []byte, name string) {
		if path, ok := unknownFieldPath(body, &outer{}, name); ok && path == "" {
			t.Fatalf("ok with an empty path for %q", body)
		}
	})
}
