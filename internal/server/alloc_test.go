package server

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"testing"

	"github.com/valyala/fasthttp"
)

// The listener's hot paths, a full 200 of a file held in memory and a
// 304, allocate no more per request than they did before preconditions
// were evaluated: q's If-None-Match buffer (1), and the full 200's
// Content-Length (1).
func TestServeFastAllocations(t *testing.T) {
	f := newFixture(t, false)
	f.srv.log = slog.New(slog.DiscardHandler) // the access log allocates; it is not under test
	_, fi := f.file(t, "madrid/calendar.ics")
	for _, tc := range []struct {
		name   string
		hdr    []string
		want   int
		allocs float64
	}{
		{"full", nil, 200, 2},
		{"304", []string{"If-None-Match", fi.ETag}, 304, 1},
		{"if-unmodified-since 304", []string{"If-Unmodified-Since", t0.Format(http.TimeFormat), "If-None-Match", fi.ETag}, 304, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ctx fasthttp.RequestCtx
			var req fasthttp.Request
			req.SetRequestURI("/madrid/calendar.ics")
			for i := 0; i+1 < len(tc.hdr); i += 2 {
				req.Header.Add(tc.hdr[i], tc.hdr[i+1])
			}
			ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}, nil)
			base := context.Background()
			serve := func() {
				ctx.Response.Reset()
				if !f.srv.serveFast(base, &ctx) || ctx.Response.StatusCode() != tc.want {
					t.Fatalf("status %d, want %d", ctx.Response.StatusCode(), tc.want)
				}
			}
			serve() // loads the body, builds the headers
			if n := testing.AllocsPerRun(100, serve); n > tc.allocs {
				t.Errorf("%v allocations per request, want at most %v", n, tc.allocs)
			}
		})
	}
}
