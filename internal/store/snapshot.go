package store

import (
	"context"
	"fmt"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// Snapshot returns a series with its sessions and posts, all read in one
// read transaction, so they are consistent at the series' revision: a write
// committed meanwhile is either wholly in it or wholly absent. Sessions are
// ordered by start instant then key, posts newest first then id.
func (db *DB) Snapshot(ctx context.Context, slug string) (agenda.Snapshot, error) {
	var snap agenda.Snapshot
	err := db.read(ctx, func(q queryer) error {
		id, series, err := loadSeries(ctx, q, slug)
		if err != nil {
			return err
		}
		sessions, err := loadSessions(ctx, q, `WHERE s.series_id = ? ORDER BY s.start_at, s.key`, id)
		if err != nil {
			return fmt.Errorf("sessions: %w", err)
		}
		posts, err := loadPosts(ctx, q, `WHERE p.series_id = ?`+postOrder, id)
		if err != nil {
			return fmt.Errorf("posts: %w", err)
		}
		snap = agenda.Snapshot{Series: series, Sessions: sessionsOf(sessions), Posts: posts}
		return nil
	})
	if err != nil {
		return agenda.Snapshot{}, fmt.Errorf("snapshot of series %q: %w", slug, err)
	}
	return snap, nil
}
