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
// from memory, or, from 32 KiB, with sendfile from descriptors kept open
// on the checked file (fdpool.go); larger ones are checked against their
// hash once per version of the file (stamp.go), then sent with sendfile from descriptors of the
// checked file, so that their ETag always names the bytes sent (bytes that
// are not the manifest's go without validators). A listed file missing on
// disk is answered 503 with Retry-After, and reported (missing.go). The gzip representation (ETag "<sha256>-gz") is
// compressed once, on the first request that accepts gzip, and kept with
// the entry until the file's bytes change. (The publisher does not write
// .gz siblings; nginx's gzip_static would need them, see
// docs/performance.md.)
//
// Two front ends, one behaviour. Handler is a net/http handler for
// everything. ListenAndServe puts fasthttp in front (fast.go): it answers
// GETs and HEADs of files itself, through the same serveEntry, and hands
// every other request to Handler. The tests run against both.
package server

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
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
	// Sessions, when set, renders a session's calendar that the manifest
	// does not list (passes that write none, or have not written it yet);
	// nil answers 404 to them.
	// They have a cache of their own (4,096 entries, 16 MiB): a crawler
	// walking every session must not evict the variants, which can take
	// seconds to render at scale where a session takes a millisecond.
	Sessions SessionRenderer
	// BasePath is the path of base_url, with a trailing slash ("" or "/"
	// for none): the published files are served under it
	// (/agenda/open-policy-debates/calendar.ics for base_url
	// https://example.org/agenda/), so that every URL the published files
	// and the CLI give works against the daemon, and a reverse proxy passes
	// the path through unchanged. /healthz, /metrics and /api/v1/ stay at
	// the root.
	BasePath string
	// API is mounted at /api/v1/ when non-nil.
	API http.Handler
	// Registry receives the metrics; nil keeps them private (no /metrics).
	Registry *prometheus.Registry
	// Metrics, if set, is used instead of NewMetrics(Registry); pass the
	// one the app feeds ObservePass with.
	Metrics *Metrics
	// VariantCacheEntries bounds the variant cache (default 256).
	VariantCacheEntries int
	// MemoryBudget bounds the bytes of published files kept in memory
	// once served (default 64 MiB; see defaultMemBudget).
	MemoryBudget int64
	// VariantRenders bounds the variant renders running at once (default
	// 2); identical requests share one render, others wait for a slot.
	VariantRenders int
	// OnMissing, when set, is called with the published path (as the
	// manifest names it) of a file found missing on disk, once per file
	// per manifest version, or, when /healthz finds the output directory
	// or the manifest missing, with "." or publish.ManifestName, once per
	// manifest version; it asks for a pass that writes them again, and
	// must return at once (it runs in the request).
	OnMissing func(path string)
	// MaxRequestBody bounds the body the listener reads for any request
	// (default 32 MiB); handlers apply their own, smaller limits.
	MaxRequestBody int
}

// Server serves the published files and the operational endpoints.
type Server struct {
	dir      string
	files    Files
	log      *slog.Logger
	health   func(ctx context.Context) error
	lastPass func() (publish.Result, error, bool)
	variants VariantRenderer
	sessions SessionRenderer
	api      http.Handler
	metrics  *Metrics
	promH    http.Handler

	hCache         []string // Cache-Control
	fds            fdBudget
	mem            memBudget
	maxRequestBody int
	table          atomic.Pointer[table]
	loadMu         sync.Mutex
	vcache         *lru
	vgate          *renderGate
	scache         *lru        // sessions rendered on request
	sgate          *renderGate // their renders (defaultSessionRenders at once)
	vdates, sdates *lastMods   // the Last-Modified of the variants', the sessions' last renders
	onMissing      func(path string)
	missing        missingFiles
	outputReported atomic.Int64 // manifest version a missing output directory or manifest was last reported under
	base           string       // Options.BasePath: "/" or "/…/"
	dates          dateCache    // the latest Last-Modified each second may send
	// timeouts are the listener's header and idle timeouts (headerTimeout,
	// idleTimeout); tests shorten them.
	timeouts struct{ header, idle time.Duration }
}

