package server

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
)

// renderGate merges identical renders in flight and bounds how many run at
// once. A calendar variant is rendered whole in memory: at 100,000
// sessions the all-series calendar is ~141 MB, too big for the variant
// cache, so without the gate a handful of concurrent requests for it would
// each hold a copy and exhaust the daemon's memory.
//
// Not golang.org/x/sync/singleflight (in go.sum through modernc.org/libc,
// not yet a requirement of ours): a singleflight call runs to its end once
// started, so renders queued for a slot would pile up after the requests
// that wanted them were gone; here a render nobody waits for any more is
// cancelled, and the semaphore is the same few lines either way.
type renderGate struct {
	slots chan struct{}

	mu      sync.Mutex
	flights map[string]*flight
}

// flight is one render in progress; the requests waiting for it share its
// result.
type flight struct {
	done chan struct{} // closed when e and err are set
	e    *entry
	err  error
	// waiters counts the requests still waiting (under renderGate.mu);
	// when the last one gives up, cancel stops the render.
	waiters int
	cancel  context.CancelFunc
}

func newRenderGate(slots int) *renderGate {
	return &renderGate{slots: make(chan struct{}, max(slots, 1)), flights: map[string]*flight{}}
}

// do returns render's result for key, joining a render of the same key in
// flight rather than starting another. A render waits for a free slot. It
// runs under a context of its own (ctx's values, not its cancellation),
// cancelled when every request waiting for it has given up; a request
// gives up when its ctx ends, with ctx's error.
func (g *renderGate) do(ctx context.Context, key string, render func(ctx context.Context) (*entry, error)) (*entry, error) {
	g.mu.Lock()
	f, ok := g.flights[key]
	if !ok {
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight{done: make(chan struct{}), cancel: cancel}
		g.flights[key] = f
		go g.run(fctx, key, f, render)
	}
	f.waiters++
	g.mu.Unlock()
	select {
	case <-f.done:
		return f.e, f.err
	case <-ctx.Done():
		g.mu.Lock()
		if f.waiters--; f.waiters == 0 {
			f.cancel()
			// A request arriving now starts afresh rather than joining a
			// cancelled render.
			if g.flights[key] == f {
				delete(g.flights, key)
			}
		}
		g.mu.Unlock()
		return nil, ctx.Err()
	}
}

func (g *renderGate) run(ctx context.Context, key string, f *flight, render func(ctx context.Context) (*entry, error)) {
	defer f.cancel()
	select {
	case g.slots <- struct{}{}:
		// The slot and the cancellation may have come together.
		if f.err = ctx.Err(); f.err == nil {
			f.e, f.err = g.call(ctx, render)
		}
		<-g.slots
	case <-ctx.Done():
		f.err = ctx.Err()
	}
	g.mu.Lock()
	if g.flights[key] == f {
		delete(g.flights, key)
	}
	g.mu.Unlock()
	close(f.done)
}

// call runs render, turning a panic into an error: the render runs on a
// goroutine of its own, where no server recovers it.
func (g *renderGate) call(ctx context.Context, render func(ctx context.Context) (*entry, error)) (e *entry, err error) {
	defer func() {
		if v := recover(); v != nil {
			e, err = nil, fmt.Errorf("render panicked: %v\n%s", v, debug.Stack())
		}
	}()
	return render(ctx)
}
