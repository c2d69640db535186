package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/agendafeed/agendafeed/config"
	"github.com/agendafeed/agendafeed/feeds/ical"
	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/demo"
	"github.com/agendafeed/agendafeed/internal/importer"
	"github.com/agendafeed/agendafeed/internal/publish"
	"github.com/agendafeed/agendafeed/internal/store"
)

func testConfig(t *testing.T, dir string) config.Config {
	t.Helper()
	cfg := config.Default()
	cfg.Database = filepath.Join(dir, "agendafeed.db")
	cfg.OutputDir = filepath.Join(dir, "public")
	cfg.BaseURL = "https://agenda.example.org/"
	cfg.UIDDomain = "agenda.example.org"
	cfg.Listen = "127.0.0.1:0"
	cfg.Cron = "@every 1h"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	createDatabase(t, cfg.Database)
	return cfg
}

// createDatabase makes an empty database at path, as serve -demo or import
// would: Open opens only a database that exists.
func createDatabase(t testing.TB, path string) {
	t.Helper()
	db, err := store.Open(context.Background(), path, store.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func loadDemo(t testing.TB, a *App) {
	t.Helper()
	var docs []agenda.Snapshot
	for _, f := range demo.Files() {
		snap, err := importer.Parse(f.Name, f.Data, importer.Options{DefaultZone: "Europe/Madrid", DefaultLanguage: "en"})
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, snap)
	}
	if _, err := a.DB().Import(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
}

// startDaemon runs the whole app on 127.0.0.1:0 and returns its base URL.
func startDaemon(t *testing.T, cfg config.Config) (*App, string) {
	t.Helper()
	return startDaemonLogging(t, cfg, nil)
}

// startDaemonLogging is startDaemon with the app logging to log.
func startDaemonLogging(t *testing.T, cfg config.Config, log *slog.Logger) (*App, string) {
	t.Helper()
	return startDaemonWith(t, Options{Config: cfg, WatchInterval: 50 * time.Millisecond, Logger: log})
}

// startDaemonWith is startDaemonLogging with every option the test's own.
func startDaemonWith(t *testing.T, opts Options) (*App, string) {
	t.Helper()
	a, err := Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	loadDemo(t, a)
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, func(addr net.Addr) { addrc <- addr }) }()
	var addr net.Addr
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatalf("daemon stopped before listening: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("daemon did not start listening")
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run returned %v after cancel, want nil", err)
		}
		a.Close()
	})
	return a, "http://" + addr.String()
}

// moveDebate sets the venue of the demo's policy debate through the store,
// as another process would, and returns when it did.
func moveDebate(t *testing.T, a *App, venue string) time.Time {
	t.Helper()
	ctx := context.Background()
	s, err := a.DB().SessionByKey(ctx, "open-policy-debates", "smart-cities-pillars")
	if err != nil {
		t.Fatal(err)
	}
	s.Venue = venue
	start := time.Now()
	if _, err := a.DB().PutSession(ctx, s, s.Sequence); err != nil {
		t.Fatal(err)
	}
	return start
}

