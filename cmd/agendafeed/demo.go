package main

import (
	"context"
	"fmt"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/demo"
	"github.com/agendafeed/agendafeed/internal/importer"
	"github.com/agendafeed/agendafeed/internal/store"
)

func runDemo(ctx context.Context, args []string, e env) error {
	c := newCommand("demo", "demo", e)
	if pos, err := c.parse(args); err != nil {
		return err
	} else if err := noArgs("demo", pos); err != nil {
		return err
	}
	cfg, db, err := c.openStore(ctx, true)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := loadDemo(ctx, db, importOptions(cfg))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "imported %s\n", formatImportResult(res))
	return nil
}

// loadDemo imports the embedded demo series. Importing is an upsert, so
// loading twice changes nothing the second time.
func loadDemo(ctx context.Context, db *store.DB, opts importer.Options) (store.ImportResult, error) {
	var docs []agenda.Snapshot
	for _, f := range demo.Files() {
		snap, err := importer.Parse(f.Name, f.Data, opts)
		if err != nil {
			return store.ImportResult{}, fmt.Errorf("demo data: %w", err)
		}
		docs = append(docs, snap)
	}
	res, err := db.Import(ctx, docs)
	if err != nil {
		return res, fmt.Errorf("load demo data: %w", err)
	}
	return res, nil
}
