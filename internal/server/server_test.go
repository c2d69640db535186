package server

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/publish"
	"github.com/agendafeed/agendafeed/internal/publish/publishtest"
	"github.com/prometheus/client_golang/prometheus"
)

var _ Files = (*publish.Publisher)(nil)

// fakeVariants renders "VARIANT <slug> <key>" and counts calls.
type fakeVariants struct {
	src   *publishtest.Source
	calls atomic.Int32
	err   error
	// pad is the body's length beyond its first line (default 2,000).
	pad int
	// hold, when set, keeps every render running until it is closed.
	hold chan struct{}
	// active counts the renders running; maxActive is its highest value.
	active, maxActive atomic.Int32
	// salt, when set, ends every body: new bytes for the same variant.
	salt atomic.Pointer[string]
}

func (f *fakeVariants) saltOf() string {
	if p := f.salt.Load(); p != nil {
		return *p
	}
	return ""
}

func (f *fakeVariants) Calendar(ctx context.Context, slug string, v Variant) ([]byte, int64, error) {
	f.calls.Add(1)
	n := f.active.Add(1)
	defer f.active.Add(-1)
	for m := f.maxActive.Load(); n > m && !f.maxActive.CompareAndSwap(m, n); m = f.maxActive.Load() {
	}
	if f.hold != nil {
		<-f.hold
	}
	if f.err != nil {
		return nil, 0, f.err
	}
	return []byte(fmt.Sprintf("VARIANT %s %q %s%s", slug, v.Query(), strings.Repeat("x", cmp.Or(f.pad, 2000)), f.saltOf())), f.src.Get(slug).Series.Revision, nil
}

type fixture struct {
	dir      string
	src      *publishtest.Source
	pub      *publish.Publisher
	srv      *Server
	vars     *fakeVariants
	sessions *fakeSessions
	logs     *syncBuffer
	dbErr    atomic.Pointer[error]
	pass     atomic.Pointer[passState]
	reg      *prometheus.Registry
	addr     string // the listener's, when the test goes through it
	// missed records the paths OnMissing was called with.
	missedMu sync.Mutex
	missed   []string
}

func (f *fixture) missedPaths() []string {
	f.missedMu.Lock()
	defer f.missedMu.Unlock()
	return slices.Clone(f.missed)
}

type passState struct {
	res publish.Result
	err error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

var t0 = time.Date(2025, 11, 17, 10, 0, 0, 0, time.UTC)

// fakeSessions renders "SESSION <slug> <key>" and counts calls; the key
// "nope" is not found. It renders at src's revision of the series.
type fakeSessions struct {
	calls atomic.Int32
	src   *publishtest.Source
	// hold, when set, blocks each render until closed; active and
	// maxActive count the renders running at once.
	hold              chan struct{}
	active, maxActive atomic.Int32
}

func (f *fakeSessions) Session(ctx context.Context, slug, key string, v Variant) ([]byte, int64, error) {
	f.calls.Add(1)
	n := f.active.Add(1)
	defer f.active.Add(-1)
	for m := f.maxActive.Load(); n > m && !f.maxActive.CompareAndSwap(m, n); m = f.maxActive.Load() {
	}
	if f.hold != nil {
		<-f.hold
	}
	if key == "nope" {
		return nil, 0, fmt.Errorf("session %q: %w", key, agenda.ErrNotFound)
	}
	if key == "gone" { // the store's file replaced under the daemon
		return nil, 0, fmt.Errorf("read /srv/private/agendafeed.db: the file was replaced: %w", agenda.ErrUnavailable)
	}
	if v.OverrideReminders {
		return nil, 0, fmt.Errorf("fakeSessions: a variant asked of the served-mode renderer")
	}
	return []byte(fmt.Sprintf("SESSION %s %s %s", slug, key, strings.Repeat("x", 2000))), f.src.Get(slug).Series.Revision, nil
}

// Session renders "SESSION VARIANT <slug> <key> <variant>" at src's
// revision of the series; the key "nope" is not found.
func (f *fakeVariants) Session(ctx context.Context, slug, key string, v Variant) ([]byte, int64, error) {
	f.calls.Add(1)
	if key == "nope" {
		return nil, 0, fmt.Errorf("session %q: %w", key, agenda.ErrNotFound)
	}
	return []byte(fmt.Sprintf("SESSION VARIANT %s %s %q%s", slug, key, v.Query(), f.saltOf())), f.src.Get(slug).Series.Revision, nil
}

func newFixture(t *testing.T, variants bool) *fixture {
	t.Helper()
	return newFixtureWith(t, fixtureConfig{variants: variants})
}

// fixtureConfig says what a fixture's server can render on request.
type fixtureConfig struct {
	variants bool
	// sessions: passes write no session files and the server renders them
	// (session_calendars: served).
	sessions bool
	// noAPI: the admin API is off.
	noAPI bool
	// large: one series, "big", whose calendar.ics is over maxMemBody.
	large bool
	// basePath is Options.BasePath; a series named as its first segment
	// is added.
	basePath string
	// published is the publisher's clock (t0 if zero): what it dates
	// the files it writes.
	published time.Time
}

func newFixtureWith(t *testing.T, fc fixtureConfig) *fixture {
	t.Helper()
	f := &fixture{dir: t.TempDir(), logs: &syncBuffer{}, reg: prometheus.NewRegistry()}
	f.src = publishtest.NewSource(publishtest.MakeSnapshot("madrid", 1, 2), publishtest.MakeSnapshot("tunis", 1, 1))
	if first, _, _ := strings.Cut(strings.Trim(fc.basePath, "/"), "/"); first != "" {
		f.src.Put(publishtest.MakeSnapshot(first, 1, 1))
	}
	rend := &publishtest.Renderer{PerSession: 400, NoSessionFiles: fc.sessions}
	if fc.large {
		f.src = publishtest.NewSource(publishtest.MakeSnapshot("big", 1, 12))
		rend.PerSession = 100 << 10
	}
	pub, err := publish.New(publish.Options{Dir: f.dir, Source: f.src, Renderer: rend, Now: func() time.Time { return cmp.Or(fc.published, t0) }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pub.Pass(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	f.pub = pub
	opts := Options{
		Dir: f.dir, Files: pub, RefreshInterval: 5 * time.Minute, Registry: f.reg,
		Logger: slog.New(slog.NewTextHandler(f.logs, nil)),
		Health: func(context.Context) error {
			if p := f.dbErr.Load(); p != nil {
				return *p
			}
			return nil
		},
		LastPass: func() (publish.Result, error, bool) {
			if p := f.pass.Load(); p != nil {
				return p.res, p.err, true
			}
			return publish.Result{}, nil, false
		},
		OnMissing: func(path string) {
			f.missedMu.Lock()
			defer f.missedMu.Unlock()
			f.missed = append(f.missed, path)
		},
		API: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusTeapot)
			io.WriteString(w, "api "+r.URL.Path)
		}),
	}
	if fc.noAPI {
		opts.API = nil
	}
	opts.BasePath = fc.basePath
	if fc.variants {
		f.vars = &fakeVariants{src: f.src}
		opts.Variants = f.vars
	}
	if fc.sessions {
		f.sessions = &fakeSessions{src: f.src}
		opts.Sessions = f.sessions
	}
	f.srv, err = New(opts)
	if err != nil {
		t.Fatal(err)
	}
	// The publisher's clock: a calendar rendered on request is dated no
	// earlier than when it was first rendered (lastMods.date).
	f.srv.vdates.now = func() time.Time { return t0 }
	f.srv.sdates.now = func() time.Time { return t0 }
	return f
}

// bothFronts runs test against the net/http handler (Handler) and against
// the listener (ListenAndServe: fasthttp, with its own path for files),
// which must answer alike.
func bothFronts(t *testing.T, variants bool, test func(t *testing.T, f *fixture)) {
	bothFrontsWith(t, fixtureConfig{variants: variants}, test)
}

func bothFrontsWith(t *testing.T, fc fixtureConfig, test func(t *testing.T, f *fixture)) {
	for _, front := range []string{"handler", "listener"} {
		t.Run(front, func(t *testing.T) {
			f := newFixtureWith(t, fc)
			if front == "listener" {
				f.listen(t)
			}
			test(t, f)
		})
	}
}

// listen serves f on a loopback port until the test ends; f.do then sends
// its requests there.
func (f *fixture) listen(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- f.srv.ListenAndServe(ctx, "127.0.0.1:0", func(a net.Addr) { addrc <- a }) }()
	select {
	case a := <-addrc:
		f.addr = a.String()
	case err := <-done:
		t.Fatalf("ListenAndServe: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ListenAndServe: %v", err)
		}
	})
}

