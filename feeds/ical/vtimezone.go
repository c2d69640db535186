package ical

import (
	"time"
)

// A VTIMEZONE is generated from Go's zone database (the binary embeds it
// with time/tzdata) for the span of the sessions that use the zone, never
// hand-written and never read from the host by name in the client.
//
// The walk uses time.Time.ZoneBounds to list every offset change in a
// window around the sessions, then groups changes that follow one yearly
// rule (same month, weekday, week of the month or "last", local time and
// offsets, in consecutive years) into one observance with an RRULE; a change
// that follows no rule becomes an observance of its own.

// zonePad is how far before the first and after the last session the
// window reaches, so that the observance in effect at the first session
// starts before it and a yearly rule is seen at least twice when it can be.
const zonePad = 366 * 24 * time.Hour

// transition is one change of offset or abbreviation.
type transition struct {
	at       time.Time // the instant of the change
	from, to int       // offsets in seconds east of UTC, before and after
	name     string    // abbreviation after the change
	dst      bool      // daylight time after the change
}

// observance is one STANDARD or DAYLIGHT sub-component.
type observance struct {
	dst      bool
	start    time.Time // DTSTART: wall clock in the "from" offset, fields in UTC
	from, to int
	name     string
	rule     bool // RRULE:FREQ=YEARLY;BYMONTH=month;BYDAY=week+weekday
	month    time.Month
	week     int // 1..4, or -1 for the last such weekday of the month
	weekday  time.Weekday
	until    time.Time // zero: the rule does not end in the window
}

// transitions lists the changes in (from, to] in loc.
func transitions(loc *time.Location, from, to time.Time) []transition {
	var out []transition
	t := from.In(loc)
	for {
		_, end := t.ZoneBounds()
		if end.IsZero() || end.After(to) {
			return out
		}
		if !end.After(t) {
			// Past the last explicit transition Go computes bounds from
			// the zone's rule string year by year, and in a leap year it
			// can report the end of the last period as a day before the
			// year ends, which is not after t (seen with the embedded
			// "slim" tzdata). Step over it: no zone changes twice a day.
			t = t.Add(24 * time.Hour)
			continue
		}
		before := end.Add(-time.Nanosecond)
		_, offFrom := before.Zone()
		name, offTo := end.Zone()
		if offFrom != offTo || before.IsDST() != end.IsDST() || zoneName(before) != name {
			out = append(out, transition{at: end, from: offFrom, to: offTo, name: name, dst: end.IsDST()})
		}
		t = end
	}
}

func zoneName(t time.Time) string {
	n, _ := t.Zone()
	return n
}

// ruleKey is what consecutive yearly changes must share to form one rule.
type ruleKey struct {
	month    time.Month
	week     int
	weekday  time.Weekday
	clock    int // seconds after local midnight, in the "from" offset
	from, to int
	name     string
	dst      bool
}

