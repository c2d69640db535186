package page

import (
	"bytes"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
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