// preconditionBody is a 412's body; never modified.
var preconditionBody = []byte("precondition failed: the file's ETag or Last-Modified is not what If-Match or If-Unmodified-Since asked for\n")

// Shared header values; never modified.
var (
	hVary      = []string{"Accept-Encoding"}
	hNosniff   = []string{"nosniff"}
	hAnyOrigin = []string{"*"}
	// Browser JavaScript reads only the CORS-safelisted response headers
	// (Cache-Control, Content-Type, Content-Length, Last-Modified, …)
	// unless others are exposed: ETag, to revalidate with If-None-Match,
	// and Retry-After, on a missing file's 503.
	hExpose   = []string{"ETag, Retry-After"}
	hGzip     = []string{"gzip"}
	hAllow    = []string{"GET, HEAD, OPTIONS"} // published files
	hAllowGet = []string{"GET, HEAD"}          // /healthz, /metrics
	hText     = []string{"text/plain; charset=utf-8"}
	hJSON     = []string{"application/json; charset=utf-8"}
	hNoStore  = []string{"no-store"}
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
		variants: opts.Variants, sessions: opts.Sessions, api: opts.API, metrics: opts.Metrics,
		hCache:         []string{"public, max-age=" + strconv.Itoa(int(opts.RefreshInterval/time.Second))},
		vcache:         newLRU(opts.VariantCacheEntries, 32<<20),
		vgate:          newRenderGate(cmp.Or(opts.VariantRenders, defaultVariantRenders)),
		scache:         newLRU(4096, 16<<20),
		sgate:          newRenderGate(defaultSessionRenders),
		vdates:         newLastMods(max(1024, 4*cmp.Or(opts.VariantCacheEntries, 256))),
		sdates:         newLastMods(16384),
		maxRequestBody: opts.MaxRequestBody,
		fds:            fdBudget{max: maxIdleFiles},
		mem:            memBudget{limit: cmp.Or(opts.MemoryBudget, defaultMemBudget)},
		onMissing:      opts.OnMissing,
		base:           cmp.Or(opts.BasePath, "/"),
	}
	s.timeouts.header, s.timeouts.idle = headerTimeout, idleTimeout
	if !strings.HasPrefix(s.base, "/") || !strings.HasSuffix(s.base, "/") {
		return nil, fmt.Errorf("server: BasePath %q: expected a path that starts and ends with /", opts.BasePath)
	}
	if s.maxRequestBody <= 0 {
		s.maxRequestBody = defaultMaxRequestBody
	}
	reg := opts.Registry
	if s.metrics == nil {
		s.metrics = NewMetrics(reg)
	}
	if reg != nil {
		s.promH = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
		if err := s.registerCacheMetrics(reg); err != nil {
			return nil, fmt.Errorf("server: metrics: %w", err)
		}
	}
	s.table.Store(loadTable(s.dir, opts.Files.Manifest(), nil, &s.fds, &s.mem))
	return s, nil
}

// registerCacheMetrics exposes the hits, misses and entries of the caches
// of calendars rendered on request (subscriber variants, sessions), so that
// an operator can tell whether they are big enough for the traffic.
func (s *Server) registerCacheMetrics(reg *prometheus.Registry) error {
	for _, c := range []struct {
		name string
		lru  *lru
	}{{"variants", s.vcache}, {"sessions", s.scache}} {
		labels := prometheus.Labels{"cache": c.name}
		stat := func(pick func(hits, misses int64, n int) float64) func() float64 {
			return func() float64 { return pick(c.lru.stats()) }
		}
		for _, col := range []prometheus.Collector{
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "agendafeed_cache_hits_total", ConstLabels: labels,
				Help: "Requests for a calendar rendered on request that its cache answered."},
				stat(func(h, _ int64, _ int) float64 { return float64(h) })),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "agendafeed_cache_misses_total", ConstLabels: labels,
				Help: "Requests for a calendar rendered on request that had to render it."},
				stat(func(_, m int64, _ int) float64 { return float64(m) })),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "agendafeed_cache_entries", ConstLabels: labels,
				Help: "Calendars rendered on request held in the cache."},
				stat(func(_, _ int64, n int) float64 { return float64(n) })),
		} {
			if err := reg.Register(col); err != nil {
				return err
			}
		}
	}
	return reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "agendafeed_file_memory_bytes",
		Help: "Bytes of published files (identity up to 1 MiB, and gzip) kept in memory after serving them; bounded by the server's budget (64 MiB)."},
		func() float64 { b, _ := s.mem.kept(); return float64(b) }))
}

