package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEditStartWithOffsetInEffect checks that giving a session's start
// again with the offset its zone already has there (or without it again)
// is no revision, by `session edit` or `import`: the command says so and
// the event keeps its SEQUENCE.
func TestEditStartWithOffsetInEffect(t *testing.T) {
	te := newTestEnv(t)
	te.must("series", "add", "hw", "-title", "Handwritten", "-zone", "America/New_York")
	te.must("session", "add", "hw/b", "-title", "B", "-start", "2027-06-01T10:00", "-end", "2027-06-01T11:00")
	before := te.counter()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-start", "2027-06-01T10:00-04:00"}, "session hw/b unchanged at sequence 0\n"},
		{[]string{"-start", "2027-06-01T10:00"}, "session hw/b unchanged at sequence 0\n"},
		{[]string{"-end", "2027-06-01T11:00-04:00"}, "session hw/b unchanged at sequence 0\n"},
		{[]string{"-title", "B"}, "session hw/b unchanged at sequence 0\n"},
	} {
		if out := te.must(append([]string{"session", "edit", "hw/b"}, tt.args...)...); out != tt.want {
			t.Errorf("edit %s: %q, want %q", strings.Join(tt.args, " "), out, tt.want)
		}
	}
	file := te.writeFile("hw.yaml", "series:\n  slug: hw\n  title: Handwritten\n  zone: America/New_York\n"+
		"sessions:\n  - {key: b, title: B, start: \"2027-06-01T10:00-04:00\", end: \"2027-06-01T11:00-04:00\"}\n")
	if out := te.must("import", file); !strings.Contains(out, "sessions 0 created, 0 updated, 1 unchanged") {
		t.Errorf("import with offsets: %q", out)
	}
	if after := te.counter(); after != before {
		t.Errorf("change counter %d -> %d: a no-op edit wrote", before, after)
	}
	if out := te.must("session", "edit", "hw/b", "-start", "2027-06-01T09:00-04:00"); out != "session hw/b at sequence 1\n" {
		t.Errorf("edit to a new start: %q", out)
	}
	te.must("generate")
	ics, err := os.ReadFile(filepath.Join(te.dir, "public", "hw", "calendar.ics"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"SEQUENCE:1", "DTSTART;TZID=America/New_York:20270601T090000"} {
		if !bytes.Contains(ics, []byte(want)) {
			t.Errorf("calendar lacks %q", want)
		}
	}
}
