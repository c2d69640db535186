// Package app wires agendafeed together: the store, the publisher and its
// schedule, and the HTTP server, with a graceful shutdown. It owns no logic
// of its own beyond the wiring and the record of the last pass.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/agendafeed/agendafeed/config"
	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/memlimit"
	"github.com/agendafeed/agendafeed/internal/publish"
	"github.com/agendafeed/agendafeed/internal/server"
	"github.com/agendafeed/agendafeed/internal/store"
)

// Options configure an App.
type Options struct {
	Config config.Config
	Logger *slog.Logger
	Now    func() time.Time // nil -> time.Now
	// API, when non-nil, is mounted at /api/v1/; it is given the app so
	// that its writes can trigger a regeneration.
	API func(a *App) (http.Handler, error)
	// WatchInterval is how often the daemon polls the database for edits
	// made by other processes (the CLI); 0 -> 250 ms.
	WatchInterval time.Duration
	// Listener, when non-nil, is what Run serves on instead of binding
	// Config.Listen itself: the daemon binds it (Listen) before opening
	// anything, so that a taken address fails first. Run closes it.
	Listener net.Listener
	// RetryAfter is how long after a failed pass the daemon tries again,
	// doubling after each failure in a row up to 5 minutes; 0 -> 10 s.
	RetryAfter time.Duration
}

// maxRetryAfter caps the wait before a failed pass is retried: the default
// schedule's interval, so a retry never waits longer than the next
// scheduled pass would.
const maxRetryAfter = 5 * time.Minute

// App is one running agendafeed: a database, a publisher and a server.
type App struct {
	cfg      config.Config
	log      *slog.Logger
	now      func() time.Time
	db       *store.DB
	render   *renderer
	pub      *publish.Publisher
	reg      *prometheus.Registry
	metrics  *server.Metrics
	apiMaker func(a *App) (http.Handler, error)
	watch    time.Duration
	retry    time.Duration
	ln       net.Listener
	// heap reads the live heap and the memory limit after a pass that
	// rendered (memlimit.Read; a test swaps it), and heapTight remembers
	// that it warned, so that a tight limit is told once, not every pass.
	heap      func() memlimit.Usage
	heapTight bool

	// repair is set when the server found a published file missing on
	// disk, until the pass that writes it again starts.
	repair atomic.Bool

	// passMu runs passes one at a time, from reading the clock to
	// recording lastAsOf: Pass may be called beside the scheduler.
	passMu sync.Mutex
	// lastAsOf is the as-of instant of the last pass that succeeded (zero
	// before the first): every page published has no session ending
	// between its own as-of instant and lastAsOf. Under passMu.
	lastAsOf time.Time

	mu      sync.Mutex
	sched   *publish.Scheduler
	last    publish.Result
	lastErr error
	hasLast bool
}

// Open opens the database and prepares the publisher; it does not start
// anything.
func Open(ctx context.Context, opts Options) (*App, error) {
	cfg := opts.Config
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Only the output directory: the database must exist (the commands
	// that create one do so before), and a mistyped database path must
	// not leave an empty directory behind.
	if err := prepareOutputDir(cfg.OutputDir); err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, cfg.Database, store.Options{UIDDomain: cfg.UIDDomain, Now: now})
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", cfg.Database, err)
	}
	if from, to, ok := db.Migrated(); ok {
		log.InfoContext(ctx, "database schema updated; an older agendafeed must not use it (README: Upgrading)",
			"database", cfg.Database, "from_version", from, "to_version", to)
	}
	r, err := newRenderer(cfg)
	if err != nil {
		db.Close()
		return nil, err
	}
	r.snapshot, r.list = db.Snapshot, db.ListSeries
	pub, err := publish.New(publish.Options{Dir: cfg.OutputDir, Source: db, Renderer: r, Now: now})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("publisher: %w", err)
	}
	reg := prometheus.NewRegistry()
	watch := opts.WatchInterval
	if watch == 0 {
		watch = 250 * time.Millisecond
	}
	retry := opts.RetryAfter
	if retry == 0 {
		retry = 10 * time.Second
	}
	return &App{cfg: cfg, log: log, now: now, db: db, render: r, pub: pub, reg: reg,
		metrics: server.NewMetrics(reg), apiMaker: opts.API, watch: watch, retry: retry, ln: opts.Listener,
		heap: memlimit.Read}, nil
}

// DB is the app's database, for the CLI and the admin API.
func (a *App) DB() *store.DB { return a.db }

// Config is the configuration the app runs with.
func (a *App) Config() config.Config { return a.cfg }