// do sends a request, target verbatim as the request line's target, to
// the listener if f listens, else to the handler.
func (f *fixture) do(t *testing.T, method, target string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	if f.addr != "" {
		return f.send(t, method, target, hdr...)
	}
	r := httptest.NewRequest(method, "/", nil)
	r.URL, r.RequestURI = &url.URL{Path: target}, target
	if u, err := url.ParseRequestURI(target); err == nil {
		r.URL = u
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Add(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	f.srv.Handler().ServeHTTP(w, r)
	return w
}

// send writes one raw HTTP/1.1 request to the listener and reads the
// response into a recorder, so tests read both fronts' answers alike.
func (f *fixture) send(t *testing.T, method, target string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	c, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var req strings.Builder
	fmt.Fprintf(&req, "%s %s HTTP/1.1\r\nHost: agendafeed.test\r\n", method, target)
	for i := 0; i+1 < len(hdr); i += 2 {
		fmt.Fprintf(&req, "%s: %s\r\n", hdr[i], hdr[i+1])
	}
	req.WriteString("Connection: close\r\n\r\n")
	if _, err := io.WriteString(c, req.String()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: body: %v", method, target, err)
	}
	w := httptest.NewRecorder()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	if resp.ContentLength >= 0 && resp.Header.Get("Content-Length") == "" && resp.StatusCode != 304 && resp.StatusCode != 204 {
		w.Header().Set("Content-Length", strconv.FormatInt(resp.ContentLength, 10))
	}
	w.WriteHeader(resp.StatusCode)
	w.Body.Write(body)
	return w
}

func (f *fixture) file(t *testing.T, path string) ([]byte, publish.FileInfo) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(f.dir, path))
	if err != nil {
		t.Fatal(err)
	}
	return b, f.pub.Manifest().Files[path]
}

func TestServesFilesWithHeaders(t *testing.T) {
	bothFronts(t, false, func(t *testing.T, f *fixture) {
		for _, tc := range []struct {
			target, path, ctype string
		}{
			{"/madrid/calendar.ics", "madrid/calendar.ics", "text/calendar; charset=utf-8"},
			{"/madrid/rss.xml", "madrid/rss.xml", "application/rss+xml; charset=utf-8"},
			{"/madrid/atom.xml", "madrid/atom.xml", "application/atom+xml; charset=utf-8"},
			{"/madrid/feed.json", "madrid/feed.json", "application/feed+json; charset=utf-8"},
			{"/madrid/", "madrid/index.html", "text/html; charset=utf-8"},
			{"/madrid/index.html", "madrid/index.html", "text/html; charset=utf-8"},
			{"/", "index.html", "text/html; charset=utf-8"},
			{"/feeds.opml", "feeds.opml", "text/x-opml; charset=utf-8"},
			{"/madrid/sessions/k1.ics", "madrid/sessions/k1.ics", "text/calendar; charset=utf-8"},
			{"/calendar.ics", "calendar.ics", "text/calendar; charset=utf-8"},
		} {
			t.Run(tc.target, func(t *testing.T) {
				body, fi := f.file(t, tc.path)
				for _, method := range []string{"GET", "HEAD"} {
					w := f.do(t, method, tc.target)
					want := map[string]string{
						"Content-Type":                tc.ctype,
						"Etag":                        fi.ETag,
						"Last-Modified":               t0.Format(http.TimeFormat),
						"Cache-Control":               "public, max-age=300",
						"Vary":                        "Accept-Encoding",
						"X-Content-Type-Options":      "nosniff",
						"Access-Control-Allow-Origin": "*",
						"Content-Length":              fmt.Sprint(len(body)),
					}
					if w.Code != 200 {
						t.Fatalf("%s: status %d", method, w.Code)
					}
					for k, v := range want {
						if got := w.Header().Get(k); got != v {
							t.Errorf("%s %s: %s = %q, want %q", method, tc.target, k, got, v)
						}
					}
					if w.Header().Get("Content-Encoding") != "" {
						t.Errorf("encoded without Accept-Encoding")
					}
					wantBody := body
					if method == "HEAD" {
						wantBody = nil
					}
					if !bytes.Equal(w.Body.Bytes(), wantBody) {
						t.Errorf("%s: body of %d bytes, want %d", method, w.Body.Len(), len(wantBody))
					}
				}
			})
		}
	})
}

func TestConditionalRequests(t *testing.T) {
	bothFronts(t, false, func(t *testing.T, f *fixture) {
		_, fi := f.file(t, "madrid/calendar.ics")
		gz := strings.TrimSuffix(fi.ETag, `"`) + `-gz"`
		lm := t0.Format(http.TimeFormat)
		for _, tc := range []struct {
			name string
			hdr  []string
			want int
		}{
			{"etag", []string{"If-None-Match", fi.ETag}, 304},
			{"etag list", []string{"If-None-Match", `"abc", ` + fi.ETag + `, "def"`}, 304},
			{"etag list over lines", []string{"If-None-Match", `"abc"`, "If-None-Match", fi.ETag}, 304},
			{"weak", []string{"If-None-Match", "W/" + fi.ETag}, 304},
			{"star", []string{"If-None-Match", "*"}, 304},
			{"other etag", []string{"If-None-Match", `"abc"`}, 200},
			{"comma inside tag", []string{"If-None-Match", `"a,` + strings.Trim(fi.ETag, `"`) + `"`}, 200},
			{"gzip etag without gzip", []string{"If-None-Match", gz}, 200},
			{"gzip etag with gzip", []string{"If-None-Match", gz, "Accept-Encoding", "gzip"}, 304},
			{"identity etag with gzip", []string{"If-None-Match", fi.ETag, "Accept-Encoding", "gzip"}, 200},
			{"date equal", []string{"If-Modified-Since", lm}, 304},
			{"date later", []string{"If-Modified-Since", t0.Add(time.Hour).Format(http.TimeFormat)}, 304},
			{"date earlier", []string{"If-Modified-Since", t0.Add(-time.Second).Format(http.TimeFormat)}, 200},
			{"bad date", []string{"If-Modified-Since", "yesterday"}, 200},
			{"etag takes precedence", []string{"If-None-Match", `"abc"`, "If-Modified-Since", lm}, 200},
			{"etag takes precedence 304", []string{"If-None-Match", fi.ETag, "If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT"}, 304},
			// If-Match and If-Unmodified-Since are evaluated first (RFC
			// 9110 section 13.2.2); If-Match compares strongly.
			{"if-match", []string{"If-Match", fi.ETag}, 200},
			{"if-match list", []string{"If-Match", `"abc", ` + fi.ETag}, 200},
			{"if-match star", []string{"If-Match", "*"}, 200},
			{"if-match other", []string{"If-Match", `"abc"`}, 412},
			{"if-match weak", []string{"If-Match", "W/" + fi.ETag}, 412},
			{"if-match gzip etag without gzip", []string{"If-Match", gz}, 412},
			{"if-match gzip etag with gzip", []string{"If-Match", gz, "Accept-Encoding", "gzip"}, 200},
			{"if-match then if-none-match", []string{"If-Match", fi.ETag, "If-None-Match", fi.ETag}, 304},
			{"if-match fails before if-none-match", []string{"If-Match", `"abc"`, "If-None-Match", fi.ETag}, 412},
			{"unmodified since equal", []string{"If-Unmodified-Since", lm}, 200},
			{"unmodified since later", []string{"If-Unmodified-Since", t0.Add(time.Hour).Format(http.TimeFormat)}, 200},
			{"unmodified since earlier", []string{"If-Unmodified-Since", t0.Add(-time.Second).Format(http.TimeFormat)}, 412},
			{"unmodified since bad date", []string{"If-Unmodified-Since", "yesterday"}, 200},
			{"if-match takes precedence over date", []string{"If-Match", fi.ETag, "If-Unmodified-Since", "Mon, 01 Jan 2001 00:00:00 GMT"}, 200},
			{"unmodified since then modified since", []string{"If-Unmodified-Since", lm, "If-Modified-Since", lm}, 304},
		} {
			t.Run(tc.name, func(t *testing.T) {
				for _, method := range []string{"GET", "HEAD"} {
					w := f.do(t, method, "/madrid/calendar.ics", tc.hdr...)
					if w.Code != tc.want {
						t.Fatalf("%s: status %d, want %d", method, w.Code, tc.want)
					}
					if tc.want == 412 && (w.Header().Get("Cache-Control") != "no-store" || method == "GET" && w.Body.Len() == 0) {
						t.Errorf("412 with body %d bytes, headers %v", w.Body.Len(), w.Header())
					}
					if tc.want == 304 {
						if w.Body.Len() != 0 || w.Header().Get("Etag") == "" || w.Header().Get("Cache-Control") == "" || w.Header().Get("Vary") == "" {
							t.Errorf("304 with body %d bytes, headers %v", w.Body.Len(), w.Header())
						}
					}
				}
			})
		}
	})
}

