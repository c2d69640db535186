package news

import (
	"encoding/xml"
	"io"
	"time"

	gfeeds "github.com/gorilla/feeds"
)

// rssDoc is the <rss> element. gorilla/feeds' RssFeedXml declares only the
// content namespace; we also need atom (for the self link) and dc (for
// dc:creator).
type rssDoc struct {
	XMLName   xml.Name    `xml:"rss"`
	Version   string      `xml:"version,attr"`
	ContentNS string      `xml:"xmlns:content,attr"`
	AtomNS    string      `xml:"xmlns:atom,attr"`
	DCNS      string      `xml:"xmlns:dc,attr"`
	Channel   *rssChannel `xml:"channel"`
}

// rssChannel extends gorilla/feeds' RssFeed with the atom:link rel="self"
// that feed validators ask for, and with our item type.
type rssChannel struct {
	gfeeds.RssFeed
	XMLName  xml.Name `xml:"channel"`
	AtomLink rssAtomLink
	Items    []*rssItem `xml:"item"`
}

type rssAtomLink struct {
	XMLName xml.Name `xml:"atom:link"`
	Href    string   `xml:"href,attr"`
	Rel     string   `xml:"rel,attr"`
	Type    string   `xml:"type,attr"`
}

// rssItem extends gorilla/feeds' RssItem: RSS <author> must be an e-mail
// address, so the author's name goes in dc:creator; and an item may have
// several categories where RssItem has one.
type rssItem struct {
	gfeeds.RssItem
	XMLName    xml.Name `xml:"item"`
	Creator    string   `xml:"dc:creator,omitempty"`
	Categories []string `xml:"category"`
}

// WriteRSS writes the feed as RSS 2.0.
func (f *Feed) WriteRSS(w io.Writer) error {
	doc := f.rssDoc()
	items := doc.Channel.Items
	doc.Channel.Items = nil
	return writeDocument(w, doc, "\n  </channel>\n</rss>", func(xw xmlWriter) {
		for _, it := range items {
			writeRSSItem(xw, it)
		}
	})
}

// rssDoc is the complete document as gorilla/feeds' structs.
func (f *Feed) rssDoc() *rssDoc {
	// Readers take the channel's description as HTML, as they do an
	// item's (feedparser dropped "<Smart>" from a series' description and
	// made a live link of a literal "<a href>"); ours is plain text.
	ch := &rssChannel{
		RssFeed: gfeeds.RssFeed{
			Title:         f.title,
			Link:          f.homeURL,
			Description:   escapeHTML(f.description),
			Language:      f.lang,
			LastBuildDate: rssTime(f.updated),
			Generator:     "agendafeed",
			Docs:          "https://www.rssboard.org/rss-specification",
		},
		AtomLink: rssAtomLink{Href: f.rssURL, Rel: "self", Type: "application/rss+xml"},
		Items:    make([]*rssItem, len(f.items)),
	}
	items := make([]rssItem, len(f.items))
	contents := make([]gfeeds.RssContent, len(f.items))
	guids := make([]gfeeds.RssGuid, len(f.items))
	for i := range f.items {
		it := &f.items[i]
		contents[i].Content = it.content
		guids[i] = gfeeds.RssGuid{Id: it.id, IsPermaLink: "false"}
		r := &items[i]
		r.RssItem = gfeeds.RssItem{
			Title:       it.title,
			Link:        it.link,
			Description: escapeHTML(it.summary), // RSS readers take description as HTML; ours is plain text
			Content:     &contents[i],
			Guid:        &guids[i],
			PubDate:     rssTime(it.published),
		}
		r.Creator = it.author
		r.Categories = it.tags
		ch.Items[i] = r
	}
	return &rssDoc{
		Version:   "2.0",
		ContentNS: "http://purl.org/rss/1.0/modules/content/",
		AtomNS:    atomNS,
		DCNS:      "http://purl.org/dc/elements/1.1/",
		Channel:   ch,
	}
}

// writeRSSItem writes an item as encoding/xml would at depth 2 (the fields
// rssDoc sets; the others are never set).
func writeRSSItem(w xmlWriter, r *rssItem) {
	const in = "\n      "
	w.WriteString("\n    <item>")
	w.elem(in, "title", r.Title)
	w.elem(in, "link", r.Link)
	w.elem(in, "description", r.Description)
	if r.Content != nil {
		w.WriteString(in + "<content:encoded>")
		w.cdata(r.Content.Content)
		w.WriteString("</content:encoded>")
	}
	if r.Guid != nil {
		w.WriteString(in + `<guid isPermaLink="`)
		w.text(r.Guid.IsPermaLink)
		w.WriteString(`">`)
		w.text(r.Guid.Id)
		w.WriteString("</guid>")
	}
	if r.PubDate != "" {
		w.elem(in, "pubDate", r.PubDate)
	}
	if r.Creator != "" {
		w.elem(in, "dc:creator", r.Creator)
	}
	for _, c := range r.Categories {
		w.elem(in, "category", c)
	}
	w.WriteString("\n    </item>")
}

// rssTime formats an instant as RFC 1123 with a numeric zone ("Wed, 17 Nov
// 2021 11:00:00 +0000"); zone names such as "UTC" are obsolete in RFC 822
// dates and some readers reject them.
func rssTime(t time.Time) string { return t.UTC().Format(time.RFC1123Z) }
