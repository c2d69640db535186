package store

import (
	"context"
	"testing"
	"time"
)

// TestPutSessionOffsetIsNoRevision checks that a start or end given again
// with an explicit offset that only repeats the one in effect (or again
// without it) publishes the same event, so it is no revision: no new
// sequence, no new stamp.
func TestPutSessionOffsetIsNoRevision(t *testing.T) {
	for _, tt := range []struct {
		name             string
		zone             string
		start, end       string // stored first
		newStart, newEnd string // given again
		revision         bool
		wantStore        string // start stored afterwards
	}{
		{"offset added", "America/New_York", "2027-06-01T10:00", "2027-06-01T11:00",
			"2027-06-01T10:00-04:00", "2027-06-01T11:00", false, "2027-06-01T10:00"},
		{"offset dropped", "America/New_York", "2027-06-01T10:00-04:00", "2027-06-01T11:00-04:00",
			"2027-06-01T10:00", "2027-06-01T11:00", false, "2027-06-01T10:00-04:00"},
		{"end offset added", "Asia/Kolkata", "2027-06-01T10:00", "2027-06-01T11:00",
			"2027-06-01T10:00", "2027-06-01T11:00+05:30", false, "2027-06-01T10:00"},
		{"fold other instant", "Europe/Madrid", "2026-10-25T02:30+02:00", "2026-10-25T04:00",
			"2026-10-25T02:30+01:00", "2026-10-25T04:00", true, "2026-10-25T02:30+01:00"},
		{"fold same instant", "Europe/Madrid", "2026-10-25T02:30+01:00", "2026-10-25T04:00",
			"2026-10-25T02:30+01:00", "2026-10-25T04:00", false, "2026-10-25T02:30+01:00"},
		{"new time with offset", "America/New_York", "2027-06-01T10:00", "2027-06-01T11:00",
			"2027-06-01T09:00-04:00", "2027-06-01T11:00", true, "2027-06-01T09:00-04:00"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db, c := newTestDB(t)
			mustPutSeries(t, db, madrid())
			s := timedSession(t, "uclg-debates", "b", tt.start, tt.end)
			s.Zone = tt.zone
			first := mustPutSession(t, db, s)
			rev := mustRevision(t, db, "uclg-debates")
			c.Advance(time.Hour)
			edit := first
			edit.Start, edit.End = wall(t, tt.newStart), wall(t, tt.newEnd)
			got, err := db.PutSession(ctx, edit, first.Sequence)
			if err != nil {
				t.Fatalf("PutSession: %v", err)
			}
			wantSeq, wantUpdated, wantRev := first.Sequence, first.Updated, rev
			if tt.revision {
				wantSeq, wantUpdated, wantRev = first.Sequence+1, c.stamp(), rev+1
			}
			if got.Sequence != wantSeq || !got.Updated.Equal(wantUpdated) {
				t.Errorf("sequence %d updated %s, want %d %s", got.Sequence, got.Updated, wantSeq, wantUpdated)
			}
			if r := mustRevision(t, db, "uclg-debates"); r != wantRev {
				t.Errorf("series revision %d, want %d", r, wantRev)
			}
			stored, err := db.SessionByKey(ctx, "uclg-debates", "b")
			if err != nil {
				t.Fatal(err)
			}
			if stored.Start.String() != tt.wantStore {
				t.Errorf("stored start %s, want %s", stored.Start, tt.wantStore)
			}
		})
	}
}
