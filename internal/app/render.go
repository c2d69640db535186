package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/agendafeed/agendafeed/config"
	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/feeds/ical"
	"github.com/agendafeed/agendafeed/feeds/news"
	"github.com/agendafeed/agendafeed/feeds/opml"
	"github.com/agendafeed/agendafeed/feeds/page"
	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/publish"
	"github.com/agendafeed/agendafeed/internal/server"
)

// renderer adapts the pure renderers of feeds/ to the publisher: it lists
// the files of a series and of all series, each with the function that
// renders it. Pages split upcoming from past sessions at the instant the
// app's pass sets (setAsOf), read from the clock once per pass.
type renderer struct {
	layout feeds.Layout
	ical   ical.Options
	// calendars keeps the zones and VTIMEZONE blocks between files and
	// passes; safe for the publisher's concurrent workers.
	calendars *ical.Renderer
	news      news.Options
	page      *page.Renderer
	// sessionFiles: a series' outputs include one .ics per session
	// (session_calendars: files); otherwise Session renders them on request.
	sessionFiles bool
	title        string
	// asOf is the current pass's instant (App.pass sets it before the
	// pass), read by the publisher's workers under mu.
	mu       sync.Mutex
	asOfTime time.Time
	snapshot func(ctx context.Context, slug string) (agenda.Snapshot, error)
	list     func(ctx context.Context) ([]agenda.Series, error)
}

func newRenderer(cfg config.Config) (*renderer, error) {
	pr, err := page.New()
	if err != nil {
		return nil, fmt.Errorf("page templates: %w", err)
	}
	layout := feeds.NewLayout(cfg.BaseURL)
	return &renderer{
		layout:       layout,
		ical:         ical.Options{Layout: layout, RefreshInterval: time.Duration(cfg.RefreshInterval)},
		calendars:    ical.NewRenderer(),
		news:         news.Options{Layout: layout, ItemLimit: cfg.FeedItemLimit},
		page:         pr,
		title:        "All series",
		sessionFiles: cfg.SessionCalendars != config.SessionCalendarsServed,
	}, nil
}

// setAsOf sets the instant that splits upcoming from past on the pages the
// next pass renders.
func (r *renderer) setAsOf(t time.Time) {
	r.mu.Lock()
	r.asOfTime = t
	r.mu.Unlock()
}

func (r *renderer) asOf() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.asOfTime
}

func (r *renderer) pageOptions() page.Options {
	return page.Options{Layout: r.layout, AsOf: r.asOf()}
}

func (r *renderer) SeriesOutputs(snap agenda.Snapshot) []publish.Output {
	slug := snap.Series.Slug
	one := []agenda.Snapshot{snap}
	po := r.pageOptions()
	// The series calendar and the session calendars share one Prepared:
	// zones resolved and events encoded once, on first use (sync.OnceValues
	// also makes it safe if outputs were ever rendered concurrently).
	cal := sync.OnceValues(func() (*ical.Prepared, error) { return r.calendars.Prepare(snap, r.ical) })
	outs := make([]publish.Output, 0, 5+len(snap.Sessions))
	outs = append(outs,
		publish.Output{Path: r.layout.SeriesPath(slug, feeds.Calendar), Kind: feeds.Calendar, Render: func(w io.Writer) error {
			p, err := cal()
			if err != nil {
				return err
			}
			return p.WriteSeries(w)
		}},
		publish.Output{Path: r.layout.SeriesPath(slug, feeds.Page), Kind: feeds.Page, Render: func(w io.Writer) error { return r.page.WriteSeries(w, snap, po) }},
	)
	outs = append(outs, r.newsOutputs(one, slug, r.news)...)
	for _, s := range snap.Sessions {
		if !r.sessionFiles {
			break
		}
		key := s.Key
		outs = append(outs, publish.Output{Path: r.layout.SessionPath(slug, key), Kind: feeds.Calendar,
			Render: func(w io.Writer) error {
				p, err := cal()
				if err != nil {
					return err
				}
				return p.WriteSession(w, key)
			}})
	}
	return outs
}