// Publisher is the app's publisher (its manifest names every published file).
func (a *App) Publisher() *publish.Publisher { return a.pub }

// Close releases the output directory (another process may then publish
// there) and closes the database. A database file replaced while the app
// ran (a restore) is logged here too, since serve has nobody else to tell
// at exit: where the old file's -wal went, and what to do.
func (a *App) Close() error {
	err := errors.Join(a.pub.Close(), a.db.Close())
	if errors.Is(err, store.ErrReplaced) {
		a.log.Error("database file replaced while the daemon ran", "err", err)
	}
	return err
}

// Pass runs one regeneration pass and records its result. Besides the
// series that changed, it re-renders those with a session that ended since
// the last pass, so that their pages move it from "upcoming" to "past"
// (see pass); the first pass of the process re-renders every series.
// Its failure is returned, not logged: the caller reports it (generate
// prints it).
func (a *App) Pass(ctx context.Context, force bool) (publish.Result, error) {
	return a.pass(ctx, "manual", force, false)
}

// Repair runs a forced pass that also checks every published file on disk
// and rewrites what is missing or differs from what it renders (a file
// edited or deleted by hand), as the daemon does when its server meets a
// listed file missing.
func (a *App) Repair(ctx context.Context) (publish.Result, error) {
	return a.pass(ctx, "repair", true, true)
}

// pass is Pass, or with repair the publisher's Repair: a forced pass that
// also checks every published file on disk and rewrites what is missing
// or differs. trigger says why it runs, for the log.
//
// Every pass that succeeds is logged once: at INFO when it wrote or removed
// files, else at DEBUG, so that a forced pass on restart or a cron pass
// that changed nothing can be seen with log_level debug without filling an
// INFO log with a line every few minutes. A failure is returned, not
// logged: the caller logs it once, with what happens next (a retry).
//
// Pages split upcoming from past sessions at the pass's as-of instant: its
// start, in whole seconds (as session ends are stored, so that a session
// is past on every page rendered after its end). A page changes with it
// only when a session's end falls between its as-of instant and the
// pass's, so the pass re-renders just the series with a session that ended
// since the last pass that succeeded, and the all-series files with them
// (the index shows each series' next session): at the default schedule a
// session moves to "past" within five minutes of its end, on the series'
// page and the index alike. A failed pass leaves lastAsOf as it was, and
// the next one covers its interval too. The first pass of the process has
// no lastAsOf and renders every series.
func (a *App) pass(ctx context.Context, trigger string, force, repair bool) (publish.Result, error) {
	a.passMu.Lock()
	defer a.passMu.Unlock()
	asOf := a.now().UTC().Truncate(time.Second)
	var ended []string
	if a.lastAsOf.IsZero() {
		force = true
	} else if !force && !repair {
		var err error
		if ended, err = a.db.SeriesEndedBetween(ctx, a.lastAsOf, asOf); err != nil {
			err = fmt.Errorf("series with sessions ended since the last pass: %w", err)
			a.recordPass(publish.Result{Started: asOf}, err)
			return publish.Result{}, err
		}
	}
	a.render.setAsOf(asOf)
	var res publish.Result
	var err error
	if repair {
		res, err = a.pub.Repair(ctx)
	} else {
		res, err = a.pub.PassWith(ctx, publish.PassOptions{Force: force, Series: ended})
	}
	a.recordPass(res, err)
	if err == nil {
		// Even when the clock went back: the next pass's interval then
		// starts here, and covers the ends this pass put back upcoming.
		a.lastAsOf = asOf
	}
	// Even from a failed pass: the directories are left either way.
	for _, k := range res.Kept {
		a.log.InfoContext(ctx, "removed series: its directory stays, with files agendafeed did not write",
			"dir", k.Dir, "kept_files", k.Files)
	}
	if err != nil {
		return res, err
	}
	level := slog.LevelDebug
	if res.FilesWritten > 0 || res.FilesRemoved > 0 || trigger == "repair" {
		// A repair was asked for at INFO ("repair pass requested"):
		// its outcome is told there too, even when it only rewrote the
		// manifest, which the counts leave out.
		level = slog.LevelInfo
	}
	// duration_ms as /healthz names it, so that one query reads both.
	a.log.Log(ctx, level, "regeneration pass", "trigger", trigger, "series", res.SeriesRendered,
		"written", res.FilesWritten, "unchanged", res.FilesUnchanged, "removed", res.FilesRemoved,
		"duration_ms", res.Duration.Milliseconds(), "all_series_left_for_next", res.Superseded)
	if res.SeriesRendered > 0 {
		// The series this pass published were edited since their sessions
		// were last packed; the next pass reads them packed (store.Pack).
		if _, err := a.db.Pack(ctx); err != nil {
			a.log.Warn("pack sessions after the pass", "err", err)
		}
		a.checkHeap(ctx)
	}
	return res, nil
}

