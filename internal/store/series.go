package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

const seriesCols = `id, slug, title, description, homepage, zone, language, reminders,
	organizer_name, organizer_email, created, updated, revision`

type rowScanner interface{ Scan(dest ...any) error }

// scanSeries reads one row of seriesCols.
func scanSeries(r rowScanner) (int64, agenda.Series, error) {
	var (
		id                      int64
		s                       agenda.Series
		reminders, created, upd string
	)
	if err := r.Scan(&id, &s.Slug, &s.Title, &s.Description, &s.Homepage, &s.Zone, &s.Language, &reminders,
		&s.Organizer.Name, &s.Organizer.Email, &created, &upd, &s.Revision); err != nil {
		return id, s, err
	}
	var err error
	if s.Reminders, err = parseReminders(reminders); err != nil {
		return id, s, fmt.Errorf("series %q: %w", s.Slug, err)
	}
	if s.Created, err = parseTime(created); err != nil {
		return id, s, fmt.Errorf("series %q: %w", s.Slug, &badValue{column: "created", value: created, expected: expectStamp})
	}
	if s.Updated, err = parseTime(upd); err != nil {
		return id, s, fmt.Errorf("series %q: %w", s.Slug, &badValue{column: "updated", value: upd, expected: expectStamp})
	}
	return id, s, nil
}

// formatReminders stores reminders as whole minutes, comma-separated.
func formatReminders(rs []time.Duration) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = strconv.FormatInt(int64(r/time.Minute), 10)
	}
	return strings.Join(parts, ",")
}

func parseReminders(s string) ([]time.Duration, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	out := make([]time.Duration, len(parts))
	for i, p := range parts {
		m, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return nil, &badValue{column: "reminders", value: s,
				expected: "expected whole minutes before the start, comma-separated, such as 15,1440"}
		}
		out[i] = time.Duration(m) * time.Minute
	}
	return out, nil
}