func TestGzip(t *testing.T) {
	bothFronts(t, false, func(t *testing.T, f *fixture) {
		body, fi := f.file(t, "madrid/calendar.ics")
		for _, tc := range []struct {
			ae   string
			gzip bool
		}{
			{"gzip", true},
			{"gzip, deflate, br", true},
			{"br;q=1.0, gzip;q=0.8", true},
			{"x-gzip", true},
			{"*", true},
			{"gzip;q=0", false},
			{"gzip; q=0.0, *", false},
			{"*;q=0", false},
			{"identity", false},
			{"deflate", false},
			{"", false},
		} {
			w := f.do(t, "GET", "/madrid/calendar.ics", "Accept-Encoding", tc.ae)
			if got := w.Header().Get("Content-Encoding") == "gzip"; got != tc.gzip {
				t.Errorf("Accept-Encoding %q: gzip %v, want %v", tc.ae, got, tc.gzip)
				continue
			}
			if w.Header().Get("Vary") != "Accept-Encoding" {
				t.Errorf("no Vary")
			}
			if !tc.gzip {
				continue
			}
			if w.Header().Get("Etag") != strings.TrimSuffix(fi.ETag, `"`)+`-gz"` {
				t.Errorf("gzip ETag %q", w.Header().Get("Etag"))
			}
			zr, err := gzip.NewReader(w.Body)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(zr)
			if !bytes.Equal(got, body) {
				t.Errorf("gzip body differs")
			}
			if w.Header().Get("Content-Length") == fmt.Sprint(len(body)) {
				t.Errorf("Content-Length is the identity length")
			}
		}
		w := f.do(t, "HEAD", "/madrid/calendar.ics", "Accept-Encoding", "gzip")
		if w.Body.Len() != 0 || w.Header().Get("Content-Encoding") != "gzip" || w.Header().Get("Content-Length") == "" {
			t.Errorf("HEAD gzip: %d bytes, %v", w.Body.Len(), w.Header())
		}
	})
}

func TestNotFoundMethodsAndCORS(t *testing.T) {
	bothFronts(t, false, func(t *testing.T, f *fixture) {
		// A temp file as a killed publisher would leave it.
		os.WriteFile(filepath.Join(f.dir, "madrid", ".calendar.ics.tmp-0123"), []byte("half"), 0o644)
		for _, target := range []string{
			"/nope", "/madrid/nope.ics", "/.manifest.json", "/.pending", "/madrid/.calendar.ics.tmp-0123",
			"/madrid/sessions/", "/madrid/sessions", "/../etc/passwd", "/madrid/../calendar.ics",
			"/%2e%2e/%2e%2e/etc/passwd", "//calendar.ics", "/madrid//calendar.ics", "/MADRID/calendar.ics", "//healthz",
		} {
			w := f.do(t, "GET", target)
			if w.Code != 404 || strings.Contains(w.Body.String(), "half") {
				t.Errorf("GET %s: %d %q, want 404", target, w.Code, w.Body.String())
			}
			if w.Header().Get("Content-Type") != "text/plain; charset=utf-8" {
				t.Errorf("404 content type %q", w.Header().Get("Content-Type"))
			}
			// A HEAD's headers are the GET's, whichever front end
			// answers (paths fasthttp would clean go through net/http).
			if h := f.do(t, "HEAD", target); f.addr != "" && (h.Code != 404 || h.Body.Len() != 0 || h.Header().Get("Content-Length") != fmt.Sprint(w.Body.Len())) {
				t.Errorf("HEAD %s: %d, %d bytes, Content-Length %q, want 404 and %d", target, h.Code, h.Body.Len(), h.Header().Get("Content-Length"), w.Body.Len())
			}
		}
		if w := f.do(t, "GET", "/madrid"); w.Code != 301 || w.Header().Get("Location") != "/madrid/" {
			t.Errorf("/madrid: %d %q", w.Code, w.Header().Get("Location"))
		}
		// Allow lists exactly what the endpoint answers.
		for _, tc := range []struct {
			target, allow string
			methods       []string
		}{
			{"/madrid/calendar.ics", "GET, HEAD, OPTIONS", []string{"POST", "PUT", "DELETE", "PATCH"}},
			{"/healthz", "GET, HEAD", []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}},
			{"/metrics", "GET, HEAD", []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}},
		} {
			for _, m := range tc.methods {
				w := f.do(t, m, tc.target)
				if w.Code != 405 || w.Header().Get("Allow") != tc.allow {
					t.Errorf("%s %s: %d, Allow %q, want 405 and %q", m, tc.target, w.Code, w.Header().Get("Allow"), tc.allow)
				}
			}
		}
		w := f.do(t, "OPTIONS", "/madrid/calendar.ics", "Origin", "https://x.example", "Access-Control-Request-Method", "GET")
		if w.Code != 204 || w.Header().Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(w.Header().Get("Access-Control-Allow-Methods"), "GET") {
			t.Errorf("preflight: %d %v", w.Code, w.Header())
		}
		if w := f.do(t, "POST", "/api/v1/series"); w.Code != http.StatusTeapot || w.Body.String() != "api /api/v1/series" {
			t.Errorf("API not mounted: %d %q", w.Code, w.Body.String())
		}
	})
}

// With the admin API off, anything under /api/v1/ is 404 with a message
// saying so and naming the setting, whatever the method: not a 405
// offering methods that the path would not answer either. It is JSON in
// the API's error format, as every error of the API is.
func TestAPIOff(t *testing.T) {
	bothFrontsWith(t, fixtureConfig{noAPI: true}, func(t *testing.T, f *fixture) {
		for _, m := range []string{"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"} {
			for _, target := range []string{"/api/v1/series", "/api/v1/series/madrid/sessions", "/api/v1/"} {
				w := f.do(t, m, target)
				msg := apiErrorMessage(t, w.Header().Get("Content-Type"), w.Body.Bytes())
				if w.Code != 404 || w.Header().Get("Allow") != "" || !strings.Contains(msg, "admin API is not enabled") ||
					!strings.Contains(msg, "admin_tokens") || w.Header().Get("Cache-Control") != "no-store" {
					t.Errorf("%s %s: %d, Allow %q, %q; want 404 saying the admin API is off", m, target, w.Code, w.Header().Get("Allow"), w.Body.String())
				}
			}
		}
		if w := f.do(t, "HEAD", "/api/v1/series"); w.Code != 404 || w.Body.Len() != 0 {
			t.Errorf("HEAD: %d, %d bytes", w.Code, w.Body.Len())
		}
	})
}

func TestReloadsWhenManifestMoves(t *testing.T) {
	bothFronts(t, false, func(t *testing.T, f *fixture) {
		w1 := f.do(t, "GET", "/madrid/calendar.ics")
		f.do(t, "GET", "/madrid/calendar.ics", "Accept-Encoding", "gzip") // cache the gzip body
		f.src.Put(publishtest.MakeSnapshot("madrid", 2, 3))
		f.src.Remove("tunis")
		if _, err := f.pub.Pass(context.Background(), false); err != nil {
			t.Fatal(err)
		}
		body, fi := f.file(t, "madrid/calendar.ics")
		w2 := f.do(t, "GET", "/madrid/calendar.ics")
		if w2.Header().Get("Etag") != fi.ETag || w2.Header().Get("Etag") == w1.Header().Get("Etag") || !bytes.Equal(w2.Body.Bytes(), body) {
			t.Errorf("not reloaded: etag %q", w2.Header().Get("Etag"))
		}
		w3 := f.do(t, "GET", "/madrid/calendar.ics", "Accept-Encoding", "gzip")
		zr, _ := gzip.NewReader(w3.Body)
		got, _ := io.ReadAll(zr)
		if !bytes.Equal(got, body) {
			t.Errorf("stale gzip body after reload")
		}
		if w := f.do(t, "GET", "/tunis/calendar.ics"); w.Code != 404 {
			t.Errorf("removed series served: %d", w.Code)
		}
	})
}

