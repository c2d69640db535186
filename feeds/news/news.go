// Package news owns agendafeed's news feeds: the RSS 2.0, Atom 1.0 and JSON
// Feed 1.1 documents of one series, or of all series together. A feed holds
// the series' most recent news posts and an announcement for each of its most
// recently announced sessions, at most Options.ItemLimit of each: the two
// are counted apart, so that a series with many sessions still publishes its
// news, and a busy news desk does not hide the agenda.
//
// The renderers are pure: the same snapshots and options give the same
// bytes. No clock is read; every date comes from the data (DESIGN decision
// 3). Build turns snapshots into a Feed once; its WriteRSS, WriteAtom and
// WriteJSON methods encode it, so the publisher pays for the items once per
// series and three cheap encodings.
//
// Identity of items (stable across renders, independent of feed options):
//
//   - a news post: tag:<host>,<created>:<slug>/posts/<id>, where host is the
//     host of Layout.BaseURL and created the UTC date the series was created
//     (RFC 4151). The slug and post id never change, and neither does the
//     series' creation date; only moving the site to another host changes it.
//   - a session announcement: urn:uid:<UID>, the session's own UID (assigned
//     once, never changed), percent-escaped where the UID holds characters an
//     IRI cannot. A change to the session keeps the id and moves "updated".
//
// Every id is a URN or tag: URI, never a URL, so RSS guids carry
// isPermaLink="false".
//
// A session's item is titled "<when> · <title>", with "Cancelled: " in front
// when it is cancelled. <when> is in the session's zone: "17 Nov 2021,
// 12:00-13:00 CET", "17 Nov 2021, 22:00 - 18 Nov 2021, 02:00 CET" across
// midnight, "30 Oct 2021, 22:00 CEST - 31 Oct 2021, 04:00 CET" across a change
// of offset, and for all-day sessions "18 Nov 2020 (all day)", "17-18 Nov
// 2021", "30 Nov-2 Dec 2021". The zone label is the abbreviation the zone
// database gives for that date (CET/CEST, EDT); where it has none and Go
// reports a number ("+0545", "-03") the label is "UTC+05:45" / "UTC-03:00".
// The content repeats the time with UTC beside it, then place, people,
// description and links to the session's .ics and its place on the page.
// Labels in the content are English whatever the series' language.
//
// Dates: a post is published and updated when the store says; a session is
// published when it was created and updated when it last changed, so an edit
// moves "updated" on the same item. The feed's own updated/lastBuildDate is
// the latest updated of its items (for an empty feed, when its series last
// changed), never the clock. Items are ordered newest published first, then
// by id; the item limit is applied after ordering and filtering, to the posts
// and to the session announcements separately, so a feed holds at most twice
// ItemLimit items.
//
// Links in a post: the body's relative URLs (href, src, cite) are resolved
// against its series' page, the same base in the series feed and the
// all-series one, so "programme.html" or "#s070" in a post of series S
// always means <base>/S/programme.html or <base>/S/#s070. Absolute URLs
// are left as they are.
//
// Text safety: every string that reaches a document is first reduced to XML
// 1.0 characters (see xmlText), because encoding/xml writes CDATA sections
// raw and a single control character would make the whole feed unreadable.
package news

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/markup"
)

// DefaultItemLimit is the number of posts, and of session announcements, a
// feed keeps when Options.ItemLimit is zero.
const DefaultItemLimit = 50

// DefaultCombinedTitle is the title of the all-series feed when
// Options.Title is empty.
const DefaultCombinedTitle = "All series"

// Options shape a feed. They come from the configuration and the publisher.
type Options struct {
	Layout feeds.Layout
	// ItemLimit is the maximum number of posts (newest published first) and,
	// counted apart, of session announcements (most recently announced
	// first); 0 means DefaultItemLimit. Negative is an error.
	ItemLimit int
	// UpcomingOnly drops sessions that ended at or before AsOf. Posts are
	// always kept. The renderer has no clock: the caller sets AsOf.
	UpcomingOnly bool
	AsOf         time.Time
	// Title is the title of the combined (all-series) feed; "" means
	// DefaultCombinedTitle. A series feed uses the series' title.
	Title string
}

// Feed is a news feed built from snapshots, ready to be written in any of the
// three formats. It is immutable once built and safe for concurrent writes.
type Feed struct {
	title       string
	description string
	lang        string // BCP 47; "" when a combined feed mixes languages
	author      string // feed-level author: organiser, else the feed's title
	homeURL     string // the series page (alternate)
	rssURL      string
	atomURL     string
	jsonURL     string
	updated     time.Time // UTC, whole seconds
	items       []item
}

// item is one entry, format-neutral. Every string is already XML-safe.
type item struct {
	id        string
	title     string
	link      string
	summary   string // plain text
	content   string // HTML
	author    string
	lang      string    // BCP 47 language of the item
	published time.Time // UTC, whole seconds
	updated   time.Time // UTC, whole seconds, never before published
	tags      []string
	session   bool // a session's announcement, not a post: limited apart
	// text, when set, fills in the fields above other than id and the
	// dates; Build calls it only for the items the feed keeps.
	text func(it *item)
}

