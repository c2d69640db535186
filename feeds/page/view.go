package page

import (
	"cmp"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/markup"
)

// The views below hold everything a template shows, already formatted, so
// the templates have no logic beyond loops and conditions.

type headView struct {
	Lang        string
	Title       string
	Description string
	Canonical   string
	SiteName    string
	Feeds       subscribeView // for the <link rel="alternate"> elements
}

// subscribeView holds the links to one calendar and its feeds.
type subscribeView struct {
	Name     string       // what is subscribed to, for link texts
	Webcal   template.URL // webcal: is not a scheme html/template lets through on its own
	HTTPS    string
	Google   string
	Outlook  string
	RSS      string
	Atom     string
	JSONFeed string
	OPML     string // only for all series
}

type seriesView struct {
	Assets assets
	Head   headView
	// Lang is the language of the series' own text (title, description,
	// posts), set when it is not the interface's (uiLang): the page's
	// labels are English whatever the series' language, so lang goes on
	// the elements that hold the series' text, not on <html>, or a screen
	// reader would read "Upcoming sessions" with French pronunciation.
	Lang       string
	Title      string
	Paragraphs []string
	Homepage   string
	Organizer  string
	IndexURL   string
	SiteName   string
	Subscribe  subscribeView
	Upcoming   []dayView
	Past       []dayView
	Posts      []postView
}

type dayView struct {
	ID      string // of the heading, unique in the page
	Date    string // YYYY-MM-DD, for <time datetime>
	Heading string // Wednesday 17 November 2021
	// Sessions of the day. The page lists them in the order it lists days
	// in the section: ascending for upcoming, descending for past.
	Sessions []sessionView
}

// whenView is a session's time as shown in its own zone. A timed
// session's StartText begins with its date ("Wed 17 Nov, 20:00") when that
// date in its zone is not the date of the heading it is shown under: the
// day headings are in the series' zone, so a session in another zone can
// fall on another date there.
type whenView struct {
	AllDay bool
	// Timed sessions: <time datetime=StartUTC>StartText</time>Sep<time
	// datetime=EndUTC>EndText</time> Abbrev. Abbrev is empty when start and
	// end need their own (a change of offset or of day in between).
	StartUTC, EndUTC   string
	StartText, EndText string
	Sep                string
	Abbrev             string
	Zone               string // IANA name, for the local-time script
	// All-day sessions: dates only.
	StartDate, EndDate         string // YYYY-MM-DD
	StartDateText, EndDateText string // EndDate* empty for a one-day session
}

type sessionView struct {
	Key        string
	Title      string
	Lang       string // of its title and description, when not uiLang
	Cancelled  bool
	Tentative  bool
	When       whenView
	Groups     []peopleGroup
	Venue      string
	Address    string
	OnlineURL  string
	URL        string
	Paragraphs []string
	Tags       []string
	// The links this package builds, as whole href attributes (see
	// hrefAttr). Google and Outlook are empty for cancelled sessions:
	// nothing to add.
	ICS, Google, Outlook template.HTMLAttr
}

type peopleGroup struct {
	Label  string
	People []personView
}

type personView struct {
	Name, Affiliation, URL string
}

type postView struct {
	ID        string
	Title     string
	Date      string // YYYY-MM-DD
	DateText  string
	Updated   string
	UpdatedAt string
	Author    string
	Summary   string
	Body      template.HTML // sanitised by the store when the post was written
	URL       string

	published time.Time // for sorting: Date alone does not order one day's posts
}

type indexView struct {
	Assets    assets
	Head      headView
	SiteName  string
	Subscribe subscribeView
	Series    []indexEntry
}

type indexEntry struct {
	Slug      string
	Title     string
	Lang      string
	Summary   string
	PageURL   string
	Subscribe subscribeView
	Next      *nextView
}

type nextView struct {
	Lang    string // of its title, when not uiLang
	Title   string
	URL     string
	Day     string
	DayText string
	When    whenView
}

// session is a session with its resolved interval.
type session struct {
	s          *agenda.Session
	start, end time.Time // in the session's zone
	day        agenda.Date
}

