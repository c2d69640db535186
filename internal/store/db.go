// Package store owns agendafeed's SQLite database: the schema and its
// embedded, ordered migrations; reading and writing series, sessions, people
// and posts; the per-series revision that tells the publisher what to
// regenerate; consistent snapshots for the renderers; all-or-nothing import;
// and a consistency check of everything stored.
//
// # Connections
//
// One *sql.DB with a single connection does every write, each in a BEGIN
// IMMEDIATE transaction: with this driver a deferred transaction that reads
// and then writes fails with SQLITE_BUSY under concurrency, whatever the busy
// timeout. A second *sql.DB opened read-only (mode=ro) with a small pool does
// every read; the database is in WAL mode, so readers never block the writer
// and each read transaction sees one committed state.
//
// # Rules every write follows
//
//   - Input is normalised and validated with package agenda first; a
//     validation error is returned unchanged (errors.Is(err, agenda.ErrInvalid)).
//   - Every write takes a condition (ifRevision, ifSequence, ifVersion). Any
//     makes it unconditional; any other value, 0 included (a session's
//     first sequence is 0), requires the row to exist at exactly that value,
//     else the write fails with an error wrapping agenda.ErrConflict and
//     changes nothing. A put also takes Absent: create only, failing with
//     agenda.ErrConflict if the row exists (condition.go). Any other
//     negative value is a field error (errors.Is(err, agenda.ErrInvalid)).
//   - A put that changes nothing writes nothing: no revision, sequence,
//     version or updated change, so re-importing a file is idempotent.
//   - Every change to what a series publishes bumps that series' Revision by
//     one and sets its Updated, in the same transaction, at most once per
//     series per transaction.
//   - Every committed change bumps the change counter (ChangeCounter), which
//     other parts poll to learn that something was written.
//   - A series' packed sessions (packed.go) are read only while their
//     revision is the series'; Pack, which Open and the daemon after each
//     pass call, brings them up to date without bumping the change counter.
//
// # Storage of times
//
// Session times are stored as the wall times the organiser entered
// (WallTime.String, with an explicit offset when one was given), the IANA
// zone and the all-day dates; the UTC instants derived from them are stored
// too, recomputed on every write, for filtering and ordering only. Created,
// updated and published stamps are UTC text in a fixed-width layout with
// nanoseconds, so text order is time order and values round-trip exactly.
// Stamps the store sets come from Options.Now truncated to the second.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/markup"

	"modernc.org/sqlite" // also registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// Options configure a DB.
type Options struct {
	// UIDDomain is the domain part of session UIDs the store assigns
	// (uuid + "@" + UIDDomain). Required to create sessions without a UID.
	UIDDomain string
	// Now is the clock for created and updated stamps; nil means time.Now.
	// Stamps are truncated to the second and kept in UTC.
	Now func() time.Time
	// Readers is the size of the read-only connection pool; 0 means 4.
	Readers int
	// BusyTimeout is how long a write waits for another connection's
	// write (another process's import) to finish before failing with
	// ErrBusy; 0 means 10 seconds.
	BusyTimeout time.Duration
	// Create lets Open create a missing database file. Without it Open
	// fails with an error matching ErrNoDatabase: a mistyped or deleted
	// path must not become an empty database that a publisher then takes
	// as "every series was removed".
	Create bool
	// ReadOnlyFallback lets Open read a database whose directory it
	// cannot write (a read-only directory or mount) when no -wal file
	// is next to it, by opening it immutable (see openImmutable); writes
	// then fail with an error matching ErrReadOnlyDir. Only for commands
	// that run for moments: an immutable connection never sees later
	// changes, so a daemon must not set it. Ignored with Create.
	ReadOnlyFallback bool
}

// DB is an open agendafeed database. It is safe for concurrent use.
type DB struct {
	writer *sql.DB // one connection; every write transaction is IMMEDIATE
	reader *sql.DB // read-only pool
	wstmts *stmtCache
	rstmts *stmtCache
	opts   Options
	md     *markup.Renderer
	path   string      // absolute path the database was opened at
	file   os.FileInfo // the file at path when opened, for Replaced
	// readOnly is set when the database was opened immutable: every
	// write fails with it.
	readOnly error
	// wal and shm are the -wal and -shm at path once Open was done (nil
	// when there were none): while this process has the database open
	// they are never deleted or recreated, since its writer connection
	// is never the last to close, so once the file at path is another
	// one, the files at these names that are still these are the old
	// file's (setAside).
	wal, shm os.FileInfo
	// gone is set, under goneMu, the first time the path is found not to
	// name the file opened (checkReplaced): from then on every write
	// fails with it, and Ping and ChangeCounter return it.
	goneMu sync.Mutex
	gone   *replacedError
	// header notices the file overwritten in place (overwrite.go).
	header *headerWatch
	// migrated is the schema versions before and after Open updated an
	// existing database's schema; zero if it did not.
	migrated [2]int
}

// pragmas apply to every connection. foreign_keys is per connection, so it
// must be in the DSN rather than run once. journal_mode is not among them:
// WAL mode is stored in the file, and switching a rollback-journal file
// (a VACUUM INTO copy, an old backup) to it is a write, which on a file
// this process cannot write fails every connection that asks; Open does it
// once, when it can (useWAL).
const pragmas = "_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)"

// dsnPragmas is pragmas with the configured busy timeout.
func dsnPragmas(opts Options) string {
	ms := (&DB{opts: opts}).busyMillis()
	return strings.Replace(pragmas, "busy_timeout(10000)", fmt.Sprintf("busy_timeout(%d)", ms), 1)
}