func TestLargeFileStreamed(t *testing.T) {
	dir := t.TempDir()
	src := publishtest.NewSource(publishtest.MakeSnapshot("big", 1, 30))
	pub, _ := publish.New(publish.Options{Dir: dir, Source: src, Renderer: &publishtest.Renderer{PerSession: 100 << 10}})
	if _, err := pub.Pass(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Dir: dir, Files: pub})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	want, _ := os.ReadFile(filepath.Join(dir, "big/calendar.ics"))
	if len(want) <= maxMemBody {
		t.Fatalf("file of %d bytes is not large", len(want))
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	resp, err := client.Get(ts.URL + "/big/calendar.ics")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, want) || resp.Header.Get("Etag") != pub.Manifest().Files["big/calendar.ics"].ETag {
		t.Errorf("streamed body %d bytes (want %d), etag %q", len(got), len(want), resp.Header.Get("Etag"))
	}
}

func TestVariants(t *testing.T) {
	bothFronts(t, true, func(t *testing.T, f *fixture) {
		get := func(target string, hdr ...string) *httptest.ResponseRecorder { return f.do(t, "GET", target, hdr...) }

		w := get("/madrid/calendar.ics?reminders=15m,1d")
		if w.Code != 200 || !strings.HasPrefix(w.Body.String(), `VARIANT madrid "reminders=15m,1d"`) {
			t.Fatalf("variant: %d %.80q", w.Code, w.Body.String())
		}
		if w.Header().Get("Content-Type") != "text/calendar; charset=utf-8" || w.Header().Get("Etag") == "" {
			t.Errorf("variant headers %v", w.Header())
		}
		etag := w.Header().Get("Etag")
		if base := f.pub.Manifest().Files["madrid/calendar.ics"].ETag; etag == base {
			t.Errorf("variant has the base file's ETag")
		}
		// Same variant, spelled differently: a cache hit.
		get("/madrid/calendar.ics?reminders=1d,15m,15m")
		if w := get("/madrid/calendar.ics?reminders=1d%2C15m", "If-None-Match", etag); w.Code != 304 {
			t.Errorf("variant 304: %d", w.Code)
		}
		if n := f.vars.calls.Load(); n != 1 {
			t.Errorf("%d renders, want 1 (cached)", n)
		}
		if w := get("/madrid/calendar.ics?reminders=1d,15m", "Accept-Encoding", "gzip"); w.Header().Get("Content-Encoding") != "gzip" {
			t.Errorf("variant not gzipped")
		}
		// Another variant, another render; the all-series calendar too.
		get("/madrid/calendar.ics?reminders=none&tag=Housing")
		get("/calendar.ics?speaker=Ada")
		if n := f.vars.calls.Load(); n != 3 {
			t.Errorf("%d renders, want 3", n)
		}
		// none in any case is the same variant: a cache hit.
		if w := get("/madrid/calendar.ics?reminders=NONE&tag=housing"); w.Code != 200 || !strings.HasPrefix(w.Body.String(), `VARIANT madrid "reminders=none&tag=housing"`) {
			t.Errorf("reminders=NONE: %d %.80q", w.Code, w.Body.String())
		}
		if n := f.vars.calls.Load(); n != 3 {
			t.Errorf("%d renders after reminders=NONE, want 3 (cached)", n)
		}
		// A new revision invalidates.
		f.src.Put(publishtest.MakeSnapshot("madrid", 2, 2))
		f.pub.Pass(context.Background(), false)
		get("/madrid/calendar.ics?reminders=15m,1d")
		if n := f.vars.calls.Load(); n != 4 {
			t.Errorf("%d renders after a revision, want 4", n)
		}
		// One name spelt composed, decomposed or with extra spaces is one
		// variant: one render, whose body names the canonical query.
		get("/madrid/calendar.ics?speaker=Jos%C3%A9&reminders=15m")
		if w := get("/madrid/calendar.ics?reminders=15m&speaker=%20Jose%CC%81%20"); !strings.Contains(w.Body.String(), `"reminders=15m&speaker=Jos%C3%A9"`) {
			t.Errorf("normalised speaker: %.80q", w.Body.String())
		}
		if n := f.vars.calls.Load(); n != 5 {
			t.Errorf("%d renders after one speaker spelt two ways, want 5", n)
		}
		// utm_* parameters (appended by mail and social tools) are not a
		// variant: the published calendar itself.
		if w := get("/madrid/calendar.ics?utm_source=newsletter&utm_medium=email"); w.Code != 200 || w.Header().Get("Etag") != f.pub.Manifest().Files["madrid/calendar.ics"].ETag {
			t.Errorf("calendar with utm_*: %d %v", w.Code, w.Header())
		}
		if w := get("/madrid/calendar.ics?tag=housing&utm_source=x"); w.Code != 200 || !strings.HasPrefix(w.Body.String(), `VARIANT madrid "tag=housing"`) {
			t.Errorf("variant with utm_*: %d %.80q", w.Code, w.Body.String())
		}
		// A query on other files is not a variant.
		if w := get("/madrid/rss.xml?utm_source=x"); w.Code != 200 {
			t.Errorf("rss with query: %d", w.Code)
		}

		for _, tc := range []struct {
			target string
			code   int
			msg    string
		}{
			{"/madrid/calendar.ics?reminders=15x", 400, `reminders: "15x": expected a comma-separated list such as 15m,1d, or none`},
			{"/madrid/calendar.ics?reminders=", 400, `reminders: "": expected a comma-separated list such as 15m,1d, or none`},
			{"/madrid/calendar.ics?reminders=5w", 400, `reminders: "5w": expected each reminder between 1m and 4w`},
			{"/madrid/calendar.ics?reminders=1,2,3,4,5,6,7,8,9,10,11", 400, `reminders: "1,2,3,4,5,6,7,8,9,10,11": expected a comma-separated list such as 15m,1d, or none; "1" is not a reminder`},
			{"/madrid/calendar.ics?foo=1", 400, `foo: "1": unknown parameter`},
			{"/madrid/calendar.ics?tag=a&tag=b", 400, `tag: "a,b": given more than once`},
			{"/madrid/calendar.ics?speaker=%01", 400, `speaker: "\x01": expected a speaker's name`},
			{"/madrid/calendar.ics?tag=%zz", 400, `tag: "%zz": a '%' not followed by two hex digits`},
			{"/nope/calendar.ics?tag=x", 404, "not found"},
		} {
			w := get(tc.target)
			if w.Code != tc.code || !strings.Contains(w.Body.String(), tc.msg) || w.Header().Get("Content-Type") != "text/plain; charset=utf-8" {
				t.Errorf("%s: %d %q, want %d %q", tc.target, w.Code, w.Body.String(), tc.code, tc.msg)
			}
		}

		// Errors from the renderer map to statuses in one place.
		for _, tc := range []struct {
			err  error
			code int
		}{
			{fmt.Errorf("speaker: %w", agenda.ErrNotFound), 404},
			{&agenda.FieldError{Field: "tag", Value: "x", Msg: "no such tag"}, 400},
			{errors.New("disk on fire"), 500},
		} {
			f.vars.err = tc.err
			w := get("/tunis/calendar.ics?tag=" + fmt.Sprint(tc.code))
			if w.Code != tc.code || strings.Contains(w.Body.String(), "disk on fire") {
				t.Errorf("renderer error %v: %d %q", tc.err, w.Code, w.Body.String())
			}
		}

		// Without a variant renderer, variants are not found.
		g := newFixture(t, false)
		if w := g.do(t, "GET", "/madrid/calendar.ics?reminders=15m"); w.Code != 404 {
			t.Errorf("no variant renderer: %d", w.Code)
		}
	})
}