// recordPass keeps a pass's outcome for /healthz and the metrics.
func (a *App) recordPass(res publish.Result, err error) {
	a.metrics.ObservePass(res, err)
	a.mu.Lock()
	a.last, a.lastErr, a.hasLast = res, err, true
	a.mu.Unlock()
}

// checkHeap warns, once until it eases, when what a pass keeps live has
// passed half of GOMEMLIMIT: from there the garbage collector runs ever
// more often to stay under it, and passes slow down (a full pass measured
// 1.6x slower at 1,000 series of 100 sessions with GOMEMLIMIT=224MiB and
// GOGC=400,
// docs/performance.md). Without a limit it never warns.
func (a *App) checkHeap(ctx context.Context) {
	u := a.heap()
	tight := u.Tight()
	a.mu.Lock()
	warn := tight && !a.heapTight
	a.heapTight = tight
	a.mu.Unlock()
	if warn {
		a.log.WarnContext(ctx, "live heap is over half of GOMEMLIMIT; the garbage collector runs more often and passes slow down: raise GOMEMLIMIT (docs/config.md, Memory)",
			"live_heap_mib", u.Live>>20, "gomemlimit_mib", u.Limit>>20)
	}
}

// sessions is what renders session calendars on request: those the
// served manifest does not list. With session_calendars: files that is
// none once a pass has written them, but a daemon switched from served
// serves the previous run's manifest until its first pass, and keeps it
// while passes fail: without this, every session calendar answered 404
// meanwhile.
func (a *App) sessions() server.SessionRenderer { return a.render }

// Trigger asks for a regeneration soon (debounced); a no-op before Run.
func (a *App) Trigger() {
	a.mu.Lock()
	s := a.sched
	a.mu.Unlock()
	if s != nil {
		s.Trigger()
	}
}

// requestRepair asks for a pass that writes missing published files
// again; the server calls it once per missing file per manifest version.
// Requests before that pass starts share it: a deleted output directory,
// found one file at a time, costs one pass, not one per file.
func (a *App) requestRepair(path string) {
	if a.repair.CompareAndSwap(false, true) {
		a.log.Info("repair pass requested", "missing", path)
		a.Trigger()
	}
}

// repairPass runs the pass requestRepair asked for: the publisher's
// Repair, which renders every series and the all-series files and
// rewrites every published file missing or different on disk.
func (a *App) repairPass(ctx context.Context) (publish.Result, error) {
	return a.pass(ctx, "repair", true, true)
}

// logFailedPass logs a failed pass: one line, with what happens next.
func (a *App) logFailedPass(trigger string, res publish.Result, err error, retryIn time.Duration, failures int) {
	a.log.Error("regeneration pass failed", "trigger", trigger, "err", err,
		"duration_ms", res.Duration.Milliseconds(), "retry_in", retryIn.String(), "failures_in_a_row", failures)
}

func (a *App) lastPass() (publish.Result, error, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.last, a.lastErr, a.hasLast
}

