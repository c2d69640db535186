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
	if len(doc.Body) != 3 || doc.Body[0].Text != "A & <b>" || len(doc.Body[1].Children) != 3 {
		t.Fatalf("unexpected outline: %+v", doc.Body)
	}
	if got := doc.Body[1].Children[0].XMLURL; got != "https://agenda.example.org/b/atom.xml" {
		t.Errorf("atom url = %q", got)
	}
	if got := doc.Body[2].Children[1].XMLURL; got != "https://agenda.example.org/rss.xml" {
		t.Errorf("combined rss url = %q", got)
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
