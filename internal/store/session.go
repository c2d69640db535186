package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// sessionSelect reads sessions with the slug of their series; a query adds
// its WHERE and ORDER BY.
const sessionSelect = `SELECT s.id, s.series_id, s.uid, se.slug, s.key, s.title, s.description, s.all_day,
	s.start_wall, s.end_wall, s.start_date, s.end_date, s.zone, s.venue, s.address, s.online_url, s.status,
	s.language, s.tags, s.url, s.sequence, s.created, s.updated
	FROM sessions s JOIN series se ON se.id = s.series_id `

// sessionOrder is the order of every list of sessions: start instant, then
// series, then key, so that equal starts still list the same way each time.
const sessionOrder = ` ORDER BY s.start_at, se.slug, s.key`

// storedSession is a session row with the ids the write path needs.
type storedSession struct {
	id, seriesID int64
	agenda.Session
}

func scanSession(r rowScanner) (storedSession, error) {
	var (
		ss                                   storedSession
		s                                    = &ss.Session
		allDay                               bool
		startWall, endWall, startDate, endDt string
		tags, created, upd                   string
		status                               string
	)
	if err := r.Scan(&ss.id, &ss.seriesID, &s.UID, &s.Series, &s.Key, &s.Title, &s.Description, &allDay,
		&startWall, &endWall, &startDate, &endDt, &s.Zone, &s.Venue, &s.Address, &s.OnlineURL, &status,
		&s.Language, &tags, &s.URL, &s.Sequence, &created, &upd); err != nil {
		return ss, err
	}
	s.AllDay = allDay
	s.Status = agenda.Status(status)
	if tags != "" {
		s.Tags = strings.Split(tags, "\n")
	}
	var in *interner
	if err := in.decodeSession(s, startWall, endWall, startDate, endDt, created, upd); err != nil {
		return ss, err
	}
	return ss, nil
}