// Metrics returns the metrics the server records to; the app calls its
// ObservePass after every pass.
func (s *Server) Metrics() *Metrics { return s.metrics }

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler { return s }

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
	t = loadTable(s.dir, m, t, &s.fds, &s.mem)
	s.table.Store(t)
	return t
}

// ServeHTTP routes, then records the request in the metrics and the log.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	// The Date net/http sends, set here so that serveEntry knows it
	// (dateCache); behind the listener fasthttp sends its own instead.
	date := s.dates.at(start)
	w.Header()["Date"] = date.h
	var status int
	var n int64
	switch p := r.URL.Path; {
	case strings.HasPrefix(p, "/api/v1/"):
		rec := &recorder{ResponseWriter: w}
		if s.api != nil {
			s.api.ServeHTTP(rec, r)
		} else {
			// Not a file lookup: a client of the API learns why, rather
			// than a bare 404, or a 405 for a path no file could have.
			o := &httpResp{w: rec, head: r.Method == http.MethodHead}
			o.header("Content-Type", hJSON)
			o.header("X-Content-Type-Options", hNosniff)
			o.header("Cache-Control", hNoStore)
			o.send(http.StatusNotFound, apiErrorJSON(apiOff))
		}
		status, n = rec.result()
	case p == "/healthz" || p == "/metrics":
		rec := &recorder{ResponseWriter: w}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			s.methodNotAllowed(rec, hAllowGet)
		} else if p == "/healthz" {
			s.serveHealth(rec, r)
		} else if s.promH != nil {
			s.promH.ServeHTTP(rec, r)
		} else {
			s.writeError(&httpResp{w: rec, head: r.Method == http.MethodHead}, fmt.Errorf("metrics: %w", agenda.ErrNotFound))
		}
		status, n = rec.result()
	default:
		status, n = s.serveFile(w, r, date)
	}
	s.metrics.request(status, r.Method)
	if s.log.Enabled(r.Context(), slog.LevelInfo) {
		s.logRequest(r.Context(), r.Method, r.URL.Path, r.URL.RawQuery, r.RemoteAddr, status, n, time.Since(start))
	}
}

// logRequest writes one access log line. The duration is duration_ms, as
// in the pass log and /healthz, so that one query reads them all in either
// log format (slog.Duration is text in one and nanoseconds in the other);
// here with microseconds as a fraction, since most answers take less than
// one millisecond and a whole number would log them all as 0.
func (s *Server) logRequest(ctx context.Context, method, path, rawQuery, remote string, status int, n int64, d time.Duration) {
	s.log.LogAttrs(ctx, slog.LevelInfo, "http",
		slog.String("method", method),
		slog.String("path", path),
		slog.String("query", redactQuery(rawQuery)),
		slog.Int("status", status),
		slog.Int64("bytes", n),
		slog.Float64("duration_ms", float64(d.Microseconds())/1000),
		slog.String("remote", remote))
}

// redactQuery hides, for the access log, the values of parameters whose
// names say they hold a credential (token, access_token, api_key,
// password, ...), and any name or value that looks like an admin token
// (af_...), wherever a client put it: credentials must never reach a log.
func redactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "(unparsable)"
	}
	for k, vs := range q {
		if looksLikeToken(k) {
			delete(q, k)
			q["REDACTED"] = append(q["REDACTED"], "")
			continue
		}
		if sensitiveParam(k) || slices.ContainsFunc(vs, looksLikeToken) {
			q[k] = []string{"REDACTED"}
		}
	}
	return q.Encode()
}

// sensitiveParam reports whether a query parameter's name says that its
// value is a credential.
func sensitiveParam(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "password", "passwd", "secret", "client_secret", "api_key", "apikey",
		"auth", "authorization", "credentials", "signature", "sig":
		return true
	}
	return strings.HasSuffix(n, "token")
}