// With a path in base_url the published files are served under it, so
// that every URL they and the CLI give works against the daemon; stripped
// once, so that a series named as the path's first segment is its own.
// The operational endpoints stay at the root.
func TestBasePath(t *testing.T) {
	bothFrontsWith(t, fixtureConfig{variants: true, basePath: "/agenda/"}, func(t *testing.T, f *fixture) {
		get := func(target string) *httptest.ResponseRecorder { return f.do(t, "GET", target) }
		files := f.pub.Manifest().Files
		if _, ok := files["agenda/calendar.ics"]; !ok || len(files) < 10 {
			t.Fatalf("fixture lacks series agenda: %d files", len(files))
		}
		for path := range files {
			w := get("/agenda/" + path)
			if w.Code != 200 || !strings.HasPrefix(w.Body.String(), "FAKE path="+path+" ") {
				t.Errorf("GET /agenda/%s: %d %.60q", path, w.Code, w.Body.String())
			}
			if w := get("/" + path); w.Code != 404 && !strings.HasPrefix(path, "agenda/") {
				t.Errorf("GET /%s outside the base path: %d, want 404", path, w.Code)
			}
		}
		for _, tc := range []struct {
			target, location string
			code             int
			body             string
		}{
			{"/agenda/", "", 200, "FAKE path=index.html "},
			{"/agenda", "/agenda/", 301, ""},
			{"/agenda/madrid", "/agenda/madrid/", 301, ""},
			{"/agenda/calendar.ics", "", 200, "FAKE path=calendar.ics "},               // the all-series calendar
			{"/agenda/agenda/calendar.ics", "", 200, "FAKE path=agenda/calendar.ics "}, // series "agenda"
			{"/agenda/agenda/", "", 200, "FAKE path=agenda/index.html "},
			{"/agenda/madrid/calendar.ics?tag=la", "", 200, `VARIANT madrid "tag=la"`},
			{"/agenda/calendar.ics?tag=la", "", 200, `VARIANT  "tag=la"`},
			{"/", "", 404, ""},
			{"/madrid/calendar.ics?tag=la", "", 404, ""},
			{"/agendas/calendar.ics", "", 404, ""},
			{"/healthz", "", 200, ""},
			{"/agenda/healthz", "", 404, ""},
			{"/api/v1/series", "", 418, "api /api/v1/series"},
		} {
			w := get(tc.target)
			if w.Code != tc.code || w.Header().Get("Location") != tc.location || !strings.HasPrefix(w.Body.String(), tc.body) {
				t.Errorf("GET %s: %d Location %q %.60q, want %d %q %q", tc.target, w.Code, w.Header().Get("Location"), w.Body.String(), tc.code, tc.location, tc.body)
			}
		}
	})
	g := newFixture(t, false)
	if _, err := New(Options{Dir: g.dir, Files: g.pub, BasePath: "agenda"}); err == nil {
		t.Errorf("BasePath without slashes accepted")
	}
}

// storeSessions renders a session's title as src holds it, at src's
// revision of the series: what the app's renderer reads from the store.
type storeSessions struct {
	src   *publishtest.Source
	calls atomic.Int32
}

func (r *storeSessions) Calendar(ctx context.Context, slug string, v Variant) ([]byte, int64, error) {
	r.calls.Add(1)
	snap := r.src.Get(slug)
	var titles []string
	for _, s := range snap.Sessions {
		titles = append(titles, s.Title)
	}
	return []byte(fmt.Sprintf("CALENDAR %s %q %q", slug, v.Query(), titles)), snap.Series.Revision, nil
}

func (r *storeSessions) Session(ctx context.Context, slug, key string, v Variant) ([]byte, int64, error) {
	r.calls.Add(1)
	snap := r.src.Get(slug)
	for _, s := range snap.Sessions {
		if s.Key == key {
			return []byte(fmt.Sprintf("SESSION %s %q", s.Title, v.Query())), snap.Series.Revision, nil
		}
	}
	return nil, 0, fmt.Errorf("session %q: %w", key, agenda.ErrNotFound)
}

// A session's calendar rendered while the store is at another revision
// than the published table is answered but not cached under the table's
// revision. After a restore, the restart serves the previous run's
// manifest, whose revisions are ahead of the restored store's, until its
// first pass; edits later bring the series to those revisions again with
// other bytes, which the cache then hid behind the restored ones.
func TestServedSessionCachedUnderItsRevision(t *testing.T) {
	for _, target := range []string{"/madrid/sessions/k1.ics", "/madrid/sessions/k1.ics?reminders=1h", "/madrid/calendar.ics?reminders=1h", "/madrid/calendar.ics?tag=energy"} {
		t.Run(target, func(t *testing.T) {
			f := newFixtureWith(t, fixtureConfig{variants: true, sessions: true})
			r := &storeSessions{src: f.src}
			f.srv.sessions, f.srv.variants = r, r
			pass := func() {
				t.Helper()
				if _, err := f.pub.Pass(context.Background(), false); err != nil {
					t.Fatal(err)
				}
			}
			get := func(want string) {
				t.Helper()
				if w := f.do(t, "GET", target); w.Code != 200 || !strings.Contains(w.Body.String(), want) {
					t.Errorf("GET %s: %d %q, want %q", target, w.Code, w.Body.String(), want)
				}
			}
			f.src.Put(publishtest.MakeSnapshot("madrid", 3, 2))
			pass()
			get("revision 3")

			// The restore, and the restart's requests before its first pass.
			f.src.Put(publishtest.MakeSnapshot("madrid", 1, 2))
			f.srv.scache, f.srv.vcache = newLRU(4096, 16<<20), newLRU(256, 32<<20) // a new process
			get("revision 1")
			pass()
			get("revision 1")

			// Edits since the restore reach revision 3 again.
			edited := publishtest.MakeSnapshot("madrid", 3, 2)
			edited.Sessions[1].Title = "Edited after the restore"
			f.src.Put(edited)
			pass()
			get("Edited after the restore")

			// What matches the table is cached as before.
			n := r.calls.Load()
			get("Edited after the restore")
			if got := r.calls.Load(); got != n {
				t.Errorf("%d renders for a cached session, want none", got-n)
			}
		})
	}
}

func TestSessionsServedOnRequest(t *testing.T) {
	bothFrontsWith(t, fixtureConfig{sessions: true}, func(t *testing.T, f *fixture) {
		get := func(target string, hdr ...string) *httptest.ResponseRecorder { return f.do(t, "GET", target, hdr...) }
		for path := range f.pub.Manifest().Files {
			if strings.Contains(path, "/sessions/") {
				t.Fatalf("the pass published %s; this fixture's passes write no session files", path)
			}
		}

		w := get("/madrid/sessions/k1.ics")
		if w.Code != 200 || !strings.HasPrefix(w.Body.String(), "SESSION madrid k1 xx") {
			t.Fatalf("session: %d %.80q", w.Code, w.Body.String())
		}
		etag := w.Header().Get("Etag")
		want := map[string]string{
			"Content-Type":   "text/calendar; charset=utf-8",
			"Last-Modified":  f.pub.Manifest().Files["madrid/calendar.ics"].Modified.UTC().Format(http.TimeFormat),
			"Cache-Control":  "public, max-age=300",
			"Content-Length": fmt.Sprint(w.Body.Len()),
		}
		for k, v := range want {
			if got := w.Header().Get(k); got != v {
				t.Errorf("%s: %q, want %q", k, got, v)
			}
		}
		if !strings.HasPrefix(etag, `"`) || etag == f.pub.Manifest().Files["madrid/calendar.ics"].ETag {
			t.Errorf("Etag %q: want its own strong ETag", etag)
		}
		if w := get("/madrid/sessions/k1.ics", "If-None-Match", etag); w.Code != 304 || w.Body.Len() != 0 {
			t.Errorf("If-None-Match: %d, %d bytes", w.Code, w.Body.Len())
		}
		if w := f.do(t, "HEAD", "/madrid/sessions/k1.ics"); w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Etag") != etag {
			t.Errorf("HEAD: %d, %d bytes, Etag %q", w.Code, w.Body.Len(), w.Header().Get("Etag"))
		}
		if w := get("/madrid/sessions/k1.ics", "Accept-Encoding", "gzip"); w.Header().Get("Content-Encoding") != "gzip" {
			t.Errorf("not gzipped: %v", w.Header())
		}
		if n := f.sessions.calls.Load(); n != 1 {
			t.Errorf("%d renders, want 1 (cached)", n)
		}
		if w := get("/tunis/sessions/k0.ics"); w.Code != 200 || !strings.HasPrefix(w.Body.String(), "SESSION tunis k0 ") {
			t.Errorf("tunis k0: %d %.40q", w.Code, w.Body.String())
		}

		// Unknown sessions and series are not found; a series that is not
		// published is not even asked about.
		for _, target := range []string{"/madrid/sessions/nope.ics", "/lisbon/sessions/k1.ics", "/madrid/sessions/k1.ics.gz", "/madrid/sessions/"} {
			if w := get(target); w.Code != 404 {
				t.Errorf("%s: %d, want 404", target, w.Code)
			}
		}
		if n := f.sessions.calls.Load(); n != 3 {
			t.Errorf("%d renders, want 3 (k1, k0, nope)", n)
		}

		// A new revision of the series renders again; the other series'
		// sessions stay cached.
		f.src.Put(publishtest.MakeSnapshot("madrid", 2, 2))
		if _, err := f.pub.Pass(context.Background(), false); err != nil {
			t.Fatal(err)
		}
		get("/madrid/sessions/k1.ics")
		get("/tunis/sessions/k0.ics")
		if n := f.sessions.calls.Load(); n != 4 {
			t.Errorf("%d renders after madrid's revision moved, want 4", n)
		}
	})

	// A crawler walking thousands of sessions does not evict a variant,
	// which can take seconds to render at scale.
	v := newFixtureWith(t, fixtureConfig{variants: true, sessions: true})
	if w := v.do(t, "GET", "/madrid/calendar.ics?reminders=1h"); w.Code != 200 {
		t.Fatalf("variant: %d", w.Code)
	}
	for i := range 300 {
		if w := v.do(t, "GET", fmt.Sprintf("/madrid/sessions/crawl-%d.ics", i)); w.Code != 200 {
			t.Fatalf("session %d: %d", i, w.Code)
		}
	}
	v.do(t, "GET", "/madrid/calendar.ics?reminders=1h")
	if n := v.vars.calls.Load(); n != 1 {
		t.Errorf("the variant was rendered %d times around 300 session requests, want once", n)
	}

	// The caches' counts are in /metrics.
	body := v.do(t, "GET", "/metrics").Body.String()
	for _, want := range []string{
		`agendafeed_cache_hits_total{cache="variants"} 1`,
		`agendafeed_cache_misses_total{cache="variants"} 1`,
		`agendafeed_cache_entries{cache="variants"} 1`,
		`agendafeed_cache_misses_total{cache="sessions"} 300`,
		`agendafeed_cache_entries{cache="sessions"} 300`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}

	// Without a session renderer, an unpublished session file is not found.
	g := newFixture(t, true)
	if w := g.do(t, "GET", "/madrid/sessions/k9.ics"); w.Code != 404 {
		t.Errorf("no session renderer: %d", w.Code)
	}
}

