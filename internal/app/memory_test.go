package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/agendafeed/agendafeed/internal/memlimit"
)

// A live heap over half of GOMEMLIMIT is warned about once, naming the
// setting to raise, and again only after it eased and came back.
func TestTightMemoryLimitWarnedOnce(t *testing.T) {
	a, logs := passedOnce(t, slog.LevelWarn)
	loadDemo(t, a)
	const limit = 224 << 20
	readings := []uint64{100 << 20, 150 << 20, 160 << 20, 50 << 20, 130 << 20}
	wantWarnings := []int{0, 1, 1, 1, 2}
	for i, live := range readings {
		a.heap = func() memlimit.Usage { return memlimit.Usage{Live: live, Limit: limit} }
		moveDebate(t, a, fmt.Sprintf("Hall %d", i))
		res, err := a.Pass(context.Background(), false)
		if err != nil {
			t.Fatal(err)
		}
		if res.SeriesRendered == 0 {
			t.Fatal("a pass after an edit rendered no series; the heap is checked after passes that render")
		}
		if got := strings.Count(logs.String(), "live heap is over half of GOMEMLIMIT"); got != wantWarnings[i] {
			t.Fatalf("after pass %d (live %d MiB of %d MiB): %d warnings, want %d; log:\n%s", i+1, live>>20, limit>>20, got, wantWarnings[i], logs.String())
		}
	}
	line := logs.String()
	for _, want := range []string{"level=WARN", "raise GOMEMLIMIT", "live_heap_mib=150", "gomemlimit_mib=224"} {
		if !strings.Contains(line, want) {
			t.Errorf("log %q does not contain %q", line, want)
		}
	}
}
