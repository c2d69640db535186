package main

import (
	"strings"
	"testing"
)

// TestSeriesRemindersDefault: -reminders default goes back to the
// configured reminders, -reminders none to none, and series show says
// which a series has.
func TestSeriesRemindersDefault(t *testing.T) {
	te := newTestEnv(t)
	te.env["AGENDAFEED_REMINDERS"] = "1d,15m"
	te.must("series", "add", "debates", "-title", "Debates", "-zone", "Europe/Madrid")
	reminders := func() string {
		t.Helper()
		for _, line := range strings.Split(te.must("series", "show", "debates"), "\n") {
			if v, ok := strings.CutPrefix(line, "reminders:"); ok {
				return strings.TrimSpace(v)
			}
		}
		t.Fatal("series show prints no reminders line")
		return ""
	}
	for _, tt := range []struct{ flag, want string }{
		{"", "default (15m,1d)"},
		{"none", "none"},
		{"30m", "30m"},
		{"default", "default (15m,1d)"},
		{" None ", "none"},
		{"DEFAULT", "default (15m,1d)"},
	} {
		if tt.flag != "" {
			te.must("series", "edit", "debates", "-reminders", tt.flag)
		}
		if got := reminders(); got != tt.want {
			t.Errorf("after -reminders %q: series show says %q, want %q", tt.flag, got, tt.want)
		}
	}

	_, errs, code := te.run("", "series", "edit", "debates", "-reminders", "")
	if want := `-reminders: "": expected a comma-separated list such as 15m,1d, none, or default (the configured reminders: 15m,1d)`; code != 2 || !strings.Contains(errs, want) {
		t.Errorf(`-reminders "": exit %d, %q; want exit 2 and %q`, code, errs, want)
	}

	// With no configured reminders, the default is none, and show says both.
	te.env["AGENDAFEED_REMINDERS"] = "none"
	te.must("series", "edit", "debates", "-reminders", "default")
	if got, want := reminders(), "none (the configured default)"; got != want {
		t.Errorf("with no configured reminders: series show says %q, want %q", got, want)
	}
}
