package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"
	"unsafe"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"
)

// Why fasthttp on the listener: calendar apps and feed readers poll, so
// almost every request is a GET or a conditional GET of a published file,
// answered from memory. Under net/http that path cost about twice nginx's
// CPU per request (header map, sorting, two writes per response; see
// docs/performance.md) and reached 55-78% of nginx's rate. fasthttp reuses
// its request and response objects and writes headers and body with one
// write(2), and reaches nginx's rate or beats it.
//
// Only that path is written against fasthttp (serveFast): a GET or HEAD of a
// published file or calendar variant. Everything else (the admin API,
// /healthz, /metrics, OPTIONS, other methods, paths fasthttp would
// normalise) goes through fasthttpadaptor to the same net/http handler that
// Handler returns, so there is one implementation of each behaviour, and
// serveEntry (server.go) is shared by both.

// Listener limits. The header limit is also fasthttp's per-connection read
// buffer, so it is 16 KiB (nginx's default allows 4 lines of 8 KiB).
const (
	// headerTimeout runs from a request's first byte to its last header;
	// a new connection's first byte is waited for up to idleTimeout
	// (firstbyte.go).
	headerTimeout  = 5 * time.Second
	bodyTimeout    = 30 * time.Second // then for its body, if it has one
	writeTimeout   = 60 * time.Second
	idleTimeout    = 120 * time.Second
	maxHeaderBytes = 16 << 10
	// writeBuffer holds headers and body of a typical gzip calendar or
	// feed, so they leave in one write(2) (and one TCP segment train).
	writeBuffer = 32 << 10
	// defaultMaxRequestBody bounds what the listener reads before the
	// handler sees a request; the API applies its own, smaller limits
	// and names them.
	defaultMaxRequestBody = 32 << 20
	// defaultVariantRenders bounds the calendar variants rendered at
	// once: each is held whole in memory (~141 MB for the all-series
	// calendar at 100,000 sessions), and rendering is CPU-bound, so more
	// than the 2 cores of a small server gains nothing.
	defaultVariantRenders = 2
	// defaultSessionRenders bounds the session calendars rendered on
	// request at once (session_calendars: served), below the store's
	// reader connections (4), so that a crawler's misses leave readers
	// to passes, /healthz and the API; rendering is CPU-bound, so more
	// gains nothing on 2 cores.
	defaultSessionRenders = 2
	// maxVariantWait bounds how long a request waits for its variant
	// (a slot, then the render); past it, 503.
	maxVariantWait = 30 * time.Second
	// maxIdleFiles bounds the open files kept for sendfile (fdpool.go).
	maxIdleFiles = 4096
)

// fastServer builds the listener's server. base is the context requests
// run under, not fasthttp's RequestCtx: fasthttp recycles that once the
// handler returns, while database/sql watches a query's context from a
// goroutine of its own (and in fasthttp v1.70.0 its Done raced with
// Shutdown: -race caught it; v1.76.0 reads it atomically).
func (s *Server) fastServer(base context.Context) *fasthttp.Server {
	slow := fasthttpadaptor.NewFastHTTPHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer s.recoverSlow(r)
		s.ServeHTTP(w, detach(r, base))
	}))
	return &fasthttp.Server{
		Handler: func(ctx *fasthttp.RequestCtx) {
			if s.serveFast(base, ctx) {
				return
			}
			// fasthttpadaptor answers a target net/url rejects (such as
			// /api/v1/%zz) with a 500, after logging the whole URI, query
			// and all, through the server's Logger: refuse it here.
			if _, err := url.ParseRequestURI(b2s(ctx.RequestURI())); err != nil {
				s.refuse(ctx, http.StatusBadRequest, reasonTarget)
				return
			}
			slow(ctx)
		},
		ErrorHandler: s.fastError,
		ReadTimeout:  s.timeouts.header,
		HeaderReceived: func(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
			if h.ContentLength() == 0 {
				return fasthttp.RequestConfig{} // no body: keep the header deadline
			}
			return fasthttp.RequestConfig{ReadTimeout: bodyTimeout}
		},
		WriteTimeout:          writeTimeout,
		IdleTimeout:           s.timeouts.idle,
		ReadBufferSize:        maxHeaderBytes,
		WriteBufferSize:       writeBuffer,
		MaxRequestBodySize:    s.maxRequestBody,
		NoDefaultServerHeader: true,
		NoDefaultContentType:  true,
		CloseOnShutdown:       true,
		// Without it, fasthttp's errors for a request it cannot read
		// quote the whole buffer read so far, Authorization header and
		// all. fastError and fastLogger never print those errors'
		// text anyway (some quote a header line even with it); this
		// keeps the bytes out of the errors themselves.
		SecureErrorLogMessage: true,
		Logger:                fastLogger{s.log},
	}
}

