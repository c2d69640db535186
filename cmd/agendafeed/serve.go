package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"

	"github.com/agendafeed/agendafeed/config"
	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/app"
	"github.com/agendafeed/agendafeed/internal/publish"
)

func runServe(ctx context.Context, args []string, e env) error {
	c := newCommand("serve", "serve [-demo]", e)
	demoFlag := c.fs.Bool("demo", false, "load the demo series into the database before serving (idempotent)")
	if pos, err := c.parse(args); err != nil {
		return err
	} else if err := noArgs("serve", pos); err != nil {
		return err
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	logger := newLogger(cfg, e.stderr)
	// Bound before anything is opened or written: a taken address is the
	// commonest start-up failure and must not cost a first pass.
	ln, err := app.Listen(cfg.Listen)
	if err != nil {
		return err
	}
	defer ln.Close() // on the early returns; Run closes it otherwise
	if *demoFlag {
		// -demo is meant to create data, so it may create the database;
		// app.Open opens only one that exists.
		db, err := openStore(ctx, cfg, true, e.stderr)
		if err != nil {
			return err
		}
		if err := db.Close(); err != nil {
			return fmt.Errorf("close database %s: %w", cfg.Database, err)
		}
	}
	a, err := app.Open(ctx, app.Options{Config: cfg, Logger: logger, API: adminAPI(logger), Listener: ln})
	if err != nil {
		return missingDatabase(cfg.Database, err)
	}
	defer a.Close()
	if *demoFlag {
		res, err := loadDemo(ctx, a.DB(), importOptions(cfg))
		if err != nil {
			return err
		}
		logger.Info("demo data loaded", "sessions_created", res.SessionsCreated, "posts_created", res.PostsCreated)
	}
	err = a.Run(ctx, func(addr net.Addr) {
		logger.Info("serving", "addr", addr.String(), "output", cfg.OutputDir, "database", cfg.Database, "cron", cfg.Cron)
		printSubscribeURLs(ctx, a, cfg, e.stdout)
	})
	if err != nil {
		return err
	}
	logger.Info("stopped")
	return nil
}

// printSubscribeURLs tells the person who started the daemon where to point
// calendar apps and feed readers.
func printSubscribeURLs(ctx context.Context, a *app.App, cfg config.Config, w io.Writer) {
	layout := feeds.NewLayout(cfg.BaseURL)
	series, err := a.DB().ListSeries(ctx)
	if err != nil {
		fmt.Fprintf(w, "could not list series: %v\n", err)
		return
	}
	fmt.Fprintf(w, "agendafeed is serving %s\n", cfg.BaseURL)
	show := func(title, slug string) {
		cal := layout.SeriesURL(slug, feeds.Calendar)
		fmt.Fprintf(w, "\n%s\n  page:      %s\n  calendar:  %s\n  subscribe: %s\n  feeds:     %s  %s  %s\n",
			title, layout.SeriesURL(slug, feeds.Page), cal, feeds.Webcal(cal),
			layout.SeriesURL(slug, feeds.RSS), layout.SeriesURL(slug, feeds.Atom), layout.SeriesURL(slug, feeds.JSONFeed))
	}
	for _, s := range series {
		show(s.Title, s.Slug)
	}
	show("All series", "")
	fmt.Fprintln(w)
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(strings.ToUpper(cfg.LogLevel)))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func runGenerate(ctx context.Context, args []string, e env) error {
	c := newCommand("generate", "generate [-force]", e)
	// Every generate renders every series (its process's first pass);
	// what -force adds is the check of the files on disk, for output
	// edited or deleted by hand where it is hosted.
	force := c.fs.Bool("force", false, "also check every published file on disk and rewrite any that is missing or differs")
	if pos, err := c.parse(args); err != nil {
		return err
	} else if err := noArgs("generate", pos); err != nil {
		return err
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	logger := newLogger(cfg, e.stderr)
	if cfg.SessionCalendars != config.SessionCalendarsFiles {
		// Whoever hosts generate's output has no daemon to render them,
		// and the pages link to them. Debug: served is the default, so at
		// info every generate would say so to people who never set it.
		logger.Debug("generate writes every session's calendar file", "session_calendars", cfg.SessionCalendars)
		cfg.SessionCalendars = config.SessionCalendarsFiles
	}
	a, err := app.Open(ctx, app.Options{Config: cfg, Logger: logger})
	if err != nil {
		return missingDatabase(cfg.Database, err)
	}
	defer a.Close()
	pass := func(ctx context.Context) (publish.Result, error) { return a.Pass(ctx, false) }
	if *force {
		pass = a.Repair
	}
	res, err := pass(ctx)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	fmt.Fprintf(e.stdout, "generated %s: %d series rendered, %d files written, %d unchanged, %d removed in %s\n",
		cfg.OutputDir, res.SeriesRendered, res.FilesWritten, res.FilesUnchanged, res.FilesRemoved, res.Duration)
	return nil
}
