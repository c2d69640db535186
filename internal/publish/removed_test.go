package publish

import (
	"fmt"
	"testing"
	"time"
)

// TestRemovedDatesAreBounded checks that the record of removed files
// stays bounded (past maxRemoved one floor covers every path, so the rule
// still holds), and forgets what no longer matters: dates the clock has
// passed by a second, and paths listed again.
func TestRemovedDatesAreBounded(t *testing.T) {
	t0 := time.Date(2025, 11, 17, 10, 0, 0, 0, time.UTC)
	var r removedDates
	for i := range maxRemoved + 10 {
		r.add(fmt.Sprintf("s/%d.ics", i), t0)
	}
	r.add("late.ics", t0.Add(time.Second))
	if len(r.at) != maxRemoved {
		t.Errorf("%d paths recorded, want %d", len(r.at), maxRemoved)
	}
	tests := []struct {
		path string
		want time.Time
	}{
		{"s/0.ics", t0.Add(time.Second)}, // recorded, but the floor is later
		{"late.ics", t0.Add(time.Second)},
		{"never-removed.ics", t0.Add(time.Second)},
	}
	for _, tt := range tests {
		if got := r.prev(tt.path); !got.Equal(tt.want) {
			t.Errorf("prev(%s) = %s, want %s", tt.path, got, tt.want)
		}
	}

	// Within the floor's second it still matters; the paths listed again
	// are forgotten.
	r.prune(t0.Add(1500*time.Millisecond), func(path string) bool { return path == "s/1.ics" })
	if _, ok := r.at["s/1.ics"]; ok || r.floor.IsZero() {
		t.Errorf("after the first prune: s/1.ics recorded %v, floor %s", ok, r.floor)
	}
	if _, ok := r.at["s/0.ics"]; ok {
		t.Error("s/0.ics recorded after its second passed")
	}
	r.prune(t0.Add(2*time.Second), func(string) bool { return false })
	if len(r.at) != 0 || !r.floor.IsZero() {
		t.Errorf("after the clock passed every date: %d paths, floor %s", len(r.at), r.floor)
	}
}