// serveFast answers a GET or HEAD of a published file; false hands the
// request to the net/http handler.
func (s *Server) serveFast(base context.Context, ctx *fasthttp.RequestCtx) bool {
	start := time.Now()
	var method string
	switch {
	case ctx.IsGet():
		method = http.MethodGet
	case ctx.IsHead():
		method = http.MethodHead
	default:
		return false
	}
	uri := ctx.URI()
	p := ctx.Path()
	// fasthttp decodes and cleans the path (%2F, "..", "//"); net/http
	// does not clean it. Serving only paths that needed neither keeps the
	// two front ends answering alike.
	if !bytes.Equal(uri.PathOriginal(), p) {
		return false
	}
	path := b2s(p)
	if path == "/healthz" || path == "/metrics" || strings.HasPrefix(path, "/api/") {
		return false
	}
	rawQuery := ""
	if qs := uri.QueryString(); len(qs) > 0 {
		// A variant's parameters end up in cache keys and renderers:
		// give them strings of their own.
		path, rawQuery = string(p), string(qs)
	}

	var inmBuf, aeBuf [2]string
	// PeekAll reuses one slice: each result is viewed as strings before
	// the next call.
	q := fileReq{
		path: path,
		ius:  b2s(ctx.Request.Header.Peek("If-Unmodified-Since")),
		inm:  fields(inmBuf[:0], ctx.Request.Header.PeekAll("If-None-Match")),
		ims:  b2s(ctx.Request.Header.Peek("If-Modified-Since")),
	}
	// Rare (a client updating what it holds): its slice is allocated only
	// when sent, since q's buffers end up on the heap.
	if lines := ctx.Request.Header.PeekAll("If-Match"); len(lines) > 0 {
		q.im = fields(make([]string, 0, len(lines)), lines)
	}
	q.gzip = acceptsGzip(fields(aeBuf[:0], ctx.Request.Header.PeekAll("Accept-Encoding")))
	q.date = s.dates.at(start)
	status, n := s.serveLookup(base, fastResp{ctx}, &q, rawQuery)

	s.metrics.request(status, method)
	if s.log.Enabled(base, slog.LevelInfo) {
		s.logRequest(base, method, path, rawQuery, ctx.RemoteAddr().String(), status, n, time.Since(start))
	}
	return true
}

// detach returns a copy of r whose strings are its own, under ctx.
// fasthttpadaptor's request views fasthttp's buffers (method, URI, host,
// header keys and values), which fasthttp reuses once the handler returns;
// the handlers behind it may keep what they read (a metrics label, a
// cache key), so they get copies. Only the slow path pays for this.
func detach(r *http.Request, ctx context.Context) *http.Request {
	d := r.WithContext(ctx)
	d.Method = strings.Clone(r.Method)
	d.Proto = strings.Clone(r.Proto)
	d.Host = strings.Clone(r.Host)
	d.RequestURI = strings.Clone(r.RequestURI)
	if u, err := url.ParseRequestURI(d.RequestURI); err == nil {
		d.URL = u
	}
	d.Header = make(http.Header, len(r.Header))
	for k, vs := range r.Header {
		c := make([]string, len(vs))
		for i, v := range vs {
			c[i] = strings.Clone(v)
		}
		d.Header[strings.Clone(k)] = c
	}
	d.TransferEncoding = nil
	for _, te := range r.TransferEncoding {
		d.TransferEncoding = append(d.TransferEncoding, strings.Clone(te))
	}
	return d
}

// fields views header lines as strings, valid during the request.
func fields(dst []string, lines [][]byte) []string {
	for _, l := range lines {
		dst = append(dst, b2s(l))
	}
	return dst
}

