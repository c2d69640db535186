package api

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/agenda"
)

// Paging of lists.
const (
	DefaultLimit = 100
	MaxLimit     = 500
)

func itoa(i int) string     { return strconv.Itoa(i) }
func itoa64(i int64) string { return strconv.FormatInt(i, 10) }
func queryError(name, v, msg string) error {
	return errf(http.StatusBadRequest, name, v, "%s: %q: %s", name, v, msg)
}

// checkQuery refuses query parameters a route does not know, so that a
// typo (?serie=) does not silently list everything.
func checkQuery(r *http.Request, known ...string) error {
	known = append(known, "limit", "offset")
	for k := range r.URL.Query() {
		if !slices.Contains(known, k) {
			return errf(http.StatusBadRequest, k, "", "unknown query parameter %q; expected %s", k, strings.Join(known, ", "))
		}
	}
	return nil
}

// page reads ?limit= and ?offset=.
func page(r *http.Request) (limit, offset int, err error) {
	q := r.URL.Query()
	limit = DefaultLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxLimit {
			return 0, 0, queryError("limit", v, "expected a whole number between 1 and "+itoa(MaxLimit))
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, 0, queryError("offset", v, "expected a whole number, 0 or more")
		}
		offset = n
	}
	return limit, offset, nil
}

// nextLink is the URL of the following page, or "" on the last one.
func nextLink(r *http.Request, limit, offset int, more bool) string {
	if !more {
		return ""
	}
	q := r.URL.Query()
	q.Set("limit", itoa(limit))
	q.Set("offset", itoa(offset+limit))
	return (&url.URL{Path: r.URL.Path, RawQuery: q.Encode()}).String()
}

// pageOf cuts one page out of a whole list.
func pageOf[T any](all []T, limit, offset int) (items []T, more bool) {
	if offset >= len(all) {
		return []T{}, false
	}
	end := min(len(all), offset+limit)
	return all[offset:end], end < len(all)
}

// listReply is the answer of every list. No counter in the store versions
// a page (people have none, and a page depends on the query), so its ETag
// is the hash of the body sent.
func listReply(name string, items any, r *http.Request, limit, offset int, more bool) *reply {
	b := map[string]any{name: items, "limit": limit, "offset": offset}
	if n := nextLink(r, limit, offset, more); n != "" {
		b["next"] = n
	} else {
		b["next"] = nil
	}
	return &reply{body: b, bodyETag: true}
}

// parseBound reads ?from= / ?to=: a date (midnight UTC, as the CLI reads
// it) or an RFC 3339 instant.
func parseBound(name, v string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, queryError(name, v, "expected a date as YYYY-MM-DD or a time as 2006-01-02T15:04:05Z07:00")
}

// What a write changes, for the "changed" list of its response.
type scope int

const (
	scopePosts    scope = iota // feeds and pages, not calendars nor the index page
	scopeEvents                // as sessions, but not the index page
	scopeSessions              // everything of the series plus the sessions' own calendars
	scopeSeries                // as sessions, plus the OPML list of every feed
)

// The index page (feeds/page/index.go) shows each series and its next
// session: one that has not ended when the page is made, without its
// people, tags or description. So posts and people never change it, and a
// session only while it is upcoming.

// eventsScope is the scope of a write of sessions: scopeSessions if one of
// them, before or after the write, ends after now, and could so be the
// index page's next session; else scopeEvents.
func eventsScope(now time.Time, sessions ...agenda.Session) scope {
	for _, s := range sessions {
		// A session whose times do not resolve is counted as upcoming.
		if _, end, err := s.Interval(); err != nil || end.After(now) {
			return scopeSessions
		}
	}
	return scopeEvents
}

// listScope is the scope of a write that took a series from old (nil: it
// did not exist) to cur: the OPML list of every feed shows each series'
// slug, title and language (and is dated by the newest series' creation),
// so only a new series, or a new title or language, changes it.
func listScope(old *agenda.Series, cur agenda.Series) scope {
	if old == nil || old.Title != cur.Title || old.Language != cur.Language {
		return scopeSeries
	}
	return scopeSessions
}

// changedURLs lists the published URLs a write to series slug changes.
func (a *API) changedURLs(slug string, keys []string, sc scope) []string {
	return slices.Concat(a.seriesURLs(slug, keys, sc), a.allSeriesURLs(sc))
}

// seriesURLs lists the URLs of one series a write changes: its calendar
// (unless only posts changed), feeds and page, then the calendars of the
// sessions named by keys, each once, in the order given.
func (a *API) seriesURLs(slug string, keys []string, sc scope) []string {
	out := []string{}
	for _, k := range scopeKinds(sc) {
		out = append(out, a.layout.SeriesURL(slug, k))
	}
	if sc != scopePosts {
		seen := map[string]bool{}
		for _, key := range keys {
			if !seen[key] {
				seen[key] = true
				out = append(out, a.layout.SessionURL(slug, key))
			}
		}
	}
	return out
}

// allSeriesURLs lists the files of every series together that a write to
// any series changes: listed once however many series the write touched.
func (a *API) allSeriesURLs(sc scope) []string {
	out := []string{}
	for _, k := range scopeKinds(sc) {
		if k == feeds.Page && sc < scopeSessions {
			continue // the index page
		}
		out = append(out, a.layout.SeriesURL("", k))
	}
	if sc == scopeSeries {
		out = append(out, a.layout.SeriesURL("", feeds.OPML))
	}
	return out
}

func scopeKinds(sc scope) []feeds.Kind {
	kinds := feeds.SeriesKinds()
	if sc == scopePosts {
		kinds = slices.DeleteFunc(kinds, func(k feeds.Kind) bool { return k == feeds.Calendar })
	}
	return kinds
}
