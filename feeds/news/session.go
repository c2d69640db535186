package news

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// maxSessionSummary bounds the description excerpt in a session's summary,
// in characters; the full text is in the content.
const maxSessionSummary = 280

// sessionItem announces one session. keep is false when UpcomingOnly drops it.
func (b *builder) sessionItem(sr *agenda.Series, s *agenda.Session) (it item, keep bool, err error) {
	it, keep, err = b.sessionStub(sr, s)
	if keep && it.text != nil {
		it.text(&it)
		it.text = nil
	}
	return it, keep, err
}

// sessionStub is sessionItem with the text left to item.text.
func (b *builder) sessionStub(sr *agenda.Series, s *agenda.Session) (it item, keep bool, err error) {
	zoneName := cmp.Or(s.Zone, sr.Zone)
	loc, err := b.zone(zoneName)
	if err != nil {
		return item{}, false, fmt.Errorf("session %q: zone %q: %w", s.Key, zoneName, err)
	}
	w, err := sessionInstants(s, loc)
	if err != nil {
		return item{}, false, fmt.Errorf("session %q: %w", s.Key, err)
	}
	if b.opts.UpcomingOnly && !w.end.After(b.opts.AsOf) {
		return item{}, false, nil
	}

	// Published is when the session was announced (created); an edit moves
	// only updated. A session the store never stamped falls back to the
	// series' own times so that the feed still carries real dates.
	published := cmp.Or(s.Created, s.Updated, sr.Updated, sr.Created)
	updated := cmp.Or(s.Updated, published)

	// Only the id and dates are needed to dedupe, sort and cut the feed to
	// its item limit; the text is built for the items kept (a combined
	// feed of 100,000 sessions shows 50 of them).
	return item{
		id:        xmlText(sessionID(s.UID, sr.Slug, s.Key)),
		published: instant(published),
		updated:   laterOf(instant(updated), instant(published)),
		session:   true,
		text: func(it *item) {
			w.describe(s)
			title := w.local + " · " + s.Title
			if s.Status == agenda.StatusCancelled {
				title = "Cancelled: " + title
			}
			page := b.opts.Layout.SessionAnchor(sr.Slug, s.Key)
			ics := b.opts.Layout.SessionURL(sr.Slug, s.Key)
			it.title = xmlText(title)
			it.link = xmlText(page)
			it.summary = xmlText(sessionSummary(s, w))
			it.content = xmlText(sessionContent(s, w, ics, page))
			it.author = xmlText(sr.Organizer.Name)
			it.lang = xmlText(cmp.Or(s.Language, sr.Language))
			it.tags = xmlTexts(s.Tags)
		},
	}, true, nil
}

// sessionID is the announcement's id: urn:uid:<UID>. A session without a UID
// (never stored) gets one from its series and key, which are stable too.
func sessionID(uid, slug, key string) string {
	if uid == "" {
		return "urn:uid:" + iriEscape(key+"."+slug)
	}
	return "urn:uid:" + iriEscape(uid)
}

// when is a session's time, resolved and formatted once.
type when struct {
	start, end time.Time // instants; for all-day sessions midnight to midnight
	local      string    // "17 Nov 2021, 12:00-13:00 CET", "17-18 Nov 2021"
	utc        string    // "11:00-12:00 UTC"; "" for all-day sessions and UTC zones
}

// sessionInstants resolves the session's wall times in loc: w's start and
// end, without the text (see describe), which only the items a feed keeps
// need. A wall time in a DST gap or fold without an explicit offset is an
// error, as in validation.
func sessionInstants(s *agenda.Session, loc *time.Location) (when, error) {
	if s.AllDay {
		if s.StartDate.IsZero() || s.EndDate.IsZero() || s.EndDate.Before(s.StartDate) {
			return when{}, fmt.Errorf("all-day dates %q to %q: expected a start date and an end date on or after it", s.StartDate, s.EndDate)
		}
		return when{start: s.StartDate.Time(loc), end: s.EndDate.AddDays(1).Time(loc)}, nil
	}
	start, err := s.Start.In(loc)
	if err != nil {
		return when{}, fmt.Errorf("start: %w", err)
	}
	end, err := s.End.In(loc)
	if err != nil {
		return when{}, fmt.Errorf("end: %w", err)
	}
	return when{start: start, end: end}, nil
}

