package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

const postSelect = `SELECT p.id, p.series_id, p.slug, se.slug, p.title, p.summary, p.body, p.body_html, p.author,
	p.published, p.updated, p.url, p.session_id, coalesce(s.key, ''), coalesce(s.uid, ''), p.version
	FROM posts p JOIN series se ON se.id = p.series_id LEFT JOIN sessions s ON s.id = p.session_id `

// postOrder: newest first, then id, so equal stamps still list stably.
const postOrder = ` ORDER BY p.published DESC, p.slug`

type storedPost struct {
	id, seriesID int64
	sessionID    sql.NullInt64
	agenda.Post
}

func scanPost(r rowScanner) (storedPost, error) {
	var (
		sp             storedPost
		p              = &sp.Post
		published, upd string
	)
	if err := r.Scan(&sp.id, &sp.seriesID, &p.ID, &p.Series, &p.Title, &p.Summary, &p.Body, &p.BodyHTML, &p.Author,
		&published, &upd, &p.URL, &sp.sessionID, &p.SessionKey, &p.SessionUID, &p.Version); err != nil {
		return sp, err
	}
	var err error
	if p.Published, err = parseTime(published); err != nil {
		return sp, fmt.Errorf("post %s/%s: %w", p.Series, p.ID, &badValue{column: "published", value: published, expected: expectStamp})
	}
	if p.Updated, err = parseTime(upd); err != nil {
		return sp, fmt.Errorf("post %s/%s: %w", p.Series, p.ID, &badValue{column: "updated", value: upd, expected: expectStamp})
	}
	return sp, nil
}

