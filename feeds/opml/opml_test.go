package opml

import (
	"bytes"
	"encoding/xml"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/agenda"
)

func TestWrite(t *testing.T) {
	snaps := []agenda.Snapshot{
		{Series: agenda.Series{Slug: "a", Title: "A & <b>\x01", Language: "en", Created: time.Date(2021, 11, 2, 10, 0, 0, 0, time.UTC), Updated: time.Date(2021, 11, 5, 10, 0, 0, 0, time.UTC)}},
		{Series: agenda.Series{Slug: "b", Title: "Bé", Language: "es", Created: time.Date(2021, 11, 1, 10, 0, 0, 0, time.UTC), Updated: time.Date(2021, 11, 6, 10, 0, 0, 0, time.UTC)}},
	}
	var buf bytes.Buffer
	if err := Write(&buf, snaps, feeds.NewLayout("https://agenda.example.org"), ""); err != nil {
		t.Fatal(err)
	}
	var doc document
	dec := xml.NewDecoder(bytes.NewReader(buf.Bytes()))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, buf.String())
	}
	// One outline per feed to follow, flat: each series' RSS feed, then
	// the all-series one. type is "rss" whatever the format (OPML 2.0 has no
	// other type for a feed; FeedLand and selfoss read only that one).
	want := []outline{
		{Text: "A & <b>", Title: "A & <b>", Type: "rss", Version: "RSS", XMLURL: "https://agenda.example.org/a/rss.xml", HTMLURL: "https://agenda.example.org/a/", Language: "en"},
		{Text: "Bé", Title: "Bé", Type: "rss", Version: "RSS", XMLURL: "https://agenda.example.org/b/rss.xml", HTMLURL: "https://agenda.example.org/b/", Language: "es"},
		{Text: "All series", Title: "All series", Type: "rss", Version: "RSS", XMLURL: "https://agenda.example.org/rss.xml", HTMLURL: "https://agenda.example.org/"},
	}
	if len(doc.Body) != len(want) {
		t.Fatalf("%d outlines, want %d:\n%s", len(doc.Body), len(want), buf.String())
	}
	for i, o := range doc.Body {
		if len(o.Children) != 0 || o.Text != want[i].Text || o.Title != want[i].Title || o.Type != want[i].Type ||
			o.Version != want[i].Version || o.XMLURL != want[i].XMLURL || o.HTMLURL != want[i].HTMLURL || o.Language != want[i].Language {
			t.Errorf("outline %d = %+v\nwant %+v", i, o, want[i])
		}
	}
	if !strings.Contains(buf.String(), "<dateCreated>Tue, 02 Nov 2021 10:00:00 +0000</dateCreated>") {
		t.Errorf("dateCreated not from the newest series' creation:\n%s", buf.String())
	}
	var again bytes.Buffer
	_ = Write(&again, snaps, feeds.NewLayout("https://agenda.example.org"), "")
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("output is not deterministic")
	}
}

// TestBytesFollowWhatIsListed: the list's bytes change when a series it
// lists is added, removed, retitled or changes language, and only then,
// not when a series' sessions or posts (its Updated and Revision) or
// fields it does not show change: the API's changed URLs name the list
// only for the former.
func TestBytesFollowWhatIsListed(t *testing.T) {
	created := time.Date(2021, 11, 1, 10, 0, 0, 0, time.UTC)
	series := func(slug string, day int) agenda.Series {
		return agenda.Series{Slug: slug, Title: "Series " + slug, Language: "en", Description: "d", Zone: "Europe/Madrid",
			Created: created.AddDate(0, 0, day), Updated: created.AddDate(0, 0, day+1), Revision: 3}
	}
	base := []agenda.Series{series("a", 0), series("b", 1)}
	render := func(list []agenda.Series) string {
		t.Helper()
		snaps := make([]agenda.Snapshot, len(list))
		for i, s := range list {
			snaps[i] = agenda.Snapshot{Series: s}
		}
		var buf bytes.Buffer
		if err := Write(&buf, snaps, feeds.NewLayout("https://agenda.example.org"), "All"); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	before := render(base)
	for _, tc := range []struct {
		name   string
		edit   func(list []agenda.Series) []agenda.Series
		change bool
	}{
		{"a session or post edited", func(l []agenda.Series) []agenda.Series {
			l[0].Updated, l[0].Revision = created.AddDate(1, 0, 0), 4
			return l
		}, false},
		{"description, zone, homepage, reminders, organizer edited", func(l []agenda.Series) []agenda.Series {
			l[1].Description, l[1].Zone, l[1].Homepage = "other", "Africa/Tunis", "https://example.org"
			l[1].Reminders, l[1].Organizer = []time.Duration{time.Hour}, agenda.Organizer{Name: "O"}
			l[1].Updated = created.AddDate(1, 0, 0)
			return l
		}, false},
		{"retitled", func(l []agenda.Series) []agenda.Series { l[0].Title = "Renamed"; return l }, true},
		{"language changed", func(l []agenda.Series) []agenda.Series { l[1].Language = "es"; return l }, true},
		{"series added", func(l []agenda.Series) []agenda.Series { return append(l, series("c", 2)) }, true},
		{"series removed", func(l []agenda.Series) []agenda.Series { return l[1:] }, true},
	} {
		after := render(tc.edit(slices.Clone(base)))
		if changed := after != before; changed != tc.change {
			t.Errorf("%s: bytes changed %v, want %v:\n%s\n%s", tc.name, changed, tc.change, before, after)
		}
	}
	if added := render(append(slices.Clone(base), series("c", 2))); !strings.Contains(added, "<dateCreated>Wed, 03 Nov 2021 10:00:00 +0000</dateCreated>") {
		t.Errorf("a series added: dateCreated not its creation:\n%s", added)
	}
}
