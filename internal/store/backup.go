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
	"slices"
	"strings"
	"syscall"
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
//
// A backup that is killed leaves its temporary file (and its -journal)
// behind. Each backup holds a lock on its temporary file while it runs,
// and removes those of earlier backups into the same directory (to any
// name) whose lock it can take: they belong to no running backup. It returns the names it removed.
func (db *DB) Backup(ctx context.Context, dst string) (removed []string, err error) {
	abs, err := filepath.Abs(dst)
	if err != nil {
		return nil, fmt.Errorf("backup to %q: %w", dst, err)
	}
	if err := checkBackupDir(filepath.Dir(abs)); err != nil {
		return nil, fmt.Errorf("backup to %s: %w", abs, err)
	}
	if fi, err := os.Lstat(abs); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("backup to %s: it is a directory; expected the name of the file to write, such as %s",
			abs, filepath.Join(abs, "agendafeed-YYYY-MM-DD.db"))
	} else if err == nil {
		return nil, fmt.Errorf("backup to %s: the file exists; remove it or name a new file", abs)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("backup to %s: %w", abs, err)
	}
	tmp, err := createLockedTemp(abs)
	if err != nil {
		return nil, fmt.Errorf("backup to %s: %w", abs, err)
	}
	tmpName := tmp.Name()
	defer func() {
		// Removed before the lock goes with the descriptor, so that no
		// other backup takes it for a dead one's meanwhile. A no-op
		// after the link and the removal below.
		removeTemp(tmpName)
		tmp.Close()
	}()
	removed, err = removeStaleTemps(abs, tmpName)
	if err != nil {
		return removed, fmt.Errorf("backup to %s: %w", abs, err)
	}
	// VACUUM INTO refuses a file that is not empty, and an empty one is
	// fine: the temporary file reserves the name.
	if _, err := db.reader.ExecContext(ctx, `VACUUM INTO ?`, tmpName); err != nil {
		return removed, fmt.Errorf("backup to %s: %w", abs, err)
	}
	if err := walFile(ctx, tmpName); err != nil {
		return removed, fmt.Errorf("backup to %s: %w", abs, err)
	}
	// CreateTemp made it 0600: give the copy the database's permissions,
	// which the daemon's user and group already work with.
	if err := os.Chmod(tmpName, db.file.Mode().Perm()); err != nil {
		return removed, fmt.Errorf("backup to %s: %w", abs, err)
	}
	if err := tmp.Sync(); err != nil {
		return removed, fmt.Errorf("backup to %s: sync: %w", abs, err)
	}
	// Link, unlike rename, fails if dst appeared meanwhile; it is as
	// atomic: dst appears complete or not at all.
	if err := os.Link(tmpName, abs); err != nil {
		return removed, fmt.Errorf("backup to %s: %w", abs, err)
	}
	if err := os.Remove(tmpName); err != nil {
		return removed, fmt.Errorf("backup to %s: remove the temporary name: %w", abs, err)
	}
	// Without this a crash can lose the new name, after the command said
	// the backup was written.
	if err := syncDir(filepath.Dir(abs)); err != nil {
		return removed, fmt.Errorf("backup to %s: %w", abs, err)
	}
	return removed, nil
}

// checkBackupDir says what is wrong with dir, the directory a backup is
// to be written in, in the user's terms: otherwise the first to fail is
// the creation of the temporary file, whose error names that file, a
// name the user never gave.
func checkBackupDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return fmt.Errorf("directory %s does not exist; create it, or name a file in an existing directory", dir)
	case err == nil && !fi.IsDir():
		return fmt.Errorf("%s is not a directory; expected the directory to write the copy in", dir)
	case err != nil:
		return err
	}
	return nil
}

// backupTempMark is in the name of every backup's temporary file,
// .NAME.agendafeed-backup-DIGITS, so that a later backup into the same
// directory, to whatever name (backups from cron are usually dated),
// knows the leftovers of a killed one from anything else there.
const backupTempMark = ".agendafeed-backup-"

// tempPrefix starts the names of the temporary files of backups to abs;
// os.CreateTemp puts decimal digits after it.
func tempPrefix(abs string) string { return "." + filepath.Base(abs) + backupTempMark }

// staleTempName reports whether name, in the directory of a backup to
// abs, is named as a backup's temporary file or one of its sidecars, and
// which sidecar ("" for the file itself). Before backupTempMark, the
// temporary files of a backup to abs were .NAME.tmp-DIGITS: those too.
func staleTempName(abs, name string) (sidecar string, ok bool) {
	rest, ok := strings.CutPrefix(name, "."+filepath.Base(abs)+".tmp-")
	if !ok {
		_, rest, ok = strings.Cut(name, backupTempMark)
		ok = ok && strings.HasPrefix(name, ".")
	}
	if !ok {
		return "", false
	}
	for _, s := range tempSidecars {
		if d, found := strings.CutSuffix(rest, s); found {
			rest, sidecar = d, s
			break
		}
	}
	return sidecar, rest != "" && strings.Trim(rest, "0123456789") == ""
}

// tempSidecars are the files SQLite may make next to a temporary copy.
var tempSidecars = []string{"-journal", "-wal", "-shm"}

// createLockedTemp creates the temporary file of a backup to abs and
// locks it. Another backup's removeStaleTemps may take the lock of a
// file just created, before this one does, and remove it: the file is
// then created again under a new name.
func createLockedTemp(abs string) (*os.File, error) {
	for range 10 {
		f, err := os.CreateTemp(filepath.Dir(abs), tempPrefix(abs)+"*")
		if err != nil {
			return nil, err
		}
		if ok, err := lockTemp(f); err != nil {
			f.Close()
			os.Remove(f.Name())
			return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
		} else if ok && sameFile(f) {
			return f, nil
		}
		f.Close()
	}
	return nil, fmt.Errorf("create a temporary file next to %s: another backup to it removed each one made", abs)
}

// sameFile reports whether f's name still names f.
func sameFile(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	named, err := os.Lstat(f.Name())
	return err == nil && os.SameFile(fi, named)
}

// removeStaleTemps removes the temporary files of backups in the
// directory of abs, other than own, whose lock can be taken, with their sidecars, and sidecars
// whose temporary file is gone: what a backup that was killed left.
func removeStaleTemps(abs, own string) ([]string, error) {
	if !tempLocks {
		return nil, nil
	}
	dir := filepath.Dir(abs)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("look for temporary files of interrupted backups: %w", err)
	}
	var removed []string
	for _, e := range entries {
		sidecar, ok := staleTempName(abs, e.Name())
		name := filepath.Join(dir, e.Name())
		if !ok || name == own || !e.Type().IsRegular() {
			continue
		}
		if sidecar != "" {
			// Its temporary file, when there is one, is handled below
			// (or is this backup's own, or a running one's).
			if _, err := os.Lstat(strings.TrimSuffix(name, sidecar)); errors.Is(err, fs.ErrNotExist) {
				if err := os.Remove(name); err == nil {
					removed = append(removed, name)
				}
			}
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			continue // gone meanwhile, or not ours to read
		}
		if ok, _ := lockTemp(f); ok && sameFile(f) {
			removed = append(removed, removeTemp(name)...)
		}
		f.Close()
	}
	return removed, nil
}

// removeTemp removes a temporary file and its sidecars, sidecars first,
// so that a sidecar is never left without its file by this process, and
// returns the names it removed.
func removeTemp(name string) []string {
	var removed []string
	for _, s := range append(slices.Clone(tempSidecars), "") {
		if os.Remove(name+s) == nil {
			removed = append(removed, name+s)
		}
	}
	return removed
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
