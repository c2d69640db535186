package agenda

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// WallTime is a wall-clock date and time as an organiser entered it
// ("2021-11-17T12:00"), read in the zone of its session. It is deliberately
// not an instant (DESIGN decision 1): if a zone's rules change, a session at
// 12:00 Madrid time stays at 12:00 Madrid time.
//
// Offset is set only when the input carried an explicit UTC offset
// ("2021-10-31T02:30+01:00"). It is how a user picks one of the two instants
// of a wall time that happens twice when clocks go back; it is kept so that an
// export writes back what was imported.
//
// A wall time parsed from text that String does not give back ("Z" for
// +00:00, ":00" seconds, a space for the T) keeps that text, so that an
// error quotes the value as the user wrote it (Text); it is no part of the
// value: String, Equal and everything stored ignore it.
type WallTime struct {
	clock     time.Time // wall-clock fields in time.UTC; never read as an instant
	offset    int       // seconds east of UTC, meaningful when hasOffset
	hasOffset bool
	text      string // as written, when not String(); "" otherwise
}

// NewWallTime builds a WallTime without an offset.
func NewWallTime(year int, month time.Month, day, hour, min, sec int) WallTime {
	return WallTime{clock: time.Date(year, month, day, hour, min, sec, 0, time.UTC)}
}

// WallTimeOf returns the wall clock of t in t's own location, without offset.
func WallTimeOf(t time.Time) WallTime {
	return NewWallTime(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second())
}

// WithOffset returns w carrying an explicit UTC offset in seconds east.
func (w WallTime) WithOffset(seconds int) WallTime {
	w.offset, w.hasOffset, w.text = seconds, true, ""
	return w
}

// WithoutOffset drops an explicit offset.
func (w WallTime) WithoutOffset() WallTime {
	w.offset, w.hasOffset, w.text = 0, false, ""
	return w
}

// Text is w as it was written, for quoting back in a message: the text
// ParseWallTime read, or String for a wall time built otherwise.
func (w WallTime) Text() string {
	if w.text != "" {
		return w.text
	}
	return w.String()
}

// cloneText returns w with its own copy of the text it was parsed from,
// so that a kept WallTime does not keep the buffer that text was in.
func (w WallTime) cloneText() WallTime {
	w.text = strings.Clone(w.text)
	return w
}

// Offset reports the explicit offset, if any.
func (w WallTime) Offset() (seconds int, ok bool) { return w.offset, w.hasOffset }

// IsZero reports whether w was never set.
func (w WallTime) IsZero() bool { return w.clock.IsZero() }

// Clock returns the wall-clock fields as a time.Time in time.UTC. It is for
// formatting and comparing wall clocks only: it is not the session's instant.
func (w WallTime) Clock() time.Time { return w.clock }

// Date returns the calendar date of the wall clock.
func (w WallTime) Date() Date { return DateOf(w.clock) }

// Equal reports whether two wall times have the same clock and offset.
func (w WallTime) Equal(o WallTime) bool {
	return w.clock.Equal(o.clock) && w.hasOffset == o.hasOffset && (!w.hasOffset || w.offset == o.offset)
}

// SameIn reports whether w and o publish the same in loc: the same wall
// clock naming the same instant. An explicit offset that repeats the only
// offset in effect there, or that names the same candidate in a fold,
// changes neither; Equal, which compares the offsets as written, would
// tell them apart. Wall times that do not resolve compare with Equal.
func (w WallTime) SameIn(o WallTime, loc *time.Location) bool {
	if w.Equal(o) {
		return true
	}
	if !w.clock.Equal(o.clock) {
		return false
	}
	a, errA := w.In(loc)
	b, errB := o.In(loc)
	return errA == nil && errB == nil && a.Equal(b)
}

// Before compares wall clocks only.
func (w WallTime) Before(o WallTime) bool { return w.clock.Before(o.clock) }

// String formats as 2006-01-02T15:04, with seconds only when non-zero and the
// offset only when explicit. ParseWallTime reads it back.
func (w WallTime) String() string {
	if w.IsZero() {
		return ""
	}
	layout := "2006-01-02T15:04"
	if w.clock.Second() != 0 {
		layout = "2006-01-02T15:04:05"
	}
	s := w.clock.Format(layout)
	if w.hasOffset {
		s += FormatOffset(w.offset)
	}
	return s
}