// detach copies the item's text, so that it keeps nothing of the snapshot
// it was made from alive (see Combined.Add).
func (it *item) detach() {
	for _, f := range []*string{&it.id, &it.title, &it.link, &it.summary, &it.content, &it.author, &it.lang} {
		*f = strings.Clone(*f)
	}
	if it.tags != nil {
		tags := make([]string, len(it.tags))
		for i, t := range it.tags {
			tags[i] = strings.Clone(t)
		}
		it.tags = tags
	}
}

// Len reports the number of items in the feed.
func (f *Feed) Len() int { return len(f.items) }

// WriteRSS writes the RSS 2.0 feed of the series slug ("" for all snaps).
func WriteRSS(w io.Writer, snaps []agenda.Snapshot, slug string, opts Options) error {
	f, err := Build(snaps, slug, opts)
	if err != nil {
		return err
	}
	return f.WriteRSS(w)
}

// WriteAtom writes the Atom 1.0 feed of the series slug ("" for all snaps).
func WriteAtom(w io.Writer, snaps []agenda.Snapshot, slug string, opts Options) error {
	f, err := Build(snaps, slug, opts)
	if err != nil {
		return err
	}
	return f.WriteAtom(w)
}

// WriteJSON writes the JSON Feed 1.1 of the series slug ("" for all snaps).
func WriteJSON(w io.Writer, snaps []agenda.Snapshot, slug string, opts Options) error {
	f, err := Build(snaps, slug, opts)
	if err != nil {
		return err
	}
	return f.WriteJSON(w)
}