// looksLikeToken reports whether s is, or begins with, an admin token as
// 'agendafeed token' prints them.
func looksLikeToken(s string) bool {
	return len(s) >= 8 && strings.EqualFold(s[:3], "af_")
}

// serveFile serves a published file (or a variant of a calendar).
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, date *httpDate) (int, int64) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		h := w.Header()
		h["Allow"] = hAllow
		h["Access-Control-Allow-Origin"] = hAnyOrigin
		h["Access-Control-Allow-Methods"] = hAllow
		h["Access-Control-Allow-Headers"] = []string{"If-None-Match, If-Modified-Since, If-Match, If-Unmodified-Since"}
		h["Access-Control-Max-Age"] = []string{"86400"}
		w.WriteHeader(http.StatusNoContent)
		return http.StatusNoContent, 0
	default:
		return s.methodNotAllowed(w, hAllow), 0
	}
	o := &httpResp{w: w, head: r.Method == http.MethodHead}
	var ims string
	if v := r.Header["If-Modified-Since"]; len(v) > 0 {
		ims = v[0]
	}
	var ius string
	if v := r.Header["If-Unmodified-Since"]; len(v) > 0 {
		ius = v[0]
	}
	q := fileReq{
		path: r.URL.Path,
		im:   r.Header["If-Match"],
		ius:  ius,
		inm:  r.Header["If-None-Match"],
		ims:  ims,
		gzip: acceptsGzip(r.Header["Accept-Encoding"]),
		date: date,
	}
	return s.serveLookup(r.Context(), o, &q, r.URL.RawQuery)
}

// fileReq is what serving a file reads from a GET or HEAD, the same from
// either front end.
type fileReq struct {
	path string
	im   []string  // If-Match field lines
	ius  string    // If-Unmodified-Since
	inm  []string  // If-None-Match field lines
	ims  string    // If-Modified-Since
	gzip bool      // Accept-Encoding allows gzip
	date *httpDate // the second's Date: the latest Last-Modified it allows
}

// resp is where a file response goes: net/http's ResponseWriter
// (httpResp) or fasthttp's RequestCtx (fastResp, fast.go). Header values
// are the entry's precomputed slices; send and sendFile write the status
// line, the headers and, unless the request is HEAD or the status has
// none, the body.
type resp interface {
	header(k string, v []string)
	drop(k string)
	send(code int, body []byte) int64
	sendFile(body io.ReadCloser, size int64) int64 // closes body
	// sendfileMin is the smallest in-memory body worth sending from its
	// file instead (sendfile, no copy through user space), 0 for never,
	// and the connection it would go on.
	sendfileMin() (int, net.Conn)
}

// httpResp is a resp over net/http.
type httpResp struct {
	w    http.ResponseWriter
	head bool
}

func (o *httpResp) header(k string, v []string)  { o.w.Header()[k] = v }
func (o *httpResp) sendfileMin() (int, net.Conn) { return 0, nil }
func (o *httpResp) drop(k string)                { delete(o.w.Header(), k) }

func (o *httpResp) send(code int, body []byte) int64 {
	if o.head {
		// A HEAD's Content-Length is the GET's: net/http would derive it
		// from a body written, but fasthttpadaptor (paths fasthttp would
		// clean, such as //healthz) does not.
		if len(body) > 0 && code != http.StatusNotModified {
			o.w.Header()["Content-Length"] = []string{strconv.Itoa(len(body))}
		}
		o.w.WriteHeader(code)
		return 0
	}
	o.w.WriteHeader(code)
	if len(body) == 0 {
		return 0
	}
	n, _ := o.w.Write(body)
	return int64(n)
}

func (o *httpResp) sendFile(f io.ReadCloser, size int64) int64 {
	defer f.Close()
	o.w.WriteHeader(http.StatusOK)
	if o.head {
		return 0
	}
	// io.Copy hands the *os.File to the connection's ReadFrom: sendfile.
	n, _ := io.Copy(o.w, f)
	return n
}

