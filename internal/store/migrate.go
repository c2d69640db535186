package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// migrationFS holds the schema as ordered files NNNN_name.sql. A migration
// once released is never edited: changes go into a new file.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in version order, refusing
// gaps and duplicates so that a misnamed file fails every test at once.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var out []migration
	for _, n := range names {
		base := path.Base(n)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %q: name must start with a positive number and '_'", base)
		}
		b, err := migrationFS.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("read migration %q: %w", base, err)
		}
		out = append(out, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %q: expected version %d (no gaps, no duplicates)", m.name, i+1)
		}
	}
	return out, nil
}

// migrate applies every migration newer than the database's schema, each in
// its own IMMEDIATE transaction recorded in schema_migrations. upTo > 0 stops
// after that version (tests build older schemas with it). The applied
// version is first read without a transaction, so opening a current database
// never waits for the write lock that another process's import may hold for
// a long time; when a migration is due, the version is re-read inside each
// transaction, so two processes opening one new file at once apply each
// migration exactly once.
func migrate(ctx context.Context, db *sql.DB, now func() time.Time, upTo int) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if upTo > 0 && upTo < len(ms) {
		ms = ms[:upTo]
	}
	cur, err := appliedVersion(ctx, db)
	if err != nil {
		return err
	}
	if len(ms) == 0 || cur >= ms[len(ms)-1].version {
		return nil
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		applied TEXT NOT NULL
	)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", busy(err))
	}
	for _, m := range ms {
		if m.version <= cur {
			continue
		}
		if err := applyMigration(ctx, db, m, now); err != nil {
			return err
		}
	}
	return nil
}

// appliedVersion reads the schema version with plain reads, which in WAL
// mode neither take nor wait for the write lock; 0 for a new file.
func appliedVersion(ctx context.Context, db *sql.DB) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("read schema: %w", busy(err))
	}
	if n == 0 {
		return 0, nil
	}
	return schemaVersion(ctx, db)
}

func applyMigration(ctx context.Context, db *sql.DB, m migration, now func() time.Time) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: begin: %w", m.name, busy(err))
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	cur, err := schemaVersion(ctx, tx)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if cur >= m.version {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied) VALUES (?, ?)`,
		m.version, formatTime(now().Truncate(time.Second))); err != nil {
		return fmt.Errorf("migration %s: record: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: commit: %w", m.name, err)
	}
	return nil
}

func schemaVersion(ctx context.Context, q queryer) (int, error) {
	var v int
	if err := q.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema_migrations: %w", err)
	}
	return v, nil
}

// olderSchemaError is Open's error for a database whose schema this
// program must update before using it (a backup or copy made by an older
// release) where this user cannot write it: every command refuses it,
// reading ones included, and the cause alone ("attempt to write a
// readonly database", or the read-only directory's "reading commands can
// read it") did not say why.
type olderSchemaError struct {
	path       string
	have, want int
	cause      error // the read-only error: names the file, directory or -wal/-shm
}

func (e *olderSchemaError) Error() string {
	return fmt.Sprintf("%s has schema version %d, older than this agendafeed's %d, and updating it is a write, which failed: %v; "+
		"copy it somewhere this user can write and use the copy, or run this agendafeed once as the file's owner",
		e.path, e.have, e.want, e.cause)
}

// Unwrap keeps the cause's kind (ErrReadOnlyFile, ErrReadOnlyDir), so
// that callers still say which config key holds the path.
func (e *olderSchemaError) Unwrap() error { return e.cause }

// olderSchema returns the olderSchemaError for a migration that failed as
// a write refused, with cause saying why.
func olderSchema(ctx context.Context, db *sql.DB, path string, cause error) error {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return cause
	}
	have, err := appliedVersion(ctx, db)
	if err != nil {
		return cause
	}
	return &olderSchemaError{path: path, have: have, want: ms[len(ms)-1].version, cause: cause}
}
