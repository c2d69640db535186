package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// Packed sessions. Reading a series' sessions row by row costs far more in
// the driver than in SQLite: a 100-session series is ~600 rows and ~3,000
// columns, 2 ms, and a full pass reads 1,000 of them (a pass after one
// edit too, for the all-series files). So each series' sessions and people
// are also kept packed in one row of series_sessions, with the revision
// they are of, which Snapshot reads when it is the series' revision and
// decodes in Go; otherwise it reads the tables. Pack rewrites the rows that
// are behind: Open calls it, and the daemon after every pass, so that a
// series edited since is read from the tables once, by the pass that
// publishes the edit. Writes do not repack: that cost a 100-session series
// 2.2 ms more per edit (BenchmarkPutSession100), ~20 ms at 1,000 sessions.
//
// The format is the snapshot queries' column values, in their order:
//
//	version byte (packVersion)
//	uvarint sessions, uvarint participants (in all)
//	per session: 18 strings (uid, key, title, description, start_wall,
//	  end_wall, start_date, end_date, zone, venue, address, online_url,
//	  status, language, tags, url, created, updated), one byte all_day,
//	  varint sequence, uvarint participants, and per participant a varint
//	  person id and 4 strings (name, url, affiliation, role)
//
// where a string is a uvarint length and that many bytes.

// packVersion is the format's first byte; a row of another version is not
// read (the tables are), and the next write replaces it.
const packVersion = 1

// sessionRow is one session as stored: the snapshot query's columns.
type sessionRow struct {
	id                                                    int64
	uid, key, title, description                          string
	startWall, endWall, startDate, endDate                string
	zone, venue, address, online, status, lang, tags, url string
	created, updated                                      string
	allDay                                                bool
	sequence                                              int64
}

// strs lists the row's strings in packed order.
func (r *sessionRow) strs() [18]*string {
	return [18]*string{&r.uid, &r.key, &r.title, &r.description, &r.startWall, &r.endWall, &r.startDate, &r.endDate,
		&r.zone, &r.venue, &r.address, &r.online, &r.status, &r.lang, &r.tags, &r.url, &r.created, &r.updated}
}

// personRow is one participant as stored.
type personRow struct {
	session, id                  int64
	name, url, affiliation, role string
}