func (r *renderer) CombinedOutputs(snaps []agenda.Snapshot) []publish.Output {
	po := r.pageOptions()
	no := r.news
	no.Title = r.title
	outs := []publish.Output{
		{Path: r.layout.SeriesPath("", feeds.Calendar), Kind: feeds.Calendar, Render: func(w io.Writer) error { return r.calendars.WriteCombined(w, snaps, r.ical) }},
		{Path: r.layout.SeriesPath("", feeds.Page), Kind: feeds.Page, Render: func(w io.Writer) error { return r.page.WriteIndex(w, snaps, po) }},
		{Path: r.layout.SeriesPath("", feeds.OPML), Kind: feeds.OPML, Render: func(w io.Writer) error { return opml.Write(w, snaps, r.layout, r.title) }},
	}
	return append(outs, r.newsOutputs(snaps, "", no)...)
}

// NewCombined builds the all-series files one series at a time (see
// publish.StreamingRenderer): the same bytes as CombinedOutputs, without
// holding every snapshot. The calendar's events wait in a spill file; the
// feeds keep their newest items, the index page and OPML the series and
// the session they show.
func (r *renderer) NewCombined(spill func() (*os.File, error)) publish.CombinedBuilder {
	no := r.news
	no.Title = r.title
	c := &combined{r: r, po: r.pageOptions(), cal: r.calendars.NewCombined(r.ical, spill)}
	c.index = r.page.NewIndex(c.po)
	c.news, c.err = news.NewCombined(no)
	return c
}

// combined is the renderer's publish.CombinedBuilder.
type combined struct {
	r     *renderer
	po    page.Options
	cal   *ical.Combined
	index *page.Index
	news  *news.Combined
	opml  []agenda.Snapshot // the series alone: all that opml.Write reads
	err   error
}

func (c *combined) Add(snap agenda.Snapshot) error {
	if c.err != nil {
		return c.err
	}
	if err := c.cal.Add(snap); err != nil {
		c.err = err
		return err
	}
	if err := c.index.Add(snap); err != nil {
		c.err = err
		return err
	}
	if err := c.news.Add(&snap); err != nil {
		c.err = err
		return err
	}
	c.opml = append(c.opml, agenda.Snapshot{Series: snap.Series})
	return nil
}

func (c *combined) Outputs() []publish.Output {
	r := c.r
	fail := func(w io.Writer) error { return c.err }
	if c.err != nil {
		return []publish.Output{{Path: r.layout.SeriesPath("", feeds.Calendar), Kind: feeds.Calendar, Render: fail}}
	}
	outs := []publish.Output{
		{Path: r.layout.SeriesPath("", feeds.Calendar), Kind: feeds.Calendar, Render: c.cal.Write},
		{Path: r.layout.SeriesPath("", feeds.Page), Kind: feeds.Page, Render: c.index.Write},
		{Path: r.layout.SeriesPath("", feeds.OPML), Kind: feeds.OPML, Render: func(w io.Writer) error { return opml.Write(w, c.opml, r.layout, r.title) }},
	}
	return append(outs, r.feedOutputs("", c.news.Feed)...)
}

func (c *combined) Close() error { return c.cal.Close() }

// newsOutputs lists the RSS, Atom and JSON feeds of one slug ("" for all).
func (r *renderer) newsOutputs(snaps []agenda.Snapshot, slug string, opts news.Options) []publish.Output {
	return r.feedOutputs(slug, func() (*news.Feed, error) { return news.Build(snaps, slug, opts) })
}

