package page

import (
	"html/template"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/agenda"
)

// Links that hand a session or a calendar to Google Calendar and
// Outlook.com. Their query strings are built by hand rather than with
// url.Values, which would sort the parameters: the order here is the one
// both services document, which keeps the links readable and the tests exact.

const (
	googleEventBase     = "https://calendar.google.com/calendar/render"
	googleSubscribeBase = "https://calendar.google.com/calendar/r"
	outlookEventBase    = "https://outlook.live.com/calendar/0/deeplink/compose"
	outlookSubscribe    = "https://outlook.live.com/calendar/0/addfromweb"
	// maxDetails bounds, in encoded bytes, the whole text an "add" link
	// carries as its details (Google) or body (Outlook): browsers and both
	// services cut URLs somewhere past 2,000 bytes, and the rest of a link
	// (its base, title, times and location) takes 200-400 more. A bound in
	// characters let a text in Cyrillic, CJK or emoji (6-12 bytes each
	// once encoded) make a link of ~9 KB.
	maxDetails = 1500
)

// param is one query parameter of a subscribe link.
type param struct{ key, value string }

// query builds a subscribe link; its values are encoded as the "add"
// links' are (see queryOut).
func query(base string, ps ...param) string {
	e := eventLink{}
	e.base(base)
	for _, p := range ps {
		e.param(p.key, p.value)
	}
	return string(e.b)
}

// details writes the text an "add" link carries: the description, the
// people, one line each as the calendar's DESCRIPTION has them (see
// agenda.PersonLine), the online link if any, and a link back to the
// session on its page (page is the URL of its series' page), a blank line
// between the parts. Its pieces are encoded one after the other, which is
// the same as encoding the joined text (encoding is byte by byte) and
// spares joining them.
//
// The whole text is kept within maxDetails bytes once encoded. The two
// links are never cut: a cut URL is a wrong one. The description is cut
// first, the people only if they alone do not fit: who speaks is the point
// of a debate, and what the page says of a session in brief; the
// description is what runs long, and the link back to the page has it in
// full.
func (e *eventLink) details(x session, page string) {
	// A line end is %0A: three bytes.
	const nl = 3
	room := maxDetails - encodedLen(page) - encodedLen("#") - encodedLen(x.s.Key)
	if x.s.OnlineURL != "" {
		room -= encodedLen("Online: ") + encodedLen(x.s.OnlineURL) + 2*nl
	}
	people := x.s.People
	more := false // some people were left out: a last line says so
	if len(people) > 0 {
		// Lines and the line ends after each: the last one's is the blank
		// line before what follows.
		n := nl
		for i := range people {
			n += personLen(&people[i]) + nl
		}
		if n > room {
			// Whole lines only, then a line "…".
			n, more = nl+encodedLen("…")+nl, true
			kept := 0
			for kept < len(people) {
				w := personLen(&people[kept]) + nl
				if n+w > room {
					break
				}
				n += w
				kept++
			}
			people = people[:kept]
		}
		room -= n
	}
	// When not all the people fit, none of the description does.
	if d := strings.TrimSpace(x.s.Description); d != "" && !more {
		// Room for the blank line after it too; nothing when not even one
		// character and the ellipsis fit.
		if encodedLen(d)+2*nl <= room {
			e.value(d)
			e.value("\n\n")
		} else if head := cutEncoded(d, room-encodedLen("…\n\n")); head != "" {
			e.value(head)
			e.value("…\n\n")
		}
	}
	for i := range people {
		if i > 0 {
			e.value("\n")
		}
		for _, part := range agenda.PersonLine(&people[i]) {
			e.value(part)
		}
	}
	switch {
	case more && len(people) > 0:
		e.value("\n…\n\n")
	case more:
		e.value("…\n\n")
	case len(people) > 0:
		e.value("\n\n")
	}
	if x.s.OnlineURL != "" {
		e.value("Online: ")
		e.value(x.s.OnlineURL)
		e.value("\n\n")
	}
	// feeds.Layout.SessionAnchor, in pieces.
	e.value(page)
	e.value("#")
	e.value(x.s.Key)
}