// serveLookup answers a GET or HEAD of a path: the file, a variant of it,
// a redirect to a directory's page, or an error.
func (s *Server) serveLookup(ctx context.Context, o resp, q *fileReq, rawQuery string) (int, int64) {
	e, redirect, err := s.lookup(ctx, q.path, rawQuery)
	switch {
	case err != nil:
		return s.writeError(o, err)
	case redirect != "":
		o.header("Location", []string{redirect})
		return http.StatusMovedPermanently, o.send(http.StatusMovedPermanently, nil)
	}
	return s.serveEntry(o, q, e)
}

// lookup maps a request path (and query) to the entry that answers it, or
// to the directory its path names without the final slash.
func (s *Server) lookup(ctx context.Context, path, rawQuery string) (e *entry, redirect string, err error) {
	t := s.current()
	// Only under the base path: stripping it once, the key of series
	// "agenda" under base /agenda/ is agenda/…, never the all-series file.
	key, under := strings.CutPrefix(path, s.base)
	if !under {
		if path+"/" == s.base {
			return nil, s.base, nil // the base without its slash, as typed
		}
		return nil, "", fmt.Errorf("%s: %w", path, agenda.ErrNotFound)
	}
	if key == "" || strings.HasSuffix(key, "/") {
		key += string(feeds.Page)
	}
	e, ok := t.files[key]
	if slug, name, isSession := (feeds.Layout{}).ParseSessionPath(key); isSession && (rawQuery != "" || !ok && s.sessions != nil) {
		e, err = s.sessionVariant(ctx, t, slug, name, e, rawQuery)
		return e, "", err
	}
	if !ok {
		if _, dir := t.files[key+"/"+string(feeds.Page)]; dir && !strings.HasSuffix(path, "/") {
			return nil, path + "/", nil
		}
		return nil, "", fmt.Errorf("%s: %w", path, agenda.ErrNotFound)
	}
	if rawQuery != "" && (key == string(feeds.Calendar) || strings.HasSuffix(key, "/"+string(feeds.Calendar)) && strings.Count(key, "/") == 1) {
		e, err = s.variant(ctx, t, key, e, rawQuery)
		return e, "", err
	}
	return e, "", nil
}

// serveEntry writes one entry's headers and, for GET, body.
func (s *Server) serveEntry(o resp, q *fileReq, e *entry) (int, int64) {
	o.header("Cache-Control", s.hCache)
	o.header("Vary", hVary)
	o.header("X-Content-Type-Options", hNosniff)
	o.header("Access-Control-Allow-Origin", hAnyOrigin)
	o.header("Access-Control-Expose-Headers", hExpose)
	h := e.hdrs()
	if h.hLastMod != nil {
		// Never later than the Date (RFC 9110 section 8.8.2.1): a date
		// the Date has not reached (a version published a second past
		// the previous one within that one's second, or this second
		// while fasthttp's Date lags) is sent as the latest the Date
		// allows. notModified still compares the stored date, so a
		// client revalidating with the date it was given gets the bytes
		// again, never 304 for bytes it may not have.
		if e.modTime.Unix() > q.date.lmSec {
			o.header("Last-Modified", q.date.lm)
		} else {
			o.header("Last-Modified", h.hLastMod)
		}
	}

	var gz *gzBody
	if q.gzip {
		if g, err := e.gzipped(); err == nil && g.use {
			gz = g
		}
	}
	etag, hETag := e.etag, h.hETag
	if gz != nil {
		etag, hETag = h.etagGz, h.hETagGz
	}
	o.header("Etag", hETag)
	if preconditionFailed(q.im, q.ius, etag, e.modTime) {
		// Not a representation: nothing a cache may keep or reuse.
		o.header("Cache-Control", hNoStore)
		o.header("Content-Type", hText)
		return http.StatusPreconditionFailed, o.send(http.StatusPreconditionFailed, preconditionBody)
	}
	if notModified(q.inm, q.ims, etag, e.modTime) {
		return http.StatusNotModified, o.send(http.StatusNotModified, nil)
	}
	o.header("Content-Type", h.hType)
	if gz != nil {
		o.header("Content-Encoding", hGzip)
		o.header("Content-Length", gz.hLen)
		return http.StatusOK, o.send(http.StatusOK, gz.b)
	}
	body, inMem, fresh, err := e.memBody()
	if err != nil {
		return s.fileError(o, q.path, e, fmt.Errorf("read %s: %w", q.path, err))
	}
	if inMem {
		if !fresh { // bytes moved under us: no validators for them
			o.drop("Etag")
			o.drop("Last-Modified")
			o.header("Content-Length", []string{strconv.Itoa(len(body))})
		} else {
			s.missing.found(e.rel)
			o.header("Content-Length", h.hLen)
			if m, conn := o.sendfileMin(); m > 0 && len(body) >= m {
				if f := e.verifiedFile(conn); f != nil {
					return http.StatusOK, o.sendFile(f, int64(len(body)))
				}
			}
		}
		return http.StatusOK, o.send(http.StatusOK, body)
	}
	_, conn := o.sendfileMin()
	f, size, fresh, err := e.largeBody(conn)
	if err != nil {
		return s.fileError(o, q.path, e, fmt.Errorf("open %s: %w", q.path, err))
	}
	if fresh {
		s.missing.found(e.rel)
		o.header("Content-Length", h.hLen)
	} else { // not the manifest's bytes: no validators for them
		o.drop("Etag")
		o.drop("Last-Modified")
		o.header("Content-Length", []string{strconv.FormatInt(size, 10)})
	}
	return http.StatusOK, o.sendFile(f, size)
}

