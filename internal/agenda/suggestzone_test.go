package agenda

import "testing"

func TestSuggestZone(t *testing.T) {
	tests := []struct{ name, want string }{
		{"Europe/madrid", "Europe/Madrid"},
		{"europe/madrid", "Europe/Madrid"},
		{"EUROPE/MADRID", "Europe/Madrid"},
		{"Europe/Madird", "Europe/Madrid"},
		{"Amercia/New_York", "America/New_York"},
		{"America/New York", "America/New_York"},
		{"Madrid", "Europe/Madrid"},
		{"new york", "America/New_York"},
		{"utc", "UTC"},
		{"Mars/Olympus", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := SuggestZone(tt.name); got != tt.want {
			t.Errorf("SuggestZone(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestZoneErrorsSuggest: validation of a series' or a session's zone,
// which the CLI, import files and the API share, names the closest zone.
func TestZoneErrorsSuggest(t *testing.T) {
	s := Series{Slug: "x", Title: "X", Zone: "Europe/madrid", Language: "en"}
	s.Normalize()
	err := s.Validate()
	want := `zone: "Europe/madrid": expected an IANA time zone such as Europe/Madrid or America/New_York; did you mean "Europe/Madrid"?`
	if err == nil || err.Error() != want {
		t.Errorf("Validate: %v\nwant %s", err, want)
	}
	if _, err := LoadZone("america/new_york"); err == nil || err.Error() != `unknown time zone "america/new_york"; did you mean "America/New_York"?` {
		t.Errorf("LoadZone: %v", err)
	}
}

// TestSuggestZoneNotTooFar: a short word is not stretched to a zone two
// edits away.
func TestSuggestZoneNotTooFar(t *testing.T) {
	for _, name := range []string{"Local", "Paris France"} {
		if got := SuggestZone(name); got != "" {
			t.Errorf("SuggestZone(%q) = %q, want none", name, got)
		}
	}
}