func get(t *testing.T, url string, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// An edit made directly in the database, as the CLI does while the daemon
// runs, shows up in the served calendar within 2 s; passes without edits
// keep bytes, ETag and Last-Modified; conditional requests get 304.
func TestDaemonEndToEnd(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	a, base := startDaemon(t, cfg)
	calURL := base + "/open-policy-debates/calendar.ics"

	// The first pass ran before listening; demo data was imported after Open,
	// so wait for the watcher's pass.
	deadline := time.Now().Add(10 * time.Second)
	var first *http.Response
	for {
		first = get(t, calURL)
		if first.StatusCode == http.StatusOK || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if first.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", calURL, first.Status)
	}
	firstBody := body(t, first)
	etag, lastMod := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
	if ct := first.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if !strings.Contains(firstBody, "DTSTART;TZID=Europe/Madrid:20211117T120000") {
		t.Fatalf("calendar lacks the 12:00 Madrid start:\n%s", firstBody)
	}

	// Passes with no edit change nothing.
	for range 3 {
		if _, err := a.Pass(context.Background(), true); err != nil {
			t.Fatal(err)
		}
	}
	again := get(t, calURL)
	if b := body(t, again); b != firstBody || again.Header.Get("ETag") != etag || again.Header.Get("Last-Modified") != lastMod {
		t.Errorf("passes without edits changed the calendar: ETag %s -> %s, Last-Modified %s -> %s",
			etag, again.Header.Get("ETag"), lastMod, again.Header.Get("Last-Modified"))
	}
	if r := get(t, calURL, "If-None-Match", etag); r.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %s, want 304", r.Status)
	}
	if r := get(t, calURL, "If-Modified-Since", lastMod); r.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since: %s, want 304", r.Status)
	}

	// An edit through the store (another process would do the same) is
	// served within 2 s.
	ctx := context.Background()
	start := moveDebate(t, a, "Hall 8")
	var elapsed time.Duration
	for {
		r := get(t, calURL)
		if strings.Contains(body(t, r), "LOCATION:Hall 8") {
			elapsed = time.Since(start)
			if r.Header.Get("ETag") == etag {
				t.Error("ETag did not change with the bytes")
			}
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("the edit never reached the served calendar")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if elapsed > 2*time.Second {
		t.Errorf("the edit took %v to reach the served calendar, want at most 2 s", elapsed)
	}
	t.Logf("edit served after %v", elapsed)
	// The pass that published it also packed the edited series' sessions
	// again (store.Pack), so the next pass reads them packed.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		n, err := a.DB().StalePacks(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d series' packed sessions still behind after the pass", n)
		}
	}

	health := get(t, base+"/healthz")
	if health.StatusCode != http.StatusOK || !strings.Contains(body(t, health), `"status":"ok"`) {
		t.Errorf("healthz: %s", health.Status)
	}
	metrics := body(t, get(t, base+"/metrics"))
	for _, name := range []string{"agendafeed_passes_total", "agendafeed_pass_duration_seconds", "agendafeed_http_requests_total"} {
		if !strings.Contains(metrics, name) {
			t.Errorf("metrics lack %s", name)
		}
	}
	for _, path := range []string{"/", "/open-policy-debates/", "/open-policy-debates/rss.xml", "/feed.json", "/feeds.opml",
		"/cities-are-listening/sessions/smart-recovery-post-covid.ics"} {
		if r := get(t, base+path); r.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %s", path, r.Status)
		}
	}
	variant := get(t, calURL+"?reminders=none")
	if vb := body(t, variant); variant.StatusCode != http.StatusOK || strings.Contains(vb, "BEGIN:VALARM") || !strings.Contains(vb, "Hall 8") {
		t.Errorf("?reminders=none: %s, alarms present: %v", variant.Status, strings.Contains(vb, "BEGIN:VALARM"))
	}
	if r := get(t, calURL+"?reminders=soon"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("?reminders=soon: %s, want 400", r.Status)
	}
	// One session's calendar with the subscriber's reminders: one alarm,
	// 90 minutes before (the demo's default reminders differ).
	sessURL := base + "/cities-are-listening/sessions/smart-recovery-post-covid.ics"
	if sb := body(t, get(t, sessURL+"?reminders=90m")); strings.Count(sb, "BEGIN:VALARM") != 1 || !strings.Contains(sb, "TRIGGER:-PT1H30M") {
		t.Errorf("session ?reminders=90m: %d alarms, TRIGGER:-PT1H30M present: %v", strings.Count(sb, "BEGIN:VALARM"), strings.Contains(sb, "TRIGGER:-PT1H30M"))
	}
	if r := get(t, sessURL+"?tag=x"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("session ?tag=: %s, want 400", r.Status)
	}
	speaker := body(t, get(t, base+"/calendar.ics?speaker=Carola+Gunnarsson"))
	if strings.Count(speaker, "BEGIN:VEVENT") != 1 {
		t.Errorf("?speaker= kept %d events, want 1", strings.Count(speaker, "BEGIN:VEVENT"))
	}
	// The variant names itself: its SOURCE keeps the (canonical) query, so
	// a client refreshing from SOURCE keeps the filter, and its name says
	// which filter applies. The name as the store normalises it (double
	// space, decomposed accent) finds the same person.
	for _, q := range []string{"speaker=Carola+Gunnarsson", "speaker=%20Carola%20%20Gunnarsson&utm_source=mail"} {
		vb := strings.ReplaceAll(body(t, get(t, base+"/calendar.ics?"+q)), "\r\n ", "") // unfolded
		if !strings.Contains(vb, "SOURCE;VALUE=URI:https://agenda.example.org/calendar.ics?speaker=Carola+Gunnarsson\r\n") ||
			!strings.Contains(vb, "X-WR-CALNAME:All series (speaker: Carola Gunnarsson)\r\n") || strings.Count(vb, "BEGIN:VEVENT") != 1 {
			t.Errorf("?%s: SOURCE or name without the variant, or %d events:\n%.600s", q, strings.Count(vb, "BEGIN:VEVENT"), vb)
		}
	}
	decomposed := body(t, get(t, base+"/open-policy-debates/calendar.ics?speaker=Armand%20Be%CC%81ouinde%CC%81"))
	if strings.Count(decomposed, "BEGIN:VEVENT") != 1 {
		t.Errorf("?speaker= with decomposed accents kept %d events, want 1", strings.Count(decomposed, "BEGIN:VEVENT"))
	}
	if sb := strings.ReplaceAll(body(t, get(t, sessURL+"?reminders=90m")), "\r\n ", ""); !strings.Contains(sb, "SOURCE;VALUE=URI:https://agenda.example.org/cities-are-listening/sessions/smart-recovery-post-covid.ics?reminders=1h30m\r\n") {
		t.Errorf("session ?reminders=90m: SOURCE without the query:\n%.600s", sb)
	}
}