// personLen is the encoded length of p's line (agenda.PersonLine).
func personLen(p *agenda.Participant) int {
	n := 0
	for _, part := range agenda.PersonLine(p) {
		n += encodedLen(part)
	}
	return n
}

// encodedLen is the length of s once encoded (see value).
func encodedLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if queryOut[s[i]] == 0 {
			n += 2
		}
	}
	return n
}

// cutEncoded is the start of s, whole characters, that cutText would keep
// for a bound of max encoded bytes: at the end of a word when one ends in
// its last fifth, without the punctuation before the cut.
func cutEncoded(s string, max int) string {
	end, n := 0, 0
	for end < len(s) {
		_, size := utf8.DecodeRuneInString(s[end:])
		w := encodedLen(s[end : end+size])
		if n+w > max {
			break
		}
		end, n = end+size, n+w
	}
	head := s[:end]
	if i := strings.LastIndexByte(head, ' '); i > len(head)*4/5 {
		head = head[:i]
	}
	return strings.TrimRight(head, " ,;:.")
}

// eventLocation is the venue and address on one line, or else the online
// link.
func eventLocation(x session) string {
	address := x.s.Address
	if address != "" {
		address = strings.Join(strings.Fields(strings.ReplaceAll(address, "\n", ", ")), " ")
	}
	switch {
	case x.s.Venue != "" && address != "":
		return x.s.Venue + ", " + address
	case x.s.Venue != "":
		return x.s.Venue
	case address != "":
		return address
	}
	return x.s.OnlineURL
}

// eventLink builds an "add" link, either as a URL or (attr) as the value of
// an href attribute, so that the page can insert it whole (see hrefAttr):
// the same URL with '&' written "&amp;", which is all the page's attribute
// escaper would change in it but for '+', which it writes as "&#43;" and
// which needs no escape in an attribute value. A space is '+' in these
// links, ~40 per link: as "&#43;" they made an agenda page 11% larger.
// Values are encoded through queryOut.
type eventLink struct {
	b     []byte
	attr  bool
	first bool
}

func (e *eventLink) base(s string) { e.b, e.first = append(e.b, s...), true }

func (e *eventLink) key(k string) {
	switch {
	case e.first:
		e.b, e.first = append(e.b, '?'), false
	case e.attr:
		e.b = append(e.b, "&amp;"...)
	default:
		e.b = append(e.b, '&')
	}
	e.b = append(append(e.b, k...), '=')
}

func (e *eventLink) param(k string, v ...string) {
	e.key(k)
	for _, s := range v {
		e.value(s)
	}
}

// span is a part of e.b: a value already encoded, to be copied.
type span struct{ from, to int }

// encodedParam is param that also returns where the encoded value lies.
func (e *eventLink) encodedParam(k string, v ...string) span {
	e.key(k)
	from := len(e.b)
	for _, s := range v {
		e.value(s)
	}
	return span{from, len(e.b)}
}

// copiedParam adds a parameter whose value was encoded earlier in e.b.
func (e *eventLink) copiedParam(k string, s span) {
	e.key(k)
	e.b = append(e.b, e.b[s.from:s.to]...)
}

// timeParam adds a time as an instant in UTC ("2006-01-02T15:04:05Z"), or
// with date as its date in its own zone ("2006-01-02"): digits, '-', ':',
// 'T' and 'Z', nothing to encode.
func (e *eventLink) timeParam(k string, t time.Time, date bool) {
	e.key(k)
	if date {
		e.b = appendDate(e.b, t, false)
	} else {
		e.b = appendStamp(e.b, t, false)
	}
}

