package main

import (
	"strings"
	"testing"
)

// TestZoneSuggestions: a mistyped zone is answered with the closest IANA
// zone, from the CLI's flags and from an imported file alike.
func TestZoneSuggestions(t *testing.T) {
	te := newTestEnv(t)
	te.must("series", "add", "debates", "-title", "Debates", "-zone", "Europe/Madrid")
	file := te.writeFile("s.yaml", "series:\n  slug: other\n  title: Other\n  zone: europe/madrid\n")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"series", "edit", "debates", "-zone", "Europe/madrid"}, `-zone: "Europe/madrid": expected an IANA time zone such as Europe/Madrid or America/New_York; did you mean "Europe/Madrid"?`},
		{[]string{"series", "add", "x", "-title", "X", "-zone", "Amercia/New_York"}, `did you mean "America/New_York"?`},
		{[]string{"session", "add", "debates/one", "-title", "One", "-start", "2025-03-09T10:00", "-end", "2025-03-09T11:00", "-zone", "london"}, `did you mean "Europe/London"?`},
		{[]string{"import", file}, `did you mean "Europe/Madrid"?`},
	} {
		_, errs, code := te.run("", tt.args...)
		if code != 1 || !strings.Contains(errs, tt.want) {
			t.Errorf("%v: exit %d, %q; want exit 1 and %q", tt.args, code, errs, tt.want)
		}
	}
}
