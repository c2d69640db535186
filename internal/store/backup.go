package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the database to dst with VACUUM INTO:
// one read transaction, so it sees a single commit and neither waits for
// nor blocks writers (the daemon, an import), and the copy is one
// self-contained file, without -wal or -shm. Copying agendafeed.db with cp
// while anything has it open is not a backup: the latest commits live in
// agendafeed.db-wal until a checkpoint.
//
// The copy is written next to dst under a temporary name, synced, and
// linked into place, so dst is either absent or complete; it gets the
// database file's permissions. Backup refuses
// a dst that exists, and the database's own path.
func (db *DB) Backup(ctx context.Context, dst string) error {
	abs, err := filepath.Abs(dst)
	if err != nil {
		return fmt.Errorf("backup to %q: %w", dst, err)
	}
	if _, err := os.Lstat(abs); err == nil {
		return fmt.Errorf("backup to %s: the file exists; remove it or name a new file", abs)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup to %s: %w", abs, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".tmp-*")
	if err != nil {
		return fmt.Errorf("backup to %s: %w", abs, err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer os.Remove(tmpName) // a no-op after the rename
	// VACUUM INTO refuses a file that is not empty, and an empty one is
	// fine: the temporary file reserves the name.
	if _, err := db.reader.ExecContext(ctx, `VACUUM INTO ?`, tmpName); err != nil {
		return fmt.Errorf("backup to %s: %w", abs, err)
	}
	// CreateTemp made it 0600: give the copy the database's permissions,
	// which the daemon's user and group already work with.
	if err := os.Chmod(tmpName, db.file.Mode().Perm()); err != nil {
		return fmt.Errorf("backup to %s: %w", abs, err)
	}
	f, err := os.Open(tmpName)
	if err != nil {
		return fmt.Errorf("backup to %s: %w", abs, err)
	}
	err = f.Sync()
	f.Close()
	if err != nil {
		return fmt.Errorf("backup to %s: sync: %w", abs, err)
	}
	// Link, unlike rename, fails if dst appeared meanwhile.
	if err := os.Link(tmpName, abs); err != nil {
		return fmt.Errorf("backup to %s: %w", abs, err)
	}
	if d, err := os.Open(filepath.Dir(abs)); err == nil {
		d.Sync() //nolint:errcheck // best effort: the file itself is synced
		d.Close()
	}
	return nil
}