// Build collects the items of the series slug (or of every snapshot when slug
// is ""), orders them newest first and applies the options. A slug that no
// snapshot holds is an error matching agenda.ErrNotFound.
func Build(snaps []agenda.Snapshot, slug string, opts Options) (*Feed, error) {
	if opts.ItemLimit < 0 {
		return nil, fmt.Errorf("news feed: item limit %d: expected 0 (default %d) or more", opts.ItemLimit, DefaultItemLimit)
	}
	if opts.UpcomingOnly && opts.AsOf.IsZero() {
		return nil, errors.New("news feed: UpcomingOnly needs AsOf: the renderer reads no clock")
	}
	host, err := baseHost(opts.Layout)
	if err != nil {
		return nil, fmt.Errorf("news feed: %w", err)
	}
	b := builder{opts: opts, host: host}

	var chosen []*agenda.Snapshot
	if slug == "" {
		for i := range snaps {
			chosen = append(chosen, &snaps[i])
		}
	} else {
		for i := range snaps {
			if snaps[i].Series.Slug == slug {
				chosen = append(chosen, &snaps[i])
				break
			}
		}
		if len(chosen) == 0 {
			return nil, fmt.Errorf("news feed for series %q: %w", slug, agenda.ErrNotFound)
		}
	}

	f := &Feed{
		homeURL: xmlText(opts.Layout.SeriesURL(slug, feeds.Page)),
		rssURL:  xmlText(opts.Layout.SeriesURL(slug, feeds.RSS)),
		atomURL: xmlText(opts.Layout.SeriesURL(slug, feeds.Atom)),
		jsonURL: xmlText(opts.Layout.SeriesURL(slug, feeds.JSONFeed)),
	}
	var seriesUpdated time.Time
	n := 0
	for _, s := range chosen {
		n += len(s.Posts) + len(s.Sessions)
	}
	items := make([]item, 0, n)
	for _, s := range chosen {
		if s.Series.Updated.After(seriesUpdated) {
			seriesUpdated = s.Series.Updated
		}
		if items, err = b.appendSnapshot(items, s); err != nil {
			return nil, err
		}
	}

	if slug != "" {
		s := &chosen[0].Series
		f.title = cmp.Or(s.Title, s.Slug)
		f.description = cmp.Or(s.Description, f.title)
		f.lang = s.Language
		f.author = cmp.Or(s.Organizer.Name, f.title)
	} else {
		f.title = cmp.Or(opts.Title, DefaultCombinedTitle)
		f.description = "News and sessions of every series"
		f.lang = commonLanguage(chosen)
		f.author = f.title
	}
	f.title = xmlText(f.title)
	f.description = xmlText(f.description)
	f.lang = xmlText(f.lang)
	f.author = xmlText(f.author)

	items = dedupe(items)
	slices.SortFunc(items, func(a, b item) int {
		if c := b.published.Compare(a.published); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	items = keepNewest(items, cmp.Or(opts.ItemLimit, DefaultItemLimit))
	for i := range items {
		if items[i].text != nil {
			items[i].text(&items[i])
			items[i].text = nil
		}
	}
	f.items = items

	// updated is the latest change among the items shown, never the clock;
	// an empty feed falls back to when its series last changed.
	for i := range items {
		if items[i].updated.After(f.updated) {
			f.updated = items[i].updated
		}
	}
	if len(items) == 0 {
		f.updated = seriesUpdated.UTC().Truncate(time.Second)
	}
	return f, nil
}

// builder holds what item construction shares: the options, the tag: host
// and the zones loaded so far (loading one per session would dominate a
// 10,000-session feed).
type builder struct {
	opts  Options
	host  string
	zones agenda.Zones
}

func (b *builder) zone(name string) (*time.Location, error) { return b.zones.Load(name) }

func (b *builder) appendSnapshot(items []item, s *agenda.Snapshot) ([]item, error) {
	sr := &s.Series
	if sr.Created.IsZero() {
		return nil, fmt.Errorf("news feed for series %q: the series has no creation time, which post ids are built from", sr.Slug)
	}
	tagPrefix := "tag:" + b.host + "," + sr.Created.UTC().Format("2006-01-02") + ":" + sr.Slug + "/posts/"
	if len(s.Posts) > 0 {
		// A post's relative links point from its series' page, whichever
		// feed shows it (see markup.ResolveURLs).
		page, err := url.Parse(b.opts.Layout.SeriesURL(sr.Slug, feeds.Page))
		if err != nil {
			return nil, fmt.Errorf("news feed for series %q: page URL: %w", sr.Slug, err)
		}
		for i := range s.Posts {
			items = append(items, b.postItem(sr, &s.Posts[i], tagPrefix, page))
		}
	}
	for i := range s.Sessions {
		ss := &s.Sessions[i]
		it, keep, err := b.sessionStub(sr, ss)
		if err != nil {
			return nil, fmt.Errorf("news feed for series %q: %w", sr.Slug, err)
		}
		if keep {
			items = append(items, it)
		}
	}
	return items, nil
}

func (b *builder) postItem(sr *agenda.Series, p *agenda.Post, tagPrefix string, page *url.URL) item {
	published := p.Published
	updated := cmp.Or(p.Updated, published)
	content := markup.ResolveURLs(p.BodyHTML, page)
	if strings.TrimSpace(content) == "" {
		content = "<p>" + escapeHTML(cmp.Or(p.Summary, p.Title)) + "</p>"
	}
	summary := p.Summary
	if summary == "" {
		summary = p.Title
	}
	return item{
		id:        xmlText(tagPrefix + p.ID),
		title:     xmlText(p.Title),
		link:      xmlText(cmp.Or(p.URL, b.opts.Layout.PostAnchor(sr.Slug, p.ID))),
		summary:   xmlText(summary),
		content:   xmlText(content),
		author:    xmlText(cmp.Or(p.Author, sr.Organizer.Name)),
		lang:      xmlText(sr.Language),
		published: instant(published),
		updated:   laterOf(instant(updated), instant(published)),
	}
}

// instant normalises a time for output: UTC, whole seconds, so that every
// format (RFC 3339 and RFC 1123Z have no fractions) shows the same instant.
func instant(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }

func laterOf(a, b time.Time) time.Time {
	if a.Before(b) {
		return b
	}
	return a
}

// keepNewest keeps, of items in feed order, the first limit posts and the
// first limit session announcements, in place and in the same order. Counted
// together, the sessions of a busy series would push every post out of its
// feed (and the reverse).
func keepNewest(items []item, limit int) []item {
	var posts, sessions int
	out := items[:0]
	for _, it := range items {
		n := &posts
		if it.session {
			n = &sessions
		}
		if *n < limit {
			*n++
			out = append(out, it)
		} else if posts == limit && sessions == limit {
			break
		}
	}
	return out
}

// dedupe drops items whose id repeats (only bad data makes them: a session
// listed twice), keeping the most recently updated one.
func dedupe(items []item) []item {
	seen := make(map[string]int, len(items))
	out := items[:0]
	for _, it := range items {
		if j, ok := seen[it.id]; ok {
			if it.updated.After(out[j].updated) {
				out[j] = it
			}
			continue
		}
		seen[it.id] = len(out)
		out = append(out, it)
	}
	return out
}

// commonLanguage is the language every series shares, or "".
func commonLanguage(snaps []*agenda.Snapshot) string {
	if len(snaps) == 0 {
		return ""
	}
	lang := snaps[0].Series.Language
	for _, s := range snaps[1:] {
		if !strings.EqualFold(s.Series.Language, lang) {
			return ""
		}
	}
	return lang
}

// baseHost is the host tag: ids are minted under.
func baseHost(l feeds.Layout) (string, error) {
	u, err := url.Parse(l.BaseURL)
	if err != nil || u.Hostname() == "" {
		return "", fmt.Errorf("layout base URL %q: expected an absolute URL with a host, such as https://agenda.example.org/", l.BaseURL)
	}
	return strings.ToLower(u.Hostname()), nil
}