// FormatOffset formats seconds east of UTC as +hh:mm (or +hh:mm:ss for the
// odd historic offset).
func FormatOffset(seconds int) string {
	sign := '+'
	if seconds < 0 {
		sign, seconds = '-', -seconds
	}
	h, m, s := seconds/3600, seconds/60%60, seconds%60
	if s != 0 {
		return fmt.Sprintf("%c%02d:%02d:%02d", sign, h, m, s)
	}
	return fmt.Sprintf("%c%02d:%02d", sign, h, m)
}

// wallLayouts are the accepted spellings of a wall time, longest first.
var wallLayouts = []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04"}

// ParseWallTime reads "2021-11-17T12:00", optionally with seconds and an
// explicit offset ("+01:00", "-0500" or "Z").
func ParseWallTime(s string) (WallTime, error) {
	body, off, hasOff, err := splitOffset(s)
	if err != nil {
		return WallTime{}, err
	}
	for _, layout := range wallLayouts {
		if len(body) != len(layout) {
			continue
		}
		t, err := time.ParseInLocation(layout, body, time.UTC)
		if err != nil {
			continue
		}
		w := WallTime{clock: t}
		if hasOff {
			w = w.WithOffset(off)
		}
		if !w.IsZero() && s != w.String() {
			w.text = s
		}
		return w, nil
	}
	return WallTime{}, fmt.Errorf("expected a local date and time as YYYY-MM-DDTHH:MM, optionally with seconds and a UTC offset such as +01:00")
}

// splitOffset separates a trailing "Z", "+hh:mm", "+hhmm" or "+hh" from s.
func splitOffset(s string) (body string, off int, ok bool, err error) {
	if strings.HasSuffix(s, "Z") || strings.HasSuffix(s, "z") {
		return s[:len(s)-1], 0, true, nil
	}
	// The date part has '-' in it, so only look past the time separator.
	t := strings.IndexAny(s, "T ")
	if t < 0 {
		return s, 0, false, nil
	}
	i := strings.LastIndexAny(s[t:], "+-")
	if i < 0 {
		return s, 0, false, nil
	}
	i += t
	sign := 1
	if s[i] == '-' {
		sign = -1
	}
	raw := s[i+1:]
	digits := raw
	if len(raw) == 5 && raw[2] == ':' {
		digits = raw[:2] + raw[3:]
	}
	if len(digits) != 2 && len(digits) != 4 || strings.Contains(digits, ":") {
		return "", 0, false, fmt.Errorf("expected a UTC offset as +hh:mm, got %q", s[i:])
	}
	h, err1 := strconv.Atoi(digits[:2])
	m := 0
	var err2 error
	if len(digits) == 4 {
		m, err2 = strconv.Atoi(digits[2:])
	}
	if err1 != nil || err2 != nil || h > 18 || m > 59 {
		return "", 0, false, fmt.Errorf("expected a UTC offset between -18:00 and +18:00, got %q", s[i:])
	}
	return s[:i], sign * (h*3600 + m*60), true, nil
}

// Resolution explains how a wall time maps to instants in a zone.
type Resolution struct {
	Instants []time.Time // 0 (gap), 1 (normal) or 2 (fold) candidates, earliest first
}

// Candidates returns every instant at which the clock in loc reads w's wall
// time, ignoring w's explicit offset. Zones change offset at most once in a
// few hours, so offsets in effect a day either side cover every candidate.
func (w WallTime) Candidates(loc *time.Location) []time.Time {
	var offs [3]int
	n := 0
	out := make([]time.Time, 0, 2)
	for _, probe := range []time.Duration{-26 * time.Hour, 0, 26 * time.Hour} {
		_, off := w.clock.Add(probe).In(loc).Zone()
		seen := false
		for _, o := range offs[:n] {
			seen = seen || o == off
		}
		if seen {
			continue
		}
		offs[n] = off
		n++
		inst := w.clock.Add(-time.Duration(off) * time.Second)
		if WallTimeOf(inst.In(loc)).clock.Equal(w.clock) {
			out = append(out, inst.In(loc))
		}
	}
	// Sort the at most three candidates by instant.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Before(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return dedupInstants(out)
}

func dedupInstants(ts []time.Time) []time.Time {
	out := ts[:0]
	for i, t := range ts {
		if i == 0 || !t.Equal(out[len(out)-1]) {
			out = append(out, t)
		}
	}
	return out
}

