package opml

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/agenda"
)

func TestWrite(t *testing.T) {
	snaps := []agenda.Snapshot{
		{Series: agenda.Series{Slug: "a", Title: "A & <b>\x01", Language: "en", Updated: time.Date(2021, 11, 1, 10, 0, 0, 0, time.UTC)}},
		{Series: agenda.Series{Slug: "b", Title: "Bé", Language: "es", Updated: time.Date(2021, 11, 2, 10, 0, 0, 0, time.UTC)}},
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
		t.Errorf("dateCreated not from the newest series:\n%s", buf.String())
	}
	var again bytes.Buffer
	_ = Write(&again, snaps, feeds.NewLayout("https://agenda.example.org"), "")
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("output is not deterministic")
	}
}
