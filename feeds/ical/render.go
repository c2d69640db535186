package ical

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/agenda"
)

// DefaultProdID is the PRODID written when Options.ProdID is empty.
const DefaultProdID = "-//agendafeed//agendafeed//EN"

// DefaultCombinedTitle names the all-series calendar when
// Options.CombinedTitle is empty.
const DefaultCombinedTitle = "All series"

// Options are the settings of a rendering that do not come from the data.
type Options struct {
	Layout feeds.Layout // for SOURCE and URL; an empty BaseURL omits them
	// RefreshInterval is written as REFRESH-INTERVAL and X-PUBLISHED-TTL;
	// 0 omits both.
	RefreshInterval time.Duration
	ProdID          string // "" means DefaultProdID
	// Reminders replace every series' own reminders when OverrideReminders
	// is set (an empty list then means no alarms at all).
	Reminders         []time.Duration
	OverrideReminders bool
	CombinedTitle     string // name of the all-series calendar; "" means DefaultCombinedTitle
	// Variant is the subscriber's variant being rendered; the zero value
	// is the published calendar.
	Variant Variant
}

// Variant describes a subscriber's variant of a calendar (the server's
// ?reminders=, ?tag=, ?speaker=). The renderer does not filter: the caller
// gives it the sessions that match; Variant only says what the calendar
// is, so that it names its own URL and, when filtered, its own name.
type Variant struct {
	// Query is the variant's canonical query string, without the '?',
	// appended to SOURCE: RFC 7986 makes SOURCE where a client refreshes
	// the calendar from, and without it a client that follows SOURCE
	// would drop the subscriber's filter or reminders.
	Query string
	// Tag and Speaker are the filters the sessions went through; they are
	// added to the calendar's name ("Open Policy Debates (tag: la)") so
	// that two filtered subscriptions of one series can be told apart.
	// Reminders do not change the name: the calendar holds the same
	// events, and the subscriber chose them for that one subscription.
	Tag, Speaker string
}

// apply makes h the header of the variant: its SOURCE with the query, and
// its name with the filters.
func (v Variant) apply(h header) header {
	if v.Query != "" && h.source != "" {
		h.source += "?" + v.Query
	}
	var filters []string
	if v.Tag != "" {
		filters = append(filters, "tag: "+v.Tag)
	}
	if v.Speaker != "" {
		filters = append(filters, "speaker: "+v.Speaker)
	}
	if len(filters) > 0 && h.name != "" {
		h.name += " (" + strings.Join(filters, ", ") + ")"
	}
	return h
}

// event is one session ready to be written.
type event struct {
	s          *agenda.Session
	series     *agenda.Series
	zone       string
	tz         *zoneCache // zone's location and VTIMEZONE cache
	start, end time.Time  // instants
	startUTC   bool       // the wall time cannot be said with TZID; write UTC
	endUTC     bool
}

// zoneSpan is what a zone's VTIMEZONE must cover.
type zoneSpan struct {
	tz          *zoneCache
	first, last time.Time
}

// prepared is everything checked and computed before the first byte.
type prepared struct {
	events []event
	zones  map[string]*zoneSpan
	names  []string // zone names, sorted
}

