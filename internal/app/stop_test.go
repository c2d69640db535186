package app

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// A stop that comes while Run is starting (the context is cancelled
// before Run is called) must leave nothing behind: no watcher that
// outlives Run and reads the database after Close. Run under -race: the
// watcher's registration used to race the scheduler's Stop.
func TestRunCancelledBeforeStart(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	// Published once, so that Run goes on to the scheduler and the
	// server rather than returning after its first pass.
	a, err := Open(context.Background(), Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Pass(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	if len(a.Publisher().Manifest().Files) == 0 {
		t.Fatal("an empty database published no files")
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for i := range 40 {
		a, err := Open(context.Background(), Options{Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Run(ctx, nil); err != nil {
			t.Fatalf("loop %d: Run: %v", i, err)
		}
		if err := a.Close(); err != nil {
			t.Fatalf("loop %d: Close: %v", i, err)
		}
	}
}

// A stop (SIGTERM) during a first start's pass, which runs before the
// server listens: the pass finishes and publishes everything, as any pass
// does on a stop, and Run returns nil without listening.
func TestStopDuringFirstPass(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var armed atomic.Bool
	now := func() time.Time {
		// Pass reads the clock before anything else: the stop comes
		// as the first pass starts.
		if armed.Load() {
			cancel()
		}
		return time.Now()
	}
	a, err := Open(context.Background(), Options{Config: cfg, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	loadDemo(t, a)
	armed.Store(true)
	listened := false
	if err := a.Run(ctx, func(net.Addr) { listened = true }); err != nil {
		t.Errorf("Run: %v, want nil", err)
	}
	if ctx.Err() == nil {
		t.Fatal("the test's stop never came")
	}
	if listened {
		t.Error("Run listened after the stop")
	}
	res, err, has := a.lastPass()
	if !has || err != nil {
		t.Fatalf("first pass: ran %v, err %v; want it finished", has, err)
	}
	if res.SeriesRendered != 2 {
		t.Errorf("first pass rendered %d series, want the demo's 2", res.SeriesRendered)
	}
	if a.Publisher().Manifest().Revisions["open-policy-debates"] == 0 {
		t.Error("the demo's open-policy-debates is not published")
	}
	checkPublished(t, cfg.OutputDir)
}