// loadSessions runs sessionSelect with the given WHERE/ORDER/LIMIT tail and
// attaches each session's people. The tail is reused as a sub-query for the
// people, so both reads select the same sessions; inside a transaction they
// also see the same data.
func loadSessions(ctx context.Context, q queryer, tail string, args ...any) ([]storedSession, error) {
	rows, err := q.QueryContext(ctx, sessionSelect+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []storedSession
	index := map[int64]int{}
	for rows.Next() {
		ss, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		index[ss.id] = len(out)
		out = append(out, ss)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(out) == 0 {
		return nil, nil
	}
	var peopleQuery string
	peopleArgs := args
	if len(out) == 1 {
		peopleQuery = `WHERE sp.session_id = ?`
		peopleArgs = []any{out[0].id}
	} else {
		peopleQuery = `WHERE sp.session_id IN (SELECT s.id FROM sessions s JOIN series se ON se.id = s.series_id ` + tail + `)`
	}
	prow, err := q.QueryContext(ctx, `SELECT sp.session_id, p.id, p.name, p.url, sp.affiliation, sp.role
		FROM session_people sp JOIN people p ON p.id = sp.person_id `+peopleQuery+`
		ORDER BY sp.session_id, sp.position`, peopleArgs...)
	if err != nil {
		return nil, fmt.Errorf("people: %w", err)
	}
	defer prow.Close()
	for prow.Next() {
		var sid int64
		var p agenda.Participant
		var role string
		if err := prow.Scan(&sid, &p.ID, &p.Name, &p.URL, &p.Affiliation, &role); err != nil {
			return nil, fmt.Errorf("people: %w", err)
		}
		p.Role = agenda.Role(role)
		if i, ok := index[sid]; ok {
			out[i].People = append(out[i].People, p)
		}
	}
	if err := prow.Err(); err != nil {
		return nil, fmt.Errorf("people: %w", err)
	}
	return out, nil
}

// loadSession reads the one session the tail selects, or reports not found.
func loadSession(ctx context.Context, q queryer, what string, tail string, args ...any) (storedSession, error) {
	ss, err := loadSessions(ctx, q, tail, args...)
	if err != nil {
		return storedSession{}, fmt.Errorf("load session %s: %w", what, err)
	}
	if len(ss) == 0 {
		return storedSession{}, &NotFoundError{Kind: "session", Name: what}
	}
	return ss[0], nil
}

func sessionsOf(ss []storedSession) []agenda.Session {
	if len(ss) == 0 {
		return nil
	}
	out := make([]agenda.Session, len(ss))
	for i := range ss {
		out[i] = ss[i].Session
	}
	return out
}

// SessionFilter selects sessions. Zero fields select everything.
type SessionFilter struct {
	Series   string        // slug
	From, To time.Time     // instants: sessions overlapping [From, To)
	Status   agenda.Status // only sessions with this status
	Limit    int           // at most this many; 0 means no limit
	Offset   int           // skip this many first
}

// Sessions lists sessions ordered by start instant, then series, then key.
func (db *DB) Sessions(ctx context.Context, f SessionFilter) ([]agenda.Session, error) {
	var conds []string
	var args []any
	if f.Series != "" {
		conds = append(conds, "se.slug = ?")
		args = append(args, f.Series)
	}
	if !f.To.IsZero() {
		conds = append(conds, "s.start_at < ?")
		args = append(args, f.To.Unix())
	}
	if !f.From.IsZero() {
		conds = append(conds, "s.end_at > ?")
		args = append(args, f.From.Unix())
	}
	if f.Status != "" {
		conds = append(conds, "s.status = ?")
		args = append(args, string(f.Status))
	}
	tail := ""
	if len(conds) > 0 {
		tail = "WHERE " + strings.Join(conds, " AND ")
	}
	tail += sessionOrder
	if f.Limit > 0 || f.Offset > 0 {
		limit := f.Limit
		if limit <= 0 {
			limit = -1
		}
		tail += " LIMIT ? OFFSET ?"
		args = append(args, limit, f.Offset)
	}
	var out []storedSession
	err := db.read(ctx, func(q queryer) error {
		var err error
		out, err = loadSessions(ctx, q, tail, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return sessionsOf(out), nil
}

// Session returns a session by UID.
func (db *DB) Session(ctx context.Context, uid string) (agenda.Session, error) {
	var ss storedSession
	err := db.read(ctx, func(q queryer) error {
		var err error
		ss, err = loadSession(ctx, q, uid, `WHERE s.uid = ?`, uid)
		return err
	})
	return ss.Session, err
}

// SessionByKey returns a session by series slug and key.
func (db *DB) SessionByKey(ctx context.Context, series, key string) (agenda.Session, error) {
	var ss storedSession
	err := db.read(ctx, func(q queryer) error {
		var err error
		ss, err = loadSession(ctx, q, fmt.Sprintf("%s/%s", series, key), `WHERE se.slug = ? AND s.key = ?`, series, key)
		return err
	})
	var nf *NotFoundError
	if errors.As(err, &nf) {
		err = &NotFoundError{Kind: "session", Series: series, Name: key}
	}
	return ss.Session, err
}

// PutSession creates or updates a session: by UID when s.UID is set, else by
// (series, key). See the package doc for the rules every write follows.
//
// Creating assigns a UID (unless s carries one), Sequence 0 and
// Created = Updated = now. A session created with a UID starts at
// s.Sequence when ifSequence is Absent (a client re-creating an event it
// knows), and above the last sequence of a deleted session with that UID;
// otherwise Sequence in s is ignored. Every change bumps Sequence by one
// and sets Updated. A session addressed by UID may change its key; it can never move
// to another series (a field error) or change its UID (a conflict: the UID
// given belongs to no session, but the key to one with another UID).
//
// People are matched to person rows by name; a participant's Person.ID is
// ignored on input. The affiliation is kept with this appearance, and the
// person's row takes it as their latest when the session changes. A
// non-empty participant URL becomes the person's URL, which changes every
// series they appear in.
//
// ifSequence is Any, Absent (create only: neither the key in the series nor
// the UID, if given, may exist) or the sequence the session must be at (0
// for one never changed); a sequence on a session that does not exist is a
// conflict.
func (db *DB) PutSession(ctx context.Context, s agenda.Session, ifSequence int64) (agenda.Session, error) {
	return db.PutSessionMatching(ctx, s, ifSequence, nil)
}

// Match is a condition on a session as stored, checked inside the
// transaction of the write it guards, so that no other connection's write
// comes between the check and the write. An error refuses the write and is
// returned as it is; one that means "changed meanwhile" should wrap
// agenda.ErrConflict. A sequence condition alone cannot tell two versions
// of a session at agenda.MaxSequence apart, nor see a change made through
// another record the session shows (a person's URL); a Match can compare
// whatever it likes, such as a hash of the whole representation.
type Match func(cur agenda.Session) error

// PutSessionMatching is PutSession, and when match is not nil and s names
// an existing session by UID, the write happens only if match accepts that
// session as stored.
func (db *DB) PutSessionMatching(ctx context.Context, s agenda.Session, ifSequence int64, match Match) (agenda.Session, error) {
	if err := checkPutCondition("ifSequence", ifSequence); err != nil {
		return agenda.Session{}, err
	}
	s.People = slices.Clone(s.People)               // Normalize edits in place: not the caller's
	s.Created, s.Updated = time.Time{}, time.Time{} // only an import may date a new session
	if ifSequence != Absent || s.UID == "" {
		// A sequence belongs to a UID, and only a create may carry one;
		// an update's is the stored one's, plus one.
		s.Sequence = 0
	}
	if s.Sequence < 0 {
		return agenda.Session{}, agenda.Errors{{Field: "sequence", Value: fmt.Sprint(s.Sequence),
			Msg: "expected a whole number, 0 or more"}}
	}
	var out agenda.Session
	err := db.write(ctx, func(w *writeTx) error {
		if match != nil && s.UID != "" {
			cur, err := loadSession(ctx, w.tx, s.UID, `WHERE s.uid = ?`, s.UID)
			switch {
			case err == nil:
				if err := match(cur.Session); err != nil {
					return err
				}
			case !errors.Is(err, agenda.ErrNotFound): // a missing one is putSession's to judge
				return err
			}
		}
		seriesID, series, err := w.sessionSeries(ctx, &s)
		if err != nil {
			return err
		}
		s.Normalize(&series)
		if err := s.Validate(); err != nil {
			return err
		}
		out, _, err = w.putSession(ctx, seriesID, s, ifSequence)
		return err
	})
	if err != nil {
		return agenda.Session{}, err
	}
	return out, nil
}

// sessionSeries loads the series a session input names. An input without a
// series fails validation as any other input would, except that an absent
// zone is not reported: it would be the series' zone, so the missing series
// is the one error there.
func (w *writeTx) sessionSeries(ctx context.Context, s *agenda.Session) (int64, agenda.Series, error) {
	if s.Series == "" {
		s.Normalize(nil)
		v := *s
		if v.Zone == "" {
			v.Zone = "UTC" // any zone: only the series can give the real one
		}
		if err := v.Validate(); err != nil {
			return 0, agenda.Series{}, err
		}
	}
	id, series, err := loadSeries(ctx, w.tx, s.Series)
	if err != nil {
		return 0, agenda.Series{}, fmt.Errorf("put session %q: %w", s.Key, err)
	}
	return id, series, nil
}

// personRef is a participant resolved to a person row.
type personRef struct {
	id               int64 // 0: not stored yet
	affiliation, url string
}

// putSession upserts a normalised, validated session of the series seriesID.
// s.Sequence is a floor: a session created with s.UID starts at it, and a
// put never leaves the sequence below it (one above the stored sequence is
// a change by itself), so that a session removed and
// re-imported from its export is not older, to calendars, than the copy
// they hold (they keep the higher SEQUENCE). A session created with the UID
// of a deleted one starts above that one's last sequence too, which the
// export may not have (it was edited after the export was made). A new
// session is created at s.Created when it is set (an import re-creating a
// series from its export: calendars' CREATED and the announcement's
// published date come from it), else now, and last changed at s.Updated
// when it is set (DTSTAMP, LAST-MODIFIED and the announcement's updated
// date), never before it was created, else now. An existing one keeps its
// created time, and a change sets its updated time to now, never back.
func (w *writeTx) putSession(ctx context.Context, seriesID int64, s agenda.Session, ifSequence int64) (agenda.Session, outcome, error) {
	startAt, endAt, err := s.Interval()
	if err != nil {
		return agenda.Session{}, 0, fmt.Errorf("put session %q: %w", s.Key, err)
	}
	if ifSequence == Absent && s.UID != "" {
		// Before findSession, which refuses a UID of another series as a
		// move: creating, that UID is simply taken.
		other, err := loadSession(ctx, w.tx, s.UID, `WHERE s.uid = ?`, s.UID)
		switch {
		case err == nil:
			return agenda.Session{}, 0, conflict("a session with uid %s already exists (%s/%s)", s.UID, other.Series, other.Key)
		case !errors.Is(err, agenda.ErrNotFound):
			return agenda.Session{}, 0, err
		}
	}
	cur, found, err := w.findSession(ctx, seriesID, s)
	if err != nil {
		return agenda.Session{}, 0, err
	}
	switch {
	case ifSequence == Absent:
		if found {
			return agenda.Session{}, 0, conflict("session %s/%s already exists (uid %s)", s.Series, s.Key, cur.UID)
		}
	case ifSequence != Any:
		if !found {
			return agenda.Session{}, 0, conflict("session %s/%s does not exist, but sequence %d was given", s.Series, s.Key, ifSequence)
		}
		if cur.Sequence != ifSequence {
			return agenda.Session{}, 0, conflict("session %s is at sequence %d, not %d", cur.UID, cur.Sequence, ifSequence)
		}
	}

	refs := make([]personRef, len(s.People))
	var urlChanged []int // indexes into s.People
	for i, p := range s.People {
		err := w.tx.QueryRowContext(ctx, `SELECT id, affiliation, url FROM people WHERE name = ?`, p.Name).
			Scan(&refs[i].id, &refs[i].affiliation, &refs[i].url)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return agenda.Session{}, 0, fmt.Errorf("put session %q: person %q: %w", s.Key, p.Name, err)
		case p.URL != "" && p.URL != refs[i].url:
			urlChanged = append(urlChanged, i)
		}
	}
	// A higher sequence alone is a change: a file from a database that got
	// further (a restore, then an import of the later export) must raise
	// the stored one, or the next edit would publish a SEQUENCE lower than
	// calendars already hold, and they would ignore it.
	changed := !found || !sameSession(cur.Session, s) || s.Sequence > cur.Sequence
	if !changed && len(urlChanged) == 0 {
		return cur.Session, unchanged, nil
	}

	for _, i := range urlChanged {
		if _, err := w.tx.ExecContext(ctx, `UPDATE people SET url = ? WHERE id = ?`, s.People[i].URL, refs[i].id); err != nil {
			return agenda.Session{}, 0, fmt.Errorf("put session %q: person %q: %w", s.Key, s.People[i].Name, err)
		}
		if err := w.bumpSeriesOfPerson(ctx, refs[i].id); err != nil {
			return agenda.Session{}, 0, err
		}
	}
	if !changed {
		ss, err := loadSession(ctx, w.tx, cur.UID, `WHERE s.id = ?`, cur.id)
		return ss.Session, unchanged, err
	}

	for i, p := range s.People {
		r := &refs[i]
		switch {
		case r.id == 0:
			res, err := w.tx.ExecContext(ctx, `INSERT INTO people (name, affiliation, url) VALUES (?, ?, ?)`, p.Name, p.Affiliation, p.URL)
			if err == nil {
				r.id, err = res.LastInsertId()
			}
			if err != nil {
				return agenda.Session{}, 0, fmt.Errorf("put session %q: create person %q: %w", s.Key, p.Name, err)
			}
		case p.Affiliation != "" && p.Affiliation != r.affiliation:
			// The person's own line is not published (appearances carry
			// theirs), so this changes no series.
			if _, err := w.tx.ExecContext(ctx, `UPDATE people SET affiliation = ? WHERE id = ?`, p.Affiliation, r.id); err != nil {
				return agenda.Session{}, 0, fmt.Errorf("put session %q: person %q: %w", s.Key, p.Name, err)
			}
		}
	}

	now := formatTime(w.now)
	tags := strings.Join(s.Tags, "\n")
	var id int64
	result := updated
	restored := false // created with the file's updated time, not now
	if found {
		id = cur.id
		if _, err := w.tx.ExecContext(ctx, `UPDATE sessions SET key = ?, title = ?, description = ?, all_day = ?,
			start_wall = ?, end_wall = ?, start_date = ?, end_date = ?, zone = ?, start_at = ?, end_at = ?,
			venue = ?, address = ?, online_url = ?, status = ?, language = ?, tags = ?, url = ?,
			sequence = max(min(sequence + 1, 2147483647), ?), updated = max(updated, ?) WHERE id = ?`,
			s.Key, s.Title, s.Description, s.AllDay, s.Start.String(), s.End.String(), s.StartDate.String(),
			s.EndDate.String(), s.Zone, startAt.Unix(), endAt.Unix(), s.Venue, s.Address, s.OnlineURL,
			string(s.Status), s.Language, tags, s.URL, s.Sequence, now, id); err != nil {
			return agenda.Session{}, 0, fmt.Errorf("update session %s: %w", cur.UID, err)
		}
		if cur.Key != s.Key {
			// Posts show the key of the session they link to.
			if _, err := w.tx.ExecContext(ctx, `UPDATE posts SET version = version + 1 WHERE session_id = ?`, id); err != nil {
				return agenda.Session{}, 0, fmt.Errorf("update session %s: linked posts: %w", cur.UID, err)
			}
		}
		if _, err := w.tx.ExecContext(ctx, `DELETE FROM session_people WHERE session_id = ?`, id); err != nil {
			return agenda.Session{}, 0, fmt.Errorf("update session %s: people: %w", cur.UID, err)
		}
	} else {
		result = created
		createdAt, err := w.restoredStamp(s.Created, "created", "when the session was created")
		if err != nil {
			return agenda.Session{}, 0, err
		}
		updatedAt, err := w.restoredStamp(s.Updated, "updated", "when the session last changed")
		if err != nil {
			return agenda.Session{}, 0, err
		}
		// Text compares as the instants do (timeLayout).
		updatedAt = max(updatedAt, createdAt)
		restored = updatedAt != now
		uid, sequence := s.UID, s.Sequence
		if uid == "" {
			sequence = 0 // a new UID: a new event, at its first version
			if w.db.opts.UIDDomain == "" {
				return agenda.Session{}, 0, fmt.Errorf("create session %q: the store has no UID domain (Options.UIDDomain)", s.Key)
			}
			uid = uuid.NewString() + "@" + w.db.opts.UIDDomain
		} else {
			// A UID that was deleted: its event is in calendars at its
			// last sequence, which only a higher one replaces, whatever
			// the content of the copy (an older export) now given.
			last, buried, err := w.buriedSequence(ctx, uid)
			if err != nil {
				return agenda.Session{}, 0, fmt.Errorf("create session %s/%s: %w", s.Series, s.Key, err)
			}
			if buried {
				sequence = max(sequence, min(last+1, agenda.MaxSequence))
			}
		}
		res, err := w.tx.ExecContext(ctx, `INSERT INTO sessions (uid, series_id, key, title, description, all_day,
			start_wall, end_wall, start_date, end_date, zone, start_at, end_at, venue, address, online_url, status,
			language, tags, url, sequence, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			uid, seriesID, s.Key, s.Title, s.Description, s.AllDay, s.Start.String(), s.End.String(),
			s.StartDate.String(), s.EndDate.String(), s.Zone, startAt.Unix(), endAt.Unix(), s.Venue, s.Address,
			s.OnlineURL, string(s.Status), s.Language, tags, s.URL, sequence, createdAt, updatedAt)
		if err == nil {
			id, err = res.LastInsertId()
		}
		if err != nil {
			return agenda.Session{}, 0, fmt.Errorf("create session %s/%s: %w", s.Series, s.Key, err)
		}
	}
	for i, p := range s.People {
		if _, err := w.tx.ExecContext(ctx, `INSERT INTO session_people (session_id, person_id, role, affiliation, position)
			VALUES (?, ?, ?, ?, ?)`, id, refs[i].id, string(p.Role), p.Affiliation, i); err != nil {
			return agenda.Session{}, 0, fmt.Errorf("put session %s/%s: person %q: %w", s.Series, s.Key, p.Name, err)
		}
	}
	bump := w.bumpSeries
	if restored {
		bump = w.bumpSeriesRestored
	}
	if err := bump(ctx, seriesID); err != nil {
		return agenda.Session{}, 0, err
	}
	ss, err := loadSession(ctx, w.tx, s.Key, `WHERE s.id = ?`, id)
	return ss.Session, result, err
}

// findSession finds the stored session an input addresses: by UID when it
// has one, else by key. It refuses moves between series and UID changes.
func (w *writeTx) findSession(ctx context.Context, seriesID int64, s agenda.Session) (storedSession, bool, error) {
	byKey := func() (storedSession, bool, error) {
		cur, err := loadSession(ctx, w.tx, s.Series+"/"+s.Key, `WHERE s.series_id = ? AND s.key = ?`, seriesID, s.Key)
		if errors.Is(err, agenda.ErrNotFound) {
			return storedSession{}, false, nil
		}
		return cur, err == nil, err
	}
	if s.UID == "" {
		return byKey()
	}
	cur, err := loadSession(ctx, w.tx, s.UID, `WHERE s.uid = ?`, s.UID)
	switch {
	case errors.Is(err, agenda.ErrNotFound):
		other, ok, err := byKey()
		if err != nil {
			return storedSession{}, false, err
		}
		if ok {
			return storedSession{}, false, conflict("session %s/%s has UID %s, not %s; a session's UID never changes", s.Series, s.Key, other.UID, s.UID)
		}
		return storedSession{}, false, nil
	case err != nil:
		return storedSession{}, false, err
	}
	if cur.seriesID != seriesID {
		// Named by the uid, which is what matched: an import file gives no
		// series per session.
		return storedSession{}, false, agenda.Errors{{Field: "uid", Value: s.UID,
			Msg: fmt.Sprintf("is the UID of a session of series %q, not %q; a session cannot move to another series", cur.Series, s.Series)}}
	}
	if cur.Key != s.Key {
		other, ok, err := byKey()
		if err != nil {
			return storedSession{}, false, err
		}
		if ok {
			return storedSession{}, false, conflict("cannot rename session %s to key %q: session %s already has it", s.UID, s.Key, other.UID)
		}
	}
	return cur, true, nil
}

// sameSession compares what a session publishes, ignoring the store's own
// fields and the people's IDs and URLs (which belong to the person).
// Start and end compare as published, wall clock and instant in the
// session's zone: 10:00-04:00 in New York in June is 10:00 there, and
// giving it again either way is no revision.
func sameSession(a, b agenda.Session) bool {
	if a.Key != b.Key || a.Title != b.Title || a.Description != b.Description || a.AllDay != b.AllDay ||
		!sameWall(a.Start, b.Start, a.Zone) || !sameWall(a.End, b.End, a.Zone) ||
		a.StartDate != b.StartDate || a.EndDate != b.EndDate ||
		a.Zone != b.Zone || a.Venue != b.Venue || a.Address != b.Address || a.OnlineURL != b.OnlineURL ||
		a.Status != b.Status || a.Language != b.Language || a.URL != b.URL || !slices.Equal(a.Tags, b.Tags) ||
		len(a.People) != len(b.People) {
		return false
	}
	for i := range a.People {
		p, q := a.People[i], b.People[i]
		if p.Name != q.Name || p.Role != q.Role || p.Affiliation != q.Affiliation {
			return false
		}
	}
	return true
}

// sameWall reports whether a and b publish the same in zone; with a zone
// that does not load (validation refuses one first) only equal values do.
func sameWall(a, b agenda.WallTime, zone string) bool {
	if a.Equal(b) {
		return true
	}
	loc, err := agenda.LoadZone(zone)
	return err == nil && a.SameIn(b, loc)
}

// bumpSeriesOfPerson bumps every series with a session the person is in.
func (w *writeTx) bumpSeriesOfPerson(ctx context.Context, personID int64) error {
	rows, err := w.tx.QueryContext(ctx, `SELECT DISTINCT s.series_id FROM session_people sp
		JOIN sessions s ON s.id = sp.session_id WHERE sp.person_id = ?`, personID)
	if err != nil {
		return fmt.Errorf("series of person %d: %w", personID, err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("series of person %d: %w", personID, err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("series of person %d: %w", personID, err)
	}
	w.changed = true
	if w.people == nil {
		w.people = map[int64]bool{}
	}
	w.people[personID] = true
	for _, id := range ids {
		if err := w.bumpSeries(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// CancelSession sets a session's status to cancelled. Cancelling is a change
// like any other: the session stays, with a new sequence, so calendars that
// subscribed strike it out. ifSequence is Any or the sequence the session
// must be at.
func (db *DB) CancelSession(ctx context.Context, uid string, ifSequence int64) (agenda.Session, error) {
	return db.CancelSessionMatching(ctx, uid, ifSequence, nil)
}

// CancelSessionMatching is CancelSession, which happens only if match (when
// not nil) accepts the session as stored.
func (db *DB) CancelSessionMatching(ctx context.Context, uid string, ifSequence int64, match Match) (agenda.Session, error) {
	if err := checkCondition("ifSequence", ifSequence); err != nil {
		return agenda.Session{}, err
	}
	var out agenda.Session
	err := db.write(ctx, func(w *writeTx) error {
		cur, err := loadSession(ctx, w.tx, uid, `WHERE s.uid = ?`, uid)
		if err != nil {
			return fmt.Errorf("cancel session: %w", err)
		}
		if match != nil {
			if err := match(cur.Session); err != nil {
				return err
			}
		}
		_, series, err := loadSeries(ctx, w.tx, cur.Series)
		if err != nil {
			return fmt.Errorf("cancel session %s: %w", uid, err)
		}
		s := cur.Session
		s.Status = agenda.StatusCancelled
		s.Normalize(&series)
		if err := s.Validate(); err != nil {
			return err
		}
		out, _, err = w.putSession(ctx, cur.seriesID, s, ifSequence)
		return err
	})
	if err != nil {
		return agenda.Session{}, err
	}
	return out, nil
}

// DeleteSession deletes a session. Posts linked to it lose the link (and get
// a new version). ifSequence is Any or the sequence the session must be at.
// Its sequence is kept as a tombstone under its UID: a session created
// again with that UID starts above it.
func (db *DB) DeleteSession(ctx context.Context, uid string, ifSequence int64) error {
	return db.DeleteSessionMatching(ctx, uid, ifSequence, nil)
}

// DeleteSessionMatching is DeleteSession, which happens only if match (when
// not nil) accepts the session as stored.
func (db *DB) DeleteSessionMatching(ctx context.Context, uid string, ifSequence int64, match Match) error {
	if err := checkCondition("ifSequence", ifSequence); err != nil {
		return err
	}
	return db.write(ctx, func(w *writeTx) error {
		cur, err := loadSession(ctx, w.tx, uid, `WHERE s.uid = ?`, uid)
		if err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		if match != nil {
			if err := match(cur.Session); err != nil {
				return err
			}
		}
		if ifSequence != Any && cur.Sequence != ifSequence {
			return conflict("delete session %s: it is at sequence %d, not %d", uid, cur.Sequence, ifSequence)
		}
		if _, err := w.tx.ExecContext(ctx, `UPDATE posts SET session_id = NULL, version = version + 1 WHERE session_id = ?`, cur.id); err != nil {
			return fmt.Errorf("delete session %s: unlink posts: %w", uid, err)
		}
		if err := w.buryOne(ctx, uid, cur.Sequence); err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		if _, err := w.tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, cur.id); err != nil {
			return fmt.Errorf("delete session %s: %w", uid, err)
		}
		return w.bumpSeries(ctx, cur.seriesID)
	})
}