// ListSeries returns every series, by slug.
func (db *DB) ListSeries(ctx context.Context) ([]agenda.Series, error) {
	rows, err := db.rq().QueryContext(ctx, `SELECT `+seriesCols+` FROM series ORDER BY slug`)
	if err != nil {
		return nil, fmt.Errorf("list series: %w", err)
	}
	defer rows.Close()
	var out []agenda.Series
	for rows.Next() {
		_, s, err := scanSeries(rows)
		if err != nil {
			return nil, fmt.Errorf("list series: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list series: %w", err)
	}
	return out, nil
}

// Series returns one series by slug.
func (db *DB) Series(ctx context.Context, slug string) (agenda.Series, error) {
	_, s, err := loadSeries(ctx, db.rq(), slug)
	return s, err
}

// loadSeries reads a series by slug; a missing one wraps agenda.ErrNotFound.
func loadSeries(ctx context.Context, q queryer, slug string) (int64, agenda.Series, error) {
	id, s, err := scanSeries(q.QueryRowContext(ctx, `SELECT `+seriesCols+` FROM series WHERE slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, s, &NotFoundError{Kind: "series", Name: slug}
	}
	if err != nil {
		return 0, s, fmt.Errorf("load series %q: %w", slug, err)
	}
	return id, s, nil
}

// Revisions returns every series' revision by slug, in one query.
func (db *DB) Revisions(ctx context.Context) (map[string]int64, error) {
	rows, err := db.rq().QueryContext(ctx, `SELECT slug, revision FROM series`)
	if err != nil {
		return nil, fmt.Errorf("read revisions: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var slug string
		var rev int64
		if err := rows.Scan(&slug, &rev); err != nil {
			return nil, fmt.Errorf("read revisions: %w", err)
		}
		out[slug] = rev
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read revisions: %w", err)
	}
	return out, nil
}

// seriesEndedQuery ranges over sessions_by_end (TestSeriesEndedBetween
// checks the plan); IN reads each series row once however many of its
// sessions ended.
const seriesEndedQuery = `SELECT se.slug FROM series se
	WHERE se.id IN (SELECT series_id FROM sessions WHERE end_at > ? AND end_at <= ?)
	ORDER BY se.slug`

// SeriesEndedBetween returns the slugs of the series that have a session
// whose end lies in (after, upTo], in slug order: the series whose pages, if
// rendered as of after, list as upcoming a session that is over by upTo.
// Instants are compared in whole seconds, as the store keeps them.
func (db *DB) SeriesEndedBetween(ctx context.Context, after, upTo time.Time) ([]string, error) {
	if !upTo.After(after) {
		return nil, nil
	}
	rows, err := db.rq().QueryContext(ctx, seriesEndedQuery, after.Unix(), upTo.Unix())
	if err != nil {
		return nil, fmt.Errorf("series with sessions ended between %s and %s: %w",
			after.UTC().Format(time.RFC3339), upTo.UTC().Format(time.RFC3339), err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var slug string
		if err := rows.Scan(&slug); err != nil {
			return nil, fmt.Errorf("series with sessions ended: %w", err)
		}
		out = append(out, slug)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("series with sessions ended: %w", err)
	}
	return out, nil
}

// PutSeries creates or updates the series with s.Slug. Created, Updated and
// Revision in s are ignored (only an import dates a new series); a change
// bumps Revision and sets Updated. A new series starts at revision 1, or,
// when a series with its slug was deleted, at the revision after that
// series' last one (see tombstone.go). ifRevision is Any, Absent (create only) or
// the revision the series must be at; a revision on a series that does not
// exist is a conflict.
func (db *DB) PutSeries(ctx context.Context, s agenda.Series, ifRevision int64) (agenda.Series, error) {
	if err := checkPutCondition("ifRevision", ifRevision); err != nil {
		return agenda.Series{}, err
	}
	s.Reminders = slices.Clone(s.Reminders)         // Normalize sorts in place: not the caller's
	s.Created, s.Updated = time.Time{}, time.Time{} // only an import may date a new series
	s.Normalize()
	if err := s.Validate(); err != nil {
		return agenda.Series{}, err
	}
	var out agenda.Series
	err := db.write(ctx, func(w *writeTx) error {
		var err error
		out, _, _, err = w.putSeries(ctx, s, ifRevision)
		return err
	})
	if err != nil {
		return agenda.Series{}, err
	}
	return out, nil
}

// outcome says what a put did.
type outcome int

const (
	unchanged outcome = iota
	created
	updated
)

// putSeries upserts a normalised, validated series. A new series is
// created at s.Created when it is set (an import re-creating a series from
// its export: its feed ids carry that date), else now, and last changed at
// s.Updated when it is set (empty feeds and calendars carry it), never
// before it was created, else now; an existing one keeps its own created
// time, and takes now as its updated time when it changes.
func (w *writeTx) putSeries(ctx context.Context, s agenda.Series, ifRevision int64) (agenda.Series, int64, outcome, error) {
	id, cur, err := loadSeries(ctx, w.tx, s.Slug)
	switch {
	case errors.Is(err, agenda.ErrNotFound):
		if ifRevision != Any && ifRevision != Absent {
			return agenda.Series{}, 0, 0, conflict("series %q does not exist, but revision %d was given", s.Slug, ifRevision)
		}
		createdAt, err := w.restoredStamp(s.Created, "series.created", "when the series was created")
		if err != nil {
			return agenda.Series{}, 0, 0, err
		}
		updatedAt, err := w.restoredStamp(s.Updated, "series.updated", "when the series last changed")
		if err != nil {
			return agenda.Series{}, 0, 0, err
		}
		// Text compares as the instants do (timeLayout).
		updatedAt = max(updatedAt, createdAt)
		// A slug used before continues from its last revision: what was
		// published and cached under it must never match the new series.
		last, err := w.buriedRevision(ctx, s.Slug)
		if err != nil {
			return agenda.Series{}, 0, 0, fmt.Errorf("create series %q: %w", s.Slug, err)
		}
		res, err := w.tx.ExecContext(ctx, `INSERT INTO series (slug, title, description, homepage, zone, language,
			reminders, organizer_name, organizer_email, created, updated, revision) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
			s.Slug, s.Title, s.Description, s.Homepage, s.Zone, s.Language, formatReminders(s.Reminders),
			s.Organizer.Name, s.Organizer.Email, createdAt, updatedAt, last+1)
		if err != nil {
			return agenda.Series{}, 0, 0, fmt.Errorf("create series %q: %w", s.Slug, err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return agenda.Series{}, 0, 0, fmt.Errorf("create series %q: %w", s.Slug, err)
		}
		w.bumped[id] = true // its first revision is this transaction's one bump
		if updatedAt != formatTime(w.now) {
			w.dated[id] = true // see bump
		}
		w.changed = true
		_, out, err := loadSeries(ctx, w.tx, s.Slug)
		return out, id, created, err
	case err != nil:
		return agenda.Series{}, 0, 0, err
	}
	if ifRevision == Absent {
		return agenda.Series{}, 0, 0, conflict("series %q already exists (revision %d)", s.Slug, cur.Revision)
	}
	if ifRevision != Any && ifRevision != cur.Revision {
		return agenda.Series{}, 0, 0, conflict("series %q is at revision %d, not %d", s.Slug, cur.Revision, ifRevision)
	}
	if sameSeries(cur, s) {
		return cur, id, unchanged, nil
	}
	if _, err := w.tx.ExecContext(ctx, `UPDATE series SET title = ?, description = ?, homepage = ?, zone = ?,
		language = ?, reminders = ?, organizer_name = ?, organizer_email = ? WHERE id = ?`,
		s.Title, s.Description, s.Homepage, s.Zone, s.Language, formatReminders(s.Reminders),
		s.Organizer.Name, s.Organizer.Email, id); err != nil {
		return agenda.Series{}, 0, 0, fmt.Errorf("update series %q: %w", s.Slug, err)
	}
	if err := w.reviseEvents(ctx, id, cur, s); err != nil {
		return agenda.Series{}, 0, 0, err
	}
	if err := w.bumpSeries(ctx, id); err != nil {
		return agenda.Series{}, 0, 0, err
	}
	_, out, err := loadSeries(ctx, w.tx, s.Slug)
	return out, id, updated, err
}

// reviseEvents marks the sessions whose calendar events a series edit
// changes. Each session's VEVENT carries two things of its series: the
// ORGANIZER (when the organiser has an e-mail; without one none is
// written) and the series' reminders as VALARMs (not on a cancelled
// session, which has none). Calendar clients take an updated event by its
// SEQUENCE, then its DTSTAMP, so an event whose content changed with the
// same stamps would be kept stale; feeds/ical writes both LAST-MODIFIED and
// DTSTAMP from the session's updated time, which moves here.
//
// SEQUENCE (RFC 5545 3.8.7.4) counts the organiser's significant revisions,
// and every change to a session's own published fields bumps it; a new
// ORGANIZER is one too (it is who attendees answer to), so it bumps every
// session's sequence. Reminders are the subscriber's alarms, not part of
// what is scheduled (RFC 5546 does not count VALARM among the properties
// whose change needs a new sequence, and clients keep their own alarms
// across revisions): a change to them moves the stamps only, which with an
// equal SEQUENCE is how a client knows the event is newer.
func (w *writeTx) reviseEvents(ctx context.Context, seriesID int64, cur, next agenda.Series) error {
	if !RevisesEvents(cur, next) {
		return nil
	}
	now := formatTime(w.now)
	if publishedOrganizer(cur) != publishedOrganizer(next) {
		if _, err := w.tx.ExecContext(ctx, `UPDATE sessions SET sequence = min(sequence + 1, 2147483647), updated = max(updated, ?) WHERE series_id = ?`,
			now, seriesID); err != nil {
			return fmt.Errorf("update series %q: revise its sessions for the new organizer: %w", next.Slug, err)
		}
	}
	if !slices.Equal(cur.Reminders, next.Reminders) {
		if _, err := w.tx.ExecContext(ctx, `UPDATE sessions SET updated = max(updated, ?) WHERE series_id = ? AND status != ?`,
			now, seriesID, string(agenda.StatusCancelled)); err != nil {
			return fmt.Errorf("update series %q: revise its sessions for the new reminders: %w", next.Slug, err)
		}
	}
	return nil
}

// RevisesEvents reports whether changing a series from cur to next changes
// the calendar events of its sessions (see reviseEvents), so that a caller
// listing what a write changed lists every session's calendar.
func RevisesEvents(cur, next agenda.Series) bool {
	return publishedOrganizer(cur) != publishedOrganizer(next) || !slices.Equal(cur.Reminders, next.Reminders)
}

// publishedOrganizer is the organiser as the sessions' events carry it:
// nobody without an e-mail, which is what ORGANIZER's value is.
func publishedOrganizer(s agenda.Series) agenda.Organizer {
	if s.Organizer.Email == "" {
		return agenda.Organizer{}
	}
	return s.Organizer
}

// sameSeries compares what a series publishes, ignoring the store's fields.
func sameSeries(a, b agenda.Series) bool {
	return a.Slug == b.Slug && a.Title == b.Title && a.Description == b.Description &&
		a.Homepage == b.Homepage && a.Zone == b.Zone && a.Language == b.Language &&
		slices.Equal(a.Reminders, b.Reminders) && a.Organizer == b.Organizer
}

// DeleteSeries deletes a series with its sessions and posts. ifRevision is
// Any or the revision the series must be at. The series' revision and its
// sessions' sequences are kept as tombstones, which a series or session
// created again with the slug or a UID continues from.
func (db *DB) DeleteSeries(ctx context.Context, slug string, ifRevision int64) error {
	if err := checkCondition("ifRevision", ifRevision); err != nil {
		return err
	}
	return db.write(ctx, func(w *writeTx) error {
		id, cur, err := loadSeries(ctx, w.tx, slug)
		if err != nil {
			return fmt.Errorf("delete series: %w", err)
		}
		if ifRevision != Any && ifRevision != cur.Revision {
			return conflict("delete series %q: it is at revision %d, not %d", slug, cur.Revision, ifRevision)
		}
		if err := w.burySeries(ctx, id, slug, cur.Revision); err != nil {
			return fmt.Errorf("delete series %q: %w", slug, err)
		}
		if _, err := w.tx.ExecContext(ctx, `DELETE FROM series WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete series %q: %w", slug, err)
		}
		w.changed = true
		return nil
	})
}
