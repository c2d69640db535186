package feeds

import (
	"strings"
	"testing"
)

func TestParseSessionPath(t *testing.T) {
	var l Layout
	tests := []struct {
		path      string
		slug, key string
		ok        bool
	}{
		{l.SessionPath("scewc", "open-policy-debate-2021"), "scewc", "open-policy-debate-2021", true},
		{"scewc/sessions/a.b.ics", "scewc", "a.b", true},
		{"scewc/sessions/.ics", "", "", false},
		{"/sessions/a.ics", "", "", false},
		{"a/b/sessions/c.ics", "", "", false},
		{"scewc/sessions/a/b.ics", "", "", false},
		{"scewc/sessions/a.ics.gz", "", "", false},
		{"scewc/calendar.ics", "", "", false},
		{"sessions/a.ics", "", "", false},
	}
	for _, tt := range tests {
		slug, key, ok := l.ParseSessionPath(tt.path)
		if slug != tt.slug || key != tt.key || ok != tt.ok {
			t.Errorf("ParseSessionPath(%q) = %q, %q, %v; want %q, %q, %v", tt.path, slug, key, ok, tt.slug, tt.key, tt.ok)
		}
	}
}

// ParseSessionPath accepts exactly what SessionPath can return: whatever
// it accepts, SessionPath gives back the same path.
func FuzzParseSessionPath(f *testing.F) {
	for _, p := range []string{"scewc/sessions/open-policy-debate-2021.ics", "a/sessions/b/c.ics", "/sessions/.ics", "a/sessions/sessions/b.ics", "x"} {
		f.Add(p)
	}
	var l Layout
	f.Fuzz(func(t *testing.T, path string) {
		slug, key, ok := l.ParseSessionPath(path)
		if !ok {
			return
		}
		if slug == "" || key == "" || strings.Contains(slug, "/") || strings.Contains(key, "/") {
			t.Fatalf("ParseSessionPath(%q) = %q, %q: an empty part or a slash", path, slug, key)
		}
		if back := l.SessionPath(slug, key); back != path {
			t.Fatalf("ParseSessionPath(%q) = %q, %q, but SessionPath gives %q", path, slug, key, back)
		}
	})
}

func TestBasePath(t *testing.T) {
	for _, tc := range []struct{ base, want string }{
		{"https://agenda.example.org/", "/"},
		{"https://agenda.example.org", "/"},
		{"https://example.org/agenda/", "/agenda/"},
		{"https://example.org/agenda", "/agenda/"},
		{"https://example.org/a/b/", "/a/b/"},
		{"https://example.org/my%20agenda/", "/my agenda/"},
	} {
		if got := NewLayout(tc.base).BasePath(); got != tc.want {
			t.Errorf("%s: BasePath %q, want %q", tc.base, got, tc.want)
		}
	}
}