func TestHealthz(t *testing.T) {
	bothFronts(t, false, func(t *testing.T, f *fixture) {
		check := func(wantCode int, want map[string]any) {
			t.Helper()
			w := f.do(t, "GET", "/healthz")
			var got map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatalf("healthz body %q: %v", w.Body.String(), err)
			}
			if w.Code != wantCode || w.Header().Get("Content-Type") != "application/json" {
				t.Errorf("healthz: %d, want %d", w.Code, wantCode)
			}
			for k, v := range want {
				if fmt.Sprint(got[k]) != fmt.Sprint(v) {
					t.Errorf("healthz %s = %v, want %v (body %s)", k, got[k], v, w.Body.String())
				}
			}
		}
		check(200, map[string]any{"status": "ok", "database": "ok", "files": "ok", "last_pass": nil})
		f.pass.Store(&passState{res: publish.Result{Started: t0, Duration: 1500 * time.Millisecond}})
		check(200, map[string]any{"status": "ok", "last_pass": map[string]any{"time": "2025-11-17T10:00:00Z", "duration_ms": 1500, "error": nil}})
		f.pass.Store(&passState{res: publish.Result{Started: t0}, err: errors.New("render madrid: boom")})
		check(503, map[string]any{"status": "error", "database": "ok", "last_pass": map[string]any{"time": "2025-11-17T10:00:00Z", "duration_ms": 0, "error": "render madrid: boom"}})
		f.pass.Store(nil)
		dbErr := errors.New("database is locked")
		f.dbErr.Store(&dbErr)
		check(503, map[string]any{"status": "error", "database": "database is locked"})
	})
}

func TestMetrics(t *testing.T) {
	bothFronts(t, false, func(t *testing.T, f *fixture) {
		f.do(t, "GET", "/madrid/calendar.ics")
		f.do(t, "GET", "/nope")
		// Every result is there at 0 before it first happens, so that a
		// rate() over it has a series to start from.
		before := f.do(t, "GET", "/metrics").Body.String()
		for _, r := range []string{"ok", "superseded", "error", "panic"} {
			if !strings.Contains(before, `agendafeed_passes_total{result="`+r+`"} 0`) {
				t.Errorf("no %s passes at 0 before the first", r)
			}
		}
		m := f.srv.Metrics()
		m.ObservePass(publish.Result{Duration: time.Second, FilesWritten: 7}, nil)
		m.ObservePass(publish.Result{Superseded: true}, nil)
		m.ObservePass(publish.Result{}, errors.New("x"))
		m.ObservePass(publish.Result{}, fmt.Errorf("pass: %w", &publish.PanicError{Value: "boom"}))
		w := f.do(t, "GET", "/metrics")
		body := w.Body.String()
		for _, want := range []string{
			`agendafeed_passes_total{result="ok"} 1`,
			`agendafeed_passes_total{result="superseded"} 1`,
			`agendafeed_passes_total{result="error"} 1`,
			`agendafeed_passes_total{result="panic"} 1`,
			`agendafeed_pass_duration_seconds_bucket`,
			`agendafeed_pass_duration_seconds_count 4`,
			`agendafeed_files_written_total 7`,
			`agendafeed_http_requests_total{code="200",method="GET"} 2`, // the calendar, the first /metrics
			`agendafeed_http_requests_total{code="404",method="GET"} 1`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %q", want)
			}
		}
		if t.Failed() {
			t.Log(body)
		}
	})
}

func TestAccessLogRedacts(t *testing.T) {
	bothFronts(t, true, func(t *testing.T, f *fixture) {
		f.do(t, "GET", "/madrid/calendar.ics?token=s3cret&tag=x", "Authorization", "Bearer hunter2")
		f.do(t, "GET", "/api/v1/series?access_token=s3cret2", "Authorization", "Bearer hunter2")
		logs := f.logs.String()
		for _, secret := range []string{"s3cret", "hunter2", "Bearer"} {
			if strings.Contains(logs, secret) {
				t.Errorf("log contains %q:\n%s", secret, logs)
			}
		}
		for _, want := range []string{"method=GET", "path=/madrid/calendar.ics", "status=400", "bytes=", "duration_ms=", "remote=", "status=418"} {
			if !strings.Contains(logs, want) {
				t.Errorf("log lacks %q:\n%s", want, logs)
			}
		}
		if strings.Contains(logs, " duration=") {
			t.Errorf("log has a duration that is not duration_ms:\n%s", logs)
		}
	})
}

// The access log hides what a query holds of credentials: values of
// parameters named for one, and anything that looks like an admin token.
func TestRedactQuery(t *testing.T) {
	const tok = "af_Zq9TOKENs3cret"
	for _, tc := range []struct{ raw, want string }{
		{"", ""},
		{"reminders=15m&tag=housing", "reminders=15m&tag=housing"},
		{"token=" + tok, "token=REDACTED"},
		{"Access_Token=x&refresh_token=y&id_token=z", "Access_Token=REDACTED&id_token=REDACTED&refresh_token=REDACTED"},
		{"api_key=x&password=y&secret=z&sig=w", "api_key=REDACTED&password=REDACTED&secret=REDACTED&sig=REDACTED"},
		{"tag=" + tok, "tag=REDACTED"},
		{tok, "REDACTED="},
		{tok + "=1&tag=x", "REDACTED=&tag=x"},
		{"tag=%zz" + tok, "(unparsable)"},
	} {
		if got := redactQuery(tc.raw); got != tc.want {
			t.Errorf("redactQuery(%q) = %q; want %q", tc.raw, got, tc.want)
		}
	}
}

// The access log gives the duration as the pass log and /healthz do:
// duration_ms, in either log format, so that one query reads them all;
// with microseconds as a fraction, as most answers take less than 1 ms.
func TestAccessLogDurationMS(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler func(w io.Writer) slog.Handler
		want    string
	}{
		{"text", func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) }, " duration_ms=1500.4 "},
		{"json", func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) }, `"duration_ms":1500.4,`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			f := newFixture(t, false)
			f.srv.log = slog.New(tc.handler(&buf))
			f.srv.logRequest(context.Background(), "GET", "/madrid/calendar.ics", "", "192.0.2.1:4000", 200, 10, 1500*time.Millisecond+400*time.Microsecond)
			if got := buf.String(); !strings.Contains(got, tc.want) || strings.Contains(got, `duration"`) || strings.Contains(got, " duration=") {
				t.Errorf("access log line %q; want %q and no other duration", got, tc.want)
			}
		})
	}
}