// localWall returns the wall clock of instant at read with offset off.
func localWall(at time.Time, off int) time.Time {
	return at.UTC().Add(time.Duration(off) * time.Second)
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func keyOf(tr transition) (ruleKey, int) {
	l := localWall(tr.at, tr.from)
	d := l.Day()
	week := (d-1)/7 + 1
	if d > daysIn(l.Year(), l.Month())-7 {
		week = -1
	}
	h, m, s := l.Clock()
	return ruleKey{month: l.Month(), week: week, weekday: l.Weekday(), clock: h*3600 + m*60 + s,
		from: tr.from, to: tr.to, name: tr.name, dst: tr.dst}, l.Year()
}

// ruleDate returns the wall clock on which a rule falls in year y.
func ruleDate(y int, month time.Month, week int, wd time.Weekday, clock int) time.Time {
	var day int
	if week < 0 {
		last := daysIn(y, month)
		lw := time.Date(y, month, last, 0, 0, 0, 0, time.UTC).Weekday()
		day = last - (int(lw)-int(wd)+7)%7
	} else {
		fw := time.Date(y, month, 1, 0, 0, 0, 0, time.UTC).Weekday()
		day = 1 + (int(wd)-int(fw)+7)%7 + 7*(week-1)
	}
	return time.Date(y, month, day, 0, 0, 0, 0, time.UTC).Add(time.Duration(clock) * time.Second)
}

// observances builds the observances of loc for sessions between first and
// last (instants).
func observances(loc *time.Location, first, last time.Time) []observance {
	ws, we := first.Add(-zonePad), last.Add(zonePad)
	trs := transitions(loc, ws, we)
	return observancesOf(loc, trs, groupTransitions(trs), first, ws, we)
}

// group is a run of transitions that follow one yearly rule.
type group struct {
	key      ruleKey
	lastYear int
	trs      []transition
	next     time.Time // with two or more trs: when the rule would fall next
}

// groupTransitions groups trs, the transitions in a window, by rule.
func groupTransitions(trs []transition) []*group {
	var groups []*group
	for _, tr := range trs {
		k, y := keyOf(tr)
		var g *group
		for i := len(groups) - 1; i >= 0; i-- {
			if groups[i].key == k && groups[i].lastYear == y-1 {
				g = groups[i]
				break
			}
		}
		if g == nil {
			g = &group{key: k}
			groups = append(groups, g)
		}
		g.lastYear = y
		g.trs = append(g.trs, tr)
	}
	for _, g := range groups {
		if len(g.trs) >= 2 {
			k := g.key
			g.next = ruleDate(g.lastYear+1, k.month, k.week, k.weekday, k.clock).Add(-time.Duration(g.trs[0].from) * time.Second)
		}
	}
	return groups
}

// observancesOf builds the observances from trs, the transitions of loc in
// the window (ws, we] around the sessions, grouped by groupTransitions; the
// first session is at first. The window's end only matters through
// ended, its start only through the year of the first observance.
func observancesOf(loc *time.Location, trs []transition, groups []*group, first, ws, we time.Time) []observance {
	out := make([]observance, 0, len(groups)+1)
	if len(trs) == 0 || trs[0].at.After(first) {
		// The offset in effect at the first session started long before
		// the window: say it holds from 1970 (or the window's year, for
		// older sessions) with no change, as tzdata-derived VTIMEZONEs do.
		t := first.In(loc)
		name, off := t.Zone()
		y := min(1970, ws.UTC().Year())
		out = append(out, observance{dst: t.IsDST(), start: time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC),
			from: off, to: off, name: name})
	}
	for _, g := range groups {
		tr := g.trs[0]
		o := observance{dst: tr.dst, start: localWall(tr.at, tr.from), from: tr.from, to: tr.to, name: tr.name}
		if len(g.trs) >= 2 {
			o.rule, o.month, o.week, o.weekday = true, g.key.month, g.key.week, g.key.weekday
			if ended(g, we) {
				o.until = g.trs[len(g.trs)-1].at.UTC()
			}
		}
		out = append(out, o)
	}
	return out
}

// ended says whether the rule of g, seen in a window ending at we, stops
// before the window does (and so needs an UNTIL).
func ended(g *group, we time.Time) bool {
	return len(g.trs) >= 2 && !g.next.After(we)
}

var byDay = [7]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// vtimezone writes one VTIMEZONE.
func (e *encoder) vtimezone(tzid string, obs []observance) {
	e.line("BEGIN", "VTIMEZONE")
	e.name("TZID")
	e.plain(":")
	e.text(tzid)
	e.eol()
	for _, o := range obs {
		kind := "STANDARD"
		if o.dst {
			kind = "DAYLIGHT"
		}
		e.line("BEGIN", kind)
		e.name("DTSTART")
		e.bytesPlain(appendDateTime(append(e.buf[:0], ':'), o.start))
		e.eol()
		if o.rule {
			e.name("RRULE")
			b := append(e.buf[:0], ":FREQ=YEARLY;BYMONTH="...)
			b = appendInt(b, int64(o.month))
			b = append(b, ";BYDAY="...)
			b = appendInt(b, int64(o.week))
			b = append(b, byDay[o.weekday]...)
			e.bytesPlain(b)
			if !o.until.IsZero() {
				b = append(e.buf[:0], ";UNTIL="...)
				b = appendDateTime(b, o.until)
				b = append(b, 'Z')
				e.bytesPlain(b)
			}
			e.eol()
		}
		e.name("TZOFFSETFROM")
		e.bytesPlain(appendOffset(append(e.buf[:0], ':'), o.from))
		e.eol()
		e.name("TZOFFSETTO")
		e.bytesPlain(appendOffset(append(e.buf[:0], ':'), o.to))
		e.eol()
		if o.name != "" {
			e.name("TZNAME")
			e.plain(":")
			e.text(o.name)
			e.eol()
		}
		e.line("END", kind)
	}
	e.line("END", "VTIMEZONE")
}

// appendOffset appends +hhmm, or +hhmmss when the offset has seconds.
func appendOffset(b []byte, off int) []byte {
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	b = append(b, sign)
	b = append2(b, off/3600)
	b = append2(b, off/60%60)
	if off%60 != 0 {
		b = append2(b, off%60)
	}
	return b
}
