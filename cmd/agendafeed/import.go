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
	dryRun := c.fs.Bool("dry-run", false, "validate the files and report, but write nothing")
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
	docs, err := parseFiles(files, cfg)
	if err != nil {
		return err
	}
	if *dryRun {
		fmt.Fprintf(e.stdout, "%d file(s) valid; nothing written (-dry-run)\n", len(docs))
		return nil
	}
	db, err := openStore(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := importDocs(ctx, db, docs, files)
	if err != nil {
		return err
	}
	printImportResult(e, res)
	return nil
}

// parseFiles reads and parses every file, reporting the errors of all files
// together so that one run shows everything to fix.
func parseFiles(files []string, cfg config.Config) ([]store.ImportDoc, error) {
	opts := importOptions(cfg)
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
		docs = append(docs, store.ImportDoc{Snapshot: f.Snapshot, Locate: f.Locate})
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

func importDocs(ctx context.Context, db *store.DB, docs []store.ImportDoc, files []string) (store.ImportResult, error) {
	res, err := db.ImportDocs(ctx, docs)
	if err != nil {
		if errors.Is(err, agenda.ErrInvalid) || errors.Is(err, agenda.ErrConflict) {
			return res, fmt.Errorf("import failed, nothing was written:\n%w", err)
		}
		return res, fmt.Errorf("import %s: %w", strings.Join(files, ", "), err)
	}
	return res, nil
}

func printImportResult(e env, r store.ImportResult) {
	fmt.Fprintf(e.stdout, "imported %d series: sessions %d created, %d updated, %d unchanged; posts %d created, %d updated, %d unchanged\n",
		r.Series, r.SessionsCreated, r.SessionsUpdated, r.SessionsUnchanged, r.PostsCreated, r.PostsUpdated, r.PostsUnchanged)
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
		return usagef("export: -format: %q: expected yaml or json", *format)
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
