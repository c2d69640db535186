package app

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/config"
)

// logBuffer is a log destination safe for the daemon's goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

const repairPath = "open-policy-debates/calendar.ics"

// publishedDaemon starts the daemon and waits until repairPath is published
// and no pass is due (the demo data is imported after Open).
func publishedDaemon(t *testing.T) (a *App, base string, cfg config.Config, logs *logBuffer) {
	t.Helper()
	cfg = testConfig(t, t.TempDir())
	logs = &logBuffer{}
	a, base = startDaemonLogging(t, cfg, slog.New(slog.NewTextHandler(logs, nil)))
	deadline := time.Now().Add(10 * time.Second)
	for a.Publisher().Manifest().Files[repairPath].ETag == "" {
		if time.Now().After(deadline) {
			t.Fatalf("%s never published", repairPath)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := a.Pass(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	return a, base, cfg, logs
}

// A burst of requests for a published file deleted under the running
// daemon gets 503s with Retry-After and asks for one forced pass.
func TestMissingFileRequestsOneRepairPass(t *testing.T) {
	a, base, cfg, logs := publishedDaemon(t)
	if err := os.Remove(filepath.Join(cfg.OutputDir, filepath.FromSlash(repairPath))); err != nil {
		t.Fatal(err)
	}
	asked := time.Now()
	var wg sync.WaitGroup
	var unavailable atomic.Int32
	for range 20 {
		wg.Go(func() {
			r, err := http.Get(base + "/" + repairPath)
			if err != nil {
				t.Error(err)
				return
			}
			r.Body.Close()
			switch {
			case r.StatusCode == http.StatusServiceUnavailable && r.Header.Get("Retry-After") != "":
				unavailable.Add(1)
			case r.StatusCode == http.StatusOK: // repaired already
			default:
				t.Errorf("GET of the deleted file: %s, Retry-After %q; want 503 with Retry-After", r.Status, r.Header.Get("Retry-After"))
			}
		})
	}
	wg.Wait()
	if unavailable.Load() == 0 {
		t.Fatal("no request was answered 503")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		// A forced pass renders every series; one without edits, none.
		if res, err, ok := a.lastPass(); ok && err == nil && res.Started.After(asked) && res.SeriesRendered > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no forced pass within 10 s of the requests; log:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := strings.Count(logs.String(), "repair pass requested"); n != 1 {
		t.Errorf("%d repair passes requested for a burst of 20 requests; want 1:\n%s", n, logs.String())
	}
	// Until the publisher writes missing files again, /healthz says so.
	h := get(t, base+"/healthz")
	hb := body(t, h)
	if _, err := os.Stat(filepath.Join(cfg.OutputDir, filepath.FromSlash(repairPath))); err == nil {
		if h.StatusCode != http.StatusOK {
			t.Errorf("healthz once repaired: %s %s", h.Status, hb)
		}
	} else if h.StatusCode != http.StatusServiceUnavailable || !strings.Contains(hb, "published files missing: 1, repair requested") {
		t.Errorf("healthz with a file missing: %s %s", h.Status, hb)
	}
}

// The repair pass writes the file again: within a few seconds it is
// served again, with the manifest's ETag, and /healthz is healthy.
func TestMissingFileRepairedUnderRunningDaemon(t *testing.T) {
	a, base, cfg, _ := publishedDaemon(t)
	want := a.Publisher().Manifest().Files[repairPath].ETag
	if err := os.Remove(filepath.Join(cfg.OutputDir, filepath.FromSlash(repairPath))); err != nil {
		t.Fatal(err)
	}
	r := get(t, base+"/"+repairPath)
	b := body(t, r)
	if r.StatusCode != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Fatalf("GET of the deleted file: %s, Retry-After %q, %q; want 503 with Retry-After", r.Status, r.Header.Get("Retry-After"), b)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		r = get(t, base+"/"+repairPath)
		b = body(t, r)
		if r.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not repaired within 10 s: %s %q", r.Status, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Go's client asks for gzip: the gzip body's ETag is the manifest's
	// with -gz.
	gz := strings.TrimSuffix(want, `"`) + `-gz"`
	if got := r.Header.Get("ETag"); a.Publisher().Manifest().Files[repairPath].ETag != want || got != want && got != gz {
		t.Errorf("repaired file's ETag %q; want the manifest's %q (or %q)", got, want, gz)
	}
	if !strings.Contains(b, "BEGIN:VCALENDAR") {
		t.Errorf("repaired file is not the calendar: %q", b)
	}
	if h := get(t, base+"/healthz"); h.StatusCode != http.StatusOK {
		t.Errorf("healthz once repaired: %s %s", h.Status, body(t, h))
	}
}
