package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// A deleted session's UID and a deleted series' slug can be used again: an
// import of the export restores both, and the API and CLI create sessions
// with a UID given. What was published under them is still out there, in
// calendar clients (which keep the copy of an event with the higher
// SEQUENCE) and in every cache keyed by a series' slug and revision (the
// publisher's manifest, the server's rendered variants and session
// calendars, the API's ETags). The tombstones keep the last sequence and
// revision, so that what is created again continues above them instead of
// starting over and colliding with what was published before.

// buryOne records a deleted session's last sequence under its UID.
func (w *writeTx) buryOne(ctx context.Context, uid string, sequence int64) error {
	if _, err := w.tx.ExecContext(ctx, `INSERT INTO session_tombstones (uid, sequence, deleted) VALUES (?, ?, ?)
		ON CONFLICT (uid) DO UPDATE SET sequence = max(sequence, excluded.sequence), deleted = excluded.deleted`,
		uid, sequence, formatTime(w.now)); err != nil {
		return fmt.Errorf("record the sequence of deleted session %s: %w", uid, err)
	}
	return nil
}

// burySeries records the last revision of a series about to be deleted,
// and the last sequence of each of its sessions.
func (w *writeTx) burySeries(ctx context.Context, seriesID int64, slug string, revision int64) error {
	now := formatTime(w.now)
	// WHERE before ON CONFLICT: SQLite's grammar needs it after a SELECT.
	if _, err := w.tx.ExecContext(ctx, `INSERT INTO session_tombstones (uid, sequence, deleted)
		SELECT uid, sequence, ? FROM sessions WHERE series_id = ?
		ON CONFLICT (uid) DO UPDATE SET sequence = max(sequence, excluded.sequence), deleted = excluded.deleted`,
		now, seriesID); err != nil {
		return fmt.Errorf("record the sequences of the sessions of deleted series %q: %w", slug, err)
	}
	if _, err := w.tx.ExecContext(ctx, `INSERT INTO series_tombstones (slug, revision, deleted) VALUES (?, ?, ?)
		ON CONFLICT (slug) DO UPDATE SET revision = max(revision, excluded.revision), deleted = excluded.deleted`,
		slug, revision, now); err != nil {
		return fmt.Errorf("record the revision of deleted series %q: %w", slug, err)
	}
	return nil
}

// buriedSequence is the last sequence of a deleted session with uid, and
// whether there was one.
func (w *writeTx) buriedSequence(ctx context.Context, uid string) (int64, bool, error) {
	var seq int64
	err := w.tx.QueryRowContext(ctx, `SELECT sequence FROM session_tombstones WHERE uid = ?`, uid).Scan(&seq)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, false, nil
	case err != nil:
		return 0, false, fmt.Errorf("read the sequence of deleted session %s: %w", uid, err)
	}
	return seq, true, nil
}

// buriedRevision is the last revision of a deleted series with slug, 0 if
// there was none.
func (w *writeTx) buriedRevision(ctx context.Context, slug string) (int64, error) {
	var rev int64
	err := w.tx.QueryRowContext(ctx, `SELECT revision FROM series_tombstones WHERE slug = ?`, slug).Scan(&rev)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("read the revision of deleted series %q: %w", slug, err)
	}
	return rev, nil
}
