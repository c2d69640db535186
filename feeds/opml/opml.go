// Package opml renders the OPML 2.0 subscription list of the published
// feeds, one per series, so a feed reader can follow all series in one
// import.
package opml

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/agenda"
)

type document struct {
	XMLName xml.Name  `xml:"opml"`
	Version string    `xml:"version,attr"`
	Head    head      `xml:"head"`
	Body    []outline `xml:"body>outline"`
}

type head struct {
	Title       string `xml:"title"`
	DateCreated string `xml:"dateCreated,omitempty"`
	OwnerID     string `xml:"ownerId,omitempty"`
}

type outline struct {
	Text     string    `xml:"text,attr"`
	Title    string    `xml:"title,attr,omitempty"`
	Type     string    `xml:"type,attr,omitempty"`
	Version  string    `xml:"version,attr,omitempty"`
	XMLURL   string    `xml:"xmlUrl,attr,omitempty"`
	HTMLURL  string    `xml:"htmlUrl,attr,omitempty"`
	Language string    `xml:"language,attr,omitempty"`
	Children []outline `xml:"outline,omitempty"`
}

// Write renders the list: one outline per series, its RSS feed, then one
// for the all-series RSS feed. snaps must be sorted by slug. The document
// is dated by the newest series' creation, not by any series' Updated:
// that moves with every session and post, which the list does not show,
// and a purge driven by the API's changed URLs (which name the list only
// when a series is created, deleted, retitled or given another language)
// would leave it stale. So its bytes change only with what it lists.
//
// One feed per series, not its three formats: a reader imports every
// outline, so three would subscribe it to each series three times. And
// type="rss" is the one type OPML 2.0 gives a subscription, whatever the
// format (FeedLand reads only those outlines, selfoss refuses others), so
// the feed listed is the RSS one, which every reader reads; the Atom and
// JSON Feed versions stay at their URLs, linked from the pages.
func Write(w io.Writer, snaps []agenda.Snapshot, layout feeds.Layout, title string) error {
	if title == "" {
		title = "All series"
	}
	doc := document{Version: "2.0", Head: head{Title: clean(title), OwnerID: layout.BaseURL}}
	var newest time.Time
	for _, s := range snaps {
		if s.Series.Created.After(newest) {
			newest = s.Series.Created
		}
		doc.Body = append(doc.Body, feed(clean(s.Series.Title), s.Series.Slug, s.Series.Language, layout))
	}
	doc.Body = append(doc.Body, feed(clean(title), "", "", layout))
	if !newest.IsZero() {
		doc.Head.DateCreated = newest.UTC().Format("Mon, 02 Jan 2006 15:04:05 -0700")
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write opml: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write opml: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// feed is the outline of one series' RSS feed (slug "" for all series).
// version "RSS" is the spec's value for RSS 2.0.
func feed(title, slug, lang string, layout feeds.Layout) outline {
	return outline{
		Text: title, Title: title, Type: "rss", Version: "RSS", Language: lang,
		XMLURL: layout.SeriesURL(slug, feeds.RSS), HTMLURL: layout.SeriesURL(slug, feeds.Page),
	}
}

// clean drops characters XML 1.0 cannot carry, so any title stays well-formed.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r == utf8.RuneError || r == 0xFFFE || r == 0xFFFF || (r < 0x20 && r != '\t' && r != '\n' && r != '\r') {
			return -1
		}
		return r
	}, s)
}