// prepare resolves every session's zone and instants, so that a snapshot
// that cannot be rendered fails before anything is written.
func (r *Renderer) prepare(snaps []agenda.Snapshot, onlyKey string) (*prepared, error) {
	p := &prepared{zones: map[string]*zoneSpan{}}
	// A local map first: most sessions of a series share one or two zones,
	// and it keeps the Renderer's lock out of the loop.
	zones := map[string]*zoneCache{}
	n := 0
	for i := range snaps {
		n += len(snaps[i].Sessions)
	}
	p.events = make([]event, 0, n)
	for i := range snaps {
		series := &snaps[i].Series
		for j := range snaps[i].Sessions {
			s := &snaps[i].Sessions[j]
			if onlyKey != "" && s.Key != onlyKey {
				continue
			}
			zone := s.Zone
			if zone == "" {
				zone = series.Zone
			}
			tz, ok := zones[zone]
			if !ok {
				if tz = r.zone(zone); tz == nil {
					return nil, fmt.Errorf("series %q session %q: zone %q: unknown time zone", series.Slug, s.Key, zone)
				}
				zones[zone] = tz
			}
			loc := tz.loc
			ev := event{s: s, series: series, zone: zone, tz: tz}
			if s.AllDay {
				if s.StartDate.IsZero() || s.EndDate.IsZero() || s.EndDate.Before(s.StartDate) {
					return nil, fmt.Errorf("series %q session %q: all-day session needs start and end dates in order", series.Slug, s.Key)
				}
				ev.start, ev.end = s.StartDate.Time(loc), s.EndDate.AddDays(1).Time(loc)
			} else {
				var err error
				if ev.start, ev.startUTC, err = resolve(s.Start, loc); err != nil {
					return nil, fmt.Errorf("series %q session %q: start: %w", series.Slug, s.Key, err)
				}
				if ev.end, ev.endUTC, err = resolve(s.End, loc); err != nil {
					return nil, fmt.Errorf("series %q session %q: end: %w", series.Slug, s.Key, err)
				}
				if !ev.end.After(ev.start) {
					return nil, fmt.Errorf("series %q session %q: end %s is not after start %s", series.Slug, s.Key, s.End, s.Start)
				}
				span := p.zones[zone]
				if span == nil {
					span = &zoneSpan{tz: tz, first: ev.start, last: ev.end}
					p.zones[zone] = span
					p.names = append(p.names, zone)
				}
				if ev.start.Before(span.first) {
					span.first = ev.start
				}
				if ev.end.After(span.last) {
					span.last = ev.end
				}
			}
			p.events = append(p.events, ev)
		}
	}
	slices.Sort(p.names)
	// Stable: equal start and UID (bad data) keep their input order, which
	// Combined reproduces.
	slices.SortStableFunc(p.events, func(a, b event) int {
		if c := a.start.Compare(b.start); c != 0 {
			return c
		}
		return cmp.Compare(a.s.UID, b.s.UID)
	})
	return p, nil
}

// resolve returns the instant of w in loc and whether it must be written in
// UTC. A local time with TZID can only say a wall time that happens exactly
// once: for a wall time in a fold RFC 5545 §3.3.5 means the first instant,
// and for one in a gap the offset before the gap, but clients disagree on
// both, so any wall time that is not unique (it was given with an explicit
// offset to be accepted at all) is written as its UTC instant instead.
func resolve(w agenda.WallTime, loc *time.Location) (time.Time, bool, error) {
	if w.IsZero() {
		return time.Time{}, false, fmt.Errorf("missing")
	}
	t, err := w.In(loc)
	if err != nil {
		return time.Time{}, false, err
	}
	if _, has := w.Offset(); !has {
		return t, false, nil // In accepts an offset-less wall time only when unique
	}
	c := w.Candidates(loc)
	return t, !(len(c) == 1 && c[0].Equal(t)), nil
}

// WriteSeries writes the calendar of one series: every session, cancelled
// ones included. It loads the zones it needs for this call only; a
// Renderer keeps them between calls.
func WriteSeries(w io.Writer, snap agenda.Snapshot, opts Options) error {
	return NewRenderer().WriteSeries(w, snap, opts)
}

// WriteCombined writes one calendar holding the sessions of every series.
func WriteCombined(w io.Writer, snaps []agenda.Snapshot, opts Options) error {
	return NewRenderer().WriteCombined(w, snaps, opts)
}

// WriteSession writes the calendar of the one session of snap whose key is
// key, for "add to calendar" links. A missing key is agenda.ErrNotFound.
func WriteSession(w io.Writer, snap agenda.Snapshot, key string, opts Options) error {
	return NewRenderer().WriteSession(w, snap, key, opts)
}

// WriteSeries is the package's WriteSeries with r's zone cache.
func (r *Renderer) WriteSeries(w io.Writer, snap agenda.Snapshot, opts Options) error {
	p, err := r.prepare([]agenda.Snapshot{snap}, "")
	if err != nil {
		return fmt.Errorf("render calendar of series %q: %w", snap.Series.Slug, err)
	}
	zones := p.zoneBlocks
	if len(p.events) == 0 {
		var ez emptyZone
		ez.add(&snap.Series)
		zones = r.emptyZoneBlock(ez)
	}
	if err := writeCalendar(w, seriesHeader(&snap, opts), opts, zones, p.writeEvents); err != nil {
		return fmt.Errorf("render calendar of series %q: %w", snap.Series.Slug, err)
	}
	return nil
}

