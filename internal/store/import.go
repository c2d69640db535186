package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// ImportResult counts what an import did (or, dry, would do).
type ImportResult struct {
	Series                                        int // series in the import, created, changed or not
	SeriesCreated, SeriesUpdated, SeriesUnchanged int // by the series' own fields, not its sessions and posts
	// A session the document repeats as stored still counts as updated
	// when the series edit revised its event (a new organizer or new
	// reminders, see reviseEvents): its SEQUENCE or stamps moved, and
	// calendars fetch it again.
	SessionsCreated, SessionsUpdated, SessionsUnchanged int
	PostsCreated, PostsUpdated, PostsUnchanged          int
	// Stored sessions and posts of the imported series that the documents
	// do not name, whose own fields an import leaves as they are (a series
	// edit that revises every event revises theirs too).
	SessionsLeftAlone, PostsLeftAlone int
}

// ImportDoc is one document to import and, optionally, where its items
// came from.
type ImportDoc struct {
	Snapshot agenda.Snapshot
	// Locate, when set, names session or post i of Snapshot (kind
	// "sessions" or "posts") in errors as its source does: its path there
	// ("sessions[3]": a snapshot is sorted, its source need not be), the
	// source's name and the item's line, or "" and 0 when there are none.
	// Nil names items by their index in the snapshot.
	Locate func(kind string, i int) (path, file string, line int)
	// IfRevision, when not 0, is the revision the series must still be at
	// (Absent: it must still not exist). A caller that read the stored
	// series to fill in the keys a file leaves out (importer.Options.Stored)
	// sets it, so that an edit made in between is never written back over:
	// the import fails with a conflict and writes nothing. 0 and Any set no
	// condition.
	IfRevision int64
}

// locate names item i of a document for errors.
func (d *ImportDoc) locate(kind string, i int) (path, file string, line int) {
	if d.Locate == nil {
		return fmt.Sprintf("%s[%d]", kind, i), "", 0
	}
	return d.Locate(kind, i)
}

// Import is ImportDocs for documents without a source.
func (db *DB) Import(ctx context.Context, docs []agenda.Snapshot) (ImportResult, error) {
	in := make([]ImportDoc, len(docs))
	for i, d := range docs {
		in[i] = ImportDoc{Snapshot: d}
	}
	return db.ImportDocs(ctx, in)
}

// ImportChanges names, by series slug, the keys of the sessions whose
// published events an import changed: those created or updated (a
// renamed session under its new key and its old one), those a series edit
// revised, and those showing a person whose URL it changed, in any series.
// Each key appears once per series, sorted.
type ImportChanges map[string][]string

// ImportDocs writes whole documents, all or nothing, in one transaction:
// each series is upserted by slug, its sessions by UID when given, else by
// key, and its posts by id. Sessions and posts that are stored but absent
// from a document are left alone. Re-importing the same documents changes
// nothing.
//
// A session's UID claims its stored session before any key does: the
// sessions with a UID are written first, so a document that renames a
// stored session (by UID) and gives its old key to a new session (without
// one) creates that session instead of merging it into the renamed one.
//
// Every document is normalised and validated before anything is written,
// and all the validation errors are reported together, with field paths
// such as "sessions[3].start" and the series slug in the message.
func (db *DB) ImportDocs(ctx context.Context, in []ImportDoc) (ImportResult, error) {
	res, _, err := db.importDocs(ctx, in, db.write)
	return res, err
}

// ImportDocsChanges is ImportDocs that also says which sessions' events
// changed, for a caller that must name the files the import changes.
func (db *DB) ImportDocsChanges(ctx context.Context, in []ImportDoc) (ImportResult, ImportChanges, error) {
	return db.importDocs(ctx, in, db.write)
}

// DryImportDocs is ImportDocs in a transaction that is rolled back: it
// fails exactly where ImportDocs would, with the same errors, and counts
// what ImportDocs would do, but writes nothing. It holds the write lock
// while it runs, as ImportDocs does.
func (db *DB) DryImportDocs(ctx context.Context, in []ImportDoc) (ImportResult, error) {
	res, _, err := db.importDocs(ctx, in, db.writeRolledBack)
	return res, err
}

