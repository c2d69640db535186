package agenda

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Length limits, in characters. Generous for real agendas, small enough that
// one bad input cannot bloat every calendar subscriber's download.
const (
	MaxSlug        = 64
	MaxTitle       = 300
	MaxDescription = 20000
	MaxName        = 200
	MaxAffiliation = 400
	MaxURL         = 2048
	MaxVenue       = 300
	MaxAddress     = 500
	MaxTag         = 64
	MaxTags        = 30
	MaxPeople      = 200
	MaxReminders   = 10
	MaxReminder    = 4 * 7 * 24 * time.Hour
	MaxSummary     = 2000
	MaxBody        = 200000
	// MaxBodyNesting bounds the quote and list markers that open one line
	// of a post body ("> > - x" is three). goldmark's time grows with the
	// square of that depth: a 200,000-character body of "> " took over a
	// minute to render on save. Prose nests a handful of levels.
	MaxBodyNesting = 100
	MaxLanguage    = 35
	MaxEmail       = 254
	MaxZone        = 64
)

// Patterns of slugs (series slugs, session keys, post ids) and language
// tags, in a syntax Go, ECMA-262 and JSON Schema read alike, so that the
// API's OpenAPI document states the very rules enforced here.
const (
	SlugPattern = `^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$`
	// A practical subset of BCP 47: language, optional script, region and variants.
	LanguagePattern = `^[A-Za-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*$`
	// MaxUID bounds a session's UID, in bytes.
	MaxUID = 255
)

var (
	slugRE = regexp.MustCompile(SlugPattern)
	langRE = regexp.MustCompile(LanguagePattern)
	// After its first letter or digit a tag may hold combining marks
	// (Devanagari vowel signs: "हिंदी") and modifier letters (the Japanese
	// long-vowel mark: "ラーメン").
	tagRE = regexp.MustCompile(`^[\p{Ll}\p{Lo}\p{N}][\p{Ll}\p{Lo}\p{Lm}\p{M}\p{N} ._+#-]*$`)
)

// NormalizeText turns CRLF and lone CR into LF, and text into Unicode NFC.
// Every way in calls it before validation, so a file saved on Windows is
// accepted and no CR ever reaches a calendar, where it could start a new
// property; and "José" typed on a Mac (decomposed, NFD) is the same
// speaker, tag or title as "José" pasted from a web page (NFC), rather than
// a second person with an identical-looking name.
func NormalizeText(s string) string {
	if strings.Contains(s, "\r") {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	}
	return norm.NFC.String(s) // s itself when already NFC (all ASCII is)
}

// NormalizeName is NormalizeLine with runs of white space inside made one
// space: people are matched by name, and "Emilia  Saiz" is nobody else than
// "Emilia Saiz". Whatever looks a person up by name (a calendar's
// ?speaker=) normalises it the same way.
func NormalizeName(s string) string { return strings.Join(strings.Fields(NormalizeText(s)), " ") }

// NormalizeLine trims a one-line field.
func NormalizeLine(s string) string { return strings.TrimSpace(NormalizeText(s)) }

// NormalizeTag is one tag as NormalizeTags stores it: NFC, trimmed and
// lower-cased. Whatever looks sessions up by tag (a calendar's ?tag=)
// normalises it the same way.
func NormalizeTag(t string) string { return strings.ToLower(NormalizeLine(t)) }

// NormalizeTags lower-cases, trims, sorts and de-duplicates tags.
func NormalizeTags(tags []string) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		out = append(out, NormalizeTag(t))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Normalize cleans white space and line ends of a series in place.
func (s *Series) Normalize() {
	s.Slug = strings.TrimSpace(s.Slug)
	s.Title = NormalizeLine(s.Title)
	s.Description = strings.TrimSpace(NormalizeText(s.Description))
	s.Homepage = strings.TrimSpace(s.Homepage)
	s.Zone = strings.TrimSpace(s.Zone)
	s.Language = strings.TrimSpace(s.Language)
	s.Organizer.Name = NormalizeLine(s.Organizer.Name)
	s.Organizer.Email = strings.TrimSpace(s.Organizer.Email)
	// Copy before sorting: the caller's slice may be shared (a config default).
	s.Reminders = slices.Compact(slices.Sorted(slices.Values(s.Reminders)))
}

