package app

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/publish"
)

// TestCombinedBuilderMatchesCombinedOutputs feeds the demo series (and
// copies of them under other slugs, in other zones and shifted in time)
// one at a time to the streaming builder and compares every all-series file
// with CombinedOutputs over all the snapshots, byte for byte, with the
// default item limit and a small one.
func TestCombinedBuilderMatchesCombinedOutputs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := testConfig(t, dir)
	a, err := Open(ctx, Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	loadDemo(t, a)
	series, err := a.DB().ListSeries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var snaps []agenda.Snapshot
	for _, s := range series {
		snap, err := a.DB().Snapshot(ctx, s.Slug)
		if err != nil {
			t.Fatal(err)
		}
		snaps = append(snaps, snap)
	}
	for k, zone := range []string{"America/New_York", "Asia/Kathmandu"} {
		for _, base := range snaps[:len(series)] {
			c := base
			c.Series.Slug = fmt.Sprintf("%s-%d", base.Series.Slug, k)
			c.Series.Zone = zone
			c.Series.Updated = c.Series.Updated.Add(time.Duration(k+1) * time.Hour)
			c.Sessions = append([]agenda.Session(nil), base.Sessions...)
			for i := range c.Sessions {
				s := &c.Sessions[i]
				s.UID = fmt.Sprintf("%d-%s", k, s.UID)
				s.Zone = zone
				s.Created = s.Created.Add(time.Duration(k*i+1) * time.Minute)
				if !s.AllDay {
					st, _ := s.Start.In(time.UTC)
					en, _ := s.End.In(time.UTC)
					st, en = st.AddDate(k+1, 0, i), en.AddDate(k+1, 0, i)
					s.Start = agenda.NewWallTime(st.Year(), st.Month(), st.Day(), st.Hour(), st.Minute(), 0)
					s.End = agenda.NewWallTime(en.Year(), en.Month(), en.Day(), en.Hour(), en.Minute(), 0)
				}
			}
			snaps = append(snaps, c)
		}
	}
	sortSnaps(snaps)
	for _, limit := range []int{cfg.FeedItemLimit, 3} {
		cfg := cfg
		cfg.FeedItemLimit = limit
		r, err := newRenderer(cfg)
		if err != nil {
			t.Fatal(err)
		}
		r.setAsOf(time.Date(2021, 11, 17, 9, 0, 0, 0, time.UTC))
		want := r.CombinedOutputs(snaps)
		spills := t.TempDir()
		b := r.NewCombined(func() (*os.File, error) { return os.CreateTemp(spills, "spill") })
		for _, s := range snaps {
			if err := b.Add(s); err != nil {
				t.Fatal(err)
			}
		}
		got := b.Outputs()
		if len(got) != len(want) {
			t.Fatalf("%d outputs, want %d", len(got), len(want))
		}
		for i := range want {
			if got[i].Path != want[i].Path || got[i].Kind != want[i].Kind {
				t.Fatalf("output %d: %s %v, want %s %v", i, got[i].Path, got[i].Kind, want[i].Path, want[i].Kind)
			}
			g, w := render(t, got[i]), render(t, want[i])
			if !bytes.Equal(g, w) {
				t.Errorf("limit %d: %s differs (%d bytes, want %d)", limit, want[i].Path, len(g), len(w))
			}
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		if entries, _ := os.ReadDir(spills); len(entries) != 1 {
			t.Errorf("%d spill files, want 1", len(entries))
		}
	}
}

func render(t *testing.T, o publish.Output) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := o.Render(&b); err != nil {
		t.Fatalf("%s: %v", o.Path, err)
	}
	return b.Bytes()
}

func sortSnaps(s []agenda.Snapshot) {
	slices.SortFunc(s, func(a, b agenda.Snapshot) int { return strings.Compare(a.Series.Slug, b.Series.Slug) })
}
