package page

import (
	"html/template"
	"net/url"
	"strings"

	"github.com/agendafeed/agendafeed/feeds"
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
	// maxDetails bounds the description copied into an "add" link: browsers
	// and both services cut URLs somewhere past 2,000 bytes of text.
	maxDetails = 1000
)

// param is one query parameter; raw values are our own (dates, zone names,
// fixed paths) and keep '/' and ':' readable, as the services show them.
type param struct {
	key, value string
	raw        bool
}

func query(base string, ps ...param) string {
	var b strings.Builder
	b.WriteString(base)
	for i, p := range ps {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(p.key)
		b.WriteByte('=')
		v := url.QueryEscape(p.value)
		if p.raw {
			v = strings.ReplaceAll(strings.ReplaceAll(v, "%2F", "/"), "%3A", ":")
		}
		b.WriteString(v)
	}
	return b.String()
}

// eventDetails is the text an "add" link carries: the description, cut,
// the online link if any, and a link back to the session on its page.
func eventDetails(x session, l feeds.Layout) string {
	var parts []string
	if d := strings.TrimSpace(x.s.Description); d != "" {
		parts = append(parts, truncate(d, maxDetails))
	}
	if x.s.OnlineURL != "" {
		parts = append(parts, "Online: "+x.s.OnlineURL)
	}
	parts = append(parts, l.SessionAnchor(x.s.Series, x.s.Key))
	return strings.Join(parts, "\n\n")
}

// eventLocation is the venue and address on one line, or else the online
// link.
func eventLocation(x session) string {
	var parts []string
	for _, p := range []string{x.s.Venue, strings.Join(strings.Fields(strings.ReplaceAll(x.s.Address, "\n", ", ")), " ")} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return x.s.OnlineURL
	}
	return strings.Join(parts, ", ")
}

// googleEventURL opens Google Calendar's "new event" form filled in. Timed
// sessions carry UTC instants and ctz (the zone the event is shown in);
// all-day sessions carry dates, the end exclusive.
func googleEventURL(x session, l feeds.Layout) string {
	var dates string
	if x.s.AllDay {
		dates = x.start.Format("20060102") + "/" + x.end.Format("20060102")
	} else {
		dates = x.start.UTC().Format("20060102T150405Z") + "/" + x.end.UTC().Format("20060102T150405Z")
	}
	return query(googleEventBase,
		param{key: "action", value: "TEMPLATE", raw: true},
		param{key: "text", value: x.s.Title},
		param{key: "dates", value: dates, raw: true},
		param{key: "details", value: eventDetails(x, l)},
		param{key: "location", value: eventLocation(x)},
		param{key: "ctz", value: x.s.Zone, raw: true},
	)
}

// outlookEventURL opens Outlook.com's compose form filled in.
func outlookEventURL(x session, l feeds.Layout) string {
	ps := []param{
		{key: "path", value: "/calendar/action/compose", raw: true},
		{key: "rru", value: "addevent", raw: true},
		{key: "subject", value: x.s.Title},
	}
	if x.s.AllDay {
		ps = append(ps,
			param{key: "startdt", value: x.start.Format("2006-01-02"), raw: true},
			param{key: "enddt", value: x.end.Format("2006-01-02"), raw: true},
			param{key: "allday", value: "true", raw: true})
	} else {
		ps = append(ps,
			param{key: "startdt", value: x.start.UTC().Format("2006-01-02T15:04:05Z"), raw: true},
			param{key: "enddt", value: x.end.UTC().Format("2006-01-02T15:04:05Z"), raw: true})
	}
	ps = append(ps,
		param{key: "body", value: eventDetails(x, l)},
		param{key: "location", value: eventLocation(x)})
	return query(outlookEventBase, ps...)
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