// fileError answers a published file that could not be read: 503 when it
// is missing on disk (fileMissing), else 500 without the file's
// validators or a max-age.
func (s *Server) fileError(o resp, reqPath string, e *entry, err error) (int, int64) {
	if errors.Is(err, fs.ErrNotExist) {
		return s.fileMissing(o, reqPath, e, err)
	}
	o.drop("Etag")
	o.drop("Last-Modified")
	o.header("Cache-Control", hNoStore)
	return s.writeError(o, err)
}

// variant returns a subscriber variant of a calendar, from the cache when
// the series' revision has not moved, or base itself when the query asks
// for no change.
func (s *Server) variant(ctx context.Context, t *table, key string, base *entry, rawQuery string) (*entry, error) {
	v, any, err := parseQuery(rawQuery, ParseVariant)
	if err != nil {
		return nil, err
	}
	if !any {
		return base, nil
	}
	slug, _, _ := strings.Cut(key, "/")
	if s.variants == nil {
		return nil, fmt.Errorf("/%s: variants: %w", key, agenda.ErrNotFound)
	}
	rev := t.version // the all-series calendar moves with any series
	if slug == string(feeds.Calendar) {
		slug = ""
	} else {
		rev = t.revs[slug]
	}
	ck := slug + "\x00" + strconv.FormatInt(rev, 10) + "\x00" + v.Query()
	e, err := s.cachedVariant(ctx, ck, slug+"\x00"+v.Query(), base.modTime, func(ctx context.Context) ([]byte, bool, error) {
		b, rendered, err := s.variants.Calendar(ctx, slug, v)
		// A series' variant is kept only under the revision it shows, as
		// a session's calendar is (see session). The all-series one is
		// keyed by the manifest's version, which no restore takes back.
		return b, slug == "" || rendered == rev, err
	})
	if err != nil {
		return nil, fmt.Errorf("calendar variant of %q: %w", slug, err)
	}
	return e, nil
}

// parseQuery reads a calendar's raw query with parse (ParseVariant, or
// ParseSessionVariant for one session's calendar).
func parseQuery(rawQuery string, parse func(url.Values) (Variant, bool, error)) (Variant, bool, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return Variant{}, true, queryError(rawQuery)
	}
	return parse(q)
}

