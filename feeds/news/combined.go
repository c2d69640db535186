package news

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/agenda"
)

// Combined builds the all-series feed one series at a time, so that no
// caller has to hold every snapshot at once. It keeps the newest ItemLimit
// posts and ItemLimit session announcements seen so far (with their text, so
// no snapshot stays referenced), the
// id and updated time of every item (to dedupe as Build does) and the
// feed-level facts. Feed returns what Build(snaps, "", opts) returns for the
// same snapshots, as long as no id repeats across series with the older
// copy among the items kept and the newer one not (ids are session UIDs
// and per-series post ids, which the store keeps unique).
type Combined struct {
	b       builder
	limit   int
	items   []item               // the newest limit posts and sessions so far, text made
	winners map[string]time.Time // id -> updated of the copy dedupe keeps
	lang    string
	mixed   bool // the series' languages differ
	n       int
	updated time.Time // latest series change, for an empty feed
	err     error
}

// NewCombined returns an empty all-series feed builder; options are
// checked as Build checks them.
func NewCombined(opts Options) (*Combined, error) {
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
	return &Combined{
		b:       builder{opts: opts, host: host},
		limit:   cmp.Or(opts.ItemLimit, DefaultItemLimit),
		winners: map[string]time.Time{},
	}, nil
}

// Add adds one series' items. A failure is kept: later calls return it.
func (c *Combined) Add(s *agenda.Snapshot) error {
	if c.err != nil {
		return c.err
	}
	if c.n == 0 {
		c.lang = s.Series.Language
	} else if !strings.EqualFold(s.Series.Language, c.lang) {
		c.mixed = true
	}
	c.n++
	if s.Series.Updated.After(c.updated) {
		c.updated = s.Series.Updated
	}
	fresh, err := c.b.appendSnapshot(nil, s)
	if err != nil {
		c.err = err
		return err
	}
	// Dedupe as Build does: of the items with one id, the first most
	// recently updated wins, wherever it is in the order.
	for _, it := range fresh {
		prev, seen := c.winners[it.id]
		if seen && !it.updated.After(prev) {
			continue
		}
		c.winners[it.id] = it.updated
		if seen {
			c.items = slices.DeleteFunc(c.items, func(k item) bool { return k.id == it.id })
		}
		c.items = append(c.items, it)
	}
	slices.SortFunc(c.items, newestFirst)
	n := len(c.items)
	c.items = keepNewest(c.items, c.limit)
	clear(c.items[len(c.items):n]) // drop the references the stubs hold
	// The text of the items kept, now, while their snapshot is at hand,
	// copied: the store's snapshots have all their session strings in one
	// buffer per series, which a kept title would keep whole.
	for i := range c.items {
		if c.items[i].text != nil {
			c.items[i].text(&c.items[i])
			c.items[i].text = nil
			c.items[i].detach()
		}
	}
	return nil
}

// Feed returns the feed of every series added.
func (c *Combined) Feed() (*Feed, error) {
	if c.err != nil {
		return nil, c.err
	}
	opts := c.b.opts
	f := &Feed{
		homeURL:     xmlText(opts.Layout.SeriesURL("", feeds.Page)),
		rssURL:      xmlText(opts.Layout.SeriesURL("", feeds.RSS)),
		atomURL:     xmlText(opts.Layout.SeriesURL("", feeds.Atom)),
		jsonURL:     xmlText(opts.Layout.SeriesURL("", feeds.JSONFeed)),
		title:       cmp.Or(opts.Title, DefaultCombinedTitle),
		description: "News and sessions of every series",
	}
	if !c.mixed {
		f.lang = c.lang
	}
	f.author = f.title
	f.title = xmlText(f.title)
	f.description = xmlText(f.description)
	f.lang = xmlText(f.lang)
	f.author = xmlText(f.author)
	f.items = slices.Clip(slices.Clone(c.items))
	for i := range f.items {
		if f.items[i].updated.After(f.updated) {
			f.updated = f.items[i].updated
		}
	}
	if len(f.items) == 0 {
		f.updated = c.updated.UTC().Truncate(time.Second)
	}
	return f, nil
}

// newestFirst is the feed order: newest published first, then by id.
func newestFirst(a, b item) int {
	if c := b.published.Compare(a.published); c != 0 {
		return c
	}
	return strings.Compare(a.id, b.id)
}
