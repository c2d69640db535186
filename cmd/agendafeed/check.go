package main

import (
	"context"
	"fmt"

	"github.com/agendafeed/agendafeed/internal/app"
)

func runCheck(ctx context.Context, args []string, e env) error {
	c := newCommand("check", "check", e)
	if pos, err := c.parse(args); err != nil {
		return err
	} else if err := noArgs("check", pos); err != nil {
		return err
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "config: ok")
	// Creating a missing database would make a mistyped path pass.
	db, err := openStore(ctx, cfg, false, e.stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("database %s: %w", cfg.Database, err)
	}
	if err := db.Check(ctx); err != nil {
		return fmt.Errorf("database %s: %w", cfg.Database, err)
	}
	fmt.Fprintf(e.stdout, "database: ok (%s, schema version %d)\n", cfg.Database, v)
	// What serve and generate will need; checked without writing.
	if err := app.CheckOutputDir(cfg.OutputDir); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "output_dir: ok (%s)\n", cfg.OutputDir)
	return nil
}
