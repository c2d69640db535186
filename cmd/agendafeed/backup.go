package main

import (
	"context"
	"fmt"
)

// runBackup writes a consistent copy of the database (store.DB.Backup),
// safe while the daemon runs, unlike cp of a file with commits in its -wal.
func runBackup(ctx context.Context, args []string, e env) error {
	c := newCommand("backup", "backup FILE", e)
	pos, err := c.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("backup: expected one FILE to write the copy to, e.g. 'agendafeed backup /backups/agendafeed-2026-05-04.db'")
	}
	cfg, db, err := c.openStore(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()
	removed, err := db.Backup(ctx, pos[0])
	// Said even when the backup then fails: they are gone either way.
	for _, name := range removed {
		fmt.Fprintf(e.stdout, "removed %s, left by a backup that did not finish\n", name)
	}
	if err != nil {
		return fmt.Errorf("database %s: %w", cfg.Database, err)
	}
	fmt.Fprintf(e.stdout, "backup of %s written to %s\n", cfg.Database, pos[0])
	return nil
}