// describe sets the text of w, which sessionInstants resolved for s.
func (w *when) describe(s *agenda.Session) {
	if s.AllDay {
		w.local = dateRange(s.StartDate, s.EndDate)
		return
	}
	start, end := w.start, w.end
	w.local = timeRange(start, end, zoneLabel(start), zoneLabel(end))
	if _, off := start.Zone(); off != 0 || !sameOffsetAll(start, end) {
		su, eu := start.UTC(), end.UTC()
		if agenda.DateOf(su) == agenda.DateOf(start) && agenda.DateOf(eu) == agenda.DateOf(su) && agenda.DateOf(end) == agenda.DateOf(start) {
			w.utc = su.Format("15:04") + "-" + eu.Format("15:04") + " UTC"
		} else {
			w.utc = timeRange(su, eu, "UTC", "UTC")
		}
	}
}

func sameOffsetAll(a, b time.Time) bool {
	_, oa := a.Zone()
	_, ob := b.Zone()
	return oa == ob
}

// timeRange formats start and end (already in their zone) with the zone
// labels: "17 Nov 2021, 12:00-13:00 CET" on one day, "31 Oct 2021,
// 01:00 CEST-02:30 CET" across a change of offset, and "17 Nov 2021, 22:00 -
// 18 Nov 2021, 02:00 CET" across midnight.
func timeRange(start, end time.Time, startZone, endZone string) string {
	const day, clock = "2 Jan 2006", "15:04"
	sameDay := agenda.DateOf(start) == agenda.DateOf(end)
	switch {
	case sameDay && startZone == endZone:
		return start.Format(day) + ", " + start.Format(clock) + "-" + end.Format(clock) + " " + endZone
	case sameDay:
		return start.Format(day) + ", " + start.Format(clock) + " " + startZone + "-" + end.Format(clock) + " " + endZone
	case startZone == endZone:
		return start.Format(day) + ", " + start.Format(clock) + " - " + end.Format(day) + ", " + end.Format(clock) + " " + endZone
	default:
		return start.Format(day) + ", " + start.Format(clock) + " " + startZone + " - " + end.Format(day) + ", " + end.Format(clock) + " " + endZone
	}
}

// dateRange formats inclusive all-day dates: "18 Nov 2020 (all day)",
// "17-18 Nov 2021", "30 Nov-2 Dec 2021", "30 Dec 2021-2 Jan 2022".
func dateRange(a, b agenda.Date) string {
	ta, tb := a.Time(time.UTC), b.Time(time.UTC)
	switch {
	case a == b:
		return ta.Format("2 Jan 2006") + " (all day)"
	case a.Year == b.Year && a.Month == b.Month:
		return ta.Format("2") + "-" + tb.Format("2 Jan 2006")
	case a.Year == b.Year:
		return ta.Format("2 Jan") + "-" + tb.Format("2 Jan 2006")
	default:
		return ta.Format("2 Jan 2006") + "-" + tb.Format("2 Jan 2006")
	}
}