// b2s views b as a string without copying. The string must not outlive
// the request that owns b; serveFast copies what it keeps.
func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// s2b views a string as bytes for fasthttp calls that copy them.
func s2b(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// fastResp is a resp over fasthttp. fasthttp derives Content-Length from
// the body and leaves the body out for HEAD and 304 itself.
type fastResp struct{ ctx *fasthttp.RequestCtx }

func (o fastResp) header(k string, v []string) {
	if k == "Content-Length" || len(v) == 0 {
		return
	}
	// The keys are already canonical: skip fasthttp's normalising copy.
	o.ctx.Response.Header.SetCanonical(s2b(k), s2b(v[0]))
}

func (o fastResp) drop(k string) { o.ctx.Response.Header.Del(k) }

// sendfileMin: a body that does not fit in the write buffer with its
// headers would be copied through it in two or more writes; from its file
// it costs an open, an fstat and one sendfile, as in nginx.
func (o fastResp) sendfileMin() (int, net.Conn) { return writeBuffer, o.ctx.Conn() }

func (o fastResp) send(code int, body []byte) int64 {
	o.ctx.SetStatusCode(code)
	if len(body) > 0 {
		o.ctx.Response.SetBodyRaw(body) // not copied: entry bodies are immutable
	}
	if o.ctx.IsHead() || code == http.StatusNotModified {
		return 0
	}
	return int64(len(body))
}

func (o fastResp) sendFile(f io.ReadCloser, size int64) int64 {
	o.ctx.SetStatusCode(http.StatusOK)
	if o.ctx.IsHead() {
		f.Close()
		o.ctx.Response.Header.SetContentLength(int(size))
		return 0
	}
	// fasthttp writes the stream after the handler returns, then closes
	// it; an *os.File (or a pooledFile) leaves by sendfile.
	o.ctx.Response.SetBodyStream(f, int(size))
	return size
}

// fastError answers requests fasthttp could not read, in the same plain
// text as writeError, or as the API's JSON error when the request is one
// for the API (a body over the limit: the header was read), counts and
// logs them. The answer and the log line say what was wrong in words of
// ours (badRequest), never with the error's text: fasthttp's errors quote
// what they choked on (the header line, a header value, the whole buffer
// read so far), which is where an Authorization header, a cookie or a
// token in the query would be.
func (s *Server) fastError(ctx *fasthttp.RequestCtx, err error) {
	code, reason, _ := badRequest(err, s.maxRequestBody)
	s.refuse(ctx, code, reason)
}

// refuse answers a request the server will not serve with code and
// reason, and logs its status, reason and remote address: nothing the
// client sent.
func (s *Server) refuse(ctx *fasthttp.RequestCtx, code int, reason string) {
	msg := reason
	if code == http.StatusBadRequest {
		msg = "malformed HTTP request: " + reason
	}
	ctx.SetStatusCode(code)
	if strings.HasPrefix(b2s(ctx.Path()), "/api/v1/") {
		ctx.Response.Header.SetCanonical(s2b("Content-Type"), s2b(hJSON[0]))
		ctx.Response.Header.SetCanonical(s2b("X-Content-Type-Options"), s2b(hNosniff[0]))
		ctx.Response.Header.SetCanonical(s2b("Cache-Control"), s2b(hNoStore[0]))
		ctx.SetBody(apiErrorJSON(msg))
	} else {
		ctx.Response.Header.SetCanonical(s2b("Content-Type"), s2b(hText[0]))
		ctx.SetBodyString(msg + "\n")
	}
	s.metrics.request(code, "other")
	s.log.Warn("bad request", "status", code, "reason", reason, "remote", ctx.RemoteAddr().String())
}

// Reasons a request is refused, in the answer and the log.
const (
	reasonTarget    = "malformed request target"
	reasonMalformed = "malformed request"
)

// requestErrors maps what fasthttp's errors for an unreadable request
// begin with (the text before any quoted request bytes) to a reason. Only
// the prefix is compared, and only the reason is ever shown.
var requestErrors = []struct{ prefix, reason string }{
	{"malformed mime header", "malformed header line"},
	{"invalid header key", "malformed header name"},
	{"invalid header value", "malformed header value"},
	{"invalid headers", "header line starts with a space"},
	{"missing required host header", "missing Host header"},
	{"cannot parse content-length", "malformed Content-Length header"},
	{"unsupported http version", "unsupported HTTP version"},
	{"empty hex number", "malformed chunked body"},
	{"too large hex number", "malformed chunked body"},
	{"invalid host", reasonTarget},
	{"invalid port", reasonTarget},
	{"invalid scheme", reasonTarget},
	{"missing ']' in host", reasonTarget},
}

// requestSentinels maps fasthttp's exported errors for an unreadable
// request to a reason.
var requestSentinels = []struct {
	err    error
	reason string
}{
	{fasthttp.ErrMissingRequestMethod, "malformed request line"},
	{fasthttp.ErrUnsupportedRequestMethod, "unsupported method"},
	{fasthttp.ErrExtraWhitespaceInRequestLine, "malformed request line"},
	{fasthttp.ErrEmptyRequestURI, "malformed request line"},
	{fasthttp.ErrDuplicateContentLength, "more than one Content-Length header"},
	{fasthttp.ErrNonNumericChars, "malformed Content-Length header"},
	{fasthttp.ErrUnsupportedTransferEncoding, "unsupported Transfer-Encoding"},
	{fasthttp.ErrorInvalidURI, reasonTarget},
	{fasthttp.ErrBadTrailer, "forbidden trailer field"},
	{io.ErrUnexpectedEOF, "request ended early"},
}

// badRequest says what was wrong with a request fasthttp could not read:
// the status to answer and a reason of the server's own words, safe to
// show and log. known is false for an error it does not recognise, which
// gets 400 and a generic reason.
func badRequest(err error, maxBody int) (code int, reason string, known bool) {
	var small *fasthttp.ErrSmallBuffer
	var chunk fasthttp.ErrBrokenChunk
	var ne net.Error
	switch {
	case errors.As(err, &small):
		return http.StatusRequestHeaderFieldsTooLarge, fmt.Sprintf("request header is over the limit of %d bytes", maxHeaderBytes), true
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is over the limit of %d bytes", maxBody), true
	case errors.As(err, &ne) && ne.Timeout():
		return http.StatusRequestTimeout, "request not received in time", true
	case errors.As(err, &chunk):
		return http.StatusBadRequest, "malformed chunked body", true
	}
	for _, e := range requestSentinels {
		if errors.Is(err, e.err) {
			return http.StatusBadRequest, e.reason, true
		}
	}
	// The header errors wrap the parser's: "error when reading request
	// headers: %w: buffer size=%d". Each layer's text starts with
	// fasthttp's own words.
	for e := err; e != nil; e = errors.Unwrap(e) {
		msg := e.Error()
		for _, r := range requestErrors {
			if strings.HasPrefix(msg, r.prefix) {
				return http.StatusBadRequest, r.reason, true
			}
		}
	}
	return http.StatusBadRequest, reasonMalformed, false
}

// fastLogger sends fasthttp's own messages to the server's log. Their
// format strings are fasthttp's constants, but their arguments may hold
// what a client sent: the error of a request it could not read, or (from
// RequestCtx.Logger, as fasthttpadaptor uses it) the request's full URI.
// So only arguments that cannot carry request bytes are printed as they
// are: numbers and addresses; an error as its reason (badRequest) or the
// network error under it; anything else is replaced.
type fastLogger struct{ log *slog.Logger }

func (l fastLogger) Printf(format string, args ...any) {
	safe := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case error:
			if _, _, known := badRequest(v, 0); known {
				// fasthttp reports the error of a request it could not
				// read twice: to fastError, which answered and logged it
				// with its status and remote address, then here as the
				// connection's error.
				return
			}
			var op *net.OpError
			if errors.As(v, &op) {
				safe[i] = op.Error() // the operation, addresses and system error
			} else {
				safe[i] = fmt.Sprintf("%T (text not logged: it may quote the request)", v)
			}
		case net.Addr:
			safe[i] = v.String()
		case int, int32, int64, uint, uint32, uint64, float32, float64, time.Duration:
			safe[i] = v
		default:
			safe[i] = "[redacted]"
		}
	}
	l.log.Warn("http: " + fmt.Sprintf(format, safe...))
}

