package app

import (
	"html"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// With a path in base_url, every URL the published calendars, feeds,
// pages and OPML give (and the one the CLI prints, base_url itself) works
// against the daemon, with the path passed through as a reverse proxy
// would. The second base path is the first segment of a series' slug,
// whose files must stay that series' own.
func TestBasePathURLsAnswer(t *testing.T) {
	for _, basePath := range []string{"/agenda/", "/open-policy-debates/"} {
		t.Run(strings.Trim(basePath, "/"), func(t *testing.T) {
			cfg := testConfig(t, t.TempDir())
			cfg.BaseURL = "https://agenda.example.org" + basePath
			_, base := startDaemon(t, cfg)
			calURL := base + basePath + "open-policy-debates/calendar.ics"
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				r := get(t, calURL)
				body(t, r)
				if r.StatusCode == http.StatusOK {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("GET %s: %s", calURL, r.Status)
				}
			}

			// The published URLs name the public host; the daemon answers
			// for it here, so each is asked of the daemon with its path.
			urlRE := regexp.MustCompile(`(?:https|webcal)://agenda\.example\.org(/[^\s"'<>\\#]*)`)
			hrefRE := regexp.MustCompile(`(?:href|src)="([^"]*)"`)
			paths := map[string]string{basePath: "base_url"} // path -> a file that gives it
			walkPublished(t, cfg.OutputDir, func(p, text string) {
				for _, m := range urlRE.FindAllStringSubmatch(text, -1) {
					paths[html.UnescapeString(m[1])] = p
				}
				if !strings.HasSuffix(p, ".html") {
					return
				}
				// A page's relative links resolve against its own URL.
				rel, err := filepath.Rel(cfg.OutputDir, p)
				if err != nil {
					t.Fatal(err)
				}
				page, err := url.Parse(cfg.BaseURL + filepath.ToSlash(rel))
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range hrefRE.FindAllStringSubmatch(text, -1) {
					ref, err := url.Parse(html.UnescapeString(m[1]))
					if err != nil || ref.Scheme != "" && ref.Scheme != "https" || ref.Host != "" && ref.Host != page.Host || ref.Path == "" && ref.RawQuery == "" {
						continue // another site, mailto:, or #fragment
					}
					u := page.ResolveReference(ref)
					u.Fragment = ""
					paths[u.RequestURI()] = p
				}
			})
			if len(paths) < 15 {
				t.Fatalf("only %d URLs found in the published files", len(paths))
			}
			for path, file := range paths {
				if !strings.HasPrefix(path, basePath) {
					t.Errorf("%s gives %s, outside base_url's path", file, path)
					continue
				}
				if r := get(t, base+path); r.StatusCode != http.StatusOK {
					t.Errorf("GET %s (from %s): %s", path, file, r.Status)
				} else {
					body(t, r)
				}
			}
			// The operational endpoints stay at the root.
			for _, path := range []string{"/healthz", "/metrics"} {
				if r := get(t, base+path); r.StatusCode != http.StatusOK {
					t.Errorf("GET %s: %s", path, r.Status)
				} else {
					body(t, r)
				}
			}
			t.Logf("%d published URLs answered", len(paths))
		})
	}
}