// Open opens the database at path, creating it only if opts.Create is set,
// and migrates it to the newest schema.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Readers <= 0 {
		opts.Readers = 4
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open store %q: %w", path, err)
	}
	// A file: URI so that mode=ro is honoured; url.URL escapes any '?' or
	// '#' in the path.
	uri := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()

	if err := checkFile(abs, opts.Create); err != nil {
		return nil, fmt.Errorf("open store %q: %w", path, err)
	}
	wmode := "mode=rwc&"
	if !opts.Create {
		// mode=rw also refuses to create the file should it vanish
		// between the stat and the open.
		wmode = "mode=rw&"
	}
	if pids, err := foreignWAL(abs); err != nil {
		return nil, fmt.Errorf("open store %q: %w", path, err)
	} else if len(pids) > 0 {
		return nil, fmt.Errorf("open store %q: %w", path, &foreignWALError{path: abs, pids: pids})
	}
	// A file this user cannot write, in a directory it can, with no -wal
	// beside it (nothing has it open): SQLite would create the -wal and
	// -shm as this user, and could not remove them on close, which takes
	// a write to the file, so the owner's next write would fail on them.
	// A command reads it immutable instead, as in a directory it cannot
	// write; its writes answer that the file cannot be written.
	if why := fileUnwritable(abs); why != nil && !errors.Is(why, fs.ErrNotExist) && opts.ReadOnlyFallback && dirWritable(filepath.Dir(abs)) {
		if _, err := os.Lstat(abs + "-wal"); errors.Is(err, fs.ErrNotExist) {
			ro := &readOnlyFileError{path: abs, cause: why}
			db, err := readImmutable(ctx, abs, uri, opts, ro, ro)
			if err != nil {
				return nil, fmt.Errorf("open store %q: %w", path, err)
			}
			return db, nil
		}
	}
	writer, err := sql.Open("sqlite", uri+"?"+wmode+dsnPragmas(opts)+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open store %q: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	// The schema is checked first: a file refused for it is left as it
	// was, not switched to WAL mode.
	var readOnly error
	err = checkSchema(ctx, writer, abs, opts.Create)
	if err == nil {
		readOnly, err = useWAL(ctx, writer, abs, opts)
	}
	var from int // the schema version before migrate, for Migrated
	if err == nil {
		from, err = appliedVersion(ctx, writer)
	}
	if err == nil {
		err = migrate(ctx, writer, opts.Now, 0)
		if err != nil && sqliteCode(err)&0xff == sqlite3.SQLITE_READONLY {
			ro := readOnly
			if ro == nil { // writable to SQLite's first look, refused at the write
				ro = readOnlyFile(abs, err)
			}
			err = olderSchema(ctx, writer, abs, ro)
		}
	}
	if err != nil {
		writer.Close()
		if errors.Is(err, ErrReadOnlyDir) || errors.Is(err, ErrReadOnlyFile) {
			return nil, fmt.Errorf("open store %q: %w", path, err)
		}
		if opts.Create && sqliteCode(err) == sqlite3.SQLITE_READONLY_DIRECTORY {
			// Create is for commands that write: no reading fallback, but
			// the same explanation.
			return nil, fmt.Errorf("open store %q: %w", path, &readOnlyDirError{path: abs, cause: err})
		}
		if !opts.Create && cannotCreateWAL(err) {
			db, ierr := openImmutable(ctx, abs, uri, opts, err)
			if ierr != nil {
				return nil, fmt.Errorf("open store %q: %w", path, ierr)
			}
			return db, nil
		}
		return nil, fmt.Errorf("open store %q: %w", path, err)
	}

	db, err := withReaders(ctx, writer, uri+"?mode=ro&"+dsnPragmas(opts), abs, opts, readOnly)
	if err != nil {
		return nil, fmt.Errorf("open store %q: %w", path, err)
	}
	if to, err := db.SchemaVersion(ctx); err == nil && from > 0 && to > from {
		db.migrated = [2]int{from, to}
	}
	if err := db.packIfFree(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %q: %w", path, err)
	}
	return db, nil
}

// useWAL puts the database in WAL mode, which the store's concurrency
// rests on (readers never block the writer), unless it already is. A file
// in rollback-journal mode that this process cannot write (a backup made
// by VACUUM INTO, copied somewhere read-only) is left as it is: reading
// it needs no -wal, -shm or -journal file, so it is read as it is, and
// the error returned (not nil) is what every write will answer. When its
// directory cannot be written, that is allowed only with
// Options.ReadOnlyFallback, as for a WAL file; otherwise, and when the
// mode cannot be read or set for another reason, the second result is
// the error Open fails with.
func useWAL(ctx context.Context, writer *sql.DB, abs string, opts Options) (readOnly, err error) {
	var mode string
	if err := writer.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		return nil, fmt.Errorf("read journal mode: %w", err)
	}
	if strings.EqualFold(mode, "wal") {
		return nil, nil
	}
	// The pragma answers the mode in force: the old one when it could not
	// switch, sometimes without an error.
	serr := writer.QueryRowContext(ctx, `PRAGMA journal_mode = WAL`).Scan(&mode)
	if serr == nil && strings.EqualFold(mode, "wal") {
		return nil, nil
	}
	if serr == nil {
		return nil, fmt.Errorf("switch journal mode from %s to WAL: SQLite kept %s", mode, mode)
	}
	code := sqliteCode(serr)
	if code&0xff != sqlite3.SQLITE_READONLY && !cannotCreateWAL(serr) {
		return nil, fmt.Errorf("switch journal mode to WAL: %w", serr)
	}
	// A read-only file reports SQLITE_READONLY whatever its directory,
	// so the directory is looked at too: with it unwritable, the answer
	// is the one a WAL file there gets.
	if code&0xff == sqlite3.SQLITE_READONLY && code != sqlite3.SQLITE_READONLY_DIRECTORY && dirWritable(filepath.Dir(abs)) {
		return &readOnlyFileError{path: abs, cause: serr}, nil
	}
	if opts.Create || !opts.ReadOnlyFallback {
		return nil, &readOnlyDirError{path: abs, cause: serr}
	}
	return &readOnlyDirError{path: abs, opened: true, cause: serr}, nil
}

