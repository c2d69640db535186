package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// Snapshot returns a series with its sessions and posts, all read in one
// read transaction, so they are consistent at the series' revision: a write
// committed meanwhile is either wholly in it or wholly absent. Sessions are
// ordered by start instant then key, posts newest first then id.
//
// Snapshot is the publisher's hot read (every series of a full pass, all
// of them held at once for the all-series files), so it has its own loader,
// cheaper in time and memory than the general one (loadSessions): one query
// per table for the whole series, sessions and people scanned straight into
// slices sized by a count, people sharing one backing array, and repeated
// short strings (zones, venues, names, affiliations, tags) stored once per
// snapshot. The snapshot's slices share backing arrays: callers that edit a
// snapshot in place must not grow a session's People or Tags through
// another session's (append on them copies, since their capacity is their
// length).
func (db *DB) Snapshot(ctx context.Context, slug string) (agenda.Snapshot, error) {
	var snap agenda.Snapshot
	err := db.read(ctx, func(q queryer) error {
		id, series, err := loadSeries(ctx, q, slug)
		if err != nil {
			return err
		}
		sessions, err := loadSnapshotSessions(ctx, q, id, series.Slug)
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

// loadSnapshotSessions reads the sessions of series id (slug) with their
// people, as loadSessions would, in fewer allocations.
func loadSnapshotSessions(ctx context.Context, q queryer, id int64, slug string) ([]agenda.Session, error) {
	var nSessions, nPeople int
	if err := q.QueryRowContext(ctx, snapshotCounts, id).Scan(&nSessions, &nPeople); err != nil {
		return nil, fmt.Errorf("count: %w", err)
	}
	if nSessions == 0 {
		return nil, nil
	}
	in := newInterner()
	// A write cannot land between the count and the reads (one read
	// transaction), but the slices still grow if it somehow did.
	out := make([]agenda.Session, 0, nSessions)
	ids := make([]int64, 0, nSessions)
	tags := make([]string, 0, 3*nSessions) // backing of every session's Tags

	rows, err := q.QueryContext(ctx, snapshotSessions, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		sid                                  int64
		allDay                               bool
		startWall, endWall, startDate, endDt string
		zone, venue, address, online         string
		status, lang, tagText, created, upd  string
	)
	for rows.Next() {
		out = append(out, agenda.Session{})
		s := &out[len(out)-1]
		if err := rows.Scan(&sid, &s.UID, &s.Key, &s.Title, &s.Description, &allDay,
			&startWall, &endWall, &startDate, &endDt, &zone, &venue, &address, &online, &status,
			&lang, &tagText, &s.URL, &s.Sequence, &created, &upd); err != nil {
			return nil, err
		}
		ids = append(ids, sid)
		s.Series = slug
		s.AllDay = allDay
		s.Zone, s.Venue, s.Address, s.OnlineURL = in.str(zone), in.str(venue), in.str(address), in.str(online)
		s.Status = agenda.Status(in.str(status))
		s.Language = in.str(lang)
		if tagText != "" {
			n := len(tags)
			for t := range strings.SplitSeq(tagText, "\n") {
				tags = append(tags, in.sub(t))
			}
			// Capacity = length: an append by a caller copies rather
			// than overwriting the next session's tags.
			s.Tags = tags[n:len(tags):len(tags)]
		}
		if err := in.decodeSession(s, startWall, endWall, startDate, endDt, created, upd); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()

	at := make(map[int64]int, len(ids)) // session id -> index in out
	for i, id := range ids {
		at[id] = i
	}
	people := make([]agenda.Participant, 0, nPeople)
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
