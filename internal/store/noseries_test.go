package store

import (
	"context"
	"errors"
	"testing"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// A session that names no series is refused for that alone: its absent zone
// would be the series', so it is not a second error; its other errors are
// still reported.
func TestSessionWithoutSeriesReportsTheSeries(t *testing.T) {
	db, _ := newTestDB(t)
	tests := []struct {
		name       string
		s          agenda.Session
		wantFields []string
	}{
		{"only the series missing", agenda.Session{Key: "k", Title: "T",
			Start: agenda.NewWallTime(2021, 11, 17, 12, 0, 0), End: agenda.NewWallTime(2021, 11, 17, 13, 0, 0)}, []string{"series"}},
		{"and a bad zone", agenda.Session{Key: "k", Title: "T", Zone: "Mars/Olympus",
			Start: agenda.NewWallTime(2021, 11, 17, 12, 0, 0), End: agenda.NewWallTime(2021, 11, 17, 13, 0, 0)}, []string{"series", "zone"}},
		{"and no title", agenda.Session{Key: "k",
			Start: agenda.NewWallTime(2021, 11, 17, 12, 0, 0), End: agenda.NewWallTime(2021, 11, 17, 13, 0, 0)}, []string{"series", "title"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.PutSession(context.Background(), tc.s, Absent)
			var es agenda.Errors
			if !errors.As(err, &es) {
				t.Fatalf("got %v, want validation errors", err)
			}
			var fields []string
			for _, e := range es {
				fields = append(fields, e.Field)
			}
			if len(fields) != len(tc.wantFields) {
				t.Fatalf("errors on %q, want %q: %v", fields, tc.wantFields, err)
			}
			for i := range fields {
				if fields[i] != tc.wantFields[i] {
					t.Fatalf("errors on %q, want %q: %v", fields, tc.wantFields, err)
				}
			}
		})
	}
}