// WriteCombined is the package's WriteCombined with r's zone cache.
func (r *Renderer) WriteCombined(w io.Writer, snaps []agenda.Snapshot, opts Options) error {
	p, err := r.prepare(snaps, "")
	if err != nil {
		return fmt.Errorf("render combined calendar: %w", err)
	}
	h := header{name: cmp.Or(opts.CombinedTitle, DefaultCombinedTitle)}
	for i, s := range snaps {
		if i == 0 {
			h.zone = s.Series.Zone
		} else if h.zone != s.Series.Zone {
			h.zone = "" // no one zone to suggest
			break
		}
	}
	if opts.Layout.BaseURL != "" {
		h.url = opts.Layout.SeriesURL("", feeds.Page)
		h.source = opts.Layout.SeriesURL("", feeds.Calendar)
	}
	zones := p.zoneBlocks
	if len(p.events) == 0 {
		var ez emptyZone
		for i := range snaps {
			ez.add(&snaps[i].Series)
		}
		zones = r.emptyZoneBlock(ez)
	}
	if err := writeCalendar(w, opts.Variant.apply(h), opts, zones, p.writeEvents); err != nil {
		return fmt.Errorf("render combined calendar: %w", err)
	}
	return nil
}

// WriteSession is the package's WriteSession with r's zone cache.
func (r *Renderer) WriteSession(w io.Writer, snap agenda.Snapshot, key string, opts Options) error {
	var s *agenda.Session
	for i := range snap.Sessions {
		if snap.Sessions[i].Key == key {
			s = &snap.Sessions[i]
			break
		}
	}
	if s == nil || key == "" {
		return fmt.Errorf("render calendar of session %q of series %q: %w", key, snap.Series.Slug, agenda.ErrNotFound)
	}
	p, err := r.prepare([]agenda.Snapshot{snap}, key)
	if err != nil {
		return fmt.Errorf("render calendar of session %q of series %q: %w", key, snap.Series.Slug, err)
	}
	if err := writeCalendar(w, sessionHeader(&snap, s, opts), opts, p.zoneBlocks, p.writeEvents); err != nil {
		return fmt.Errorf("render calendar of session %q of series %q: %w", key, snap.Series.Slug, err)
	}
	return nil
}

// header is the calendar-level text.
type header struct {
	name, desc, zone, url, source string
}

func seriesHeader(snap *agenda.Snapshot, opts Options) header {
	h := header{
		name: snap.Series.Title,
		desc: snap.Series.Description,
		zone: snap.Series.Zone,
		url:  snap.Series.Homepage,
	}
	if opts.Layout.BaseURL != "" {
		if h.url == "" {
			h.url = opts.Layout.SeriesURL(snap.Series.Slug, feeds.Page)
		}
		h.source = opts.Layout.SeriesURL(snap.Series.Slug, feeds.Calendar)
	}
	return opts.Variant.apply(h)
}

func sessionHeader(snap *agenda.Snapshot, s *agenda.Session, opts Options) header {
	h := header{name: s.Title, zone: cmp.Or(s.Zone, snap.Series.Zone), url: s.URL}
	if opts.Layout.BaseURL != "" {
		if h.url == "" {
			h.url = opts.Layout.SessionAnchor(snap.Series.Slug, s.Key)
		}
		h.source = opts.Layout.SessionURL(snap.Series.Slug, s.Key)
	}
	return opts.Variant.apply(h)
}

// emptyZone is what the VTIMEZONE of a calendar without events is made
// of. RFC 5545's grammar wants at least one component in a VCALENDAR, and
// a filter that matches nothing, or a series without sessions, leaves no
// VEVENT; such a calendar carries the VTIMEZONE of the series' zone (of
// the all-series calendar: the zone the series share, else the first
// series' zone; UTC without any series). Its span is one instant taken
// from the data, never the clock, so that the bytes change only with the
// data: the latest Updated of the series (Created when Updated is unset;
// the Unix epoch when neither is).
type emptyZone struct {
	zone   string
	shared bool // every series added so far has zone
	n      int
	at     time.Time
}