// Validate checks a normalised series.
func (s *Series) Validate() error {
	var es Errors
	checkSeriesSlug(&es, "slug", s.Slug)
	checkRequiredLine(&es, "title", s.Title, MaxTitle)
	checkText(&es, "description", s.Description, MaxDescription)
	checkURL(&es, "homepage", s.Homepage, false)
	checkZone(&es, "zone", s.Zone, true)
	checkLanguage(&es, "language", s.Language, true)
	checkReminders(&es, "reminders", s.Reminders)
	checkLine(&es, "organizer.name", s.Organizer.Name, MaxName)
	if s.Organizer.Email != "" {
		checkEmail(&es, "organizer.email", s.Organizer.Email)
	}
	return es.Err()
}

// Normalize cleans white space, line ends and tags of a session in place and
// fills the zone and language from the series when they are empty.
func (s *Session) Normalize(series *Series) {
	s.Key = strings.TrimSpace(s.Key)
	s.Title = NormalizeLine(s.Title)
	s.Description = strings.TrimSpace(NormalizeText(s.Description))
	s.Zone = strings.TrimSpace(s.Zone)
	s.Venue = NormalizeLine(s.Venue)
	s.Address = strings.TrimSpace(NormalizeText(s.Address))
	s.OnlineURL = strings.TrimSpace(s.OnlineURL)
	s.URL = strings.TrimSpace(s.URL)
	s.Language = strings.TrimSpace(s.Language)
	s.Status = Status(strings.ToLower(strings.TrimSpace(string(s.Status))))
	if s.Status == "" {
		s.Status = StatusConfirmed
	}
	if series != nil {
		if s.Zone == "" {
			s.Zone = series.Zone
		}
		if s.Language == "" {
			s.Language = series.Language
		}
		if s.Series == "" {
			s.Series = series.Slug
		}
	}
	// Normalise a copy: the caller's slice may back another session.
	s.People = slices.Clone(s.People)
	for i := range s.People {
		p := &s.People[i]
		p.Name = NormalizeName(p.Name)
		p.Affiliation = NormalizeLine(p.Affiliation)
		p.URL = strings.TrimSpace(p.URL)
		p.Role = Role(strings.ToLower(strings.TrimSpace(string(p.Role))))
		if p.Role == "" {
			p.Role = RoleSpeaker
		}
	}
	s.Tags = NormalizeTags(s.Tags)
}

