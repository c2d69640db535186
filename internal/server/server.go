// Package server owns agendafeed's HTTP side: it serves the published
// files listed in the publisher's manifest (strong ETags, Last-Modified,
// 304s, HEAD, gzip, CORS), subscriber variants of calendars
// (?reminders=15m,1d, ?tag=, ?speaker=), /healthz, /metrics, and mounts the
// admin API at /api/v1/.
//
// Serving. Only paths the manifest lists are served: never temp files, the
// manifest, directory listings, or anything a request path could reach by
// traversal (a request path is only ever a key into the manifest). Response
// headers are computed once per manifest version. Files up to 1 MiB are
// read (and checked against their hash) on first request and then served
// from memory; larger ones are copied from disk with sendfile. The gzip
// representation (ETag "<sha256>-gz") is compressed once, on the first
// request that accepts gzip, and kept with the entry until the file's
// bytes change. (The publisher does not write .gz siblings; nginx's
// gzip_static would need them, see docs/performance.md.) Bodies larger than
// net/http's write buffer are sent with the connection corked (cork.go), so
// headers and body leave together.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/agendafeed/agendafeed/feeds"
	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/publish"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Files is what the server reads the published set from: the publisher.
type Files interface {
	Manifest() publish.Manifest
}

// Options configure a Server.
type Options struct {
	Dir             string // the publisher's output directory
	Files           Files
	Logger          *slog.Logger
	RefreshInterval time.Duration // Cache-Control max-age
	// Health reports whether the database is reachable.
	Health func(ctx context.Context) error
	// LastPass returns the last pass's result and error; ok is false
	// before the first pass.
	LastPass func() (res publish.Result, err error, ok bool)
	// Variants renders subscriber variants; nil answers 404 to them.
	Variants VariantRenderer
	// API is mounted at /api/v1/ when non-nil.
	API http.Handler
	// Registry receives the metrics; nil keeps them private (no /metrics).
	Registry *prometheus.Registry
	// Metrics, if set, is used instead of NewMetrics(Registry); pass the
	// one the app feeds ObservePass with.
	Metrics *Metrics
	// VariantCacheEntries bounds the variant cache (default 256).
	VariantCacheEntries int
}

// Server serves the published files and the operational endpoints.
type Server struct {
	dir      string
	files    Files
	log      *slog.Logger
	health   func(ctx context.Context) error
	lastPass func() (publish.Result, error, bool)
	variants VariantRenderer
	api      http.Handler
	metrics  *Metrics
	promH    http.Handler

	hCache []string // Cache-Control
	table  atomic.Pointer[table]
	loadMu sync.Mutex
	vcache *lru
}

// Shared header values; never modified.
var (
	hVary      = []string{"Accept-Encoding"}
	hNosniff   = []string{"nosniff"}
	hAnyOrigin = []string{"*"}
	hGzip      = []string{"gzip"}
	hAllow     = []string{"GET, HEAD, OPTIONS"}
	hText      = []string{"text/plain; charset=utf-8"}
)

// New returns a Server.
func New(opts Options) (*Server, error) {
	if opts.Dir == "" || opts.Files == nil {
		return nil, errors.New("server: Dir and Files are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.RefreshInterval <= 0 {
		opts.RefreshInterval = 5 * time.Minute
	}
	s := &Server{
		dir: opts.Dir, files: opts.Files, log: opts.Logger, health: opts.Health, lastPass: opts.LastPass,
		variants: opts.Variants, api: opts.API, metrics: opts.Metrics,
		hCache: []string{"public, max-age=" + strconv.Itoa(int(opts.RefreshInterval/time.Second))},
		vcache: newLRU(opts.VariantCacheEntries, 32<<20),
	}
	reg := opts.Registry
	if s.metrics == nil {
		s.metrics = NewMetrics(reg)
	}
	if reg != nil {
		s.promH = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	}
	s.table.Store(loadTable(s.dir, opts.Files.Manifest(), nil))
	return s, nil
}

// Metrics returns the metrics the server records to; the app calls its
// ObservePass after every pass.
func (s *Server) Metrics() *Metrics { return s.metrics }

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler { return s }

// ListenAndServe serves on addr until ctx is done, then shuts down,
// letting requests in flight finish (30 s grace), and returns nil. ready,
// if set, gets the bound address (useful with port 0).
func (s *Server) ListenAndServe(ctx context.Context, addr string, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ConnContext:       connContext,
		ConnState:         connState,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(corkListener{ln}) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s: %w", addr, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// current returns the file table, reloading it if the manifest moved.
func (s *Server) current() *table {
	t := s.table.Load()
	m := s.files.Manifest()
	if m.Version == t.version && m.Generated.Equal(t.generated) {
		return t
	}
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	if t = s.table.Load(); m.Version == t.version && m.Generated.Equal(t.generated) {
		return t
	}
	t = loadTable(s.dir, m, t)
	s.table.Store(t)
	return t
}

// ServeHTTP routes, then records the request in the metrics and the log.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	var status int
	var n int64
	switch p := r.URL.Path; {
	case s.api != nil && strings.HasPrefix(p, "/api/v1/"):
		rec := &recorder{ResponseWriter: w}
		s.api.ServeHTTP(rec, r)
		status, n = rec.result()
	case p == "/healthz" || p == "/metrics":
		rec := &recorder{ResponseWriter: w}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			s.methodNotAllowed(rec)
		} else if p == "/healthz" {
			s.serveHealth(rec, r)
		} else if s.promH != nil {
			s.promH.ServeHTTP(rec, r)
		} else {
			s.writeError(rec, fmt.Errorf("metrics: %w", agenda.ErrNotFound))
		}
		status, n = rec.result()
	default:
		status, n = s.serveFile(w, r)
	}
	s.metrics.request(status, r.Method)
	if s.log.Enabled(r.Context(), slog.LevelInfo) {
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "http",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("query", redactQuery(r.URL.RawQuery)),
			slog.Int("status", status),
			slog.Int64("bytes", n),
			slog.Duration("duration", time.Since(start)),
			slog.String("remote", r.RemoteAddr))
	}
}

