package main

import (
	"strings"
	"testing"
)

// TestSessionEditPeople: -person replaces the whole list and says so;
// -add-person and -remove-person change one person and keep the others;
// \; enters a semicolon inside a field.
func TestSessionEditPeople(t *testing.T) {
	te := newTestEnv(t)
	te.must("series", "add", "debates", "-title", "Debates", "-zone", "Europe/Madrid")
	te.must("session", "add", "debates/one", "-title", "One", "-start", "2025-03-09T10:00", "-end", "2025-03-09T11:00",
		"-person", "moderator;Ada Lovelace;Analytical Engine Society", "-person", "speaker;Grace Hopper;US Navy",
		"-person", "speaker;Alan Turing;Bletchley Park")
	people := func() []string {
		t.Helper()
		var out []string
		for _, line := range strings.Split(te.must("session", "show", "debates/one"), "\n") {
			if role, rest, ok := strings.Cut(line, ":"); ok && (role == "moderator" || role == "speaker" || role == "panelist") {
				out = append(out, role+": "+strings.TrimSpace(rest))
			}
		}
		return out
	}

	out := te.must("session", "edit", "debates/one", "-remove-person", "Grace Hopper")
	if !strings.Contains(out, "people: removed Grace Hopper (3 before, 2 after)") {
		t.Errorf("-remove-person said %q", out)
	}
	out = te.must("session", "edit", "debates/one", "-add-person", `panelist;Emilia Saiz;Secretary General\; UCLG`)
	if !strings.Contains(out, "people: added Emilia Saiz (2 before, 3 after)") {
		t.Errorf("-add-person said %q", out)
	}
	want := []string{"moderator: Ada Lovelace, Analytical Engine Society", "speaker: Alan Turing, Bletchley Park",
		"panelist: Emilia Saiz, Secretary General; UCLG"}
	if got := people(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("people =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Both together change one person's entry.
	out = te.must("session", "edit", "debates/one", "-remove-person", "alan  turing", "-add-person", "moderator;Alan Turing;Manchester")
	if !strings.Contains(out, "people: removed Alan Turing; added Alan Turing (3 before, 3 after)") {
		t.Errorf("-remove-person with -add-person said %q", out)
	}
	out = te.must("session", "edit", "debates/one", "-person", "moderator;Ada Lovelace;")
	if !strings.Contains(out, "people replaced: 3 before, 1 after") {
		t.Errorf("-person said %q", out)
	}

	// A value that does not parse is a usage error (exit 2), one that
	// parses but is refused is rejected input (exit 1), as for every
	// other flag; either quotes the value as typed.
	before := te.counter()
	for _, tt := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"-remove-person", "Nobody"}, 1, `-remove-person: "Nobody": no such person in the session; it has "Ada Lovelace"` + "\n"},
		{[]string{"-add-person", "speaker;Ada Lovelace;X"}, 1, `Ada Lovelace is already in the session; to change their entry, give -remove-person "Ada Lovelace" too` + "\n"},
		{[]string{"-person", "speaker;X;Y", "-person", "moderator;X;Z"}, 1, `-person #2 name: "X": already listed`},
		{[]string{"-person", "speaker;X;Y", "-add-person", "speaker;Z;W"}, 2, "-person replaces the whole list of people; give it alone"},
		{[]string{"-add-person", `speaker;Dan\x;Aff`}, 2, `-add-person: "speaker;Dan\x;Aff": a backslash must come before ; or another backslash`},
		{[]string{"-person", `speaker;Dan\x;Aff`}, 2, `-person: "speaker;Dan\x;Aff": a backslash must come before ; or another backslash`},
		{[]string{"-person", "Dan"}, 2, `-person: "Dan": expected 'ROLE;NAME;AFFILIATION[;URL]'`},
		{[]string{"-remove-person", `Dan\x`}, 2, `-remove-person: "Dan\x": a backslash must come before ; or another backslash`},
	} {
		_, errs, code := te.run("", append([]string{"session", "edit", "debates/one"}, tt.args...)...)
		if code != tt.code || !strings.Contains(errs, tt.msg) {
			t.Errorf("%v: exit %d, %q; want exit %d and %q", tt.args, code, errs, tt.code, tt.msg)
		}
	}
	if te.counter() != before {
		t.Error("a refused edit wrote")
	}
}

// The reviewer's case: -remove-person reads the escapes -add-person and
// -person read, so a name with a semicolon or a backslash is removed as it
// was added, and the messages write names that way.
func TestSessionRemovePersonEscapes(t *testing.T) {
	te := newTestEnv(t)
	te.must("series", "add", "debates", "-title", "Debates", "-zone", "Europe/Madrid")
	add := func() {
		t.Helper()
		te.must("session", "add", "debates/one", "-title", "One", "-start", "2025-03-09T10:00", "-end", "2025-03-09T11:00",
			"-person", `speaker;Ann\;B;Aff`, "-person", `speaker;Dan\\x;Aff`)
	}
	add()
	_, errs, code := te.run("", "session", "edit", "debates/one", "-remove-person", "Nobody")
	if want := `it has "Ann\;B", "Dan\\x"` + "\n"; code != 1 || !strings.Contains(errs, want) {
		t.Errorf("-remove-person Nobody: exit %d, %q; want exit 1 and %q", code, errs, want)
	}
	_, errs, _ = te.run("", "session", "edit", "debates/one", "-add-person", `moderator;Ann\;B;X`)
	if want := `give -remove-person "Ann\;B" too`; !strings.Contains(errs, want) {
		t.Errorf("-add-person of someone there: %q; want %q", errs, want)
	}
	for _, tt := range []struct {
		values []string
		said   string
	}{
		{[]string{`Ann\;B`, `Dan\\x`}, "removed Ann;B, Dan\\x (2 before, 0 after)"},
		// The name is the only field, so a bare ; is a semicolon too.
		{[]string{`Ann;B`}, "removed Ann;B (2 before, 1 after)"},
	} {
		te.must("session", "remove", "debates/one")
		add()
		args := []string{"session", "edit", "debates/one"}
		for _, v := range tt.values {
			args = append(args, "-remove-person", v)
		}
		if out := te.must(args...); !strings.Contains(out, tt.said) {
			t.Errorf("-remove-person %v said %q; want %q", tt.values, out, tt.said)
		}
	}
}