func (ez *emptyZone) add(s *agenda.Series) {
	switch {
	case ez.n == 0:
		ez.zone, ez.shared = s.Zone, true
	case s.Zone != ez.zone:
		ez.shared = false // ez.zone stays the first series'
	}
	ez.n++
	if t := cmp.Or(s.Updated, s.Created); t.After(ez.at) {
		ez.at = t
	}
}

// emptyZoneBlock writes the VTIMEZONE of a calendar without events.
func (r *Renderer) emptyZoneBlock(ez emptyZone) func(*encoder) {
	tz := r.zone(ez.zone)
	if tz == nil {
		tz = r.zone("UTC") // no series, or a zone prepare never had to load
	}
	at := ez.at
	if at.IsZero() {
		at = time.Unix(0, 0)
	}
	return func(e *encoder) {
		if tz != nil {
			e.block(tz.vtimezone(at, at))
		}
	}
}

// zoneBlocks writes the VTIMEZONE of every zone the timed sessions use,
// each covering the span of its sessions, in zone-name order.
func (p *prepared) zoneBlocks(e *encoder) {
	for _, name := range p.names {
		z := p.zones[name]
		e.block(z.tz.vtimezone(z.first, z.last))
	}
}

func (p *prepared) writeEvents(e *encoder, opts Options) {
	for i := range p.events {
		e.event(&p.events[i], opts)
	}
}

// writeCalendar writes a VCALENDAR: the header, then what zones writes
// (the VTIMEZONEs), then what events writes, then the end; and flushes.
func writeCalendar(w io.Writer, h header, opts Options, zones func(*encoder), events func(*encoder, Options)) error {
	bw, ok := w.(*bufio.Writer)
	if !ok {
		bw = bufio.NewWriterSize(w, 32<<10)
	}
	e := &encoder{w: bw, b: bw.AvailableBuffer()}
	e.header(h, opts)
	zones(e)
	events(e, opts)
	e.line("END", "VCALENDAR")
	return e.flush()
}

// header writes the calendar's first lines, up to its first component.
func (e *encoder) header(h header, opts Options) {
	e.line("BEGIN", "VCALENDAR")
	e.line("VERSION", "2.0")
	e.name("PRODID")
	e.plain(":")
	e.text(cmp.Or(opts.ProdID, DefaultProdID))
	e.eol()
	e.line("CALSCALE", "GREGORIAN")
	e.line("METHOD", "PUBLISH")
	if h.name != "" {
		e.textLine("NAME", h.name)
		e.textLine("X-WR-CALNAME", h.name)
	}
	if h.desc != "" {
		e.textLine("DESCRIPTION", h.desc)
		e.textLine("X-WR-CALDESC", h.desc)
	}
	if h.zone != "" {
		e.textLine("X-WR-TIMEZONE", h.zone)
	}
	if opts.RefreshInterval > 0 {
		e.name("REFRESH-INTERVAL;VALUE=DURATION")
		e.bytesPlain(appendDuration(append(e.buf[:0], ':'), opts.RefreshInterval))
		e.eol()
		e.name("X-PUBLISHED-TTL")
		e.bytesPlain(appendDuration(append(e.buf[:0], ':'), opts.RefreshInterval))
		e.eol()
	}
	if h.url != "" {
		e.uriLine("URL", h.url)
	}
	if h.source != "" {
		e.uriLine("SOURCE;VALUE=URI", h.source)
	}
}

func (e *encoder) textLine(name, value string) {
	e.name(name)
	e.plain(":")
	e.text(value)
	e.eol()
}

func (e *encoder) uriLine(name, value string) {
	e.name(name)
	e.plain(":")
	e.uri(value)
	e.eol()
}

// dateTime writes :YYYYMMDDTHHMMSS (with ;TZID= before it) or the UTC form.
func (e *encoder) dateTime(name string, t time.Time, zone string, utc bool) {
	e.name(name)
	if !utc {
		e.param("TZID", zone, false)
	}
	b := append(e.buf[:0], ':')
	if utc {
		b = append(appendDateTime(b, t.UTC()), 'Z')
	} else {
		b = appendDateTime(b, t)
	}
	e.bytesPlain(b)
	e.eol()
}

