package server

import (
	"errors"
	"strconv"
	"sync"

	"github.com/agendafeed/agendafeed/internal/publish"
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are agendafeed's Prometheus metrics. The server records HTTP
// requests; the app calls ObservePass after every regeneration pass:
//
//	m := server.NewMetrics(reg) // or srv.Metrics()
//	res, err := pub.Pass(ctx, false)
//	m.ObservePass(res, err)
type Metrics struct {
	passes       *prometheus.CounterVec
	passDuration prometheus.Histogram
	filesWritten prometheus.Counter
	requests     *prometheus.CounterVec
	missing      prometheus.Counter
	missingGauge prometheus.Gauge
	reqCache     sync.Map // reqKey -> prometheus.Counter
}

type reqKey struct {
	code   int
	method string
}

// NewMetrics registers the metrics in reg (a private registry if nil). It
// panics if they are already registered there: call it once per registry.
func NewMetrics(reg *prometheus.Registry) *Metrics {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m := &Metrics{
		passes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agendafeed_passes_total", Help: "Regeneration passes by result (ok; superseded: ok, the all-series files left for the next pass, which has a newer edit; error; panic).",
		}, []string{"result"}),
		passDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "agendafeed_pass_duration_seconds", Help: "Duration of regeneration passes.",
			Buckets: []float64{.001, .005, .01, .05, .1, .5, 1, 2.5, 5, 10, 30, 60},
		}),
		filesWritten: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "agendafeed_files_written_total", Help: "Published files written (bytes changed).",
		}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agendafeed_http_requests_total", Help: "HTTP requests by status code and method.",
		}, []string{"code", "method"}),
		missing: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "agendafeed_missing_files_total", Help: "Published files found missing on disk, each counted once per manifest version (each asked for a repair).",
		}),
		missingGauge: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "agendafeed_missing_files", Help: "Published files known to be missing on disk now (answered 503 until repaired).",
		}),
	}
	reg.MustRegister(m.passes, m.passDuration, m.filesWritten, m.requests, m.missing, m.missingGauge)
	for _, r := range []string{"ok", "superseded", "error", "panic"} {
		m.passes.WithLabelValues(r) // present at 0 from the start
	}
	return m
}

// ObservePass records one pass: its result, duration and files written.
func (m *Metrics) ObservePass(res publish.Result, err error) {
	var pe *publish.PanicError
	switch {
	case err == nil && res.Superseded:
		m.passes.WithLabelValues("superseded").Inc()
	case err == nil:
		m.passes.WithLabelValues("ok").Inc()
	case errors.As(err, &pe):
		m.passes.WithLabelValues("panic").Inc()
	default:
		m.passes.WithLabelValues("error").Inc()
	}
	m.passDuration.Observe(res.Duration.Seconds())
	m.filesWritten.Add(float64(res.FilesWritten))
}

// missingFile counts a published file found missing; n are missing now.
func (m *Metrics) missingFile(n int64) {
	m.missing.Inc()
	m.missingGauge.Set(float64(n))
}

// missingNow sets how many published files are known to be missing.
func (m *Metrics) missingNow(n int64) { m.missingGauge.Set(float64(n)) }

// request counts one HTTP request; counters are cached per label pair.
func (m *Metrics) request(code int, method string) {
	method = methodLabel(method)
	k := reqKey{code, method}
	if c, ok := m.reqCache.Load(k); ok {
		c.(prometheus.Counter).Inc()
		return
	}
	c := m.requests.WithLabelValues(strconv.Itoa(code), method)
	m.reqCache.Store(k, c)
	c.Inc()
}

// methodLabel bounds the method label's values. It returns constants, never
// the caller's string: the label is kept, and a request's strings may view
// buffers that are reused (fast.go).
func methodLabel(m string) string {
	switch m {
	case "GET":
		return "GET"
	case "HEAD":
		return "HEAD"
	case "OPTIONS":
		return "OPTIONS"
	case "POST":
		return "POST"
	case "PUT":
		return "PUT"
	case "PATCH":
		return "PATCH"
	case "DELETE":
		return "DELETE"
	}
	return "other"
}
