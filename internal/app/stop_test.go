package app

import (
	"context"
	"testing"
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