func loadPosts(ctx context.Context, q queryer, tail string, args ...any) ([]agenda.Post, error) {
	rows, err := q.QueryContext(ctx, postSelect+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []agenda.Post
	for rows.Next() {
		sp, err := scanPost(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sp.Post)
	}
	return out, rows.Err()
}

func loadPost(ctx context.Context, q queryer, seriesID int64, series, id string) (storedPost, error) {
	sp, err := scanPost(q.QueryRowContext(ctx, postSelect+`WHERE p.series_id = ? AND p.slug = ?`, seriesID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return sp, &NotFoundError{Kind: "post", Series: series, Name: id}
	}
	if err != nil {
		return sp, fmt.Errorf("load post %s/%s: %w", series, id, err)
	}
	return sp, nil
}

// Posts lists a series' posts, newest published first, then by id.
func (db *DB) Posts(ctx context.Context, series string) ([]agenda.Post, error) {
	var out []agenda.Post
	err := db.read(ctx, func(q queryer) error {
		id, _, err := loadSeries(ctx, q, series)
		if err != nil {
			return err
		}
		out, err = loadPosts(ctx, q, `WHERE p.series_id = ?`+postOrder, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list posts: %w", err)
	}
	return out, nil
}

// Post returns one post.
func (db *DB) Post(ctx context.Context, series, id string) (agenda.Post, error) {
	var sp storedPost
	err := db.read(ctx, func(q queryer) error {
		sid, _, err := loadSeries(ctx, q, series)
		if err != nil {
			return err
		}
		sp, err = loadPost(ctx, q, sid, series, id)
		return err
	})
	if err != nil {
		return agenda.Post{}, fmt.Errorf("get post: %w", err)
	}
	return sp.Post, nil
}

// PutPost creates or updates the post (p.Series, p.ID). The store renders
// Body to BodyHTML (Markdown, sanitised) and resolves SessionKey (or, when
// only it is given, SessionUID) to a session of the same series; an unknown
// session is a field error "session". A new post starts at version 1 and
// every change bumps Version. ifVersion is Any, Absent (create only) or the
// version the post must be at; a version on a post that does not exist is a
// conflict.
func (db *DB) PutPost(ctx context.Context, p agenda.Post, ifVersion int64) (agenda.Post, error) {
	if err := checkPutCondition("ifVersion", ifVersion); err != nil {
		return agenda.Post{}, err
	}
	var out agenda.Post
	err := db.write(ctx, func(w *writeTx) error {
		if p.Series == "" {
			p.Normalize(nil)
			if err := validatePost(&p); err != nil {
				return err
			}
		}
		seriesID, series, err := loadSeries(ctx, w.tx, p.Series)
		if err != nil {
			return fmt.Errorf("put post %q: %w", p.ID, err)
		}
		p.Normalize(&series)
		if err := validatePost(&p); err != nil {
			return err
		}
		out, _, err = w.putPost(ctx, seriesID, p, ifVersion)
		return err
	})
	if err != nil {
		return agenda.Post{}, err
	}
	return out, nil
}

// validatePost is agenda's validation plus the range the stored time
// layout can hold.
func validatePost(p *agenda.Post) error {
	if err := p.Validate(); err != nil {
		return err
	}
	var es agenda.Errors
	checkStorableTime(&es, "published", p.Published)
	checkStorableTime(&es, "updated", p.Updated)
	return es.Err()
}

// putPost upserts a normalised, validated post of series seriesID.
func (w *writeTx) putPost(ctx context.Context, seriesID int64, p agenda.Post, ifVersion int64) (agenda.Post, outcome, error) {
	var sessionID sql.NullInt64
	switch {
	case p.SessionKey != "":
		err := w.tx.QueryRowContext(ctx, `SELECT id FROM sessions WHERE series_id = ? AND key = ?`, seriesID, p.SessionKey).Scan(&sessionID)
		if errors.Is(err, sql.ErrNoRows) {
			return agenda.Post{}, 0, agenda.Errors{{Field: "session", Value: p.SessionKey,
				Msg: fmt.Sprintf("expected the key of a session of series %q", p.Series)}}
		}
		if err != nil {
			return agenda.Post{}, 0, fmt.Errorf("put post %s/%s: session: %w", p.Series, p.ID, err)
		}
	case p.SessionUID != "":
		err := w.tx.QueryRowContext(ctx, `SELECT id FROM sessions WHERE series_id = ? AND uid = ?`, seriesID, p.SessionUID).Scan(&sessionID)
		if errors.Is(err, sql.ErrNoRows) {
			return agenda.Post{}, 0, agenda.Errors{{Field: "session", Value: p.SessionUID,
				Msg: fmt.Sprintf("expected the UID of a session of series %q", p.Series)}}
		}
		if err != nil {
			return agenda.Post{}, 0, fmt.Errorf("put post %s/%s: session: %w", p.Series, p.ID, err)
		}
	}
	html, err := w.db.md.Render(p.Body)
	if err != nil {
		return agenda.Post{}, 0, fmt.Errorf("put post %s/%s: %w", p.Series, p.ID, err)
	}
	p.BodyHTML = html

	cur, err := loadPost(ctx, w.tx, seriesID, p.Series, p.ID)
	found := err == nil
	if err != nil && !errors.Is(err, agenda.ErrNotFound) {
		return agenda.Post{}, 0, err
	}
	switch {
	case ifVersion == Absent:
		if found {
			return agenda.Post{}, 0, conflict("post %s/%s already exists (version %d)", p.Series, p.ID, cur.Version)
		}
	case ifVersion != Any:
		if !found {
			return agenda.Post{}, 0, conflict("post %s/%s does not exist, but version %d was given", p.Series, p.ID, ifVersion)
		}
		if cur.Version != ifVersion {
			return agenda.Post{}, 0, conflict("post %s/%s is at version %d, not %d", p.Series, p.ID, cur.Version, ifVersion)
		}
	}
	if found && samePost(cur, p, sessionID) {
		return cur.Post, unchanged, nil
	}
	result := updated
	if found {
		_, err = w.tx.ExecContext(ctx, `UPDATE posts SET title = ?, summary = ?, body = ?, body_html = ?, author = ?,
			published = ?, updated = ?, url = ?, session_id = ?, version = version + 1 WHERE id = ?`,
			p.Title, p.Summary, p.Body, p.BodyHTML, p.Author, formatTime(p.Published), formatTime(p.Updated),
			p.URL, sessionID, cur.id)
	} else {
		result = created
		_, err = w.tx.ExecContext(ctx, `INSERT INTO posts (series_id, slug, title, summary, body, body_html, author,
			published, updated, url, session_id, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,1)`,
			seriesID, p.ID, p.Title, p.Summary, p.Body, p.BodyHTML, p.Author, formatTime(p.Published),
			formatTime(p.Updated), p.URL, sessionID)
	}
	if err != nil {
		return agenda.Post{}, 0, fmt.Errorf("put post %s/%s: %w", p.Series, p.ID, err)
	}
	// A post's times are its own (published, updated), which an import
	// restoring its series from an export writes back as they were.
	if err := w.bumpSeriesRestored(ctx, seriesID); err != nil {
		return agenda.Post{}, 0, err
	}
	out, err := loadPost(ctx, w.tx, seriesID, p.Series, p.ID)
	return out.Post, result, err
}

// samePost compares what a post publishes with the stored one.
func samePost(cur storedPost, p agenda.Post, sessionID sql.NullInt64) bool {
	c := cur.Post
	return c.Title == p.Title && c.Summary == p.Summary && c.Body == p.Body && c.BodyHTML == p.BodyHTML &&
		c.Author == p.Author && c.Published.Equal(p.Published) && c.Updated.Equal(p.Updated) &&
		c.URL == p.URL && cur.sessionID == sessionID
}

// DeletePost deletes a post. ifVersion is Any or the version the post must
// be at.
func (db *DB) DeletePost(ctx context.Context, series, id string, ifVersion int64) error {
	if err := checkCondition("ifVersion", ifVersion); err != nil {
		return err
	}
	return db.write(ctx, func(w *writeTx) error {
		seriesID, _, err := loadSeries(ctx, w.tx, series)
		if err != nil {
			return fmt.Errorf("delete post %s/%s: %w", series, id, err)
		}
		cur, err := loadPost(ctx, w.tx, seriesID, series, id)
		if err != nil {
			return fmt.Errorf("delete post: %w", err)
		}
		if ifVersion != Any && cur.Version != ifVersion {
			return conflict("delete post %s/%s: it is at version %d, not %d", series, id, cur.Version, ifVersion)
		}
		if _, err := w.tx.ExecContext(ctx, `DELETE FROM posts WHERE id = ?`, cur.id); err != nil {
			return fmt.Errorf("delete post %s/%s: %w", series, id, err)
		}
		return w.bumpSeries(ctx, seriesID)
	})
}
