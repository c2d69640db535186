package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/agendafeed/agendafeed/config"
	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/importer"
	"github.com/agendafeed/agendafeed/internal/store"
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
	switch {
	case errors.Is(err, store.ErrNoDatabase):
		db = nil
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
	if db == nil {
		if db, err = openStore(ctx, cfg, true, e.stderr); err != nil {
			return err
		}
		defer db.Close()
	}
	res, err := db.ImportDocs(ctx, docs)
	if err != nil {
		return importErr(err, files)
	}
	fmt.Fprintf(e.stdout, "imported %s\n", formatImportResult(res))
	return nil
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