// queryError says which name=value pair of a query url.ParseQuery refused,
// and why: a raw ';' (a speaker "Smith, John; Jr", a typo "15m;1d") or a
// '%' not followed by two hex digits. Its answer alone ("invalid
// semicolon separator in query") named neither the parameter nor the fix.
func queryError(rawQuery string) error {
	for pair := range strings.SplitSeq(rawQuery, "&") {
		name, value, _ := strings.Cut(pair, "=")
		field := name
		if n, err := url.QueryUnescape(name); err == nil {
			field = n
		}
		var e *agenda.FieldError
		switch {
		case strings.Contains(pair, ";"):
			e = &agenda.FieldError{Field: paramName(field), Value: value,
				Msg: "a ';' must be written %3B in a URL; expected name=value pairs separated by '&'"}
		case badEscape(name):
			e = &agenda.FieldError{Field: "query", Value: name,
				Msg: "a parameter name with a '%' not followed by two hex digits; write a '%' as %25"}
		case badEscape(value):
			e = &agenda.FieldError{Field: paramName(field), Value: value,
				Msg: "a '%' not followed by two hex digits; write a '%' as %25"}
		default:
			continue
		}
		// A credential sent where it does not belong is not repeated, as
		// in ParseVariant's answers; the pair is not decoded here, so any
		// "af_" in it counts.
		if sensitiveParam(field) || containsFold(pair, "af_") {
			e.Value = "REDACTED"
		}
		return e
	}
	shown := rawQuery
	if containsFold(rawQuery, "af_") || containsFold(rawQuery, "token") {
		shown = "REDACTED"
	}
	return &agenda.FieldError{Field: "query", Value: shown, Msg: "expected name=value pairs separated by '&'"}
}

// containsFold reports whether s holds sub in any case (sub is ASCII).
func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), sub)
}

// badEscape reports whether s has a '%' that does not start a %XX escape.
func badEscape(s string) bool {
	_, err := url.QueryUnescape(s)
	return err != nil
}

// cachedVariant returns the variant cached under ck, or renders it through
// the gate (one render per key in flight, a bounded number at once) and
// caches it. id names the variant whatever the revision, for its
// Last-Modified: the previous render's if the bytes are the same, else
// modTime, the series calendar's (lastMods.date). render's bool says
// whether its bytes belong under ck: those rendered from a store at
// another revision than ck names are answered, not kept.
func (s *Server) cachedVariant(ctx context.Context, ck, id string, modTime time.Time, render func(ctx context.Context) ([]byte, bool, error)) (*entry, error) {
	if e := s.vcache.get(ck); e != nil {
		return e, nil
	}
	// The listener's requests share the server's context, which ends only
	// at shutdown: the wait needs a bound of its own.
	ctx, cancel := context.WithTimeout(ctx, maxVariantWait)
	defer cancel()
	return s.vgate.do(ctx, ck, func(ctx context.Context) (*entry, error) {
		if e := s.vcache.peek(ck); e != nil {
			return e, nil // rendered by a flight that ended as this began
		}
		b, keep, err := render(ctx)
		if err != nil {
			return nil, err
		}
		e := s.vdates.memEntry(id, b, modTime)
		if keep {
			s.vcache.put(ck, e, int64(len(b)))
		}
		return e, nil
	})
}

// sessionVariant answers a session's calendar path with a query, or one
// the manifest does not list (session_calendars: served): the published
// file (base) when the query asks for no change, else rendered on request.
func (s *Server) sessionVariant(ctx context.Context, t *table, slug, name string, base *entry, rawQuery string) (*entry, error) {
	path := (feeds.Layout{}).SessionPath(slug, name)
	v, any, err := parseQuery(rawQuery, ParseSessionVariant)
	if err != nil {
		return nil, err
	}
	if !any {
		if base != nil {
			return base, nil
		}
		if s.sessions == nil {
			return nil, fmt.Errorf("/%s: %w", path, agenda.ErrNotFound)
		}
		return s.session(ctx, t, slug, name)
	}
	rev, published := t.revs[slug]
	cal := t.files[(feeds.Layout{}).SeriesPath(slug, feeds.Calendar)]
	// Files mode: only a published session has variants; served mode: the
	// renderer says whether the session exists.
	if !published || cal == nil || s.variants == nil || base == nil && s.sessions == nil {
		return nil, fmt.Errorf("/%s: %w", path, agenda.ErrNotFound)
	}
	ck := slug + "\x00" + strconv.FormatInt(rev, 10) + "\x00" + v.Query() + "\x00session=" + name
	e, err := s.cachedVariant(ctx, ck, slug+"\x00"+v.Query()+"\x00session="+name, cal.modTime, func(ctx context.Context) ([]byte, bool, error) {
		b, rendered, err := s.variants.Session(ctx, slug, name, v)
		return b, rendered == rev, err
	})
	if err != nil {
		return nil, fmt.Errorf("calendar variant of session %q of %q: %w", name, slug, err)
	}
	return e, nil
}

