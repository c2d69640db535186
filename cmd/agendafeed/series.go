package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/store"
)

const seriesUsage = `series list
  agendafeed series show SLUG
  agendafeed series add SLUG -title TITLE [flags]
  agendafeed series edit SLUG [flags]
  agendafeed series remove SLUG`

func runSeries(ctx context.Context, args []string, e env) error {
	if help, err := actionHelp(args, seriesUsage, e); help {
		return err
	}
	if len(args) == 0 {
		return usagef("series: expected list, show, add, edit or remove")
	}
	verb, args := args[0], args[1:]
	c := newCommand("series "+verb, seriesUsage, e)
	var sf seriesFlags
	if verb == "add" || verb == "edit" {
		sf.register(c)
	}
	pos, err := c.parse(args)
	if err != nil {
		return err
	}
	wantArgs := 1
	switch verb {
	case "list":
		wantArgs = 0
	case "show", "add", "edit", "remove":
	default:
		return usagef("series: unknown action %s: expected list, show, add, edit or remove", quoteArg(verb))
	}
	if len(pos) != wantArgs {
		return usagef("series %s: expected %d argument(s), got %d", verb, wantArgs, len(pos))
	}
	cfg, db, err := c.openStore(ctx, verb == "add")
	if err != nil {
		return err
	}
	defer db.Close()
	switch verb {
	case "list":
		return listSeries(ctx, db, e)
	case "show":
		s, err := db.Series(ctx, pos[0])
		if err != nil {
			return err
		}
		printSeries(e, s, cfg.ReminderDurations())
		return nil
	case "add":
		slug := strings.TrimSpace(pos[0]) // as the store will have it
		exists := fmt.Errorf("series %q already exists; use 'agendafeed series edit %s'", slug, slug)
		if _, err := db.Series(ctx, pos[0]); err == nil {
			return exists // early, before the flags are checked
		}
		s := agenda.Series{Slug: pos[0], Zone: cfg.DefaultZone, Language: cfg.DefaultLanguage, Reminders: cfg.ReminderDurations()}
		if err := sf.apply(c.set(), &s, cfg.ReminderDurations()); err != nil {
			return err
		}
		// Create only: the store, not the look-up above, is what refuses
		// an existing series, one that another process adds right after
		// the look-up included.
		s, err := db.PutSeries(ctx, s, store.Absent)
		if errors.Is(err, agenda.ErrConflict) {
			return exists
		}
		if err != nil {
			return writeError(fmt.Sprintf("add series %q", slug), flagErrors(err, c.fs))
		}
		fmt.Fprintf(e.stdout, "added series %s (revision %d)\n", s.Slug, s.Revision)
		return nil
	case "edit":
		s, err := db.Series(ctx, pos[0])
		if err != nil {
			return err
		}
		if err := sf.apply(c.set(), &s, cfg.ReminderDurations()); err != nil {
			return err
		}
		s, err = db.PutSeries(ctx, s, s.Revision)
		if err != nil {
			return writeError(fmt.Sprintf("edit series %q", pos[0]), flagErrors(err, c.fs))
		}
		fmt.Fprintf(e.stdout, "series %s at revision %d\n", s.Slug, s.Revision)
		return nil
	default: // remove
		if err := db.DeleteSeries(ctx, pos[0], store.Any); err != nil {
			return fmt.Errorf("remove series %q: %w", pos[0], err)
		}
		fmt.Fprintf(e.stdout, "removed series %s\n", pos[0])
		return nil
	}
}

type seriesFlags struct {
	title, description, homepage, zone, language, reminders, orgName, orgEmail *string
}

func (f *seriesFlags) register(c *command) {
	f.title = c.fs.String("title", "", "title")
	f.description = c.fs.String("description", "", "description (plain text)")
	f.homepage = c.fs.String("homepage", "", "homepage `URL`")
	f.zone = c.fs.String("zone", "", "IANA time `zone` sessions default to (default from config)")
	f.language = c.fs.String("language", "", "BCP 47 `language` tag (default from config)")
	f.reminders = c.fs.String("reminders", "", "reminders before each session, e.g. 15m,1d; 'none' for none; 'default' for the config's reminders")
	f.orgName = c.fs.String("organizer-name", "", "organiser's name")
	f.orgEmail = c.fs.String("organizer-email", "", "organiser's e-mail (calendars carry it as ORGANIZER)")
}

