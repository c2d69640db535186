package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Backup writes a consistent copy of the database to dst with VACUUM INTO:
// one read transaction, so it sees a single commit and neither waits for
// nor blocks writers (the daemon, an import), and the copy is one
// self-contained file, without -wal or -shm. Copying agendafeed.db with cp
// while anything has it open is not a backup: the latest commits live in
// agendafeed.db-wal until a checkpoint.
//
// VACUUM INTO writes a rollback-journal file; the copy is switched to WAL
// mode, the mode the daemon runs in, so that a restored backup is what
// the daemon expects, and so that reading it never needs a write: a
// reader that found a rollback file would try to switch it.
//
// The copy is written next to dst under a temporary name, synced, and
// linked into place, then the directory is synced, so dst is either
// absent or complete, and stays so after a crash; it gets the database
// file's permissions. Backup refuses a dst that exists, and the
// database's own path.
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
	if err := walFile(ctx, tmpName); err != nil {
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
	// Link, unlike rename, fails if dst appeared meanwhile; it is as
	// atomic: dst appears complete or not at all.
	if err := os.Link(tmpName, abs); err != nil {
		return fmt.Errorf("backup to %s: %w", abs, err)
	}
	if err := os.Remove(tmpName); err != nil {
		return fmt.Errorf("backup to %s: remove the temporary name: %w", abs, err)
	}
	// Without this a crash can lose the new name, after the command said
	// the backup was written.
	if err := syncDir(filepath.Dir(abs)); err != nil {
		return fmt.Errorf("backup to %s: %w", abs, err)
	}
	return nil
}

// walFile switches the database file at path, which nothing else has
// open, to WAL mode. Closing the only connection checkpoints and deletes
// the -wal and -shm it made, so the file is again self-contained.
func walFile(ctx context.Context, path string) error {
	uri := (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
	conn, err := sql.Open("sqlite", uri+"?mode=rw")
	if err != nil {
		return fmt.Errorf("switch the copy to WAL mode: %w", err)
	}
	// A user_version of its own (the store uses none), so that a daemon
	// whose file this copy is copied over in place sees another header
	// (headerWatch).
	_, err = conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, rand.Int32N(math.MaxInt32)+1))
	var mode string
	if err == nil {
		err = conn.QueryRowContext(ctx, `PRAGMA journal_mode = WAL`).Scan(&mode)
	}
	if cerr := conn.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("switch the copy to WAL mode: %w", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("switch the copy to WAL mode: SQLite kept %s", mode)
	}
	for _, ext := range []string{"-wal", "-shm"} {
		if _, err := os.Lstat(path + ext); !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("switch the copy to WAL mode: %s%s is left after closing it (%v)", path, ext, err)
		}
	}
	return nil
}
