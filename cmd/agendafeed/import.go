package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/agendafeed/agendafeed/config"
	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/importer"
	"github.com/agendafeed/agendafeed/internal/store"
	"golang.org/x/sys/unix"
)

// maxImportFile bounds what import reads into memory from one file.
const maxImportFile = 10 << 20

func runImport(ctx context.Context, args []string, e env) error {
	c := newCommand("import", "import [-dry-run] FILE...", e)
	dryRun := c.fs.Bool("dry-run", false, "run the import against the database and report what it would do, but write nothing")
	files, err := c.parse(args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("import: no files given")
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	// The database is opened before the files are read, since a series
	// key a file leaves out keeps its stored value; it is created only
	// once the files are known to be valid.
	db, err := openStore(ctx, cfg, false, e.stderr)
	// A file that is there but empty (0 bytes, no tables) is initialised
	// in place: replacing it could drop what another creating command
	// wrote into it meanwhile.
	var emptyFile bool
	switch {
	case errors.Is(err, store.ErrNoDatabase):
		db, emptyFile = nil, errors.Is(err, store.ErrEmptyDatabase)
	case err != nil:
		return err
	default:
		defer db.Close()
	}
	var stored []agenda.Series
	if db != nil {
		if stored, err = db.ListSeries(ctx); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	docs, err := parseFiles(files, cfg, stored)
	if err != nil {
		return err
	}
	if *dryRun {
		if db == nil {
			fmt.Fprintf(e.stdout, "database %s does not exist, so only the files were checked: %d file(s) valid; nothing written (-dry-run)\n", cfg.Database, len(docs))
			return nil
		}
		res, err := db.DryImportDocs(ctx, docs)
		if err != nil {
			return importErr(err, files)
		}
		fmt.Fprintf(e.stdout, "dry run against database %s, nothing written: would import %s\n", cfg.Database, formatImportResult(res))
		return nil
	}
	var res store.ImportResult
	switch {
	case db == nil && !emptyFile:
		res, err = importNew(ctx, cfg, docs, e.stderr)
	case db == nil:
		if db, err = openStore(ctx, cfg, true, e.stderr); err != nil {
			return err
		}
		defer db.Close()
		fallthrough
	default:
		res, err = db.ImportDocs(ctx, docs)
	}
	if err != nil {
		return importErr(err, files)
	}
	fmt.Fprintf(e.stdout, "imported %s\n", formatImportResult(res))
	return nil
}

// importNew imports docs into a database that does not exist yet. It is
// built under a temporary name next to the path and linked into place once
// the import has committed and the file is closed and synced, so that the
// path names the whole import or nothing: created in place, an import
// killed or failed after the schema was written left an empty database,
// which serve and generate, which refuse a missing one, take for an agenda
// whose every series was removed. A database another process created at
// the path meanwhile gets the import instead, as it did before.
//
// A killed import leaves its temporary file, .NAME.agendafeed-import-DIGITS
// (with a -wal and -shm); the next import that creates a database at the
// same path removes it.
func importNew(ctx context.Context, cfg config.Config, docs []store.ImportDoc, notes io.Writer) (store.ImportResult, error) {
	abs, err := filepath.Abs(cfg.Database)
	if err != nil {
		return store.ImportResult{}, err
	}
	dir := filepath.Dir(abs)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return store.ImportResult{}, fmt.Errorf("database %s: cannot create its directory: %w; create it, or run as a user who can%s",
			cfg.Database, err, databaseKey)
	}
	prefix := "." + filepath.Base(abs) + importTempMark
	removeStaleImports(dir, prefix, notes)
	// 0644 under the umask, as SQLite creates a database (CreateTemp's
	// files are 0600).
	name := filepath.Join(dir, fmt.Sprintf("%s%d", prefix, rand.Uint32()))
	tmp, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if aerr := unix.Access(dir, unix.W_OK|unix.X_OK); aerr != nil {
			return store.ImportResult{}, cannotCreate(cfg.Database, dir, aerr)
		}
		return store.ImportResult{}, fmt.Errorf("database %s does not exist and cannot be created: %w%s", cfg.Database, err, databaseKey)
	}
	// Held while this import runs, so that another one does not take
	// the file for a killed import's. Closed last: closing a descriptor
	// drops the process's SQLite (fcntl) locks on the file.
	if err := unix.Flock(int(tmp.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		tmp.Close()
		os.Remove(name)
		return store.ImportResult{}, fmt.Errorf("database %s: lock %s: %w", cfg.Database, name, err)
	}
	defer func() {
		for _, ext := range []string{"-wal", "-shm", ""} {
			os.Remove(name + ext)
		}
		tmp.Close()
	}()
	tcfg := cfg
	tcfg.Database = name
	db, err := openStore(ctx, tcfg, true, io.Discard)
	if err != nil {
		return store.ImportResult{}, err
	}
	res, err := db.ImportDocs(ctx, docs)
	// Closing the last connection checkpoints the -wal into the file and
	// deletes it: the file alone then holds the import.
	if cerr := db.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close the new database: %w", cerr)
	}
	if err != nil {
		return res, err
	}
	if err := syncFile(name); err != nil {
		return res, fmt.Errorf("database %s: %w", cfg.Database, err)
	}
	// Link, unlike rename, fails if the path appeared meanwhile.
	if err := os.Link(name, abs); errors.Is(err, fs.ErrExist) {
		db, err := openStore(ctx, cfg, true, notes)
		if err != nil {
			return store.ImportResult{}, err
		}
		defer db.Close()
		return db.ImportDocs(ctx, docs)
	} else if err != nil {
		return res, fmt.Errorf("database %s: %w", cfg.Database, err)
	}
	if err := syncFile(dir); err != nil {
		return res, fmt.Errorf("database %s: %w", cfg.Database, err)
	}
	return res, nil
}