// session returns the calendar of one session of a published series,
// rendered on request and cached until the series is published again.
// Renders go through a gate of their own (sessions take a millisecond,
// variants up to seconds: neither waits behind the other): each reads
// its series' whole snapshot from the store's few reader connections,
// and unbounded, a crawler's misses took them all, so that a pass (one
// read per series) waited behind the queue: 16-23 s instead of 1.7 s
// for a one-series edit under 64 connections of misses.
func (s *Server) session(ctx context.Context, t *table, slug, name string) (*entry, error) {
	rev, published := t.revs[slug]
	cal := t.files[(feeds.Layout{}).SeriesPath(slug, feeds.Calendar)]
	if !published || cal == nil {
		return nil, fmt.Errorf("/%s: %w", (feeds.Layout{}).SessionPath(slug, name), agenda.ErrNotFound)
	}
	ck := slug + "\x00" + strconv.FormatInt(rev, 10) + "\x00" + name
	if e := s.scache.get(ck); e != nil {
		return e, nil
	}
	// As in cachedVariant: the listener's requests share the server's
	// context, so the wait needs a bound of its own.
	ctx, cancel := context.WithTimeout(ctx, maxVariantWait)
	defer cancel()
	e, err := s.sgate.do(ctx, ck, func(ctx context.Context) (*entry, error) {
		if e := s.scache.peek(ck); e != nil {
			return e, nil // rendered by a flight that ended as this began
		}
		b, rendered, err := s.sessions.Session(ctx, slug, name, Variant{})
		if err != nil {
			return nil, err
		}
		// The series' calendar moves whenever any of its sessions does:
		// a session's new bytes are dated by it (lastMods.date).
		e := s.sdates.memEntry(slug+"\x00"+name, b, cal.modTime)
		// Kept only under the revision they show. The store is ahead of
		// the table between an edit and its pass, and can be behind it:
		// a restart serves the previous run's manifest until its first
		// pass, whose revisions, after a restore, are ahead of the
		// store's, and later edits reach them again with other bytes.
		if rendered == rev {
			s.scache.put(ck, e, int64(len(b)))
		}
		return e, nil
	})
	if err != nil {
		return nil, fmt.Errorf("calendar of session %q of %q: %w", name, slug, err)
	}
	return e, nil
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
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, agenda.ErrUnavailable):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// writeError answers with err's status and a plain-text message: the
// error itself for client errors, a generic one (the error is logged) for
// server errors.
func (s *Server) writeError(o resp, err error) (int, int64) {
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
	o.header("Content-Type", hText)
	o.header("X-Content-Type-Options", hNosniff)
	o.header("Access-Control-Allow-Origin", hAnyOrigin)
	return code, o.send(code, []byte(msg+"\n"))
}

// apiErrorJSON is an error the server gives under /api/v1/ without the API
// (it is off, or the body is over the server's limit), in the API's format
// (docs/api.md: every error is JSON), so that API clients parse one format.
// The server cannot import internal/api (whose tests run the whole app).
func apiErrorJSON(msg string) []byte {
	data, err := json.MarshalIndent(struct {
		Error string `json:"error"`
	}{msg}, "", "  ")
	if err != nil {
		// A struct of one string always encodes.
		return []byte(`{"error": "internal error"}` + "\n")
	}
	return append(data, '\n')
}

// apiOff answers any request under /api/v1/ when the admin API is off.
const apiOff = "the admin API is not enabled: set admin_tokens in the configuration (or AGENDAFEED_ADMIN_TOKENS) to enable it"

// methodNotAllowed answers 405; allow lists exactly the methods the
// endpoint answers.
func (s *Server) methodNotAllowed(w http.ResponseWriter, allow []string) int {
	h := w.Header()
	h["Allow"] = allow
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