// cannotCreateWAL reports whether err is SQLite failing to open a WAL
// database because it cannot create the -wal or -shm file next to it: the
// directory is read-only (SQLITE_READONLY_DIRECTORY), or on a read-only
// mount (SQLITE_CANTOPEN; Open has checked that the file exists).
func cannotCreateWAL(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	return se.Code() == sqlite3.SQLITE_READONLY_DIRECTORY || se.Code()&0xff == sqlite3.SQLITE_CANTOPEN
}

// openImmutable opens a database whose directory cannot be written, for
// reading only, or explains why it cannot.
//
// SQLite reads a WAL database without creating -wal and -shm files only
// when told the file is immutable (https://www.sqlite.org/wal.html,
// "Read-Only Databases"), and then takes no locks and never looks for
// changes. That is safe while nothing writes the file. It is used only
// when no -wal file exists: the last connection to close deletes it, so
// none is open now and every committed write is in the file. A writer
// would need to create the -wal in this directory, which this user
// cannot, so it would be its owner (or root) starting one during the few
// moments a reading command runs; that command might then fail or print
// a mix of old and new, the file itself is not at risk. With a -wal file
// present, some process has the database open (or one crashed with
// writes only in its -wal), and the immutable file would be stale: Open
// fails and says what is needed instead.
func openImmutable(ctx context.Context, abs, uri string, opts Options, cause error) (*DB, error) {
	roErr := &readOnlyDirError{path: abs, cause: cause}
	if !opts.ReadOnlyFallback {
		return nil, roErr
	}
	if _, err := os.Lstat(abs + "-wal"); !errors.Is(err, fs.ErrNotExist) {
		roErr.wal = true
		return nil, roErr
	}
	return readImmutable(ctx, abs, uri, opts, roErr, &readOnlyDirError{path: abs, opened: true, cause: cause})
}

// readImmutable opens the database at abs immutable, for reading only
// (see openImmutable for when that is safe). roErr explains a failure to
// open it so; writeErr is what every write then answers.
func readImmutable(ctx context.Context, abs, uri string, opts Options, roErr, writeErr error) (*DB, error) {
	// No journal_mode pragma: setting it writes.
	dsn := uri + fmt.Sprintf("?mode=ro&immutable=1&_pragma=foreign_keys(1)&_pragma=busy_timeout(%d)", (&DB{opts: opts}).busyMillis())
	writer, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("%w (opening it immutable: %v)", roErr, err)
	}
	writer.SetMaxOpenConns(1)
	if err := checkSchema(ctx, writer, abs, false); err != nil {
		writer.Close()
		if errors.Is(err, ErrNewerSchema) || errors.Is(err, ErrEmptyDatabase) || errors.Is(err, ErrNotAgendafeed) {
			return nil, err
		}
		return nil, fmt.Errorf("%w (reading it immutable: %v)", roErr, err)
	}
	if err := migrate(ctx, writer, opts.Now, 0); err != nil {
		if sqliteCode(err)&0xff == sqlite3.SQLITE_READONLY {
			err = olderSchema(ctx, writer, abs, roErr)
		} else {
			err = fmt.Errorf("%w (reading it immutable: %v)", roErr, err)
		}
		writer.Close()
		return nil, err
	}
	db, err := withReaders(ctx, writer, dsn, abs, opts, writeErr)
	if err != nil {
		return nil, fmt.Errorf("%w (reading it immutable: %v)", roErr, err)
	}
	return db, nil
}

// withReaders opens the readers beside writer, which migrate has run on,
// and checks the pair. On error it closes writer. readOnly, when not nil,
// is what every write will answer.
func withReaders(ctx context.Context, writer *sql.DB, readerDSN, abs string, opts Options, readOnly error) (*DB, error) {
	reader, err := sql.Open("sqlite", readerDSN)
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("readers: %w", err)
	}
	reader.SetMaxOpenConns(opts.Readers)
	reader.SetMaxIdleConns(opts.Readers)
	// The writer's connection has the file open since migrate, so this is
	// the file it reads and writes.
	fi, err := os.Stat(abs)
	if err != nil {
		writer.Close()
		reader.Close()
		return nil, err
	}
	db := &DB{writer: writer, reader: reader, wstmts: newStmtCache(writer), rstmts: newStmtCache(reader),
		opts: opts, md: markup.New(), path: abs, file: fi, readOnly: readOnly, header: &headerWatch{file: openHeaderFile(abs, fi)}}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	// After a read on each pool: both files exist now (WAL mode).
	db.wal, _ = os.Lstat(abs + "-wal")
	db.shm, _ = os.Lstat(abs + "-shm")
	return db, nil
}

// packIfFree packs stale series unless another connection holds the write
// lock, or the database cannot be written (a read-only file, a full or
// failing disk): packs only speed reads up (reads of a stale series fall
// back to the sessions table) and the daemon packs after every pass, so a
// read-only command must not wait for, or fail on, another process's long
// import or a database it only reads.
func (db *DB) packIfFree(ctx context.Context) error {
	// The writer pool has one connection, so the pragma applies to the
	// transaction Pack opens.
	if _, err := db.writer.ExecContext(ctx, `PRAGMA busy_timeout = 0`); err != nil {
		return fmt.Errorf("pack sessions: %w", err)
	}
	_, err := db.Pack(ctx)
	if _, rerr := db.writer.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, db.busyMillis())); rerr != nil && err == nil {
		err = fmt.Errorf("pack sessions: %w", rerr)
	}
	if errors.Is(err, ErrBusy) || unwritable(err) {
		return nil
	}
	return err
}

func (db *DB) busyMillis() int64 {
	if db.opts.BusyTimeout <= 0 {
		return 10000
	}
	return max(1, db.opts.BusyTimeout.Milliseconds())
}