// importTempMark follows the database's name in importNew's temporary
// files: .NAME.agendafeed-import-DIGITS, with SQLite's -wal and -shm.
const importTempMark = ".agendafeed-import-"

// removeStaleImports removes the temporary files of imports into a new
// database at the same path that were killed: those whose lock can be
// taken, with their -wal and -shm, and a -wal or -shm left without its
// file. It says what it removed; a file it cannot remove stays, harmless.
func removeStaleImports(dir, prefix string, notes io.Writer) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		base, sidecar := strings.CutSuffix(rest, "-wal")
		if !sidecar {
			base, sidecar = strings.CutSuffix(rest, "-shm")
		}
		if !ok || base == "" || strings.Trim(base, "0123456789") != "" || !e.Type().IsRegular() {
			continue
		}
		name := filepath.Join(dir, prefix+base)
		if sidecar {
			if _, err := os.Lstat(name); errors.Is(err, fs.ErrNotExist) && os.Remove(filepath.Join(dir, e.Name())) == nil {
				fmt.Fprintf(notes, "agendafeed: removed %s, left by an import that did not finish\n", filepath.Join(dir, e.Name()))
			}
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		if unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) == nil {
			for _, ext := range []string{"-wal", "-shm", ""} {
				if os.Remove(name+ext) == nil {
					fmt.Fprintf(notes, "agendafeed: removed %s, left by an import that did not finish\n", name+ext)
				}
			}
		}
		f.Close()
	}
}

// syncFile fsyncs a file or directory.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// parseFiles reads and parses every file, reporting the errors of all files
// together so that one run shows everything to fix.
//
// stored is every series in the database: a series key a file leaves out
// keeps its stored value, and the import is made on condition that the
// series is still as read.
func parseFiles(files []string, cfg config.Config, stored []agenda.Series) ([]store.ImportDoc, error) {
	opts := importOptions(cfg)
	opts.Stored = make(map[string]agenda.Series, len(stored))
	for _, s := range stored {
		opts.Stored[s.Slug] = s
	}
	var docs []store.ImportDoc
	var errs []string
	for _, name := range files {
		data, err := readLimited(name, maxImportFile)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		f, err := importer.ParseFile(name, data, opts)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		// Locate lets the store's errors name items as the file does.
		doc := store.ImportDoc{Snapshot: f.Snapshot, Locate: f.Locate, IfRevision: store.Absent}
		if s, ok := opts.Stored[f.Snapshot.Series.Slug]; ok {
			doc.IfRevision = s.Revision
		}
		docs = append(docs, doc)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("import failed, nothing was written:\n%s", strings.Join(errs, "\n"))
	}
	seen := map[string]string{}
	for i, d := range docs {
		slug := d.Snapshot.Series.Slug
		if prev, dup := seen[slug]; dup {
			return nil, fmt.Errorf("import failed, nothing was written:\n%s: series.slug: %q: already imported from %s; put one series in one file", files[i], slug, prev)
		}
		seen[slug] = files[i]
	}
	return docs, nil
}

