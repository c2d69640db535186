// Command realpass times regeneration passes with the real renderers over a
// real database: it builds (once, then caches) a SQLite database of -series
// series x -sessions sessions through the store's Import, opens it with
// internal/app as the daemon does, and times a forced first pass into an
// empty output directory, a pass with nothing changed and a pass after one
// series changed, printing each duration and the peak RSS (VmHWM).
//
// With -daemon N it then runs the daemon itself (internal/app's Run: the
// HTTP server on 127.0.0.1, the schedule and the watch for edits by other
// processes) and makes N edits through a second connection to the
// database, as the CLI does from another process, each to a different
// series; it prints how long each took to appear in that series' calendar
// fetched over HTTP. The daemon's first pass is a forced one (as at every
// start) over series whose bytes do not change.
//
// The generated database is cached as <cache>/realpass-<version>-<series>x<sessions>.db;
// change dataVersion when the generator changes. Each run copies it, so the
// cached file is never modified.
//
//	go run ./bench/cmd/realpass [-series 1000] [-sessions 100] [-out DIR] [-cpuprofile F] [-editprofile F] [-trace F] [-memprofile F] [-memtrace] [-daemon N]
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/agendafeed/agendafeed/config"
	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/app"
	"github.com/agendafeed/agendafeed/internal/publish"
	"github.com/agendafeed/agendafeed/internal/store"
)

// dataVersion names the generator's output; bump it when gen changes.
const dataVersion = "v2"

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "realpass:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("realpass", flag.ContinueOnError)
	series := fs.Int("series", 1000, "series")
	sessions := fs.Int("sessions", 100, "sessions per series")
	cache := fs.String("cache", filepath.Join(os.TempDir(), "agendafeed-bench"), "directory caching the generated database")
	out := fs.String("out", "", "output directory (default: a new temp dir, removed at the end); must be empty")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the full pass to this file")
	editprofile := fs.String("editprofile", "", "write a CPU profile of the pass after one series changed to this file")
	memprofile := fs.String("memprofile", "", "write a heap profile of the full pass's peak live heap to this file")
	tracefile := fs.String("trace", "", "write an execution trace of the full pass to this file (go tool trace; -pprof=sync or =syscall shows where goroutines wait)")
	memtrace := fs.Bool("memtrace", false, "print the live heap, heap and RSS every 250 ms of the full pass (to stderr)")
	daemon := fs.Int("daemon", 0, "then run the daemon and time this many edits by another connection until served over HTTP")
	sessionCals := fs.String("session-calendars", config.Default().SessionCalendars, "session_calendars: served (the default: the daemon renders them on request; with -daemon, also times such requests) or files (every pass writes one .ics per session, as generate does)")
	gap := fs.Duration("gap", 5*time.Second, "with -daemon: time from one edit being served to the next edit (the default lets each edit's pass end first)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := os.MkdirAll(*cache, 0o755); err != nil {
		return err
	}
	cached := filepath.Join(*cache, fmt.Sprintf("realpass-%s-%dx%d.db", dataVersion, *series, *sessions))
	if _, err := os.Stat(cached); err != nil {
		start := time.Now()
		if err := build(ctx, cached, *series, *sessions); err != nil {
			return fmt.Errorf("build database: %w", err)
		}
		fmt.Fprintf(stdout, "built %s in %v\n", cached, time.Since(start).Round(time.Millisecond))
		// Start afresh so that the build does not count in the peak RSS.
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		return syscall.Exec(exe, os.Args, os.Environ())
	}

	work, err := os.MkdirTemp("", "realpass")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if *out == "" {
		*out = filepath.Join(work, "public")
		// Journal-less ext4 skips inodes freed in the last 60 s (360 s
		// while their inode table block is dirty) when it creates files,
		// scanning past each of them: a full pass started within that
		// time of this removal on the same filesystem is slowed by it
		// (docs/performance.md, "Recently deleted inodes").
		defer fmt.Fprintln(stdout, "removing the output (105,006 files at full size); on journal-less ext4 wait 6 minutes before the next run, or give -out a directory to keep")
	}
	dbPath := filepath.Join(work, "agendafeed.db")
	if err := copyFile(cached, dbPath); err != nil {
		return err
	}
	a, err := open(ctx, dbPath, *out, func(c *config.Config) { c.SessionCalendars = *sessionCals })
	if err != nil {
		return err
	}
	defer a.Close()

	stopProfile, err := startProfile(*cpuprofile)
	if err != nil {
		return err
	}
	if *tracefile != "" {
		f, err := os.Create(*tracefile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := trace.Start(f); err != nil {
			return err
		}
	}
	stopWatch := func() {}
	if *memprofile != "" {
		stopWatch = watchHeap(*memprofile)
	}
	cpu0, sys0 := cpuTimes()
	start := time.Now()
	mw := watchMemory(start, *memtrace)
	res, err := a.Pass(ctx, true)
	stopWatch()
	full := time.Since(start)
	mem := mw()
	cpu1, sys1 := cpuTimes()
	cpu, sys := cpu1-cpu0, sys1-sys0
	stopProfile()
	if *tracefile != "" {
		trace.Stop()
	}
	if err != nil {
		return fmt.Errorf("full pass: %w", err)
	}
	fmt.Fprintf(stdout, "full pass (real renderers): %d series x %d sessions, GOMAXPROCS %d: %v (CPU user+sys %v, of which in the kernel %v), %d files written, peak RSS %s\n",
		*series, *sessions, runtime.GOMAXPROCS(0), full.Round(time.Millisecond), cpu.Round(time.Millisecond), sys.Round(time.Millisecond), res.FilesWritten, peakRSS())
	fmt.Fprintf(stdout, "  memory of the full pass: %s\n", mem)

	const n = 20
	start = time.Now()
	for range n {
		res, err := a.Pass(ctx, false)
		if err != nil {
			return fmt.Errorf("no-change pass: %w", err)
		}
		if res.SeriesRendered != 0 {
			return fmt.Errorf("no-change pass rendered %d series", res.SeriesRendered)
		}
	}
	fmt.Fprintf(stdout, "no-change pass: %v\n", (time.Since(start) / n).Round(time.Microsecond))

	// The last series in slug order: the all-series files are built in
	// that order, so its edit is the one they could delay the most.
	doc := gen(*series-1, *sessions)
	doc.Sessions = doc.Sessions[:1]
	doc.Posts = nil
	doc.Sessions[0].Title += " (moved)"
	if _, err := a.DB().Import(ctx, []agenda.Snapshot{doc}); err != nil {
		return fmt.Errorf("change one session: %w", err)
	}
	if stopProfile, err = startProfile(*editprofile); err != nil {
		return err
	}
	calendar := doc.Series.Slug + "/calendar.ics"
	cpu0 = cpuTime()
	start = time.Now()
	served := watchServed(a.Publisher(), calendar, start)
	res, err = a.Pass(ctx, false)
	took := time.Since(start)
	stopProfile()
	if err != nil {
		return fmt.Errorf("one-series pass: %w", err)
	}
	fmt.Fprintf(stdout, "one series changed: %v (CPU %v), %d series rendered, %d files written (incl. all-series files), peak RSS %s\n",
		took.Round(time.Millisecond), (cpuTime() - cpu0).Round(time.Millisecond), res.SeriesRendered, res.FilesWritten, peakRSS())
	fmt.Fprintf(stdout, "  its new calendar served (in the publisher's manifest) after %v\n", served())
	if *daemon > 0 {
		return editsServed(ctx, a, dbPath, *series, *sessions, *daemon, *gap, stdout)
	}
	return nil
}

