package main

import (
	"context"
	"errors"
	"fmt"
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
		return usagef("series: unknown action %q: expected list, show, add, edit or remove", verb)
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
		printSeries(e, s)
		return nil
	case "add":
		slug := strings.TrimSpace(pos[0]) // as the store will have it
		exists := fmt.Errorf("series %q already exists; use 'agendafeed series edit %s'", slug, slug)
		if _, err := db.Series(ctx, pos[0]); err == nil {
			return exists // early, before the flags are checked
		}
		s := agenda.Series{Slug: pos[0], Zone: cfg.DefaultZone, Language: cfg.DefaultLanguage, Reminders: cfg.ReminderDurations()}
		if err := sf.apply(c.set(), &s); err != nil {
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
			return flagErrors(err, c.fs)
		}
		fmt.Fprintf(e.stdout, "added series %s (revision %d)\n", s.Slug, s.Revision)
		return nil
	case "edit":
		s, err := db.Series(ctx, pos[0])
		if err != nil {
			return err
		}
		if err := sf.apply(c.set(), &s); err != nil {
			return err
		}
		s, err = db.PutSeries(ctx, s, s.Revision)
		if err != nil {
			return flagErrors(err, c.fs)
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
	f.reminders = c.fs.String("reminders", "", "default reminders before each session, e.g. 15m,1d; 'none' for none")
	f.orgName = c.fs.String("organizer-name", "", "organiser's name")
	f.orgEmail = c.fs.String("organizer-email", "", "organiser's e-mail (calendars carry it as ORGANIZER)")
}

func (f *seriesFlags) apply(set map[string]bool, s *agenda.Series) error {
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
		rs, err := parseReminderList("reminders", *f.reminders)
		if err != nil {
			return err
		}
		s.Reminders = rs
	}
	return nil
}

// parseReminderList reads "15m,1d" or "none".
func parseReminderList(flagName, v string) ([]time.Duration, error) {
	if strings.TrimSpace(v) == "none" {
		return []time.Duration{}, nil
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
		return nil, valueError(flagName, v, "expected a comma-separated list such as 15m,1d, or none")
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

func printSeries(e env, s agenda.Series) {
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	rem := make([]string, len(s.Reminders))
	for i, r := range s.Reminders {
		rem[i] = agenda.FormatReminder(r)
	}
	rows := [][2]string{
		{"slug", s.Slug}, {"title", s.Title}, {"homepage", s.Homepage}, {"zone", s.Zone},
		{"language", s.Language}, {"reminders", strings.Join(rem, ",")},
		{"organizer", strings.TrimSpace(s.Organizer.Name + " " + angle(s.Organizer.Email))},
		{"revision", fmt.Sprint(s.Revision)}, {"created", s.Created.Format(time.RFC3339)},
		{"updated", s.Updated.Format(time.RFC3339)}, {"description", s.Description},
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s:\t%s\n", r[0], r[1])
	}
	tw.Flush()
}

func angle(email string) string {
	if email == "" {
		return ""
	}
	return "<" + email + ">"
}
