package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

func scanPerson(r rowScanner) (agenda.Person, error) {
	var p agenda.Person
	err := r.Scan(&p.ID, &p.Name, &p.Affiliation, &p.URL)
	return p, err
}

// People lists every person, by name.
func (db *DB) People(ctx context.Context) ([]agenda.Person, error) {
	rows, err := db.rq().QueryContext(ctx, `SELECT id, name, affiliation, url FROM people ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("list people: %w", err)
	}
	defer rows.Close()
	var out []agenda.Person
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return nil, fmt.Errorf("list people: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list people: %w", err)
	}
	return out, nil
}

// Person returns a person by ID.
func (db *DB) Person(ctx context.Context, id int64) (agenda.Person, error) {
	p, err := loadPerson(ctx, db.rq(), `id = ?`, id)
	if err != nil {
		return agenda.Person{}, fmt.Errorf("get person: %w", err)
	}
	return p, nil
}

func loadPerson(ctx context.Context, q queryer, where string, arg any) (agenda.Person, error) {
	p, err := scanPerson(q.QueryRowContext(ctx, `SELECT id, name, affiliation, url FROM people WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return p, &NotFoundError{Kind: "person", Name: fmt.Sprint(arg)}
	}
	if err != nil {
		return p, fmt.Errorf("load person %v: %w", arg, err)
	}
	return p, nil
}

// PutPerson creates or updates a person: by ID when p.ID is set (renaming is
// allowed unless the name is taken), else by name. A change of name or URL
// bumps the revision of every series with a session the person appears in;
// the person's own affiliation line is not published (each appearance keeps
// its own), so changing only it bumps none.
//
// A person has no counter, so the condition is the person as the caller
// read it: ifCurrent nil writes unconditionally; a zero ifCurrent (ID 0)
// means the caller found nobody, so the put only creates and a person with
// p's name is a conflict; any other ifCurrent, of the same ID as p, must
// still be stored exactly (name, affiliation, URL), else the write is a
// conflict. The condition is checked inside the write transaction, so an
// edit another process made after the caller read is never overwritten.
func (db *DB) PutPerson(ctx context.Context, p agenda.Person, ifCurrent *agenda.Person) (agenda.Person, error) {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return agenda.Person{}, err
	}
	if ifCurrent != nil && ifCurrent.ID != p.ID {
		msg := fmt.Sprintf("expected %d, the ID of the person the condition names", ifCurrent.ID)
		if ifCurrent.ID == 0 {
			msg = "expected none: a create-only put finds the person by name"
		}
		return agenda.Person{}, agenda.Errors{{Field: "id", Value: strconv.FormatInt(p.ID, 10), Msg: msg}}
	}
	var out agenda.Person
	err := db.write(ctx, func(w *writeTx) error {
		var cur agenda.Person
		var err error
		if p.ID != 0 {
			cur, err = loadPerson(ctx, w.tx, `id = ?`, p.ID)
			if err != nil {
				return fmt.Errorf("put person: %w", err)
			}
			if ifCurrent != nil && cur != *ifCurrent {
				return conflict("put person %d: it changed meanwhile (now %q, %q, %q)", p.ID, cur.Name, cur.Affiliation, cur.URL)
			}
			if cur.Name != p.Name {
				other, err := loadPerson(ctx, w.tx, `name = ?`, p.Name)
				switch {
				case err == nil:
					return conflict("put person %d: the name %q belongs to person %d", p.ID, p.Name, other.ID)
				case !errors.Is(err, agenda.ErrNotFound):
					return fmt.Errorf("put person %d: %w", p.ID, err)
				}
			}
		} else {
			cur, err = loadPerson(ctx, w.tx, `name = ?`, p.Name)
			if errors.Is(err, agenda.ErrNotFound) {
				res, err := w.tx.ExecContext(ctx, `INSERT INTO people (name, affiliation, url) VALUES (?, ?, ?)`,
					p.Name, p.Affiliation, p.URL)
				if err == nil {
					p.ID, err = res.LastInsertId()
				}
				if err != nil {
					return fmt.Errorf("create person %q: %w", p.Name, err)
				}
				w.changed = true
				out = p
				return nil
			}
			if err != nil {
				return fmt.Errorf("put person: %w", err)
			}
			if ifCurrent != nil {
				return conflict("person %q already exists (id %d)", cur.Name, cur.ID)
			}
			p.ID = cur.ID
		}
		if cur == p {
			out = cur
			return nil
		}
		if _, err := w.tx.ExecContext(ctx, `UPDATE people SET name = ?, affiliation = ?, url = ? WHERE id = ?`,
			p.Name, p.Affiliation, p.URL, p.ID); err != nil {
			return fmt.Errorf("update person %d: %w", p.ID, err)
		}
		w.changed = true
		if cur.Name != p.Name {
			// The name is in the calendar event of every session the
			// person appears in (DESCRIPTION): a revision of each, as a
			// change to its people made through the session would be,
			// so that clients take the new event (see reviseEvents).
			if _, err := w.tx.ExecContext(ctx, `UPDATE sessions SET sequence = min(sequence + 1, 2147483647), updated = max(updated, ?)
				WHERE id IN (SELECT session_id FROM session_people WHERE person_id = ?)`, formatTime(w.now), p.ID); err != nil {
				return fmt.Errorf("update person %d: revise their sessions: %w", p.ID, err)
			}
		}
		if cur.Name != p.Name || cur.URL != p.URL {
			if err := w.bumpSeriesOfPerson(ctx, p.ID); err != nil {
				return err
			}
		}
		out = p
		return nil
	})
	if err != nil {
		return agenda.Person{}, err
	}
	return out, nil
}
