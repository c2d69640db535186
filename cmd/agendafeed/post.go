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

const postUsage = `post list -series SLUG
  agendafeed post show SERIES/ID
  agendafeed post add SERIES/ID -title TITLE -published TIME [flags]
  agendafeed post edit SERIES/ID [flags]
  agendafeed post remove SERIES/ID

TIME is RFC 3339 with an offset (2020-11-23T10:00:00+01:00) or a date (00:00 in the series' zone).
-body-file - reads the Markdown body from standard input.`

func runPost(ctx context.Context, args []string, e env) error {
	if help, err := actionHelp(args, postUsage, e); help {
		return err
	}
	if len(args) == 0 {
		return usagef("post: expected list, show, add, edit or remove")
	}
	verb, args := args[0], args[1:]
	c := newCommand("post "+verb, postUsage, e)
	var pf postFlags
	var series *string
	switch verb {
	case "add", "edit":
		pf.register(c)
	case "list":
		series = c.fs.String("series", "", "the series `slug` (required)")
	case "show", "remove":
	default:
		return usagef("post: unknown action %s: expected list, show, add, edit or remove", quoteArg(verb))
	}
	pos, err := c.parse(args)
	if err != nil {
		return err
	}
	if verb == "list" {
		if len(pos) != 0 || *series == "" {
			return usagef("post list: expected -series SLUG and no arguments")
		}
	} else if len(pos) != 1 || !strings.Contains(pos[0], "/") {
		return usagef("post %s: expected one SERIES/ID argument", verb)
	}
	_, db, err := c.openStore(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if verb == "list" {
		posts, err := db.Posts(ctx, *series)
		if errors.Is(err, agenda.ErrNotFound) {
			return rejectedValue("series", *series, "expected the slug of an existing series (agendafeed series list shows them)")
		} else if err != nil {
			return fmt.Errorf("list posts of %q: %w", *series, err)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "REF\tPUBLISHED\tTITLE")
		for _, p := range posts {
			fmt.Fprintf(tw, "%s/%s\t%s\t%s\n", p.Series, p.ID, p.Published.Format(time.RFC3339), p.Title)
		}
		return tw.Flush()
	}
	slug, id, _ := strings.Cut(pos[0], "/")
	ser, err := db.Series(ctx, slug)
	if err != nil {
		return err
	}
	switch verb {
	case "add":
		ref := slug + "/" + strings.TrimSpace(id) // as the store will have it
		exists := fmt.Errorf("post %s already exists; use 'agendafeed post edit %s'", ref, ref)
		if _, err := db.Post(ctx, slug, id); err == nil {
			return exists // early, before the flags are checked
		}
		p := agenda.Post{Series: slug, ID: id}
		if err := pf.apply(c.set(), &p, ser, c.e); err != nil {
			return err
		}
		// Create only: the store, not the look-up above, is what refuses
		// an existing post, one that another process adds right after the
		// look-up included.
		p, err = db.PutPost(ctx, p, store.Absent)
		if errors.Is(err, agenda.ErrConflict) {
			return exists
		}
		if err != nil {
			return writeError("add post "+ref, flagErrors(err, c.fs))
		}
		fmt.Fprintf(e.stdout, "added post %s/%s\n", p.Series, p.ID)
		return nil
	}
	p, err := db.Post(ctx, slug, id)
	if err != nil {
		return err
	}
	switch verb {
	case "show":
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		for _, r := range [][2]string{{"ref", p.Series + "/" + p.ID}, {"title", p.Title}, {"author", p.Author},
			{"published", p.Published.Format(time.RFC3339)}, {"url", p.URL}, {"session", p.SessionKey}, {"summary", p.Summary}} {
			fmt.Fprintf(tw, "%s:\t%s\n", r[0], r[1])
		}
		tw.Flush()
		fmt.Fprintf(e.stdout, "\n%s\n", p.Body)
	case "edit":
		if err := pf.apply(c.set(), &p, ser, c.e); err != nil {
			return err
		}
		if p, err = db.PutPost(ctx, p, p.Version); err != nil {
			return writeError(fmt.Sprintf("edit post %q", pos[0]), flagErrors(err, c.fs))
		}
		fmt.Fprintf(e.stdout, "post %s/%s at version %d\n", p.Series, p.ID, p.Version)
	case "remove":
		if err := db.DeletePost(ctx, slug, id, p.Version); err != nil {
			return fmt.Errorf("remove post %q: %w", pos[0], err)
		}
		fmt.Fprintf(e.stdout, "removed post %s/%s\n", slug, id)
	}
	return nil
}

type postFlags struct {
	title, summary, body, bodyFile, author, published, updated, url, session *string
}

func (f *postFlags) register(c *command) {
	f.title = c.fs.String("title", "", "title")
	f.summary = c.fs.String("summary", "", "short summary (plain text)")
	f.body = c.fs.String("body", "", "body (Markdown)")
	f.bodyFile = c.fs.String("body-file", "", "read the Markdown body from `file` ('-' for standard input)")
	f.author = c.fs.String("author", "", "author's name")
	f.published = c.fs.String("published", "", "publication `time` (RFC 3339 or YYYY-MM-DD)")
	f.updated = c.fs.String("updated", "", "last update `time` (RFC 3339 or YYYY-MM-DD)")
	f.url = c.fs.String("url", "", "the post's own page (`URL`)")
	f.session = c.fs.String("session", "", "`key` of the session the post is about")
}

func (f *postFlags) apply(set map[string]bool, p *agenda.Post, ser agenda.Series, e env) error {
	str := map[string]*string{"title": &p.Title, "summary": &p.Summary, "body": &p.Body, "author": &p.Author, "url": &p.URL, "session": &p.SessionKey}
	val := map[string]*string{"title": f.title, "summary": f.summary, "body": f.body, "author": f.author, "url": f.url, "session": f.session}
	for name, dst := range str {
		if set[name] {
			*dst = *val[name]
		}
	}
	if set["body-file"] {
		var data []byte
		var err error
		if *f.bodyFile == "-" {
			data, err = readAllLimited(e.stdin, agenda.MaxBody*4)
		} else {
			data, err = readLimited(*f.bodyFile, agenda.MaxBody*4)
		}
		if err != nil {
			// A file that cannot be read is a failure, not a usage error.
			return rejectedValue("body-file", *f.bodyFile, err.Error())
		}
		p.Body = string(data)
	}
	for _, t := range []struct {
		name, v string
		dst     *time.Time
	}{{"published", *f.published, &p.Published}, {"updated", *f.updated, &p.Updated}} {
		if !set[t.name] {
			continue
		}
		v, err := parseInstant(t.v, ser.Zone)
		if err != nil {
			return valueError(t.name, t.v, err.Error())
		}
		*t.dst = v
	}
	return nil
}

// parseInstant reads RFC 3339, or a bare date meaning midnight in zone.
func parseInstant(v, zone string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	d, err := agenda.ParseDate(v)
	if err != nil {
		return time.Time{}, fmt.Errorf("expected a time with offset such as 2020-11-23T10:00:00+01:00, or a date YYYY-MM-DD")
	}
	loc, err := agenda.LoadZone(zone)
	if err != nil {
		return time.Time{}, err
	}
	return d.Time(loc), nil
}