// pageScratch is the memory a series page's view is built in. The Renderer
// keeps it between pages: a pass renders a thousand of them, each with ~100
// session views, their people, paragraphs and links, and the next page
// reuses the arrays of the last instead of allocating (and having the GC
// scan) its own. The view points into it, so it is reused only once its
// page is written.
type pageScratch struct {
	links    linkArena
	sessions []session // resolved, in start order
	split    []session // the same, upcoming then past
	days     []dayView
	views    []sessionView
	people   []personView
	groups   []peopleGroup
	paras    []string
}

// release drops what the last page's view pointed to, so that a kept
// scratch does not keep a snapshot alive.
func (sc *pageScratch) release() {
	clear(sc.sessions[:cap(sc.sessions)])
	clear(sc.split[:cap(sc.split)])
	clear(sc.days[:cap(sc.days)])
	clear(sc.views[:cap(sc.views)])
	clear(sc.people[:cap(sc.people)])
	clear(sc.groups[:cap(sc.groups)])
	clear(sc.paras[:cap(sc.paras)])
}

// buildSeriesView makes the view of a series page in sc (emptied first):
// the view points into it, so sc must not be reused until the page is
// rendered.
func buildSeriesView(snap agenda.Snapshot, opts Options, zones *agenda.Zones, sc *pageScratch) (*seriesView, error) {
	sr := &snap.Series
	if sr.Slug == "" || sr.Title == "" {
		return nil, fmt.Errorf("series needs a slug and a title")
	}
	l := opts.Layout
	seriesLoc, err := zones.Load(sr.Zone)
	if err != nil {
		return nil, fmt.Errorf("series zone: %w", err)
	}
	sessions, err := resolveSessionsIn(sc.sessions[:0], snap.Sessions, seriesLoc, zones)
	if err != nil {
		return nil, err
	}
	sc.sessions = sessions
	paras := paragraphs(sr.Description)
	pageURL := l.SeriesURL(sr.Slug, feeds.Page)
	v := &seriesView{
		Head: headView{
			Lang:        uiLang,
			Title:       sr.Title,
			Description: summary(paras),
			Canonical:   pageURL,
			SiteName:    opts.siteTitle(),
		},
		Lang:       contentLang(sr.Language),
		Title:      sr.Title,
		Paragraphs: paras,
		Homepage:   sr.Homepage,
		Organizer:  sr.Organizer.Name,
		IndexURL:   l.SeriesURL("", feeds.Page),
		SiteName:   opts.siteTitle(),
		Subscribe:  subscribeLinks(l, sr.Slug, sr.Title),
	}
	v.Head.Feeds = v.Subscribe
	split := sc.split[:0]
	for _, s := range sessions {
		if s.end.After(opts.AsOf) {
			split = append(split, s)
		}
	}
	nUpcoming := len(split)
	for _, s := range sessions {
		if !s.end.After(opts.AsOf) {
			split = append(split, s)
		}
	}
	sc.split = split
	people := 0
	for _, s := range sessions {
		people += len(s.s.People)
	}
	sc.links.reset(len(sessions), l, sr.Slug)
	sc.days = sc.days[:0]
	sc.views = slices.Grow(sc.views[:0], len(sessions))
	sc.people = slices.Grow(sc.people[:0], people)
	sc.groups = slices.Grow(sc.groups[:0], people)
	sc.paras = sc.paras[:0]
	v.Upcoming = sc.groupDays(split[:nUpcoming:nUpcoming], false, l, sr.Language)
	v.Past = sc.groupDays(split[nUpcoming:], true, l, sr.Language)
	sc.links.assign(v.Upcoming, v.Past)
	// A day with sessions over and sessions to come has a heading in both
	// sections; the past one's id gets a suffix so that ids stay unique
	// (and the upcoming one keeps the id it had before the day began).
	for i := range v.Past {
		for j := range v.Upcoming {
			if v.Upcoming[j].Date == v.Past[i].Date {
				v.Past[i].ID += "-past"
				break
			}
		}
	}
	if len(snap.Posts) > 0 {
		// Relative links in a post resolve against this page in the
		// page as in every feed (see markup.ResolveURLs), so that the
		// page's copy and a feed reader's agree.
		base, err := url.Parse(pageURL)
		if err != nil {
			return nil, fmt.Errorf("page URL: %w", err)
		}
		for i := range snap.Posts {
			v.Posts = append(v.Posts, postOf(&snap.Posts[i], seriesLoc, base))
		}
	}
	// The snapshot orders posts newest first already; sort again so that
	// the page does not depend on it, in the order of the store and the
	// feeds: newest published first, then by ID.
	slices.SortFunc(v.Posts, func(a, b postView) int {
		if c := b.published.Compare(a.published); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return v, nil
}

// resolveSessions computes every session's interval and its day: a timed
// session's in the series' zone, an all-day session's own start date (a
// date, not an instant, is the same in every zone). It sorts by start, then
// key; groupDays sorts by day.
func resolveSessions(in []agenda.Session, seriesLoc *time.Location) ([]session, error) {
	return resolveSessionsIn(nil, in, seriesLoc, &agenda.Zones{})
}

// resolveSessionsIn is resolveSessions with zones loaded through a cache,
// appending to out.
func resolveSessionsIn(out []session, in []agenda.Session, seriesLoc *time.Location, zones *agenda.Zones) ([]session, error) {
	out = slices.Grow(out, len(in))
	// Sessions of a series share a few zones; loading a zone reads the
	// zone database, so load each once (session.Interval would load it per
	// session).
	var lastName string
	var last *time.Location
	for i := range in {
		s := &in[i]
		loc := last
		if last == nil || s.Zone != lastName {
			var err error
			if loc, err = zones.Load(s.Zone); err != nil {
				return nil, fmt.Errorf("session %q: zone: %w", s.Key, err)
			}
			lastName, last = s.Zone, loc
		}
		start, end, err := interval(s, loc)
		if err != nil {
			return nil, err
		}
		day := agenda.DateOf(start.In(seriesLoc))
		if s.AllDay {
			day = s.StartDate
		}
		out = append(out, session{s: s, start: start, end: end, day: day})
	}
	slices.SortStableFunc(out, func(a, b session) int {
		if c := a.start.Compare(b.start); c != 0 {
			return c
		}
		return cmp.Compare(a.s.Key, b.s.Key)
	})
	return out, nil
}

// interval is agenda.Session.Interval with the zone already loaded.
func interval(s *agenda.Session, loc *time.Location) (start, end time.Time, err error) {
	if s.AllDay {
		return s.StartDate.Time(loc), s.EndDate.AddDays(1).Time(loc), nil
	}
	if start, err = s.Start.In(loc); err != nil {
		return start, end, fmt.Errorf("session %q: start: %w", s.Key, err)
	}
	if end, err = s.End.In(loc); err != nil {
		return start, end, fmt.Errorf("session %q: end: %w", s.Key, err)
	}
	return start, end, nil
}

// groupDays groups sessions by day, in date order, each day once. Within
// a day all-day sessions come first, then by start and key. Past sections
// run newest first, days and the sessions within them alike. It sorts ss,
// which is the scratch's own, in place.
func (sc *pageScratch) groupDays(ss []session, newestFirst bool, l feeds.Layout, seriesLang string) []dayView {
	// Start order is not day order: an all-day session in Auckland on the
	// 18th starts on the 17th in Madrid, before a Madrid session of that
	// afternoon.
	slices.SortFunc(ss, func(a, b session) int {
		if c := compareDates(a.day, b.day); c != 0 {
			return c
		}
		if a.s.AllDay != b.s.AllDay {
			if a.s.AllDay {
				return -1
			}
			return 1
		}
		if c := a.start.Compare(b.start); c != 0 {
			return c
		}
		return cmp.Compare(a.s.Key, b.s.Key)
	})
	if newestFirst {
		slices.Reverse(ss)
	}
	// The days' sessions are consecutive parts of one array: a page of
	// 100 sessions makes 100 views, not one growing slice per day.
	views := sc.views
	base, firstDay := len(views), len(sc.days)
	days := sc.days
	var day agenda.Date
	from := 0
	for i, s := range ss {
		if i == 0 || s.day != day {
			if i > 0 {
				days[len(days)-1].Sessions = views[base+from : base+i : base+i]
			}
			day, from = s.day, i
			days = append(days, dayOf(day))
		}
		views = append(views, sc.sessionOf(s, l, seriesLang))
	}
	if len(days) > firstDay {
		days[len(days)-1].Sessions = views[base+from : len(views) : len(views)]
	}
	sc.views, sc.days = views, days
	if len(days) == firstDay {
		return nil
	}
	return days[firstDay:len(days):len(days)]
}

// dayOf is the heading of a day, without its sessions.
func dayOf(day agenda.Date) dayView {
	if day.IsZero() || day.Year < 0 || day.Year > 9999 {
		// Not a date appendDayHeading writes as Date.String does (and
		// not one a session has once validated).
		ds := day.String()
		return dayView{ID: "day_" + ds, Date: ds, Heading: day.Time(time.UTC).Format("Monday 2 January 2006")}
	}
	// One string for the id, the date and the heading.
	var b [48]byte
	t := day.Time(time.UTC)
	s := string(appendDayHeading(appendDate(append(b[:0], "day_"...), t, false), t))
	const idLen = len("day_2006-01-02")
	return dayView{ID: s[:idLen], Date: s[len("day_"):idLen], Heading: s[idLen:]}
}

// compareDates orders dates; they come from DateOf and ParseDate, so their
// fields are normalised.
func compareDates(a, b agenda.Date) int {
	if c := cmp.Compare(a.Year, b.Year); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Month, b.Month); c != 0 {
		return c
	}
	return cmp.Compare(a.Day, b.Day)
}

// sessionOf makes a session's view; its links go to sc.links, and
// sc.links.assign sets them once every session is made.
func (sc *pageScratch) sessionOf(x session, l feeds.Layout, seriesLang string) sessionView {
	s := x.s
	v := sessionView{
		Key:       s.Key,
		Title:     s.Title,
		Cancelled: s.Status == agenda.StatusCancelled,
		Tentative: s.Status == agenda.StatusTentative,
		When:      whenOf(x, x.day),
		Groups:    sc.groupPeople(s.People),
		Venue:     s.Venue,
		Address:   s.Address,
		OnlineURL: s.OnlineURL,
		URL:       s.URL,
		Tags:      s.Tags,
	}
	from := len(sc.paras)
	if sc.paras = appendParagraphs(sc.paras, s.Description); len(sc.paras) > from {
		v.Paragraphs = sc.paras[from:len(sc.paras):len(sc.paras)]
	}
	v.Lang = contentLang(cmp.Or(s.Language, seriesLang))
	sc.links.add(x, l, !v.Cancelled)
	return v
}

// whenOf makes a session's time as shown under the date day.
func whenOf(x session, day agenda.Date) whenView {
	s := x.s
	if s.AllDay {
		w := whenView{AllDay: true, StartDate: s.StartDate.String(), StartDateText: longDate(s.StartDate)}
		if s.EndDate != s.StartDate {
			w.EndDate, w.EndDateText = s.EndDate.String(), longDate(s.EndDate)
		}
		return w
	}
	st, en := x.start, x.end
	stZone, enZone := zoneAbbrev(st), zoneAbbrev(en)
	sameDay := agenda.DateOf(st) == agenda.DateOf(en)
	// Both instants and both texts are parts of one string.
	var buf [96]byte
	b := appendStamp(buf[:0], st, false)
	endUTC := len(b)
	b = appendStamp(b, en, false)
	startText := len(b)
	if agenda.DateOf(st) != day {
		b = append(st.AppendFormat(b, "Mon 2 Jan"), ", "...)
	}
	b = appendClock(b, st)
	if !sameDay || stZone != enZone {
		b = append(append(b, ' '), stZone...)
	}
	endText := len(b)
	switch {
	case !sameDay:
		b = en.AppendFormat(b, "Monday 2 January 2006, 15:04 MST")
	case stZone != enZone:
		b = append(append(appendClock(b, en), ' '), enZone...)
	default:
		b = appendClock(b, en)
	}
	all := string(b)
	w := whenView{
		StartUTC: all[:endUTC], EndUTC: all[endUTC:startText],
		StartText: all[startText:endText], EndText: all[endText:],
		Sep: "–", Abbrev: stZone, Zone: s.Zone,
	}
	switch {
	case !sameDay:
		w.Sep, w.Abbrev = " – ", ""
	case stZone != enZone:
		w.Abbrev = ""
	}
	return w
}

func longDate(d agenda.Date) string { return d.Time(time.UTC).Format("2 January 2006") }

// roleLabel names a role's group, in the words of every output
// (agenda.RoleLabel).
func roleLabel(r agenda.Role, n int) string {
	if n == 1 {
		return agenda.RoleLabel(r)
	}
	return agenda.RoleLabelPlural(r)
}

// groupPeople groups participants by role. Groups come in the order their
// roles first appear and people keep their display order: the organiser
// lists the moderator first, the opening presenter before the panel. The
// groups and their people are parts of the scratch's arrays.
func (sc *pageScratch) groupPeople(ps []agenda.Participant) []peopleGroup {
	if len(ps) == 0 {
		return nil
	}
	var roles [8]agenda.Role // room for the usual few roles without allocating
	order := roles[:0]
	for _, p := range ps {
		if !slices.Contains(order, p.Role) {
			order = append(order, p.Role)
		}
	}
	people, groups := sc.people, sc.groups
	firstGroup := len(groups)
	for _, r := range order {
		from := len(people)
		for _, p := range ps {
			if p.Role == r {
				people = append(people, personView{Name: p.Name, Affiliation: p.Affiliation, URL: p.URL})
			}
		}
		g := people[from:len(people):len(people)]
		groups = append(groups, peopleGroup{Label: roleLabel(r, len(g)), People: g})
	}
	sc.people, sc.groups = people, groups
	return groups[firstGroup:len(groups):len(groups)]
}

func postOf(p *agenda.Post, loc *time.Location, base *url.URL) postView {
	pub := p.Published.In(loc)
	v := postView{
		ID:       p.ID,
		Title:    p.Title,
		Date:     pub.Format("2006-01-02"),
		DateText: pub.Format("2 January 2006"),
		Author:   p.Author,
		Summary:  p.Summary,
		// The one field inserted as HTML: the store sanitised it, and
		// resolving its links only rewrites URL attributes.
		Body:      template.HTML(markup.ResolveURLs(p.BodyHTML, base)),
		URL:       p.URL,
		published: p.Published,
	}
	if up := p.Updated.In(loc); !p.Updated.IsZero() && up.Format("2006-01-02") != v.Date {
		v.UpdatedAt, v.Updated = up.Format("2006-01-02"), up.Format("2 January 2006")
	}
	if p.BodyHTML != "" {
		v.Summary = "" // the body says it all
	}
	return v
}

// paragraphs splits plain text on blank lines (lines holding only white
// space count as blank). Single line breaks stay in the text; the style sheet
// shows them (white-space: pre-line).
func paragraphs(text string) []string { return appendParagraphs(nil, text) }

// appendParagraphs appends text's paragraphs to out. A paragraph is lines
// joined by "\n", each without a "\r" before its "\n" and without spaces
// and tabs at its end; unless one of its lines had such an end, that is a
// part of text, and it is not copied.
func appendParagraphs(out []string, text string) []string {
	start, end := -1, 0 // the paragraph so far is text[start:end], or joined
	var joined []byte
	flush := func() {
		switch {
		case joined != nil:
			out, joined = append(out, string(joined)), nil
		case start >= 0:
			out = append(out, text[start:end])
		}
		start = -1
	}
	for from := 0; from <= len(text); {
		to := strings.IndexByte(text[from:], '\n')
		next := from + to + 1
		if to < 0 {
			to, next = len(text), len(text)+1
		} else {
			to += from
		}
		line := text[from:to]
		if to < len(text) {
			line = strings.TrimSuffix(line, "\r")
		}
		if strings.TrimSpace(line) == "" {
			flush()
			from = next
			continue
		}
		for n := len(line); n > 0 && (line[n-1] == ' ' || line[n-1] == '\t'); n-- {
			line = line[:n-1]
		}
		switch {
		case start < 0:
			start, end = from, from+len(line)
		case joined == nil && end == from-1:
			// The previous line ended at its "\n": text has the join.
			end = from + len(line)
		default:
			if joined == nil {
				joined = append([]byte(nil), text[start:end]...)
			}
			joined = append(append(joined, '\n'), line...)
		}
		from = next
	}
	flush()
	return out
}

// summary is the first paragraph on one line, cut to about 200 characters
// at a word boundary, for meta descriptions and the index.
func summary(paras []string) string {
	if len(paras) == 0 {
		return ""
	}
	return truncate(strings.Join(strings.Fields(paras[0]), " "), 200)
}

// truncate cuts s to at most max runes, at a space when there is one in the
// last fifth, adding an ellipsis.
func truncate(s string, max int) string {
	if head, cut := cutText(s, max); cut {
		return head + "…"
	}
	return s
}

// cutText is truncate without the ellipsis (head is s when it fits, and cut
// false), so that a caller that writes it piece by piece does not allocate.
func cutText(s string, max int) (head string, cut bool) {
	if len(s) <= max || utf8.RuneCountInString(s) <= max {
		return s, false
	}
	end, n := 0, 0
	for end < len(s) && n < max-1 {
		_, size := utf8.DecodeRuneInString(s[end:])
		end += size
		n++
	}
	head = s[:end]
	if i := strings.LastIndexByte(head, ' '); i > len(head)*4/5 {
		head = head[:i]
	}
	return strings.TrimRight(head, " ,;:."), true
}

// uiLang is the language of the pages' own words: headings, labels, links.
const uiLang = "en"

// contentLang is the lang attribute for text in language lang: none when
// it is the interface's, which <html lang> already says.
func contentLang(lang string) string {
	if lang == "" || lang == uiLang {
		return ""
	}
	return lang
}

func buildIndexView(snaps []agenda.Snapshot, opts Options, zones *agenda.Zones) (*indexView, error) {
	l := opts.Layout
	site := opts.siteTitle()
	v := &indexView{
		Head: headView{
			Lang:        uiLang,
			Title:       site,
			Description: "Agendas, calendars and news feeds of every series on " + site + ".",
			Canonical:   l.SeriesURL("", feeds.Page),
			SiteName:    site,
		},
		SiteName:  site,
		Subscribe: subscribeLinks(l, "", site),
	}
	v.Subscribe.OPML = l.SeriesURL("", feeds.OPML)
	v.Head.Feeds = subscribeLinks(l, "", "All series")
	for i := range snaps {
		sr := &snaps[i].Series
		if sr.Slug == "" || sr.Title == "" {
			return nil, fmt.Errorf("series %d needs a slug and a title", i)
		}
		seriesLoc, err := zones.Load(sr.Zone)
		if err != nil {
			return nil, fmt.Errorf("series %q: zone: %w", sr.Slug, err)
		}
		sessions, err := resolveSessionsIn(nil, snaps[i].Sessions, seriesLoc, zones)
		if err != nil {
			return nil, fmt.Errorf("series %q: %w", sr.Slug, err)
		}
		e := indexEntry{
			Slug:      sr.Slug,
			Title:     sr.Title,
			Lang:      contentLang(sr.Language),
			Summary:   summary(paragraphs(sr.Description)),
			PageURL:   l.SeriesURL(sr.Slug, feeds.Page),
			Subscribe: subscribeLinks(l, sr.Slug, sr.Title),
		}
		// The next session is the first upcoming one that still takes place.
		for _, s := range sessions {
			if s.end.After(opts.AsOf) && s.s.Status != agenda.StatusCancelled {
				// No day headings here: the date beside the time is the
				// session's own, in its zone (the day in the series'
				// zone could be another).
				day := s.day
				if !s.s.AllDay {
					day = agenda.DateOf(s.start)
				}
				e.Next = &nextView{
					Lang:    contentLang(cmp.Or(s.s.Language, sr.Language)),
					Title:   s.s.Title,
					URL:     l.SessionAnchor(sr.Slug, s.s.Key),
					Day:     day.String(),
					DayText: day.Time(time.UTC).Format("Monday 2 January 2006"),
					When:    whenOf(s, day),
				}
				break
			}
		}
		v.Series = append(v.Series, e)
	}
	// Series have no natural order: list them by title, then slug.
	slices.SortStableFunc(v.Series, func(a, b indexEntry) int {
		if c := cmp.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title)); c != 0 {
			return c
		}
		return cmp.Compare(a.Slug, b.Slug)
	})
	return v, nil
}
