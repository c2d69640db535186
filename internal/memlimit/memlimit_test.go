package memlimit

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

// restore puts the runtime's memory limit back after a test changed it: it
// is the process's.
func restore(t *testing.T) {
	limit := debug.SetMemoryLimit(-1) // -1 reads it
	t.Cleanup(func() { debug.SetMemoryLimit(limit) })
}

func TestTight(t *testing.T) {
	tests := []struct {
		u    Usage
		want bool
	}{
		{Usage{Live: 100 << 20, Limit: math.MaxInt64}, false},
		{Usage{Live: 100 << 20, Limit: 224 << 20}, false},
		{Usage{Live: 112 << 20, Limit: 224 << 20}, false}, // exactly half
		{Usage{Live: 112<<20 + 1, Limit: 224 << 20}, true},
		{Usage{Live: 300 << 20, Limit: 224 << 20}, true},
		{Usage{Live: 1, Limit: 0}, false}, // a zero limit is none (a reading that failed)
	}
	for _, tt := range tests {
		if got := tt.u.Tight(); got != tt.want {
			t.Errorf("%+v.Tight() = %v, want %v", tt.u, got, tt.want)
		}
	}
}

// Read gives the runtime's own figures, the limit as it was set.
func TestRead(t *testing.T) {
	restore(t)
	debug.SetMemoryLimit(300 << 20)
	runtime.GC() // the live heap is what a collection found: none yet at start
	u := Read()
	if u.Limit != 300<<20 {
		t.Errorf("Read().Limit = %d, want %d", u.Limit, 300<<20)
	}
	if u.Live == 0 {
		t.Error("Read().Live = 0; after a collection a test binary has a live heap")
	}
}
