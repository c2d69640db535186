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
	snapshotCounts = `SELECT count(*), (SELECT count(*) FROM sessions s JOIN session_people sp ON sp.session_id = s.id
		WHERE s.series_id = ?1) FROM sessions WHERE series_id = ?1`
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
	var nSessions, nPeople int
	if err := q.QueryRowContext(ctx, snapshotCounts, id).Scan(&nSessions, &nPeople); err != nil {
		return nil, fmt.Errorf("count: %w", err)
	}
	if nSessions == 0 {
		return nil, nil
	}
	// A write cannot land between the count and the reads (one read
	// transaction), but the slices still grow if it somehow did.
	d := newSessionDecoder(nSessions, nPeople)
	ids := make([]int64, 0, nSessions)

	rows, err := q.QueryContext(ctx, snapshotSessions, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var r sessionRow
	for rows.Next() {
		if err := rows.Scan(&r.id, &r.uid, &r.key, &r.title, &r.description, &r.allDay,
			&r.startWall, &r.endWall, &r.startDate, &r.endDate, &r.zone, &r.venue, &r.address, &r.online, &r.status,
			&r.lang, &r.tags, &r.url, &r.sequence, &r.created, &r.updated); err != nil {
			return nil, err
		}
		if _, err := d.add(&r, slug); err != nil {
			return nil, err
		}
		ids = append(ids, r.id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()

	out, in := d.out, d.in
	at := make(map[int64]int, len(ids)) // session id -> index in out
	for i, id := range ids {
		at[id] = i
	}
	people := d.people
	prow, err := q.QueryContext(ctx, snapshotPeople, id)
	if err != nil {
		return nil, fmt.Errorf("people: %w", err)
	}
	defer prow.Close()
	cur, first := int64(-1), 0 // the session being read, and where its people start
	attach := func() {
		if i, ok := at[cur]; ok && len(people) > first {
			out[i].People = people[first:len(people):len(people)]
		}
	}
	var sid int64
	var name, url, affiliation, role string
	for prow.Next() {
		var p agenda.Participant
		if err := prow.Scan(&sid, &p.ID, &name, &url, &affiliation, &role); err != nil {
			return nil, fmt.Errorf("people: %w", err)
		}
		if sid != cur {
			attach()
			cur, first = sid, len(people)
		}
		p.Name, p.URL, p.Affiliation, p.Role = in.str(name), in.str(url), in.str(affiliation), agenda.Role(in.str(role))
		people = append(people, p)
	}
	if err := prow.Err(); err != nil {
		return nil, fmt.Errorf("people: %w", err)
	}
	attach()
	return out, nil
}
