package ical

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"
)

func encode(f func(e *encoder)) string {
	var b bytes.Buffer
	w := bufio.NewWriterSize(&b, 16) // small, so that the encoder's spill path runs too
	e := &encoder{w: w}
	f(e)
	if err := e.flush(); err != nil {
		panic(err)
	}
	direct := &encoder{}
	f(direct)
	if string(direct.b) != b.String() {
		panic("the encoder's output differs with and without a writer")
	}
	return b.String()
}

func TestTextEscaping(t *testing.T) {
	tests := []struct{ in, want string }{
		// RFC 5545 §3.8.1.5's DESCRIPTION example.
		{"Meeting to provide technical review for \"Phoenix\" design.\nHappy Face Conference Room. Phoenix design team MUST attend this meeting.\nRSVP to team leader.",
			"DESCRIPTION:Meeting to provide technical review for \"Phoenix\" design.\\nHapp\r\n y Face Conference Room. Phoenix design team MUST attend this meeting.\\nRSV\r\n P to team leader.\r\n"},
		{`a,b;c\d`, "DESCRIPTION:a\\,b\\;c\\\\d\r\n"},
		{"cr\rlf\ncrlf\r\nend", "DESCRIPTION:cr\\nlf\\ncrlf\\nend\r\n"},
		{"nul\x00del\x7fc1\u0085tab\t", "DESCRIPTION:nuldelc1tab\t\r\n"},
		{"bad\xffbyte", "DESCRIPTION:bad\uFFFDbyte\r\n"},
		// A 4-octet character that would cross octet 75 moves to the next line.
		{strings.Repeat("x", 62) + "😀", "DESCRIPTION:" + strings.Repeat("x", 62) + "\r\n 😀\r\n"},
		{strings.Repeat("x", 59) + "😀", "DESCRIPTION:" + strings.Repeat("x", 59) + "😀\r\n"},
		// An escape is never split by a fold.
		{strings.Repeat("x", 62) + ",", "DESCRIPTION:" + strings.Repeat("x", 62) + "\r\n \\,\r\n"},
	}
	for _, tt := range tests {
		got := encode(func(e *encoder) { e.textLine("DESCRIPTION", tt.in) })
		if got != tt.want {
			t.Errorf("text(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
		for _, line := range strings.Split(strings.TrimSuffix(got, "\r\n"), "\r\n") {
			if len(line) > maxLine {
				t.Errorf("line of %d octets: %q", len(line), line)
			}
		}
	}
}

func TestParamQuoting(t *testing.T) {
	tests := []struct {
		in    string
		quote bool
		want  string
	}{
		{"Jane Doe", false, ";CN=Jane Doe"},
		{"Doe, Jane", false, `;CN="Doe, Jane"`},
		{"a;b:c", false, `;CN="a;b:c"`},
		{`say "hi"`, true, `;CN="say hi"`},
		{"two\r\nlines\nhere", true, `;CN="two lines here"`},
	}
	for _, tt := range tests {
		if got := encode(func(e *encoder) { e.param("CN", tt.in, tt.quote) }); got != tt.want {
			t.Errorf("param(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAppendDuration(t *testing.T) {
	for _, tt := range []struct {
		d           string
		want, exact string
	}{
		{"15m", "PT15M", "PT15M"},
		{"1h", "PT1H", "PT1H"},
		{"1d", "P1D", "PT24H"},
		{"1w", "P1W", "PT168H"},
		{"4w", "P4W", "PT672H"},
		{"1d12h", "P1DT12H", "PT36H"},
		{"2160m", "P1DT12H", "PT36H"},
		{"2w1d", "P15D", "PT360H"},
		{"90m", "PT1H30M", "PT1H30M"},
		{"1d1m", "P1DT1M", "PT24H1M"},
	} {
		d, err := parseReminderForTest(tt.d)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(appendDuration(nil, d)); got != tt.want {
			t.Errorf("appendDuration(%s) = %q, want %q", tt.d, got, tt.want)
		}
		if got := string(appendExactDuration(nil, d)); got != tt.exact {
			t.Errorf("appendExactDuration(%s) = %q, want %q", tt.d, got, tt.exact)
		}
	}
	if got := string(appendExactDuration(nil, 0)); got != "PT0S" {
		t.Errorf("appendExactDuration(0) = %q, want PT0S", got)
	}
}

// TestGolangICalReadsGolden uses golang-ical's parser as one more
// independent reader of the golden files.
func TestGolangICalReadsGolden(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.ics"))
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cal, err := ics.ParseCalendar(bytes.NewReader(data))
		if err != nil {
			t.Errorf("%s: golang-ical: %v", f, err)
			continue
		}
		own, err := Parse(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		evs := own.Children("VEVENT")
		if len(cal.Events()) != len(evs) {
			t.Errorf("%s: golang-ical read %d events, we wrote %d", f, len(cal.Events()), len(evs))
			continue
		}
		for i, ev := range cal.Events() {
			if ev.Id() != evs[i].Prop("UID").Value {
				t.Errorf("%s: event %d UID %q, want %q", f, i, ev.Id(), evs[i].Prop("UID").Value)
			}
			want, _ := evs[i].Prop("SUMMARY").Text()
			if got := ev.GetProperty(ics.ComponentPropertySummary).Value; got != want {
				t.Errorf("%s: event %d SUMMARY %q, want %q", f, i, got, want)
			}
		}
	}
}