// zoneLabel is the abbreviation in effect at t in its zone, as the zone
// database spells it for that date (CET in winter, CEST in summer). Where the
// database has no letters and Go reports a number ("+0530", "-03"), the
// label is the offset as "UTC+05:30" / "UTC-03:00", and a zero offset is "UTC".
func zoneLabel(t time.Time) string {
	name, off := t.Zone()
	if name != "" && name[0] != '+' && name[0] != '-' && !isDigit(name[0]) {
		return name
	}
	if off == 0 {
		return "UTC"
	}
	return "UTC" + agenda.FormatOffset(off)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// whenText is the full "when" line: local time and, beside it, UTC.
func (w when) text() string {
	if w.utc == "" {
		return w.local
	}
	return w.local + " (" + w.utc + ")"
}

// sessionSummary is plain text: when, where, and the start of the
// description.
func sessionSummary(s *agenda.Session, w when) string {
	var b strings.Builder
	if s.Status == agenda.StatusCancelled {
		b.WriteString("Cancelled. ")
	}
	b.WriteString(w.text())
	if place := placeText(s); place != "" {
		b.WriteString(" · ")
		b.WriteString(place)
	}
	if d := strings.TrimSpace(s.Description); d != "" {
		b.WriteString("\n\n")
		b.WriteString(excerpt(d, maxSessionSummary))
	}
	return b.String()
}

func placeText(s *agenda.Session) string {
	var parts []string
	if s.Venue != "" {
		parts = append(parts, s.Venue)
	}
	if s.Address != "" {
		parts = append(parts, oneLine(s.Address))
	}
	if s.OnlineURL != "" {
		parts = append(parts, "online")
	}
	return strings.Join(parts, ", ")
}

// oneLine joins the lines of a multi-line address with commas.
func oneLine(s string) string {
	var parts []string
	for _, l := range strings.Split(agenda.NormalizeText(s), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, ", ")
}

// excerpt shortens text to at most max characters, cutting at a space when
// one is near and marking the cut with an ellipsis.
func excerpt(text string, max int) string {
	n := 0
	for i := range text {
		if n == max {
			cut := text[:i]
			if sp := strings.LastIndexAny(cut, " \n\t"); sp > i/2 {
				cut = cut[:sp]
			}
			return strings.TrimRight(cut, " \n\t.,;:") + "…"
		}
		n++
	}
	return text
}

// sessionContent is the announcement's HTML; every piece of user text is
// escaped and only http(s) URLs become links.
func sessionContent(s *agenda.Session, w when, icsURL, pageURL string) string {
	var b strings.Builder
	b.Grow(256 + 2*len(s.Description) + 128*len(s.People))
	if s.Status == agenda.StatusCancelled {
		b.WriteString("<p><strong>This session has been cancelled.</strong></p>\n")
	} else if s.Status == agenda.StatusTentative {
		b.WriteString("<p><strong>Tentative:</strong> the time may still change.</p>\n")
	}
	b.WriteString("<p><strong>When:</strong> ")
	writeHTML(&b, w.text())
	b.WriteString("</p>\n")
	if s.Venue != "" || s.Address != "" || s.OnlineURL != "" {
		b.WriteString("<p><strong>Where:</strong> ")
		first := true
		sep := func() {
			if !first {
				b.WriteString("<br>")
			}
			first = false
		}
		if s.Venue != "" {
			sep()
			writeHTML(&b, s.Venue)
		}
		if s.Address != "" {
			sep()
			writeHTML(&b, oneLine(s.Address))
		}
		if s.OnlineURL != "" {
			sep()
			b.WriteString("Online: ")
			writeLink(&b, s.OnlineURL, s.OnlineURL)
		}
		b.WriteString("</p>\n")
	}
	if len(s.People) > 0 {
		b.WriteString("<ul>\n")
		for _, p := range s.People {
			b.WriteString("<li>")
			writeHTML(&b, agenda.RoleLabel(p.Role))
			b.WriteString(": ")
			if p.URL != "" {
				writeLink(&b, p.URL, p.Name)
			} else {
				writeHTML(&b, p.Name)
			}
			if p.Affiliation != "" {
				b.WriteString(", ")
				writeHTML(&b, p.Affiliation)
			}
			b.WriteString("</li>\n")
		}
		b.WriteString("</ul>\n")
	}
	for _, para := range paragraphs(s.Description) {
		b.WriteString("<p>")
		for i, line := range strings.Split(para, "\n") {
			if i > 0 {
				b.WriteString("<br>\n")
			}
			writeHTML(&b, line)
		}
		b.WriteString("</p>\n")
	}
	b.WriteString("<p>")
	writeLink(&b, icsURL, "Add to calendar (.ics)")
	b.WriteString(" · ")
	writeLink(&b, pageURL, "On the agenda page")
	if s.URL != "" {
		b.WriteString(" · ")
		writeLink(&b, s.URL, "More information")
	}
	b.WriteString("</p>")
	return b.String()
}

// paragraphs splits plain text at blank lines.
func paragraphs(text string) []string {
	text = strings.ReplaceAll(agenda.NormalizeText(text), "\t", " ")
	var out []string
	for _, p := range strings.Split(text, "\n\n") {
		if p = strings.Trim(p, " \n"); p != "" {
			out = append(out, p)
		}
	}
	return out
}
