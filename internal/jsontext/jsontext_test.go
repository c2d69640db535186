package jsontext

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		name, data string
		kind       Kind
		offset     int
		msg        string
	}{
		{"fine", `{"a": "\ud83d\ude00 ok", "b": [{"c": 1}, {"c": 2}]}`, 0, 0, ""},
		{"not JSON passes", `{"a": `, 0, 0, ""},
		{"escaped backslash", `{"a": "x\\ud800"}`, 0, 0, ""},
		{"invalid UTF-8", "{\"a\": \"x\xffy\"}", InvalidUTF8, 8, "invalid UTF-8 at byte 9; expected UTF-8 text"},
		{"high half alone", `{"a": "\ud800"}`, LoneSurrogate, 7, `escape \ud800 at byte 8 is half of a UTF-16 surrogate pair; expected a pair (\uD83D\uDE00) or the character itself`},
		{"halves reversed", `{"a": "\udc00\ud800"}`, LoneSurrogate, 7, `escape \udc00 at byte 8 is half of a UTF-16 surrogate pair; expected a pair (\uD83D\uDE00) or the character itself`},
		{"high half then a letter", `{"a": "\ud83d\u0041"}`, LoneSurrogate, 7, `escape \ud83d at byte 8 is half of a UTF-16 surrogate pair; expected a pair (\uD83D\uDE00) or the character itself`},
		{"key twice", `{"a": 1, "a": 2}`, DuplicateKey, 12, "a: given twice; each field may appear once"},
		{"32 levels", `{"a": ` + strings.Repeat("[", 31) + strings.Repeat("]", 31) + `}`, 0, 0, ""},
		{"33 levels", `{"a": ` + strings.Repeat("[", 32) + strings.Repeat("]", 32) + `}`, TooDeep, 37, "nested more than 32 levels deep at byte 38"},
		{"brackets in strings do not count", `{"a": "` + strings.Repeat("[", 40) + `\"` + strings.Repeat("{", 40) + `"}`, 0, 0, ""},
		{"nested key twice", `[{"b": [{"c": 1, "c": 2}]}]`, DuplicateKey, 20, "[0].b[0].c: given twice; each field may appear once"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := Check([]byte(c.data))
			if c.kind == 0 {
				if e != nil {
					t.Fatalf("Check = %v, want nil", e)
				}
				return
			}
			if e == nil || e.Kind != c.kind || e.Offset != c.offset || e.Error() != c.msg {
				t.Fatalf("Check = %+v (%v); want kind %d offset %d %q", e, e, c.kind, c.offset, c.msg)
			}
		})
	}
	if e := CheckEncoding([]byte(`{"a": 1, "a": 2}`)); e != nil {
		t.Errorf("CheckEncoding refused a duplicate key: %v", e)
	}
}