func (db *DB) importDocs(ctx context.Context, in []ImportDoc, write func(context.Context, func(*writeTx) error) error) (ImportResult, ImportChanges, error) {
	docs, err := prepareImport(in)
	if err != nil {
		return ImportResult{}, nil, err
	}
	var res ImportResult
	var changes ImportChanges
	err = write(ctx, func(w *writeTx) error {
		res = ImportResult{}
		changes = ImportChanges{}
		for i, d := range docs {
			slug := d.Series.Slug
			cond := in[i].IfRevision
			if cond == 0 {
				cond = Any
			}
			_, before, err := loadSeries(ctx, w.tx, slug)
			existed := err == nil
			if err != nil && !errors.Is(err, agenda.ErrNotFound) {
				return fmt.Errorf("import series %q: %w", slug, err)
			}
			after, seriesID, oc, err := w.putSeries(ctx, d.Series, cond)
			if errors.Is(err, agenda.ErrConflict) && cond != Any {
				return fmt.Errorf("import series %q: it changed while the file was being read; import again: %w", slug, err)
			}
			if err != nil {
				return fmt.Errorf("import series %q: %w", slug, err)
			}
			res.Series++
			count(oc, &res.SeriesCreated, &res.SeriesUpdated, &res.SeriesUnchanged)
			newOrganizer := existed && publishedOrganizer(before) != publishedOrganizer(after)
			newReminders := existed && !slices.Equal(before.Reminders, after.Reminders)
			for _, j := range uidsFirst(d.Sessions) {
				// A session renamed by its UID leaves its old key's
				// calendar behind, which changes too (it goes).
				oldKey := ""
				if uid := d.Sessions[j].UID; uid != "" {
					if cur, err := loadSession(ctx, w.tx, uid, `WHERE s.uid = ?`, uid); err == nil {
						oldKey = cur.Key
					} else if !errors.Is(err, agenda.ErrNotFound) {
						return itemErr(&in[i], slug, "sessions", j, err)
					}
				}
				ss, oc, err := w.putSession(ctx, seriesID, d.Sessions[j], Any)
				if err != nil {
					return itemErr(&in[i], slug, "sessions", j, err)
				}
				// As reviseEvents decides: a new organizer revises every
				// event, new reminders those that are not cancelled.
				if oc == unchanged && (newOrganizer || newReminders && ss.Status != agenda.StatusCancelled) {
					oc = updated
				}
				count(oc, &res.SessionsCreated, &res.SessionsUpdated, &res.SessionsUnchanged)
				if oc != unchanged {
					changes[slug] = append(changes[slug], ss.Key)
					if oldKey != "" && oldKey != ss.Key {
						changes[slug] = append(changes[slug], oldKey)
					}
				}
			}
			if newOrganizer || newReminders {
				// Sessions the document does not name are revised too.
				if err := changes.addRevised(ctx, w.tx, seriesID, slug, newOrganizer); err != nil {
					return fmt.Errorf("import series %q: %w", slug, err)
				}
			}
			for j, p := range d.Posts {
				_, oc, err := w.putPost(ctx, seriesID, p, Any)
				if err != nil {
					return itemErr(&in[i], slug, "posts", j, err)
				}
				count(oc, &res.PostsCreated, &res.PostsUpdated, &res.PostsUnchanged)
			}
			// Each item of a document is a distinct stored row (keys, UIDs
			// and ids are unique in it), so the rest were left alone.
			var sessions, posts int
			if err := w.tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM sessions WHERE series_id = ?),
				(SELECT count(*) FROM posts WHERE series_id = ?)`, seriesID, seriesID).Scan(&sessions, &posts); err != nil {
				return fmt.Errorf("import series %q: count what it left alone: %w", slug, err)
			}
			res.SessionsLeftAlone += sessions - len(d.Sessions)
			res.PostsLeftAlone += posts - len(d.Posts)
		}
		return changes.addPeople(ctx, w.tx, w.people)
	})
	if err != nil {
		return ImportResult{}, nil, err
	}
	for slug, keys := range changes {
		slices.Sort(keys)
		changes[slug] = slices.Compact(keys)
	}
	return res, changes, nil
}

// addRevised adds the sessions of a series whose events a new organizer
// (all) or new reminders (those not cancelled) revised, as reviseEvents
// decides.
func (c ImportChanges) addRevised(ctx context.Context, tx conn, seriesID int64, slug string, all bool) error {
	rows, err := tx.QueryContext(ctx, `SELECT key FROM sessions WHERE series_id = ? AND (? OR status != ?)`,
		seriesID, all, string(agenda.StatusCancelled))
	if err != nil {
		return fmt.Errorf("sessions revised: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		if err := rows.Scan(&key); err != nil {
			return fmt.Errorf("sessions revised: %w", err)
		}
		c[slug] = append(c[slug], key)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sessions revised: %w", err)
	}
	return nil
}

// addPeople adds the sessions, in any series, that show one of people.
func (c ImportChanges) addPeople(ctx context.Context, tx conn, people map[int64]bool) error {
	for id := range people {
		rows, err := tx.QueryContext(ctx, `SELECT se.slug, s.key FROM session_people sp
			JOIN sessions s ON s.id = sp.session_id JOIN series se ON se.id = s.series_id
			WHERE sp.person_id = ?`, id)
		if err != nil {
			return fmt.Errorf("sessions of person %d: %w", id, err)
		}
		for rows.Next() {
			var slug, key string
			if err := rows.Scan(&slug, &key); err != nil {
				rows.Close()
				return fmt.Errorf("sessions of person %d: %w", id, err)
			}
			c[slug] = append(c[slug], key)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sessions of person %d: %w", id, err)
		}
	}
	return nil
}

// uidsFirst returns the indices of the sessions with a UID, then of those
// without, each in order.
func uidsFirst(sessions []agenda.Session) []int {
	order := make([]int, 0, len(sessions))
	for j, s := range sessions {
		if s.UID != "" {
			order = append(order, j)
		}
	}
	for j, s := range sessions {
		if s.UID == "" {
			order = append(order, j)
		}
	}
	return order
}

// ItemError is a problem with one session or post of an import found
// while writing (a UID of another series, a post linked to no stored
// session, a rename onto a taken key), named as its source names it.
type ItemError struct {
	Series string
	File   string // the source, "" without one
	Line   int    // the item's line in File
	Err    error  // with the item's path ("sessions[1]") in front
}

func (e *ItemError) Error() string {
	if e.File == "" {
		return fmt.Sprintf("import series %q: %v", e.Series, e.Err)
	}
	// One line per problem, each with the position, as the importer writes.
	pos := fmt.Sprintf("%s:%d: ", e.File, e.Line)
	return pos + strings.ReplaceAll(e.Err.Error(), "\n", "\n"+pos)
}

func (e *ItemError) Unwrap() error { return e.Err }

func itemErr(d *ImportDoc, series, kind string, i int, err error) error {
	if errors.Is(err, ErrBusy) {
		return err
	}
	path, file, line := d.locate(kind, i)
	return &ItemError{Series: series, File: file, Line: line, Err: prefixErr(err, path)}
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
func prepareImport(in []ImportDoc) ([]agenda.Snapshot, error) {
	out := make([]agenda.Snapshot, len(in))
	var errs []error
	seenSeries := map[string]int{}
	for i := range in {
		d := in[i].Snapshot
		if err := checkPutCondition("IfRevision", in[i].IfRevision); err != nil {
			errs = append(errs, fmt.Errorf("import series %q: %w", d.Series.Slug, err))
		}
		path := func(kind string, j int) string {
			p, _, _ := in[i].locate(kind, j)
			return p
		}
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
			field := path("sessions", j)
			sess.People = slices.Clone(sess.People) // Normalize edits in place
			sess.Normalize(&s)
			addErr(&es, sess.Validate(), field)
			if sess.Series != s.Slug {
				es = append(es, &agenda.FieldError{Field: field + ".series", Value: sess.Series,
					Msg: fmt.Sprintf("expected %q, the series of this document, or nothing", s.Slug)})
			}
			if k, dup := keys[sess.Key]; dup && sess.Key != "" {
				es = append(es, &agenda.FieldError{Field: field + ".key", Value: sess.Key,
					Msg: "already used by " + path("sessions", k)})
			}
			keys[sess.Key] = j
			if sess.UID == "" {
				// A sequence belongs to a UID: without one the session is
				// matched by key or gets a new UID, a new event.
				sess.Sequence = 0
			}
			if sess.Sequence < 0 {
				es = append(es, &agenda.FieldError{Field: field + ".sequence", Value: fmt.Sprint(sess.Sequence),
					Msg: "expected a whole number, 0 or more"})
			}
			if k, dup := uids[sess.UID]; dup && sess.UID != "" {
				es = append(es, &agenda.FieldError{Field: field + ".uid", Value: sess.UID,
					Msg: "already used by " + path("sessions", k)})
			}
			uids[sess.UID] = j
			o.Sessions = append(o.Sessions, sess)
		}
		ids := map[string]int{}
		for j, p := range d.Posts {
			field := path("posts", j)
			p.Normalize(&s)
			addErr(&es, validatePost(&p), field)
			if p.Series != s.Slug {
				es = append(es, &agenda.FieldError{Field: field + ".series", Value: p.Series,
					Msg: fmt.Sprintf("expected %q, the series of this document, or nothing", s.Slug)})
			}
			if k, dup := ids[p.ID]; dup && p.ID != "" {
				es = append(es, &agenda.FieldError{Field: field + ".id", Value: p.ID,
					Msg: "already used by " + path("posts", k)})
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