// A restart serves what the previous run published as soon as it listens,
// and runs its forced first pass while serving; a first start (nothing
// published) passes before it listens.
func TestRestartServesAtOnce(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, t.TempDir())
	for run, published := range []bool{false, true} {
		a, err := Open(ctx, Options{Config: cfg, WatchInterval: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if run == 0 {
			loadDemo(t, a)
		}
		runCtx, cancel := context.WithCancel(ctx)
		addrc := make(chan net.Addr, 1)
		passedBefore := make(chan bool, 1)
		done := make(chan error, 1)
		go func() {
			done <- a.Run(runCtx, func(addr net.Addr) {
				_, _, has := a.lastPass()
				passedBefore <- has
				addrc <- addr
			})
		}()
		var base string
		select {
		case addr := <-addrc:
			base = "http://" + addr.String()
		case err := <-done:
			t.Fatalf("run %d: daemon stopped before listening: %v", run, err)
		}
		if has := <-passedBefore; has == published {
			t.Errorf("run %d (published before: %v): a pass had run when it started listening: %v", run, published, has)
		}
		if published {
			calURL := base + "/open-policy-debates/calendar.ics"
			r := get(t, calURL)
			want, err := os.ReadFile(filepath.Join(cfg.OutputDir, "open-policy-debates", "calendar.ics"))
			if err != nil {
				t.Fatal(err)
			}
			if b := body(t, r); r.StatusCode != http.StatusOK || b != string(want) {
				t.Errorf("restart: GET %s before its first pass: %s", calURL, r.Status)
			}
		}
		// The first pass (the forced one), then the one the demo import
		// triggers on the first run.
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			res, err, has := a.lastPass()
			if has && err == nil && (published && res.SeriesRendered == 2 || !published && a.pub.Manifest().Revisions["open-policy-debates"] > 0) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("run %d: the first passes did not publish: %+v, %v, %v", run, res, err, has)
			}
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("run %d: Run: %v", run, err)
		}
		a.Close()
	}
}

// The crash test: a daemon process regenerating under a stream of edits is
// killed with SIGKILL at random moments, over and over. After every kill,
// every published file must be complete and parse, and the manifest must
// describe files that exist.
func TestKilledDuringPasses(t *testing.T) {
	if os.Getenv("AGENDAFEED_CRASH_HELPER") != "" {
		return
	}
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	kills := 20
	for i := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.v")
		cmd.Env = append(os.Environ(), "AGENDAFEED_CRASH_HELPER="+dir)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// The first run needs longer: it creates the database.
		wait := time.Duration(300+rng.IntN(900)) * time.Millisecond
		if i == 0 {
			wait += 2 * time.Second
		}
		time.Sleep(wait)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		if strings.Contains(out.String(), "FAIL") {
			t.Fatalf("helper failed:\n%s", out.String())
		}
		checkPublished(t, filepath.Join(dir, "public"))
	}
	// And a clean start after all those kills works and cleans up.
	a, err := Open(context.Background(), Options{Config: testConfig(t, dir)})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.Pass(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	checkPublished(t, filepath.Join(dir, "public"))
}