func TestListenAndServeShutsDownGracefully(t *testing.T) {
	f := newFixture(t, false)
	release := make(chan struct{})
	entered := make(chan struct{})
	f.srv.api = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		io.WriteString(w, "finished")
	})
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- f.srv.ListenAndServe(ctx, "127.0.0.1:0", func(a net.Addr) { addrc <- a }) }()
	addr := <-addrc
	resp, err := http.Get("http://" + addr.String() + "/madrid/calendar.ics")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET: %v %v", resp, err)
	}
	resp.Body.Close()
	slow := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + addr.String() + "/api/v1/slow")
		if err != nil {
			slow <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		slow <- string(b)
	}()
	<-entered
	cancel()
	time.Sleep(50 * time.Millisecond) // let Shutdown start
	close(release)
	if got := <-slow; got != "finished" {
		t.Errorf("in-flight request got %q", got)
	}
	if err := <-done; err != nil {
		t.Errorf("ListenAndServe: %v", err)
	}
}

func TestParseVariant(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  Variant
		any   bool
		err   string
	}{
		{"", Variant{}, false, ""},
		{"reminders=15m,1d", Variant{Reminders: []time.Duration{15 * time.Minute, 24 * time.Hour}, OverrideReminders: true}, true, ""},
		{"reminders=1d,15m,1d", Variant{Reminders: []time.Duration{15 * time.Minute, 24 * time.Hour}, OverrideReminders: true}, true, ""},
		{"reminders=none", Variant{OverrideReminders: true}, true, ""},
		{"tag=%20Housing%20", Variant{Tag: "housing"}, true, ""},
		{"speaker=Ada+Lovelace", Variant{Speaker: "Ada Lovelace"}, true, ""},
		{"reminders=15x", Variant{}, true, `reminders: "15x": expected a comma-separated list such as 15m,1d, or none`},
		{"reminders=15m,,1d", Variant{}, true, `reminders: "15m,,1d": expected a comma-separated list`},
		{"reminders=30s", Variant{}, true, `reminders: "30s"`},
		{"reminders=1m,2m,3m,4m,5m,6m,7m,8m,9m,10m,11m", Variant{}, true, "at most 10 reminders"},
		// none in any case, as a subscriber or a mail client may type it.
		{"reminders=NONE", Variant{OverrideReminders: true}, true, ""},
		{"reminders=None", Variant{OverrideReminders: true}, true, ""},
		{"reminders=%20nOnE%20", Variant{OverrideReminders: true}, true, ""},
		// A malformed value is reported, naming it, before the list is
		// counted: the count is not what is wrong with 1,2,…,11.
		{"reminders=1,2,3,4,5,6,7,8,9,10,11", Variant{}, true,
			`reminders: "1,2,3,4,5,6,7,8,9,10,11": expected a comma-separated list such as 15m,1d, or none; "1" is not a reminder`},
		{"reminders=1m,2m,3m,4m,5m,6m,7m,8m,9m,10m,11x", Variant{}, true, `"11x" is not a reminder`},
		{"reminders=1m,2m,3m,4m,5m,6m,7m,8m,9m,10m,5w", Variant{}, true, `expected each reminder between 1m and 4w before the start; "5w" is not`},
		{"reminders=15m,none", Variant{}, true, `"none" is not a reminder`},
		{"token=abc", Variant{}, true, `token: "REDACTED": unknown parameter; expected reminders, tag or speaker`},
		{"t=af_abcdefgh", Variant{}, true, `t: "REDACTED": unknown parameter; expected reminders, tag or speaker`},
		{"tag=" + strings.Repeat("a", 65), Variant{}, true, "at most 64 characters"},
		{"speaker=", Variant{}, true, `speaker: "": expected a speaker's name`},
		// Names and tags are normalised as the store normalises them
		// (agenda.NormalizeName, agenda.NormalizeTag): decomposed accents
		// and runs of spaces find the stored person or tag.
		{"speaker=Armand%20Be%CC%81ouinde%CC%81", Variant{Speaker: "Armand B\u00e9ouind\u00e9"}, true, ""},
		{"speaker=Jane%20%20Roe%20", Variant{Speaker: "Jane Roe"}, true, ""},
		{"tag=CAFE%CC%81", Variant{Tag: "caf\u00e9"}, true, ""},
		// utm_* parameters, which mail and social tools append to links,
		// are ignored; other unknown ones are not.
		{"utm_source=newsletter&utm_medium=email", Variant{}, false, ""},
		{"tag=la&utm_campaign=x", Variant{Tag: "la"}, true, ""},
		{"utm_source=x&reminder=15m", Variant{}, true, `reminder: "15m": unknown parameter`},
		// Bytes that are not UTF-8 are refused as such, not turned into
		// U+FFFD (a filter nobody asked for) or counted as too long.
		{"tag=%ff", Variant{}, true, `tag: "\xff": expected valid UTF-8 text`},
		{"tag=caf%C3%A9%ff", Variant{}, true, `tag: "café\xff": expected valid UTF-8 text`},
		{"speaker=%ff", Variant{}, true, `speaker: "\xff": expected valid UTF-8 text`},
		{"speaker=Jos%C3%A9%ff", Variant{}, true, `speaker: "José\xff": expected valid UTF-8 text`},
		{"reminders=%ff", Variant{}, true, `reminders: "\xff": expected valid UTF-8 text`},
		// Names are shown as values are: escaped when they do not print,
		// described when empty, hidden when they look like a token.
		{"%ff%0a=1", Variant{}, true, `"\xff\n": "1": unknown parameter`},
		{"tag%00=x", Variant{}, true, `"tag\x00": "x": unknown parameter`},
		{"=x", Variant{}, true, `(parameter with an empty name): "x": unknown parameter`},
		{"af_abcdefgh=1", Variant{}, true, `REDACTED: "REDACTED": unknown parameter`},
		{"caf%C3%A9=1", Variant{}, true, `café: "1": unknown parameter`},
	} {
		q, _ := url.ParseQuery(tc.query)
		v, any, err := ParseVariant(q)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, agenda.ErrInvalid) {
				t.Errorf("%q: err %v, want %q", tc.query, err, tc.err)
			}
			continue
		}
		if err != nil || any != tc.any || v.Query() != tc.want.Query() || v.Speaker != tc.want.Speaker || v.Tag != tc.want.Tag {
			t.Errorf("%q: %+v %v %v, want %+v", tc.query, v, any, err, tc.want)
		}
	}
}

func FuzzParseVariant(f *testing.F) {
	for _, s := range []string{"reminders=15m,1d", "reminders=none&tag=x", "speaker=%00", "tag=%ff", "reminders=1w2d3h4m", "reminders=999999999w"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		v, _, err := ParseVariant(q)
		if err != nil {
			if !errors.Is(err, agenda.ErrInvalid) {
				t.Errorf("%q: error %v does not match ErrInvalid", raw, err)
			}
			return
		}
		if len(v.Reminders) > agenda.MaxReminders {
			t.Errorf("%q: %d reminders", raw, len(v.Reminders))
		}
		for _, d := range v.Reminders {
			if d <= 0 || d > agenda.MaxReminder {
				t.Errorf("%q: reminder %v", raw, d)
			}
		}
	})
}

func FuzzETagMatch(f *testing.F) {
	for _, s := range []string{`"abc"`, `W/"abc", "def"`, `*`, `"a,b", "abc"`, `"unterminated`, `W/`, `,,,`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, field string) {
		// No panic, and appending the exact tag to any list matches.
		etagMatch([]string{field}, `"abc"`)
		if !strings.Contains(field, `"`) && !etagMatch([]string{field + `, "abc"`}, `"abc"`) {
			t.Errorf("%q + exact tag not matched", field)
		}
		acceptsGzip([]string{field})
	})
}

// A table builds no response headers for files nobody asked for: a large
// installation has ~105,000 entries, most of them rarely requested. The
// first request builds them, concurrent first requests agree on them, and
// a reloaded table keeps those of unchanged files.
func TestHeadersBuiltOnFirstRequest(t *testing.T) {
	bothFronts(t, false, func(t *testing.T, f *fixture) {
		s := f.srv
		tbl := s.current()
		for path, e := range tbl.files {
			if e.h.Load() != nil {
				t.Errorf("%s: headers built before any request", path)
			}
		}
		e := tbl.files["madrid/calendar.ics"]
		var wg sync.WaitGroup
		got := make([]*headers, 4)
		for i := range got {
			wg.Go(func() { got[i] = e.hdrs() })
		}
		wg.Wait()
		for _, h := range got[1:] {
			if h != got[0] {
				t.Errorf("concurrent first requests built different headers")
			}
		}
		w := f.do(t, "GET", "/tunis/calendar.ics")
		if w.Code != 200 || tbl.files["tunis/calendar.ics"].h.Load() == nil {
			t.Errorf("GET: %d; headers built: %v", w.Code, tbl.files["tunis/calendar.ics"].h.Load() != nil)
		}
		if tbl.files["tunis/rss.xml"].h.Load() != nil {
			t.Errorf("a file not requested has headers")
		}
		f.src.Put(publishtest.MakeSnapshot("madrid", 2, 3))
		if _, err := f.pub.Pass(context.Background(), false); err != nil {
			t.Fatal(err)
		}
		if next := s.current(); next == tbl || next.files["tunis/calendar.ics"] != tbl.files["tunis/calendar.ics"] {
			t.Errorf("reload: the unchanged file's entry (and its headers) not kept")
		}
	})
}

