package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// Snapshot returns a series with its sessions and posts, all read in one
// read transaction, so they are consistent at the series' revision: a write
// committed meanwhile is either wholly in it or wholly absent. Sessions are
// ordered by start instant then key, posts newest first then id.
//
// Snapshot is the publisher's hot read (every series of a full pass, and of
// a pass after one edit, for the all-series files). Its sessions come from
// the series' packed row when that is of the series' revision (packed.go),
// else from the tables through a loader cheaper than the general one
// (loadSessions): one query per table, sessions and people scanned straight
// into slices sized by a count. Either way people share one backing array,
// and repeated short strings (zones, venues, names, affiliations, tags) are
// stored once per snapshot. The snapshot's slices share backing arrays:
// callers that edit a snapshot in place must not grow a session's People or
// Tags through another session's (append on them copies, since their
// capacity is their length).
func (db *DB) Snapshot(ctx context.Context, slug string) (agenda.Snapshot, error) {
	var snap agenda.Snapshot
	err := db.read(ctx, func(q queryer) error {
		id, series, err := loadSeries(ctx, q, slug)
		if err != nil {
			return err
		}
		sessions, ok, err := loadPackedSessions(ctx, q, id, series.Revision, series.Slug)
		if err == nil && !ok {
			sessions, err = loadSnapshotSessions(ctx, q, id, series.Slug)
		}
		if err != nil {
			return fmt.Errorf("sessions: %w", err)
		}
		posts, err := loadPosts(ctx, q, `WHERE p.series_id = ?`+postOrder, id)
		if err != nil {
			return fmt.Errorf("posts: %w", err)
		}
		snap = agenda.Snapshot{Series: series, Sessions: sessions, Posts: posts}
		return nil
	})
	if err != nil {
		return agenda.Snapshot{}, fmt.Errorf("snapshot of series %q: %w", slug, err)
	}
	return snap, nil
}

// The snapshot queries. People come grouped by session (in session id
// order, which the primary key of session_people gives without a sort;
// asking for the sessions' order instead costs SQLite a sort per session).
const (
	snapshotSessions = `SELECT id, uid, key, title, description, all_day, start_wall, end_wall, start_date, end_date,
		zone, venue, address, online_url, status, language, tags, url, sequence, created, updated
		FROM sessions WHERE series_id = ? ORDER BY start_at, key`
	snapshotPeople = `SELECT sp.session_id, p.id, p.name, p.url, sp.affiliation, sp.role
		FROM session_people sp JOIN people p ON p.id = sp.person_id
		WHERE sp.session_id IN (SELECT id FROM sessions WHERE series_id = ?) ORDER BY sp.session_id, sp.position`
)

// loadPackedSessions reads the sessions of series id (slug) from its packed
// row (packed.go); ok is false when there is none of this revision, or it
// does not decode (Check reports that), and the tables must be read.
func loadPackedSessions(ctx context.Context, q queryer, id, revision int64, slug string) (sessions []agenda.Session, ok bool, err error) {
	rows, err := q.QueryContext(ctx, `SELECT data FROM series_sessions WHERE series_id = ? AND revision = ?`, id, revision)
	if err != nil {
		return nil, false, fmt.Errorf("packed: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, false, rows.Err()
	}
	var data sql.RawBytes
	if err := rows.Scan(&data); err != nil {
		return nil, false, fmt.Errorf("packed: %w", err)
	}
	sessions, err = unpackSessions(data, slug)
	if errors.Is(err, errPacked) {
		return nil, false, nil
	}
	return sessions, err == nil, err
}

// loadSnapshotSessions reads the sessions of series id (slug) with their
// people from the tables, as loadSessions would, in fewer allocations.
func loadSnapshotSessions(ctx context.Context, q queryer, id int64, slug string) ([]agenda.Session, error) {
	ss, ps, err := readSessionRows(ctx, q, id)
	if err != nil || len(ss) == 0 {
		return nil, err
	}
	d := newSessionDecoder(len(ss), len(ps), newInterner())
	at := make(map[int64]*agenda.Session, len(ss)) // session id -> its session
	for i := range ss {
		s, err := d.add(&ss[i], slug)
		if err != nil {
			return nil, err
		}
		at[ss[i].id] = s
	}
	// People come grouped by session, in position order.
	for len(ps) > 0 {
		n := 1
		for n < len(ps) && ps[n].session == ps[0].session {
			n++
		}
		first := len(d.people)
		for _, p := range ps[:n] {
			d.people = append(d.people, d.person(p.id, p.name, p.url, p.affiliation, p.role))
		}
		if s := at[ps[0].session]; s != nil {
			s.People = d.people[first:len(d.people):len(d.people)]
		}
		ps = ps[n:]
	}
	return d.out, nil
}
