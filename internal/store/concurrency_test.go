package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// TestConcurrentWritesAndSnapshots runs writers and readers against one real
// file. Any error (SQLITE_BUSY above all) fails it; so does a lost update, a
// revision going backwards, or a snapshot that mixes two revisions.
func TestConcurrentWritesAndSnapshots(t *testing.T) {
	const (
		writers       = 8
		editsEach     = 200
		sessionsTotal = 4 // two per series; each edited by two writers
	)
	db, _ := newTestDB(t)
	ctx := context.Background()
	slugs := []string{"alpha", "beta"}
	var uids []string
	initial := map[string]int64{}
	for _, slug := range slugs {
		mustPutSeries(t, db, agenda.Series{Slug: slug, Title: slug, Zone: "Europe/Madrid", Language: "en"})
	}
	for i := 0; i < sessionsTotal; i++ {
		s := timedSession(t, slugs[i%2], fmt.Sprintf("s%d", i), "2022-06-01T10:00", "2022-06-01T11:00")
		s.People = []agenda.Participant{{Person: agenda.Person{Name: "Speaker " + fmt.Sprint(i)}}}
		uids = append(uids, mustPutSession(t, db, s).UID)
	}
	for _, slug := range slugs {
		initial[slug] = mustRevision(t, db, slug)
	}

	var wg sync.WaitGroup
	done := make(chan struct{})
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			i := w % sessionsTotal
			for e := 0; e < editsEach; e++ {
				s := timedSession(t, slugs[i%2], fmt.Sprintf("s%d", i), "2022-06-01T10:00", "2022-06-01T11:00")
				s.UID = uids[i]
				s.People = []agenda.Participant{{Person: agenda.Person{Name: "Speaker " + fmt.Sprint(i)}}}
				s.Description = fmt.Sprintf("edit %d of writer %d", e, w)
				if _, err := db.PutSession(ctx, s, Any); err != nil {
					t.Errorf("writer %d edit %d: %v", w, e, err)
					return
				}
			}
		}(w)
	}
	var readers sync.WaitGroup
	for r := 0; r < 4; r++ {
		readers.Add(1)
		go func(r int) {
			defer readers.Done()
			last := map[string]int64{}
			for n := 0; ; n++ {
				// A short pause leaves the two cores mostly to the writers;
				// the readers still interleave with thousands of commits.
				select {
				case <-done:
					t.Logf("reader %d: %d rounds", r, n)
					return
				case <-time.After(2 * time.Millisecond):
				}
				revs, err := db.Revisions(ctx)
				if err != nil {
					t.Errorf("reader %d: Revisions: %v", r, err)
					return
				}
				for slug, rev := range revs {
					if rev < last[slug] {
						t.Errorf("reader %d: revision of %s went from %d to %d", r, slug, last[slug], rev)
					}
					last[slug] = rev
				}
				slug := slugs[(n+r)%2]
				snap, err := db.Snapshot(ctx, slug)
				if err != nil {
					t.Errorf("reader %d: Snapshot: %v", r, err)
					return
				}
				// Every edit bumps one sequence and the revision by one: a
				// consistent snapshot balances.
				var seqs int64
				for _, s := range snap.Sessions {
					seqs += s.Sequence
				}
				if snap.Series.Revision != initial[slug]+seqs {
					t.Errorf("reader %d: snapshot of %s at revision %d has sequences summing to %d (initial %d)",
						r, slug, snap.Series.Revision, seqs, initial[slug])
				}
				if snap.Series.Revision < last[slug] {
					t.Errorf("reader %d: snapshot revision of %s went back from %d to %d", r, slug, last[slug], snap.Series.Revision)
				}
				last[slug] = snap.Series.Revision
				if _, err := db.ChangeCounter(ctx); err != nil {
					t.Errorf("reader %d: ChangeCounter: %v", r, err)
					return
				}
			}
		}(r)
	}
	wg.Wait()
	close(done)
	readers.Wait()

	perSession := int64(writers / sessionsTotal * editsEach)
	for i, uid := range uids {
		s, err := db.Session(ctx, uid)
		if err != nil {
			t.Fatal(err)
		}
		if s.Sequence != perSession {
			t.Errorf("session %d: sequence %d, want %d (lost updates)", i, s.Sequence, perSession)
		}
	}
	revs, _ := db.Revisions(ctx)
	for _, slug := range slugs {
		want := initial[slug] + perSession*int64(sessionsTotal/len(slugs))
		if revs[slug] != want {
			t.Errorf("series %s: revision %d, want %d", slug, revs[slug], want)
		}
	}
	if err := db.Check(ctx); err != nil {
		t.Error(err)
	}
}