// redactQuery hides the values of parameters named token (access tokens
// must never reach a log).
func redactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "(unparsable)"
	}
	for k := range q {
		if strings.EqualFold(k, "token") || strings.EqualFold(k, "access_token") {
			q[k] = []string{"REDACTED"}
		}
	}
	return q.Encode()
}

// serveFile serves a published file (or a variant of a calendar).
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) (int, int64) {
	h := w.Header()
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		h["Allow"] = hAllow
		h["Access-Control-Allow-Origin"] = hAnyOrigin
		h["Access-Control-Allow-Methods"] = hAllow
		h["Access-Control-Allow-Headers"] = []string{"If-None-Match, If-Modified-Since"}
		h["Access-Control-Max-Age"] = []string{"86400"}
		w.WriteHeader(http.StatusNoContent)
		return http.StatusNoContent, 0
	default:
		return s.methodNotAllowed(w), 0
	}
	t := s.current()
	key := strings.TrimPrefix(r.URL.Path, "/")
	if key == "" || strings.HasSuffix(key, "/") {
		key += string(feeds.Page)
	}
	e, ok := t.files[key]
	if !ok {
		if _, dir := t.files[key+"/"+string(feeds.Page)]; dir && !strings.HasSuffix(r.URL.Path, "/") {
			h["Location"] = []string{r.URL.Path + "/"}
			w.WriteHeader(http.StatusMovedPermanently)
			return http.StatusMovedPermanently, 0
		}
		return s.writeError(w, fmt.Errorf("%s: %w", r.URL.Path, agenda.ErrNotFound))
	}
	if r.URL.RawQuery != "" && (key == string(feeds.Calendar) || strings.HasSuffix(key, "/"+string(feeds.Calendar)) && strings.Count(key, "/") == 1) {
		return s.serveVariant(w, r, t, key, e)
	}
	return s.serveEntry(w, r, e)
}