// Validate checks a normalised session. It resolves the wall times in the
// zone, so a time in a DST gap or fold is rejected here, at the edge.
func (s *Session) Validate() error {
	var es Errors
	checkSlug(&es, "series", s.Series)
	checkSlug(&es, "key", s.Key)
	if s.UID != "" {
		checkUID(&es, "uid", s.UID)
	}
	checkRequiredLine(&es, "title", s.Title, MaxTitle)
	checkText(&es, "description", s.Description, MaxDescription)
	loc := checkZone(&es, "zone", s.Zone, true)
	if s.AllDay {
		if !s.Start.IsZero() || !s.End.IsZero() {
			es.addRefs("start", s.Start.Text(), []string{"start_date", "end_date", "start", "end"}, "an all-day session takes start_date and end_date, not start and end times")
		}
		switch {
		case s.StartDate.IsZero():
			es.add("start_date", "", "required for an all-day session: a date as YYYY-MM-DD")
		case s.EndDate.IsZero():
			es.addRefs("end_date", "", []string{"start_date"}, "required for an all-day session: a date as YYYY-MM-DD, on or after start_date %s", s.StartDate)
		case s.EndDate.Before(s.StartDate):
			es.addRefs("end_date", s.EndDate.String(), []string{"start_date"}, "expected a date on or after start_date %s", s.StartDate)
		case s.EndDate.Time(time.UTC).Sub(s.StartDate.Time(time.UTC)) > 366*24*time.Hour:
			es.addRefs("end_date", s.EndDate.String(), []string{"start_date"}, "expected at most 366 days after start_date %s", s.StartDate)
		}
	} else {
		var start, end time.Time
		var okStart, okEnd bool
		if s.Start.IsZero() {
			es.add("start", "", "required: a local date and time as YYYY-MM-DDTHH:MM")
		} else if loc != nil {
			start, okStart = resolve(&es, "start", s.Start, loc)
		}
		if s.End.IsZero() {
			es.addRefs("end", "", []string{"start"}, "required: a local date and time as YYYY-MM-DDTHH:MM, after start")
		} else if loc != nil {
			end, okEnd = resolve(&es, "end", s.End, loc)
		}
		if okStart && okEnd {
			switch {
			case !end.After(start):
				es.addRefs("end", s.End.Text(), []string{"start"}, "expected a time after start %s", s.Start.Text())
			// Days as the clocks on the wall count them: a year that
			// crosses a DST change is not an hour more or less than 366.
			case s.End.Clock().Sub(s.Start.Clock()) > 366*24*time.Hour:
				es.addRefs("end", s.End.Text(), []string{"start"}, "expected at most 366 days after start %s", s.Start.Text())
			}
		}
		if !s.StartDate.IsZero() || !s.EndDate.IsZero() {
			es.addRefs("start_date", s.StartDate.String(), []string{"all_day: true", "start", "end"}, "only all-day sessions take dates; set all_day: true or use start and end times")
		}
	}
	for _, w := range []struct {
		name string
		t    WallTime
	}{{"start", s.Start}, {"end", s.End}} {
		if !w.t.IsZero() && (w.t.clock.Year() < 1900 || w.t.clock.Year() > 2200) {
			es.add(w.name, w.t.Text(), "expected a year between 1900 and 2200")
		}
	}
	for _, d := range []struct {
		name string
		d    Date
	}{{"start_date", s.StartDate}, {"end_date", s.EndDate}} {
		if !d.d.IsZero() && (d.d.Year < 1900 || d.d.Year > 2200) {
			es.add(d.name, d.d.String(), "expected a year between 1900 and 2200")
		}
	}
	checkLine(&es, "venue", s.Venue, MaxVenue)
	checkText(&es, "address", s.Address, MaxAddress)
	checkURL(&es, "online_url", s.OnlineURL, false)
	checkURL(&es, "url", s.URL, false)
	if !slices.Contains(statuses, s.Status) {
		es.add("status", string(s.Status), "expected one of %s", joinStrings(statuses))
	}
	checkLanguage(&es, "language", s.Language, false)
	if len(s.Tags) > MaxTags {
		es.add("tags", fmt.Sprint(len(s.Tags)), "expected at most %d tags", MaxTags)
	}
	for i, t := range s.Tags {
		f := fmt.Sprintf("tags[%d]", i)
		if utf8.RuneCountInString(t) > MaxTag {
			es.add(f, t, "expected at most %d characters", MaxTag)
		} else if !tagRE.MatchString(t) {
			es.add(f, t, "expected letters, digits, spaces and . _ + # - only, starting with a letter or digit")
		}
	}
	if len(s.People) > MaxPeople {
		es.add("people", fmt.Sprint(len(s.People)), "expected at most %d people", MaxPeople)
	}
	seen := map[string]int{}
	for i, p := range s.People {
		f := fmt.Sprintf("people[%d]", i)
		checkRequiredLine(&es, f+".name", p.Name, MaxName)
		checkLine(&es, f+".affiliation", p.Affiliation, MaxAffiliation)
		checkURL(&es, f+".url", p.URL, false)
		if !slices.Contains(roles, p.Role) {
			es.add(f+".role", string(p.Role), "expected one of %s", joinStrings(roles))
		}
		if j, dup := seen[p.Name]; dup && p.Name != "" {
			es.add(f+".name", p.Name, "already listed as people[%d]; list each person once per session", j)
		}
		seen[p.Name] = i
	}
	return es.Err()
}

