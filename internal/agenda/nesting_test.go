package agenda

import (
	"strings"
	"testing"
	"time"
)

func TestLineNesting(t *testing.T) {
	for _, tt := range []struct {
		line string
		want int
	}{
		{"plain text", 0},
		{"> quoted", 1},
		{">> twice", 2},
		{"> > - item in a quote", 3},
		{"  - indented item", 1},
		{"1. first", 1},
		{"1) first", 1},
		{"- 2. - x", 3},
		{"-not a marker", 0},
		{"---------- a rule", 0},
		{"2026-12-07 is a date", 0},
		{"* * *", 3}, // a thematic break counts as markers: harmless at this size
		{"", 0},
		{">", 1},
	} {
		if got := lineNesting(tt.line); got != tt.want {
			t.Errorf("lineNesting(%q) = %d; want %d", tt.line, got, tt.want)
		}
	}
}

// A post body that nests quotes or lists past MaxBodyNesting on one line is
// refused, naming the field, the line and the limit: goldmark's time grows
// with the square of the depth, and a 200,000-character body of "> " held
// a write for over a minute.
func TestPostBodyNesting(t *testing.T) {
	post := func(body string) *Post {
		return &Post{ID: "p", Series: "s", Title: "T", Body: body, Published: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	}
	deep := strings.Repeat("> ", 100000) + "x"
	err := post(deep).Validate()
	if err == nil || !strings.Contains(err.Error(), "body: ") ||
		!strings.Contains(err.Error(), "line 1 opens 100000 nested quotes or lists; expected at most 100") {
		t.Errorf("100,000 levels: %v", err)
	}
	if err := post("intro\n\n" + strings.Repeat("- ", 101) + "x").Validate(); err == nil || !strings.Contains(err.Error(), "line 3 opens 101") {
		t.Errorf("101 levels on line 3: %v", err)
	}
	ok := "# Agenda\n\n> quoted\n> > nested\n\n- a\n  - b\n    1. c\n\n" + strings.Repeat("> ", MaxBodyNesting) + "x"
	if err := post(ok).Validate(); err != nil {
		t.Errorf("ordinary nesting refused: %v", err)
	}
}
