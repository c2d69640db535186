package app

import (
	"context"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/config"
)

// With session_calendars: served, passes write no session calendars (and
// a restart removes those an earlier run wrote), and the daemon serves each
// at the same URL with the same bytes a pass would have written, up to date
// after an edit.
func TestSessionCalendarsServed(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, t.TempDir())

	// A first run with session_calendars: files writes them.
	cfg.SessionCalendars = config.SessionCalendarsFiles
	a, err := Open(ctx, Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	loadDemo(t, a)
	if _, err := a.Pass(ctx, false); err != nil {
		t.Fatal(err)
	}
	a.Close()
	written := sessionFiles(t, cfg.OutputDir)
	if len(written) < 2 {
		t.Fatalf("a pass with session_calendars: files wrote %d session calendars, want the demo's", len(written))
	}

	cfg.SessionCalendars = config.SessionCalendarsServed
	a, base := startDaemon(t, cfg)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if res, err, has := a.lastPass(); has && err == nil && res.SeriesRendered > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the restart's forced pass did not run")
		}
	}
	if left := sessionFiles(t, cfg.OutputDir); len(left) != 0 {
		t.Errorf("%d session calendars left on disk after the pass, want none", len(left))
	}
	for path := range a.pub.Manifest().Files {
		if strings.Contains(path, "/sessions/") {
			t.Errorf("the manifest lists %s", path)
		}
	}
	for path, want := range written {
		r := get(t, base+"/"+path)
		if b := body(t, r); r.StatusCode != http.StatusOK || b != want {
			t.Errorf("GET /%s: %s, %d bytes; want 200 and the %d bytes the pass wrote", path, r.Status, len(b), len(want))
		}
		if ct := r.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
			t.Errorf("GET /%s: Content-Type %q", path, ct)
		}
	}
	if r := get(t, base+"/open-policy-debates/sessions/no-such-session.ics"); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown session: %s", r.Status)
	}

	// An edit reaches the session's calendar within 2 s, as it does the
	// series' calendar.
	start := moveDebate(t, a, "Hall 8")
	url := base + "/open-policy-debates/sessions/smart-cities-pillars.ics"
	for !strings.Contains(body(t, get(t, url)), "LOCATION:Hall 8") {
		if time.Since(start) > 2*time.Second {
			t.Fatal("the edit did not reach the session's calendar within 2 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sessionFiles reads every session calendar under dir, by slash path.
func sessionFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Base(filepath.Dir(path)) != "sessions" {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A daemon switched from served to files keeps answering session
// calendars until a pass has written them: the previous run's manifest,
// which it serves at start, lists none, so they are rendered on request
// meanwhile, and for as long as passes fail (here a file of the owner's
// where a series' sessions/ directory goes).
func TestSessionCalendarsUntilWritten(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, t.TempDir())
	cfg.SessionCalendars = config.SessionCalendarsServed
	a, err := Open(ctx, Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	loadDemo(t, a)
	if _, err := a.Pass(ctx, false); err != nil {
		t.Fatal(err)
	}
	a.Close()
	if err := os.WriteFile(filepath.Join(cfg.OutputDir, "open-policy-debates", "sessions"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	cfg.SessionCalendars = config.SessionCalendarsFiles
	a, base := startDaemon(t, cfg)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err, has := a.lastPass(); has && err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the restart's pass did not fail on the file in the way")
		}
	}
	for _, path := range []string{"open-policy-debates/sessions/smart-cities-pillars.ics", "cities-are-listening/sessions/smart-recovery-post-covid.ics"} {
		r := get(t, base+"/"+path)
		if b := body(t, r); r.StatusCode != http.StatusOK || !strings.HasPrefix(b, "BEGIN:VCALENDAR") {
			t.Errorf("GET /%s after a failed pass in files mode: %s %.40q, want 200 and the calendar", path, r.Status, b)
		}
	}
}
