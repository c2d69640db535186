package store

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// ImportResult counts what an import did.
type ImportResult struct {
	Series                                              int // series in the import, created, changed or not
	SessionsCreated, SessionsUpdated, SessionsUnchanged int
	PostsCreated, PostsUpdated, PostsUnchanged          int
}

// Import writes whole documents, all or nothing, in one transaction: each
// series is upserted by slug, its sessions by UID when given, else by key,
// and its posts by id. Sessions and posts that are stored but absent from a
// document are left alone. Re-importing the same documents changes nothing.
//
// Every document is normalised and validated before anything is written,
// and all the validation errors are reported together, with field paths
// such as "sessions[3].start" and the series slug in the message.
func (db *DB) Import(ctx context.Context, docs []agenda.Snapshot) (ImportResult, error) {
	docs, err := prepareImport(docs)
	if err != nil {
		return ImportResult{}, err
	}
	var res ImportResult
	err = db.write(ctx, func(w *writeTx) error {
		res = ImportResult{}
		for _, d := range docs {
			slug := d.Series.Slug
			_, seriesID, _, err := w.putSeries(ctx, d.Series, Any)
			if err != nil {
				return fmt.Errorf("import series %q: %w", slug, err)
			}
			res.Series++
			for j, s := range d.Sessions {
				_, oc, err := w.putSession(ctx, seriesID, s, Any)
				if err != nil {
					return fmt.Errorf("import series %q: %w", slug, prefixErr(err, fmt.Sprintf("sessions[%d]", j)))
				}
				count(oc, &res.SessionsCreated, &res.SessionsUpdated, &res.SessionsUnchanged)
			}
			for j, p := range d.Posts {
				_, oc, err := w.putPost(ctx, seriesID, p, Any)
				if err != nil {
					return fmt.Errorf("import series %q: %w", slug, prefixErr(err, fmt.Sprintf("posts[%d]", j)))
				}
				count(oc, &res.PostsCreated, &res.PostsUpdated, &res.PostsUnchanged)
			}
		}
		return nil
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

func count(oc outcome, created_, updated_, unchanged_ *int) {
	switch oc {
	case created:
		*created_++
	case updated:
		*updated_++
	default:
		*unchanged_++
	}
}

// prepareImport normalises and validates copies of the documents, and
// checks what only the whole import can: series, session keys, UIDs and
// post ids are unique, and every session and post belongs to its document.
func prepareImport(docs []agenda.Snapshot) ([]agenda.Snapshot, error) {
	out := make([]agenda.Snapshot, len(docs))
	var errs []error
	seenSeries := map[string]int{}
	for i, d := range docs {
		var es agenda.Errors
		s := d.Series
		s.Reminders = slices.Clone(s.Reminders) // Normalize sorts in place
		s.Normalize()
		addErr(&es, s.Validate(), "series")
		if j, dup := seenSeries[s.Slug]; dup && s.Slug != "" {
			es = append(es, &agenda.FieldError{Field: "series.slug", Value: s.Slug,
				Msg: fmt.Sprintf("already imported by document %d; a series appears once per import", j)})
		}
		seenSeries[s.Slug] = i
		o := agenda.Snapshot{Series: s}
		keys, uids := map[string]int{}, map[string]int{}
		for j, sess := range d.Sessions {
			field := fmt.Sprintf("sessions[%d]", j)
			sess.People = slices.Clone(sess.People) // Normalize edits in place
			sess.Normalize(&s)
			addErr(&es, sess.Validate(), field)
			if sess.Series != s.Slug {
				es = append(es, &agenda.FieldError{Field: field + ".series", Value: sess.Series,
					Msg: fmt.Sprintf("expected %q, the series of this document, or nothing", s.Slug)})
			}
			if k, dup := keys[sess.Key]; dup && sess.Key != "" {
				es = append(es, &agenda.FieldError{Field: field + ".key", Value: sess.Key,
					Msg: fmt.Sprintf("already used by sessions[%d]", k)})
			}
			keys[sess.Key] = j
			if k, dup := uids[sess.UID]; dup && sess.UID != "" {
				es = append(es, &agenda.FieldError{Field: field + ".uid", Value: sess.UID,
					Msg: fmt.Sprintf("already used by sessions[%d]", k)})
			}
			uids[sess.UID] = j
			o.Sessions = append(o.Sessions, sess)
		}
		ids := map[string]int{}
		for j, p := range d.Posts {
			field := fmt.Sprintf("posts[%d]", j)
			p.Normalize(&s)
			addErr(&es, validatePost(&p), field)
			if p.Series != s.Slug {
				es = append(es, &agenda.FieldError{Field: field + ".series", Value: p.Series,
					Msg: fmt.Sprintf("expected %q, the series of this document, or nothing", s.Slug)})
			}
			if k, dup := ids[p.ID]; dup && p.ID != "" {
				es = append(es, &agenda.FieldError{Field: field + ".id", Value: p.ID,
					Msg: fmt.Sprintf("already used by posts[%d]", k)})
			}
			ids[p.ID] = j
			o.Posts = append(o.Posts, p)
		}
		if len(es) > 0 {
			errs = append(errs, fmt.Errorf("import series %q: %w", s.Slug, es))
		}
		out[i] = o
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// addErr appends a validation error's field errors under prefix.
func addErr(es *agenda.Errors, err error, prefix string) {
	if err == nil {
		return
	}
	var list agenda.Errors
	if errors.As(err, &list) {
		*es = append(*es, list.Prefix(prefix)...)
		return
	}
	var fe *agenda.FieldError
	if errors.As(err, &fe) {
		*es = append(*es, agenda.Errors{fe}.Prefix(prefix)...)
		return
	}
	*es = append(*es, &agenda.FieldError{Field: prefix, Msg: err.Error()})
}

// prefixErr puts a field path in front of a validation error from the write
// pass, leaving other errors as they are.
func prefixErr(err error, prefix string) error {
	var list agenda.Errors
	if errors.As(err, &list) {
		return list.Prefix(prefix)
	}
	return fmt.Errorf("%s: %w", prefix, err)
}