// serveEntry writes one entry's headers and, for GET, body.
func (s *Server) serveEntry(w http.ResponseWriter, r *http.Request, e *entry) (int, int64) {
	h := w.Header()
	h["Cache-Control"] = s.hCache
	h["Vary"] = hVary
	h["X-Content-Type-Options"] = hNosniff
	h["Access-Control-Allow-Origin"] = hAnyOrigin
	if e.hLastMod != nil {
		h["Last-Modified"] = e.hLastMod
	}

	var gz *gzBody
	if acceptsGzip(r.Header["Accept-Encoding"]) {
		if g, err := e.gzipped(); err == nil && g.use {
			gz = g
		}
	}
	etag := e.etag
	if gz != nil {
		etag = e.etagGz
		h["Etag"] = e.hETagGz
	} else {
		h["Etag"] = e.hETag
	}
	if notModified(r, etag, e.modTime) {
		w.WriteHeader(http.StatusNotModified)
		return http.StatusNotModified, 0
	}
	h["Content-Type"] = e.hType
	if gz != nil {
		h["Content-Encoding"] = hGzip
		h["Content-Length"] = gz.hLen
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodHead {
			return http.StatusOK, 0
		}
		cork(r, int64(len(gz.b)))
		n, _ := w.Write(gz.b)
		return http.StatusOK, int64(n)
	}
	body, inMem, fresh, err := e.memBody()
	if err != nil {
		return s.writeError(w, fmt.Errorf("read %s: %w", r.URL.Path, err))
	}
	if inMem {
		if !fresh { // bytes moved under us: no validators for them
			delete(h, "Etag")
			delete(h, "Last-Modified")
			h["Content-Length"] = []string{strconv.Itoa(len(body))}
		} else {
			h["Content-Length"] = e.hLen
		}
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodHead {
			return http.StatusOK, 0
		}
		cork(r, int64(len(body)))
		n, _ := w.Write(body)
		return http.StatusOK, int64(n)
	}
	f, err := os.Open(e.path)
	if err != nil {
		return s.writeError(w, fmt.Errorf("open %s: %w", r.URL.Path, err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return s.writeError(w, fmt.Errorf("stat %s: %w", r.URL.Path, err))
	}
	if fi.Size() != e.size {
		delete(h, "Etag")
		delete(h, "Last-Modified")
	}
	h["Content-Length"] = []string{strconv.FormatInt(fi.Size(), 10)}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return http.StatusOK, 0
	}
	cork(r, fi.Size())
	// io.Copy hands the *os.File to the connection's ReadFrom: sendfile.
	n, _ := io.Copy(w, f)
	return http.StatusOK, n
}

// serveVariant serves a subscriber variant of a calendar, from the cache
// when the series' revision has not moved.
func (s *Server) serveVariant(w http.ResponseWriter, r *http.Request, t *table, key string, base *entry) (int, int64) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return s.writeError(w, &agenda.FieldError{Field: "query", Value: r.URL.RawQuery, Msg: "expected name=value pairs"})
	}
	v, any, err := ParseVariant(q)
	if err != nil {
		return s.writeError(w, err)
	}
	if !any {
		return s.serveEntry(w, r, base)
	}
	if s.variants == nil {
		return s.writeError(w, fmt.Errorf("%s: variants: %w", r.URL.Path, agenda.ErrNotFound))
	}
	slug, _, _ := strings.Cut(key, "/")
	rev := t.version // the all-series calendar moves with any series
	if slug == string(feeds.Calendar) {
		slug = ""
	} else {
		rev = t.revs[slug]
	}
	ck := slug + "\x00" + strconv.FormatInt(rev, 10) + "\x00" + v.key()
	e := s.vcache.get(ck)
	if e == nil {
		b, err := s.variants.Calendar(r.Context(), slug, v)
		if err != nil {
			return s.writeError(w, fmt.Errorf("calendar variant of %q: %w", slug, err))
		}
		e = memEntry(b, feeds.Calendar.ContentType(), base.modTime)
		s.vcache.put(ck, e, int64(len(b)))
	}
	return s.serveEntry(w, r, e)
}

// statusOf turns an error into an HTTP status: the one place that does.
func statusOf(err error) int {
	switch {
	case errors.Is(err, agenda.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, agenda.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, agenda.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// writeError answers with err's status and a plain-text message: the
// error itself for client errors, a generic one (the error is logged) for
// server errors.
func (s *Server) writeError(w http.ResponseWriter, err error) (int, int64) {
	code := statusOf(err)
	msg := err.Error()
	var fe *agenda.FieldError
	switch {
	case errors.As(err, &fe):
		msg = fe.Error()
	case code == http.StatusNotFound:
		msg = "not found"
	case code >= 500:
		s.log.Error("request failed", "err", err)
		msg = http.StatusText(code)
	}
	h := w.Header()
	h["Content-Type"] = hText
	h["X-Content-Type-Options"] = hNosniff
	h["Access-Control-Allow-Origin"] = hAnyOrigin
	w.WriteHeader(code)
	n, _ := io.WriteString(w, msg+"\n")
	return code, int64(n)
}

func (s *Server) methodNotAllowed(w http.ResponseWriter) int {
	h := w.Header()
	h["Allow"] = hAllow
	h["Content-Type"] = hText
	w.WriteHeader(http.StatusMethodNotAllowed)
	io.WriteString(w, "method not allowed\n")
	return http.StatusMethodNotAllowed
}

// recorder captures the status and size of a delegated handler's response.
type recorder struct {
	http.ResponseWriter
	status int
	n      int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.n += int64(n)
	return n, err
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) result() (int, int64) {
	if r.status == 0 {
		return http.StatusOK, r.n
	}
	return r.status, r.n
}
