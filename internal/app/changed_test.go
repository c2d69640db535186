package app

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/config"
	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/api"
	"github.com/agendafeed/agendafeed/internal/importer"
)

// TestAPIChangedIsExact: the "changed" list of each API write names every
// published file the next pass rewrites, and, for the writes whose effects
// the API can tell cheaply, nothing else. Each write runs an hour after the
// pass before it, as an edit would, and the pass after it at that time.
func TestAPIChangedIsExact(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, t.TempDir())
	// The files on disk are what this test compares.
	cfg.SessionCalendars = config.SessionCalendarsFiles
	var mu sync.Mutex
	clock := time.Date(2027, 5, 1, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	a, err := Open(ctx, Options{Config: cfg, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	const token = "af_changed_test_token"
	h, err := api.New(api.Options{Store: a.DB(), Layout: feeds.NewLayout(cfg.BaseURL), Now: now,
		Tokens: []config.Token{{Name: "t", SHA256: config.HashToken(token), Access: config.AccessWrite}},
		Import: importer.Options{DefaultZone: "Europe/Madrid", DefaultLanguage: "en"}})
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, path, body string) map[string]any {
		t.Helper()
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code/100 != 2 {
			t.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
		}
		var m map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	pass := func() map[string][32]byte {
		t.Helper()
		if _, err := a.Pass(ctx, false); err != nil {
			t.Fatal(err)
		}
		files := map[string][32]byte{}
		err := filepath.WalkDir(cfg.OutputDir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(cfg.OutputDir, path)
			u := cfg.BaseURL + filepath.ToSlash(rel)
			files[strings.TrimSuffix(u, "index.html")] = sha256.Sum256(b)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return files
	}

	do("POST", "/api/v1/series", `{"slug": "s1", "title": "One", "zone": "Europe/Madrid", "description": "First.", "reminders": ["15m"]}`)
	do("POST", "/api/v1/series", `{"slug": "s2", "title": "Two", "zone": "Europe/Madrid"}`)
	do("POST", "/api/v1/series/s1/sessions", `{"key": "past", "title": "Past", "start": "2027-04-01T10:00", "end": "2027-04-01T11:00", "people": [{"name": "Ada"}]}`)
	do("POST", "/api/v1/series/s1/sessions", `{"key": "next", "title": "Next", "start": "2027-06-01T10:00", "end": "2027-06-01T11:00", "people": [{"name": "Bea"}]}`)
	do("POST", "/api/v1/series/s1/posts", `{"id": "hello", "title": "Hello", "published": "2027-04-20"}`)
	people := do("GET", "/api/v1/people", "")["people"].([]any)
	personPath := func(name string) string {
		for _, p := range people {
			if p := p.(map[string]any); p["name"] == name {
				return "/api/v1/people/" + strings.TrimSuffix(strings.TrimSuffix(jsonNum(p["id"]), ".0"), ".00")
			}
		}
		t.Fatalf("no person %s", name)
		return ""
	}

	for _, c := range []struct {
		name, method, path, body string
		exact                    bool // else: only that no file that changes is left out
	}{
		{"post edit", "PATCH", "/api/v1/series/s1/posts/hello", `{"summary": "Said hello."}`, true},
		{"past session edit", "PATCH", "/api/v1/series/s1/sessions/past", `{"venue": "Hall 1"}`, true},
		{"next session edit", "PATCH", "/api/v1/series/s1/sessions/next", `{"venue": "Hall 2"}`, false},
		{"person in a past session", "PATCH", personPath("Ada"), `{"url": "https://ada.example.org/"}`, true},
		{"person in the next session", "PATCH", personPath("Bea"), `{"name": "Bea Bo"}`, false},
		{"series description", "PATCH", "/api/v1/series/s1", `{"description": "Second."}`, true},
		{"series reminders", "PATCH", "/api/v1/series/s1", `{"reminders": ["1h"]}`, true},
		{"series title", "PATCH", "/api/v1/series/s1", `{"title": "Uno"}`, false},
		{"series description and reminders", "PATCH", "/api/v1/series/s1", `{"description": "Third.", "reminders": ["2h"]}`, true},
		{"past session moved before the next", "PATCH", "/api/v1/series/s1/sessions/past", `{"start": "2027-05-20T10:00", "end": "2027-05-20T11:00"}`, false},
		{"next session deleted", "DELETE", "/api/v1/series/s1/sessions/next", "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := pass()
			mu.Lock()
			clock = clock.Add(time.Hour)
			mu.Unlock()
			m := do(c.method, c.path, c.body)
			after := pass()
			var listed []string
			for _, u := range m["changed"].([]any) {
				listed = append(listed, u.(string))
			}
			var changed []string
			for u, sum := range after {
				if before[u] != sum {
					changed = append(changed, u)
				}
			}
			for u := range before {
				if _, ok := after[u]; !ok {
					changed = append(changed, u)
				}
			}
			slices.Sort(changed)
			for _, u := range changed {
				if !slices.Contains(listed, u) {
					t.Errorf("%s changed but is not listed", u)
				}
			}
			if c.exact {
				for _, u := range listed {
					if !slices.Contains(changed, u) {
						t.Errorf("%s is listed but did not change", u)
					}
				}
			}
			if t.Failed() {
				t.Logf("changed: %q\nlisted: %q", changed, listed)
			}
		})
	}
}

func jsonNum(v any) string { b, _ := json.Marshal(v); return string(b) }
