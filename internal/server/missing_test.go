package server

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/agendafeed/agendafeed/internal/publish"
	"github.com/agendafeed/agendafeed/internal/publish/publishtest"
)

// A published file deleted from disk is answered 503 with Retry-After,
// reported by /healthz and /metrics, and asked to be repaired once however
// many requests find it missing; once it is back, it is served again.
func TestMissingFileAnswered503AndRepairRequestedOnce(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  fixtureConfig
		path string // deleted
	}{
		{"small", fixtureConfig{}, "madrid/calendar.ics"},
		{"large", fixtureConfig{large: true}, "big/calendar.ics"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bothFrontsWith(t, tc.cfg, func(t *testing.T, f *fixture) {
				testMissingFile(t, f, tc.path)
			})
		})
	}
}

func testMissingFile(t *testing.T, f *fixture, path string) {
	body, fi := f.file(t, path)
	file := filepath.Join(f.dir, filepath.FromSlash(path))
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	// A burst, as a popular calendar gets: concurrently, and each way a
	// client asks (gzip, HEAD).
	var wg sync.WaitGroup
	for i := range 24 {
		wg.Go(func() {
			method, hdr := "GET", []string{"Accept-Encoding", "identity"}
			switch i % 3 {
			case 1:
				hdr = []string{"Accept-Encoding", "gzip"}
			case 2:
				method = "HEAD"
			}
			w := f.do(t, method, "/"+path, hdr...)
			h := w.Header()
			if w.Code != 503 || h.Get("Retry-After") != missingRetryAfter || h.Get("Etag") != "" || h.Get("Last-Modified") != "" ||
				h.Get("Cache-Control") != "no-store" || h.Get("Content-Type") != hText[0] {
				t.Errorf("%s /%s of a missing file: %d, headers %v; want 503 with Retry-After, no validators, no-store", method, path, w.Code, h)
			}
			if method == "GET" && !strings.Contains(w.Body.String(), "missing on disk; a repair has been requested") {
				t.Errorf("GET /%s: body %q does not say why", path, w.Body.String())
			}
		})
	}
	wg.Wait()
	if got := f.missedPaths(); !slices.Equal(got, []string{path}) {
		t.Errorf("OnMissing called with %q; want once with %q", got, path)
	}
	if n := strings.Count(f.logs.String(), "published file missing on disk"); n != 1 {
		t.Errorf("%d log lines about the missing file; want 1:\n%s", n, f.logs.String())
	}
	health := func() (int, map[string]any) {
		t.Helper()
		w := f.do(t, "GET", "/healthz")
		var got map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatalf("healthz body %q: %v", w.Body.String(), err)
		}
		return w.Code, got
	}
	if code, got := health(); code != 503 || got["status"] != "error" || got["files"] != "published files missing: 1, repair requested" {
		t.Errorf("healthz with a file missing: %d %v", code, got)
	}
	metrics := f.do(t, "GET", "/metrics").Body.String()
	for _, want := range []string{"agendafeed_missing_files_total 1\n", "agendafeed_missing_files 1\n",
		`agendafeed_http_requests_total{code="503",method="GET"} 17`, // 16 of the file, 1 of /healthz
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}

	// The repair: a pass writes the file again (same bytes, same manifest).
	if err := os.WriteFile(file, body, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, got := health(); code != 200 || got["files"] != "ok" {
		t.Errorf("healthz once repaired: %d %v", code, got)
	}
	w := f.do(t, "GET", "/"+path, "Accept-Encoding", "identity")
	if w.Code != 200 || w.Header().Get("Etag") != fi.ETag || w.Body.String() != string(body) {
		t.Errorf("GET /%s once repaired: %d, etag %q, %d bytes; want 200 with the manifest's ETag and bytes",
			path, w.Code, w.Header().Get("Etag"), w.Body.Len())
	}
	if got := f.do(t, "GET", "/metrics").Body.String(); !strings.Contains(got, "agendafeed_missing_files 0\n") {
		t.Errorf("metrics still count a missing file once it is served again")
	}
}

// Deleted again under a new manifest version, a file is reported again:
// once per file per manifest version, not once per file for good.
func TestMissingFileReportedAgainUnderNewManifest(t *testing.T) {
	f := newFixture(t, false)
	path := "tunis/calendar.ics"
	file := filepath.Join(f.dir, filepath.FromSlash(path))
	body, _ := f.file(t, path)
	os.Remove(file)
	f.do(t, "GET", "/"+path)
	f.do(t, "GET", "/"+path)
	bumpManifest(t, f) // another series moves; tunis' entry is carried over
	f.do(t, "GET", "/"+path)
	f.do(t, "GET", "/"+path)
	if got := f.missedPaths(); !slices.Equal(got, []string{path, path}) {
		t.Errorf("OnMissing called with %q; want %q twice, once per manifest version", got, path)
	}
	os.WriteFile(file, body, 0o644)
	if w := f.do(t, "GET", "/"+path); w.Code != 200 {
		t.Errorf("repaired: %d", w.Code)
	}
}

// bumpManifest publishes a new revision of madrid: the manifest moves.
func bumpManifest(t *testing.T, f *fixture) {
	t.Helper()
	f.src.Put(publishtest.MakeSnapshot("madrid", 2, 3))
	if _, err := f.pub.Pass(context.Background(), false); err != nil {
		t.Fatal(err)
	}
}

// /healthz notices a deleted output directory, or manifest, on its own:
// behind nginx no request reaches the daemon to find a file missing. It
// asks for one repair per manifest version however often it is probed,
// and is healthy again once a pass has written them back.
func TestHealthzNoticesDeletedOutput(t *testing.T) {
	for _, tc := range []struct {
		name   string
		remove string // under the output directory; "" for the directory
		files  string // /healthz's files
	}{
		{"output directory", "", "output directory missing, repair requested"},
		{"manifest", publish.ManifestName, "manifest " + publish.ManifestName + " missing, repair requested"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bothFronts(t, false, func(t *testing.T, f *fixture) {
				if code, got := healthz(t, f); code != 200 || got["files"] != "ok" {
					t.Fatalf("healthz before: %d %v", code, got)
				}
				if err := os.RemoveAll(filepath.Join(f.dir, tc.remove)); err != nil {
					t.Fatal(err)
				}
				for range 3 {
					if code, got := healthz(t, f); code != 503 || got["status"] != "error" || got["files"] != tc.files {
						t.Errorf("healthz with the %s deleted: %d %v; want 503, files %q", tc.name, code, got, tc.files)
					}
				}
				if got := f.missedPaths(); len(got) != 1 {
					t.Errorf("OnMissing called with %q; want once", got)
				}
				// The repair pass the app runs on OnMissing.
				if _, err := f.pub.Repair(context.Background()); err != nil {
					t.Fatal(err)
				}
				if code, got := healthz(t, f); code != 200 || got["files"] != "ok" {
					t.Errorf("healthz once repaired: %d %v", code, got)
				}
				if w := f.do(t, "GET", "/madrid/calendar.ics"); w.Code != 200 {
					t.Errorf("GET once repaired: %d", w.Code)
				}
			})
		})
	}
}

func healthz(t *testing.T, f *fixture) (int, map[string]any) {
	t.Helper()
	w := f.do(t, "GET", "/healthz")
	var got map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatalf("healthz body %q: %v", w.Body.String(), err)
	}
	return w.Code, got
}