// editsServed runs the daemon and makes n edits through another
// connection, each to a series spread across the slug order (the last
// first), printing how long each took to show in the series' calendar
// served over HTTP. It waits gap after each edit is served before the
// next: long enough for the edit's pass to end by default, shorter to
// time edits made while a pass still rebuilds the all-series files.
func editsServed(ctx context.Context, a *app.App, dbPath string, series, sessions, n int, gap time.Duration, stdout io.Writer) error {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	addrs := make(chan net.Addr, 1)
	runErr := make(chan error, 1)
	start := time.Now()
	go func() { runErr <- a.Run(runCtx, func(addr net.Addr) { addrs <- addr }) }()
	var base string
	select {
	case addr := <-addrs:
		base = "http://" + addr.String() + "/"
	case err := <-runErr:
		return fmt.Errorf("daemon: %w", err)
	}
	serving := time.Since(start)
	// A restart serves what is published at once and makes its forced
	// first pass meanwhile: wait for it, so that edits are timed alone.
	client := &http.Client{Timeout: 10 * time.Second}
	for {
		var h struct {
			LastPass *struct {
				Time time.Time `json:"time"`
			} `json:"last_pass"`
		}
		b, err := get(ctx, client, base+"healthz")
		if err != nil {
			return fmt.Errorf("healthz: %w", err)
		}
		if err := json.Unmarshal(b, &h); err != nil {
			return fmt.Errorf("healthz: %w", err)
		}
		if h.LastPass != nil && !h.LastPass.Time.Before(start.Truncate(time.Second)) {
			break
		}
		if time.Since(start) > 5*time.Minute {
			return errors.New("the daemon's first pass did not end in 5 minutes")
		}
		time.Sleep(20 * time.Millisecond)
	}
	fmt.Fprintf(stdout, "daemon: serving after %v; its first (forced) pass done after %v\n",
		serving.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))

	other, err := store.Open(ctx, dbPath, store.Options{UIDDomain: a.Config().UIDDomain})
	if err != nil {
		return err
	}
	defer other.Close()
	var took []time.Duration
	for i := range n {
		idx := series - 1 - i*series/n
		doc := gen(idx, sessions)
		doc.Sessions = doc.Sessions[:1]
		doc.Posts = nil
		marker := fmt.Sprintf("edit-%d-%d", i, time.Now().UnixNano())
		doc.Sessions[0].Title += " " + marker
		if _, err := other.Import(ctx, []agenda.Snapshot{doc}); err != nil {
			return fmt.Errorf("edit %d: %w", i, err)
		}
		edited := time.Now()
		url := base + doc.Series.Slug + "/calendar.ics"
		for {
			body, err := get(ctx, client, url)
			if err != nil {
				return fmt.Errorf("edit %d: %w", i, err)
			}
			// Unfolded: a long SUMMARY line may be folded inside the marker.
			if bytes.Contains(bytes.ReplaceAll(body, []byte("\r\n "), nil), []byte(marker)) {
				break
			}
			if time.Since(edited) > 30*time.Second {
				return fmt.Errorf("edit %d to %s not served after 30 s", i, doc.Series.Slug)
			}
			time.Sleep(5 * time.Millisecond)
		}
		took = append(took, time.Since(edited))
		time.Sleep(gap)
	}
	if a.Config().SessionCalendars == config.SessionCalendarsServed {
		if err := sessionsServed(ctx, client, base, series, sessions, stdout); err != nil {
			return err
		}
	}
	cancel()
	if err := <-runErr; err != nil {
		return fmt.Errorf("daemon: %w", err)
	}
	var parts []string
	for _, d := range took {
		parts = append(parts, d.Round(time.Millisecond).String())
	}
	cfg := a.Config()
	fmt.Fprintf(stdout, "daemon: each edit by another connection (the next %v after one is served) served over HTTP after %s (max %v; debounce %v, the watch polls every 250ms), peak RSS %s\n",
		gap, strings.Join(parts, ", "), slices.Max(took).Round(time.Millisecond), time.Duration(cfg.Debounce), peakRSS())
	return nil
}

