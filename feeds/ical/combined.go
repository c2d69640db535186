package ical

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/agenda"
)

// Combined builds the all-series calendar one series at a time, so that no
// caller has to hold every snapshot at once: Add encodes a series' events
// into a spill file and keeps only what orders and frames them (the start
// instant, UID and place of each event; each zone's span; the header
// zone); Write then writes the header, the VTIMEZONEs and the events copied
// from the spill file in calendar order. The bytes are those of
// WriteCombined over the same snapshots in the same order.
//
// A Combined is not safe for concurrent use. Close removes nothing: the
// spill file belongs to whoever made it (see NewCombined); Close closes it.
type Combined struct {
	r     *Renderer
	opts  Options
	spill func() (*os.File, error)
	f     *os.File
	w     *bufio.Writer
	off   int64
	index []spilled
	runs  []int64 // where each series' events end in the spill file, by Add
	zones map[string]*zoneSpan
	names []string
	zone  string    // the one series zone, "" when they differ
	empty emptyZone // the VTIMEZONE written when no series has an event
	n     int       // series added
	err   error     // the first error: Add and Write keep returning it
}

// spilled is one event in the spill file.
type spilled struct {
	sec    int64 // start, as Unix seconds and nanoseconds: compared without time.Time's
	nsec   int32
	len    int32
	uid    string
	off    int64
	series int32 // which Add wrote it: the read buffer Write uses for it
	seq    int32 // its place among all events added, which breaks ties as a stable sort would
}

// readAhead is how much of a series' events Write reads from the spill
// file at a time: events are read in calendar order, which interleaves
// the series, but each series' events lie in that order in one run of the
// file, so one read per series serves many events (a read each cost 100,000
// pread(2) calls for 100,000 sessions).
const readAhead = 16 << 10

// NewCombined returns an empty all-series calendar. spill creates the file
// the events are spilled to (nil: a temp file in os.TempDir that Close
// removes); the caller removes a file it created.
func (r *Renderer) NewCombined(opts Options, spill func() (*os.File, error)) *Combined {
	return &Combined{r: r, opts: opts, spill: spill, zones: map[string]*zoneSpan{}}
}

// Add adds one series' sessions. Series must come in the order
// WriteCombined would be given them.
func (c *Combined) Add(snap agenda.Snapshot) error {
	if c.err != nil {
		return c.err
	}
	if err := c.add(snap); err != nil {
		c.err = fmt.Errorf("render combined calendar: %w", err)
	}
	return c.err
}

func (c *Combined) add(snap agenda.Snapshot) error {
	if c.n == 0 {
		c.zone = snap.Series.Zone
	} else if c.zone != snap.Series.Zone {
		c.zone = ""
	}
	c.n++
	c.empty.add(&snap.Series)
	pr, err := c.r.Prepare(snap, c.opts)
	if err != nil {
		return err
	}
	if len(pr.p.events) == 0 {
		return nil
	}
	if c.f == nil {
		if c.spill == nil {
			c.f, err = os.CreateTemp("", "agendafeed-combined-*.ics")
			if err == nil {
				os.Remove(c.f.Name()) // open, unlinked: nothing to clean up
			}
		} else {
			c.f, err = c.spill()
		}
		if err != nil {
			return fmt.Errorf("spill file: %w", err)
		}
		c.w = bufio.NewWriterSize(c.f, 64<<10)
	}
	if _, err := c.w.Write(pr.body); err != nil {
		return fmt.Errorf("spill file: %w", err)
	}
	start := 0
	series := int32(len(c.runs))
	for i := range pr.p.events {
		ev := &pr.p.events[i]
		end := pr.ends[i]
		c.index = append(c.index, spilled{sec: ev.start.Unix(), nsec: int32(ev.start.Nanosecond()), uid: strings.Clone(ev.s.UID),
			off: c.off + int64(start), len: int32(end - start), series: series, seq: int32(len(c.index))})
		start = end
	}
	c.off += int64(len(pr.body))
	c.runs = append(c.runs, c.off)
	for _, name := range pr.p.names {
		z := pr.p.zones[name]
		cur := c.zones[name]
		if cur == nil {
			name = strings.Clone(name) // kept past the snapshot (see uid above)
			c.zones[name] = &zoneSpan{tz: z.tz, first: z.first, last: z.last}
			c.names = append(c.names, name)
			continue
		}
		if z.first.Before(cur.first) {
			cur.first = z.first
		}
		if z.last.After(cur.last) {
			cur.last = z.last
		}
	}
	return nil
}

// Write writes the calendar of every series added. It may be called more
// than once.
func (c *Combined) Write(w io.Writer) error {
	if c.err != nil {
		return c.err
	}
	if c.w != nil {
		if err := c.w.Flush(); err != nil {
			return fmt.Errorf("render combined calendar: spill file: %w", err)
		}
	}
	// The spill file holds each series' events in order; the calendar
	// orders all of them by start, then UID, then as added (as
	// WriteCombined's stable sort does).
	slices.SortFunc(c.index, func(a, b spilled) int {
		if x := cmp.Compare(a.sec, b.sec); x != 0 {
			return x
		}
		if x := cmp.Compare(a.nsec, b.nsec); x != 0 {
			return x
		}
		if x := strings.Compare(a.uid, b.uid); x != 0 {
			return x
		}
		return cmp.Compare(a.seq, b.seq)
	})
	slices.Sort(c.names)
	h := header{name: cmp.Or(c.opts.CombinedTitle, DefaultCombinedTitle), zone: c.zone}
	if c.opts.Layout.BaseURL != "" {
		h.url = c.opts.Layout.SeriesURL("", feeds.Page)
		h.source = c.opts.Layout.SeriesURL("", feeds.Calendar)
	}
	zones := func(e *encoder) {
		for _, name := range c.names {
			z := c.zones[name]
			e.block(z.tz.vtimezone(z.first, z.last))
		}
	}
	if len(c.index) == 0 {
		zones = c.r.emptyZoneBlock(c.empty)
	}
	var rerr error
	events := func(e *encoder, _ Options) {
		// One buffer per series: the bytes of its run from off on.
		type window struct {
			off int64
			buf []byte
		}
		windows := make([]window, len(c.runs))
		for _, ev := range c.index {
			w := &windows[ev.series]
			if ev.off < w.off || ev.off+int64(ev.len) > w.off+int64(len(w.buf)) {
				n := min(max(int64(ev.len), readAhead), c.runs[ev.series]-ev.off)
				w.off, w.buf = ev.off, slices.Grow(w.buf[:0], int(n))[:n]
				if _, err := c.f.ReadAt(w.buf, ev.off); err != nil {
					rerr = fmt.Errorf("spill file: %w", err)
					return
				}
			}
			at := ev.off - w.off
			e.block(w.buf[at : at+int64(ev.len)])
		}
	}
	err := writeCalendar(w, c.opts.Variant.apply(h), c.opts, zones, events)
	if err == nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("render combined calendar: %w", err)
	}
	return nil
}

// Close closes the spill file.
func (c *Combined) Close() error {
	if c.f == nil {
		return nil
	}
	err := c.f.Close()
	c.f, c.w = nil, nil
	return err
}
