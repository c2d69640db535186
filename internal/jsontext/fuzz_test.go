package jsontext

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// FuzzCheckJSONText: the checks never panic; a text they pass is UTF-8;
// and on well-formed JSON, loneSurrogate agrees with encoding/json, which
// decodes exactly the unpaired halves to U+FFFD.
func FuzzCheckJSONText(f *testing.F) {
	for _, s := range []string{
		`{"a": "\ud83d\ude00"}`, `{"a": "\ud800"}`, `{"a": "\udc00\ud800"}`, `{"a": "x\\ud800"}`,
		`{"a": 1, "a": 2}`, `[{"b": [{"c": 1, "c": 2}]}]`, `{"a": "\"\ud800"}`, "{\"a\": \"\xff\"}", `"\ud83d\u0041"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if Check(data) == nil && !utf8.Valid(data) {
			t.Fatalf("%q passed, not UTF-8", data)
		}
		if !json.Valid(data) || !utf8.Valid(data) || bytes.Contains(data, []byte("\uFFFD")) || bytes.Contains(bytes.ToLower(data), []byte(`\ufffd`)) {
			return
		}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(v)
		replaced := bytes.Contains(raw, []byte("\uFFFD")) || bytes.Contains(raw, []byte(`\ufffd`))
		if _, lone := loneSurrogate(data); lone != replaced {
			t.Fatalf("%q: loneSurrogate %v, encoding/json replaced one: %v", data, lone, replaced)
		}
	})
}