func (e *eventLink) value(v string) {
	// Byte by byte into a local slice, grown once, through a table that
	// also turns ' ' into '+': most runs of kept bytes are one word long,
	// and copying each as a slice, storing e.b through the pointer (a write
	// barrier while the GC runs) and a mispredicted branch at every space
	// cost more than the encoding itself.
	b := slices.Grow(e.b, 3*len(v))
	for i := 0; i < len(v); i++ {
		c := v[i]
		if o := queryOut[c]; o != 0 {
			b = append(b, o)
		} else {
			b = append(b, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	e.b = b
}

// queryOut maps each byte a query value may hold as it is to itself, ' '
// to '+', and the others, which are percent-encoded, to 0. RFC 3986 allows
// in a query the unreserved characters, the sub-delims, ':', '@', '/' and
// '?'; of those, '&', '=' and '+' would change what a form decoder reads,
// ';' is a separator to some servers (and to Go's url.ParseQuery an error),
// and '\” would cost five bytes as "&#39;" in the href (see hrefAttr):
// these are encoded, as are '%', '#', space, controls, non-ASCII bytes
// (UTF-8, byte by byte) and what may not stand in a URL at all. The rest
// are most of the punctuation of titles, names and URLs: as %XX they made
// a link's text up to three times longer than need be.
var queryOut = func() (t [256]byte) {
	for c := range 256 {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~!$()*,:@/?", byte(c)) >= 0 {
			t[c] = byte(c)
		}
	}
	t[' '] = '+'
	return t
}()

const upperHex = "0123456789ABCDEF"

// googleEventURL opens Google Calendar's "new event" form filled in. Timed
// sessions carry UTC instants and ctz (the zone the event is shown in);
// all-day sessions carry dates, the end exclusive.
func googleEventURL(x session, l feeds.Layout) string {
	e := eventLink{}
	e.google(x, l.SeriesURL(x.s.Series, feeds.Page), eventLocation(x))
	return string(e.b)
}

// google writes the link and returns where its encoded details (see
// details; page is the URL of the session's series' page) and location lie,
// for outlook to copy.
func (e *eventLink) google(x session, page, location string) (encoded [2]span) {
	e.base(googleEventBase)
	e.param("action", "TEMPLATE")
	e.param("text", x.s.Title)
	e.key("dates")
	if x.s.AllDay {
		e.b = appendDate(e.b, x.start, true)
		e.b = append(e.b, '/')
		e.b = appendDate(e.b, x.end, true)
	} else {
		e.b = appendStamp(e.b, x.start, true)
		e.b = append(e.b, '/')
		e.b = appendStamp(e.b, x.end, true)
	}
	e.key("details")
	from := len(e.b)
	e.details(x, page)
	encoded[0] = span{from, len(e.b)}
	encoded[1] = e.encodedParam("location", location)
	e.param("ctz", x.s.Zone)
	return encoded
}

// outlookEventURL opens Outlook.com's compose form filled in.
func outlookEventURL(x session, l feeds.Layout) string {
	e := eventLink{}
	e.outlook(x, l.SeriesURL(x.s.Series, feeds.Page), eventLocation(x), nil)
	return string(e.b)
}

// outlook writes the link; when encoded is not nil, it copies the details
// and location google encoded earlier in e.b.
func (e *eventLink) outlook(x session, page, location string, encoded *[2]span) {
	e.base(outlookEventBase)
	e.param("path", "/calendar/action/compose")
	e.param("rru", "addevent")
	e.param("subject", x.s.Title)
	if x.s.AllDay {
		e.timeParam("startdt", x.start, true)
		e.timeParam("enddt", x.end, true)
		e.param("allday", "true")
	} else {
		e.timeParam("startdt", x.start, false)
		e.timeParam("enddt", x.end, false)
	}
	if encoded != nil {
		e.copiedParam("body", encoded[0])
		e.copiedParam("location", encoded[1])
		return
	}
	e.key("body")
	e.details(x, page)
	e.param("location", location)
}

// eventHrefs returns a session's "add to Google Calendar" and "add to
// Outlook.com" links as whole href attributes (see hrefAttr), built in one
// buffer.
func eventHrefs(x session, l feeds.Layout) (google, outlook template.HTMLAttr) {
	var a linkArena
	a.reset(1, l, x.s.Series)
	a.add(x, l, true)
	sp := a.spans[0]
	both := string(a.b)
	return template.HTMLAttr(both[sp[1]:sp[2]]), template.HTMLAttr(both[sp[2]:sp[3]])
}

// linkArena collects the links of every session of a page (its .ics and,
// unless cancelled, its "add" links) in one buffer, which the views' links
// then point into: a page of 100 sessions has 200 links of 1-2 KB each, and
// the Renderer keeps arenas between pages, so a pass of 1,000 pages does not
// allocate (and copy) ~500 KB of links for each.
type linkArena struct {
	b []byte
	// Per session added: where its .ics, Google and Outlook attributes
	// start, and where the last ends. The "add" links are empty for a
	// cancelled session.
	spans [][4]int
	// The series the page is of, and the URL of that page, which every
	// session's details link back to (see details).
	slug, page string
}

// add appends a session's links, as whole href attributes: its .ics, and
// its "add" links unless !events (a cancelled session).
func (a *linkArena) add(x session, l feeds.Layout, events bool) {
	start := len(a.b)
	a.b = appendHrefAttr(a.b, l.SessionURL(x.s.Series, x.s.Key))
	ics := len(a.b)
	if !events {
		a.spans = append(a.spans, [4]int{start, ics, ics, ics})
		return
	}
	page := a.page
	if x.s.Series != a.slug {
		page = l.SeriesURL(x.s.Series, feeds.Page)
	}
	location := eventLocation(x)
	e := eventLink{b: a.b, attr: true}
	e.b = append(e.b, `href="`...)
	encoded := e.google(x, page, location)
	e.b = append(e.b, `"`...)
	mid := len(e.b)
	e.b = append(e.b, `href="`...)
	e.outlook(x, page, location, &encoded)
	e.b = append(e.b, `"`...)
	a.b = e.b
	a.spans = append(a.spans, [4]int{start, ics, mid, len(e.b)})
}

// reset empties the arena for a page of n sessions of the series slug.
func (a *linkArena) reset(n int, l feeds.Layout, slug string) {
	a.b = slices.Grow(a.b[:0], 3000*n)
	a.spans = slices.Grow(a.spans[:0], n)
	a.slug, a.page = slug, l.SeriesURL(slug, feeds.Page)
}

// assign sets the links of the sessions, in the order add saw them. The
// links are not copied out of the arena's buffer: nothing writes to it
// again until reset, which the Renderer calls only once the page that holds
// them is written.
func (a *linkArena) assign(sections ...[]dayView) {
	all := unsafe.String(unsafe.SliceData(a.b), len(a.b))
	next := 0
	for _, days := range sections {
		for i := range days {
			for j := range days[i].Sessions {
				s := &days[i].Sessions[j]
				sp := a.spans[next]
				next++
				s.ICS = template.HTMLAttr(all[sp[0]:sp[1]])
				s.Google, s.Outlook = template.HTMLAttr(all[sp[1]:sp[2]]), template.HTMLAttr(all[sp[2]:sp[3]])
			}
		}
	}
}

// subscribeLinks are the ways to follow a calendar (slug "" for all series)
// and its feeds.
func subscribeLinks(l feeds.Layout, slug, title string) subscribeView {
	https := l.SeriesURL(slug, feeds.Calendar)
	webcal := feeds.Webcal(https)
	return subscribeView{
		Name: title,
		// The webcal URL is built from our own layout, not from the data.
		Webcal:   template.URL(webcal),
		HTTPS:    https,
		Google:   query(googleSubscribeBase, param{key: "cid", value: webcal}),
		Outlook:  query(outlookSubscribe, param{key: "url", value: https}, param{key: "name", value: title}),
		RSS:      l.SeriesURL(slug, feeds.RSS),
		Atom:     l.SeriesURL(slug, feeds.Atom),
		JSONFeed: l.SeriesURL(slug, feeds.JSONFeed),
	}
}
