package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// Check verifies the database: SQLite's integrity_check and
// foreign_key_check, then every stored series, session, post and person
// re-validated with package agenda as if it were new input, the stored
// instants of each session against its wall times, and each post's session
// link against its series. It reads in one transaction and returns nil or
// an error listing every problem, one a line.
func (db *DB) Check(ctx context.Context) error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	err := db.read(ctx, func(q queryer) error {
		if err := checkPragmas(ctx, q, add); err != nil {
			return err
		}
		if err := checkMeta(ctx, q, add); err != nil {
			return err
		}
		// A row with a mistyped integer column cannot be scanned at
		// all: checkTypes names it, and the checks below skip it.
		mistyped, err := checkTypes(ctx, q, add)
		if err != nil {
			return err
		}
		if err := checkSeries(ctx, q, add, mistyped); err != nil {
			return err
		}
		if err := checkSessions(ctx, q, add, mistyped); err != nil {
			return err
		}
		if err := checkPosts(ctx, q, add, mistyped); err != nil {
			return err
		}
		if err := checkPeople(ctx, q, add); err != nil {
			return err
		}
		return checkPacked(ctx, q, add)
	})
	if err != nil {
		return fmt.Errorf("check store: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("check store: %d problem(s):\n%s", len(problems), strings.Join(problems, "\n"))
	}
	return nil
}

type addFunc func(format string, args ...any)

func checkPragmas(ctx context.Context, q queryer, add addFunc) error {
	rows, err := q.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return fmt.Errorf("integrity_check: %w", err)
	}
	var lines []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return fmt.Errorf("integrity_check: %w", err)
		}
		lines = append(lines, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity_check: %w", err)
	}
	if len(lines) != 1 || lines[0] != "ok" {
		for _, l := range lines {
			add("integrity_check: %s", l)
		}
	}

	rows, err = q.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return fmt.Errorf("foreign_key_check: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, parent string
		var rowid, fkid any
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return fmt.Errorf("foreign_key_check: %w", err)
		}
		add("foreign_key_check: %s row %v refers to a missing %s row", table, rowid, parent)
	}
	return rows.Err()
}