// Interval returns the session's start and end instants. For an all-day
// session they are midnight of the first day and midnight after the last
// day, in the session's zone. It assumes a validated session.
func (s *Session) Interval() (start, end time.Time, err error) {
	loc, err := LoadZone(s.Zone)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("session %q: zone %q: %w", s.Key, s.Zone, err)
	}
	if s.AllDay {
		return s.StartDate.Time(loc), s.EndDate.AddDays(1).Time(loc), nil
	}
	if start, err = s.Start.In(loc); err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("session %q: start: %w", s.Key, err)
	}
	if end, err = s.End.In(loc); err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("session %q: end: %w", s.Key, err)
	}
	return start, end, nil
}

// Normalize cleans a post in place and fills its series.
func (p *Post) Normalize(series *Series) {
	p.ID = strings.TrimSpace(p.ID)
	p.Title = NormalizeLine(p.Title)
	p.Summary = strings.TrimSpace(NormalizeText(p.Summary))
	p.Body = strings.TrimSpace(NormalizeText(p.Body))
	p.Author = NormalizeLine(p.Author)
	p.URL = strings.TrimSpace(p.URL)
	p.SessionKey = strings.TrimSpace(p.SessionKey)
	if series != nil && p.Series == "" {
		p.Series = series.Slug
	}
}

// Validate checks a normalised post.
func (p *Post) Validate() error {
	var es Errors
	checkSlug(&es, "id", p.ID)
	checkSlug(&es, "series", p.Series)
	checkRequiredLine(&es, "title", p.Title, MaxTitle)
	checkText(&es, "summary", p.Summary, MaxSummary)
	checkText(&es, "body", p.Body, MaxBody)
	checkNesting(&es, "body", p.Body, MaxBodyNesting)
	checkLine(&es, "author", p.Author, MaxName)
	checkURL(&es, "url", p.URL, false)
	if p.Published.IsZero() {
		es.add("published", "", "required: a date and time with offset, e.g. 2020-11-23T10:00:00+01:00")
	}
	for _, t := range []struct {
		name string
		t    time.Time
	}{{"published", p.Published}, {"updated", p.Updated}} {
		if !t.t.IsZero() && (t.t.Year() < 1900 || t.t.Year() > 2200) {
			es.add(t.name, t.t.Format(time.RFC3339), "expected a year between 1900 and 2200")
		}
	}
	if !p.Updated.IsZero() && p.Updated.Before(p.Published) {
		es.addRefs("updated", p.Updated.Format(time.RFC3339), []string{"published"}, "expected a time on or after published %s", p.Published.Format(time.RFC3339))
	}
	if p.SessionKey != "" {
		checkSlug(&es, "session", p.SessionKey)
	}
	return es.Err()
}

// Normalize cleans a person in place.
func (p *Person) Normalize() {
	p.Name = NormalizeName(p.Name)
	p.Affiliation = NormalizeLine(p.Affiliation)
	p.URL = strings.TrimSpace(p.URL)
}

// Validate checks a normalised person.
func (p *Person) Validate() error {
	var es Errors
	checkRequiredLine(&es, "name", p.Name, MaxName)
	checkLine(&es, "affiliation", p.Affiliation, MaxAffiliation)
	checkURL(&es, "url", p.URL, false)
	return es.Err()
}

// ValidSlug reports whether s is a valid series slug or key.
func ValidSlug(s string) bool { return slugRE.MatchString(s) }

// ReservedSlugs are the top-level names the server uses for itself, so no
// series may take them.
var reservedSlugs = []string{"api", "healthz", "metrics", "assets", "sessions"}

func checkSeriesSlug(es *Errors, field, v string) {
	checkSlug(es, field, v)
	if slices.Contains(reservedSlugs, v) {
		es.add(field, v, "is reserved for the server; choose another slug")
	}
}

func checkSlug(es *Errors, field, v string) {
	switch {
	case v == "":
		es.add(field, v, "required: 1-%d characters of a-z, 0-9 and '-'", MaxSlug)
	case len(v) > MaxSlug || !slugRE.MatchString(v):
		es.add(field, v, "expected 1-%d characters of a-z, 0-9 and '-', not starting or ending with '-'", MaxSlug)
	}
}