// readSessionRows runs the snapshot queries for series id: its sessions in
// snapshot order, and their people grouped by session (in session id order)
// and in position order within one. Both readers of the tables use it:
// loadSnapshotSessions and packSessions.
func readSessionRows(ctx context.Context, q queryer, id int64) ([]sessionRow, []personRow, error) {
	rows, err := q.QueryContext(ctx, snapshotSessions, id)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var ss []sessionRow
	for rows.Next() {
		var r sessionRow
		if err := rows.Scan(&r.id, &r.uid, &r.key, &r.title, &r.description, &r.allDay,
			&r.startWall, &r.endWall, &r.startDate, &r.endDate, &r.zone, &r.venue, &r.address, &r.online, &r.status,
			&r.lang, &r.tags, &r.url, &r.sequence, &r.created, &r.updated); err != nil {
			return nil, nil, err
		}
		ss = append(ss, r)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows.Close()
	prow, err := q.QueryContext(ctx, snapshotPeople, id)
	if err != nil {
		return nil, nil, fmt.Errorf("people: %w", err)
	}
	defer prow.Close()
	var ps []personRow
	for prow.Next() {
		var p personRow
		if err := prow.Scan(&p.session, &p.id, &p.name, &p.url, &p.affiliation, &p.role); err != nil {
			return nil, nil, fmt.Errorf("people: %w", err)
		}
		ps = append(ps, p)
	}
	if err := prow.Err(); err != nil {
		return nil, nil, fmt.Errorf("people: %w", err)
	}
	return ss, ps, nil
}

// packSessions packs the sessions and people of series id as the tables
// hold them now.
func packSessions(ctx context.Context, q queryer, id int64) ([]byte, error) {
	ss, ps, err := readSessionRows(ctx, q, id)
	if err != nil {
		return nil, err
	}
	bySession := map[int64][]personRow{}
	for _, p := range ps {
		bySession[p.session] = append(bySession[p.session], p)
	}
	size := 16
	for i := range ss {
		for _, s := range ss[i].strs() {
			size += len(*s) + 2
		}
	}
	for _, p := range ps {
		size += len(p.name) + len(p.url) + len(p.affiliation) + len(p.role) + 16
	}
	b := make([]byte, 0, size)
	b = append(b, packVersion)
	b = binary.AppendUvarint(b, uint64(len(ss)))
	b = binary.AppendUvarint(b, uint64(len(ps)))
	str := func(s string) { b = append(binary.AppendUvarint(b, uint64(len(s))), s...) }
	for i := range ss {
		r := &ss[i]
		for _, s := range r.strs() {
			str(*s)
		}
		if r.allDay {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
		b = binary.AppendVarint(b, r.sequence)
		people := bySession[r.id]
		b = binary.AppendUvarint(b, uint64(len(people)))
		for _, p := range people {
			b = binary.AppendVarint(b, p.id)
			str(p.name)
			str(p.url)
			str(p.affiliation)
			str(p.role)
		}
	}
	return b, nil
}

// errPacked is a packed row that does not decode: a bug, or a damaged
// database; Snapshot then reads the tables, and Check reports it.
var errPacked = errors.New("packed sessions do not decode")

// unpacker reads a packed row.
type unpacker struct {
	b   []byte
	err error
}

func (u *unpacker) uvarint() uint64 {
	v, n := binary.Uvarint(u.b)
	if n <= 0 {
		u.fail("bad length")
		return 0
	}
	u.b = u.b[n:]
	return v
}

func (u *unpacker) varint() int64 {
	v, n := binary.Varint(u.b)
	if n <= 0 {
		u.fail("bad number")
		return 0
	}
	u.b = u.b[n:]
	return v
}

// bytes returns the next string's bytes, aliasing the row.
func (u *unpacker) bytes() []byte {
	n := u.uvarint()
	if u.err != nil {
		return nil
	}
	if n > uint64(len(u.b)) {
		u.fail("string past the end")
		return nil
	}
	s := u.b[:n:n]
	u.b = u.b[n:]
	return s
}

func (u *unpacker) byte() byte {
	if len(u.b) == 0 {
		u.fail("short")
		return 0
	}
	c := u.b[0]
	u.b = u.b[1:]
	return c
}

func (u *unpacker) fail(what string) {
	if u.err == nil {
		u.err = fmt.Errorf("%w: %s", errPacked, what)
	}
	u.b = nil
}

// unpackSessions decodes a packed row into the sessions Snapshot returns
// (see loadSnapshotSessions, which reads the same from the tables).
func unpackSessions(data []byte, slug string) ([]agenda.Session, error) {
	u := unpacker{b: data}
	if u.byte() != packVersion {
		return nil, fmt.Errorf("%w: not version %d", errPacked, packVersion)
	}
	nSessions, nPeople := u.uvarint(), u.uvarint()
	// Every session takes at least 21 bytes and every participant 5: a
	// count past that is damage, not a reason to allocate.
	if u.err != nil || nSessions > uint64(len(data)/21) || nPeople > uint64(len(data)/5) {
		return nil, fmt.Errorf("%w: bad counts", errPacked)
	}
	if nSessions == 0 {
		if len(u.b) != 0 {
			return nil, fmt.Errorf("%w: trailing bytes", errPacked)
		}
		return nil, nil
	}
	// Every string of the snapshot is a part of one copy of the row: one
	// allocation instead of one per field (~1,800 for 100 sessions), and no
	// interning, since repeated values cost no more than their bytes in the
	// row. The snapshot's strings keep that copy alive whole: whatever keeps
	// a few of them past the snapshot (the index page's next session, zone
	// caches) copies them (agenda.Session.Clone, strings.Clone).
	src := string(data)
	str := func() string {
		b := u.bytes()
		if len(b) == 0 {
			return ""
		}
		off := len(data) - len(u.b) - len(b)
		return src[off : off+len(b)]
	}
	d := newSessionDecoder(int(nSessions), int(nPeople), nil)
	var r sessionRow
	for range nSessions {
		for _, s := range r.strs() {
			*s = str()
		}
		r.allDay = u.byte() == 1
		r.sequence = u.varint()
		n := u.uvarint()
		if u.err != nil || n > uint64(len(u.b)/5) {
			return nil, fmt.Errorf("%w: bad participant count", errPacked)
		}
		s, err := d.add(&r, slug)
		if err != nil {
			return nil, err
		}
		first := len(d.people)
		for range n {
			id := u.varint()
			name, url, aff, role := str(), str(), str(), str()
			if u.err != nil {
				break
			}
			d.people = append(d.people, d.person(id, name, url, aff, role))
		}
		if len(d.people) > first {
			s.People = d.people[first:len(d.people):len(d.people)]
		}
		if u.err != nil {
			return nil, u.err
		}
	}
	if len(u.b) != 0 {
		return nil, fmt.Errorf("%w: trailing bytes", errPacked)
	}
	return d.out, nil
}

// sessionDecoder turns session rows into the sessions of one snapshot,
// sharing repeated strings and backing arrays: what the table and packed
// readers have in common.
type sessionDecoder struct {
	in     *interner
	out    []agenda.Session
	tags   []string             // backing of every session's Tags
	people []agenda.Participant // and of their People
}

// newSessionDecoder returns a decoder sharing repeated strings through in;
// with in nil it keeps the strings it is given as they are.
func newSessionDecoder(sessions, people int, in *interner) *sessionDecoder {
	return &sessionDecoder{
		in:     in,
		out:    make([]agenda.Session, 0, sessions),
		tags:   make([]string, 0, 3*sessions),
		people: make([]agenda.Participant, 0, people),
	}
}

// add appends the session of row r and returns it, for its people.
func (d *sessionDecoder) add(r *sessionRow, slug string) (*agenda.Session, error) {
	in := d.in
	d.out = append(d.out, agenda.Session{
		UID: r.uid, Series: slug, Key: r.key, Title: r.title, Description: r.description, AllDay: r.allDay,
		Zone: in.str(r.zone), Venue: in.str(r.venue), Address: in.str(r.address), OnlineURL: in.str(r.online),
		Status: agenda.Status(in.str(r.status)), Language: in.str(r.lang), URL: r.url, Sequence: r.sequence,
	})
	s := &d.out[len(d.out)-1]
	if r.tags != "" {
		n := len(d.tags)
		for t := range strings.SplitSeq(r.tags, "\n") {
			d.tags = append(d.tags, in.sub(t))
		}
		// Capacity = length: an append by a caller copies rather than
		// overwriting the next session's tags.
		s.Tags = d.tags[n:len(d.tags):len(d.tags)]
	}
	if err := in.decodeSession(s, r.startWall, r.endWall, r.startDate, r.endDate, r.created, r.updated); err != nil {
		return nil, err
	}
	return s, nil
}

// person is one participant, its text interned.
func (d *sessionDecoder) person(id int64, name, url, affiliation, role string) agenda.Participant {
	in := d.in
	return agenda.Participant{
		Person: agenda.Person{ID: id, Name: in.str(name), URL: in.str(url), Affiliation: in.str(affiliation)},
		Role:   agenda.Role(in.str(role)),
	}
}

// refreshPacked rewrites the packed row of series id from the tables.
func refreshPacked(ctx context.Context, q queryer, id int64) error {
	data, err := packSessions(ctx, q, id)
	if err != nil {
		return fmt.Errorf("pack sessions of series %d: %w", id, err)
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO series_sessions (series_id, revision, data)
		SELECT id, revision, ?2 FROM series WHERE id = ?1
		ON CONFLICT (series_id) DO UPDATE SET revision = excluded.revision, data = excluded.data`, id, data); err != nil {
		return fmt.Errorf("pack sessions of series %d: %w", id, err)
	}
	return nil
}

// Pack rewrites the packed sessions of every series whose row is missing,
// behind its revision or of another format, in one write transaction, and
// returns how many it rewrote. It changes nothing published, so it does not
// bump the change counter.
func (db *DB) Pack(ctx context.Context) (int, error) {
	stale, err := db.stalePacks(ctx)
	if err != nil || len(stale) == 0 {
		return 0, wrapPack(err)
	}
	err = db.write(ctx, func(w *writeTx) error {
		for _, id := range stale {
			if err := refreshPacked(ctx, w.tx, id); err != nil {
				return err
			}
		}
		w.quiet = true
		return nil
	})
	if err != nil {
		return 0, wrapPack(err)
	}
	return len(stale), nil
}

// StalePacks returns how many series' packed sessions Pack would rewrite.
func (db *DB) StalePacks(ctx context.Context) (int, error) {
	stale, err := db.stalePacks(ctx)
	return len(stale), wrapPack(err)
}

// stalePacks lists the series whose packed row is missing, behind their
// revision or of another format.
func (db *DB) stalePacks(ctx context.Context) ([]int64, error) {
	var stale []int64
	err := db.read(ctx, func(q queryer) error {
		rows, err := q.QueryContext(ctx, `SELECT s.id FROM series s LEFT JOIN series_sessions p ON p.series_id = s.id
			WHERE p.revision IS NOT s.revision OR substr(p.data, 1, 1) IS NOT ?`, []byte{packVersion})
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			stale = append(stale, id)
		}
		return rows.Err()
	})
	return stale, err
}

func wrapPack(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("pack sessions: %w", err)
}
