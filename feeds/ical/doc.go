// Package ical owns agendafeed's iCalendar output (RFC 5545, with the
// RFC 7986 calendar properties): the calendar of a series, of all series
// together and of a single session, each with the VTIMEZONEs its sessions
// use (generated from Go's embedded zone database) and the series'
// reminders as VALARMs. Rendering is pure: the same snapshot and options
// give the same bytes.
//
// # Why a hand-written encoder rather than golang-ical
//
// github.com/arran4/golang-ical v0.3.4 was the planned serialiser, but it
// gets things wrong that subscribers see: SetStartAt writes a UTC value even
// when given a TZID, AddTimezone adds an empty VTIMEZONE, it writes LF line
// ends unless asked, writes a CR inside text raw (which lets user text start
// a new line) and backslash-escapes parameter values instead of quoting
// them. It also builds the whole calendar as objects and strings before
// writing. The encoder here streams content lines straight into a
// bufio.Writer with its own escaping and folding (encoder.go), so nothing
// is built that is not written, and its bytes are checked by golden files,
// by this package's parser (Parse), and by three independent clients in the
// tests (ical.js, libical, Python's icalendar). golang-ical is still used in
// the tests as one more parser and in a side-by-side benchmark.
//
// # Rendering many files
//
// The package's Write functions are complete on their own. A publisher that
// writes many calendars uses one Renderer for its lifetime and, per series,
// a Prepared (Renderer.Prepare): the Renderer keeps the zones loaded from
// the zone database embedded in the binary (agenda.LoadZone parses on every
// call), each zone's transitions, and the VTIMEZONE blocks already encoded,
// memoised by exactly what determines their bytes; the Prepared resolves a
// series' sessions once and encodes each event once, and a session's own
// calendar copies its event's bytes, which are the same as in the series
// calendar. Every path gives the bytes the Write functions give; the tests
// compare them.
//
// # Times
//
// Timed sessions are written as local wall time with TZID (DESIGN decision
// 1), except a wall time that does not name exactly one instant in its zone
// (a DST fold or gap, accepted only with an explicit UTC offset): a TZID
// value cannot say "the second 02:30" and clients resolve folds and gaps
// differently, so that value is written in UTC. All-day sessions use DATE
// values with an exclusive end.
package ical
