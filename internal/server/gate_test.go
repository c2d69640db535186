package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// until waits for cond, which the goroutines under test make true.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; !cond(); i++ {
		if i > 30_000 { // a generous bound for a busy machine, not a timing
			t.Fatalf("never: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// inFlight is the number of the gate's renders in flight and of requests
// waiting for them.
func (g *renderGate) inFlight() (renders, waiters int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, f := range g.flights {
		renders++
		waiters += f.waiters
	}
	return renders, waiters
}

// Sessions rendered on request (session_calendars: served) never render
// more than defaultSessionRenders at once, and identical requests share
// one render. Each render reads its series' snapshot from the store's
// few reader connections: unbounded, a crawler's misses held them all
// and a pass waited behind them (a one-series edit's pass took 16-23 s
// instead of 1.7 s under 64 connections of misses at 1,000 series of 100
// sessions).
func TestSessionRendersBounded(t *testing.T) {
	bothFrontsWith(t, fixtureConfig{sessions: true}, func(t *testing.T, f *fixture) {
		f.sessions.hold = make(chan struct{})
		targets := []string{
			"/madrid/sessions/k0.ics", "/madrid/sessions/k1.ics", "/tunis/sessions/k0.ics",
			"/madrid/sessions/k1.ics", "/madrid/sessions/k1.ics",
		}
		var wg sync.WaitGroup
		for _, target := range targets {
			wg.Go(func() {
				if w := f.do(t, "GET", target); w.Code != 200 {
					t.Errorf("%s: %d", target, w.Code)
				}
			})
		}
		until(t, "every request waiting, the slots full", func() bool {
			renders, waiting := f.srv.sgate.inFlight()
			return renders == 3 && waiting == len(targets) && f.sessions.active.Load() == defaultSessionRenders
		})
		close(f.sessions.hold)
		wg.Wait()
		if n := f.sessions.calls.Load(); n != 3 {
			t.Errorf("%d renders for 3 sessions, want 3", n)
		}
		if m := f.sessions.maxActive.Load(); m > defaultSessionRenders {
			t.Errorf("%d renders at once, want at most %d", m, defaultSessionRenders)
		}
		// Cached: asked again, none renders.
		for _, target := range targets {
			f.do(t, "GET", target)
		}
		if n := f.sessions.calls.Load(); n != 3 {
			t.Errorf("%d renders after asking again, want 3", n)
		}
	})
}

// Identical variant requests in flight share one render, even of a
// variant too big for the cache (over 8 MB of its 32 MB).
func TestIdenticalVariantsRenderOnce(t *testing.T) {
	bothFronts(t, true, func(t *testing.T, f *fixture) {
		f.vars.pad = 9 << 20
		f.vars.hold = make(chan struct{})
		const target = "/calendar.ics?reminders=15m"
		var wg sync.WaitGroup
		codes := make([]int, 5)
		bodies := make([]int, 5)
		for i := range codes {
			wg.Go(func() {
				w := f.do(t, "GET", target)
				codes[i], bodies[i] = w.Code, w.Body.Len()
			})
		}
		until(t, "5 requests waiting for one render", func() bool {
			_, waiting := f.srv.vgate.inFlight()
			return waiting == 5
		})
		close(f.vars.hold)
		wg.Wait()
		for i := range codes {
			if codes[i] != 200 || bodies[i] < 9<<20 {
				t.Errorf("request %d: %d, %d bytes", i, codes[i], bodies[i])
			}
		}
		if n := f.vars.calls.Load(); n != 1 {
			t.Errorf("%d renders for 5 identical requests, want 1", n)
		}
	})
}

// Different variant requests never render more than VariantRenders at
// once; the others wait for a slot.
func TestVariantRendersBounded(t *testing.T) {
	bothFronts(t, true, func(t *testing.T, f *fixture) {
		f.vars.hold = make(chan struct{})
		targets := []string{
			"/calendar.ics?reminders=15m", "/calendar.ics?reminders=1h", "/madrid/calendar.ics?reminders=1d",
			"/madrid/calendar.ics?tag=housing", "/tunis/calendar.ics?speaker=Ada", "/tunis/calendar.ics?reminders=none",
		}
		var wg sync.WaitGroup
		for _, target := range targets {
			wg.Go(func() {
				if w := f.do(t, "GET", target); w.Code != 200 {
					t.Errorf("%s: %d", target, w.Code)
				}
			})
		}
		until(t, "every request waiting, the slots full", func() bool {
			renders, _ := f.srv.vgate.inFlight()
			return renders == len(targets) && f.vars.active.Load() == defaultVariantRenders
		})
		close(f.vars.hold)
		wg.Wait()
		if n := f.vars.calls.Load(); n != int32(len(targets)) {
			t.Errorf("%d renders, want %d", n, len(targets))
		}
		if m := f.vars.maxActive.Load(); m > defaultVariantRenders {
			t.Errorf("%d renders at once, want at most %d", m, defaultVariantRenders)
		}
	})
}

// A request waiting for a slot gives up when its context ends (503), and
// the render nobody waits for any more never runs. Handler only: the
// listener's requests run under the server's context.
func TestVariantWaitHonoursContext(t *testing.T) {
	f := newFixture(t, true)
	f.vars.hold = make(chan struct{})
	var wg sync.WaitGroup
	for _, target := range []string{"/calendar.ics?reminders=15m", "/calendar.ics?reminders=1h"} {
		wg.Go(func() { f.do(t, "GET", target) })
	}
	until(t, "the slots full", func() bool { return f.vars.active.Load() == defaultVariantRenders })

	ctx, cancel := context.WithCancel(context.Background())
	r := httptest.NewRequestWithContext(ctx, "GET", "/madrid/calendar.ics?reminders=1d", nil)
	w := httptest.NewRecorder()
	done := make(chan struct{})
	go func() { f.srv.Handler().ServeHTTP(w, r); close(done) }()
	until(t, "the third request waiting", func() bool {
		renders, _ := f.srv.vgate.inFlight()
		return renders == 3
	})
	cancel()
	<-done
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("a request that gave up waiting: %d, want 503", w.Code)
	}
	close(f.vars.hold)
	wg.Wait()
	until(t, "the abandoned render gone", func() bool {
		renders, _ := f.srv.vgate.inFlight()
		return renders == 0
	})
	if n := f.vars.calls.Load(); n != 2 {
		t.Errorf("%d renders, want 2: the abandoned one must not run", n)
	}
	// Asked again, it renders afresh.
	if w := f.do(t, "GET", "/madrid/calendar.ics?reminders=1d"); w.Code != 200 {
		t.Errorf("after giving up, asked again: %d", w.Code)
	}
}