// checkMeta reports a missing change counter: without it the daemon does
// not notice edits made by other processes until its next cron pass.
func checkMeta(ctx context.Context, q queryer, add addFunc) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM meta WHERE id = 1`).Scan(&n); err != nil {
		return fmt.Errorf("meta: %w", err)
	}
	if n == 0 {
		add("meta: the change counter row (id 1) is missing: the daemon does not see edits made by other commands " +
			"until its next scheduled pass; the next write (any edit) recreates it")
	}
	return nil
}

// rowRef is a row of a table, for checkTypes' report to the other checks.
type rowRef struct {
	table string
	id    int64
}

// checkTypes reports integer columns holding something else, and returns
// the rows concerned.
func checkTypes(ctx context.Context, q queryer, add addFunc) (map[rowRef]bool, error) {
	// typeChecks list the integer columns a check scans, with the key that
	// names a row in messages. SQLite stores text in an INTEGER column if it
	// does not look like a number, and such a row fails to scan whole.
	typeChecks := []struct {
		table, name, from string
		columns           []string
		nullable          bool
	}{
		{"series", `'series "' || t.slug || '"'`, `series t`, []string{"revision"}, false},
		{"sessions", `'session ' || se.slug || '/' || t.key || ' (' || t.uid || ')'`,
			`sessions t JOIN series se ON se.id = t.series_id`, []string{"all_day", "start_at", "end_at", "sequence"}, false},
		{"posts", `'post ' || se.slug || '/' || t.slug`, `posts t JOIN series se ON se.id = t.series_id`, []string{"version"}, false},
		{"posts", `'post ' || se.slug || '/' || t.slug`, `posts t JOIN series se ON se.id = t.series_id`, []string{"session_id"}, true},
	}
	bad := map[rowRef]bool{}
	for _, tc := range typeChecks {
		for _, col := range tc.columns {
			cond := `typeof(t.` + col + `) != 'integer'`
			if tc.nullable {
				cond += ` AND t.` + col + ` IS NOT NULL`
			}
			rows, err := q.QueryContext(ctx, `SELECT t.id, `+tc.name+`, CAST(t.`+col+` AS TEXT) FROM `+tc.from+` WHERE `+cond+` ORDER BY 2`)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", tc.table, col, err)
			}
			for rows.Next() {
				var id int64
				var name, value string
				if err := rows.Scan(&id, &name, &value); err != nil {
					rows.Close()
					return nil, fmt.Errorf("%s.%s: %w", tc.table, col, err)
				}
				bad[rowRef{tc.table, id}] = true
				add("%s: %v", name, &badValue{column: col, value: value, expected: "expected an integer"})
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, fmt.Errorf("%s.%s: %w", tc.table, col, err)
			}
		}
	}
	return bad, nil
}

func checkSeries(ctx context.Context, q queryer, add addFunc, mistyped map[rowRef]bool) error {
	rows, err := q.QueryContext(ctx, `SELECT `+seriesCols+` FROM series ORDER BY slug`)
	if err != nil {
		return fmt.Errorf("series: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		id, s, err := scanSeries(rows)
		if err != nil {
			// A decoding error names the series; checkTypes reported a
			// row that did not scan.
			if !mistyped[rowRef{"series", id}] {
				add("%v", err)
			}
			continue
		}
		if err := s.Validate(); err != nil {
			add("series %q: %s", s.Slug, indent(err))
		}
	}
	return rows.Err()
}

func checkSessions(ctx context.Context, q queryer, add addFunc, mistyped map[rowRef]bool) error {
	type instants struct{ start, end int64 }
	stored := map[int64]instants{}
	rows, err := q.QueryContext(ctx, `SELECT id, CAST(start_at AS INTEGER), CAST(end_at AS INTEGER) FROM sessions`)
	if err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	for rows.Next() {
		var id int64
		var in instants
		if err := rows.Scan(&id, &in.start, &in.end); err != nil {
			rows.Close()
			return fmt.Errorf("sessions: %w", err)
		}
		stored[id] = in
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sessions: %w", err)
	}

	rows, err = q.QueryContext(ctx, sessionSelect+`ORDER BY se.slug, s.key`)
	if err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	var sessions []storedSession
	index := map[int64]int{}
	for rows.Next() {
		ss, err := scanSession(rows)
		if err != nil {
			if !mistyped[rowRef{"sessions", ss.id}] {
				add("%v", err)
			}
			continue
		}
		index[ss.id] = len(sessions)
		sessions = append(sessions, ss)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sessions: %w", err)
	}

	prow, err := q.QueryContext(ctx, `SELECT sp.session_id, p.id, p.name, p.url, sp.affiliation, sp.role
		FROM session_people sp JOIN people p ON p.id = sp.person_id ORDER BY sp.session_id, sp.position`)
	if err != nil {
		return fmt.Errorf("session people: %w", err)
	}
	for prow.Next() {
		var sid int64
		var p agenda.Participant
		var role string
		if err := prow.Scan(&sid, &p.ID, &p.Name, &p.URL, &p.Affiliation, &role); err != nil {
			prow.Close()
			return fmt.Errorf("session people: %w", err)
		}
		p.Role = agenda.Role(role)
		if i, ok := index[sid]; ok {
			sessions[i].People = append(sessions[i].People, p)
		}
	}
	prow.Close()
	if err := prow.Err(); err != nil {
		return fmt.Errorf("session people: %w", err)
	}

	for _, ss := range sessions {
		name := sessionName(&ss.Session)
		if err := ss.Validate(); err != nil {
			add("%s: %s", name, indent(err))
			continue
		}
		start, end, err := ss.Interval()
		if err != nil {
			add("%s: %v", name, err)
			continue
		}
		if in := stored[ss.id]; in.start != start.Unix() || in.end != end.Unix() {
			add("%s: stored instants %d..%d differ from its wall times (%d..%d)", name, in.start, in.end, start.Unix(), end.Unix())
		}
	}
	return nil
}

func checkPosts(ctx context.Context, q queryer, add addFunc, mistyped map[rowRef]bool) error {
	rows, err := q.QueryContext(ctx, postSelect+`ORDER BY se.slug, p.slug`)
	if err != nil {
		return fmt.Errorf("posts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		sp, err := scanPost(rows)
		if err != nil {
			if !mistyped[rowRef{"posts", sp.id}] {
				add("%v", err)
			}
			continue
		}
		if err := validatePost(&sp.Post); err != nil {
			add("post %s/%s: %s", sp.Series, sp.ID, indent(err))
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("posts: %w", err)
	}
	rows.Close()
	// A post may only link to a session of its own series.
	rows, err = q.QueryContext(ctx, `SELECT se.slug, p.slug, s.uid FROM posts p JOIN sessions s ON s.id = p.session_id
		JOIN series se ON se.id = p.series_id WHERE s.series_id != p.series_id`)
	if err != nil {
		return fmt.Errorf("post links: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var series, id, uid string
		if err := rows.Scan(&series, &id, &uid); err != nil {
			return fmt.Errorf("post links: %w", err)
		}
		add("post %s/%s: links to session %s of another series", series, id, uid)
	}
	return rows.Err()
}

func checkPeople(ctx context.Context, q queryer, add addFunc) error {
	rows, err := q.QueryContext(ctx, `SELECT id, name, affiliation, url FROM people ORDER BY name, id`)
	if err != nil {
		return fmt.Errorf("people: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			add("person %d: %v", p.ID, err)
			continue
		}
		if err := p.Validate(); err != nil {
			add("person %d %q: %s", p.ID, p.Name, indent(err))
		}
	}
	return rows.Err()
}

// indent keeps a multi-line validation error readable inside the list.
func indent(err error) string {
	var es agenda.Errors
	if errors.As(err, &es) && len(es) > 1 {
		return "\n\t" + strings.ReplaceAll(err.Error(), "\n", "\n\t")
	}
	return err.Error()
}

// checkPacked compares each series' packed sessions of its current revision
// (packed.go) with the tables; a row of another revision is never read, so
// it is no problem.
func checkPacked(ctx context.Context, q queryer, add addFunc) error {
	type row struct {
		id   int64
		slug string
		data []byte
	}
	var current []row
	rows, err := q.QueryContext(ctx, `SELECT s.id, s.slug, p.data FROM series s
		JOIN series_sessions p ON p.series_id = s.id AND p.revision = s.revision ORDER BY s.slug`)
	if err != nil {
		return fmt.Errorf("packed sessions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.slug, &r.data); err != nil {
			return fmt.Errorf("packed sessions: %w", err)
		}
		current = append(current, r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("packed sessions: %w", err)
	}
	rows.Close()
	for _, r := range current {
		tables, err := loadSnapshotSessions(ctx, q, r.id, r.slug)
		if err != nil {
			continue // a damaged session row, which checkSessions reports
		}
		packed, err := unpackSessions(r.data, r.slug)
		if err != nil {
			add("series %q: packed sessions: %v", r.slug, err)
			continue
		}
		if !reflect.DeepEqual(packed, tables) {
			add("series %q: packed sessions differ from the tables (the next write to the series rewrites them)", r.slug)
		}
	}
	return nil
}
