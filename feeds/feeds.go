// Package feeds owns the layout of what agendafeed publishes: the file name
// of every calendar, feed and page, and the public URL of each. The
// renderers in its sub-packages (ical, news, page) link to one another
// through it and internal/publish writes the files where it says, so a link
// and the file it points at can never disagree.
//
// Per series <slug>:
//
//	<slug>/calendar.ics        iCalendar of every session
//	<slug>/rss.xml             RSS 2.0
//	<slug>/atom.xml            Atom 1.0
//	<slug>/feed.json           JSON Feed 1.1
//	<slug>/index.html          agenda page
//	<slug>/sessions/<key>.ics  one session, for "add to calendar" links
//
// For all series together the same names sit at the top level, with
// feeds.opml listing every feed and index.html listing every series.
package feeds

import (
	"net/url"
	"strings"
)

// Kind is one of the published formats.
type Kind string

// The published formats, by file name.
const (
	Calendar Kind = "calendar.ics"
	RSS      Kind = "rss.xml"
	Atom     Kind = "atom.xml"
	JSONFeed Kind = "feed.json"
	Page     Kind = "index.html"
	OPML     Kind = "feeds.opml"
)

// SeriesKinds are the files published for each series and for all series
// together (besides one calendar per session).
var seriesKinds = []Kind{Calendar, RSS, Atom, JSONFeed, Page}

// SeriesKinds returns the per-series formats.
func SeriesKinds() []Kind { return append([]Kind(nil), seriesKinds...) }

// ContentType returns the media type a file of this kind is served with.
func (k Kind) ContentType() string {
	switch k {
	case Calendar:
		return "text/calendar; charset=utf-8"
	case RSS:
		return "application/rss+xml; charset=utf-8"
	case Atom:
		return "application/atom+xml; charset=utf-8"
	case JSONFeed:
		return "application/feed+json; charset=utf-8"
	case Page:
		return "text/html; charset=utf-8"
	case OPML:
		return "text/x-opml; charset=utf-8"
	}
	return "application/octet-stream"
}

// Layout maps published files to paths and public URLs.
type Layout struct {
	// BaseURL is the public URL the output directory is served at, with a
	// trailing slash, e.g. https://agenda.example.org/.
	BaseURL string
}

// NewLayout returns a Layout for base, adding the trailing slash if missing.
func NewLayout(base string) Layout {
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	return Layout{BaseURL: base}
}

// BasePath is the path of BaseURL, with a trailing slash ("/" when it has
// none, "/agenda/" for https://example.org/agenda/): where the published
// files are served, so that every URL the Layout makes works.
func (l Layout) BasePath() string {
	u, err := url.Parse(l.BaseURL)
	if err != nil || u.Path == "" {
		return "/"
	}
	if !strings.HasSuffix(u.Path, "/") {
		return u.Path + "/"
	}
	return u.Path
}

// SeriesPath is the path, relative to the output directory and with '/'
// separators, of a series' file. An empty slug names the all-series file.
func (Layout) SeriesPath(slug string, k Kind) string {
	if slug == "" {
		return string(k)
	}
	return slug + "/" + string(k)
}

// SessionPath is the path of one session's calendar.
func (Layout) SessionPath(slug, key string) string {
	return slug + "/sessions/" + key + ".ics"
}

// ParseSessionPath is SessionPath's inverse: the series and the session key
// of a path SessionPath could return, and whether it is one. It checks the
// shape only; whether the session exists is the caller's question.
func (Layout) ParseSessionPath(path string) (slug, key string, ok bool) {
	slug, rest, found := strings.Cut(path, "/sessions/")
	if !found || slug == "" || strings.Contains(slug, "/") {
		return "", "", false
	}
	key, found = strings.CutSuffix(rest, ".ics")
	if !found || key == "" || strings.Contains(key, "/") {
		return "", "", false
	}
	return slug, key, true
}

// URL turns a path from SeriesPath or SessionPath into a public URL.
func (l Layout) URL(path string) string {
	return l.BaseURL + path
}

// SeriesURL is the public URL of a series' file; for the page it is the
// directory URL (".../slug/"), which is how people share it.
func (l Layout) SeriesURL(slug string, k Kind) string {
	if k == Page {
		if slug == "" {
			return l.BaseURL
		}
		return l.BaseURL + slug + "/"
	}
	return l.URL(l.SeriesPath(slug, k))
}

// SessionURL is the public URL of one session's calendar.
func (l Layout) SessionURL(slug, key string) string {
	return l.URL(l.SessionPath(slug, key))
}

// SessionAnchor is the URL of a session on its series' page.
func (l Layout) SessionAnchor(slug, key string) string {
	return l.SeriesURL(slug, Page) + "#" + key
}

// PostAnchor is the URL of a news post on its series' page, where the page
// gives its article the id "post_<id>": a post without a URL of its own
// links there from the feeds, not to the top of a long page.
func (l Layout) PostAnchor(slug, id string) string {
	return l.SeriesURL(slug, Page) + "#post_" + id
}

// Webcal turns an http(s) calendar URL into the webcal:// form that makes
// Apple Calendar and Outlook subscribe rather than download.
func Webcal(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	p.Scheme = "webcal"
	return p.String()
}