// Run serves and regenerates on the schedule, after edits through the API
// and after edits by other processes, until ctx is cancelled. It then lets
// the running pass and the requests in flight finish, and returns nil.
// ready is called with the listening address.
//
// Its first pass is forced (every series re-rendered: this binary may
// render differently from the one that published). When nothing is
// published yet, that pass runs before the server listens, so that the
// first request finds the files. When a previous run published, the
// server listens at once and serves those files while the pass runs: at
// 1,000 series of 100 sessions that pass takes ~5 s, which a restart
// would otherwise leave subscribers with no answer at all. A stop during
// that pre-listen pass lets it finish, then Run returns nil without
// listening (ready is not called).
func (a *App) Run(ctx context.Context, ready func(net.Addr)) error {
	// Bound first, before any pass: a taken address fails at once, not
	// after a first pass has been written for a daemon that cannot serve
	// it. Connections before ready wait in the backlog.
	ln := a.ln
	if ln == nil {
		var err error
		if ln, err = Listen(a.cfg.Listen); err != nil {
			return err
		}
	}
	defer ln.Close() // on the early returns; Serve closes it too
	// A failed pass (a full disk, an unwritable directory) is retried
	// soon, with what it was asked to do, rather than at the next cron
	// tick (up to 5 minutes by default) or the next edit. Passes run one
	// at a time, so failures and retryTimer need no lock of their own.
	var failures int
	var retryTimer *time.Timer
	defer func() {
		if retryTimer != nil {
			retryTimer.Stop()
		}
	}()
	retryLater := func() time.Duration {
		wait := min(a.retry<<min(failures, 10), maxRetryAfter)
		failures++
		if retryTimer != nil {
			retryTimer.Stop()
		}
		retryTimer = time.AfterFunc(wait, a.Trigger)
		return wait
	}
	var force, first, retrying atomic.Bool
	published := len(a.pub.Manifest().Files) > 0
	var firstErr error
	var firstRes publish.Result
	if !published {
		// A stop during this pass lets it finish, as it does any pass
		// (the pass is bounded), and then Run returns without listening.
		firstRes, firstErr = a.pass(context.WithoutCancel(ctx), "start", true, false)
		if ctx.Err() != nil {
			if firstErr != nil {
				a.logFailedPass("start", firstRes, firstErr, 0, 1)
			}
			return nil
		}
	}
	// The first pass, when the scheduler runs it (or retries the one above).
	force.Store(published || firstErr != nil)
	first.Store(published)
	// As Validate read it: robfig/cron reads neither 7 for Sunday, nor
	// @every 1d, nor a tab after the zone.
	spec, err := config.CronSpec(a.cfg.Cron)
	if err != nil {
		return fmt.Errorf("cron: %q: %w", a.cfg.Cron, err)
	}
	sched, err := publish.NewScheduler(spec, func(ctx context.Context) error {
		forced, repairing := force.Swap(false), a.repair.Swap(false)
		trigger := publish.TriggerOf(ctx)
		switch {
		case repairing:
			trigger = "repair"
		case first.Swap(false):
			trigger = "start"
		case retrying.Swap(false):
			trigger = "retry"
		}
		var res publish.Result
		var err error
		if repairing {
			res, err = a.repairPass(ctx)
		} else {
			res, err = a.pass(ctx, trigger, forced, false)
		}
		if err == nil {
			failures = 0
			return nil
		}
		if forced {
			force.Store(true)
		}
		if repairing {
			a.repair.Store(true)
		}
		retrying.Store(true)
		a.logFailedPass(trigger, res, err, retryLater(), failures)
		return err
	}, time.Duration(a.cfg.Debounce), a.log, a.now)
	if err != nil {
		return fmt.Errorf("start the scheduler: %w", err) // err names the spec
	}
	// An edit made while a pass rebuilds the all-series files would wait
	// for them (~3 s at 1,000 series); the pass leaves them to the next.
	sched.OnBusyTrigger(a.pub.Supersede)
	a.mu.Lock()
	a.sched = sched
	a.mu.Unlock()
	if firstErr != nil {
		// Armed now that Trigger reaches the scheduler.
		retrying.Store(true)
		a.logFailedPass("start", firstRes, firstErr, retryLater(), failures)
	}

	var api http.Handler
	if a.apiMaker != nil {
		if api, err = a.apiMaker(a); err != nil {
			return fmt.Errorf("admin API: %w", err)
		}
	}
	srv, err := server.New(server.Options{
		Dir:             a.cfg.OutputDir,
		Files:           a.pub,
		Logger:          a.log,
		RefreshInterval: time.Duration(a.cfg.RefreshInterval),
		Health:          a.db.Ping,
		LastPass:        a.lastPass,
		Variants:        a.render,
		Sessions:        a.sessions(),
		API:             api,
		Registry:        a.reg,
		Metrics:         a.metrics,
		OnMissing:       a.requestRepair,
		BasePath:        feeds.NewLayout(a.cfg.BaseURL).BasePath(),
	})
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	sched.Start(runCtx)
	// Synchronously: sched.Stop then waits for the watcher (or, when the
	// stop came first, it never starts), so that it cannot read the
	// database after Close.
	sched.Watch(runCtx, a.watch, a.db.ChangeCounter)
	serveErr := srv.Serve(runCtx, ln, func(addr net.Addr) {
		if ready != nil {
			ready(addr)
		}
		if published {
			sched.Trigger()
		}
	})
	cancel()
	sched.Stop()
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return fmt.Errorf("serve on %s: %w", a.cfg.Listen, serveErr)
	}
	return nil
}

// Listen binds addr, with an error that names the config key and what is
// expected: the one who reads it edits a config file or a unit.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen: %q: %s; expected a free host:port (config key listen / AGENDAFEED_LISTEN)", addr, reason(err))
	}
	return ln, nil
}
