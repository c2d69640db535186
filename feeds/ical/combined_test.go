package ical

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/agenda/agendatest"
)

// TestCombinedMatchesWriteCombined adds series one at a time and compares
// the calendar with WriteCombined over the same snapshots, byte for byte,
// on corpora with many zones and years, all-day sessions, UIDs repeated
// across series (ties in the calendar order) and no sessions at all.
func TestCombinedMatchesWriteCombined(t *testing.T) {
	demo := demoSnapshot(t)
	multi := multiZoneSnapshots()
	dup := benchSnapshot(30) // same UIDs and starts as multi's first: ties
	dup.Series.Slug = "dup"
	dup.Series.Zone = multi[0].Series.Zone
	dup.Sessions = append(dup.Sessions[:0:0], multi[0].Sessions[:30]...)
	for i := range dup.Sessions {
		dup.Sessions[i].Title += " (copy)"
	}
	empty := agenda.Snapshot{Series: agenda.Series{Slug: "empty", Title: "Empty", Zone: "Europe/Madrid"}}
	// Events longer than Write's read-ahead, among short ones.
	long := benchSnapshot(40)
	long.Series.Slug = "long"
	long.Sessions = slices.Clone(long.Sessions)
	for i := range long.Sessions {
		long.Sessions[i].UID = "long-" + long.Sessions[i].UID
		if i%7 == 3 {
			long.Sessions[i].Description = strings.Repeat("A long description, longer than one read. ", 1000)
		}
	}
	tests := []struct {
		name  string
		snaps []agenda.Snapshot
	}{
		{"none", nil},
		{"empty", []agenda.Snapshot{empty}},
		{"golden", []agenda.Snapshot{demo, otherSnapshot(t)}},
		{"one", []agenda.Snapshot{demo}},
		{"multi zone", multi},
		{"dst", dstCorpus(t)},
		{"ties", append([]agenda.Snapshot{multi[0], dup, empty}, multi[1:3]...)},
		{"long events", []agenda.Snapshot{multi[0], long, demo}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, opts := range []Options{goldenOptions(), {}} {
				var want bytes.Buffer
				if err := WriteCombined(&want, tt.snaps, opts); err != nil {
					t.Fatal(err)
				}
				dir := t.TempDir()
				n := 0
				c := NewRenderer().NewCombined(opts, func() (*os.File, error) {
					n++
					return os.Create(filepath.Join(dir, "spill"))
				})
				for _, s := range tt.snaps {
					if err := c.Add(s); err != nil {
						t.Fatal(err)
					}
				}
				for range 2 { // Write may be called again
					var got bytes.Buffer
					if err := c.Write(&got); err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got.Bytes(), want.Bytes()) {
						t.Fatalf("differs from WriteCombined:\ngot %d bytes, want %d", got.Len(), want.Len())
					}
				}
				if err := c.Close(); err != nil {
					t.Fatal(err)
				}
				if n > 1 {
					t.Fatalf("%d spill files made, want at most 1", n)
				}
			}
		})
	}
}

// TestCombinedGolden checks the builder against the golden file, and that
// without a spill func it leaves no file behind.
func TestCombinedGolden(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("testdata", "combined.ics"))
	if err != nil {
		t.Fatal(err)
	}
	c := NewRenderer().NewCombined(goldenOptions(), nil)
	for _, s := range []agenda.Snapshot{demoSnapshot(t), otherSnapshot(t)} {
		if err := c.Add(s); err != nil {
			t.Fatal(err)
		}
	}
	var got bytes.Buffer
	if err := c.Write(&got); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Fatal("combined builder differs from testdata/combined.ics")
	}
}

// TestCombinedError: a series that cannot be rendered fails Add, and the
// builder keeps failing.
func TestCombinedError(t *testing.T) {
	bad := demoSnapshot(t)
	bad.Sessions[0].Zone = "Nowhere/Atlantis"
	c := NewRenderer().NewCombined(goldenOptions(), nil)
	defer c.Close()
	if err := c.Add(bad); err == nil {
		t.Fatal("Add of an unknown zone: no error")
	}
	if err := c.Add(otherSnapshot(t)); err == nil {
		t.Fatal("Add after a failure: no error")
	}
	if err := c.Write(&bytes.Buffer{}); err == nil {
		t.Fatal("Write after a failure: no error")
	}
}

// What Combined and the Renderer keep past a snapshot (event UIDs, zone
// names) are copies: the store hands out snapshots whose strings are all
// parts of one buffer per series, and a kept part keeps it whole.
func TestCombinedKeepsNoSnapshotText(t *testing.T) {
	snaps := multiZoneSnapshots()
	bufs := make([]string, len(snaps))
	for i := range snaps {
		snaps[i].Sessions = slices.Clone(snaps[i].Sessions)
		bufs[i] = agendatest.IntoOneBuffer(&snaps[i])
	}
	r := NewRenderer()
	c := r.NewCombined(goldenOptions(), nil)
	defer c.Close()
	for _, snap := range snaps {
		if err := c.Add(snap); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Write(io.Discard); err != nil {
		t.Fatal(err)
	}
	for i, buf := range bufs {
		for what, v := range map[string]any{"combined index": &c.index, "combined zones": &c.zones, "combined names": &c.names, "renderer zones": &r.zones} {
			if got := agendatest.InBuffer(v, buf); len(got) != 0 {
				t.Errorf("series %s: %s point into its snapshot's buffer at %v", snaps[i].Series.Slug, what, got)
			}
		}
	}
}
