package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/store"
)

const sessionUsage = `session list [-series SLUG] [-from DATE] [-to DATE] [-status STATUS]
  agendafeed session show REF
  agendafeed session add SERIES/KEY -title TITLE -start TIME -end TIME [flags]
  agendafeed session edit REF [flags]
  agendafeed session cancel REF
  agendafeed session remove REF

REF is SERIES/KEY (e.g. open-policy-debates/smart-cities-pillars) or the session's UID.
TIME is a local wall time in the session's zone, e.g. 2021-11-17T12:00.
-person is repeatable: 'ROLE;NAME;AFFILIATION[;URL]'; giving it on edit replaces the whole list.
To change one person on edit, -remove-person NAME and/or -add-person 'ROLE;NAME;AFFILIATION[;URL]'
(both repeatable; removals first, so both together replace one person's entry). Write \; for a
semicolon inside a field ('speaker;Ada;Mayor\; Barcelona') or a NAME, and \\ for a backslash.
-zone on edit reads the stored start and end in the new zone; where they do not exist there
or happen twice, give -start/-end too, with an explicit UTC offset (2025-03-30T02:30+01:00).`

func runSession(ctx context.Context, args []string, e env) error {
	if help, err := actionHelp(args, sessionUsage, e); help {
		return err
	}
	if len(args) == 0 {
		return usagef("session: expected list, show, add, edit, cancel or remove")
	}
	verb, args := args[0], args[1:]
	c := newCommand("session "+verb, sessionUsage, e)
	var sf sessionFlags
	var lf struct{ series, from, to, status *string }
	switch verb {
	case "add", "edit":
		sf.register(c)
	case "list":
		lf.series = c.fs.String("series", "", "only sessions of this series `slug`")
		lf.from = c.fs.String("from", "", "only sessions ending after this `date` (YYYY-MM-DD, UTC)")
		lf.to = c.fs.String("to", "", "only sessions starting before this `date` (YYYY-MM-DD, UTC)")
		lf.status = c.fs.String("status", "", "only sessions with this status")
	case "show", "cancel", "remove":
	default:
		return usagef("session: unknown action %s: expected list, show, add, edit, cancel or remove", quoteArg(verb))
	}
	pos, err := c.parse(args)
	if err != nil {
		return err
	}
	want := 1
	if verb == "list" {
		want = 0
	}
	if len(pos) != want {
		return usagef("session %s: expected %d argument(s), got %d", verb, want, len(pos))
	}
	var filter store.SessionFilter
	empty := false // -from equal to -to: [from, to) holds no instant
	if verb == "list" {
		if filter, empty, err = sessionFilter(*lf.series, *lf.from, *lf.to, *lf.status); err != nil {
			return err
		}
	}
	_, db, err := c.openStore(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()

	switch verb {
	case "list":
		// An unknown series is an error, not an empty table: a mistyped
		// slug must not read as "no sessions" (the API answers 404).
		if filter.Series != "" {
			if _, err := db.Series(ctx, filter.Series); errors.Is(err, agenda.ErrNotFound) {
				return rejectedValue("series", filter.Series, "expected the slug of an existing series (agendafeed series list shows them)")
			} else if err != nil {
				return fmt.Errorf("list sessions: %w", err)
			}
		}
		var list []agenda.Session
		if !empty {
			if list, err = db.Sessions(ctx, filter); err != nil {
				return fmt.Errorf("list sessions: %w", err)
			}
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "REF\tSTART\tZONE\tSTATUS\tTITLE")
		for _, s := range list {
			fmt.Fprintf(tw, "%s/%s\t%s\t%s\t%s\t%s\n", s.Series, s.Key, startText(s), s.Zone, s.Status, s.Title)
		}
		return tw.Flush()
	case "add":
		series, key, ok := strings.Cut(pos[0], "/")
		if !ok {
			return usagef("session add: %s: expected SERIES/KEY, e.g. open-policy-debates/smart-cities-pillars", quoteArg(pos[0]))
		}
		ser, err := db.Series(ctx, series)
		if err != nil {
			return err
		}
		ref := series + "/" + strings.TrimSpace(key) // as the store will have it
		exists := fmt.Errorf("session %s already exists; use 'agendafeed session edit %s'", ref, ref)
		if _, err := db.SessionByKey(ctx, series, key); err == nil {
			return exists // early, before the flags are checked
		}
		s := agenda.Session{Series: series, Key: key, Zone: ser.Zone, Language: ser.Language, Status: agenda.StatusConfirmed}
		if err := sf.apply(c.set(), &s); err != nil {
			return err
		}
		// Create only: the store, not the look-up above, is what refuses
		// an existing session, one that another process adds right after
		// the look-up included.
		s, err = db.PutSession(ctx, s, store.Absent)
		if errors.Is(err, agenda.ErrConflict) {
			return exists
		}
		if err != nil {
			return writeError("add session "+ref, flagErrors(err, c.fs))
		}
		fmt.Fprintf(e.stdout, "added session %s/%s uid %s\n", s.Series, s.Key, s.UID)
		return nil
	}

	s, err := findSession(ctx, db, pos[0])
	if err != nil {
		return err
	}
	switch verb {
	case "show":
		printSession(e, s)
		return nil
	case "edit":
		set := c.set()
		before := len(s.People)
		if err := sf.apply(set, &s); err != nil {
			return err
		}
		edited := s
		s, err = db.PutSession(ctx, s, s.Sequence)
		if err != nil {
			return writeError(fmt.Sprintf("edit session %s/%s", edited.Series, edited.Key), flagErrors(blameEdit(err, set, edited), c.fs))
		}
		// The store keeps a session that would publish the same (an edit
		// giving its values again, or a start with the offset already in
		// effect) as it was: say so, rather than leave the user to compare
		// sequences.
		if s.Sequence == edited.Sequence && s.Updated.Equal(edited.Updated) {
			fmt.Fprintf(e.stdout, "session %s/%s unchanged at sequence %d\n", s.Series, s.Key, s.Sequence)
		} else {
			fmt.Fprintf(e.stdout, "session %s/%s at sequence %d\n", s.Series, s.Key, s.Sequence)
		}
		if line := sf.peopleReport(set, before, len(s.People)); line != "" {
			fmt.Fprintln(e.stdout, line)
		}
	case "cancel":
		// Not into s: on an error CancelSession returns the zero session,
		// and the message would name "/".
		if _, err := db.CancelSession(ctx, s.UID, s.Sequence); err != nil {
			return fmt.Errorf("cancel session %s/%s: %w", s.Series, s.Key, err)
		}
		fmt.Fprintf(e.stdout, "cancelled session %s/%s (it stays in calendars, marked cancelled)\n", s.Series, s.Key)
	case "remove":
		if err := db.DeleteSession(ctx, s.UID, s.Sequence); err != nil {
			return fmt.Errorf("remove session %s/%s: %w", s.Series, s.Key, err)
		}
		fmt.Fprintf(e.stdout, "removed session %s/%s\n", s.Series, s.Key)
	}
	return nil
}

// blameEdit is agenda.BlameEdit in the CLI's words: set holds the flags
// given, and the messages name flags.
func blameEdit(err error, set map[string]bool, s agenda.Session) error {
	flag := func(field string) string { return strings.ReplaceAll(field, "_", "-") }
	return agenda.BlameEdit(err, s, func(field string) bool { return set[flag(field)] },
		func(field string) string { return "-" + flag(field) })
}

// findSession resolves SERIES/KEY or a UID.
func findSession(ctx context.Context, db *store.DB, ref string) (agenda.Session, error) {
	if series, key, ok := strings.Cut(ref, "/"); ok && !strings.Contains(ref, "@") {
		s, err := db.SessionByKey(ctx, series, key)
		if err != nil {
			return s, err
		}
		return s, nil
	}
	s, err := db.Session(ctx, ref)
	if err != nil {
		return s, err
	}
	return s, nil
}

// sessionFilter reads the flags of session list. The sessions listed are
// those overlapping [-from, -to), as in the API: empty reports -to equal to
// -from, which selects nothing (the store, given the same instant twice,
// would select the sessions running at it), and -to before -from is
// refused, naming both, rather than answered with an empty list, as the
// API refuses it.
func sessionFilter(series, from, to, status string) (f store.SessionFilter, empty bool, err error) {
	f = store.SessionFilter{Series: series, Status: agenda.Status(status)}
	for _, d := range []struct {
		name, v string
		dst     *time.Time
	}{{"from", from, &f.From}, {"to", to, &f.To}} {
		if d.v == "" {
			continue
		}
		t, err := time.Parse("2006-01-02", d.v)
		if err != nil {
			return f, false, valueError(d.name, d.v, "expected a date as YYYY-MM-DD")
		}
		*d.dst = t
	}
	if status != "" && status != string(agenda.StatusConfirmed) && status != string(agenda.StatusTentative) && status != string(agenda.StatusCancelled) {
		return f, false, valueError("status", status, "expected confirmed, tentative or cancelled")
	}
	if from != "" && to != "" {
		if f.To.Before(f.From) {
			return f, false, rejectedValue("to", to, fmt.Sprintf("expected a date on or after -from %s; the sessions listed are those overlapping [-from, -to)", quoteArg(from)))
		}
		empty = f.To.Equal(f.From)
	}
	return f, empty, nil
}

type sessionFlags struct {
	title, description, start, end, zone, startDate, endDate, venue, address, onlineURL,
	status, language, tags, url, key *string
	allDay                      *bool
	people, addPeople, rmPeople multiFlag
	added, removed              []string // names, for the report
}

func (f *sessionFlags) register(c *command) {
	f.key = c.fs.String("key", "", "new key for the session (its import key within the series)")
	f.title = c.fs.String("title", "", "title")
	f.description = c.fs.String("description", "", "description (plain text)")
	f.start = c.fs.String("start", "", "start as local `time` in the session's zone, e.g. 2021-11-17T12:00")
	f.end = c.fs.String("end", "", "end as local `time`, e.g. 2021-11-17T13:00")
	f.zone = c.fs.String("zone", "", "IANA time `zone` (default: the series' zone)")
	f.allDay = c.fs.Bool("all-day", false, "an all-day session: give -start-date and -end-date instead of times")
	f.startDate = c.fs.String("start-date", "", "first `date` of an all-day session (YYYY-MM-DD)")
	f.endDate = c.fs.String("end-date", "", "last `date` of an all-day session, inclusive (YYYY-MM-DD)")
	f.venue = c.fs.String("venue", "", "venue name")
	f.address = c.fs.String("address", "", "venue address")
	f.onlineURL = c.fs.String("online-url", "", "link to join online (`URL`)")
	f.status = c.fs.String("status", "", "confirmed, tentative or cancelled")
	f.language = c.fs.String("language", "", "BCP 47 `language` tag (default: the series' language)")
	f.tags = c.fs.String("tags", "", "comma-separated `tags`")
	f.url = c.fs.String("url", "", "the session's own page (`URL`)")
	c.fs.Var(&f.people, "person", "a person, repeatable: 'ROLE;NAME;AFFILIATION[;URL]' (\\; for a semicolon in a field); on edit, replaces the whole list")
	c.fs.Var(&f.addPeople, "add-person", "add one person, repeatable: 'ROLE;NAME;AFFILIATION[;URL]', keeping the others")
	c.fs.Var(&f.rmPeople, "remove-person", "remove the person of this `NAME` (\\; for a semicolon, \\\\ for a backslash), repeatable, keeping the others")
}

// peopleReport says what the people flags did to a session's list of
// before people, now after: -person replaces the whole list silently
// otherwise, which is easy to do by mistake when meaning to change one.
func (f *sessionFlags) peopleReport(set map[string]bool, before, after int) string {
	switch {
	case set["person"]:
		return fmt.Sprintf("people replaced: %d before, %d after", before, after)
	case set["add-person"] || set["remove-person"]:
		var parts []string
		if len(f.removed) > 0 {
			parts = append(parts, "removed "+strings.Join(f.removed, ", "))
		}
		if len(f.added) > 0 {
			parts = append(parts, "added "+strings.Join(f.added, ", "))
		}
		return fmt.Sprintf("people: %s (%d before, %d after)", strings.Join(parts, "; "), before, after)
	}
	return ""
}

// parsePerson reads 'ROLE;NAME;AFFILIATION[;URL]' for flag name. A
// semicolon inside a field is written \; and a backslash \\, so that an
// affiliation such as "Mayor; Barcelona" can be entered.
func parsePerson(name, v string) (agenda.Participant, error) {
	parts, ok := splitEscaped(v, ';')
	if !ok || len(parts) < 2 || len(parts) > 4 {
		msg := "expected 'ROLE;NAME;AFFILIATION[;URL]', e.g. 'moderator;Emilia Saiz;Secretary General of UCLG' (write \\; for a semicolon inside a field)"
		if !ok {
			msg = "a backslash must come before ; or another backslash; " + msg
		}
		return agenda.Participant{}, valueError(name, v, msg)
	}
	for len(parts) < 4 {
		parts = append(parts, "")
	}
	return agenda.Participant{
		Person: agenda.Person{Name: parts[1], Affiliation: parts[2], URL: parts[3]},
		Role:   agenda.Role(parts[0]),
	}, nil
}

// parsePersonName reads the NAME of -remove-person with the escapes of
// -person: \; a semicolon, \\ a backslash, so that the name of a person
// added as 'speaker;Ann\;B;Aff' is written as it was there. The name is
// the value's only field, so a bare ; is a semicolon too.
func parsePersonName(v string) (string, error) {
	parts, ok := splitEscaped(v, ';')
	if !ok {
		return "", valueError("remove-person", v, "a backslash must come before ; or another backslash; expected the person's NAME, e.g. 'Emilia Saiz' (write \\; for a semicolon, \\\\ for a backslash)")
	}
	return strings.Join(parts, ";"), nil
}

// escapeField writes v as a field of -person or the NAME of
// -remove-person: the inverse of splitEscaped.
func escapeField(v string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`).Replace(v)
}

// splitEscaped splits v at each sep not escaped by a backslash, undoing
// the escapes \<sep> and \\. ok is false for any other backslash, which
// is more likely a mistake than meant.
func splitEscaped(v string, sep byte) (parts []string, ok bool) {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\':
			if i+1 == len(v) || (v[i+1] != sep && v[i+1] != '\\') {
				return nil, false
			}
			i++
			b.WriteByte(v[i])
		case c == sep:
			parts = append(parts, b.String())
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	return append(parts, b.String()), true
}

func (f *sessionFlags) apply(set map[string]bool, s *agenda.Session) error {
	str := map[string]*string{"key": &s.Key, "title": &s.Title, "description": &s.Description, "zone": &s.Zone,
		"venue": &s.Venue, "address": &s.Address, "online-url": &s.OnlineURL, "language": &s.Language, "url": &s.URL}
	val := map[string]*string{"key": f.key, "title": f.title, "description": f.description, "zone": f.zone,
		"venue": f.venue, "address": f.address, "online-url": f.onlineURL, "language": f.language, "url": f.url}
	for name, dst := range str {
		if set[name] {
			*dst = *val[name]
		}
	}
	if set["status"] {
		s.Status = agenda.Status(*f.status)
	}
	if set["tags"] {
		s.Tags = splitList(*f.tags)
	}
	if set["all-day"] {
		s.AllDay = *f.allDay
		if s.AllDay {
			s.Start, s.End = agenda.WallTime{}, agenda.WallTime{}
		} else {
			s.StartDate, s.EndDate = agenda.Date{}, agenda.Date{}
		}
	}
	for _, w := range []struct {
		name, v string
		dst     *agenda.WallTime
	}{{"start", *f.start, &s.Start}, {"end", *f.end, &s.End}} {
		if !set[w.name] {
			continue
		}
		t, err := agenda.ParseWallTime(w.v)
		if err != nil {
			return valueError(w.name, w.v, err.Error())
		}
		*w.dst = t
	}
	for _, d := range []struct {
		name string
		v    string
		dst  *agenda.Date
	}{{"start-date", *f.startDate, &s.StartDate}, {"end-date", *f.endDate, &s.EndDate}} {
		if !set[d.name] {
			continue
		}
		t, err := agenda.ParseDate(d.v)
		if err != nil {
			return valueError(d.name, d.v, err.Error())
		}
		*d.dst = t
	}
	if set["person"] && (set["add-person"] || set["remove-person"]) {
		return usagef("-person replaces the whole list of people; give it alone, or change the list with -add-person and -remove-person")
	}
	if set["person"] {
		people := make([]agenda.Participant, 0, len(f.people))
		for _, v := range f.people {
			p, err := parsePerson("person", v)
			if err != nil {
				return err
			}
			people = append(people, p)
		}
		s.People = people
	}
	// Removals first, so that -remove-person X -add-person 'ROLE;X;...'
	// replaces X's entry.
	people := slices.Clone(s.People)
	for _, v := range f.rmPeople {
		name, err := parsePersonName(v)
		if err != nil {
			return err
		}
		i := personIndex(people, name)
		if i < 0 {
			names := make([]string, len(people))
			for j, p := range people {
				names[j] = quoteArg(escapeField(p.Name))
			}
			have := "it has none"
			if len(names) > 0 {
				have = "it has " + strings.Join(names, ", ")
			}
			return rejectedValue("remove-person", v, "no such person in the session; "+have)
		}
		f.removed = append(f.removed, people[i].Name)
		people = slices.Delete(people, i, i+1)
	}
	for _, v := range f.addPeople {
		p, err := parsePerson("add-person", v)
		if err != nil {
			return err
		}
		if i := personIndex(people, p.Name); i >= 0 {
			return rejectedValue("add-person", v, fmt.Sprintf("%s is already in the session; to change their entry, give -remove-person %s too",
				people[i].Name, quoteArg(escapeField(people[i].Name))))
		}
		people = append(people, p)
		f.added = append(f.added, agenda.NormalizeName(p.Name))
	}
	if set["add-person"] || set["remove-person"] {
		s.People = people
	}
	return nil
}

// personIndex finds name in people as the store would write it (spaces
// collapsed), else ignoring case, as a name typed on a command line may
// be; -1 if neither finds it.
func personIndex(people []agenda.Participant, name string) int {
	want := agenda.NormalizeName(name)
	if i := slices.IndexFunc(people, func(p agenda.Participant) bool { return agenda.NormalizeName(p.Name) == want }); i >= 0 {
		return i
	}
	return slices.IndexFunc(people, func(p agenda.Participant) bool { return strings.EqualFold(agenda.NormalizeName(p.Name), want) })
}

func startText(s agenda.Session) string {
	if s.AllDay {
		if s.EndDate == s.StartDate {
			return s.StartDate.String()
		}
		return s.StartDate.String() + ".." + s.EndDate.String()
	}
	return s.Start.String()
}

func printSession(e env, s agenda.Session) {
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	when := s.Start.String() + " - " + s.End.String()
	if s.AllDay {
		when = s.StartDate.String() + " - " + s.EndDate.String() + " (all day)"
	}
	rows := [][2]string{
		{"ref", s.Series + "/" + s.Key}, {"uid", s.UID}, {"title", s.Title}, {"when", when},
		{"zone", s.Zone}, {"status", string(s.Status)}, {"venue", s.Venue}, {"address", s.Address},
		{"online_url", s.OnlineURL}, {"language", s.Language}, {"tags", strings.Join(s.Tags, ", ")},
		{"url", s.URL}, {"sequence", strconv.FormatInt(s.Sequence, 10)},
		{"updated", s.Updated.Format(time.RFC3339)},
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s:\t%s\n", r[0], r[1])
	}
	for _, p := range s.People {
		line := p.Name
		if p.Affiliation != "" {
			line += ", " + p.Affiliation
		}
		fmt.Fprintf(tw, "%s:\t%s\n", p.Role, line)
	}
	if s.Description != "" {
		fmt.Fprintf(tw, "description:\t%s\n", s.Description)
	}
	tw.Flush()
}
