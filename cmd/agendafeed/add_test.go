package main

import (
	"strings"
	"testing"
)

// TestAddNeverOverwrites: add creates only. Its look-up before writing is
// not what refuses an existing series, session or post, since another
// process may create one right after it; the store's create-only write
// does. An argument with a trailing space, which the look-up does not find
// but the store trims to the existing name, shows that: it must fail as a
// plain duplicate does, and write nothing.
func TestAddNeverOverwrites(t *testing.T) {
	te := newTestEnv(t)
	te.must("series", "add", "debates", "-title", "Debates")
	te.must("session", "add", "debates/first", "-title", "First", "-start", "2025-03-09T10:00", "-end", "2025-03-09T11:00")
	te.must("post", "add", "debates/welcome", "-title", "Welcome", "-published", "2025-01-10")
	tests := []struct {
		name string
		args []string
		show []string // shows the existing one
		want string
	}{
		{"series", []string{"series", "add", "debates ", "-title", "Overwritten"}, []string{"series", "show", "debates"},
			`series "debates" already exists; use 'agendafeed series edit debates'`},
		{"session", []string{"session", "add", "debates/first ", "-title", "Overwritten", "-start", "2025-03-09T10:00", "-end", "2025-03-09T11:00"},
			[]string{"session", "show", "debates/first"},
			`session debates/first already exists; use 'agendafeed session edit debates/first'`},
		{"post", []string{"post", "add", "debates/welcome ", "-title", "Overwritten", "-published", "2025-01-10"},
			[]string{"post", "show", "debates/welcome"},
			`post debates/welcome already exists; use 'agendafeed post edit debates/welcome'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := te.counter()
			_, errs, code := te.run("", tt.args...)
			if code != 1 || !strings.Contains(errs, "agendafeed: "+tt.want+"\n") {
				t.Errorf("agendafeed %q: exit %d, stderr:\n%s\nwant exit 1, %s", tt.args, code, errs, tt.want)
			}
			if after := te.counter(); after != before {
				t.Errorf("change counter moved from %d to %d: the add wrote something", before, after)
			}
			if show := te.must(tt.show...); strings.Contains(show, "Overwritten") {
				t.Errorf("the existing one was overwritten:\n%s", show)
			}
		})
	}
}