func importOptions(cfg config.Config) importer.Options {
	return importer.Options{DefaultZone: cfg.DefaultZone, DefaultLanguage: cfg.DefaultLanguage, DefaultReminders: cfg.ReminderDurations()}
}

func importErr(err error, files []string) error {
	if errors.Is(err, agenda.ErrInvalid) || errors.Is(err, agenda.ErrConflict) {
		return fmt.Errorf("import failed, nothing was written:\n%w", err)
	}
	return fmt.Errorf("import %s: %w", strings.Join(files, ", "), err)
}

func formatImportResult(r store.ImportResult) string {
	return fmt.Sprintf("%d series (%d created, %d updated, %d unchanged): sessions %d created, %d updated, %d unchanged, %d left alone; posts %d created, %d updated, %d unchanged, %d left alone",
		r.Series, r.SeriesCreated, r.SeriesUpdated, r.SeriesUnchanged,
		r.SessionsCreated, r.SessionsUpdated, r.SessionsUnchanged, r.SessionsLeftAlone,
		r.PostsCreated, r.PostsUpdated, r.PostsUnchanged, r.PostsLeftAlone)
}

func readLimited(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, errors.Unwrap(err))
	}
	defer f.Close()
	data, err := readAllLimited(f, limit)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return data, nil
}

func readAllLimited(r io.Reader, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if n > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return buf.Bytes(), nil
}

func runExport(ctx context.Context, args []string, e env) error {
	c := newCommand("export", "export [-format yaml|json] [-o DIR] [SERIES...]", e)
	format := c.fs.String("format", "yaml", "file format: yaml or json")
	outDir := c.fs.String("o", "", "write one file per series into `DIR` instead of standard output")
	slugs, err := c.parse(args)
	if err != nil {
		return err
	}
	if *format != "yaml" && *format != "json" {
		return usagef("export: -format: %s: expected yaml or json", quoteArg(*format))
	}
	_, db, err := c.openStore(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if len(slugs) == 0 {
		all, err := db.ListSeries(ctx)
		if err != nil {
			return fmt.Errorf("list series: %w", err)
		}
		for _, s := range all {
			slugs = append(slugs, s.Slug)
		}
	}
	if *outDir == "" && len(slugs) != 1 {
		return usagef("export: %d series to export: name one SERIES for standard output, or give -o DIR", len(slugs))
	}
	// Checked before any is written, so that a mistyped slug does not
	// leave -o DIR with some of the series asked for.
	for _, slug := range slugs {
		if _, err := db.Series(ctx, slug); errors.Is(err, agenda.ErrNotFound) {
			return fmt.Errorf("export: series %s: not found; expected the slug of an existing series (agendafeed series list shows them)", quoteArg(slug))
		} else if err != nil {
			return fmt.Errorf("export series %q: %w", slug, err)
		}
	}
	for _, slug := range slugs {
		snap, err := db.Snapshot(ctx, slug)
		if err != nil {
			return fmt.Errorf("export series %q: %w", slug, err)
		}
		var buf bytes.Buffer
		if *format == "json" {
			err = importer.EncodeJSON(&buf, snap)
		} else {
			err = importer.Encode(&buf, snap)
		}
		if err != nil {
			return fmt.Errorf("export series %q: %w", slug, err)
		}
		if *outDir == "" {
			_, err = e.stdout.Write(buf.Bytes())
			return err
		}
		if err := os.MkdirAll(*outDir, 0o755); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		name := filepath.Join(*outDir, slug+"."+*format)
		if err := writeFileAtomic(name, buf.Bytes()); err != nil {
			return fmt.Errorf("export series %q: %w", slug, err)
		}
		fmt.Fprintln(e.stdout, name)
	}
	return nil
}

// writeFileAtomic writes via a temporary file and rename, so an export that
// is interrupted never leaves half a file behind.
func writeFileAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