func (e *encoder) date(name string, d agenda.Date) {
	e.name(name)
	e.plain(";VALUE=DATE")
	e.bytesPlain(appendDate(append(e.buf[:0], ':'), d.Year, d.Month, d.Day))
	e.eol()
}

func (e *encoder) event(ev *event, opts Options) {
	s := ev.s
	e.line("BEGIN", "VEVENT")
	e.textLine("UID", s.UID)
	stamp := s.Updated
	for _, t := range []time.Time{s.Created, ev.series.Updated, ev.start} {
		if !stamp.IsZero() {
			break
		}
		stamp = t
	}
	e.utcLine("DTSTAMP", stamp)
	if !s.Created.IsZero() {
		e.utcLine("CREATED", s.Created)
	}
	if !s.Updated.IsZero() {
		e.utcLine("LAST-MODIFIED", s.Updated)
	}
	e.name("SEQUENCE")
	e.bytesPlain(appendInt(append(e.buf[:0], ':'), s.Sequence))
	e.eol()
	if s.AllDay {
		e.date("DTSTART", s.StartDate)
		e.date("DTEND", s.EndDate.AddDays(1))
	} else {
		e.dateTime("DTSTART", ev.start, ev.zone, ev.startUTC)
		e.dateTime("DTEND", ev.end, ev.zone, ev.endUTC)
	}
	e.textLine("SUMMARY", s.Title)
	e.description(s)
	e.location(s)
	switch {
	case s.URL != "":
		e.uriLine("URL", s.URL)
	case opts.Layout.BaseURL != "" && s.Key != "":
		e.uriLine("URL", opts.Layout.SessionAnchor(ev.series.Slug, s.Key))
	}
	switch s.Status {
	case agenda.StatusCancelled:
		e.line("STATUS", "CANCELLED")
	case agenda.StatusTentative:
		e.line("STATUS", "TENTATIVE")
	default:
		e.line("STATUS", "CONFIRMED")
	}
	if len(s.Tags) > 0 {
		e.name("CATEGORIES")
		e.plain(":")
		for i, t := range s.Tags {
			if i > 0 {
				e.plain(",")
			}
			e.text(t)
		}
		e.eol()
	}
	if org := ev.series.Organizer; org.Email != "" {
		e.name("ORGANIZER")
		if org.Name != "" {
			e.param("CN", org.Name, true)
		}
		e.plain(":mailto:")
		e.uri(org.Email)
		e.eol()
	}
	if s.OnlineURL != "" {
		e.name("CONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO;LABEL=Join online")
		e.plain(":")
		e.uri(s.OnlineURL)
		e.eol()
	}
	if s.Status != agenda.StatusCancelled {
		reminders := ev.series.Reminders
		if opts.OverrideReminders {
			reminders = opts.Reminders
		}
		for _, r := range reminders {
			e.line("BEGIN", "VALARM")
			e.line("ACTION", "DISPLAY")
			e.textLine("DESCRIPTION", s.Title)
			e.name("TRIGGER")
			b := append(e.buf[:0], ':')
			if r > 0 {
				b = append(b, '-')
			}
			// A timed session's trigger counts exact hours: RFC 5545 makes a
			// day (and a week) nominal, so -P1D before a session on a DST
			// change is 23 or 25 hours for a client that follows it and 24
			// for one that does not. A reminder is a number of minutes, and
			// hours mean one instant to every client. An all-day session
			// starts at a DATE, local midnight: there the nominal day keeps
			// the reminder at midnight (-PT24H would be 23:00 or 01:00 the
			// day before across a change, and ical.js drops the hours of a
			// duration added to a DATE, ringing on the day itself).
			if s.AllDay {
				b = appendDuration(b, r)
			} else {
				b = appendExactDuration(b, r)
			}
			e.bytesPlain(b)
			e.eol()
			e.line("END", "VALARM")
		}
	}
	e.line("END", "VEVENT")
}