// sessionsServed times requests for session calendars that the daemon
// renders on request: each first request of a session (a snapshot of its
// series read from the store and the one event encoded), then the same
// requests again (from the cache).
func sessionsServed(ctx context.Context, client *http.Client, base string, series, sessions int, stdout io.Writer) error {
	const n = 200
	var urls []string
	for i := range n {
		doc := gen(i*series/n, sessions)
		s := doc.Sessions[i%len(doc.Sessions)]
		urls = append(urls, base+doc.Series.Slug+"/sessions/"+s.Key+".ics")
	}
	for _, round := range []string{"first request", "cached"} {
		var took []time.Duration
		for _, u := range urls {
			start := time.Now()
			b, err := get(ctx, client, u)
			if err != nil {
				return err
			}
			if !bytes.HasPrefix(b, []byte("BEGIN:VCALENDAR")) {
				return fmt.Errorf("GET %s: not a calendar: %.40q", u, b)
			}
			took = append(took, time.Since(start))
		}
		slices.Sort(took)
		fmt.Fprintf(stdout, "daemon: %d session calendars rendered on request (%s): median %v, 90th percentile %v, max %v\n",
			n, round, took[n/2].Round(time.Microsecond), took[n*9/10].Round(time.Microsecond), took[n-1].Round(time.Microsecond))
	}
	return nil
}

func get(ctx context.Context, c *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return b, nil
}

