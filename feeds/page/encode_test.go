package page

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// queryAllowed holds the bytes an encoded query value may hold: RFC 3986's
// unreserved characters, the sub-delims and ':', '@', '/', '?' that
// queryOut keeps, '+' for a space and '%' for an escape.
const queryAllowed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$()*,:@/?+%"

func encodeValue(s string) string {
	e := eventLink{}
	e.value(s)
	return string(e.b)
}

func TestEncodeValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Smart Cities, Pillars (2021)", "Smart+Cities,+Pillars+(2021)"},
		{"https://meet.example.org/room?pwd=a&b=c#x", "https://meet.example.org/room?pwd%3Da%26b%3Dc%23x"},
		{"mail@example.org!$*:", "mail@example.org!$*:"},
		// Changed by a form decoder, split on by some servers, or five
		// bytes in the attribute.
		{"a&b=c+d;e%f'g", "a%26b%3Dc%2Bd%3Be%25f%27g"},
		// Not allowed in a URL at all.
		{"\"<>\\^`{|}[]", "%22%3C%3E%5C%5E%60%7B%7C%7D%5B%5D"},
		{"line\nnext\ttab\x00\x7f", "line%0Anext%09tab%00%7F"},
		{"é…Ж中😀", "%C3%A9%E2%80%A6%D0%96%E4%B8%AD%F0%9F%98%80"},
		{"\xff", "%FF"},
	}
	for _, tt := range tests {
		if got := encodeValue(tt.in); got != tt.want {
			t.Errorf("encode %q = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzEncodeValue: whatever the text, its encoded form decodes back to it,
// holds only allowed bytes (so a URL parser keeps it whole and the page's
// attribute escaper has nothing to change in it), and is never longer than
// url.QueryEscape's.
func FuzzEncodeValue(f *testing.F) {
	for _, s := range []string{"", "a b", "a&b=c;d", "50% off #1 'quoted' \"double\"", "é…Ж中😀\n", "\xff\x00", "(x)/y:z@w?v!$*,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc := encodeValue(s)
		for i := 0; i < len(enc); i++ {
			if strings.IndexByte(queryAllowed, enc[i]) < 0 {
				t.Fatalf("encode %q = %q: byte %q is not allowed", s, enc, enc[i])
			}
		}
		q, err := url.ParseQuery("v=" + enc)
		if err != nil {
			t.Fatalf("encode %q = %q: %v", s, enc, err)
		}
		if got := q["v"]; len(got) != 1 || got[0] != s {
			t.Fatalf("encode %q = %q, decodes to %q", s, enc, got)
		}
		if string(appendHTMLEscaped(nil, enc)) != strings.ReplaceAll(enc, "+", "&#43;") {
			t.Fatalf("encode %q = %q: the attribute escaper changes it", s, enc)
		}
		if len(enc) > len(url.QueryEscape(s)) {
			t.Fatalf("encode %q = %q, longer than %q", s, enc, url.QueryEscape(s))
		}
	})
}

// TestGoldenAddLinks reads every "add" link on the golden pages: each
// parses, each value in it is written as encodeValue writes it (one
// encoder for every value, nothing encoded twice).
func TestGoldenAddLinks(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.html"))
	if err != nil || len(files) == 0 {
		t.Fatal(files, err)
	}
	links := 0
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := html.Parse(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		walk(doc, func(n *html.Node) {
			href := attr(n, "href")
			if n.Type != html.ElementNode || n.Data != "a" ||
				!strings.HasPrefix(href, googleEventBase+"?") && !strings.HasPrefix(href, outlookEventBase+"?") {
				return
			}
			links++
			_, rawQuery, _ := strings.Cut(href, "?")
			if _, err := url.ParseQuery(rawQuery); err != nil {
				t.Errorf("%s: %s: %v", name, href, err)
			}
			for _, kv := range strings.Split(rawQuery, "&") {
				k, v, _ := strings.Cut(kv, "=")
				dec, err := url.QueryUnescape(v)
				if err != nil {
					t.Errorf("%s: %s: %v", name, k, err)
					continue
				}
				if enc := encodeValue(dec); enc != v {
					t.Errorf("%s: %s=%s, want %s", name, k, v, enc)
				}
			}
		})
	}
	if links == 0 {
		t.Fatal("no add links on the golden pages")
	}
}
