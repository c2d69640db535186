package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A mistyped series slug is refused as `session list -series` refuses it:
// naming the value and what is expected. export said `export series
// "nope": snapshot of series "nope": series "nope": not found` and post
// list `list posts of "nope": list posts: series "nope": not found`, and
// export -o wrote the series named before the mistyped one.
func TestUnknownSeriesNamed(t *testing.T) {
	te := newTestEnv(t)
	te.must("series", "add", "debates", "-title", "Debates", "-zone", "Europe/Madrid")
	out := filepath.Join(te.dir, "export")
	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{[]string{"session", "list", "-series", "nope"},
			`agendafeed: -series: "nope": expected the slug of an existing series (agendafeed series list shows them)` + "\n"},
		{[]string{"post", "list", "-series", "nope"},
			`agendafeed: -series: "nope": expected the slug of an existing series (agendafeed series list shows them)` + "\n"},
		{[]string{"export", "nope"},
			`agendafeed: export: series "nope": not found; expected the slug of an existing series (agendafeed series list shows them)` + "\n"},
		{[]string{"export", "-o", out, "debates", "nope"},
			`agendafeed: export: series "nope": not found; expected the slug of an existing series (agendafeed series list shows them)` + "\n"},
	} {
		stdout, errs, code := te.run("", tt.args...)
		if code != 1 || errs != tt.msg || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 1 and %q", tt.args, code, stdout, errs, tt.msg)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("export -o with a mistyped series wrote %s: %v", out, err)
	}
	if got := te.must("export", "debates"); !strings.Contains(got, "slug: debates") {
		t.Errorf("export debates = %q", got)
	}
}