// recoverSlow logs a panic of the net/http handler behind fasthttpadaptor
// without the request's headers or query values, then ends the request
// as net/http does (the connection is dropped; the daemon carries on).
// Left to fasthttpadaptor, the panic would be logged with the request's
// full URI, query and all, and then crash the process.
func (s *Server) recoverSlow(r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v != http.ErrAbortHandler {
		s.log.Error("panic serving request", "method", methodLabel(r.Method), "path", r.URL.Path,
			"query", redactQuery(r.URL.RawQuery), "remote", r.RemoteAddr, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	}
	panic(http.ErrAbortHandler)
}

// ListenAndServe serves on addr until ctx ends, then shuts down
// gracefully: it stops accepting, closes idle connections, and waits up to
// 30 s for requests in flight. ready, if not nil, is called with the
// listening address.
func (s *Server) ListenAndServe(ctx context.Context, addr string, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	return s.Serve(ctx, ln, ready)
}

// Serve is ListenAndServe on a listener the caller bound, so that a taken
// address is found before anything else starts; Serve closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener, ready func(net.Addr)) error {
	addr := ln.Addr().String()
	fs := s.fastServer(context.WithoutCancel(ctx))
	ln = newFirstByteListener(ln, s.timeouts.idle, s.refuseConn)
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- fs.Serve(ln) }()
	select {
	case err := <-errc:
		ln.Close()
		return fmt.Errorf("serve %s: %w", addr, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	serr := fs.ShutdownWithContext(sctx)
	// Shutdown closes only the listeners Serve has registered, which it
	// does once its goroutine runs: a stop right after the start came
	// before that, and Serve then accepted forever. Closing ln ends it
	// either way (fasthttp's Serve returns nil for a closed listener).
	ln.Close()
	if serr != nil {
		return fmt.Errorf("shutdown: %w", serr)
	}
	if err := <-errc; err != nil {
		return fmt.Errorf("serve %s: %w", addr, err)
	}
	return nil
}
