package ical

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// cleanText is what TEXT in user input must read back as: CRLF and CR are
// LF; other control characters are gone; each invalid byte is U+FFFD.
// Written independently of the encoder, with the standard library.
func cleanText(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var b strings.Builder
	for _, r := range s {
		if r != '\n' && r != '\t' && unicode.IsControl(r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// cleanParam is what a parameter value must read back as: line breaks and
// tabs are spaces, DQUOTE and other controls are gone.
func cleanParam(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
			b.WriteByte(' ')
		case r == '"' || unicode.IsControl(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// nastyStrings reach every escaping and folding path.
func nastyStrings() []string {
	out := []string{
		"plain", "comma, semi; colon: quote \" backslash \\ end\\", "line\nbreak", "cr\ronly", "crlf\r\nhere",
		"\r\nBEGIN:VEVENT\r\nUID:evil\r\nEND:VEVENT", "\nATTENDEE:mailto:x@example.org", "tab\there", "nul\x00bell\x07del\x7f",
		"c1\u0085\u009f", "invalid \xff\xfe utf8 \xc3", "combining e\u0301\u0301\u0301 and a\u0308", "line\u2028separator\u2029para",
		"emoji 😀👩‍👩‍👧 flags 🇪🇸", `\n not a newline`, "trailing backslash\\", `"quoted"`, ";;;,,,:::",
		strings.Repeat("é", 80), strings.Repeat("\\", 40), strings.Repeat(",", 40),
	}
	for k := 60; k <= 76; k++ {
		out = append(out, strings.Repeat("x", k)+"😀"+strings.Repeat("y", 70)+"😀😀")
	}
	return out
}

// textSession is a session whose user text is all s.
func textSession(i int, title, desc, venue, tag, name, aff string) agenda.Session {
	s := agenda.Session{
		UID: fmt.Sprintf("text-%d@test.example.org", i), Series: "text", Key: fmt.Sprintf("t%d", i),
		Title: title, Description: desc, Venue: venue,
		Start: agenda.NewWallTime(2024, 5, 1, 10, 0, 0).WithoutOffset(), End: agenda.NewWallTime(2024, 5, 1, 11, 0, 0),
		Zone: "Europe/Madrid", Status: agenda.StatusConfirmed, Created: created, Updated: updated,
	}
	if tag != "" {
		s.Tags = []string{tag}
	}
	if name != "" || aff != "" {
		s.People = []agenda.Participant{{Person: agenda.Person{Name: name, Affiliation: aff}, Role: agenda.RoleSpeaker}}
	}
	return s
}

func textSnapshot(orgName string, sessions ...agenda.Session) agenda.Snapshot {
	return agenda.Snapshot{
		Series: agenda.Series{Slug: "text", Title: "Text", Zone: "Europe/Madrid", Reminders: []time.Duration{15 * time.Minute},
			Organizer: agenda.Organizer{Name: orgName, Email: "events@example.org"}},
		Sessions: sessions,
	}
}

// wantText is what the parsed event must hold.
type wantText struct {
	props                          []string
	summary, desc, location, orgCN string
	categories                     []string
}

func expectText(s agenda.Session, orgName string) wantText {
	w := wantText{summary: cleanText(s.Title), orgCN: cleanParam(orgName)}
	w.props = []string{"UID", "DTSTAMP", "CREATED", "LAST-MODIFIED", "SEQUENCE", "DTSTART", "DTEND", "SUMMARY"}
	var parts []string
	if s.Description != "" {
		parts = append(parts, cleanText(s.Description))
	}
	if len(s.People) > 0 {
		p := s.People[0]
		line := "Speaker: " + cleanText(p.Name)
		if p.Affiliation != "" {
			line += " (" + cleanText(p.Affiliation) + ")"
		}
		parts = append(parts, line)
	}
	if len(parts) > 0 {
		w.props = append(w.props, "DESCRIPTION")
		w.desc = strings.Join(parts, "\n\n")
	}
	if s.Venue != "" {
		w.props = append(w.props, "LOCATION")
		w.location = cleanText(s.Venue)
	}
	w.props = append(w.props, "URL", "STATUS")
	if len(s.Tags) > 0 {
		w.props = append(w.props, "CATEGORIES")
		w.categories = []string{cleanText(s.Tags[0])}
	}
	w.props = append(w.props, "ORGANIZER")
	return w
}

func checkParsed(t *testing.T, out []byte, sessions []agenda.Session, orgName string) {
	t.Helper()
	cal, err := Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("own parser: %v\n%s", err, out)
	}
	events := cal.Children("VEVENT")
	if len(events) != len(sessions) {
		t.Fatalf("%d events, want %d", len(events), len(sessions))
	}
	byUID := map[string]agenda.Session{}
	for _, s := range sessions {
		byUID[s.UID] = s
	}
	for i, ev := range events {
		s, ok := byUID[ev.Prop("UID").Value]
		if !ok {
			t.Fatalf("event %d: unknown UID", i)
		}
		w := expectText(s, orgName)
		var names []string
		for _, p := range ev.Props {
			names = append(names, p.Name)
		}
		if !slices.Equal(names, w.props) {
			t.Errorf("event %d properties %v, want %v", i, names, w.props)
		}
		if len(ev.Components) != 1 || ev.Components[0].Name != "VALARM" || len(ev.Components[0].Props) != 3 {
			t.Errorf("event %d: sub-components %v", i, ev.Components)
		}
		text := func(name string) string {
			p := ev.Prop(name)
			if p == nil {
				return ""
			}
			s, err := p.Text()
			if err != nil {
				t.Errorf("event %d: %v", i, err)
			}
			return s
		}
		for name, want := range map[string]string{"SUMMARY": w.summary, "DESCRIPTION": w.desc, "LOCATION": w.location} {
			if got := text(name); got != want {
				t.Errorf("event %d %s = %q, want %q", i, name, got, want)
			}
		}
		if p := ev.Prop("CATEGORIES"); p != nil {
			got, err := p.TextList()
			if err != nil || !slices.Equal(got, w.categories) {
				t.Errorf("event %d CATEGORIES = %q (%v), want %q", i, got, err, w.categories)
			}
		}
		if got := ev.Prop("ORGANIZER").Param("CN"); got != w.orgCN {
			t.Errorf("event %d CN = %q, want %q", i, got, w.orgCN)
		}
	}
}

func FuzzRender(f *testing.F) {
	nasty := nastyStrings()
	for i, s := range nasty {
		f.Add(s, nasty[(i+1)%len(nasty)], s, s, s, nasty[(i+2)%len(nasty)], s)
	}
	f.Add("", "", "", "", "", "", "")
	f.Fuzz(func(t *testing.T, title, desc, venue, tag, name, aff, org string) {
		s := textSession(1, title, desc, venue, tag, name, aff)
		var b bytes.Buffer
		if err := WriteSeries(&b, textSnapshot(org, s), Options{Layout: testLayout}); err != nil {
			t.Fatal(err)
		}
		checkParsed(t, b.Bytes(), []agenda.Session{s}, org)
	})
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"series", "combined", "fold"} {
		var b bytes.Buffer
		snaps := []agenda.Snapshot{demoSnapshot(f), otherSnapshot(f)}
		if err := WriteCombined(&b, snaps, goldenOptions()); err != nil {
			f.Fatal(err)
		}
		f.Add(b.String()[:len(b.String())/(len(name))])
	}
	f.Add("BEGIN:VCALENDAR\r\nX;A=\"b,c\";D=e,f:g\r\n h\r\nEND:VCALENDAR\r\n")
	f.Add("BEGIN:VCALENDAR\r\nBEGIN:X\r\nEND:VCALENDAR\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		cal, err := Parse(strings.NewReader(s))
		if err != nil {
			return
		}
		if cal.Name != "VCALENDAR" {
			t.Fatalf("parsed a %q", cal.Name)
		}
		for _, p := range cal.Props {
			p.Text()
			p.TextList()
		}
	})
}

// TestNastyTextIcalJS checks with a real client that nasty user text reads
// back as the same text and adds no property.
func TestNastyTextIcalJS(t *testing.T) {
	nasty := nastyStrings()
	var sessions []agenda.Session
	for i, s := range nasty {
		sessions = append(sessions, textSession(i, s, nasty[(i+1)%len(nasty)], s, s, s, s))
	}
	org := nasty[1] + nasty[3]
	var b bytes.Buffer
	if err := WriteSeries(&b, textSnapshot(org, sessions...), Options{Layout: testLayout}); err != nil {
		t.Fatal(err)
	}
	checkParsed(t, b.Bytes(), sessions, org)
	path := t.TempDir() + "/nasty.ics"
	if err := writeFile(path, b.Bytes()); err != nil {
		t.Fatal(err)
	}
	var got []struct {
		UID, Summary, Location, OrganizerCN string
		Description                         *string
		Categories, Props                   []string
	}
	runJSON(t, "node and ical.js", icalJSCommand(t, []string{path}), &got)
	byUID := map[string]agenda.Session{}
	for _, s := range sessions {
		byUID[s.UID] = s
	}
	if len(got) != len(sessions) {
		t.Fatalf("ical.js read %d events, want %d", len(got), len(sessions))
	}
	for _, g := range got {
		s, ok := byUID[g.UID]
		if !ok {
			t.Fatalf("ical.js read unknown UID %q", g.UID)
		}
		w := expectText(s, org)
		if !slices.Equal(g.Props, w.props) {
			t.Errorf("%s: ical.js properties %v, want %v", g.UID, g.Props, w.props)
		}
		desc := ""
		if g.Description != nil {
			desc = *g.Description
		}
		if g.Summary != w.summary || desc != w.desc || g.Location != w.location || !slices.Equal(g.Categories, w.categories) || g.OrganizerCN != w.orgCN {
			t.Errorf("%s: ical.js read\n summary %q\n desc %q\n location %q\n categories %q\n CN %q\nwant\n summary %q\n desc %q\n location %q\n categories %q\n CN %q",
				g.UID, g.Summary, desc, g.Location, g.Categories, g.OrganizerCN, w.summary, w.desc, w.location, w.categories, w.orgCN)
		}
	}
}