// neighbourOffsets returns the offsets in effect a day before and after w.
func (w WallTime) neighbourOffsets(loc *time.Location) (before, after int) {
	_, before = w.clock.Add(-26 * time.Hour).In(loc).Zone()
	_, after = w.clock.Add(26 * time.Hour).In(loc).Zone()
	return before, after
}

// In resolves w to the one instant it names in loc.
//
// The documented rule: a wall time that names exactly one instant resolves to
// it. A wall time inside a DST gap (does not exist) or fold (happens twice)
// is an error listing the candidate instants, unless w carries an explicit
// offset: in a fold the offset picks the candidate with that offset; in a gap
// the offset must be one of the offsets on either side of the gap and the
// instant is the wall time read at that offset. An explicit offset that is
// not in effect at that wall time is an error.
func (w WallTime) In(loc *time.Location) (time.Time, error) {
	// Nearly every wall time is far from any change of offset: the same
	// offset a day either side and at the wall time itself (Candidates'
	// three probes) means one candidate, found without Candidates'
	// allocation and second round of lookups. Renderers resolve every
	// session this way several times per pass.
	_, off := w.clock.In(loc).Zone()
	if _, before := w.clock.Add(-26 * time.Hour).In(loc).Zone(); before == off {
		if _, after := w.clock.Add(26 * time.Hour).In(loc).Zone(); after == off && (!w.hasOffset || w.offset == off) {
			if t := w.clock.Add(-time.Duration(off) * time.Second).In(loc); WallTimeOf(t).clock.Equal(w.clock) {
				return t, nil
			}
		}
	}
	return w.inSlow(loc)
}

// inSlow is In without the fast path: it lists the candidates.
func (w WallTime) inSlow(loc *time.Location) (time.Time, error) {
	cands := w.Candidates(loc)
	if w.hasOffset {
		for _, c := range cands {
			if _, off := c.Zone(); off == w.offset {
				return c, nil
			}
		}
		if len(cands) == 0 {
			b, a := w.neighbourOffsets(loc)
			if w.offset == b || w.offset == a {
				return w.clock.Add(-time.Duration(w.offset) * time.Second).In(loc), nil
			}
		}
		return time.Time{}, fmt.Errorf("UTC offset %s is not in effect at %s in %s; expected %s",
			FormatOffset(w.offset), w.WithoutOffset(), loc, describeCandidates(w, loc, cands))
	}
	switch len(cands) {
	case 1:
		return cands[0], nil
	case 0:
		b, a := w.neighbourOffsets(loc)
		early := w.clock.Add(-time.Duration(b) * time.Second)
		late := w.clock.Add(-time.Duration(a) * time.Second)
		return time.Time{}, fmt.Errorf("%s does not exist in %s (clocks skip it for daylight saving time); write an explicit offset to choose %s (%s) or %s (%s)",
			w.Text(), loc, w.WithOffset(b), early.UTC().Format(time.RFC3339), w.WithOffset(a), late.UTC().Format(time.RFC3339))
	default:
		parts := make([]string, len(cands))
		for i, c := range cands {
			_, off := c.Zone()
			parts[i] = fmt.Sprintf("%s (%s)", w.WithOffset(off), c.UTC().Format(time.RFC3339))
		}
		return time.Time{}, fmt.Errorf("%s happens twice in %s (clocks go back); write an explicit offset to choose %s", w.Text(), loc, strings.Join(parts, " or "))
	}
}

func describeCandidates(w WallTime, loc *time.Location, cands []time.Time) string {
	if len(cands) == 0 {
		b, a := w.neighbourOffsets(loc)
		if a == b {
			return FormatOffset(b)
		}
		return FormatOffset(b) + " or " + FormatOffset(a)
	}
	parts := make([]string, len(cands))
	for i, c := range cands {
		_, off := c.Zone()
		parts[i] = FormatOffset(off)
	}
	return strings.Join(parts, " or ")
}

// Date is a calendar date with no time and no zone, for all-day sessions.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns t's calendar date in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil || len(s) != 10 {
		return Date{}, fmt.Errorf("expected a date as YYYY-MM-DD")
	}
	return DateOf(t), nil
}

// String formats as YYYY-MM-DD; the zero Date formats as "".
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsZero reports whether d was never set.
func (d Date) IsZero() bool { return d == Date{} }

// Time returns midnight of d in loc.
func (d Date) Time(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return DateOf(d.Time(time.UTC).AddDate(0, 0, n)) }

// Before reports whether d is earlier than o.
func (d Date) Before(o Date) bool { return d.Time(time.UTC).Before(o.Time(time.UTC)) }
