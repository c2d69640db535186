package store

import (
	"context"
	"errors"
	"testing"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// TestSessionMatch: a Match sees the session as stored, in the write's
// transaction, and its error refuses the write, which then changes
// nothing; a nil Match or one that accepts lets it through.
func TestSessionMatch(t *testing.T) {
	ctx := context.Background()
	refuse := errors.New("refused")
	for _, c := range []struct {
		name  string
		write func(db *DB, s agenda.Session, m Match) error
	}{
		{"put", func(db *DB, s agenda.Session, m Match) error {
			s.Title = "Changed"
			_, err := db.PutSessionMatching(ctx, s, s.Sequence, m)
			return err
		}},
		{"cancel", func(db *DB, s agenda.Session, m Match) error {
			_, err := db.CancelSessionMatching(ctx, s.UID, s.Sequence, m)
			return err
		}},
		{"delete", func(db *DB, s agenda.Session, m Match) error {
			return db.DeleteSessionMatching(ctx, s.UID, s.Sequence, m)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, _ := newTestDB(t)
			mustPutSeries(t, db, madrid())
			s := mustPutSession(t, db, timedSession(t, "uclg-debates", "b", "2027-06-01T10:00", "2027-06-01T11:00"))
			before, err := db.ChangeCounter(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var seen agenda.Session
			err = c.write(db, s, func(cur agenda.Session) error { seen = cur; return refuse })
			if !errors.Is(err, refuse) {
				t.Fatalf("refused write: err = %v, want the Match's", err)
			}
			if seen.UID != s.UID || seen.Title != s.Title {
				t.Errorf("Match saw %s %q, want %s %q", seen.UID, seen.Title, s.UID, s.Title)
			}
			if after, _ := db.ChangeCounter(ctx); after != before {
				t.Errorf("a refused write moved the change counter from %d to %d", before, after)
			}
			if err := c.write(db, s, func(agenda.Session) error { return nil }); err != nil {
				t.Fatalf("accepted write: %v", err)
			}
		})
	}
}