// Close closes both connection pools. If the file at the path is no
// longer the one opened, it first moves the old file's -wal and -shm away
// from the path (checkReplaced), and returns an error matching
// ErrReplaced that says where they went: SQLite leaves them when the
// file it has open was moved (it neither copies them into that file nor
// deletes them), and the next connection to the path would replay the
// old file's commits over the new one ("database disk image is
// malformed").
func (db *DB) Close() error {
	err := db.checkReplaced()
	return errors.Join(err, db.rstmts.close(), db.wstmts.close(), db.reader.Close(), db.writer.Close(), db.header.close())
}

// Ping checks that the database answers on both pools and that its path
// still names the file that was opened (see Replaced), so a health check
// built on it fails once the daemon serves a database nobody else sees.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.checkReplaced(); err != nil {
		return fmt.Errorf("ping store: %w", err)
	}
	if err := db.writer.PingContext(ctx); err != nil {
		return fmt.Errorf("ping store writer: %w", err)
	}
	var n int
	if err := db.reader.QueryRowContext(ctx, `SELECT count(*) FROM meta`).Scan(&n); err != nil {
		return fmt.Errorf("ping store reader: %w", err)
	}
	return nil
}

// Replaced reports whether the database's path no longer names the file
// that Open opened: the file was deleted, renamed or replaced (a restore
// copied over it). The open connections keep using the old file, so writes
// made through the path by other processes are not seen here, and writes
// made here are lost with the old file. A missing path is reported as
// replaced, not as an error.
func (db *DB) Replaced() (bool, error) {
	fi, err := os.Stat(db.path)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("stat database %s: %w", db.path, err)
	}
	return !os.SameFile(fi, db.file), nil
}

// checkReplaced returns an error matching ErrReplaced once the path does
// not name the file opened (Replaced); the first time, it moves the old
// file's -wal and -shm away from the path first (setAside). The error
// sticks: a file put back at the path later is not one this process may
// write again (its -wal is gone from beside it). An error of stat itself
// is returned as it is, and does not stick.
func (db *DB) checkReplaced() error {
	db.goneMu.Lock()
	defer db.goneMu.Unlock()
	if db.gone != nil {
		return db.gone
	}
	replaced, err := db.Replaced()
	if err != nil {
		return err
	}
	if !replaced {
		if db.header.overwritten() {
			// Nothing to set aside: the -wal is this file's name's, and
			// the connections would checkpoint it into the file anyway.
			db.gone = &replacedError{path: db.path, overwritten: true}
			return db.gone
		}
		return nil
	}
	db.gone = &replacedError{path: db.path}
	db.gone.aside, db.gone.asideErr = db.setAside()
	return db.gone
}

// setAside renames the -wal beside the path, if it is still the one this
// process has open, to "<name>-wal.replaced-<UTC time>", where SQLite
// never looks, and deletes the -shm if it is still this process's: it
// holds only an index of that -wal, which SQLite rebuilds. The open
// connections keep both by descriptor and go on reading the old file;
// SQLite never opens them again by name while they are open, nor
// deletes them by name when they close (the database file moved), so
// nothing here reaches the new file. The -wal is kept, not deleted: with
// the old file (renamed, not deleted, say), it holds that file's latest
// commits. It returns the paths moved (from, to).
func (db *DB) setAside() ([][2]string, error) {
	if db.wal == nil {
		return nil, nil // opened immutable: no -wal of this process's
	}
	var moved [][2]string
	var errs []error
	if fi, err := os.Lstat(db.path + "-wal"); err == nil && os.SameFile(fi, db.wal) {
		to := db.path + "-wal.replaced-" + time.Now().UTC().Format("20060102T150405.000000000Z")
		if err := os.Rename(db.path+"-wal", to); err != nil {
			errs = append(errs, fmt.Errorf("move the old file's %s-wal away: %w", filepath.Base(db.path), err))
		} else {
			moved = append(moved, [2]string{db.path + "-wal", to})
		}
	}
	if db.shm != nil {
		if fi, err := os.Lstat(db.path + "-shm"); err == nil && os.SameFile(fi, db.shm) {
			if err := os.Remove(db.path + "-shm"); err != nil {
				errs = append(errs, fmt.Errorf("delete the old file's %s-shm: %w", filepath.Base(db.path), err))
			}
		}
	}
	if len(moved) > 0 || len(errs) > 0 {
		if err := syncDir(filepath.Dir(db.path)); err != nil {
			errs = append(errs, err)
		}
	}
	return moved, errors.Join(errs...)
}

// syncDir makes the renames and deletions in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// Migrated reports whether Open updated the schema of an existing
// database, from which version to which: worth telling the operator, as
// an older release cannot refuse the result (it knows nothing newer).
func (db *DB) Migrated() (from, to int, ok bool) {
	return db.migrated[0], db.migrated[1], db.migrated[0] > 0
}

// SchemaVersion returns the newest applied migration.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	v, err := schemaVersion(ctx, db.rq())
	if err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}

// ChangeCounter returns a number that grows with every committed write that
// changed anything. It is one indexed row: cheap enough to poll often.
// (PRAGMA data_version does not see commits made by other connections of
// the same process reliably through a pool, so the store keeps its own.)
// A missing row is an error matching ErrNoChangeCounter; the next write
// recreates it. Open leaves it missing, so that Check reports it.
func (db *DB) ChangeCounter(ctx context.Context) (int64, error) {
	// Another process's edits go to the file at the path: once that is
	// not this one, they cannot be seen here (and the daemon, which
	// polls this, finds out within a poll).
	if err := db.checkReplaced(); err != nil {
		return 0, fmt.Errorf("read change counter: %w", err)
	}
	var n int64
	err := db.rq().QueryRowContext(ctx, `SELECT change_counter FROM meta WHERE id = 1`).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("read change counter: %w", ErrNoChangeCounter)
	}
	if err != nil {
		return 0, fmt.Errorf("read change counter: %w", err)
	}
	return n, nil
}

