package page

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
	"github.com/agendafeed/agendafeed/internal/agenda/agendatest"
)

// TestIndexMatchesWriteIndex adds series one at a time and compares the
// page with WriteIndex over the same snapshots, at several instants (so
// that the next session moves, or there is none).
func TestIndexMatchesWriteIndex(t *testing.T) {
	r := newRenderer(t)
	empty := dialoguesSnapshot(t)
	empty.Series.Slug = "empty"
	empty.Sessions, empty.Posts = nil, nil
	cancelled := debateSnapshot(t)
	cancelled.Series.Slug = "cancelled"
	for i := range cancelled.Sessions {
		cancelled.Sessions[i].Status = agenda.StatusCancelled
	}
	snaps := []agenda.Snapshot{debateSnapshot(t), hostileSnapshot(t), empty, dialoguesSnapshot(t), realisticSnapshot(t, 30), cancelled}
	for _, asOf := range []time.Time{{}, testOptions().AsOf, time.Date(2021, 11, 17, 12, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)} {
		opts := testOptions()
		opts.AsOf = asOf
		var want, got bytes.Buffer
		if err := r.WriteIndex(&want, snaps, opts); err != nil {
			t.Fatal(err)
		}
		ix := r.NewIndex(opts)
		for _, s := range snaps {
			if err := ix.Add(s); err != nil {
				t.Fatal(err)
			}
		}
		if err := ix.Write(&got); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("as of %v: differs from WriteIndex near:\n%s", asOf, firstDiff(got.Bytes(), want.Bytes()))
		}
	}
	bad := debateSnapshot(t)
	bad.Series.Title = ""
	ix := r.NewIndex(testOptions())
	if err := ix.Add(bad); err == nil {
		t.Fatal("Add of a series without a title: no error")
	}
	if err := ix.Write(&bytes.Buffer{}); err == nil {
		t.Fatal("Write after a failed Add: no error")
	}
}

// The index page keeps each series' next session past its snapshot: as a
// copy, since the store's snapshots have all their session strings in one
// buffer per series, which a kept title would keep whole for every series.
func TestIndexKeepsNoSnapshotText(t *testing.T) {
	snap := realisticSnapshot(t, 30)
	snap.Sessions = slices.Clone(snap.Sessions)
	buf := agendatest.IntoOneBuffer(&snap.Sessions)
	opts := testOptions()
	opts.AsOf = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	ix := newRenderer(t).NewIndex(opts)
	if err := ix.Add(snap); err != nil {
		t.Fatal(err)
	}
	if len(ix.snaps) != 1 || len(ix.snaps[0].Sessions) != 1 {
		t.Fatalf("kept %+v, want the series and its next session", ix.snaps)
	}
	if got := agendatest.InBuffer(&ix.snaps, buf); len(got) != 0 {
		t.Errorf("the index keeps the snapshot's strings at %v", got)
	}
}