// feedOutputs lists the RSS, Atom and JSON files of one feed; build runs
// once, on first use, and its feed is written three times.
func (r *renderer) feedOutputs(slug string, feed func() (*news.Feed, error)) []publish.Output {
	build := sync.OnceValues(feed)
	write := func(f func(*news.Feed, io.Writer) error) func(io.Writer) error {
		return func(w io.Writer) error {
			feed, err := build()
			if err != nil {
				return err
			}
			return f(feed, w)
		}
	}
	return []publish.Output{
		{Path: r.layout.SeriesPath(slug, feeds.RSS), Kind: feeds.RSS, Render: write((*news.Feed).WriteRSS)},
		{Path: r.layout.SeriesPath(slug, feeds.Atom), Kind: feeds.Atom, Render: write((*news.Feed).WriteAtom)},
		{Path: r.layout.SeriesPath(slug, feeds.JSONFeed), Kind: feeds.JSONFeed, Render: write((*news.Feed).WriteJSON)},
	}
}

// Calendar renders a subscriber's variant of a calendar: their own
// reminders, or only the sessions with a tag or a speaker.
func (r *renderer) Calendar(ctx context.Context, slug string, v server.Variant) ([]byte, int64, error) {
	var snaps []agenda.Snapshot
	if slug == "" {
		all, err := r.list(ctx)
		if err != nil {
			return nil, 0, err
		}
		for _, s := range all {
			snap, err := r.snapshot(ctx, s.Slug)
			if err != nil {
				return nil, 0, err
			}
			snaps = append(snaps, snap)
		}
	} else {
		snap, err := r.snapshot(ctx, slug)
		if err != nil {
			return nil, 0, err
		}
		snaps = []agenda.Snapshot{snap}
	}
	for i := range snaps {
		snaps[i].Sessions = filterSessions(snaps[i].Sessions, v)
	}
	opts := r.ical
	opts.Reminders, opts.OverrideReminders = v.Reminders, v.OverrideReminders
	opts.Variant = ical.Variant{Query: v.Query(), Tag: v.Tag, Speaker: v.Speaker}
	var buf bytes.Buffer
	var err error
	if slug == "" {
		err = r.calendars.WriteCombined(&buf, snaps, opts)
	} else {
		err = r.calendars.WriteSeries(&buf, snaps[0], opts)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("render calendar variant of %q: %w", slug, err)
	}
	var rev int64
	if slug != "" {
		rev = snaps[0].Series.Revision
	}
	return buf.Bytes(), rev, nil
}

// Session renders the calendar of one session as it stands in the store:
// with the zero Variant, for the server when passes write none, the bytes
// SeriesOutputs would have written for it; else with the subscriber's
// reminders (?reminders= on a session's calendar, in either mode).
func (r *renderer) Session(ctx context.Context, slug, key string, v server.Variant) ([]byte, int64, error) {
	snap, err := r.snapshot(ctx, slug)
	if err != nil {
		return nil, 0, err
	}
	opts := r.ical
	if v.OverrideReminders {
		opts.Reminders, opts.OverrideReminders = v.Reminders, true
		opts.Variant = ical.Variant{Query: v.Query()}
	}
	var buf bytes.Buffer
	if err := r.calendars.WriteSession(&buf, snap, key, opts); err != nil {
		return nil, 0, err
	}
	return buf.Bytes(), snap.Series.Revision, nil
}

// filterSessions keeps the sessions with the tag and with a person whose
// name matches the speaker filter (case-insensitive), as requested.
func filterSessions(in []agenda.Session, v server.Variant) []agenda.Session {
	if v.Tag == "" && v.Speaker == "" {
		return in
	}
	tag := strings.ToLower(v.Tag)
	var out []agenda.Session
	for _, s := range in {
		if tag != "" && !slices.Contains(s.Tags, tag) {
			continue
		}
		if v.Speaker != "" && !slices.ContainsFunc(s.People, func(p agenda.Participant) bool {
			return strings.EqualFold(p.Name, v.Speaker)
		}) {
			continue
		}
		out = append(out, s)
	}
	return out
}
