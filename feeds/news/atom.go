package news

import (
	"encoding/xml"
	"io"
	"time"

	gfeeds "github.com/gorilla/feeds"
)

const atomNS = "http://www.w3.org/2005/Atom"

// atomFeed is the <feed> element. gorilla/feeds' AtomFeed has room for one
// link only (we need rel="self" and rel="alternate"), takes its id from the
// link and has no xml:lang, so the feed element is ours; the entries and
// every element inside them are gorilla/feeds' own types.
type atomFeed struct {
	XMLName  xml.Name `xml:"feed"`
	Xmlns    string   `xml:"xmlns,attr"`
	Lang     string   `xml:"xml:lang,attr,omitempty"`
	Title    string   `xml:"title"`
	Subtitle string   `xml:"subtitle,omitempty"`
	ID       string   `xml:"id"`
	Updated  string   `xml:"updated"`
	Links    []gfeeds.AtomLink
	Author   *gfeeds.AtomAuthor
	// Generator is a constant: it names the software, not the build, so
	// the bytes stay the same from release to release.
	Generator string       `xml:"generator,omitempty"`
	Entries   []*atomEntry `xml:"entry"`
}

// atomEntry extends gorilla/feeds' AtomEntry with xml:lang (set when the
// entry's language differs from the feed's), categories with a term
// attribute (AtomEntry.Category is a bare element, which Atom does not
// allow) and HTML content in a CDATA section. The fields shadow the embedded
// ones of the same element name.
type atomEntry struct {
	gfeeds.AtomEntry
	XMLName    xml.Name `xml:"entry"`
	Lang       string   `xml:"xml:lang,attr,omitempty"`
	Content    *atomCDATA
	Categories []atomCategory
}

// atomCDATA is <content type="html"> written as CDATA, as RSS's
// content:encoded is: the same text for a parser, but the encoder copies it
// instead of escaping every '<' (which doubled the size and the time of the
// Atom feed). encoding/xml splits any "]]>" in the text across two sections.
type atomCDATA struct {
	XMLName xml.Name `xml:"content"`
	Type    string   `xml:"type,attr"`
	Content string   `xml:",cdata"`
}

type atomCategory struct {
	XMLName xml.Name `xml:"category"`
	Term    string   `xml:"term,attr"`
}

// WriteAtom writes the feed as Atom 1.0 (RFC 4287).
func (f *Feed) WriteAtom(w io.Writer) error {
	doc := f.atomDoc()
	entries := doc.Entries
	doc.Entries = nil
	return writeDocument(w, doc, "\n</feed>", func(xw xmlWriter) {
		for _, e := range entries {
			writeAtomEntry(xw, e)
		}
	})
}

// atomDoc is the complete document as gorilla/feeds' structs, extended.
func (f *Feed) atomDoc() *atomFeed {
	doc := &atomFeed{
		Xmlns:    atomNS,
		Lang:     f.lang,
		Title:    f.title,
		Subtitle: f.description,
		ID:       f.atomURL,
		Updated:  atomTime(f.updated),
		Links: []gfeeds.AtomLink{
			{Href: f.atomURL, Rel: "self", Type: "application/atom+xml"},
			{Href: f.homeURL, Rel: "alternate", Type: "text/html"},
		},
		Author:    &gfeeds.AtomAuthor{AtomPerson: gfeeds.AtomPerson{Name: f.author}},
		Generator: "agendafeed",
		Entries:   make([]*atomEntry, len(f.items)),
	}
	entries := make([]atomEntry, len(f.items))
	summaries := make([]gfeeds.AtomSummary, len(f.items))
	contents := make([]atomCDATA, len(f.items))
	links := make([]gfeeds.AtomLink, len(f.items))
	for i := range f.items {
		it := &f.items[i]
		e := &entries[i]
		summaries[i] = gfeeds.AtomSummary{Content: it.summary, Type: "text"}
		contents[i] = atomCDATA{Type: "html", Content: it.content}
		links[i] = gfeeds.AtomLink{Href: it.link, Rel: "alternate", Type: "text/html"}
		e.AtomEntry = gfeeds.AtomEntry{
			Title:     it.title,
			Updated:   atomTime(it.updated),
			Id:        it.id,
			Published: atomTime(it.published),
			Links:     links[i : i+1 : i+1],
			Summary:   &summaries[i],
		}
		e.Content = &contents[i]
		if it.author != "" {
			e.Author = &gfeeds.AtomAuthor{AtomPerson: gfeeds.AtomPerson{Name: it.author}}
		}
		if it.lang != "" && it.lang != f.lang {
			e.Lang = it.lang
		}
		if len(it.tags) > 0 {
			e.Categories = make([]atomCategory, len(it.tags))
			for j, t := range it.tags {
				e.Categories[j].Term = t
			}
		}
		doc.Entries[i] = e
	}
	return doc
}

// writeAtomEntry writes an entry as encoding/xml would at depth 1 (the
// fields atomDoc sets; the others are never set).
func writeAtomEntry(w xmlWriter, e *atomEntry) {
	const in = "\n    "
	w.WriteString("\n  <entry")
	if e.Lang != "" {
		w.WriteString(` xml:lang="`)
		w.text(e.Lang)
		w.WriteByte('"')
	}
	w.WriteByte('>')
	w.elem(in, "title", e.Title)
	w.elem(in, "updated", e.Updated)
	w.elem(in, "id", e.Id)
	if e.Published != "" {
		w.elem(in, "published", e.Published)
	}
	for _, l := range e.Links {
		w.WriteString(in + `<link href="`)
		w.text(l.Href)
		w.WriteByte('"')
		for _, a := range [...][2]string{{"rel", l.Rel}, {"type", l.Type}, {"length", l.Length}} {
			if a[1] != "" {
				w.WriteString(" " + a[0] + `="`)
				w.text(a[1])
				w.WriteByte('"')
			}
		}
		w.WriteString("></link>")
	}
	if e.Summary != nil {
		w.WriteString(in + `<summary type="`)
		w.text(e.Summary.Type)
		w.WriteString(`">`)
		w.text(e.Summary.Content)
		w.WriteString("</summary>")
	}
	if e.Author != nil {
		w.WriteString(in + "<author>")
		if e.Author.Name != "" {
			w.elem(in+"  ", "name", e.Author.Name)
		}
		w.WriteString(in + "</author>")
	}
	if e.Content != nil {
		w.WriteString(in + `<content type="`)
		w.text(e.Content.Type)
		w.WriteString(`">`)
		w.cdata(e.Content.Content)
		w.WriteString("</content>")
	}
	for _, c := range e.Categories {
		w.WriteString(in + `<category term="`)
		w.text(c.Term)
		w.WriteString(`"></category>`)
	}
	w.WriteString("\n  </entry>")
}

// atomTime formats an instant as RFC 3339 in UTC, as Atom and JSON Feed want.
func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