func checkUID(es *Errors, field, v string) {
	if len(v) > MaxUID || strings.ContainsAny(v, " \t\n\r,;:\"\\<>") || !strings.Contains(v, "@") || hasControl(v, false) {
		es.add(field, v, "expected a UID such as 0f8fad5b-d9cb-469f-a165-70867728950e@example.org, without spaces or , ; : \" \\ < >")
	}
}

func checkRequiredLine(es *Errors, field, v string, max int) {
	if v == "" {
		es.add(field, v, "required: 1-%d characters on one line", max)
		return
	}
	checkLine(es, field, v, max)
}

func checkLine(es *Errors, field, v string, max int) {
	switch {
	case !utf8.ValidString(v):
		es.add(field, v, "expected valid UTF-8 text")
	case utf8.RuneCountInString(v) > max:
		es.add(field, v, "expected at most %d characters", max)
	case hasControl(v, false):
		es.add(field, v, "expected one line of text without control characters")
	}
}

func checkText(es *Errors, field, v string, max int) {
	switch {
	case !utf8.ValidString(v):
		es.add(field, v, "expected valid UTF-8 text")
	case utf8.RuneCountInString(v) > max:
		es.add(field, v, "expected at most %d characters", max)
	case hasControl(v, true):
		es.add(field, v, "expected text without control characters other than newline and tab")
	}
}

// checkNesting refuses Markdown whose lines open more than max quotes and
// list items: the markers ('>', "-", "*", "+", "1." or "1)") at the start
// of a line, before its text. Each nested level needs its marker on the
// line, so this bounds the depth of the whole document.
func checkNesting(es *Errors, field, v string, max int) {
	for n, line := range strings.Split(v, "\n") {
		if depth := lineNesting(line); depth > max {
			es.add(field, line, "line %d opens %d nested quotes or lists; expected at most %d", n+1, depth, max)
			return
		}
	}
}

// lineNesting counts the container markers that open line.
func lineNesting(line string) int {
	depth := 0
	for i := 0; i < len(line); {
		switch c := line[i]; {
		case c == ' ' || c == '\t':
			i++
		case c == '>':
			depth++
			i++
		case (c == '-' || c == '*' || c == '+') && (i+1 == len(line) || line[i+1] == ' ' || line[i+1] == '\t'):
			depth++
			i++
		case c >= '0' && c <= '9':
			j := i
			for j < len(line) && j-i < 9 && line[j] >= '0' && line[j] <= '9' {
				j++
			}
			if j < len(line) && (line[j] == '.' || line[j] == ')') && (j+1 == len(line) || line[j+1] == ' ' || line[j+1] == '\t') {
				depth++
				i = j + 1
				continue
			}
			return depth
		default:
			return depth
		}
	}
	return depth
}

// hasControl reports C0/C1 control characters (and DEL), allowing newline and
// tab in multi-line text; tab is also allowed on one line.
func hasControl(s string, multiline bool) bool {
	for _, r := range s {
		if r == '\t' || (multiline && r == '\n') {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\uFEFF' {
			return true
		}
	}
	return false
}

// CheckURL checks v as every URL in the data is checked (an absolute http
// or https URL with a host, at most MaxURL bytes, no user name or password,
// a port between 1 and 65535) and reports its problems under field; none
// for a good URL. The config checks its base_url with it: every published
// URL starts with that one.
func CheckURL(field, v string) Errors {
	var es Errors
	checkURL(&es, field, v, true)
	return es
}

func checkURL(es *Errors, field, v string, required bool) {
	if v == "" {
		if required {
			es.add(field, v, "required: an http or https URL")
		}
		return
	}
	if len(v) > MaxURL {
		es.add(field, v, "expected a URL of at most %d characters", MaxURL)
		return
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || hasControl(v, false) || strings.ContainsAny(v, " \"<>\\") {
		es.add(field, v, "expected an absolute http or https URL, such as https://example.org/page")
		return
	}
	// Every URL is published in calendars, feeds and pages: a user name or
	// password in one would be handed to every subscriber.
	if u.User != nil {
		es.add(field, v, "expected a URL without a user name or password (it is published to every subscriber)")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			es.add(field, v, "expected a port between 1 and 65535, not %s", p)
		}
	}
}