// bumpCounter adds one to the change counter, or recreates its row at the
// value given as the argument.
const bumpCounter = `INSERT INTO meta (id, change_counter) VALUES (1, ?)
	ON CONFLICT (id) DO UPDATE SET change_counter = change_counter + 1`

// restartCounter is the value a recreated change counter starts at: the
// old value is lost, and a poller compares with the last value it read, so
// the new one must differ from any count writes reach. Milliseconds since
// 1970 are far above that, and grow.
func restartCounter(now time.Time) int64 { return now.UnixMilli() }

// queryer is what both *sql.DB and *sql.Tx offer, so that reads run alone or
// inside a snapshot or write transaction.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// stmtCache keeps one prepared statement per query text. Parsing SQL is
// most of the cost of a small query with this driver (more so under the race
// detector), and database/sql reuses a statement already prepared on a
// connection when a transaction asks for it (Tx.StmtContext), so with the
// cache each connection parses each query once.
//
// A statement can only be prepared on the pool while holding none of its
// connections (the writer pool has one, held by the transaction that wants
// the statement), so a miss inside a transaction runs the query unprepared
// and notes it; preparePending prepares the noted queries at the start of
// the next read or write, before it takes a connection.
type stmtCache struct {
	db      *sql.DB
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	pending map[string]bool
}

// maxCachedStmts bounds the cache; the store runs a few dozen queries.
const maxCachedStmts = 256

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// lookup returns the cached statement, or nil after noting the miss.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.m[query]; s != nil {
		return s
	}
	if len(c.m)+len(c.pending) < maxCachedStmts {
		c.pending[query] = true
	}
	return nil
}

// preparePending prepares the queries noted by lookup. The caller must hold
// no connection of the pool. A query that fails to prepare is left out: it
// reports its own error when it runs.
func (c *stmtCache) preparePending(ctx context.Context) {
	c.mu.Lock()
	if len(c.pending) == 0 {
		c.mu.Unlock()
		return
	}
	queries := make([]string, 0, len(c.pending))
	for q := range c.pending {
		queries = append(queries, q)
	}
	clear(c.pending)
	c.mu.Unlock()
	for _, q := range queries {
		s, err := c.db.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if c.m[q] == nil {
			c.m[q], s = s, nil
		}
		c.mu.Unlock()
		if s != nil {
			s.Close() // another caller prepared it meanwhile
		}
	}
}

func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for q, s := range c.m {
		errs = append(errs, s.Close())
		delete(c.m, q)
	}
	return errors.Join(errs...)
}

// conn runs queries through cached statements, inside tx when it is set.
type conn struct {
	tx    *sql.Tx
	cache *stmtCache
}

// stmt returns the cached statement for query, bound to tx when there is
// one, or nil when the query must run unprepared.
func (c conn) stmt(ctx context.Context, query string) *sql.Stmt {
	s := c.cache.lookup(query)
	if s == nil && c.tx == nil {
		c.cache.preparePending(ctx)
		s = c.cache.lookup(query)
	}
	if s != nil && c.tx != nil {
		return c.tx.StmtContext(ctx, s)
	}
	return s
}

func (c conn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := c.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	if c.tx != nil {
		return c.tx.ExecContext(ctx, query, args...)
	}
	return c.cache.db.ExecContext(ctx, query, args...)
}

func (c conn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := c.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	if c.tx != nil {
		return c.tx.QueryContext(ctx, query, args...)
	}
	return c.cache.db.QueryContext(ctx, query, args...)
}

func (c conn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := c.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	if c.tx != nil {
		return c.tx.QueryRowContext(ctx, query, args...)
	}
	return c.cache.db.QueryRowContext(ctx, query, args...)
}

// rq is the reader pool for single-query reads.
func (db *DB) rq() conn { return conn{cache: db.rstmts} }

// writeTx is one write transaction with the bookkeeping every write shares.
type writeTx struct {
	tx     conn
	now    time.Time      // Options.Now, truncated to the second, UTC
	bumped map[int64]bool // series whose revision this transaction bumped
	// Series this transaction created at the updated time an import's
	// file gave (see bump).
	dated   map[int64]bool
	changed bool // something was written: bump the change counter
	quiet   bool // something was written that publishes nothing: commit, but leave the counter
	// people whose published fields (their URL) this transaction
	// changed: every session they appear in changed with them.
	people map[int64]bool
	db     *DB
}

// write runs fn in one IMMEDIATE transaction on the writer connection and
// commits it, bumping the change counter when fn wrote anything. Errors from
// fn are returned as they are, so validation errors stay unchanged.
func (db *DB) write(ctx context.Context, fn func(w *writeTx) error) error {
	return readOnlyFile(db.path, busy(db.runWrite(ctx, fn, true)))
}

// writeRolledBack is write for a dry run: fn sees its own writes, and
// every one is rolled back.
func (db *DB) writeRolledBack(ctx context.Context, fn func(w *writeTx) error) error {
	return readOnlyFile(db.path, busy(db.runWrite(ctx, fn, false)))
}

// readOnlyFile names the file when a write failed because it is read-only.
func readOnlyFile(path string, err error) error {
	if errors.Is(err, ErrReadOnlyDir) || errors.Is(err, ErrReadOnlyFile) {
		return err // already says which, and what to do
	}
	code := sqliteCode(err)
	if code&0xff != sqlite3.SQLITE_READONLY || code == sqlite3.SQLITE_READONLY_DIRECTORY {
		return err
	}
	// SQLite says "readonly database" too when the file is writable but
	// its -wal or -shm is not: another user's process (a reading command)
	// created them and left them behind.
	if files, uid, gid := unwritableJournal(path); len(files) > 0 {
		return &journalError{path: path, files: files, dbUID: uid, dbGID: gid, cause: err}
	}
	if code == sqlite3.SQLITE_READONLY {
		return &readOnlyFileError{path: path, cause: err}
	}
	return err
}