// TestCrashHelper is the process TestKilledDuringPasses kills: it edits the
// demo sessions and regenerates in a loop until it is killed.
func TestCrashHelper(t *testing.T) {
	dir := os.Getenv("AGENDAFEED_CRASH_HELPER")
	if dir == "" {
		t.Skip("helper process for TestKilledDuringPasses")
	}
	ctx := context.Background()
	a, err := Open(ctx, Options{Config: testConfig(t, dir)})
	if err != nil {
		t.Fatal(err)
	}
	loadDemo(t, a)
	// Enough sessions that a pass writes many files.
	for i := range 40 {
		s := agenda.Session{Series: "open-policy-debates", Key: fmt.Sprintf("extra-%d", i), Title: fmt.Sprintf("Extra %d", i),
			Start: agenda.NewWallTime(2026, 3, 1+i%28, 10, 0, 0), End: agenda.NewWallTime(2026, 3, 1+i%28, 11, 0, 0),
			Description: strings.Repeat("A long description. ", 200)}
		if _, err := a.DB().PutSession(ctx, s, store.Any); err != nil && !strings.Contains(err.Error(), "exists") {
			t.Fatal(err)
		}
	}
	for n := 0; ; n++ {
		s, err := a.DB().SessionByKey(ctx, "open-policy-debates", fmt.Sprintf("extra-%d", n%40))
		if err != nil {
			t.Fatal(err)
		}
		s.Title = fmt.Sprintf("Extra %d, edit %d", n%40, n)
		if _, err := a.DB().PutSession(ctx, s, store.Any); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Pass(ctx, n%5 == 0); err != nil {
			t.Fatal(err)
		}
	}
}

// checkPublished parses every published file with a parser for its format
// and checks the manifest against the files.
func checkPublished(t *testing.T, dir string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, publish.ManifestName))
	if err != nil {
		if os.IsNotExist(err) {
			return // killed before the first pass finished
		}
		t.Fatal(err)
	}
	var m publish.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("manifest does not parse: %v", err)
	}
	newer := 0
	for path, fi := range m.Files {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(path)))
		if err != nil {
			t.Errorf("manifest lists %s, which cannot be read: %v", path, err)
			continue
		}
		sum := sha256.Sum256(data)
		if `"`+hex.EncodeToString(sum[:])+`"` != fi.ETag {
			// Allowed: a complete file of a pass that was killed before its
			// manifest; every file is parsed below.
			newer++
		}
	}
	if newer > 0 {
		t.Logf("%d of %d files are newer than the manifest", newer, len(m.Files))
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := parseByName(d.Name(), data); err != nil {
			t.Errorf("%s is not a complete file: %v", p, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func parseByName(name string, data []byte) error {
	switch {
	case strings.HasSuffix(name, ".ics"):
		cal, err := ical.Parse(bytes.NewReader(data))
		if err != nil {
			return err
		}
		if cal.Name != "VCALENDAR" {
			return fmt.Errorf("not a calendar")
		}
		return nil
	case strings.HasSuffix(name, ".xml"), strings.HasSuffix(name, ".opml"):
		dec := xml.NewDecoder(bytes.NewReader(data))
		dec.Strict = true
		for {
			_, err := dec.Token()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
		}
	case strings.HasSuffix(name, ".json"):
		if !json.Valid(data) {
			return fmt.Errorf("invalid JSON")
		}
		return nil
	case strings.HasSuffix(name, ".html"):
		if !bytes.HasSuffix(bytes.TrimSpace(data), []byte("</html>")) {
			return fmt.Errorf("HTML does not end with </html>")
		}
		_, err := html.Parse(bytes.NewReader(data))
		return err
	}
	return fmt.Errorf("unexpected file")
}
