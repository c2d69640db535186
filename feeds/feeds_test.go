package feeds

import "testing"

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
