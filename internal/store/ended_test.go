package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

func TestSeriesEndedBetween(t *testing.T) {
	db, _ := newTestDB(t)
	ctx := context.Background()
	for _, slug := range []string{"a", "b", "c"} {
		s := madrid()
		s.Slug = slug
		s.Zone = "UTC"
		mustPutSeries(t, db, s)
	}
	// a: ends 10:00Z; b: ends 10:00:30Z and 12:00Z; c: an all-day session,
	// over at midnight UTC at the end of its day.
	for _, s := range []agenda.Session{
		{Series: "a", Key: "one", Title: "One", Start: wall(t, "2030-05-01T09:00"), End: wall(t, "2030-05-01T10:00"), Zone: "UTC"},
		{Series: "b", Key: "one", Title: "One", Start: wall(t, "2030-05-01T09:00"), End: wall(t, "2030-05-01T10:00:30"), Zone: "UTC"},
		{Series: "b", Key: "two", Title: "Two", Start: wall(t, "2030-05-01T11:00"), End: wall(t, "2030-05-01T12:00"), Zone: "UTC"},
		{Series: "c", Key: "day", Title: "Day", AllDay: true, StartDate: date(t, "2030-05-01"), EndDate: date(t, "2030-05-01"), Zone: "UTC"},
	} {
		mustPutSession(t, db, s)
	}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		after, upTo string
		want        []string
	}{
		{"2030-05-01T09:00:00Z", "2030-05-01T09:59:59Z", nil},
		// The end itself is in the interval; the start is not.
		{"2030-05-01T09:59:59Z", "2030-05-01T10:00:00Z", []string{"a"}},
		{"2030-05-01T10:00:00Z", "2030-05-01T10:05:00Z", []string{"b"}},
		{"2030-05-01T09:00:00Z", "2030-05-01T12:00:00Z", []string{"a", "b"}},
		{"2030-05-01T12:00:00Z", "2030-05-02T00:00:00Z", []string{"c"}},
		{"2030-05-01T00:00:00Z", "2030-05-03T00:00:00Z", []string{"a", "b", "c"}},
		// An empty or reversed interval holds no end (a clock set back).
		{"2030-05-01T10:00:00Z", "2030-05-01T10:00:00Z", nil},
		{"2030-05-01T12:00:00Z", "2030-05-01T09:00:00Z", nil},
	} {
		got, err := db.SeriesEndedBetween(ctx, at(tc.after), at(tc.upTo))
		if err != nil {
			t.Fatalf("SeriesEndedBetween(%s, %s): %v", tc.after, tc.upTo, err)
		}
		assertEqual(t, "series ended in ("+tc.after+", "+tc.upTo+"]", got, tc.want)
	}
}

// The query runs at every pass: it must be a range over an index, not a
// scan of every session.
func TestSeriesEndedBetweenPlan(t *testing.T) {
	db, _ := newTestDB(t)
	rows, err := db.reader.Query(`EXPLAIN QUERY PLAN `+seriesEndedQuery, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan += detail + "\n"
	}
	if !strings.Contains(plan, "sessions_by_end") {
		t.Errorf("query plan does not use sessions_by_end:\n%s", plan)
	}
}