// watchServed polls p's manifest every millisecond from start until path's ETag
// changes, and returns what reports how long that took (or that it had not
// happened by then).
func watchServed(p *publish.Publisher, path string, start time.Time) func() string {
	before := p.Manifest().Files[path].ETag
	var at atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			if p.Manifest().Files[path].ETag != before {
				at.Store(int64(time.Since(start)))
				return
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() string {
		close(stop)
		<-done
		if d := at.Load(); d > 0 {
			return time.Duration(d).Round(time.Millisecond).String()
		}
		return "never during the pass"
	}
}

// startProfile starts a CPU profile into path ("" for none) and returns
// what stops it and closes the file.
func startProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

func open(ctx context.Context, db, out string, edits ...func(*config.Config)) (*app.App, error) {
	cfg := config.Default()
	cfg.Database = db
	cfg.OutputDir = out
	cfg.BaseURL = "https://agenda.example.org/"
	cfg.UIDDomain = "agenda.example.org"
	cfg.Listen = "127.0.0.1:0"
	for _, edit := range edits {
		edit(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	// Warnings and errors only: -daemon's requests would log a line each.
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return app.Open(ctx, app.Options{Config: cfg, Logger: logger})
}

// build writes the generated agenda into a new database at path, through
// a temp name so that an interrupted build is never cached.
func build(ctx context.Context, path string, series, sessions int) error {
	tmp := path + ".building"
	os.Remove(tmp)
	os.Remove(tmp + "-wal")
	os.Remove(tmp + "-shm")
	// app.Open opens only a database that exists.
	db, err := store.Open(ctx, tmp, store.Options{Create: true})
	if err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	a, err := open(ctx, tmp, filepath.Join(filepath.Dir(path), "unused-public"))
	if err != nil {
		return err
	}
	const batch = 50
	for i := 0; i < series; i += batch {
		var docs []agenda.Snapshot
		for j := i; j < min(series, i+batch); j++ {
			docs = append(docs, gen(j, sessions))
		}
		if _, err := a.DB().Import(ctx, docs); err != nil {
			a.Close()
			return err
		}
	}
	if err := a.Close(); err != nil {
		return err
	}
	// A fresh open and close checkpoints the WAL into the main file.
	a, err = open(ctx, tmp, filepath.Join(filepath.Dir(path), "unused-public"))
	if err != nil {
		return err
	}
	if err := a.Close(); err != nil {
		return err
	}
	os.RemoveAll(filepath.Join(filepath.Dir(path), "unused-public"))
	if _, err := os.Stat(tmp + "-wal"); err == nil {
		return fmt.Errorf("%s-wal left after close", tmp)
	}
	return os.Rename(tmp, path)
}

var (
	zones  = []string{"Europe/Madrid", "Europe/Madrid", "Europe/Madrid", "America/New_York", "Asia/Tokyo", "Africa/Tunis", "America/Sao_Paulo", "Europe/London"}
	tags   = []string{"housing", "finance", "climate", "mobility", "culture", "health", "water", "energy", "data", "governance", "youth", "migration"}
	roles  = agenda.Roles()
	words  = strings.Fields("local and regional governments met to discuss how cities finance affordable housing, adapt to heat waves, share open data and plan public transport with citizens; speakers from municipalities, networks and universities presented results, budgets and lessons learned across several continents")
	venues = []string{"Palacio de Congresos, Room A", "City Hall", "Online", "Auditorium 2", "Casa de la Ciudad"}
)

// gen returns series i deterministically: sessions of 1-2 h across
// 2025-2027 in a handful of zones, 3-7 people, 2-4 tags, descriptions of a
// few hundred characters, and two posts.
func gen(i, sessions int) agenda.Snapshot {
	rng := rand.New(rand.NewPCG(uint64(i), 42))
	slug := fmt.Sprintf("series-%04d", i)
	zone := zones[i%len(zones)]
	text := func(n int) string {
		var b strings.Builder
		for b.Len() < n {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[rng.IntN(len(words))])
		}
		return b.String()
	}
	doc := agenda.Snapshot{Series: agenda.Series{
		Slug: slug, Title: fmt.Sprintf("Policy debates %d", i), Description: text(300),
		Homepage: "https://example.org/" + slug, Zone: zone, Language: "en",
		Reminders: []time.Duration{15 * time.Minute, 24 * time.Hour},
		Organizer: agenda.Organizer{Name: "City network", Email: "events@example.org"},
	}}
	base := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	for k := range sessions {
		day := base.Add(time.Duration(k*(3*365/max(1, sessions))) * 24 * time.Hour)
		startH := 8 + rng.IntN(10)
		st := time.Date(day.Year(), day.Month(), day.Day(), startH, 30*rng.IntN(2), 0, 0, time.UTC)
		dur := time.Duration(60+30*rng.IntN(3)) * time.Minute
		s := agenda.Session{
			Key: fmt.Sprintf("s%03d", k), Title: "Debate: " + text(40),
			Description: text(200 + rng.IntN(300)),
			Start:       agenda.WallTimeOf(st), End: agenda.WallTimeOf(st.Add(dur)),
			Zone:  zones[(i+k)%len(zones)],
			Venue: venues[rng.IntN(len(venues))], URL: fmt.Sprintf("https://example.org/%s/s%03d", slug, k),
		}
		if k%3 == 0 {
			s.Zone = "" // the series' zone
		}
		nt := 2 + rng.IntN(3)
		perm := rng.Perm(len(tags))
		for _, t := range perm[:nt] {
			s.Tags = append(s.Tags, tags[t])
		}
		np := 3 + rng.IntN(5)
		for p := range np {
			s.People = append(s.People, agenda.Participant{
				Person: agenda.Person{Name: fmt.Sprintf("Person %d-%d", i%200, rng.IntN(400)+p*1000), Affiliation: "Mayor of " + text(10)},
				Role:   roles[rng.IntN(len(roles))],
			})
		}
		doc.Sessions = append(doc.Sessions, s)
	}
	for k := range 2 {
		doc.Posts = append(doc.Posts, agenda.Post{
			ID: fmt.Sprintf("news-%d", k), Title: "News: " + text(30), Summary: text(150),
			Body: "Some **news** about the series.\n\n" + text(400), Author: "Secretariat",
			Published: base.Add(time.Duration(k*40) * 24 * time.Hour), SessionKey: fmt.Sprintf("s%03d", k),
		})
	}
	return doc
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// watchHeap writes a heap profile to path whenever the live heap (as of
// the last GC, which is what a heap profile shows) grows 8 MiB past the
// largest seen, until the returned func is called: the last one written is
// the profile at the peak live heap.
func watchHeap(path string) func() {
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		var peak uint64
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			metrics.Read(live)
			if v := live[0].Value.Uint64(); v > peak+8<<20 {
				peak = v
				if f, err := os.Create(path); err == nil {
					pprof.Lookup("heap").WriteTo(f, 0)
					f.Close()
				}
			}
		}
	}()
	return func() { close(done); <-stopped }
}

// memSample is the process's memory at one moment.
type memSample struct {
	at       time.Duration
	live     uint64 // live heap as of the last GC
	objects  uint64 // heap objects, live or not yet swept
	goMapped uint64 // everything the Go runtime has mapped, less what it released
	rss      uint64 // resident set, from /proc/self/statm
}

func (m memSample) String() string {
	const mib = 1 << 20
	return fmt.Sprintf("t=%.1fs live heap %d MiB, heap objects %d MiB, Go runtime %d MiB, RSS %d MiB (other: %d MiB)",
		m.at.Seconds(), m.live/mib, m.objects/mib, m.goMapped/mib, m.rss/mib, (int64(m.rss)-int64(m.goMapped))/mib)
}

// watchMemory samples memory every 250 ms (printing each sample to
// stderr when trace is set) until the returned func is called, which
// returns a summary: the largest live heap (what the program really
// holds: the GC's goal is a multiple of it) and the sample of peak RSS.
func watchMemory(start time.Time, trace bool) func() string {
	samples := []metrics.Sample{
		{Name: "/gc/heap/live:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
	}
	page := uint64(os.Getpagesize())
	sample := func() memSample {
		metrics.Read(samples)
		m := memSample{at: time.Since(start), live: samples[0].Value.Uint64(), objects: samples[1].Value.Uint64(),
			goMapped: samples[2].Value.Uint64() - samples[3].Value.Uint64()}
		if b, err := os.ReadFile("/proc/self/statm"); err == nil {
			if f := strings.Fields(string(b)); len(f) > 1 {
				var n uint64
				fmt.Sscan(f[1], &n)
				m.rss = n * page
			}
		}
		return m
	}
	done := make(chan struct{})
	out := make(chan string)
	go func() {
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		var peak memSample
		var maxLive uint64
		for {
			m := sample()
			if trace {
				fmt.Fprintln(os.Stderr, m)
			}
			maxLive = max(maxLive, m.live)
			if m.rss >= peak.rss {
				peak = m
			}
			select {
			case <-done:
				out <- fmt.Sprintf("largest live heap %d MiB; at peak RSS: %s", maxLive>>20, peak)
				return
			case <-t.C:
			}
		}
	}()
	return func() string { close(done); return <-out }
}

// cpuTimes returns the CPU time the process has used, user+system, and the
// system (kernel) part of it: creating, writing and renaming files, most
// of it.
func cpuTimes() (total, sys time.Duration) {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), time.Duration(ru.Stime.Nano())
}

// cpuTime is the user+system CPU time the process has used.
func cpuTime() time.Duration {
	total, _ := cpuTimes()
	return total
}

// peakRSS reads VmHWM from /proc/self/status.
func peakRSS() string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "?"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}