// apply sets the flags given on s; defaults are the configured reminders,
// which -reminders default copies.
func (f *seriesFlags) apply(set map[string]bool, s *agenda.Series, defaults []time.Duration) error {
	str := map[string]*string{"title": &s.Title, "description": &s.Description, "homepage": &s.Homepage,
		"zone": &s.Zone, "language": &s.Language, "organizer-name": &s.Organizer.Name, "organizer-email": &s.Organizer.Email}
	val := map[string]*string{"title": f.title, "description": f.description, "homepage": f.homepage,
		"zone": f.zone, "language": f.language, "organizer-name": f.orgName, "organizer-email": f.orgEmail}
	for name, dst := range str {
		if set[name] {
			*dst = *val[name]
		}
	}
	if set["reminders"] {
		rs, err := parseReminderList("reminders", *f.reminders, defaults)
		if err != nil {
			return err
		}
		s.Reminders = rs
	}
	return nil
}

// parseReminderList reads "15m,1d", "none" or "default" (a copy of
// defaults, the configured reminders, as a series that names none gets).
func parseReminderList(flagName, v string, defaults []time.Duration) ([]time.Duration, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "none":
		return []time.Duration{}, nil
	case "default":
		return append([]time.Duration{}, defaults...), nil
	}
	var out []time.Duration
	for _, p := range splitList(v) {
		d, err := agenda.ParseReminder(p)
		if err != nil {
			return nil, valueError(flagName, p, err.Error())
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		return nil, valueError(flagName, v, fmt.Sprintf("expected a comma-separated list such as 15m,1d, none, or default (the configured reminders: %s)", reminderText(asStored(defaults), nil)))
	}
	return out, nil
}

func listSeries(ctx context.Context, db *store.DB, e env) error {
	all, err := db.ListSeries(ctx)
	if err != nil {
		return fmt.Errorf("list series: %w", err)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SLUG\tTITLE\tZONE\tSESSIONS\tREVISION")
	for _, s := range all {
		sessions, err := db.Sessions(ctx, store.SessionFilter{Series: s.Slug})
		if err != nil {
			return fmt.Errorf("list sessions of %q: %w", s.Slug, err)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\n", s.Slug, s.Title, s.Zone, len(sessions), s.Revision)
	}
	return tw.Flush()
}

// printSeries prints a series; defaults are the configured reminders, so
// that its reminders read "none" or "default (15m,1d)" rather than an
// empty line or a list that says nothing of where it came from.
func printSeries(e env, s agenda.Series, defaults []time.Duration) {
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	rows := [][2]string{
		{"slug", s.Slug}, {"title", s.Title}, {"homepage", s.Homepage}, {"zone", s.Zone},
		{"language", s.Language}, {"reminders", reminderText(s.Reminders, defaults)},
		{"organizer", strings.TrimSpace(s.Organizer.Name + " " + angle(s.Organizer.Email))},
		{"revision", fmt.Sprint(s.Revision)}, {"created", s.Created.Format(time.RFC3339)},
		{"updated", s.Updated.Format(time.RFC3339)}, {"description", s.Description},
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s:\t%s\n", r[0], r[1])
	}
	tw.Flush()
}

// reminderText writes reminders as the -reminders flag reads them: "none"
// for none, else the list; "default (...)" when they are the configured
// defaults (a series keeps its own copy, so after a change of the config
// they read as a list), and "none (the configured default)" when both are
// empty. defaults nil: the list alone.
func reminderText(rs, defaults []time.Duration) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = agenda.FormatReminder(r)
	}
	list := strings.Join(parts, ",")
	switch {
	case defaults == nil && len(rs) == 0:
		return "none"
	case defaults == nil:
		return list
	case len(rs) == 0 && len(defaults) == 0:
		return "none (the configured default)"
	case len(rs) == 0:
		return "none"
	case slices.Equal(rs, asStored(defaults)):
		return "default (" + list + ")"
	}
	return list
}

// asStored is a list of reminders as a series stores it: sorted, without
// repeats.
func asStored(rs []time.Duration) []time.Duration {
	return slices.Compact(slices.Sorted(slices.Values(rs)))
}

func angle(email string) string {
	if email == "" {
		return ""
	}
	return "<" + email + ">"
}