// A stop that comes as the server starts (here: in ready, before it
// serves) still ends ListenAndServe. fasthttp's Shutdown closes only the
// listeners its Serve has registered; one called before that left Serve
// accepting forever, and a daemon told to stop at once never exited.
func TestStopRightAfterStart(t *testing.T) {
	f := newFixture(t, false)
	for i := range 20 {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- f.srv.ListenAndServe(ctx, "127.0.0.1:0", func(net.Addr) { cancel() }) }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("run %d: ListenAndServe: %v", i, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("run %d: ListenAndServe did not return after a stop right after its start", i)
		}
	}
}

// A session's calendar takes ?reminders= as a series' does, in both modes:
// the file a pass wrote (files) or the one rendered on request (served)
// when the query asks for no change, else a variant, cached by the
// series' revision. Filters, which would leave the session or nothing, and
// unknown parameters are refused by name.
func TestSessionVariants(t *testing.T) {
	for _, mode := range []string{"files", "served"} {
		t.Run(mode, func(t *testing.T) {
			bothFrontsWith(t, fixtureConfig{variants: true, sessions: mode == "served"}, func(t *testing.T, f *fixture) {
				get := func(target string) *httptest.ResponseRecorder { return f.do(t, "GET", target) }
				want := "SESSION VARIANT madrid k1 \"reminders=15m,1d\""
				for range 2 {
					w := get("/madrid/sessions/k1.ics?reminders=1d,15m")
					if w.Code != 200 || w.Body.String() != want || w.Header().Get("Content-Type") != "text/calendar; charset=utf-8" {
						t.Fatalf("variant: %d %q %v, want %q", w.Code, w.Body.String(), w.Header(), want)
					}
				}
				if n := f.vars.calls.Load(); n != 1 {
					t.Errorf("%d variant renders, want 1 (cached)", n)
				}
				if w := get("/madrid/sessions/k1.ics?reminders=none"); !strings.HasSuffix(w.Body.String(), `"reminders=none"`) {
					t.Errorf("reminders=none: %d %q", w.Code, w.Body.String())
				}
				// No parameter: what the mode publishes, not a variant.
				plain := "SESSION madrid k1 "
				if mode == "files" {
					plain = "FAKE path=madrid/sessions/k1.ics" // the file publishtest wrote
				}
				if w := get("/madrid/sessions/k1.ics"); w.Code != 200 || !strings.Contains(w.Body.String(), plain) {
					t.Errorf("no query: %d %.60q, want %q", w.Code, w.Body.String(), plain)
				}
				for _, tc := range []struct {
					target string
					code   int
					msg    string
				}{
					{"/madrid/sessions/k1.ics?tag=energy", 400, `tag: "energy": not available on one session's calendar; expected reminders`},
					{"/madrid/sessions/k1.ics?speaker=Ana", 400, `speaker: "Ana": not available on one session's calendar`},
					{"/madrid/sessions/k1.ics?foo=1", 400, `foo: "1": unknown parameter; expected reminders`},
					{"/madrid/sessions/k1.ics?reminders=15m&utm_source=x", 200, `"reminders=15m"`},
					{"/madrid/sessions/k1.ics?reminders=15x", 400, `reminders: "15x": expected a comma-separated list such as 15m,1d, or none`},
					{"/madrid/sessions/nope.ics?reminders=15m", 404, "not found"},
					{"/lisbon/sessions/k1.ics?reminders=15m", 404, "not found"},
				} {
					w := get(tc.target)
					if w.Code != tc.code || !strings.Contains(w.Body.String(), tc.msg) {
						t.Errorf("%s: %d %q, want %d %q", tc.target, w.Code, w.Body.String(), tc.code, tc.msg)
					}
				}
				// A new revision of the series renders the variant again.
				f.src.Put(publishtest.MakeSnapshot("madrid", 2, 2))
				if _, err := f.pub.Pass(context.Background(), false); err != nil {
					t.Fatal(err)
				}
				before := f.vars.calls.Load()
				get("/madrid/sessions/k1.ics?reminders=15m,1d")
				if n := f.vars.calls.Load(); n != before+1 {
					t.Errorf("%d renders after a revision, want %d", n, before+1)
				}
			})
		})
	}
	// Without a variant renderer a session has no variants.
	g := newFixture(t, false)
	if w := g.do(t, "GET", "/madrid/sessions/k1.ics?reminders=15m"); w.Code != 404 {
		t.Errorf("no variant renderer: %d", w.Code)
	}
}

// Browser JavaScript reads only the CORS-safelisted response headers
// unless the server exposes others: ETag is not safelisted, and a client
// that revalidates with If-None-Match needs it; Retry-After, on a missing
// file's 503, says when to ask again.
func TestCORSExposesValidators(t *testing.T) {
	bothFronts(t, true, func(t *testing.T, f *fixture) {
		for _, tc := range []struct {
			method, target string
			hdr            []string
			code           int
		}{
			{"GET", "/madrid/calendar.ics", nil, 200},
			{"HEAD", "/madrid/calendar.ics", nil, 200},
			{"GET", "/madrid/calendar.ics", []string{"Accept-Encoding", "gzip"}, 200},
			{"GET", "/madrid/", nil, 200},
			{"GET", "/madrid/calendar.ics?reminders=15m", nil, 200},
			{"HEAD", "/madrid/calendar.ics?tag=la", nil, 200},
		} {
			hdr := append([]string{"Origin", "https://x.example"}, tc.hdr...)
			w := f.do(t, tc.method, tc.target, hdr...)
			if w.Code != tc.code {
				t.Fatalf("%s %s: %d, want %d", tc.method, tc.target, w.Code, tc.code)
			}
			exposed := exposedHeaders(w.Header())
			if !exposed["etag"] || !exposed["retry-after"] || w.Header().Get("Etag") == "" {
				t.Errorf("%s %s: Access-Control-Expose-Headers %q, ETag %q; want ETag and Retry-After exposed",
					tc.method, tc.target, w.Header().Values("Access-Control-Expose-Headers"), w.Header().Get("Etag"))
			}
			// A revalidation answers 304 with the same headers.
			w = f.do(t, tc.method, tc.target, append(hdr, "If-None-Match", w.Header().Get("Etag"))...)
			if w.Code != 304 || !exposedHeaders(w.Header())["etag"] {
				t.Errorf("%s %s revalidated: %d, Access-Control-Expose-Headers %q; want 304 exposing ETag",
					tc.method, tc.target, w.Code, w.Header().Values("Access-Control-Expose-Headers"))
			}
		}
		os.Remove(filepath.Join(f.dir, "tunis", "calendar.ics"))
		w := f.do(t, "GET", "/tunis/calendar.ics", "Origin", "https://x.example")
		if w.Code != 503 || w.Header().Get("Retry-After") == "" || !exposedHeaders(w.Header())["retry-after"] {
			t.Errorf("missing file: %d, Retry-After %q, Access-Control-Expose-Headers %q; want 503 exposing Retry-After",
				w.Code, w.Header().Get("Retry-After"), w.Header().Values("Access-Control-Expose-Headers"))
		}
	})
}

// exposedHeaders reads Access-Control-Expose-Headers, lower-cased.
func exposedHeaders(h http.Header) map[string]bool {
	m := map[string]bool{}
	for _, line := range h.Values("Access-Control-Expose-Headers") {
		for _, name := range strings.Split(line, ",") {
			m[strings.ToLower(strings.TrimSpace(name))] = true
		}
	}
	return m
}

// apiErrorMessage is the message of an error in the API's format: a JSON
// object whose one member is "error", sent as application/json.
func apiErrorMessage(t *testing.T, contentType string, body []byte) string {
	t.Helper()
	if contentType != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q, want the API's application/json; charset=utf-8", contentType)
	}
	var b struct {
		Error string `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil || b.Error == "" {
		t.Errorf("body %q is not an API error (%v)", body, err)
	}
	return b.Error
}