// runWrite runs fn in a write transaction, committing it only when commit
// is set.
func (db *DB) runWrite(ctx context.Context, fn func(w *writeTx) error, commit bool) error {
	if db.readOnly != nil {
		return db.readOnly
	}
	// A write to a file nobody else sees any more would be lost with it.
	if err := db.checkReplaced(); err != nil {
		return err
	}
	db.wstmts.preparePending(ctx)
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	w := &writeTx{tx: conn{tx: tx, cache: db.wstmts}, now: db.opts.Now().Truncate(time.Second).UTC(), bumped: map[int64]bool{}, dated: map[int64]bool{}, db: db}
	if err := fn(w); err != nil {
		return err
	}
	if !commit || !w.changed && !w.quiet {
		// Nothing written: rolling back ends the transaction just as well
		// and leaves no trace in the WAL.
		return nil
	}
	if w.changed {
		// An upsert, so that a write recreates a missing counter row
		// (deleted by hand, a bad restore) and the daemon sees the edit.
		if _, err := w.tx.ExecContext(ctx, bumpCounter, restartCounter(w.now)); err != nil {
			return fmt.Errorf("bump change counter: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// bumpSeries bumps the revision and updated stamp of a series once per
// transaction, for a change made now.
func (w *writeTx) bumpSeries(ctx context.Context, seriesID int64) error {
	return w.bump(ctx, seriesID, true)
}

// bumpSeriesRestored is bumpSeries for a session or post an import writes
// with times of its own (its export's). In a series the same import created
// at its export's updated time, which already covers them, it leaves that
// time; anywhere else the series changed now.
func (w *writeTx) bumpSeriesRestored(ctx context.Context, seriesID int64) error {
	return w.bump(ctx, seriesID, false)
}

// bump bumps the revision and updated stamp of a series once per
// transaction. A series created in this transaction at a file's updated
// time (w.dated) got its one bump then, but a change made now (now) still
// moves its updated stamp to now. The stamp never goes back: a stored one
// after now (the clock was set back) stays.
func (w *writeTx) bump(ctx context.Context, seriesID int64, now bool) error {
	w.changed = true
	if w.bumped[seriesID] {
		if now && w.dated[seriesID] {
			delete(w.dated, seriesID)
			if _, err := w.tx.ExecContext(ctx, `UPDATE series SET updated = max(updated, ?) WHERE id = ?`,
				formatTime(w.now), seriesID); err != nil {
				return fmt.Errorf("update series %d: %w", seriesID, err)
			}
		}
		return nil
	}
	w.bumped[seriesID] = true
	if _, err := w.tx.ExecContext(ctx, `UPDATE series SET revision = revision + 1, updated = max(updated, ?) WHERE id = ?`,
		formatTime(w.now), seriesID); err != nil {
		return fmt.Errorf("bump revision of series %d: %w", seriesID, err)
	}
	return nil
}

// restoredStamp is the time a record an import creates is stamped with: the
// file's (t, at field) when it gives one, else now. A time in the future of
// the store's clock is refused, as the importer refuses it against its own
// (the two clocks may differ); meaning says what the time is, for the
// message.
func (w *writeTx) restoredStamp(t time.Time, field, meaning string) (string, error) {
	if t.IsZero() {
		return formatTime(w.now), nil
	}
	if t.After(w.now) {
		return "", agenda.Errors{{Field: field, Value: t.UTC().Format(time.RFC3339),
			Msg: "expected a time that is not in the future: " + meaning}}
	}
	return formatTime(t.UTC().Truncate(time.Second)), nil
}

// read runs fn in one read transaction on the reader pool, so that
// everything fn reads is consistent at one commit.
func (db *DB) read(ctx context.Context, fn func(q queryer) error) error {
	// What a file overwritten in place gives is a mix of two files: once
	// that is known, reads (a pass's) say so rather than publish it. A
	// file renamed away is still read: it is whole.
	db.goneMu.Lock()
	gone := db.gone
	db.goneMu.Unlock()
	if gone != nil && gone.overwritten {
		return gone
	}
	db.rstmts.preparePending(ctx)
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to commit
	if err := fn(conn{tx: tx, cache: db.rstmts}); err != nil {
		// SQLite's "database disk image is malformed" and the like,
		// after a cp over the file, say what happened; a lookup that
		// found nothing is only that.
		if sqliteCode(err) == 0 {
			return err
		}
		if rerr := db.checkReplaced(); errors.Is(rerr, ErrReplaced) {
			return fmt.Errorf("%w (reading: %v)", rerr, err)
		}
		return err
	}
	return nil
}

// timeLayout is fixed width (always nine fraction digits, always Z), so that
// comparing the text compares the instants.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, ok := parseStamp(s); ok {
		return t, nil // the usual case, decoded without time.Parse
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t.UTC(), nil
}

// checkStorableTime refuses instants the fixed-width layout cannot hold.
func checkStorableTime(es *agenda.Errors, field string, t time.Time) {
	if t.IsZero() {
		return
	}
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		*es = append(*es, &agenda.FieldError{Field: field, Value: t.String(), Msg: "expected a year between 1 and 9999"})
	}
}

// Any is the condition (ifRevision, ifSequence, ifVersion) of an
// unconditional write: it applies whatever the current revision, sequence
// or version is, and a put may create the row. Every other value is a real
// condition, 0 included: sessions start at sequence 0.
const Any int64 = -1

// checkCondition refuses a condition that is neither Any nor a value a
// revision, sequence or version can have.
func checkCondition(name string, v int64) error {
	if v < Any {
		return agenda.Errors{{Field: name, Value: strconv.FormatInt(v, 10),
			Msg: "expected store.Any (-1) for no condition, or the current value (0 or more)"}}
	}
	return nil
}

// NotFoundError is the error of a lookup that found nothing; it matches
// agenda.ErrNotFound. Its fields say what was looked for, so that a caller
// such as the API can name the missing resource in its own terms (a series
// missing under a post's URL is the series' 404, not the post's) instead of
// quoting the store's call chain.
type NotFoundError struct {
	Kind   string // "series", "session", "post" or "person"
	Series string // the series' slug, for a session by key and a post; else ""
	Name   string // the slug, key, UID, post id, or person id or name looked for
}

func (e *NotFoundError) Error() string {
	switch {
	case e.Kind == "series":
		return fmt.Sprintf("series %q: not found", e.Name)
	case e.Series != "":
		return fmt.Sprintf("%s %s/%s: not found", e.Kind, e.Series, e.Name)
	}
	return fmt.Sprintf("%s %s: not found", e.Kind, e.Name)
}

func (e *NotFoundError) Unwrap() error { return agenda.ErrNotFound }

// conflict wraps agenda.ErrConflict.
func conflict(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), agenda.ErrConflict)
}

