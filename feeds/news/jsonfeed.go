package news

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	gfeeds "github.com/gorilla/feeds"
)

const jsonFeedVersion = "https://jsonfeed.org/version/1.1"

// jsonFeed extends gorilla/feeds' JSONFeed (already version 1.1 in v1.2.0):
// its items field is omitted when empty, but JSON Feed requires the array,
// so ours, being shallower, replaces it.
type jsonFeed struct {
	gfeeds.JSONFeed
	Items []*jsonItem `json:"items"`
}

// jsonItem extends gorilla/feeds' JSONItem with the 1.1 item language and
// with dates as strings (JSONItem's *time.Time would print fractions and the
// time's own zone; ours are RFC 3339 in UTC, as in the Atom feed). The
// deprecated 1.0 "author" is left out.
type jsonItem struct {
	gfeeds.JSONItem
	Published string `json:"date_published,omitempty"`
	Modified  string `json:"date_modified,omitempty"`
	Language  string `json:"language,omitempty"`
}

// WriteJSON writes the feed as JSON Feed 1.1.
func (f *Feed) WriteJSON(w io.Writer) error {
	doc := jsonFeed{
		JSONFeed: gfeeds.JSONFeed{
			Version:     jsonFeedVersion,
			Title:       f.title,
			Language:    f.lang,
			HomePageUrl: f.homeURL,
			FeedUrl:     f.jsonURL,
			Description: f.description,
			Authors:     []*gfeeds.JSONAuthor{{Name: f.author}},
		},
		Items: make([]*jsonItem, len(f.items)),
	}
	items := make([]jsonItem, len(f.items))
	for i := range f.items {
		it := &f.items[i]
		j := &items[i]
		j.JSONItem = gfeeds.JSONItem{
			Id:          it.id,
			Url:         it.link,
			Title:       it.title,
			ContentHTML: it.content,
			Summary:     it.summary,
			Tags:        it.tags,
		}
		if it.author != "" {
			j.Authors = []*gfeeds.JSONAuthor{{Name: it.author}}
		}
		j.Published = atomTime(it.published)
		j.Modified = atomTime(it.updated)
		if it.lang != f.lang {
			j.Language = it.lang
		}
		doc.Items[i] = j
	}
	return writeJSON(w, &doc)
}

// writeJSON writes doc compactly with one item per line: readable in a diff
// and without encoding/json's indentation pass, which cost more than the
// encoding itself for a large feed. The items are written by hand (see
// writeJSONItem); the head, once per feed, by encoding/json.
func writeJSON(w io.Writer, doc *jsonFeed) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var head bytes.Buffer
	henc := json.NewEncoder(&head)
	henc.SetEscapeHTML(false) // content_html is HTML; \u003c everywhere only bloats it
	if err := henc.Encode(&doc.JSONFeed); err != nil {
		return fmt.Errorf("write feed: %w", err)
	}
	// head is {...}\n: reopen it to append the items array.
	h := bytes.TrimSuffix(bytes.TrimSpace(head.Bytes()), []byte("}"))
	bw.Write(h)
	bw.WriteString(`,"items":[` + "\n")
	var scratch []byte
	for i, it := range doc.Items {
		if i > 0 {
			bw.WriteString(",")
		}
		scratch = writeJSONItem(bw, it, scratch)
	}
	bw.WriteString("]}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write feed: %w", err)
	}
	return nil
}
