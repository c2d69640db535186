package news

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// hostileText holds what a feed must survive: every C0 control, DEL, C1,
// U+FFFE/U+FFFF, invalid UTF-8 and an encoded lone surrogate, a CDATA end,
// markup, entities, quotes, and a line and paragraph separator.
func hostileText() string {
	var b strings.Builder
	for c := 0; c < 0x20; c++ {
		b.WriteByte(byte(c))
	}
	b.WriteString("\x7F\u0085\u009F \uFFFE\uFFFF \xff\xfe\xc3 \xed\xa0\x80\xed\xbf\xbf ")
	b.WriteString("]]> ]]]]>> <![CDATA[ x ]]> <script>alert('x')</script> &amp; &nbsp; &#0; &#xFFFE; \"quotes\" 'apos' ")
	b.WriteString("\u2028\u2029\uFEFF 😀 \r\n end")
	return b.String()
}

// hostileSnapshot puts text into every field that reaches a feed.
func hostileSnapshot(title, summary, body, author, person string) []agenda.Snapshot {
	series := agenda.Series{
		Slug: "h", Title: title, Description: summary, Zone: "Europe/Madrid", Language: "en",
		Organizer: agenda.Organizer{Name: author},
		Created:   time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Updated: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	sessions := []agenda.Session{
		{
			UID: "hostile-1@x", Series: "h", Key: "a", Title: title, Description: summary + "\n\n" + body,
			Start: agenda.NewWallTime(2021, 11, 17, 12, 0, 0), End: agenda.NewWallTime(2021, 11, 17, 13, 0, 0),
			Zone: "Europe/Madrid", Venue: person, Address: summary, OnlineURL: "https://x.example/" + urlSafe(person),
			Status: agenda.StatusCancelled, Tags: []string{title, person, ""}, URL: "javascript:alert(1)",
			People: []agenda.Participant{
				{Person: agenda.Person{Name: person, Affiliation: author, URL: "https://p.example/?q=" + urlSafe(person)}, Role: agenda.Role(person)},
				{Person: agenda.Person{Name: author}, Role: ""},
			},
			Created: time.Date(2021, 1, 2, 0, 0, 0, 0, time.UTC), Updated: time.Date(2021, 1, 3, 0, 0, 0, 0, time.UTC),
		},
		{
			UID: "t-" + title + "@y", Series: "h", Key: "b", Title: person,
			AllDay: true, StartDate: agenda.Date{Year: 2021, Month: 11, Day: 17}, EndDate: agenda.Date{Year: 2021, Month: 11, Day: 19},
			Zone: "Europe/Madrid", Status: agenda.StatusTentative,
			Created: time.Date(2021, 1, 4, 0, 0, 0, 0, time.UTC),
		},
	}
	posts := []agenda.Post{
		{ID: "p1", Series: "h", Title: title, Summary: summary, BodyHTML: body, Author: author,
			URL: "https://x.example/" + urlSafe(title), Published: time.Date(2021, 1, 5, 0, 0, 0, 0, time.UTC)},
		{ID: "p2", Series: "h", Title: person, BodyHTML: "", Summary: "",
			Published: time.Date(2021, 1, 6, 0, 0, 0, 0, time.UTC), Updated: time.Date(2021, 1, 7, 0, 0, 0, 0, time.UTC)},
	}
	return []agenda.Snapshot{{Series: series, Sessions: sessions, Posts: posts}}
}

// urlSafe makes arbitrary text safe enough for the URL fields, which validation
// guarantees are plain http(s) URLs; the text fields are the hostile ones.
func urlSafe(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// parsedItem is what the checks compare, whatever the format.
type parsedItem struct {
	ID, Title, Link, Summary, Content, Author string
	Published, Updated                        time.Time
}

// parseXMLStrict walks every token with a strict decoder: it fails on any
// well-formedness error, undeclared entity or invalid character.
func parseXMLStrict(data []byte) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

type rssParsed struct {
	Channel struct {
		Title    string `xml:"title"`
		Language string `xml:"language"`
		Items    []struct {
			Title       string `xml:"title"`
			Link        string `xml:"link"`
			Description string `xml:"description"`
			Content     string `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
			Creator     string `xml:"http://purl.org/dc/elements/1.1/ creator"`
			GUID        struct {
				ID          string `xml:",chardata"`
				IsPermaLink string `xml:"isPermaLink,attr"`
			} `xml:"guid"`
			PubDate string `xml:"pubDate"`
		} `xml:"item"`
	} `xml:"channel"`
}

type atomParsed struct {
	Title   string `xml:"http://www.w3.org/2005/Atom title"`
	Lang    string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	Updated string `xml:"http://www.w3.org/2005/Atom updated"`
	Entries []struct {
		ID        string `xml:"id"`
		Title     string `xml:"title"`
		Published string `xml:"published"`
		Updated   string `xml:"updated"`
		Summary   string `xml:"summary"`
		Content   string `xml:"content"`
		Author    string `xml:"author>name"`
		Links     []struct {
			Href string `xml:"href,attr"`
			Rel  string `xml:"rel,attr"`
		} `xml:"link"`
	} `xml:"http://www.w3.org/2005/Atom entry"`
}

type jsonParsed struct {
	Version string `json:"version"`
	Title   string `json:"title"`
	Items   []struct {
		ID            string `json:"id"`
		URL           string `json:"url"`
		Title         string `json:"title"`
		ContentHTML   string `json:"content_html"`
		Summary       string `json:"summary"`
		DatePublished string `json:"date_published"`
		DateModified  string `json:"date_modified"`
		Authors       []struct {
			Name string `json:"name"`
		} `json:"authors"`
	} `json:"items"`
}

// parseFormat parses one of our documents strictly and returns its items.
func parseFormat(format string, data []byte) ([]parsedItem, error) {
	var out []parsedItem
	switch format {
	case "rss", "atom":
		if err := parseXMLStrict(data); err != nil {
			return nil, fmt.Errorf("not well-formed: %w", err)
		}
	}
	switch format {
	case "rss":
		var doc rssParsed
		if err := xml.Unmarshal(data, &doc); err != nil {
			return nil, err
		}
		for _, it := range doc.Channel.Items {
			pub, err := time.Parse(time.RFC1123Z, it.PubDate)
			if err != nil {
				return nil, fmt.Errorf("pubDate %q: %w", it.PubDate, err)
			}
			if it.GUID.IsPermaLink != "false" {
				return nil, fmt.Errorf("guid %q: isPermaLink %q", it.GUID.ID, it.GUID.IsPermaLink)
			}
			out = append(out, parsedItem{ID: it.GUID.ID, Title: it.Title, Link: it.Link, Summary: it.Description,
				Content: it.Content, Author: it.Creator, Published: pub})
		}
	case "atom":
		var doc atomParsed
		if err := xml.Unmarshal(data, &doc); err != nil {
			return nil, err
		}
		for _, e := range doc.Entries {
			pub, err1 := time.Parse(time.RFC3339, e.Published)
			upd, err2 := time.Parse(time.RFC3339, e.Updated)
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("entry %q dates %q %q", e.ID, e.Published, e.Updated)
			}
			var link string
			for _, l := range e.Links {
				if l.Rel == "alternate" {
					link = l.Href
				}
			}
			out = append(out, parsedItem{ID: e.ID, Title: e.Title, Link: link, Summary: e.Summary,
				Content: e.Content, Author: e.Author, Published: pub, Updated: upd})
		}
	case "json":
		if !json.Valid(data) {
			return nil, fmt.Errorf("not valid JSON")
		}
		var doc jsonParsed
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, err
		}
		if doc.Version != jsonFeedVersion {
			return nil, fmt.Errorf("version %q", doc.Version)
		}
		for _, it := range doc.Items {
			pub, err1 := time.Parse(time.RFC3339, it.DatePublished)
			upd, err2 := time.Parse(time.RFC3339, it.DateModified)
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("item %q dates %q %q", it.ID, it.DatePublished, it.DateModified)
			}
			var author string
			if len(it.Authors) > 0 {
				author = it.Authors[0].Name
			}
			out = append(out, parsedItem{ID: it.ID, Title: it.Title, Link: it.URL, Summary: it.Summary,
				Content: it.ContentHTML, Author: author, Published: pub, Updated: upd})
		}
	}
	return out, nil
}

// encodingXML renders doc wholly with encoding/xml, as gorilla/feeds'
// WriteXML does (declaration, two-space indent) plus our final newline: the
// oracle for the streaming item writer.
func encodingXML(t testing.TB, doc any) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	b.WriteByte('\n')
	return b.Bytes()
}

// checkStreaming compares the streamed RSS and Atom with encoding/xml's
// encoding of the same gorilla/feeds structs, byte for byte.
func checkStreaming(t testing.TB, f *Feed) {
	t.Helper()
	var rss, atom bytes.Buffer
	if err := f.WriteRSS(&rss); err != nil {
		t.Fatal(err)
	}
	if err := f.WriteAtom(&atom); err != nil {
		t.Fatal(err)
	}
	if want := encodingXML(t, f.rssDoc()); !bytes.Equal(rss.Bytes(), want) {
		t.Fatalf("streamed RSS differs from encoding/xml:\n%s", firstDiff(string(want), rss.String()))
	}
	if want := encodingXML(t, f.atomDoc()); !bytes.Equal(atom.Bytes(), want) {
		t.Fatalf("streamed Atom differs from encoding/xml:\n%s", firstDiff(string(want), atom.String()))
	}
}

func TestStreamingMatchesEncodingXML(t *testing.T) {
	h := hostileText()
	tests := []struct {
		name  string
		snaps []agenda.Snapshot
		slug  string
		opts  Options
	}{
		{"series", demoSnapshots(t), "cities-are-listening", Options{}},
		{"combined, mixed languages", demoSnapshots(t), "", Options{}},
		{"empty", demoSnapshotsFor(t, "empty"), "cities-are-listening", Options{UpcomingOnly: true, AsOf: utc("2040-01-01T00:00:00Z")}},
		{"hostile", hostileSnapshot(h, h, h, h, h), "h", Options{}},
		{"CDATA ends", hostileSnapshot("]]>", "]]]]>>", "]]>]]>a]]>", "", "]"), "", Options{}},
		{"big", bigSnapshot(40, 10), "big", Options{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Layout = testLayout
			f, err := Build(tc.snaps, tc.slug, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			checkStreaming(t, f)
		})
	}
}

// checkRoundTrip renders f in every format, parses each strictly and checks
// that the items read back are the items built.
func checkRoundTrip(t testing.TB, f *Feed) {
	t.Helper()
	for _, fm := range formats {
		var buf bytes.Buffer
		if err := fm.write(f, &buf); err != nil {
			t.Fatalf("%s: %v", fm.name, err)
		}
		got, err := parseFormat(fm.name, buf.Bytes())
		if err != nil {
			t.Fatalf("%s: %v\n%s", fm.name, err, buf.Bytes())
		}
		if len(got) != len(f.items) {
			t.Fatalf("%s: %d items read back, %d built", fm.name, len(got), len(f.items))
		}
		for i, g := range got {
			w := f.items[i]
			if fm.name == "rss" {
				// RSS descriptions are HTML: the plain-text summary is escaped.
				w.summary = escapeHTML(w.summary)
			}
			if g.ID != w.id || g.Title != w.title || g.Link != w.link || g.Summary != w.summary ||
				g.Content != w.content || g.Author != w.author || !g.Published.Equal(w.published) ||
				(fm.name != "rss" && !g.Updated.Equal(w.updated)) {
				t.Fatalf("%s item %d read back differs:\n got  %+v\n want %+v", fm.name, i, g, w)
			}
		}
	}
}

func TestHostileTextStaysWellFormed(t *testing.T) {
	h := hostileText()
	tests := []struct {
		name                                 string
		title, summary, body, author, person string
	}{
		{"everything everywhere", h, h, h, h, h},
		{"CDATA ends in the body", "t", "s", "<p>a ]]> b ]]]]>> c</p>]]>", "a", "p"},
		{"only controls", "\x00\x01\x02", "\x0B\x0C", "\x1B[31m", "\x7F", "\x08"},
		{"empty text", "", "", "", "", ""},
		{"invalid UTF-8 only", "\xff", "\xfe\xfe", "\xc3\x28", "\xe2\x82", "\xf0\x28\x8c\xbc"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			snaps := hostileSnapshot(tc.title, tc.summary, tc.body, tc.author, tc.person)
			for _, slug := range []string{"h", ""} {
				f, err := Build(snaps, slug, Options{Layout: testLayout})
				if err != nil {
					t.Fatal(err)
				}
				if f.Len() != 4 {
					t.Fatalf("%d items, want 4", f.Len())
				}
				checkRoundTrip(t, f)
			}
		})
	}
}

// A session URL that is not http(s) never becomes a link.
func TestOnlyWebURLsBecomeLinks(t *testing.T) {
	f, err := Build(hostileSnapshot("t", "s", "b", "a", "p"), "h", Options{Layout: testLayout})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range f.items {
		if strings.Contains(it.content, "javascript:") {
			t.Errorf("item %q content has a javascript: URL:\n%s", it.id, it.content)
		}
	}
}

// FuzzFeeds: whatever text reaches titles, summaries, bodies, authors and
// people, every format stays well-formed and carries every item.
func FuzzFeeds(f *testing.F) {
	f.Add("Smart Cities", "A debate.", "<p>Body</p>", "UCLG", "Emilia Saiz")
	f.Add(hostileText(), hostileText(), hostileText(), hostileText(), hostileText())
	f.Add("]]>", "]]>", "<![CDATA[]]>", "\x00", "\uFFFE")
	f.Add("\xed\xa0\x80", "\r\r\n", "&#0;", "\u2028", "\xff")
	f.Fuzz(func(t *testing.T, title, summary, body, author, person string) {
		for _, slug := range []string{"h", ""} {
			feed, err := Build(hostileSnapshot(title, summary, body, author, person), slug, Options{Layout: testLayout})
			if err != nil {
				t.Fatal(err)
			}
			if feed.Len() != 4 {
				t.Fatalf("%d items, want 4", feed.Len())
			}
			checkRoundTrip(t, feed)
			checkStreaming(t, feed)
		}
	})
}