// ErrBusy matches a write that found the database locked by another
// connection's write for longer than Options.BusyTimeout.
var ErrBusy = errors.New("the database is busy with another write (an import?); retry")

// ErrNoDatabase matches Open's error for a path that names no file when
// Options.Create is not set, and for an empty one (ErrEmptyDatabase).
var ErrNoDatabase = errors.New("no database file at this path")

type noDatabaseError struct{ cause error }

func (e *noDatabaseError) Error() string {
	return ErrNoDatabase.Error() + " (mistyped or deleted?); Options.Create makes a new one"
}
func (e *noDatabaseError) Unwrap() []error { return []error{ErrNoDatabase, e.cause} }

// ErrReplaced matches the error of Ping, ChangeCounter, every write and
// Close once the database file was found deleted or replaced after Open
// (see DB.Replaced), or overwritten in place (see headerWatch); a read
// that fails answers it too then.
var ErrReplaced = errors.New("the database file was deleted or replaced while this process had it open")

// replacedError says what happened to a replaced database and what to do:
// what docs/publishing.md says, not a restart alone, which used to replay
// the old file's -wal over the new one.
type replacedError struct {
	path        string
	overwritten bool        // the same file, its bytes replaced (cp over it)
	aside       [][2]string // -wal files moved away from the path: from, to
	asideErr    error
}

func (e *replacedError) Error() string {
	base := filepath.Base(e.path)
	if e.overwritten {
		return fmt.Sprintf("the database file was overwritten in place (cp over it?) while this process had it open: %s "+
			"is no longer the file this process's %s-wal and cache belong to, SQLite cannot survive that, and the file "+
			"is likely damaged; this process writes nothing more; stop the daemon, then restore again as docs/publishing.md "+
			`says ("Backing up and restoring the database"): never copy over the database while any agendafeed process has it open`,
			e.path, base)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s was deleted or replaced (a restore?) while this process had it open: it goes on reading the old file "+
		"and writes nothing more", e.path)
	for _, m := range e.aside {
		fmt.Fprintf(&b, "; the old file's %s-wal was moved to %s, so that SQLite does not replay it over the new file", base, m[1])
	}
	if e.asideErr != nil {
		fmt.Fprintf(&b, "; moving the old file's %s-wal and %s-shm away failed (%v): move them away by hand before anything opens %s",
			base, base, e.asideErr, e.path)
	}
	b.WriteString(`; stop the daemon, then restore again as docs/publishing.md says ("Backing up and restoring the database")`)
	return b.String()
}

func (e *replacedError) Unwrap() []error {
	if e.asideErr != nil {
		return []error{ErrReplaced, agenda.ErrUnavailable, e.asideErr}
	}
	return []error{ErrReplaced, agenda.ErrUnavailable}
}

// ErrNoChangeCounter matches ChangeCounter's error when the counter's row
// (table meta, id 1) is missing: deleted by hand or by a damaged restore.
// Writes recreate it.
var ErrNoChangeCounter = errors.New("the change counter (table meta, row id 1) is missing; the next write recreates it")

// ErrReadOnlyDir matches Open's error, and the error of every write to a
// database opened with Options.ReadOnlyFallback, when the database's
// directory cannot be written: SQLite must create the -wal and -shm files
// there to write, and usually to read.
var ErrReadOnlyDir = errors.New("the directory of the database cannot be written")

// readOnlyDirError names the file and the directory and says what is
// needed.
type readOnlyDirError struct {
	path   string
	wal    bool // a -wal file exists: the immutable fallback would read stale data
	opened bool // opened immutable: the error of a write
	cause  error
}

func (e *readOnlyDirError) Error() string {
	dir, base := filepath.Dir(e.path), filepath.Base(e.path)
	fix := fmt.Sprintf("make %s writable by this user, or run as its owner", dir)
	switch {
	case e.opened:
		return fmt.Sprintf("%s is open for reading only: its directory %s cannot be written, and SQLite must create "+
			"%s-wal and %s-shm there to write it; %s", e.path, dir, base, base, fix)
	case e.wal:
		return fmt.Sprintf("cannot open %s: its directory %s cannot be written, and %s-wal exists without a readable %s-shm; "+
			"SQLite needs both files readable, or a writable directory; %s", e.path, dir, base, base, fix)
	}
	return fmt.Sprintf("cannot open %s: its directory %s cannot be written, and SQLite must create %s-wal and %s-shm "+
		"there to open it (reading commands can read it while no %s-wal exists); %s", e.path, dir, base, base, base, fix)
}

func (e *readOnlyDirError) Unwrap() []error { return []error{ErrReadOnlyDir, e.cause} }

// ErrReadOnlyFile matches the error of a write when the database file, or
// its -wal or -shm file, cannot be written although its directory can (its
// permissions, a read-only mount, -wal and -shm files another user's
// process left): SQLite then opens it for reading and says so only at the
// first write, as "attempt to write a readonly database".
var ErrReadOnlyFile = errors.New("the database file cannot be written")

