package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// ErrEmptyDatabase matches Open's error, without Options.Create, for a
// file that holds no agendafeed data: 0 bytes (made by ": >", touch, a
// copy that failed) or an SQLite database without a single table. It
// also matches ErrNoDatabase: SQLite takes such a file as a valid empty
// database, and a publisher would take that as "every series was
// removed", exactly the mistake a missing file would cause; commands that
// create a database may initialise it.
var ErrEmptyDatabase = errors.New("the database file is empty")

type emptyDatabaseError struct {
	path    string
	noBytes bool // 0 bytes, rather than an SQLite file without tables
}

func (e *emptyDatabaseError) Error() string {
	if e.noBytes {
		return fmt.Sprintf("%s is empty (0 bytes), not an agendafeed database (truncated, made by touch, or a copy that failed?); "+
			"restore it from a backup, or point at the right file", e.path)
	}
	return fmt.Sprintf("%s is an SQLite database without any agendafeed table (an empty database, or one still being created?); "+
		"restore it from a backup, or point at the right file", e.path)
}

func (e *emptyDatabaseError) Unwrap() []error { return []error{ErrEmptyDatabase, ErrNoDatabase} }

// ErrNotAgendafeed matches Open's error, with or without Options.Create,
// for an SQLite database that has tables but no agendafeed schema:
// another program's database. Migrating it would add agendafeed's tables
// to it.
var ErrNotAgendafeed = errors.New("the file is not an agendafeed database")

type notAgendafeedError struct{ path string }

func (e *notAgendafeedError) Error() string {
	return fmt.Sprintf("%s is an SQLite database with tables but no agendafeed schema (table schema_migrations); "+
		"expected an agendafeed database: point at the right file", e.path)
}

func (e *notAgendafeedError) Unwrap() error { return ErrNotAgendafeed }

// ErrNotDatabaseFile matches Open's error for a path that names a
// directory or another non-regular file. SQLite's own answer ("unable to
// open database file", or a disk I/O error that reads as an unwritable
// directory) does not say what is wrong.
var ErrNotDatabaseFile = errors.New("the database path is not a file")

type notFileError struct {
	path string
	dir  bool
}

func (e *notFileError) Error() string {
	what := "not a regular file"
	if e.dir {
		what = "a directory"
	}
	return fmt.Sprintf("%s is %s, not a database file; expected the path of an agendafeed database file (such as %s/agendafeed.db)",
		e.path, what, e.path)
}

func (e *notFileError) Unwrap() error { return ErrNotDatabaseFile }

// ErrNewerSchema matches Open's error for a database whose schema
// version is newer than the newest migration this program has: written
// by a newer agendafeed, whose data this one may misread or damage.
var ErrNewerSchema = errors.New("the database's schema is newer than this program knows")

type newerSchemaError struct {
	path        string
	have, known int
}

func (e *newerSchemaError) Error() string {
	return fmt.Sprintf("%s has schema version %d, newer than version %d, the newest this agendafeed knows (a newer agendafeed wrote it); "+
		"run that newer agendafeed, or restore a backup made with this version", e.path, e.have, e.known)
}

func (e *newerSchemaError) Unwrap() error { return ErrNewerSchema }

// checkFile refuses, before SQLite opens it, a path that cannot be an
// agendafeed database: missing or 0 bytes (unless create), a directory or
// another non-regular file.
func checkFile(abs string, create bool) error {
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if create {
			return nil
		}
		return &noDatabaseError{cause: err}
	case err != nil:
		// SQLite will answer with its own error.
		return nil
	case fi.IsDir():
		return &notFileError{path: abs, dir: true}
	case !fi.Mode().IsRegular():
		return &notFileError{path: abs}
	case fi.Size() == 0 && !create:
		// SQLite writes the header when the file is switched to WAL mode,
		// right after creating it, so a database being created is 0
		// bytes only for that moment.
		return &emptyDatabaseError{path: abs, noBytes: true}
	}
	return nil
}

// checkSchema refuses a schema newer than this program's migrations,
// another program's database and, unless create, one without any table. It runs before
// migrate, which would otherwise create the schema in an empty or foreign
// database.
func checkSchema(ctx context.Context, db *sql.DB, abs string, create bool) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	cur, err := appliedVersion(ctx, db)
	if err != nil {
		return err
	}
	if known := len(ms); cur > known {
		return &newerSchemaError{path: abs, have: cur, known: known}
	}
	if cur > 0 {
		return nil
	}
	// schema_migrations alone is a creation that stopped before its first
	// migration committed.
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name <> 'schema_migrations'`).Scan(&tables); err != nil {
		return fmt.Errorf("read schema: %w", busy(err))
	}
	switch {
	case tables > 0:
		return &notAgendafeedError{path: abs}
	case !create:
		return &emptyDatabaseError{path: abs}
	}
	return nil
}
