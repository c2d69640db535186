package main

import (
	"strings"
	"testing"
)

// A value is quoted as the user typed it, so that a backslash shows as
// one; only a value with characters that do not print falls back to Go
// escapes, and a long one is cut as validation messages cut it.
func TestQuoteArg(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", `""`},
		{"Emilia Saiz", `"Emilia Saiz"`},
		{`speaker;Dan\x;Aff`, `"speaker;Dan\x;Aff"`},
		{`Ann\;B`, `"Ann\;B"`},
		{`say "hi"`, `"say "hi""`},
		{"Armand Béouindé", `"Armand Béouindé"`},
		{"two\nlines", `"two\nlines"`},
		{"a\\b\tc", `"a\\b\tc"`},
		{"\x1b[31mred", `"\x1b[31mred"`},
		{"bad \xff", `"bad \xff"`},
		{strings.Repeat(`\`, 81), `"` + strings.Repeat(`\`, 80) + `"… (81 characters)`},
	} {
		if got := quoteArg(tt.in); got != tt.want {
			t.Errorf("quoteArg(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// Validation errors of flag values quote them as typed too, as the
// messages of the flags' own parsing do.
func TestFlagValuesQuotedAsTyped(t *testing.T) {
	te := newTestEnv(t)
	te.must("series", "add", "debates", "-title", "Debates", "-zone", "Europe/Madrid")
	for _, tt := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"session", "add", "debates/a", "-title", "A", "-start", `2025-03-09\10:00`, "-end", "2025-03-09T11:00"}, 2, `-start: "2025-03-09\10:00": expected`},
		{[]string{"session", "add", "debates/a", "-title", "A", "-start", "2025-03-09T10:00", "-end", "2025-03-09T11:00", "-url", `http:\\x`}, 1, `-url: "http:\\x": `},
		{[]string{"session", `bad\verb`}, 2, `session: unknown action "bad\verb"`},
	} {
		_, errs, code := te.run("", tt.args...)
		if code != tt.code || !strings.Contains(errs, tt.msg) {
			t.Errorf("%v: exit %d, %q; want exit %d and %q", tt.args, code, errs, tt.code, tt.msg)
		}
	}
}