// description writes the session's text, then one line per person
// (agenda.PersonLine, which the page's "add" links share), then the online
// link, with a blank line between the parts; nothing when all are empty.
func (e *encoder) description(s *agenda.Session) {
	if s.Description == "" && len(s.People) == 0 && s.OnlineURL == "" {
		return
	}
	e.name("DESCRIPTION")
	e.plain(":")
	sep := false
	if s.Description != "" {
		e.text(s.Description)
		sep = true
	}
	if len(s.People) > 0 {
		if sep {
			e.unit(`\n`)
			e.unit(`\n`)
		}
		for i := range s.People {
			p := &s.People[i]
			if i > 0 {
				e.unit(`\n`)
			}
			for _, part := range agenda.PersonLine(p) {
				e.text(part)
			}
		}
		sep = true
	}
	if s.OnlineURL != "" {
		if sep {
			e.unit(`\n`)
			e.unit(`\n`)
		}
		e.plain("Online: ")
		e.text(s.OnlineURL)
	}
	e.eol()
}

// location writes "venue, address" (the address's lines joined with ", "),
// or "Online: <url>" for a session that is only online.
func (e *encoder) location(s *agenda.Session) {
	if s.Venue == "" && s.Address == "" {
		if s.OnlineURL != "" {
			e.name("LOCATION")
			e.plain(":Online: ")
			e.text(s.OnlineURL)
			e.eol()
		}
		return
	}
	e.name("LOCATION")
	e.plain(":")
	first := true
	if s.Venue != "" {
		e.text(s.Venue)
		first = false
	}
	rest := s.Address
	for rest != "" {
		var line string
		line, rest = cutLine(rest)
		if line == "" {
			continue
		}
		if !first {
			e.unit(`\,`)
			e.plain(" ")
		}
		e.text(line)
		first = false
	}
	e.eol()
}

// cutLine splits s at its first line end (LF, CR or CRLF), trimming spaces.
func cutLine(s string) (line, rest string) {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' || s[i] == '\r' {
			line, rest = s[:i], s[i+1:]
			if s[i] == '\r' && len(rest) > 0 && rest[0] == '\n' {
				rest = rest[1:]
			}
			return trimSpace(line), rest
		}
	}
	return trimSpace(s), ""
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// appendExactDuration appends an RFC 5545 dur-value without sign in exact
// units only, the largest that divide it: PT36H, PT168H, PT1H30M, PT0S
// for zero. Hours rather than days, since a day is nominal (RFC 5545
// §3.3.6) and a client may make it 23 or 25 hours.
func appendExactDuration(b []byte, d time.Duration) []byte {
	if d < 0 {
		d = -d
	}
	d = d.Truncate(time.Second)
	if d == 0 {
		return append(b, "PT0S"...)
	}
	return appendDurTime(append(b, 'P'), d)
}

// appendDuration appends an RFC 5545 dur-value without sign: P1W when d is
// whole weeks, else P1DT2H30M with only the non-zero parts, PT0S for zero.
// Its days are nominal: for an all-day session's trigger (relative to local
// midnight) and the refresh interval, never anchored to a wall time.
func appendDuration(b []byte, d time.Duration) []byte {
	if d < 0 {
		d = -d
	}
	d = d.Truncate(time.Second)
	const day, week = 24 * time.Hour, 7 * 24 * time.Hour
	if d == 0 {
		return append(b, "PT0S"...)
	}
	b = append(b, 'P')
	if d%week == 0 {
		b = appendInt(b, int64(d/week))
		return append(b, 'W')
	}
	if days := d / day; days > 0 {
		b = appendInt(b, int64(days))
		b = append(b, 'D')
		d -= days * day
	}
	if d == 0 {
		return b
	}
	return appendDurTime(b, d)
}

// appendDurTime appends dur-time ("T2H30M", the non-zero parts) for d > 0
// in whole seconds.
func appendDurTime(b []byte, d time.Duration) []byte {
	b = append(b, 'T')
	if h := d / time.Hour; h > 0 {
		b = appendInt(b, int64(h))
		b = append(b, 'H')
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		b = appendInt(b, int64(m))
		b = append(b, 'M')
		d -= m * time.Minute
	}
	if s := d / time.Second; s > 0 {
		b = appendInt(b, int64(s))
		b = append(b, 'S')
	}
	return b
}
