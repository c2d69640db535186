package server

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/agendafeed/agendafeed/internal/publish"
	"github.com/agendafeed/agendafeed/internal/publish/publishtest"
)

// discardWriter is a ResponseWriter that keeps nothing, so the benchmarks
// measure the handler rather than httptest.ResponseRecorder's buffering.
type discardWriter struct {
	h    http.Header
	code int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) WriteHeader(code int)        { d.code = code }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

// benchServer publishes one ~100 KB calendar (as bench/serve.sh does) and
// returns the server and the file's identity ETag.
func benchServer(b *testing.B) (*Server, string) {
	b.Helper()
	dir := b.TempDir()
	const per = 300
	src := publishtest.NewGenSource(1, (100<<10)/per)
	p, err := publish.New(publish.Options{Dir: dir, Source: src, Renderer: &publishtest.Renderer{PerSession: per}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := p.Pass(context.Background(), false); err != nil {
		b.Fatal(err)
	}
	s, err := New(Options{Dir: dir, Files: p})
	if err != nil {
		b.Fatal(err)
	}
	return s, p.Manifest().Files["s0000/calendar.ics"].ETag
}

// benchServe runs the handler on one request shape and checks the status.
func benchServe(b *testing.B, s *Server, want int, hdr ...string) {
	r := httptest.NewRequest(http.MethodGet, "/s0000/calendar.ics", nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := &discardWriter{h: http.Header{}}
	s.ServeHTTP(w, r) // warm: loads the body / compresses once
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		w.code = 0
		s.ServeHTTP(w, r)
		if w.code != want {
			b.Fatalf("status %d, want %d", w.code, want)
		}
	}
}

// BenchmarkServeFull: a full 100 KB response from memory.
func BenchmarkServeFull(b *testing.B) {
	s, _ := benchServer(b)
	benchServe(b, s, http.StatusOK)
}

// BenchmarkServe304: If-None-Match matching the current ETag.
func BenchmarkServe304(b *testing.B) {
	s, etag := benchServer(b)
	benchServe(b, s, http.StatusNotModified, "If-None-Match", etag)
}

// BenchmarkServeGzip: Accept-Encoding: gzip, the compressed body kept in memory.
func BenchmarkServeGzip(b *testing.B) {
	s, _ := benchServer(b)
	benchServe(b, s, http.StatusOK, "Accept-Encoding", "gzip")
}

// BenchmarkServeLoopback304 goes through a real connection (net/http
// client and server on loopback): what a 304 costs end to end.
func BenchmarkServeLoopback304(b *testing.B) {
	s, etag := benchServer(b)
	ts := httptest.NewServer(s)
	defer ts.Close()
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/s0000/calendar.ics", nil)
	req.Header.Set("If-None-Match", etag)
	req.Header.Set("Accept-Encoding", "identity") // else the client asks for gzip
	b.ReportAllocs()
	for b.Loop() {
		resp, err := ts.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotModified {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
