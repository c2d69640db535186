package ical

import (
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
	"weak"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// Renderer renders calendars like the package's Write functions, and keeps
// between calls what does not depend on the data: the time zones loaded
// from the embedded zone database (agenda.LoadZone parses a zone
// anew on every call) with, per zone, its transitions and the VTIMEZONE
// blocks already encoded. The output is the same bytes as without it.
//
// A Renderer is safe for concurrent use (the publisher's workers share
// one); the zero value is ready to use. What it keeps grows with the
// number of zones and distinct VTIMEZONE spans, and is bounded per zone.
//
// It also remembers, weakly, the last Prepared of each series, so that a
// second Prepare of the very same snapshot (a pass renders a series' own
// calendars, then adds the series to the all-series calendar) takes it
// instead of encoding every event again; the garbage collector drops it
// once nothing else holds it.
type Renderer struct {
	mu     sync.Mutex
	zones  map[string]*zoneCache
	recent map[string]weak.Pointer[Prepared] // series slug -> last Prepared
}

// NewRenderer returns an empty Renderer.
func NewRenderer() *Renderer { return &Renderer{} }

// zone returns the cache of the named zone, or nil when the zone is unknown
// (or "" or "Local", which would depend on the host).
func (r *Renderer) zone(name string) *zoneCache {
	r.mu.Lock()
	z := r.zones[name]
	r.mu.Unlock()
	if z != nil {
		return z
	}
	if name == "" || name == "Local" {
		return nil
	}
	// Kept for the renderer's life: a copy, not a part of the snapshot
	// text the name may come from (see agenda.Session.Clone).
	name = strings.Clone(name)
	loc, err := agenda.LoadFastZone(name) // outside the lock: it parses the zone
	if err != nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if z = r.zones[name]; z == nil {
		if r.zones == nil {
			r.zones = map[string]*zoneCache{}
		}
		z = &zoneCache{name: name, loc: loc}
		r.zones[name] = z
	}
	return z
}

// maxSpans bounds the spans remembered per zone; past it the memo starts
// again empty. A DST zone has a few distinct spans per year of sessions,
// so only a daemon that lived through many unusual ones reaches it.
const maxSpans = 4096

// zoneCache is one zone with its transitions over the years asked so far
// and the VTIMEZONE blocks encoded so far.
//
// A VTIMEZONE for sessions from first to last is a function of the
// transitions in the window (ws, we] = (first - zonePad, last + zonePad):
// of which transitions fall in it (indexes i, j in trs), whether one falls
// before first (else the offset at first opens the block, and it is the
// offset after trs[i-1], so it follows from i), the year of ws when before
// 1970, and, for each yearly rule, whether it ends before we (ended). The
// memo is keyed by exactly that, so a hit gives the bytes a fresh
// computation would.
type zoneCache struct {
	name string
	loc  *time.Location

	mu sync.Mutex
	// trs are the transitions of loc in (from, to], when covered. The
	// slice is replaced, never modified, when the range grows (and the memo
	// emptied, since its indexes are into trs), so that sub-slices handed
	// out stay valid without the lock.
	covered  bool
	from, to time.Time
	trs      []transition
	gen      uint64 // counts rebuilds of trs
	spans    map[spanKey]*span
}

type spanKey struct {
	i, j int  // the window's transitions are trs[i:j]
	init bool // no transition between the window's start and the first session
	year int  // min(1970, year of the window's start)
}

// span is the memo of one spanKey: its rule groups and a block for each
// combination of ended rules seen so far (bit n: the n-th group ended).
type span struct {
	groups []*group
	blocks map[uint64][]byte
}

func (sp *span) endedMask(we time.Time) uint64 {
	var m uint64
	for n, g := range sp.groups {
		if ended(g, we) {
			m |= 1 << n
		}
	}
	return m
}

// cover makes trs cover (ws, we], computing the transitions for whole years
// around it and what was asked before. z.mu must be held.
func (z *zoneCache) cover(ws, we time.Time) {
	if z.covered && !ws.Before(z.from) && !we.After(z.to) {
		return
	}
	from, to := ws, we
	if z.covered {
		from, to = minTime(from, z.from), maxTime(to, z.to)
	}
	from = time.Date(from.UTC().Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	to = time.Date(to.UTC().Year()+1, 1, 1, 0, 0, 0, 0, time.UTC)
	z.trs = transitions(z.loc, from, to)
	z.from, z.to, z.covered = from, to, true
	z.gen++
	z.spans = nil
}

// afterOrAt orders a transition against an instant so that a binary search
// finds the first transition after t: those at or before t sort first.
func afterOrAt(tr transition, t time.Time) int {
	if tr.at.After(t) {
		return 1
	}
	return -1
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// vtimezone returns the encoded VTIMEZONE of the zone for sessions from
// first to last: the same bytes as encoder.vtimezone(name, observances(loc,
// first, last)).
func (z *zoneCache) vtimezone(first, last time.Time) []byte {
	ws, we := first.Add(-zonePad), last.Add(zonePad)
	z.mu.Lock()
	z.cover(ws, we)
	all, gen := z.trs, z.gen
	i, _ := slices.BinarySearchFunc(all, ws, afterOrAt)
	j, _ := slices.BinarySearchFunc(all, we, afterOrAt)
	trs := all[i:j:j]
	key := spanKey{i: i, j: j, init: len(trs) == 0 || trs[0].at.After(first), year: min(1970, ws.UTC().Year())}
	sp := z.spans[key]
	var mask uint64
	if sp != nil {
		mask = sp.endedMask(we)
		if b, ok := sp.blocks[mask]; ok {
			z.mu.Unlock()
			return b
		}
	}
	z.mu.Unlock()

	var groups []*group
	if sp != nil {
		groups = sp.groups // read-only once made
	} else {
		groups = groupTransitions(trs)
	}
	e := &encoder{b: make([]byte, 0, 1024)}
	e.vtimezone(z.name, observancesOf(z.loc, trs, groups, first, ws, we))
	b := e.b
	if len(groups) > 64 {
		return b // more rules than a mask holds: not remembered
	}
	if sp == nil {
		sp = &span{groups: groups}
		mask = sp.endedMask(we)
	}

	z.mu.Lock()
	defer z.mu.Unlock()
	if z.gen != gen {
		return b // trs was rebuilt meanwhile: the key's indexes are stale
	}
	if z.spans == nil || len(z.spans) >= maxSpans {
		z.spans = map[spanKey]*span{}
	}
	if cur := z.spans[key]; cur != nil {
		sp = cur
	} else {
		z.spans[key] = sp
	}
	if sp.blocks == nil {
		sp.blocks = map[uint64][]byte{}
	}
	sp.blocks[mask] = b
	return b
}

// Prepared is one series made ready for its calendar and the calendars of
// each of its sessions: zones and instants resolved, and every event
// encoded once. A session's event is the same bytes in the series calendar
// and in its own calendar, so session calendars copy them.
//
// The snapshot given to Prepare must not change while the Prepared is in
// use. A Prepared is read-only once made: safe for concurrent use.
type Prepared struct {
	r     *Renderer
	opts  Options
	snap  agenda.Snapshot
	p     *prepared
	body  []byte         // every VEVENT, in calendar order
	ends  []int          // event i is body[ends[i-1]:ends[i]] (from 0 for i = 0)
	index map[string]int // session key -> event index
	dup   bool           // some key names two sessions: WriteSession takes the general path
}

// Prepare checks snap as WriteSeries does (an error names the first
// session that cannot be rendered) and encodes its events.
func (r *Renderer) Prepare(snap agenda.Snapshot, opts Options) (*Prepared, error) {
	slug := snap.Series.Slug
	r.mu.Lock()
	wp, ok := r.recent[slug]
	r.mu.Unlock()
	if pr := wp.Value(); ok && pr != nil && sameSnapshot(pr.snap, snap) && sameOptions(pr.opts, opts) {
		if pr.opts.CombinedTitle != opts.CombinedTitle || pr.opts.Variant != opts.Variant {
			cp := *pr // what it holds is only read
			cp.opts = opts
			return &cp, nil
		}
		return pr, nil
	}
	pr, err := r.prepareNew(snap, opts)
	if err != nil || len(snap.Sessions) == 0 {
		return pr, err
	}
	r.mu.Lock()
	if r.recent == nil {
		r.recent = map[string]weak.Pointer[Prepared]{}
	}
	r.recent[slug] = weak.Make(pr)
	r.mu.Unlock()
	return pr, nil
}

// sameSnapshot reports whether a and b are the same snapshot: the same
// sessions (one backing array: snapshots are never modified, so a snapshot
// read again has an array of its own) of an equal series.
func sameSnapshot(a, b agenda.Snapshot) bool {
	return len(a.Sessions) == len(b.Sessions) && len(a.Sessions) > 0 &&
		&a.Sessions[0] == &b.Sessions[0] && reflect.DeepEqual(a.Series, b.Series)
}

// sameOptions reports whether a and b encode events alike (CombinedTitle
// names only the all-series calendar, Variant only the calendar's header).
func sameOptions(a, b Options) bool {
	return a.Layout == b.Layout && a.RefreshInterval == b.RefreshInterval && a.ProdID == b.ProdID &&
		slices.Equal(a.Reminders, b.Reminders) && a.OverrideReminders == b.OverrideReminders
}

func (r *Renderer) prepareNew(snap agenda.Snapshot, opts Options) (*Prepared, error) {
	p, err := r.prepare([]agenda.Snapshot{snap}, "")
	if err != nil {
		return nil, fmt.Errorf("render calendar of series %q: %w", snap.Series.Slug, err)
	}
	pr := &Prepared{r: r, opts: opts, snap: snap, p: p,
		ends: make([]int, len(p.events)), index: make(map[string]int, len(p.events))}
	e := &encoder{b: make([]byte, 0, len(p.events)*1536)}
	for i := range p.events {
		ev := &p.events[i]
		e.event(ev, opts)
		pr.ends[i] = len(e.b)
		if ev.s.Key == "" {
			continue // no session calendar
		}
		if _, seen := pr.index[ev.s.Key]; seen {
			pr.dup = true
		}
		pr.index[ev.s.Key] = i
	}
	pr.body = e.b
	return pr, nil
}

// WriteSeries writes the series calendar, the same bytes as the package's
// WriteSeries.
func (pr *Prepared) WriteSeries(w io.Writer) error {
	zones := pr.p.zoneBlocks
	if len(pr.p.events) == 0 {
		var ez emptyZone
		ez.add(&pr.snap.Series)
		zones = pr.r.emptyZoneBlock(ez)
	}
	err := writeCalendar(w, seriesHeader(&pr.snap, pr.opts), pr.opts, zones,
		func(e *encoder, _ Options) { e.block(pr.body) })
	if err != nil {
		return fmt.Errorf("render calendar of series %q: %w", pr.snap.Series.Slug, err)
	}
	return nil
}

// WriteSession writes the calendar of the session whose key is key, the
// same bytes as the package's WriteSession. A missing key is
// agenda.ErrNotFound.
func (pr *Prepared) WriteSession(w io.Writer, key string) error {
	i, ok := pr.index[key]
	if !ok || key == "" {
		return fmt.Errorf("render calendar of session %q of series %q: %w", key, pr.snap.Series.Slug, agenda.ErrNotFound)
	}
	if pr.dup {
		// The session calendar of a duplicated key holds every session
		// with it; not worth a fast path, since the store forbids it.
		return pr.r.WriteSession(w, pr.snap, key, pr.opts)
	}
	ev := &pr.p.events[i]
	start := 0
	if i > 0 {
		start = pr.ends[i-1]
	}
	zones := func(e *encoder) {
		if !ev.s.AllDay {
			e.block(ev.tz.vtimezone(ev.start, ev.end))
		}
	}
	err := writeCalendar(w, sessionHeader(&pr.snap, ev.s, pr.opts), pr.opts, zones,
		func(e *encoder, _ Options) { e.block(pr.body[start:pr.ends[i]]) })
	if err != nil {
		return fmt.Errorf("render calendar of session %q of series %q: %w", key, pr.snap.Series.Slug, err)
	}
	return nil
}