// journalFile is a -wal or -shm file this process cannot write.
type journalFile struct {
	name string
	uid  int // its owner; -1 if unknown
	size int64
}

// journalError is ErrReadOnlyFile when what cannot be written is the -wal
// or -shm file beside a writable database file: it names them, their
// owner and what to do, where SQLite's message blames the database.
type journalError struct {
	path         string
	files        []journalFile
	dbUID, dbGID int // the database file's owner; -1 if unknown
	cause        error
}

func (e *journalError) Error() string {
	var names, owners []string
	keepWAL := false
	for _, f := range e.files {
		names = append(names, f.name)
		if o := ownerName(f.uid); !slices.Contains(owners, o) {
			owners = append(owners, o)
		}
		// A -wal may hold commits not yet copied into the database
		// file; only an empty one is safe to remove.
		keepWAL = keepWAL || strings.HasSuffix(f.name, "-wal") && f.size > 0
	}
	them, verb, pronoun := names[0], "is", "it"
	if len(names) > 1 {
		them, verb, pronoun = strings.Join(names, " and "), "are", "them"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s cannot be written: %s %s owned by %s and not writable by this user (%s), and SQLite must write %s "+
		"to write the database: another user's process opened the database and left %s; give %s to the database's owner",
		e.path, them, verb, strings.Join(owners, " and "), ownerName(os.Geteuid()), pronoun, pronoun, pronoun)
	if e.dbUID >= 0 {
		fmt.Fprintf(&b, " (chown %d:%d %s)", e.dbUID, e.dbGID, strings.Join(names, " "))
	}
	if keepWAL {
		// Removing the -shm alone would not do: the -wal stays unwritable.
		fmt.Fprintf(&b, "; do not remove %s-wal: it may hold writes not yet in the database", e.path)
	} else {
		fmt.Fprintf(&b, ", or remove %s while no process uses the database", pronoun)
	}
	return b.String()
}

func (e *journalError) Unwrap() []error { return []error{ErrReadOnlyFile, e.cause} }

// ownerName is "uid N (name)", or "uid N" when the name is not known.
func ownerName(uid int) string {
	if uid < 0 {
		return "another user"
	}
	id := strconv.Itoa(uid)
	if u, err := user.LookupId(id); err == nil && u.Username != "" {
		return "uid " + id + " (" + u.Username + ")"
	}
	return "uid " + id
}

type readOnlyFileError struct {
	path  string
	cause error
}

func (e *readOnlyFileError) Error() string {
	return fmt.Sprintf("%s cannot be written: the file is read-only for this user, or on a read-only mount; "+
		"make it writable by this user, or run as its owner", e.path)
}

func (e *readOnlyFileError) Unwrap() []error { return []error{ErrReadOnlyFile, e.cause} }

// sqliteCode returns the extended result code of the SQLite error in err's
// chain, or 0.
func sqliteCode(err error) int {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return 0
	}
	return se.Code()
}

// ErrForeignWAL matches Open's error when the -wal and -shm next to the
// path are in use by processes that have another file open under that
// name: the file was replaced while the daemon runs (see foreignWAL).
var ErrForeignWAL = errors.New("the database's -wal and -shm belong to another file")

type foreignWALError struct {
	path string
	pids []int
}

func (e *foreignWALError) Error() string {
	var pids []string
	for _, p := range slices.Compact(slices.Sorted(slices.Values(e.pids))) {
		pids = append(pids, strconv.Itoa(p))
	}
	base := filepath.Base(e.path)
	return fmt.Sprintf("%s was replaced while process %s (the daemon?) has the old file open: %s-wal and %s-shm "+
		"are the old file's, and opening this one would mix them into it; stop that process, then restore as "+
		"docs/publishing.md says (move the old -wal and -shm away with the old file)",
		e.path, strings.Join(pids, ", "), base, base)
}

func (e *foreignWALError) Unwrap() error { return ErrForeignWAL }

// ErrFull matches a write that failed because the disk (or the file
// system quota) holding the database, its journal or its shared-memory file
// is full.
var ErrFull = errors.New("the disk holding the database is full")

// busyError is SQLITE_BUSY as users see it: the driver's "database is
// locked (5) (SQLITE_BUSY)" says nothing about what to do.
type busyError struct{ cause error }

func (e *busyError) Error() string   { return ErrBusy.Error() }
func (e *busyError) Unwrap() []error { return []error{ErrBusy, e.cause} }

// fullError is SQLITE_FULL (or a shared-memory file that could not grow)
// as users see it.
type fullError struct{ cause error }

func (e *fullError) Error() string   { return ErrFull.Error() }
func (e *fullError) Unwrap() []error { return []error{ErrFull, e.cause} }

// busy turns an error that is SQLITE_BUSY, or wraps it, into one matching
// ErrBusy with the plain message, and one that is SQLITE_FULL into one
// matching ErrFull; other errors pass unchanged. Every write goes through
// DB.write, so this is the one place the mapping is made.
func busy(err error) error {
	var se *sqlite.Error
	if err == nil || errors.Is(err, ErrBusy) || errors.Is(err, ErrFull) || !errors.As(err, &se) {
		return err
	}
	switch {
	case se.Code()&0xff == sqlite3.SQLITE_BUSY:
		return &busyError{cause: err}
	case se.Code()&0xff == sqlite3.SQLITE_FULL, se.Code() == sqlite3.SQLITE_IOERR_SHMSIZE:
		return &fullError{cause: err}
	}
	return err
}

// unwritable reports whether err says the database cannot be written at
// all just now: a read-only file or mount, a full disk, an I/O error.
func unwritable(err error) bool {
	if errors.Is(err, ErrFull) || errors.Is(err, ErrReadOnlyDir) || errors.Is(err, ErrReadOnlyFile) {
		return true
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN:
		return true
	}
	return false
}
