package publish_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/publish"
	"github.com/agendafeed/agendafeed/internal/publish/publishtest"
)

// listingRenderer records which series a pass listed outputs for, and
// whether it listed the all-series files.
type listingRenderer struct {
	publishtest.Renderer
	mu       sync.Mutex
	series   []string
	combined bool
}

func (l *listingRenderer) SeriesOutputs(s agenda.Snapshot) []publish.Output {
	l.mu.Lock()
	l.series = append(l.series, s.Series.Slug)
	l.mu.Unlock()
	return l.Renderer.SeriesOutputs(s)
}

func (l *listingRenderer) CombinedOutputs(snaps []agenda.Snapshot) []publish.Output {
	l.mu.Lock()
	l.combined = true
	l.mu.Unlock()
	return l.Renderer.CombinedOutputs(snaps)
}

// PassWith renders the series it names although their revision did not
// move, with the all-series files, and no other series.
func TestPassWithSeries(t *testing.T) {
	for _, tc := range []struct {
		name         string
		opts         publish.PassOptions
		wantSeries   []string
		wantCombined bool
	}{
		{"nothing", publish.PassOptions{}, nil, false},
		{"one series", publish.PassOptions{Series: []string{"tunis"}}, []string{"tunis"}, true},
		{"two series", publish.PassOptions{Series: []string{"lima", "tunis"}}, []string{"lima", "tunis"}, true},
		{"a series since removed", publish.PassOptions{Series: []string{"gone"}}, nil, false},
		{"forced", publish.PassOptions{Force: true, Series: []string{"tunis"}}, []string{"lima", "madrid", "tunis"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := publishtest.NewSource(
				publishtest.MakeSnapshot("madrid", 1, 3),
				publishtest.MakeSnapshot("tunis", 1, 2),
				publishtest.MakeSnapshot("lima", 1, 1),
			)
			dir := t.TempDir()
			r := &listingRenderer{Renderer: publishtest.Renderer{PerSession: 50}}
			p := newPublisher(t, dir, src, r, newClock())
			pass(t, p, false)
			before := p.Manifest()
			r.series, r.combined = nil, false
			res, err := p.PassWith(context.Background(), tc.opts)
			if err != nil {
				t.Fatalf("PassWith: %v", err)
			}
			slices.Sort(r.series)
			if !slices.Equal(r.series, tc.wantSeries) || r.combined != tc.wantCombined {
				t.Errorf("rendered series %v, all-series files %v; want %v, %v", r.series, r.combined, tc.wantSeries, tc.wantCombined)
			}
			if res.SeriesRendered != len(tc.wantSeries) || res.FilesWritten != 0 {
				t.Errorf("result %+v: want %d series rendered, nothing written (the bytes are the same)", res, len(tc.wantSeries))
			}
			after := p.Manifest()
			for path, fi := range before.Files {
				if a := after.Files[path]; a.ETag != fi.ETag || !a.Modified.Equal(fi.Modified) {
					t.Errorf("%s: entry moved: %+v -> %+v", path, fi, a)
				}
			}
			checkConsistent(t, dir, after)
		})
	}
}