func checkEmail(es *Errors, field, v string) {
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || a.Name != "" || len(v) > MaxEmail || strings.ContainsAny(v, "\"\\;:,<>") {
		es.add(field, v, "expected a plain e-mail address such as events@example.org")
	}
}

func checkZone(es *Errors, field, v string, required bool) *time.Location {
	if v == "" {
		if required {
			es.add(field, v, "required: an IANA time zone such as Europe/Madrid")
		}
		return nil
	}
	loc, err := LoadZone(v)
	if err != nil {
		es.add(field, v, "expected an IANA time zone such as Europe/Madrid or America/New_York%s", ZoneHint(v))
		return nil
	}
	return loc
}

func checkLanguage(es *Errors, field, v string, required bool) {
	if v == "" {
		if required {
			es.add(field, v, "required: a BCP 47 language tag such as en or es-ES")
		}
		return
	}
	if len(v) > MaxLanguage || !langRE.MatchString(v) {
		es.add(field, v, "expected a BCP 47 language tag such as en, es-ES or zh-Hant-TW")
	}
}

func checkReminders(es *Errors, field string, rs []time.Duration) {
	if len(rs) > MaxReminders {
		es.add(field, fmt.Sprint(len(rs)), "expected at most %d reminders", MaxReminders)
	}
	for i, r := range rs {
		if r <= 0 || r > MaxReminder || r%time.Minute != 0 {
			es.add(fmt.Sprintf("%s[%d]", field, i), FormatReminder(r), "expected a whole number of minutes between 1m and 4w before the start")
		}
	}
}

func resolve(es *Errors, field string, w WallTime, loc *time.Location) (time.Time, bool) {
	t, err := w.In(loc)
	if err != nil {
		es.add(field, w.Text(), "%v", err)
		return time.Time{}, false
	}
	return t, true
}

func joinStrings[T ~string](xs []T) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = string(x)
	}
	return strings.Join(parts, ", ")
}

// ParsePostTimes reads a post's published and updated as an agenda file
// or the API gives them: an RFC 3339 time with offset, or a date meaning
// midnight in zone ("" or white space: unset). It checks what Validate
// checks of them, the years and updated not before published, but its
// errors quote each value as it was written: "+00:00" stays "+00:00"
// rather than Validate's "Z", and a date stays a date rather than an
// instant. A value it refuses comes back zero, so that Validate does not
// report it again in its own form. A zone that does not load reads dates
// in UTC: the zone's own error is reported with the series.
func ParsePostTimes(published, updated, zone string) (pub, upd time.Time, err error) {
	loc, lerr := LoadZone(zone)
	if lerr != nil {
		loc = time.UTC
	}
	var es Errors
	for _, f := range []struct {
		name, raw string
		dst       *time.Time
	}{{"published", published, &pub}, {"updated", updated, &upd}} {
		raw := strings.TrimSpace(f.raw)
		if raw == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, raw)
		if err != nil {
			d, derr := ParseDate(raw)
			if derr != nil {
				es.add(f.name, raw, "expected a date and time with offset, e.g. 2020-11-23T10:00:00+01:00, or a date, e.g. 2020-11-23")
				continue
			}
			t = d.Time(loc)
		}
		if t.Year() < 1900 || t.Year() > 2200 {
			es.add(f.name, raw, "expected a year between 1900 and 2200")
			continue
		}
		*f.dst = t
	}
	if !pub.IsZero() && !upd.IsZero() && upd.Before(pub) {
		es.addRefs("updated", strings.TrimSpace(updated), []string{"published"}, "expected a time on or after published %s", strings.TrimSpace(published))
		upd = time.Time{}
	}
	return pub, upd, es.Err()
}
